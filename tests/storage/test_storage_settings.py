"""Store settings: DATABASE_URL spellings, the SQLite default, salt and retention checks."""

from __future__ import annotations

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
            "DATABASE_URL scheme 'mysql' is not supported; use postgres:// or postgresql://",
        ),
        (
            {"DATABASE_URL": "postgres://bot:hunter2@h"},
            "DATABASE_URL names no database (postgresql://user@host:5432/DBNAME)",
        ),
        (
            {"DATABASE_URL": "sqlite:///x.db"},
            "DATABASE_URL must be a postgres:// or postgresql:// URL "
            "(for SQLite set FINOPS_DB_PATH instead)",
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
