"""Store fixtures: stores opened on the parametrised database (SQLite file or PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.storage.store import Storage

OpenStorage = Callable[..., Awaitable[Storage]]


class FakeClock:
    """A settable UTC clock, so retention can be tested without waiting 90 days."""

    def __init__(self, now: datetime | None = None) -> None:
        """Start at *now* (default: a fixed day)."""
        self.now = now or datetime(2026, 6, 1, 12, 0, 0)

    def __call__(self) -> datetime:
        """Return the current fake time."""
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(**delta)


@pytest.fixture(name="open_storage")
async def _open_storage(db_url: str) -> AsyncIterator[OpenStorage]:
    """Return an opener of started stores on the test database; all are closed afterwards."""
    opened: list[Storage] = []

    async def open_storage(**kwargs: Any) -> Storage:
        storage = Storage(kwargs.pop("url", db_url), **kwargs)
        await storage.start()
        opened.append(storage)
        return storage

    yield open_storage
    for storage in opened:
        await storage.close()
