"""Write-behind recording of questions, feedback, clicks and the admin audit trail.

`record_*` only puts a record on a bounded queue (dropped and counted when full), so
recording adds no latency to an answer. A background task writes batches: at the latest
`write_delay` after the first record of a batch, or as soon as `flush_records` wait, so a
crash (`kill -9`) loses at most the records of that last moment (bench/store_loss.py). A
record the database refuses costs only itself: the batch is retried row by row.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from tenacity import AsyncRetrying, stop_after_attempt

from bot.core.insights import Outcome
from bot.storage.engine import Database, insert_ignore, sqlite_datetime
from bot.storage.health import StoreUnavailableError
from bot.storage.schema import admin_actions, clicks, feedback, meta, questions

logger = logging.getLogger(__name__)

MAX_TEXT = 4000
BATCH = 500  # rows per transaction at most
FLUSH_RECORDS = 100  # this many waiting records are written without waiting for write_delay
WRITE_ATTEMPTS = 3
_SALT_KEY = "hash_salt"
_SALT_CHECK_KEY = "hash_salt_check"


def clean_text(text: str, limit: int) -> str:
    """Return *text* as every database stores it: no NUL, no lone surrogate, at most *limit*.

    PostgreSQL text cannot hold NUL. A lone surrogate ("\\ud83d", valid in JSON, so Slack
    and Teams can send it) cannot be encoded as UTF-8: SQLite's and asyncpg's drivers refuse
    it. Surrogate pairs become the character they stand for; a lone one becomes U+FFFD.
    """
    text = text.replace("\x00", "")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text[:limit]


class UserHasher:
    """Salted HMAC-SHA256 of platform user ids: FINOPS_HASH_SALT, or one kept in the store."""

    def __init__(self, configured: str | None) -> None:
        """Use *configured* (FINOPS_HASH_SALT) when set; else learn the salt at connect."""
        self.configured = configured.encode() if configured else None
        self.salt: bytes | None = self.configured

    def __call__(self, platform: str, user_id: str) -> str:
        """Return the hex hash of *user_id* on *platform*; needs a salt (a connected store)."""
        if self.salt is None:
            raise StoreUnavailableError("no salt yet: the store has not connected")
        return hmac.new(self.salt, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()

    def setup(self, conn: Connection) -> None:
        """Read (or generate once, for every instance) the salt; warn when it changed."""
        if self.configured is None:
            generated = secrets.token_hex(32)
            conn.execute(insert_ignore(conn, meta, {"key": _SALT_KEY, "value": generated}))
            stored = conn.scalar(select(meta.c.value).where(meta.c.key == _SALT_KEY))
            self.salt = str(stored).encode()
        else:
            self.salt = self.configured
        check = hmac.new(self.salt, b"finops-bot salt check", hashlib.sha256).hexdigest()
        conn.execute(insert_ignore(conn, meta, {"key": _SALT_CHECK_KEY, "value": check}))
        stored_check = conn.scalar(select(meta.c.value).where(meta.c.key == _SALT_CHECK_KEY))
        if stored_check != check:
            logger.warning(
                "store: the hash salt differs from the one earlier records were hashed with "
                "(FINOPS_HASH_SALT changed?); the same person now gets a different hash"
            )


@dataclass(frozen=True)
class _Record:
    table: Table
    values: dict[str, Any]
    platform: str
    user_id: str  # "" once hashed into values["user_hash"]


class Recorder:
    """The bounded queue and the task that writes it in batches."""

    def __init__(
        self,
        db: Database,
        hasher: UserHasher,
        *,
        clock: Callable[[], datetime],
        retention_days: int,
        queue_size: int,
        write_delay: float,
        flush_records: int = FLUSH_RECORDS,
    ) -> None:
        """Record into *db*; *retention_days* 0 stores no question text at all."""
        self.db = db
        self.health = db.health
        self.hash = hasher
        self._clock = clock
        self.retention_days = retention_days
        self.queue_size = queue_size
        self.write_delay = write_delay
        self.flush_records = flush_records
        self._queue: asyncio.Queue[_Record] | None = None
        self._writing: list[_Record] = []  # the batch in the writer's hands
        self._wake = asyncio.Event()  # enough records wait, or someone flushes
        self._flushing = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def in_flight(self) -> int:
        """Return the records in the batch the writer holds (gathering, or writing them)."""
        return len(self._writing)

    @property
    def queued(self) -> int:
        """Return the records not written yet: in the queue or in the batch being written."""
        waiting = self._queue.qsize() if self._queue is not None else 0
        return waiting + len(self._writing)

    def start(self) -> None:
        """Create the queue and start the writer."""
        self._queue = asyncio.Queue(self.queue_size)
        self._task = asyncio.create_task(self._writer(), name="finops-store-writer")

    async def flush(self) -> None:
        """Wait until every queued record is written or dropped (bound it with a timeout)."""
        if self._queue is None:
            return
        self._flushing += 1
        self._wake.set()
        try:
            await self._queue.join()
        finally:
            self._flushing -= 1

    async def close(self) -> None:
        """Stop the writer; what was still waiting is counted as dropped."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._queue is not None:
            self.health.drop(self._queue.qsize())
            self._queue = None

    # ----- recording (never blocks, never raises)

    def record_question(
        self,
        *,
        platform: str,
        user_id: str,
        text: str,
        outcome: Outcome,
        faq_id: str | None,
        score: float,
        knowledge_version: str,
        via: str,
        at: datetime | None = None,
    ) -> None:
        """Queue one answered, suggested or declined question."""
        kept = clean_text(text, MAX_TEXT) if self.retention_days > 0 else None
        self._enqueue(
            questions,
            platform,
            user_id,
            asked_at=at or self._clock(),
            via=clean_text(via, 20),
            outcome=outcome,
            faq_id=clean_text(faq_id, 80) if faq_id else None,
            score=float(score),
            knowledge_version=clean_text(knowledge_version, 64),
            text=kept,
        )

    def record_feedback(
        self, *, platform: str, user_id: str, faq_id: str, vote: str, at: datetime | None = None
    ) -> None:
        """Queue a 👍 ("up") or 👎 ("down") on an FAQ answer."""
        self._enqueue(
            feedback,
            platform,
            user_id,
            at=at or self._clock(),
            faq_id=clean_text(faq_id, 80),
            vote="up" if vote == "up" else "down",
        )

    def record_click(
        self, *, platform: str, user_id: str, kind: str, faq_id: str, at: datetime | None = None
    ) -> None:
        """Queue a click on a "did you mean" choice, a related question or a Home topic."""
        self._enqueue(
            clicks,
            platform,
            user_id,
            at=at or self._clock(),
            kind=clean_text(kind, 20),
            faq_id=clean_text(faq_id, 80),
        )

    def record_admin(
        self,
        *,
        platform: str,
        user_id: str,
        verb: str,
        args: str,
        allowed: bool,
        at: datetime | None = None,
    ) -> None:
        """Queue an admin command for the audit trail (refused attempts too)."""
        self._enqueue(
            admin_actions,
            platform,
            user_id,
            at=at or self._clock(),
            verb=clean_text(verb, 40),
            args=clean_text(args, 200),
            allowed=allowed,
        )

    def _enqueue(self, table: Table, platform: str, user_id: str, **values: Any) -> None:
        values["platform"] = clean_text(platform, 20)
        if self.hash.salt is not None:
            # Hashed now (a few microseconds per answer) rather than hundreds at a time in
            # the writer, which would hold up the event loop for a millisecond or more.
            values["user_hash"] = self.hash(values["platform"], user_id)
            user_id = ""
        if self._queue is None:
            self.health.drop(1)
            return
        try:
            self._queue.put_nowait(_Record(table, values, values["platform"], user_id))
        except asyncio.QueueFull:
            self.health.drop(1, "queue full")
            return
        if self._queue.qsize() >= self.flush_records:
            self._wake.set()

    # ----- the writer

    async def _writer(self) -> None:
        assert self._queue is not None  # noqa: S101 - start() creates it first
        while True:
            batch = self._writing = [await self._queue.get()]
            try:
                # Gather what arrives meanwhile: a few writes a second, each of many rows,
                # instead of one per answer competing with the next answers for the CPU;
                # but never more than write_delay or flush_records of them, so a crash
                # loses little.
                if not self._flushing:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.write_delay)
                self._wake.clear()
                # While the store is down, records wait in the bounded queue (where a full
                # queue drops and counts them), not in an ever-growing batch here.
                await self._until_available()
                while len(batch) < BATCH and not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                await self._write_batch(batch)
            except asyncio.CancelledError:
                self.health.drop(len(batch))  # shutdown while the store was down
                raise
            finally:
                self._writing = []
                for _ in batch:
                    self._queue.task_done()

    async def _until_available(self) -> None:
        while not self.health.available():
            # Until the breaker closes (or, before the first connect, a moment).
            wait = self.health.down_until - time.monotonic() if self.health.ready else 0.2
            await asyncio.sleep(min(max(wait, 0.02), 1.0))

    async def _write_batch(self, batch: list[_Record]) -> None:
        rows = [(r.table, self._row(r)) for r in batch]
        isolate = False
        refused = 0
        try:
            retrying = AsyncRetrying(stop=stop_after_attempt(WRITE_ATTEMPTS), reraise=True)
            async for attempt in retrying:
                with attempt:
                    await self._until_available()
                    try:
                        refused = await asyncio.wait_for(
                            self._insert(rows, isolate=isolate), self.db.op_timeout
                        )
                    except Exception as exc:
                        self.health.failed("write", exc)
                        # Next time row by row: one record the database refuses (text it
                        # cannot encode, say) then costs only itself, not its whole batch.
                        isolate = len(rows) > 1
                        raise
        except Exception:
            self.health.drop(len(rows))
            return
        self.health.succeeded()
        if refused:
            self.health.drop(refused, "the database refused a record")

    def _row(self, record: _Record) -> dict[str, Any]:
        if "user_hash" in record.values:
            return record.values
        # Queued before the store first connected (no salt then).
        return {**record.values, "user_hash": self.hash(record.platform, record.user_id)}

    async def _insert(self, rows: list[tuple[Table, dict[str, Any]]], *, isolate: bool) -> int:
        """Write *rows* in one transaction; return how many were refused (isolate only)."""
        assert self.db.runner is not None  # noqa: S101 - available() implies a runner
        grouped: dict[str, tuple[Table, list[dict[str, Any]]]] = {}
        for table, row in rows:
            grouped.setdefault(table.name, (table, []))[1].append(row)

        def write(conn: Connection) -> int:
            refused = 0
            for table, table_rows in grouped.values():
                if conn.dialect.name == "sqlite":
                    refused += _sqlite_insert(conn, table, table_rows, isolate=isolate)
                elif isolate:
                    refused += _insert_each(conn, table, table_rows)
                else:
                    conn.execute(table.insert(), table_rows)
            return refused

        return await self.db.runner.run(write, write=True)


