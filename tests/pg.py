"""A real PostgreSQL for the tests: the local server, or a throwaway cluster, or a clear skip.

Order of preference:

1. the server at FINOPS_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres,
   the one this machine kind runs with trust auth);
2. a throwaway cluster started from Debian's postgresql package (initdb + pg_ctl on a free
   loopback port, under the postgres user when we are root), stopped after the session;
3. neither: the PostgreSQL tests are skipped with the reason, except under CI (the CI
   variable set), where they fail instead: CI must never silently skip them.

Each test session works in its own database, finops_test_<pid>_<random>, dropped at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
T = TypeVar("T")


class PgUnavailableError(Exception):
    """No PostgreSQL server is running here and none could be started."""


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run *coro* to completion on a private event loop in another thread."""
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def _with_db(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


async def _execute(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url, timeout=5)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@dataclass
class TempCluster:
    """A PostgreSQL cluster in a temporary directory, for this test session only."""

    directory: Path
    bindir: Path
    run_as: list[str]
    port: int = 0

    def start(self) -> str:
        """initdb, start on a free loopback port; return the admin URL."""
        data = self.directory / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        options = f"-h 127.0.0.1 -p {self.port} -k {self.directory} -F"
        log = str(self.directory / "server.log")
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", log, "-w", "start")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        """Stop the cluster and remove its directory."""
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.bindir / tool), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )


def _start_cluster() -> tuple[str, TempCluster]:
    bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bindirs or not Path(bindirs[-1], "initdb").exists():
        raise PgUnavailableError(
            "no PostgreSQL server answers and Debian's postgresql package is not installed "
            "(apt-get install postgresql)"
        )
    directory = Path(tempfile.mkdtemp(prefix="finops-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        # initdb refuses to run as root: run the cluster as the package's postgres user.
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise PgUnavailableError("running as root and no 'postgres' user exists") from None
        os.chown(directory, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    cluster = TempCluster(directory, Path(bindirs[-1]), run_as)
    try:
        return cluster.start(), cluster
    except (subprocess.SubprocessError, OSError) as exc:
        cluster.stop()
        raise PgUnavailableError(f"could not start a throwaway PostgreSQL cluster: {exc}") from None


@dataclass
class PgServer:
    """A reachable PostgreSQL server and the session's own database on it."""

    admin_url: str
    database: str
    cluster: TempCluster | None = None
    extra: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Return the asyncpg URL of the session database (as DATABASE_URL would be)."""
        return _with_db(self.admin_url, self.database)

    def reset(self) -> None:
        """Empty the session database: drop and recreate its public schema."""
        run_sync(_execute(self.url, "DROP SCHEMA IF EXISTS public CASCADE", "CREATE SCHEMA public"))

    def create_database(self, prefix: str = "finops_extra") -> str:
        """Create another database for one test (e.g. to drop it mid-test); return its URL."""
        name = f"{prefix}_{secrets.token_hex(4)}"
        run_sync(_execute(self.admin_url, f'CREATE DATABASE "{name}"'))
        self.extra.append(name)
        return _with_db(self.admin_url, name)

    def drop_database(self, url: str) -> None:
        """Drop the database of *url*, disconnecting whoever is still on it."""
        name = urlsplit(url).path.lstrip("/")
        run_sync(_execute(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        """Drop every database this session created and stop a throwaway cluster."""
        for name in [self.database, *self.extra]:
            with contextlib.suppress(Exception):
                run_sync(_execute(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if self.cluster is not None:
            self.cluster.stop()


def open_pg_server() -> PgServer:
    """Find or start PostgreSQL and create this session's database; raise PgUnavailableError."""
    admin_url = os.environ.get("FINOPS_TEST_PG_URL", DEFAULT_ADMIN_URL)
    cluster: TempCluster | None = None
    try:
        run_sync(_execute(admin_url, "SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        try:
            admin_url, cluster = _start_cluster()
        except PgUnavailableError as why:
            raise PgUnavailableError(f"{admin_url.split('@')[-1]}: {exc!r}; {why}") from None
    database = f"finops_test_{os.getpid()}_{secrets.token_hex(3)}"
    run_sync(_execute(admin_url, f'CREATE DATABASE "{database}"'))
    return PgServer(admin_url, database, cluster)
