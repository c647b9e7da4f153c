"""The shared store's front door: one `Storage` that starts, stops and reports on its parts.

The parts, each in its own module: the runner and bounded operations (`engine.py`), the
tables and migrations (`schema.py`), failure counting and the breaker (`health.py`),
write-behind recording (`recorder.py`), cross-instance dedup claims (`claims.py`), the admin
views' reads (`reports.py`), shared state: the knowledge generation and channel opt-ins
(`state.py`), practice progress (`quiz.py`), thread memory (`context.py`), the study
companion's plans and reminders (`study.py`), and the retention purge (`retention.py`).
Callers use `Storage` alone.

Two rules shape everything: a failing store never breaks answering (timeouts, counted and
log-safe failures, a circuit breaker, dedup that fails open), and recording adds no latency
(a queue written in the background).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_incrementing

from bot.storage import schema
from bot.storage.claims import Claims
from bot.storage.context import StoreContext
from bot.storage.engine import Database
from bot.storage.health import Health, StoreUnavailableError, describe_error
from bot.storage.learning import Learning
from bot.storage.quiz import QuizProgressStore
from bot.storage.recorder import FLUSH_RECORDS, MAX_TEXT, Recorder, UserHasher
from bot.storage.reports import Reports
from bot.storage.retention import DEFAULT_RETENTION_DAYS, PurgeResult, purge
from bot.storage.schema import utcnow
from bot.storage.state import CHANNEL_POLL_INTERVAL, SharedState
from bot.storage.study import StudyStore
from bot.storage.urls import describe

__all__ = [
    "DEFAULT_QUEUE_SIZE",
    "DEFAULT_RETENTION_DAYS",
    "MAX_TEXT",
    "PurgeResult",
    "Storage",
    "StoreUnavailableError",
    "describe_error",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_QUEUE_SIZE = 10_000


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
        flush_records: int = FLUSH_RECORDS,
        state_poll_interval: float = CHANNEL_POLL_INTERVAL,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Prepare a store on *url* (normalised, with its async driver); start() connects.

        *salt* is FINOPS_HASH_SALT; without it a random salt is generated once and kept in
        the database, so every instance hashes alike. *retention_days* 0 keeps no text.
        """
        self.url = url
        self.retention_days = retention_days
        self.connect_timeout = connect_timeout
        self.maintain_interval = maintain_interval
        self.purge_interval = purge_interval
        self._clock = clock
        self.health_state = Health(backoff=backoff, clock=clock)
        self.db = Database(url, self.health_state, op_timeout=op_timeout)
        self.backend = self.db.backend
        self.user_hash = UserHasher(salt)
        self.recorder = Recorder(
            self.db,
            self.user_hash,
            clock=clock,
            retention_days=retention_days,
            queue_size=queue_size,
            write_delay=write_delay,
            flush_records=flush_records,
        )
        self.claims = Claims(self.db, timeout=claim_timeout, clock=clock)
        self.reports = Reports(self.db, clock)
        self.state = SharedState(self.db, clock, poll_interval=state_poll_interval)
        self.learning = Learning(self.db, clock, self.user_hash)
        self.quiz = QuizProgressStore(self.db, self.user_hash, clock)
        self.context = StoreContext(self.db, clock)
        self.study = StudyStore(self.db, self.user_hash, clock)
        # The operations callers use, straight from the part that does them.
        self.record_question = self.recorder.record_question
        self.record_feedback = self.recorder.record_feedback
        self.record_click = self.recorder.record_click
        self.record_admin = self.recorder.record_admin
        self.flush = self.recorder.flush
        self.claim = self.claims.claim
        self.claim_soon = self.claims.claim_soon
        self.settle = self.claims.settle
        self.stats = self.reports.stats
        self.unanswered = self.reports.unanswered
        self.export_rows = self.reports.export_rows
        self.generation = self.state.generation
        self.publish_reload = self.state.publish_reload
        self.loop: asyncio.AbstractEventLoop | None = None
        self.schema_version = 0
        self._stopping = asyncio.Event()
        self._maintainer: asyncio.Task[None] | None = None

    # ----- life cycle

    async def start(self) -> bool:
        """Connect, migrate and start the writer and maintenance tasks; never raises.

        Returns False when the database cannot be reached now; the maintenance task keeps
        trying, and answering goes on without the store meanwhile.
        """
        self.loop = asyncio.get_running_loop()
        self.db.open(connect_timeout=self.connect_timeout)
        self.recorder.start()
        ok = await self._connect()
        self.state.start()
        self._maintainer = asyncio.create_task(self._maintain(), name="finops-store-maintain")
        return ok

    async def close(self, flush_timeout: float = 5.0) -> None:
        """Write what is queued (up to *flush_timeout* s), stop the tasks, close the pool."""
        if self.ok:
            try:
                await asyncio.wait_for(self.recorder.flush(), flush_timeout)
            except TimeoutError:
                logger.warning("store: %d record(s) not written at shutdown", self.recorder.queued)
            await self.context.settle()
        self._stopping.set()
        if self._maintainer is not None:
            # A connect is never cut off mid-way (its driver thread would report back to a
            # loop that is gone): let it finish first.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._maintainer), self.connect_timeout + 1)
            self._maintainer.cancel()
            await asyncio.gather(self._maintainer, return_exceptions=True)
            self._maintainer = None
        await self.state.close()
        await self.claims.close()
        await self.recorder.close()
        await self.db.close()
        self.health_state.ready = False

    async def _connect(self) -> bool:
        try:
            await asyncio.wait_for(self._setup(), self.connect_timeout + self.db.op_timeout)
        except Exception as exc:
            self.health_state.failed("start", exc)
            return False
        self.health_state.ready = True
        self.health_state.succeeded()
        logger.info("store: %s ready (schema version %d)", describe(self.url), self.schema_version)
        return True

    async def _setup(self) -> None:
        assert self.db.runner is not None  # noqa: S101 - start() opens it first

        def lost_a_race(exc: BaseException) -> bool:
            # SQLite: another instance migrating the same file at this very moment.
            return self.backend == "sqlite" and isinstance(exc, OperationalError | IntegrityError)

        retrying = AsyncRetrying(
            retry=retry_if_exception(lost_a_race),
            stop=stop_after_attempt(5),
            wait=wait_incrementing(start=0.05, increment=0.05),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                self.schema_version = await self.db.runner.run(self._setup_tx, write=True)

    def _setup_tx(self, conn: Connection) -> int:
        version = schema.migrate(conn)
        self.user_hash.setup(conn)
        self.state.setup(conn)
        return version

    async def _maintain(self) -> None:
        """Reconnect while down; purge at start and every purge_interval."""
        next_purge = 0.0
        while not self._stopping.is_set():
            if not self.ready:
                await self._connect()
            if self.ready and time.monotonic() >= next_purge and self.health_state.available():
                try:
                    await self.purge()
                    next_purge = time.monotonic() + self.purge_interval
                except StoreUnavailableError:
                    next_purge = time.monotonic() + 60
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.maintain_interval)

    def now(self) -> datetime:
        """Return the store's clock: naive UTC (injectable for tests)."""
        return self._clock()

    # ----- health

    @property
    def ready(self) -> bool:
        """Return True once the store has connected and migrated."""
        return self.health_state.ready

    @property
    def ok(self) -> bool:
        """Return True when the store is connected and its last operation succeeded."""
        return self.health_state.ok

    @property
    def failures(self) -> int:
        """Return how many store operations failed."""
        return self.health_state.failures

    @property
    def dropped(self) -> int:
        """Return how many records were never written (queue full, refused, shut down)."""
        return self.health_state.dropped

    @property
    def last_error(self) -> str | None:
        """Return the last failure, log-safe (operation, error type, driver message)."""
        return self.health_state.last_error

    def health(self) -> dict[str, Any]:
        """Return the store's health for /healthz: no addresses, no error text."""
        return {
            "backend": self.backend,
            "ok": self.ok,
            "failures": self.failures,
            "dropped": self.dropped,
            "queued": self.recorder.queued,
        }

    def status_lines(self) -> list[str]:
        """Return the store's health for `admin status` (admins may see the last error)."""
        state = "ok" if self.ok else "UNAVAILABLE"
        down_since = self.health_state.down_since
        if down_since is not None:
            state += f" since {down_since:%Y-%m-%d %H:%M:%S} UTC"
        lines = [
            f"Store: {describe(self.url)}, {state}.",
            f"Store failures: {self.failures}; records dropped: {self.dropped}; "
            f"write queue: {self.recorder.queued}/{self.recorder.queue_size}.",
            f"Question text kept {self.retention_days} day(s); user ids stored as salted hashes.",
        ]
        if self.last_error and not self.ok:
            lines.append(f"Last error: {self.last_error}")
        return lines

    # ----- retention

    async def purge(self) -> PurgeResult:
        """Clear old question text, expired dedup keys and silent conversations' memory."""
        now = self._clock()

        def run(conn: Connection) -> PurgeResult:
            return purge(conn, now, self.retention_days)

        result = await self.db.run("purge", run, write=True)
        if result.texts_cleared or result.dedup_keys_deleted or result.contexts_deleted:
            logger.info(
                "store: retention purge cleared %d question text(s), %d dedup key(s), "
                "%d silent conversation(s)",
                result.texts_cleared,
                result.dedup_keys_deleted,
                result.contexts_deleted,
            )
        return result

    # ----- from worker threads

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
