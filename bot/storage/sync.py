"""Knowledge reloads across instances: a generation counter in the store, polled.

An admin reload on one instance bumps `finops_knowledge_state.generation` (and records the
version it loaded). Every instance polls that one row every second or so; when the
generation moves, it reloads from its *own* KNOWLEDGE_DIR, validates on its own, and reports
in its logs and status when it cannot load or ends up on a different version. Polling works
the same on SQLite and PostgreSQL and costs one primary-key read per second per instance.
"""

from __future__ import annotations

import asyncio
import logging

from bot.core.store import KnowledgeStore
from bot.storage.periodic import Periodic
from bot.storage.store import Storage, StoreUnavailableError

logger = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = 1.0
_POLL_FAILED = "the last poll failed"


class KnowledgeSync:
    """Polls the generation and reloads this instance's knowledge when another reloaded."""

    def __init__(
        self,
        storage: Storage,
        knowledge: KnowledgeStore,
        interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        """Keep *knowledge* in step with reloads announced through *storage*."""
        self.storage = storage
        self.knowledge = knowledge
        self.interval = interval
        self.generation: int | None = None
        self.problem: str | None = None
        self.expected_version: str | None = None
        self._rounds = Periodic(
            "finops-knowledge-sync", self.poll_once, lambda: self.interval, failed=self._failed
        )

    def start(self) -> None:
        """Start the rounds in the background."""
        self._rounds.start()

    async def close(self) -> None:
        """Stop the rounds."""
        await self._rounds.close()

    def _failed(self, exc: Exception) -> None:
        # One bad round must not end polling for good, nor leave /healthz saying all is well.
        self.problem = f"{_POLL_FAILED} ({type(exc).__name__}); retrying"

    async def poll_once(self) -> bool:
        """Read the generation; reload if it moved. Return True if a reload was attempted."""
        try:
            generation, version = await self.storage.generation()
        except StoreUnavailableError:
            return False  # counted and logged by the store
        if self.generation is None:
            # First sight: what we loaded at start-up is what the files hold now.
            self.generation = generation
            return False
        if generation <= self.generation:
            return False
        self.generation = generation
        self.expected_version = version
        try:
            report = await asyncio.to_thread(self.knowledge.reload)
        except Exception as exc:
            # A bug while reloading: report it like a failed reload; the poller goes on.
            self.problem = (
                f"generation {generation}: reloading {self.knowledge.directory} failed here "
                f"({type(exc).__name__}); still serving {self.knowledge.current.version}"
            )
            logger.exception("knowledge sync: %s", self.problem)
            return True
        if not report.ok:
            self.problem = (
                f"generation {generation}: the knowledge in {self.knowledge.directory} does not "
                f"validate here ({len(report.problems)} problem(s)); still serving "
                f"{report.old_version}"
            )
            logger.error("knowledge sync: %s", self.problem)
            for problem in report.problems[:20]:
                logger.error("knowledge sync: %s", problem)
            return True
        self.problem = None
        logger.info(
            "knowledge sync: generation %d reloaded: version %s -> %s",
            generation,
            report.old_version,
            report.new_version,
        )
        if version and report.new_version != version:
            logger.warning(
                "knowledge sync: serving version %s, but the instance that reloaded serves %s "
                "(its KNOWLEDGE_DIR differs from ours)",
                report.new_version,
                version,
            )
        return True

    async def publish(self, version: str) -> int:
        """Announce an admin reload done here; return the new generation."""
        generation = await self.storage.publish_reload(version)
        self.generation = max(self.generation or 0, generation)
        self.expected_version = version
        self.problem = None
        return generation

    def status_lines(self) -> list[str]:
        """Return this instance's sync state for `admin status`."""
        if self.generation is None:
            return ["Knowledge sync: waiting for the store."]
        current = self.knowledge.current.version
        line = f"Knowledge generation {self.generation}; this instance serves {current}"
        if self.problem:
            return [line + ".", f"Sync problem: {self.problem}."]
        if self.expected_version and self.expected_version != current:
            return [line + f", the last reload elsewhere served {self.expected_version}."]
        return [line + "."]
