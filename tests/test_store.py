"""The knowledge store: validated, atomic reloads that never expose a half-loaded state."""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path

from bot.core.matching import MatchSettings
from bot.core.store import KnowledgeStore

NEW_FAQ = """
  - id: exam-online
    question: Can I take the exam online?
    answer: Yes, from home.
    sources: [seed-a]
"""


def test_reload_reports_what_changed(kb_dir: Path) -> None:
    """A good reload swaps the snapshot and lists added, removed and changed FAQs."""
    store = KnowledgeStore.open(kb_dir)
    old = store.current.version
    faqs = kb_dir / "faqs.yaml"
    text = faqs.read_text().replace("Sixty minutes.", "One hour.")
    text = text.split("  - id: exam-price")[0] + NEW_FAQ.lstrip("\n")
    text = text.replace("related: [exam-price]", "related: [exam-online]")
    faqs.write_text(text)
    report = store.reload()
    assert report.ok, report.lines()
    assert report.old_version == old
    assert report.new_version == store.current.version != old
    assert report.added == ("exam-online",)
    assert report.removed == ("exam-price",)
    assert report.changed == ("exam-length",)
    assert report.counts["faqs"] == 2
    assert store.current.knowledge.faqs["exam-length"].answer == "One hour."
    assert "FAQs added (1): exam-online" in report.lines()


def test_failed_reload_keeps_old_snapshot_serving(kb_dir: Path) -> None:
    """A broken edit is refused with path:line errors; the old answers keep coming."""
    store = KnowledgeStore.open(kb_dir)
    before = store.current
    (kb_dir / "faqs.yaml").write_text("faqs:\n  - id: exam-length\n    question: [oops\n")
    report = store.reload()
    assert not report.ok
    assert store.current is before
    assert report.new_version is None
    assert report.lines()[0] == (
        f"Reload refused: 1 problem(s); still serving version {before.version}."
    )
    assert report.lines()[1].startswith(f"{kb_dir / 'faqs.yaml'}:4: YAML syntax error")
    match = store.current.index.match("how long is the exam", MatchSettings())
    assert match.best is not None
    assert match.best.faq.id == "exam-length"


def test_unchanged_reload_keeps_version(kb_dir: Path) -> None:
    """Reloading identical files gives the same content-hash version and no changes."""
    store = KnowledgeStore.open(kb_dir)
    report = store.reload()
    assert report.ok
    assert report.new_version == report.old_version
    assert (report.added, report.removed, report.changed) == ((), (), ())
    assert "No FAQ changed." in report.lines()


def test_concurrent_readers_never_see_a_mix(kb_dir: Path) -> None:
    """Readers during 40 reloads always get a snapshot whose index matches its knowledge."""
    store = KnowledgeStore.open(kb_dir)
    faqs = kb_dir / "faqs.yaml"
    original = faqs.read_text()
    variant = original.replace("How long is the exam?", "What is the exam duration in minutes?")
    stop = threading.Event()
    errors: list[str] = []
    seen_versions: set[str] = set()

    def reader() -> None:
        while not stop.is_set():
            snap = store.current
            seen_versions.add(snap.version)
            index_ids = [f.id for f in snap.index.faqs]
            if index_ids != list(snap.knowledge.faqs):
                errors.append("index and knowledge disagree")
            question = snap.knowledge.faqs["exam-length"].question
            indexed = {p.text for p in snap.index.phrasings}
            if question not in indexed:
                errors.append(f"question {question!r} missing from its own index")
            # Yield the GIL so the reloading thread is not starved by spinning readers.
            stop.wait(0.0005)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for i in range(40):
            faqs.write_text(variant if i % 2 == 0 else original)
            assert store.reload().ok
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert len(seen_versions) >= 2


def test_a_replaced_snapshot_is_freed_even_when_frozen(kb_dir: Path) -> None:
    """`serve` freezes start-up objects out of the cyclic GC; a snapshot holds no cycles, so
    the one a reload replaces is still freed by reference counting alone."""
    store = KnowledgeStore.open(kb_dir)
    old = weakref.ref(store.current)
    old_index = weakref.ref(store.current.index)
    faq = next(kb_dir.glob("faq*.yaml"))
    faq.write_text(faq.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    gc.collect()
    gc.freeze()  # the first snapshot is now out of the cyclic GC's reach, as in `serve`
    gc.disable()  # and no collection may run: only reference counting can free it
    try:
        assert gc.get_freeze_count() > 0
        report = store.reload()
        assert report.ok
        assert report.new_version != report.old_version
        assert old() is None
        assert old_index() is None
    finally:
        gc.enable()
        gc.unfreeze()
