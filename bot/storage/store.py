"""The shared store: what was asked and how it ended, feedback, clicks, admin actions,
cross-instance dedup keys and the knowledge generation. SQLite or PostgreSQL, async.

Two rules shape everything here:

- A failing store never breaks answering. Every operation is bounded by a timeout, counted
  and logged when it fails (exception type and driver message only: never SQL parameters,
  user text or the URL's password), and opens a short circuit breaker so the next requests
  do not wait on a dead database. Dedup "fails open": answering twice beats never answering.
- Recording adds no latency: `record_*` only puts a record on a bounded queue (dropped and
  counted when full); a background task writes batches. User ids are hashed in that task.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Table, and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from bot.core.insights import (
    OUTCOMES,
    AskedQuestion,
    ExportRow,
    FaqCount,
    FaqVotes,
    Outcome,
    Stats,
)
from bot.storage import schema
from bot.storage.engine import Runner, make_runner
from bot.storage.schema import (
    admin_actions,
    clicks,
    dedup,
    feedback,
    knowledge_state,
    meta,
    questions,
    utcnow,
)
from bot.storage.urls import backend_of, describe

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_RETENTION_DAYS = 90
DEFAULT_QUEUE_SIZE = 10_000
# Slack retries an event within minutes; a day of keys covers that with room to spare.
DEDUP_TTL = timedelta(days=1)
MAX_TEXT = 4000
_BATCH = 500
_SALT_KEY = "hash_salt"
_SALT_CHECK_KEY = "hash_salt_check"
_LOG_EVERY = 30.0  # seconds between repeated failure log lines for one operation


_SQLITE_CLAIM = (
    "INSERT INTO finops_dedup (key, seen_at) VALUES {} ON CONFLICT DO NOTHING RETURNING key"
)
# How SQLAlchemy stores a DateTime in SQLite, so purges compare like with like.
_SQLITE_DATETIME = cast(
    Callable[[datetime], str],
    sqlite_dialect.DATETIME().bind_processor(sqlite_dialect.dialect()),  # type: ignore[no-untyped-call]
)


class StoreUnavailableError(Exception):
    """The store could not do what was asked (down, timed out, or failed); already counted."""


def describe_error(exc: BaseException) -> str:
    """Return a log-safe one-liner for *exc*: type and driver message, no SQL or parameters."""
    inner: BaseException = exc
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        inner = exc.orig
    elif isinstance(exc, SQLAlchemyError):
        # Their str() quotes the statement and its parameters (question text): never log it.
        return type(exc).__name__
    first = str(inner).strip().splitlines()[0] if str(inner).strip() else ""
    name = type(inner).__name__
    return (f"{name}: {first}" if first else name)[:160]


@dataclass(frozen=True)
class _Record:
    table: Table
    values: dict[str, Any]
    platform: str
    user_id: str


@dataclass(frozen=True)
class PurgeResult:
    """What a retention purge removed."""

    texts_cleared: int
    dedup_keys_deleted: int


def _clean(text: str, limit: int) -> str:
    # PostgreSQL text cannot hold NUL; nothing we store needs more than *limit* characters.
    return text.replace("\x00", "")[:limit]


class Storage:
    """One database shared by every instance; see the module docstring for the rules."""

    def __init__(
        self,
        url: str,
        *,
        salt: str | None = None,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        claim_timeout: float = 1.0,
        op_timeout: float = 10.0,
        connect_timeout: float = 3.0,
        backoff: float = 2.0,
        maintain_interval: float = 5.0,
        purge_interval: float = 3600.0,
        write_delay: float = 0.2,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Prepare a store on *url* (normalised, with its async driver); start() connects.

        *salt* is FINOPS_HASH_SALT; without it a random salt is generated once and kept in
        the database, so every instance hashes alike. *retention_days* 0 keeps no text.
        """
        self.url = url
        self.backend = backend_of(url)
        self.retention_days = retention_days
        self.claim_timeout = claim_timeout
        self.op_timeout = op_timeout
        self.connect_timeout = connect_timeout
        self.backoff = backoff
        self.maintain_interval = maintain_interval
        self.purge_interval = purge_interval
        self.write_delay = write_delay
        self._clock = clock
        self._configured_salt = salt.encode() if salt else None
        self._salt: bytes | None = self._configured_salt
        self._queue_size = queue_size
        self._queue: asyncio.Queue[_Record] | None = None
        self._runner: Runner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self._nudge = asyncio.Event()  # flush() and close(): write now, do not wait
        self.loop: asyncio.AbstractEventLoop | None = None
        self.ready = False
        self.schema_version = 0
        self.failures = 0
        self.dropped = 0
        self.last_error: str | None = None
        self.down_since: datetime | None = None
        self._down_until = 0.0
        self._logged_at: dict[str, float] = {}
        self._claims: list[tuple[str, asyncio.Future[bool]]] = []
        self._claimer: asyncio.Task[None] | None = None
        self._unlogged: dict[str, int] = {}

    # ----- life cycle

    async def start(self) -> bool:
        """Connect, migrate and start the writer and maintenance tasks; never raises.

        Returns False when the database cannot be reached now; the maintenance task keeps
        trying, and answering goes on without the store meanwhile.
        """
        self.loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue(self._queue_size)
        self._runner = make_runner(
            self.url, connect_timeout=self.connect_timeout, command_timeout=self.op_timeout
        )
        ok = await self._connect()
        self._tasks = [
            asyncio.create_task(self._writer(), name="finops-store-writer"),
            asyncio.create_task(self._maintain(), name="finops-store-maintain"),
        ]
        return ok

    async def close(self, flush_timeout: float = 5.0) -> None:
        """Write what is queued (up to *flush_timeout* s), stop the tasks, close the pool."""
        if self._queue is not None and self.ok:
            self._nudge.set()
            try:
                await asyncio.wait_for(self._queue.join(), flush_timeout)
            except TimeoutError:
                logger.warning("store: %d record(s) not written at shutdown", self._queue.qsize())
        self._stopping.set()
        maintain = [t for t in self._tasks if t.get_name() == "finops-store-maintain"]
        if maintain:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(maintain[0]), self.connect_timeout + 1)
        if self._claimer is not None:
            self._tasks.append(self._claimer)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._queue is not None:
            self.dropped += self._queue.qsize()
        if self._runner is not None:
            await self._runner.dispose()
            self._runner = None
        self.ready = False

    async def flush(self) -> None:
        """Wait until every queued record is written or dropped (bound it with a timeout)."""
        if self._queue is not None:
            self._nudge.set()
            try:
                await self._queue.join()
            finally:
                self._nudge.clear()

    async def _connect(self) -> bool:
        try:
            await asyncio.wait_for(self._setup(), self.connect_timeout + self.op_timeout)
        except Exception as exc:
            self._failed("start", exc)
            return False
        self.ready = True
        self._succeeded()
        logger.info("store: %s ready (schema version %d)", describe(self.url), self.schema_version)
        return True

    async def _setup(self) -> None:
        assert self._runner is not None  # noqa: S101 - start() creates it first
        for attempt in range(5):
            try:
                self.schema_version = await self._runner.run(self._setup_tx, write=True)
                return
            except (OperationalError, IntegrityError):
                # SQLite: another instance migrating the same file at this very moment.
                if self.backend != "sqlite" or attempt == 4:
                    raise
                await asyncio.sleep(0.05 * (attempt + 1))

    def _setup_tx(self, conn: Connection) -> int:
        version = schema.migrate(conn)
        if self._configured_salt is None:
            generated = secrets.token_hex(32)
            conn.execute(self._insert_ignore(meta, {"key": _SALT_KEY, "value": generated}))
            stored = conn.scalar(select(meta.c.value).where(meta.c.key == _SALT_KEY))
            self._salt = str(stored).encode()
        else:
            self._salt = self._configured_salt
        check = hmac.new(self._salt, b"finops-bot salt check", hashlib.sha256).hexdigest()
        conn.execute(self._insert_ignore(meta, {"key": _SALT_CHECK_KEY, "value": check}))
        stored_check = conn.scalar(select(meta.c.value).where(meta.c.key == _SALT_CHECK_KEY))
        if stored_check != check:
            logger.warning(
                "store: the hash salt differs from the one earlier records were hashed with "
                "(FINOPS_HASH_SALT changed?); the same person now gets a different hash"
            )
        return version

    def now(self) -> datetime:
        """Return the store's clock: naive UTC (injectable for tests)."""
        return self._clock()

    # ----- health

    def _available(self) -> bool:
        return self.ready and time.monotonic() >= self._down_until

    @property
    def ok(self) -> bool:
        """Return True when the store is connected and its last operation succeeded."""
        return self.ready and self.down_since is None

    def _failed(self, op: str, exc: BaseException) -> None:
        self.failures += 1
        self.last_error = f"{op}: {describe_error(exc)}"
        self._down_until = time.monotonic() + self.backoff
        if self.down_since is None:
            self.down_since = self._clock()
        now = time.monotonic()
        if now - self._logged_at.get(op, -_LOG_EVERY) >= _LOG_EVERY:
            more = self._unlogged.pop(op, 0)
            logger.warning(
                "store: %s failed (%s)%s; answering continues without the store",
                op,
                describe_error(exc),
                f" [+{more} more since the last report]" if more else "",
            )
            self._logged_at[op] = now
        else:
            self._unlogged[op] = self._unlogged.get(op, 0) + 1

    def _succeeded(self) -> None:
        if self.down_since is not None:
            logger.info("store: available again (down since %s UTC)", f"{self.down_since:%H:%M:%S}")
        self.down_since = None
        self._down_until = 0.0

    def health(self) -> dict[str, Any]:
        """Return the store's health for /healthz: no addresses, no error text."""
        return {
            "backend": self.backend,
            "ok": self.ok,
            "failures": self.failures,
            "dropped": self.dropped,
            "queued": self._queue.qsize() if self._queue is not None else 0,
        }

    def status_lines(self) -> list[str]:
        """Return the store's health for `admin status` (admins may see the last error)."""
        state = "ok" if self.ok else "UNAVAILABLE"
        if self.down_since is not None:
            state += f" since {self.down_since:%Y-%m-%d %H:%M:%S} UTC"
        queued = self._queue.qsize() if self._queue is not None else 0
        lines = [
            f"Store: {describe(self.url)}, {state}.",
            f"Store failures: {self.failures}; records dropped: {self.dropped}; "
            f"write queue: {queued}/{self._queue_size}.",
            f"Question text kept {self.retention_days} day(s); user ids stored as salted hashes.",
        ]
        if self.last_error and not self.ok:
            lines.append(f"Last error: {self.last_error}")
        return lines

    # ----- recording (never blocks, never raises)

    def user_hash(self, platform: str, user_id: str) -> str:
        """Return the salted HMAC-SHA256 of a platform user id (hex); needs a started store."""
        if self._salt is None:
            raise StoreUnavailableError("no salt yet: the store has not connected")
        return hmac.new(self._salt, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()

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
        kept = _clean(text, MAX_TEXT) if self.retention_days > 0 else None
        self._enqueue(
            questions,
            platform,
            user_id,
            asked_at=at or self._clock(),
            via=_clean(via, 20),
            outcome=outcome,
            faq_id=_clean(faq_id, 80) if faq_id else None,
            score=float(score),
            knowledge_version=_clean(knowledge_version, 64),
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
            faq_id=_clean(faq_id, 80),
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
            kind=_clean(kind, 20),
            faq_id=_clean(faq_id, 80),
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
            verb=_clean(verb, 40),
            args=_clean(args, 200),
            allowed=allowed,
        )

    def _enqueue(self, table: Table, platform: str, user_id: str, **values: Any) -> None:
        values["platform"] = _clean(platform, 20)
        if self._salt is not None:
            # Hashed now (a few microseconds per answer) rather than hundreds at a time in
            # the writer, which would hold up the event loop for a millisecond or more.
            values["user_hash"] = self.user_hash(values["platform"], user_id)
            user_id = ""
        record = _Record(table, values, values["platform"], user_id)
        if self._queue is None:
            self.dropped += 1
            return
        try:
            self._queue.put_nowait(record)
        except asyncio.QueueFull:
            self.dropped += 1
            self._failed_quietly("queue full")

    def _failed_quietly(self, what: str) -> None:
        now = time.monotonic()
        if now - self._logged_at.get(what, -_LOG_EVERY) >= _LOG_EVERY:
            logger.warning("store: %s; dropping records (%d dropped so far)", what, self.dropped)
            self._logged_at[what] = now

    async def _writer(self) -> None:
        assert self._queue is not None  # noqa: S101 - start() creates it first
        while True:
            batch = [await self._queue.get()]
            try:
                # Gather what arrives meanwhile: a few writes a second, each of many rows,
                # instead of one per answer competing with the next answers for the CPU.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._nudge.wait(), self.write_delay)
                # While the store is down, records wait in the bounded queue (where a full
                # queue drops and counts them), not in an ever-growing batch here.
                await self._until_available()
                while len(batch) < _BATCH and not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                await self._write_batch(batch)
            except asyncio.CancelledError:
                self.dropped += len(batch)  # shutdown while the store was down
                raise
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _until_available(self) -> None:
        while not self._available():
            # Until the breaker closes (or, before the first connect, a moment).
            wait = self._down_until - time.monotonic() if self.ready else 0.2
            await asyncio.sleep(min(max(wait, 0.02), 1.0))

    async def _write_batch(self, batch: list[_Record]) -> None:
        attempts = 0
        while True:
            await self._until_available()
            try:
                await asyncio.wait_for(self._insert(batch), self.op_timeout)
            except Exception as exc:
                self._failed("write", exc)
                attempts += 1
                if attempts >= 3:
                    self.dropped += len(batch)
                    return
                continue
            self._succeeded()
            return

    async def _insert(self, batch: list[_Record]) -> None:
        assert self._runner is not None  # noqa: S101
        grouped: dict[str, tuple[Table, list[dict[str, Any]]]] = {}
        for r in batch:
            row = r.values
            if "user_hash" not in row:  # queued before the store first connected
                row = {**row, "user_hash": self.user_hash(r.platform, r.user_id)}
            grouped.setdefault(r.table.name, (r.table, []))[1].append(row)

        def insert(conn: Connection) -> None:
            for table, rows in grouped.values():
                if self.backend == "sqlite":
                    _sqlite_insert(conn, table, rows)
                else:
                    conn.execute(table.insert(), rows)

        await self._runner.run(insert, write=True)

    # ----- cross-instance dedup

    async def claim(self, key: str) -> bool:
        """Return True if *key* is new to every instance (and claim it), False if seen.

        Fails open: when the store is down or slow, returns True (the in-memory cache in
        front still catches repeats delivered to this instance). Concurrent claims share
        one INSERT ... ON CONFLICT DO NOTHING RETURNING statement (one commit per batch), so
        a burst costs one round trip instead of one each.
        """
        return await self.settle(self.claim_soon(key))

    def claim_soon(self, key: str) -> asyncio.Future[bool] | None:
        """Start claiming *key* and return the pending answer (None: the store is down).

        The caller can do other work meanwhile (match the question) and `settle` the
        answer just before acting on it.
        """
        if not self._available() or self._runner is None or self.loop is None:
            return None
        if len(key) > 255:
            key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
        waiter: asyncio.Future[bool] = self.loop.create_future()
        self._claims.append((key, waiter))
        if self._claimer is None or self._claimer.done():
            self._claimer = asyncio.create_task(self._claim_batches(), name="finops-store-claims")
        return waiter

    async def settle(self, waiter: asyncio.Future[bool] | None) -> bool:
        """Return the answer of a claim_soon (True, failing open, when it takes too long)."""
        if waiter is None:
            return True
        try:
            async with asyncio.timeout(self.claim_timeout):
                return await waiter  # cancelled on timeout: the batch skips a done waiter
        except TimeoutError:
            self._failed("dedup", TimeoutError("no answer within the claim timeout"))
            return True

    async def _claim_batches(self) -> None:
        assert self._runner is not None  # noqa: S101 - claim() checks it
        while self._claims:
            batch, self._claims = self._claims[:_BATCH], self._claims[_BATCH:]
            # Sorted: every instance inserts in one global order, so two batches on
            # PostgreSQL never deadlock.
            keys = sorted({key for key, _ in batch})
            try:
                async with asyncio.timeout(self.claim_timeout):
                    inserted = await self._runner.run(
                        functools.partial(self._claim_tx, keys, self._clock()), write=True
                    )
            except Exception as exc:
                self._failed("dedup", exc)
                inserted = set(keys)  # fail open
            else:
                self._succeeded()
            for key, waiter in batch:
                if not waiter.done():
                    waiter.set_result(key in inserted)
                # A key twice in one batch (or one delivery racing another here): first wins.
                inserted.discard(key)

    def _claim_tx(self, keys: list[str], now: datetime, conn: Connection) -> set[str]:
        if self.backend == "sqlite":
            # The hot path, run while an answer waits: the same statement SQLAlchemy would
            # build, sent straight to the driver in the store's thread (a fifth of the
            # Python work, so less time holding the GIL the event loop needs).
            stamp = _SQLITE_DATETIME(now)
            sql = _SQLITE_CLAIM.format(", ".join(["(?, ?)"] * len(keys)))
            raw = conn.connection.dbapi_connection
            assert raw is not None  # noqa: S101 - a checked-out connection has one
            return {row[0] for row in raw.execute(sql, [v for k in keys for v in (k, stamp)])}
        rows = [{"key": k, "seen_at": now} for k in keys]
        statement = self._insert_ignore(dedup, rows).returning(dedup.c.key)
        return {row[0] for row in conn.execute(statement)}

    def _insert_ignore(self, table: Table, values: dict[str, Any] | list[dict[str, Any]]) -> Any:
        dialect = sqlite_dialect if self.backend == "sqlite" else pg_dialect
        return dialect.insert(table).values(values).on_conflict_do_nothing()

    # ----- reads and small writes, bounded and counted

    async def _run(self, op: str, fn: Callable[[Connection], T], *, write: bool = False) -> T:
        if not self._available() or self._runner is None:
            raise StoreUnavailableError(self.last_error or "the store is not connected")
        try:
            async with asyncio.timeout(self.op_timeout):
                result = await self._runner.run(fn, write=write)
        except Exception as exc:
            self._failed(op, exc)
            raise StoreUnavailableError(describe_error(exc)) from None
        self._succeeded()
        return result

    def call_from_thread(self, coro: Coroutine[Any, Any, T], timeout: float = 15.0) -> T:
        """Run *coro* on the store's event loop from a worker thread and wait for it.

        Admin verbs are synchronous and run in a worker thread (asyncio.to_thread); this is
        their way in. Called on the loop's own thread it would deadlock, so it refuses.
        """
        loop = self.loop
        if loop is None or not loop.is_running():
            coro.close()
            raise StoreUnavailableError("the store is not running")
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            coro.close()
            raise RuntimeError("call admin verbs off the event loop (asyncio.to_thread)")
        try:
            return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)
        except TimeoutError:
            raise StoreUnavailableError("timed out") from None

    # ----- knowledge generation (multi-instance reload)

    async def generation(self) -> tuple[int, str | None]:
        """Return (generation, version) of the last admin reload on any instance."""

        def read(conn: Connection) -> tuple[int, str | None]:
            row = (
                conn.execute(
                    select(knowledge_state.c.generation, knowledge_state.c.version).where(
                        knowledge_state.c.id == 1
                    )
                )
            ).first()
            return (int(row[0]), row[1]) if row else (0, None)

        return await self._run("poll", read)

    async def publish_reload(self, version: str) -> int:
        """Bump the generation after an admin reload; return the new generation."""

        def bump(conn: Connection) -> int:
            conn.execute(
                update(knowledge_state)
                .where(knowledge_state.c.id == 1)
                .values(
                    generation=knowledge_state.c.generation + 1,
                    version=version[:64],
                    updated_at=self._clock(),
                )
            )
            value = conn.scalar(
                select(knowledge_state.c.generation).where(knowledge_state.c.id == 1)
            )
            return int(value or 0)

        return await self._run("publish reload", bump, write=True)

    # ----- admin views

    def _since(self, days: int) -> datetime:
        return self._clock() - timedelta(days=days)

    async def stats(self, days: int, top: int = 5) -> Stats:
        """Return the counts behind `/finops-admin stats` for the last *days* days."""
        since = self._since(days)

        def read(conn: Connection) -> Stats:
            counts = dict.fromkeys(OUTCOMES, 0)
            rows = conn.execute(
                select(questions.c.outcome, func.count())
                .where(questions.c.asked_at >= since)
                .group_by(questions.c.outcome)
            )
            for outcome, n in rows:
                if outcome in counts:
                    counts[outcome] = int(n)
            n_col = func.count().label("n")
            top_rows = conn.execute(
                select(questions.c.faq_id, n_col)
                .where(
                    questions.c.asked_at >= since,
                    questions.c.outcome == "answered",
                    questions.c.faq_id.is_not(None),
                )
                .group_by(questions.c.faq_id)
                .order_by(n_col.desc(), questions.c.faq_id)
                .limit(top)
            )
            up = func.sum(case((feedback.c.vote == "up", 1), else_=0))
            down = func.sum(case((feedback.c.vote == "down", 1), else_=0))
            votes = [
                FaqVotes(str(f), int(u or 0), int(d or 0))
                for f, u, d in conn.execute(
                    select(feedback.c.faq_id, up, down)
                    .where(feedback.c.at >= since)
                    .group_by(feedback.c.faq_id)
                )
            ]
            most_down = sorted(
                (v for v in votes if v.down), key=lambda v: (-v.down, v.up, v.faq_id)
            )[:top]
            suggestion_clicks = conn.scalar(
                select(func.count()).where(clicks.c.at >= since, clicks.c.kind == "suggestion")
            )
            platforms = conn.execute(
                select(questions.c.platform, n_col)
                .where(questions.c.asked_at >= since)
                .group_by(questions.c.platform)
                .order_by(n_col.desc(), questions.c.platform)
            )
            return Stats(
                days=days,
                answered=counts["answered"],
                suggested=counts["suggested"],
                declined=counts["declined"],
                top_faqs=tuple(FaqCount(str(f), int(n)) for f, n in top_rows),
                most_down=tuple(most_down),
                votes_up=sum(v.up for v in votes),
                votes_down=sum(v.down for v in votes),
                suggestion_clicks=int(suggestion_clicks or 0),
                platforms=tuple((str(p), int(n)) for p, n in platforms),
            )

        return await self._run("stats", read)

    async def unanswered(
        self, days: int, low_score: float, limit: int = 2000
    ) -> list[AskedQuestion]:
        """Return recent declined, suggested or low-score answered questions, newest first."""
        since = self._since(days)

        def read(conn: Connection) -> list[AskedQuestion]:
            rows = conn.execute(
                select(
                    questions.c.text,
                    questions.c.outcome,
                    questions.c.score,
                    questions.c.asked_at,
                    questions.c.faq_id,
                )
                .where(
                    questions.c.asked_at >= since,
                    questions.c.text.is_not(None),
                    or_(
                        questions.c.outcome != "answered",
                        and_(questions.c.outcome == "answered", questions.c.score < low_score),
                    ),
                )
                .order_by(questions.c.asked_at.desc(), questions.c.id.desc())
                .limit(limit)
            )
            return [
                AskedQuestion(str(t), o, float(s), a, f) for t, o, s, a, f in rows if o in OUTCOMES
            ]

        return await self._run("unanswered", read)

    async def export_rows(self, days: int, limit: int = 100_000) -> list[ExportRow]:
        """Return recorded questions of the last *days* days, oldest first (hashed users)."""
        since = self._since(days)

        def read(conn: Connection) -> list[ExportRow]:
            q = questions.c
            rows = conn.execute(
                select(
                    q.asked_at,
                    q.platform,
                    q.via,
                    q.user_hash,
                    q.outcome,
                    q.faq_id,
                    q.score,
                    q.knowledge_version,
                    q.text,
                )
                .where(q.asked_at >= since)
                .order_by(q.asked_at, q.id)
                .limit(limit)
            )
            return [ExportRow(*row) for row in rows]

        return await self._run("export", read)

    # ----- retention

    async def purge(self) -> PurgeResult:
        """Clear question text older than the retention period and expired dedup keys."""
        now = self._clock()
        cutoff = now - timedelta(days=self.retention_days)

        def run(conn: Connection) -> PurgeResult:
            cleared = conn.execute(
                update(questions)
                .where(questions.c.text.is_not(None), questions.c.asked_at < cutoff)
                .values(text=None)
            )
            deleted = conn.execute(dedup.delete().where(dedup.c.seen_at < now - DEDUP_TTL))
            return PurgeResult(int(cleared.rowcount or 0), int(deleted.rowcount or 0))

        result = await self._run("purge", run, write=True)
        if result.texts_cleared or result.dedup_keys_deleted:
            logger.info(
                "store: retention purge cleared %d question text(s), %d dedup key(s)",
                result.texts_cleared,
                result.dedup_keys_deleted,
            )
        return result

    async def _maintain(self) -> None:
        """Reconnect while down; purge at start and every purge_interval."""
        next_purge = 0.0
        while not self._stopping.is_set():
            if not self.ready:
                await self._connect()
            if self.ready and time.monotonic() >= next_purge and self._available():
                try:
                    await self.purge()
                    next_purge = time.monotonic() + self.purge_interval
                except StoreUnavailableError:
                    next_purge = time.monotonic() + 60
            # Woken early by close(): a connect is never cut off mid-way (its driver thread
            # would report back to a loop that is gone).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.maintain_interval)


def _sqlite_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert *rows* with the driver's executemany: the store thread holds SQLite's write
    lock (which the next dedup claim waits for) and the GIL (which the event loop waits for)
    for a fraction of what SQLAlchemy's per-row processing takes."""
    raw = conn.connection.dbapi_connection
    assert raw is not None  # noqa: S101 - a checked-out connection has one
    by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        columns = tuple(row)
        values = tuple(_SQLITE_DATETIME(v) if isinstance(v, datetime) else v for v in row.values())
        by_columns.setdefault(columns, []).append(values)
    for columns, batch in by_columns.items():
        # Table and column names come from bot/storage/schema.py, never from input.
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        raw.executemany(sql, batch)
