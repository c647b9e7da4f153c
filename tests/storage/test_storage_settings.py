"""Store settings: DATABASE_URL spellings, the SQLite default, salt and retention checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from bot.storage.urls import describe, normalise_url, sqlite_url

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "s3cr3t-value"}


def test_defaults_to_an_sqlite_file_kept_90_days() -> None:
    """No store keys: ./finops.db, 90 days of question text, a salt generated in the DB."""
    settings = load_settings(GOOD)
    assert settings.database_url is None
    assert settings.db_path == Path("finops.db")
    assert settings.store_url == f"sqlite:///{Path('finops.db').absolute()}"
    assert settings.hash_salt is None
    assert settings.retention_days == 90


@pytest.mark.parametrize(
    "given",
    [
        "postgres://bot:pw@db.internal:5432/finops",
        "postgresql://bot:pw@db.internal:5432/finops",
        "postgresql+asyncpg://bot:pw@db.internal:5432/finops",
    ],
)
def test_every_postgres_spelling_becomes_asyncpg(given: str) -> None:
    """Heroku's postgres://, libpq's postgresql:// and the explicit driver all work."""
    settings = load_settings({**GOOD, "DATABASE_URL": given})
    assert settings.store_url == "postgresql+asyncpg://bot:pw@db.internal:5432/finops"
    assert "pw" not in repr(settings)
    assert describe(settings.store_url) == "postgresql db.internal:5432/finops"


def test_sslmode_is_translated_for_asyncpg() -> None:
    """libpq's sslmode=require is asyncpg's ssl=require."""
    url = normalise_url("postgres://u@h/db?sslmode=require")
    assert url == "postgresql+asyncpg://u@h/db?ssl=require"


@pytest.mark.parametrize("spelling", ["sqlite", "sqlite+aiosqlite"])
def test_sqlite_database_urls_are_read_as_sqlalchemy_does(
    spelling: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sqlite:///bot.db is relative to the working directory, sqlite:////abs/bot.db absolute."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    relative = load_settings({**GOOD, "DATABASE_URL": f"{spelling}:///data/bot.db"})
    assert relative.store_url == sqlite_url(tmp_path / "data" / "bot.db")
    absolute = load_settings({**GOOD, "DATABASE_URL": f"{spelling}:///{tmp_path}/other.db"})
    assert absolute.store_url == sqlite_url(tmp_path / "other.db")
    assert describe(absolute.store_url) == f"sqlite {tmp_path}/other.db"


def test_a_bad_sslmode_stops_serve_at_start(tmp_path: Path) -> None:
    """A bad sslmode would fail every connection, retried forever: `serve` exits 2 at once."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        **GOOD,
        "DATABASE_URL": "postgres://bot:hunter2@127.0.0.1:9/finops?sslmode=on",
        "FINOPS_STATE_FILE": str(tmp_path / "s.json"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "finops-bot serve: DATABASE_URL has sslmode 'on'; use one of disable, allow, prefer, "
        "require, verify-ca, verify-full\n"
    )


def test_store_keys_are_read(tmp_path: Path) -> None:
    """FINOPS_DB_PATH, FINOPS_HASH_SALT and FINOPS_RETENTION_DAYS land in their fields."""
    settings = load_settings(
        {
            **GOOD,
            "FINOPS_DB_PATH": str(tmp_path / "bot.db"),
            "FINOPS_HASH_SALT": "x" * 32,
            "FINOPS_RETENTION_DAYS": "0",
        }
    )
    assert settings.store_url == sqlite_url(tmp_path / "bot.db")
    assert settings.hash_salt == "x" * 32
    assert "x" * 32 not in repr(settings)
    assert settings.retention_days == 0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DATABASE_URL": "mysql://bot:hunter2@h/db"},
            "DATABASE_URL scheme 'mysql' is not supported; "
            "use postgres://, postgresql:// or sqlite:///",
        ),
        (
            {"DATABASE_URL": "postgres://bot:hunter2@h"},
            "DATABASE_URL names no database (postgresql://user@host:5432/DBNAME)",
        ),
        (
            {"DATABASE_URL": "postgres://bot:hunter2@h/db?sslmode=requir"},
            "DATABASE_URL has sslmode 'requir'; use one of disable, allow, prefer, require, "
            "verify-ca, verify-full",
        ),
        (
            {"DATABASE_URL": "sqlite:///:memory:"},
            "DATABASE_URL names no SQLite file "
            "(sqlite:///bot.db, or sqlite:////srv/bot.db for an absolute path)",
        ),
        (
            {"DATABASE_URL": "sqlite:////no/such/dir/bot.db"},
            "DATABASE_URL's directory does not exist: '/no/such/dir'",
        ),
        (
            {"FINOPS_DB_PATH": "/no/such/dir/finops.db"},
            "FINOPS_DB_PATH's directory does not exist: '/no/such/dir'",
        ),
        ({"FINOPS_DB_PATH": "/"}, "FINOPS_DB_PATH is a directory, not a file: '/'"),
        (
            {"FINOPS_HASH_SALT": "hunter2"},
            "FINOPS_HASH_SALT is too short (at least 16 characters; e.g. the output of: "
            "python -c 'import secrets; print(secrets.token_hex(32))')",
        ),
        (
            {"FINOPS_RETENTION_DAYS": "-1"},
            "FINOPS_RETENTION_DAYS must be a whole number of days from 0 to 3650, got '-1'",
        ),
        (
            {"FINOPS_RETENTION_DAYS": "9999"},
            "FINOPS_RETENTION_DAYS must be a whole number of days from 0 to 3650, got '9999'",
        ),
    ],
)
def test_bad_store_settings_name_the_key_never_the_secret(
    env: dict[str, str], message: str
) -> None:
    """One line naming the key; a URL's password or a salt is never repeated."""
    with pytest.raises(SettingsError) as caught:
        load_settings({**GOOD, **env})
    assert str(caught.value) == message
    assert "hunter2" not in str(caught.value)
