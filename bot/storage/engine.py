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
  plain-SQL fast path in store.py). In bench/slack_load.py the p50 mention latency at 16
  concurrent went from +12 ms over the store-less server to +1 to +5 ms.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import QueuePool

from bot.storage.urls import backend_of

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
