"""Running database work from the event loop: one code path, two ways to drive it.

Every store operation is a plain function of a SQLAlchemy `Connection`, run in one
transaction. How it runs depends on the database:

- PostgreSQL: SQLAlchemy's async engine on asyncpg, which is asyncio-native;
  `AsyncConnection.run_sync` drives the function on the event loop.
- SQLite: a synchronous engine on the standard library's sqlite3, in dedicated threads (one
  for writes, one for reads: SQLite has a single writer, and in WAL mode readers never block
  it). Each operation is one hop to its thread. An async SQLite driver (aiosqlite) hops to
  its thread for every cursor call instead: six hops per dedup claim. Measured here (16
  concurrent tasks, two claims each, as a mention needs): aiosqlite 6.3 ms p50 per pair and
  1.5 ms per lone claim; this runner 2.5 ms and 0.5 ms (1.4 ms and 0.2 ms with the claim's
  plain-SQL fast path in claims.py). In bench/slack_load.py the p50 mention latency at 16
  concurrent went from +12 ms over the store-less server to +1 to +5 ms.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql.dml import Insert

from bot.storage.health import Health, StoreUnavailableError, describe_error
from bot.storage.urls import backend_of

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql as pg_dialect
    from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")


class Runner(Protocol):
    """Runs `fn(connection)` in one transaction and returns its result."""

    async def run(self, fn: Callable[[Connection], T], *, write: bool) -> T:
        """Run *fn* in a transaction (committed when it returns, rolled back if it raises)."""
        ...

    async def dispose(self) -> None:
        """Close every connection."""
        ...


class AsyncRunner:
    """PostgreSQL through SQLAlchemy's async engine on asyncpg."""

    def __init__(self, url: str, *, connect_timeout: float, command_timeout: float) -> None:
        """Prepare a pool on *url* (postgresql+asyncpg://); nothing connects yet."""
        # Imported here: the async engine (and the ORM it pulls in) is 6 MB of memory that
        # an SQLite deployment never uses.
        from sqlalchemy.ext.asyncio import create_async_engine  # noqa: PLC0415

        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=5,
            max_overflow=5,
            pool_timeout=connect_timeout,
            connect_args={
                "timeout": connect_timeout,
                "command_timeout": command_timeout,
                "server_settings": {"application_name": "finops-bot"},
            },
        )

    async def run(self, fn: Callable[[Connection], T], *, write: bool) -> T:
        """Run *fn* in a transaction on a pooled connection."""
        async with self.engine.begin() as conn:
            return await conn.run_sync(fn)

    async def dispose(self) -> None:
        """Close the pool."""
        await self.engine.dispose()


class ThreadRunner:
    """SQLite through the standard library driver, in one writer and one reader thread."""

    def __init__(self, url: str, *, busy_timeout: float = 5.0) -> None:
        """Prepare the file's engine (sqlite:///PATH); nothing connects yet."""
        self.engine: Engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=2,  # one per thread
            max_overflow=0,
            # A connection is only ever used by one thread at a time (the pool hands it
            # out), but not always the one that opened it.
            connect_args={"timeout": busy_timeout, "check_same_thread": False},
        )
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="finops-sqlite-write")
        self._reader = ThreadPoolExecutor(1, thread_name_prefix="finops-sqlite-read")

    async def run(self, fn: Callable[[Connection], T], *, write: bool) -> T:
        """Run *fn* in a transaction, in the writer or the reader thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer if write else self._reader, self._tx, fn)

    def _tx(self, fn: Callable[[Connection], T]) -> T:
        with self.engine.begin() as conn:
            return fn(conn)

    async def dispose(self) -> None:
        """Let queued work finish, then close the connections and the threads."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._writer, self.engine.dispose)
        self._writer.shutdown(wait=False)
        self._reader.shutdown(wait=False)


def make_runner(url: str, *, connect_timeout: float, command_timeout: float) -> Runner:
    """Return the runner for *url* (normalised: sqlite:/// or postgresql+asyncpg://)."""
    if backend_of(url) == "sqlite":
        return ThreadRunner(url)
    return AsyncRunner(url, connect_timeout=connect_timeout, command_timeout=command_timeout)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL: readers never block the writer; NORMAL: no fsync per commit (safe with WAL).
    cursor = dbapi_connection.cursor()
    for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"):
        cursor.execute(pragma)
    cursor.close()


# How SQLAlchemy stores a DateTime in SQLite, for the statements sent straight to the driver.
sqlite_datetime = cast(
    Callable[[datetime], str],
    sqlite_dialect.DATETIME().bind_processor(sqlite_dialect.dialect()),  # type: ignore[no-untyped-call]
)


def insert(conn: Connection, table: Table) -> pg_dialect.Insert | sqlite_dialect.Insert:
    """Return the dialect's INSERT for *table*, the one that knows ON CONFLICT."""
    if conn.dialect.name == "sqlite":
        return sqlite_dialect.insert(table)
    # Imported here: an SQLite deployment never loads the PostgreSQL dialect (2 MB resident).
    from sqlalchemy.dialects import postgresql  # noqa: PLC0415

    return postgresql.insert(table)


def insert_ignore(
    conn: Connection, table: Table, values: dict[str, Any] | list[dict[str, Any]]
) -> Insert:
    """Return INSERT ... ON CONFLICT DO NOTHING of *values* into *table* (either database)."""
    return insert(conn, table).values(values).on_conflict_do_nothing()


class Database:
    """The runner plus the health every operation reports to: bounded, counted, breaker-aware."""

    def __init__(self, url: str, health: Health, *, op_timeout: float) -> None:
        """Run on *url* (normalised); nothing connects until a runner is opened."""
        self.url = url
        self.backend = backend_of(url)
        self.health = health
        self.op_timeout = op_timeout
        self.runner: Runner | None = None

    def open(self, *, connect_timeout: float) -> None:
        """Create the runner (pool and threads); connections are made on first use."""
        self.runner = make_runner(
            self.url, connect_timeout=connect_timeout, command_timeout=self.op_timeout
        )

    async def close(self) -> None:
        """Close the runner's connections."""
        if self.runner is not None:
            await self.runner.dispose()
            self.runner = None

    async def run(self, op: str, fn: Callable[[Connection], T], *, write: bool = False) -> T:
        """Run *fn* in one transaction within op_timeout; count a failure and raise
        StoreUnavailableError (with a log-safe reason) instead of the driver's error."""
        if not self.health.available() or self.runner is None:
            raise StoreUnavailableError(self.health.last_error or "the store is not connected")
        try:
            async with asyncio.timeout(self.op_timeout):
                result = await self.runner.run(fn, write=write)
        except Exception as exc:
            self.health.failed(op, exc)
            raise StoreUnavailableError(describe_error(exc)) from None
        self.health.succeeded()
        return result
