"""Thread memory in the shared store: a follow-up resolves on whichever instance gets it.

One row per conversation, keyed by `context_key()`'s hash (never a channel, thread or user
id), holding the subject (program, attribute, a path's list) and when it was last said. A
row older than the silence limit is ignored when read and deleted by the retention purge.
While the store is unreachable, this instance's own memory stands in, so a conversation that
stays on one instance still resolves its follow-ups.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select

from bot.conversation.context import DEFAULT_TTL, MemoryContext
from bot.core.subject import Subject
from bot.storage.engine import Database, insert
from bot.storage.health import StoreUnavailableError
from bot.storage.schema import CHOICES_LENGTH, contexts

CONTEXT_TTL = timedelta(seconds=DEFAULT_TTL)
# Writes waiting for the store at most; past that a subject stays in this instance's memory
# only (a follow-up on this instance still resolves).
MAX_PENDING_WRITES = 1_000
# How long a write waits for others to share its statement: far below a person's reply time.
BATCH_WINDOW = 0.05
LOCAL_FALLBACK = 2_000  # conversations this instance remembers itself, for a store outage


class StoreContext:
    """Conversation subjects kept in the shared store (the `ContextStore` of a server)."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        ttl: timedelta = CONTEXT_TTL,
    ) -> None:
        """Keep subjects in *db*, forgotten *ttl* after a conversation's last message."""
        self.db = db
        self._clock = clock
        self.ttl = ttl
        # Only a stand-in while the store is down: the recent conversations are enough.
        self._local = MemoryContext(ttl=ttl.total_seconds(), max_entries=LOCAL_FALLBACK)
        # Subjects waiting to be written, newest per conversation; one task writes them in
        # batches (one statement for many conversations, not a thread hop per message).
        self._waiting: dict[str, tuple[Subject, datetime]] = {}
        self._writer: asyncio.Task[None] | None = None
        self.skipped = 0

    async def recall(self, key: str) -> Subject | None:
        """Return the subject of conversation *key* as any instance last left it."""
        waiting = self._waiting.get(key)
        if waiting is not None:  # this instance's own newest word, not yet written
            return waiting[0]
        since = self._clock() - self.ttl

        def read(conn: Connection) -> Subject | None:
            row = conn.execute(
                select(
                    contexts.c.program,
                    contexts.c.attribute,
                    contexts.c.choices,
                    contexts.c.faq,
                    contexts.c.before_faq,
                ).where(contexts.c.key == key, contexts.c.updated_at >= since)
            ).first()
            if row is None:
                return None
            choices = tuple(filter(None, (row[2] or "").split(",")))
            return Subject(row[0], row[1], choices, row[3], row[4])

        try:
            return await self.db.run("context", read)
        except StoreUnavailableError:  # counted and logged by the store; fall back
            return await self._local.recall(key)

    async def remember(self, key: str, subject: Subject) -> None:
        """Keep *subject* as conversation *key*'s, for every instance (and this one's memory).

        The shared write goes on in the background, batched: the reply never waits for it,
        and a follow-up (a person typing again) comes long after it has landed.
        """
        await self._local.remember(key, subject)
        if len(self._waiting) >= MAX_PENDING_WRITES and key not in self._waiting:
            self.skipped += 1
            return
        self._waiting[key] = (subject, self._clock())
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting(), name="finops-context")

    async def _write_waiting(self) -> None:
        # Let the messages arriving meanwhile join this batch.
        await asyncio.sleep(BATCH_WINDOW)
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            rows = [
                {
                    "key": k,
                    "program": s.program,
                    "attribute": s.attribute,
                    "choices": _joined(s.choices),
                    "faq": s.faq,
                    "before_faq": s.before,
                    "updated_at": at,
                }
                for k, (s, at) in batch.items()
            ]

            def write(conn: Connection, rows: list[dict[str, Any]] = rows) -> None:
                upsert = insert(conn, contexts)
                refresh = {
                    "program": upsert.excluded.program,
                    "attribute": upsert.excluded.attribute,
                    "choices": upsert.excluded.choices,
                    "faq": upsert.excluded.faq,
                    "before_faq": upsert.excluded.before_faq,
                    "updated_at": upsert.excluded.updated_at,
                }
                conn.execute(
                    upsert.on_conflict_do_update(index_elements=[contexts.c.key], set_=refresh),
                    rows,
                )

            with contextlib.suppress(StoreUnavailableError):  # counted and logged by the store
                await self.db.run("context", write, write=True)

    async def settle(self) -> None:
        """Wait until every remembered subject is written (at shutdown, and in tests)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.gather(self._writer, return_exceptions=True)


def _joined(choices: tuple[str, ...]) -> str | None:
    """Return a path's program ids as the column holds them (None when there is no list)."""
    kept: list[str] = []
    for choice in choices:  # whole ids only: a cut one would name no program
        if len(",".join((*kept, choice))) > CHOICES_LENGTH:
            break
        kept.append(choice)
    return ",".join(kept) or None


def purge_contexts(conn: Connection, now: datetime, ttl: timedelta = CONTEXT_TTL) -> int:
    """Delete the subjects of conversations silent for longer than *ttl*; return how many."""
    result = conn.execute(delete(contexts).where(contexts.c.updated_at < now - ttl))
    return int(result.rowcount or 0)
