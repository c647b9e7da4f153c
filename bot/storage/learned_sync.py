"""Learned knowledge across instances: the learned generation, polled like the reload one.

A teach, forget or approval on any instance bumps `finops_learned_state.generation`; every
instance polls it and, when it moves, reads the approved rows and rebuilds its snapshot with
them merged in (off the event loop: building the indexes takes a moment).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.core.store import KnowledgeStore
from bot.storage.periodic import Periodic
from bot.storage.store import Storage, StoreUnavailableError

logger = logging.getLogger(__name__)

DEFAULT_LEARNED_POLL = 1.0


class LearnedSync:
    """Keeps this instance's snapshot in step with what was taught on any instance."""

    def __init__(
        self, storage: Storage, knowledge: KnowledgeStore, interval: float = DEFAULT_LEARNED_POLL
    ) -> None:
        """Merge what *storage* holds into *knowledge*, polling every *interval* s."""
        self.storage = storage
        self.knowledge = knowledge
        self.interval = interval
        self.generation: int | None = None
        self._rounds = Periodic("finops-learned-sync", self.poll_once, lambda: self.interval)
        self._lock = asyncio.Lock()

    def start(self) -> None:
        """Start the rounds in the background."""
        self._rounds.start()

    async def close(self) -> None:
        """Stop the rounds."""
        await self._rounds.close()

    async def poll_once(self, *, force: bool = False) -> bool:
        """Re-read what was taught if the generation moved (or *force*); True if re-read."""
        async with self._lock:
            try:
                generation = await self.storage.learning.generation()
                if not force and generation == self.generation:
                    return False
                learned = await self.storage.learning.approved()
            except StoreUnavailableError:
                return False  # counted and logged by the store
            await asyncio.to_thread(self.knowledge.set_learned, learned)
            self.generation = generation
            logger.info(
                "learned sync: generation %d: %d phrasing(s), %d new FAQ(s)",
                generation,
                len(learned.phrases),
                len(learned.faqs),
            )
            return True

    def status_lines(self) -> list[str]:
        """Return the learned generation for `admin status`."""
        if self.generation is None:
            return ["Learned knowledge: waiting for the store."]
        return [f"Learned knowledge generation {self.generation}."]


async def refresh_soon(sync: LearnedSync) -> None:
    """Apply a change made here now rather than at the next poll (errors are logged)."""
    with contextlib.suppress(StoreUnavailableError):
        await sync.poll_once()