def _refusal(exc: BaseException) -> bool:
    """Return True when *exc* is about one row's values, not about the connection."""
    if isinstance(exc, OperationalError | InterfaceError | sqlite3.OperationalError):
        return False
    return not (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def _insert_each(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
    # PostgreSQL aborts the transaction on an error: each row gets a savepoint of its own.
    refused = 0
    for row in rows:
        try:
            with conn.begin_nested():
                conn.execute(table.insert(), row)
        except Exception as exc:
            if not _refusal(exc):
                raise
            refused += 1
    return refused


def _sqlite_insert(
    conn: Connection, table: Table, rows: list[dict[str, Any]], *, isolate: bool
) -> int:
    """Insert *rows* with the driver's executemany (or one by one when *isolate*); return
    how many were refused. The store thread holds SQLite's write lock (which the next
    dedup claim waits for) and the GIL (which the event loop waits for) for a fraction of
    what SQLAlchemy's per-row processing takes."""
    raw = conn.connection.dbapi_connection
    assert raw is not None  # noqa: S101 - a checked-out connection has one
    by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        columns = tuple(row)
        values = tuple(sqlite_datetime(v) if isinstance(v, datetime) else v for v in row.values())
        by_columns.setdefault(columns, []).append(values)
    refused = 0
    for columns, batch in by_columns.items():
        # Table and column names come from bot/storage/schema.py, never from input.
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        if not isolate:
            raw.executemany(sql, batch)
            continue
        for values in batch:
            # A failed statement is undone on its own in SQLite; the transaction goes on.
            try:
                raw.execute(sql, values)
            except Exception as exc:
                if not _refusal(exc):
                    raise
                refused += 1
    return refused
