"""Direct database access for tests (dumps, sabotage), on SQLite or PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, select, text

from bot.storage.engine import make_runner
from bot.storage.schema import metadata

T = TypeVar("T")


async def with_db(url: str, fn: Callable[[Connection], T]) -> T:
    """Run *fn* in one transaction on the database at *url*, with a connection of its own."""
    runner = make_runner(url, connect_timeout=5.0, command_timeout=10.0)
    try:
        return await runner.run(fn, write=True)
    finally:
        await runner.dispose()


async def execute(url: str, *statements: str) -> None:
    """Run raw SQL *statements* (e.g. DROP TABLE) in one transaction."""

    def run(conn: Connection) -> None:
        for statement in statements:
            conn.execute(text(statement))

    await with_db(url, run)


async def dump(url: str) -> str:
    """Return every row of every table of ours as text (what a database dump would show)."""

    def read(conn: Connection) -> str:
        out = []
        for table in metadata.sorted_tables:
            out.extend(f"{table.name}: {tuple(row)!r}" for row in conn.execute(select(table)))
        return "\n".join(out)

    return await with_db(url, read)
