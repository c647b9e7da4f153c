"""The knowledge store: an immutable snapshot swapped atomically on a validated reload."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.core import facts
from bot.core.knowledge import Knowledge, KnowledgeError, Problem
from bot.core.learned import Learned, merge_learned
from bot.core.loading import load_knowledge
from bot.core.matching import FaqIndex
from bot.core.paths import PathRecommender


@dataclass(frozen=True)
class Snapshot:
    """Knowledge plus the indexes built from it, served together so they never disagree."""

    knowledge: Knowledge
    index: FaqIndex
    paths: PathRecommender
    loaded_at: float = field(default_factory=time.time)
    # The files' knowledge before anything taught in chat was merged in (None: the same).
    base: Knowledge | None = None

    @property
    def version(self) -> str:
        """Return the knowledge version (a content hash of the files)."""
        return self.knowledge.version

    def warm(self) -> None:
        """Read which attributes and programs each FAQ is about now, not on a question.

        A few hundred milliseconds: servers do it off the event loop (at start, and after
        each reload in the reload's thread); a one-question command skips it.
        """
        facts.faq_scope(self.knowledge, "")


def build_snapshot(directory: Path | str, learned: Learned | None = None) -> Snapshot:
    """Load *directory* and build its indexes; raise KnowledgeError if it does not validate.

    *learned* (taught in chat) is merged in as data, like the files' own alternates.
    """
    return snapshot_of(load_knowledge(directory), learned)


def snapshot_of(knowledge: Knowledge, learned: Learned | None = None) -> Snapshot:
    """Build the indexes for *knowledge* with *learned* merged in."""
    merged = merge_learned(knowledge, learned) if learned else knowledge
    return Snapshot(merged, FaqIndex(merged), PathRecommender(merged), base=knowledge)


@dataclass(frozen=True)
class ReloadReport:
    """What a reload did: the versions, what changed, or why nothing changed."""

    ok: bool
    old_version: str
    new_version: str | None
    seconds: float
    counts: Mapping[str, int] = field(default_factory=dict)
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    def lines(self) -> list[str]:
        """Return the report as short lines for a chat reply or a log."""
        if not self.ok:
            head = (
                f"Reload refused: {len(self.problems)} problem(s); "
                f"still serving version {self.old_version}."
            )
            return [head, *(str(p) for p in self.problems)]
        counts = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        out = [
            f"Reloaded in {self.seconds * 1000:.0f} ms: "
            f"version {self.old_version} -> {self.new_version}.",
            f"Now serving {counts}.",
        ]
        if not (self.added or self.removed or self.changed):
            out.append("No FAQ changed.")
        for label, ids in (
            ("added", self.added),
            ("removed", self.removed),
            ("changed", self.changed),
        ):
            if ids:
                out.append(f"FAQs {label} ({len(ids)}): {', '.join(ids)}")
        return out


class KnowledgeStore:
    """Serves the current snapshot; reload swaps in a new one only if it validates."""

    def __init__(self, directory: Path | str, snapshot: Snapshot) -> None:
        """Serve *snapshot*, loaded from *directory*, until a reload replaces it."""
        self.directory = Path(directory)
        self._snapshot = snapshot
        # Serialises reloads; readers never take it: they read one reference, atomically.
        self._reload_lock = threading.Lock()
        self._learned: Learned | None = None

    @classmethod
    def open(cls, directory: Path | str) -> KnowledgeStore:
        """Load *directory* into a new store; raise KnowledgeError if it does not validate."""
        return cls(directory, build_snapshot(directory))

    @property
    def current(self) -> Snapshot:
        """Return the snapshot in service now; callers keep it for a whole request."""
        return self._snapshot

    def set_learned(self, learned: Learned) -> None:
        """Serve the files' knowledge with *learned* merged in (rebuilds the indexes)."""
        with self._reload_lock:
            if learned == (self._learned or Learned()):
                # What is served already holds it: the first poll after start finds nothing
                # taught, and a rebuild then only competed with the start for the CPU.
                self._learned = learned
                return
            old = self._snapshot
            self._learned = learned
            self._snapshot = snapshot_of(old.base or old.knowledge, learned)
            self._snapshot.warm()

    def reload(self) -> ReloadReport:
        """Build a new snapshot from disk and swap it in, or keep the old one and report why."""
        with self._reload_lock:
            start = time.perf_counter()
            old = self._snapshot
            try:
                new = build_snapshot(self.directory, self._learned)
                new.warm()
            except KnowledgeError as exc:
                return ReloadReport(
                    ok=False,
                    old_version=old.version,
                    new_version=None,
                    seconds=time.perf_counter() - start,
                    problems=exc.problems,
                )
            self._snapshot = new
            before, after = old.knowledge.faqs, new.knowledge.faqs
            return ReloadReport(
                ok=True,
                old_version=old.version,
                new_version=new.version,
                seconds=time.perf_counter() - start,
                counts=new.knowledge.counts(),
                added=tuple(sorted(after.keys() - before.keys())),
                removed=tuple(sorted(before.keys() - after.keys())),
                changed=tuple(
                    sorted(k for k in after.keys() & before.keys() if after[k] != before[k])
                ),
            )
