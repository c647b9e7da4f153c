"""Shared fixtures: the bundled knowledge, a tiny fixture knowledge and bots on both."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.bot import Bot
from bot.core.store import KnowledgeStore
from bot.storage.urls import normalise_url, sqlite_url
from tests.pg import PgServer, PgUnavailableError, open_pg_server

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "knowledge"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session", name="bundled_store")
def _bundled_store() -> KnowledgeStore:
    """Load the bundled knowledge once per test session."""
    return KnowledgeStore.open(BUNDLED)


@pytest.fixture(name="bot")
def _bot(bundled_store: KnowledgeStore) -> Bot:
    """Return the core bot on the bundled knowledge."""
    return Bot(bundled_store)


@pytest.fixture(name="kb_dir")
def _kb_dir(tmp_path: Path) -> Path:
    """Return a writable copy of the small, valid fixture knowledge."""
    target = tmp_path / "kb"
    shutil.copytree(DATA / "good", target)
    return target


@pytest.fixture(scope="session", name="pg_server")
def _pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL (see tests/pg.py) with this session's own database, dropped after.

    Skipped with the reason when none is available, except under CI, where that fails.
    """
    try:
        server = open_pg_server()
    except PgUnavailableError as exc:
        reason = f"PostgreSQL unavailable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must run the PostgreSQL tests, not skip them)")
        pytest.skip(reason)
    yield server
    server.close()


@pytest.fixture(name="db_url", params=["sqlite", "postgresql"])
def _db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return an empty store database: an SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "finops.db")
    server: PgServer = request.getfixturevalue("pg_server")
    server.reset()
    return normalise_url(server.url)
