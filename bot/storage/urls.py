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
# libpq's sslmode values; asyncpg takes the same words as ssl=.
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


class DatabaseUrlError(ValueError):
    """A database URL we cannot use; the message never repeats the URL (it may hold a password)."""


def normalise_url(url: str) -> str:
    """Return *url* with its driver named: postgres:// -> postgresql+asyncpg://.

    Hosting platforms hand out `postgres://` (Heroku) or `postgresql://`; SQLAlchemy needs the
    driver in the scheme. libpq's `sslmode=` is spelled `ssl=` for asyncpg, and checked here:
    a bad mode would otherwise fail every connection attempt, retried forever. SQLite URLs
    (`sqlite:///relative.db`, `sqlite:////absolute.db`) become the file's absolute URL.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in _SQLITE_ALIASES:
        return sqlite_url(sqlite_file(url))
    if scheme not in _POSTGRES_ALIASES:
        raise DatabaseUrlError(
            f"scheme '{scheme[:20]}' is not supported; use postgres://, postgresql:// or sqlite:///"
        )
    if not parts.path.strip("/"):
        raise DatabaseUrlError("names no database (postgresql://user@host:5432/DBNAME)")
    query = [("ssl" if k == "sslmode" else k, v) for k, v in parse_qsl(parts.query)]
    for key, value in query:
        if key == "ssl" and value not in SSL_MODES:
            raise DatabaseUrlError(f"has sslmode '{value[:20]}'; use one of {', '.join(SSL_MODES)}")
    return urlunsplit((POSTGRES_SCHEME, parts.netloc, parts.path, urlencode(query), ""))


def sqlite_file(url: str) -> Path:
    """Return the file of an SQLite *url*, read as SQLAlchemy does.

    `sqlite:///bot.db` is relative to the working directory, `sqlite:////srv/bot.db` absolute;
    an in-memory database is refused: each connection would see a different, empty one.
    """
    rest = url.strip().split(":", 1)[1]
    if not rest.startswith("//") or rest[2:3] not in ("/", ""):
        raise DatabaseUrlError(
            "is not an SQLite file URL (sqlite:///bot.db, sqlite:////srv/bot.db)"
        )
    # Query options (?mode=..., check_same_thread=...) belong to other drivers: ours sets its own.
    path = rest[3:].split("?", 1)[0]
    if not path or path == ":memory:":
        raise DatabaseUrlError(
            "names no SQLite file (sqlite:///bot.db, or sqlite:////srv/bot.db for an absolute path)"
        )
    return Path(path)


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
