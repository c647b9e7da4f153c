"""Database URLs: PostgreSQL from DATABASE_URL (any common spelling) or an SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

Backend = Literal["sqlite", "postgresql"]

# SQLite runs on the standard library driver in its own threads (see engine.py).
SQLITE_SCHEME = "sqlite"
POSTGRES_SCHEME = "postgresql+asyncpg"
_POSTGRES_ALIASES = frozenset({"postgres", "postgresql", "postgresql+asyncpg"})
_SQLITE_ALIASES = frozenset({"sqlite", "sqlite+pysqlite", "sqlite+aiosqlite"})


class DatabaseUrlError(ValueError):
    """A database URL we cannot use; the message never repeats the URL (it may hold a password)."""


def normalise_url(url: str) -> str:
    """Return *url* with its driver named: postgres:// -> postgresql+asyncpg://.

    Hosting platforms hand out `postgres://` (Heroku) or `postgresql://`; SQLAlchemy needs the
    driver in the scheme. libpq's `sslmode=` is spelled `ssl=` for asyncpg.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in _SQLITE_ALIASES:
        return urlunsplit((SQLITE_SCHEME, *parts[1:]))
    if scheme not in _POSTGRES_ALIASES:
        raise DatabaseUrlError(
            f"scheme '{scheme[:20]}' is not supported; use postgres:// or postgresql://"
        )
    if not parts.path.strip("/"):
        raise DatabaseUrlError("names no database (postgresql://user@host:5432/DBNAME)")
    query = [("ssl" if k == "sslmode" else k, v) for k, v in parse_qsl(parts.query)]
    return urlunsplit((POSTGRES_SCHEME, parts.netloc, parts.path, urlencode(query), ""))


def sqlite_url(path: Path) -> str:
    """Return the SQLAlchemy URL of the SQLite file at *path* (made absolute)."""
    return f"{SQLITE_SCHEME}:///{path.absolute()}"


def backend_of(url: str) -> Backend:
    """Return which database *url* (already normalised) points at."""
    return "sqlite" if url.startswith(SQLITE_SCHEME) else "postgresql"


def describe(url: str) -> str:
    """Return *url* for logs and status: backend and place, never user or password."""
    parts = urlsplit(url)
    if backend_of(url) == "sqlite":
        return f"sqlite {url.split(':///', 1)[-1] or ':memory:'}"
    host = parts.hostname or "local socket"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql {host}{port}{parts.path}"
