"""Cross-instance dedup: the first instance to claim a Slack message answers it.

Concurrent claims on one instance share one `INSERT ... ON CONFLICT DO NOTHING RETURNING
key` statement (one commit per burst), keys sorted so that two instances' batches never
deadlock on PostgreSQL. Claims fail open: when the store is down or slow the claim says
"new" and the bot answers (the in-memory cache in front still stops repeats delivered to
the same instance): answering twice beats never answering.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection

from bot.storage.engine import Database, insert_ignore, sqlite_datetime
from bot.storage.schema import dedup

# Slack retries an event within minutes; a day of keys covers that with room to spare.
DEDUP_TTL = timedelta(days=1)
BATCH = 500
MAX_KEY = 255

_SQLITE_CLAIM = (
    "INSERT INTO finops_dedup (key, seen_at) VALUES {} ON CONFLICT DO NOTHING RETURNING key"
)


class Claims:
    """Batches claims of keys in the shared `finops_dedup` table."""

    def __init__(self, db: Database, *, timeout: float, clock: Callable[[], datetime]) -> None:
        """Claim in *db*, giving up (and failing open) after *timeout* seconds."""
        self.db = db
        self.timeout = timeout
        self._clock = clock
        self._pending: list[tuple[str, asyncio.Future[bool]]] = []
        self._task: asyncio.Task[None] | None = None

    async def claim(self, key: str) -> bool:
        """Return True if *key* is new to every instance (and claim it), False if seen."""
        return await self.settle(self.claim_soon(key))

    def claim_soon(self, key: str) -> asyncio.Future[bool] | None:
        """Start claiming *key* and return the pending answer (None: the store is down).

        The caller can do other work meanwhile (match the question) and `settle` the
        answer just before acting on it.
        """
        if not self.db.health.available() or self.db.runner is None:
            return None
        if len(key) > MAX_KEY:
            key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((key, waiter))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._batches(), name="finops-store-claims")
        return waiter

    async def settle(self, waiter: asyncio.Future[bool] | None) -> bool:
        """Return the answer of a claim_soon (True, failing open, when it takes too long)."""
        if waiter is None:
            return True
        try:
            async with asyncio.timeout(self.timeout):
                return await waiter  # cancelled on timeout: the batch skips a done waiter
        except TimeoutError:
            self.db.health.failed("dedup", TimeoutError("no answer within the claim timeout"))
            return True

    async def close(self) -> None:
        """Stop the batching task (pending claims are answered "new" by settle's timeout)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _batches(self) -> None:
        while self._pending and self.db.runner is not None:
            batch, self._pending = self._pending[:BATCH], self._pending[BATCH:]
            # Sorted: every instance inserts in one global order, so two batches on
            # PostgreSQL never deadlock.
            keys = sorted({key for key, _ in batch})
            try:
                async with asyncio.timeout(self.timeout):
                    inserted = await self.db.runner.run(
                        functools.partial(_claim_tx, keys, self._clock()), write=True
                    )
            except Exception as exc:
                self.db.health.failed("dedup", exc)
                inserted = set(keys)  # fail open
            else:
                self.db.health.succeeded()
            for key, waiter in batch:
                if not waiter.done():
                    waiter.set_result(key in inserted)
                # A key twice in one batch (or one delivery racing another here): first wins.
                inserted.discard(key)


def _claim_tx(keys: list[str], now: datetime, conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        # The hot path, run while an answer waits: the same statement SQLAlchemy would
        # build, sent straight to the driver in the store's thread (a fifth of the Python
        # work, so less time holding the GIL the event loop needs).
        stamp = sqlite_datetime(now)
        sql = _SQLITE_CLAIM.format(", ".join(["(?, ?)"] * len(keys)))
        raw = conn.connection.dbapi_connection
        assert raw is not None  # noqa: S101 - a checked-out connection has one
        return {row[0] for row in raw.execute(sql, [v for k in keys for v in (k, stamp)])}
    rows = [{"key": k, "seen_at": now} for k in keys]
    statement = insert_ignore(conn, dedup, rows).returning(dedup.c.key)
    return {row[0] for row in conn.execute(statement)}


def purge_claims(conn: Connection, now: datetime) -> int:
    """Delete claims older than DEDUP_TTL; return how many."""
    return int(conn.execute(dedup.delete().where(dedup.c.seen_at < now - DEDUP_TTL)).rowcount or 0)
