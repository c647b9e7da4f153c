"""Service settings: read once from the environment and a .env file, validated."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.adapters.slack.ids import CHANNEL_ID, USER_ID
from bot.core.loading import BUNDLED_KNOWLEDGE
from bot.core.matching import MatchSettings
from bot.storage.urls import DatabaseUrlError, backend_of, normalise_url, sqlite_file, sqlite_url

# Read from the working directory, as .env.example says; the environment wins over it.
ENV_FILE = Path(".env")
DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000
DEFAULT_STATE_FILE = ".finops-state.json"
DEFAULT_DB_PATH = "finops.db"
DEFAULT_RETENTION_DAYS = 90
MIN_SALT_LENGTH = 16


# Azure AD / Entra ids (app, tenant, user object ids) are GUIDs.
GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
GUID_EXAMPLE = "00000000-0000-0000-0000-000000000000"
TEAMS_KEYS = ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID")
SLACK_KEYS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")
NOTHING_TO_SERVE = (
    "nothing to serve: for Slack set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or "
    "SLACK_APP_TOKEN for Socket Mode), for Teams MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD "
    "and MICROSOFT_APP_TENANT_ID, or both sets for both (see .env.example)"
)


class SettingsError(ValueError):
    """A missing or malformed setting; the message is one line naming the key."""


@dataclass(frozen=True)
class TeamsSettings:
    """The Teams endpoint (POST /api/messages): the Azure Bot's credentials, or anonymous."""

    app_id: str | None = None
    app_password: str | None = field(default=None, repr=False)
    tenant_id: str | None = None
    # Local testing only: accept requests without a Bot Framework token.
    anonymous: bool = False
    # Azure AD object ids (lower-case GUIDs) allowed to run admin commands from Teams.
    admins: frozenset[str] = frozenset()


def _key(name: str, default: Any = None, *, secret: bool = False) -> Any:
    """Declare a field read from the variable *name*; a secret never shows in repr()."""
    return Field(default=default, validation_alias=name, repr=not secret)


class Settings(BaseSettings):
    """Everything `finops-bot serve` needs; secrets are kept out of repr() and logs.

    Each field comes from its variable in the environment, else in .env; blank means default.
    """

    model_config = SettingsConfigDict(
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        case_sensitive=True,
        # Lists such as FINOPS_ADMINS are comma-separated, not JSON.
        enable_decoding=False,
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
    )

    # None when only Teams is configured: then no Slack route or Slack call exists at all.
    slack_bot_token: str | None = _key("SLACK_BOT_TOKEN", secret=True)
    slack_signing_secret: str | None = _key("SLACK_SIGNING_SECRET", secret=True)
    slack_app_token: str | None = _key("SLACK_APP_TOKEN", secret=True)
    slack_api_url: str = _key("SLACK_API_URL", DEFAULT_API_URL)
    port: int = _key("PORT", DEFAULT_PORT)
    knowledge_dir: Path = _key("KNOWLEDGE_DIR", BUNDLED_KNOWLEDGE)
    admins: frozenset[str] = _key("FINOPS_ADMINS", frozenset())
    channels: frozenset[str] = _key("FINOPS_CHANNELS", frozenset())
    state_file: Path = _key("FINOPS_STATE_FILE", Path(DEFAULT_STATE_FILE))
    # None: the matcher's tuned value (see `match`).
    answer_threshold: float | None = _key("FINOPS_ANSWER_THRESHOLD")
    suggest_threshold: float | None = _key("FINOPS_SUGGEST_THRESHOLD")
    # The store: DATABASE_URL when set (PostgreSQL as postgresql+asyncpg://, which may hold a
    # password, so never shown; or an SQLite file's URL), else the SQLite file db_path.
    database_url: str | None = _key("DATABASE_URL", secret=True)
    db_path: Path = _key("FINOPS_DB_PATH", Path(DEFAULT_DB_PATH))
    hash_salt: str | None = _key("FINOPS_HASH_SALT", secret=True)
    retention_days: int = _key("FINOPS_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    # Teams is on when its three credentials or TEAMS_ANONYMOUS are set (see `teams`).
    microsoft_app_id: str | None = _key("MICROSOFT_APP_ID")
    microsoft_app_password: str | None = _key("MICROSOFT_APP_PASSWORD", secret=True)
    microsoft_app_tenant_id: str | None = _key("MICROSOFT_APP_TENANT_ID")
    teams_anonymous: bool = _key("TEAMS_ANONYMOUS", False)
    teams_admins: frozenset[str] = _key("TEAMS_ADMINS", frozenset())

    @property
    def teams(self) -> TeamsSettings | None:
        """Return the Teams endpoint's settings, or None when Teams is not configured."""
        if not self.teams_anonymous and self.microsoft_app_id is None:
            return None
        return TeamsSettings(
            app_id=self.microsoft_app_id,
            app_password=self.microsoft_app_password,
            tenant_id=self.microsoft_app_tenant_id,
            anonymous=self.teams_anonymous,
            admins=self.teams_admins,
        )

    @property
    def match(self) -> MatchSettings:
        """Return the matcher's settings with the configured thresholds."""
        base = MatchSettings()
        answer = base.answer_threshold if self.answer_threshold is None else self.answer_threshold
        suggest = (
            base.suggest_threshold if self.suggest_threshold is None else self.suggest_threshold
        )
        return dataclasses.replace(base, answer_threshold=answer, suggest_threshold=suggest)

    @property
    def store_url(self) -> str:
        """Return the SQLAlchemy URL of the store: DATABASE_URL, else the SQLite file."""
        return self.database_url or sqlite_url(self.db_path)

    @property
    def socket_mode(self) -> bool:
        """Return True when an app-level token is set, so Slack is reached over Socket Mode."""
        return self.slack_app_token is not None

    @property
    def admins_all(self) -> frozenset[str]:
        """Return the Slack and Teams admins together (their id formats never collide)."""
        return self.admins | self.teams_admins

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data: Any) -> Any:
        # An empty variable (or a blank line in .env) means "use the default".
        if not isinstance(data, Mapping):
            return data
        return {
            key: value.strip() if isinstance(value, str) else value
            for key, value in data.items()
            if not isinstance(value, str) or value.strip()
        }

    @field_validator("*", mode="before")
    @classmethod
    def _parse(cls, value: Any, info: ValidationInfo) -> Any:
        # Each key has its own parser, which raises SettingsError with the one line to show.
        parse = _PARSERS.get(info.field_name or "")
        return parse(value) if parse is not None and isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_together(self) -> Settings:
        # Rules across keys, once each key is well-formed: Teams, then Slack, then thresholds.
        _check_teams(self)
        _check_slack(self)
        match = self.match
        if match.suggest_threshold > match.answer_threshold:
            raise SettingsError(
                f"FINOPS_SUGGEST_THRESHOLD ({match.suggest_threshold:g}) must not exceed "
                f"FINOPS_ANSWER_THRESHOLD ({match.answer_threshold:g})"
            )
        return self


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Validate *environ* alone (no .env) into Settings; raise SettingsError on a bad key."""
    return _validated(lambda: Settings.model_validate(dict(environ)))


def read_settings(env_file: Path | None = ENV_FILE) -> Settings:
    """Read Settings from the process environment and *env_file* (the environment wins)."""
    return _validated(lambda: Settings(_env_file=env_file))


def _validated(build: Callable[[], Settings]) -> Settings:
    """Run *build*, turning pydantic's report into the first problem's one line."""
    try:
        return build()
    except ValidationError as exc:
        first = exc.errors()[0]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, SettingsError):
            raise cause from None
        key = ".".join(str(part) for part in first["loc"])
        raise SettingsError(f"{key}: {first['msg']}") from None


def _check_teams(settings: Settings) -> None:
    """Teams needs all three credentials or TEAMS_ANONYMOUS, never both."""
    values = (
        settings.microsoft_app_id,
        settings.microsoft_app_password,
        settings.microsoft_app_tenant_id,
    )
    present = [key for key, value in zip(TEAMS_KEYS, values, strict=True) if value is not None]
    if not present and not settings.teams_anonymous:
        if settings.teams_admins:
            raise SettingsError(
                "TEAMS_ADMINS is set but Teams is not configured (set MICROSOFT_APP_ID, "
                "MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID)"
            )
        return
    if settings.teams_anonymous and present:
        raise SettingsError(
            f"TEAMS_ANONYMOUS=true is for local testing without credentials; unset {present[0]} "
            "or TEAMS_ANONYMOUS"
        )
    for key, value in zip(TEAMS_KEYS, values, strict=True):
        if value is None and not settings.teams_anonymous:
            raise SettingsError(
                f"{key} is missing (Teams needs MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD "
                "and MICROSOFT_APP_TENANT_ID, or TEAMS_ANONYMOUS=true for local testing)"
            )


def _check_slack(settings: Settings) -> None:
    """Slack is required unless Teams is configured and no Slack key is set at all."""
    tokens = (settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token)
    if all(token is None for token in tokens):
        if settings.teams is None:
            raise SettingsError(NOTHING_TO_SERVE)
        return
    if settings.slack_bot_token is None:
        raise SettingsError("SLACK_BOT_TOKEN is missing")
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        raise SettingsError(
            "SLACK_SIGNING_SECRET is missing (required unless SLACK_APP_TOKEN enables Socket Mode)"
        )


def _shown(value: str) -> str:
    """Quote a non-secret value for an error message, clipped so one line stays one line."""
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _token(key: str, prefix: str, kind: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        # Never echo a token: a mistyped one is still a secret.
        if not value.startswith(prefix):
            raise SettingsError(f"{key} must start with {prefix} ({kind})")
        if any(ch.isspace() for ch in value) or len(value) <= len(prefix):
            raise SettingsError(f"{key} is malformed ({kind} is {prefix} and more, without spaces)")
        return value

    return check


def _no_whitespace(key: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        # Never echo a secret, not even a mistyped one.
        if any(ch.isspace() for ch in value):
            raise SettingsError(f"{key} must not contain whitespace")
        return value

    return check


def _api_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(f"SLACK_API_URL must be an http(s) URL, got {_shown(value)}")
    return value if value.endswith("/") else value + "/"


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise SettingsError(f"PORT must be a whole number from 1 to 65535, got {_shown(value)}")
    return int(value)


def _knowledge_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise SettingsError(f"KNOWLEDGE_DIR is not a directory: {_shown(value)}")
    return path


def _slack_ids(
    key: str, pattern: re.Pattern[str], kind: str, example: str
) -> Callable[[str], frozenset[str]]:
    def parse(value: str) -> frozenset[str]:
        ids = [item.strip() for item in value.split(",") if item.strip()]
        for item in ids:
            if not pattern.match(item):
                raise SettingsError(
                    f"{key} has a malformed Slack {kind} id {_shown(item)} "
                    f"(expected comma-separated ids like {example})"
                )
        return frozenset(ids)

    return parse


def _file(key: str) -> Callable[[str], Path]:
    def parse(value: str) -> Path:
        path = Path(value)
        if path.is_dir():
            raise SettingsError(f"{key} is a directory, not a file: {_shown(str(path))}")
        if not path.absolute().parent.is_dir():
            raise SettingsError(
                f"{key}'s directory does not exist: {_shown(str(path.absolute().parent))}"
            )
        return path

    return parse


def _database_url(value: str) -> str:
    try:
        url = normalise_url(value)
    except DatabaseUrlError as exc:
        # The URL is never echoed: it usually carries a password.
        raise SettingsError(f"DATABASE_URL {exc}") from None
    if backend_of(url) == "sqlite":
        # An SQLite file's path holds no secret, and its directory must exist like FINOPS_DB_PATH's.
        return sqlite_url(_file("DATABASE_URL")(str(sqlite_file(url))))
    return url


def _salt(value: str) -> str:
    # Never echo it: the salt is what keeps the stored hashes from being reversed.
    if len(value) < MIN_SALT_LENGTH:
        raise SettingsError(
            f"FINOPS_HASH_SALT is too short (at least {MIN_SALT_LENGTH} characters; "
            "e.g. the output of: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return value


def _retention(value: str) -> int:
    if not value.isdigit() or int(value) > 3650:
        raise SettingsError(
            f"FINOPS_RETENTION_DAYS must be a whole number of days from 0 to 3650, "
            f"got {_shown(value)}"
        )
    return int(value)


def _threshold(key: str) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not 0 <= number <= 100:  # also rejects nan
            raise SettingsError(f"{key} must be a number from 0 to 100, got {_shown(value)}")
        return number

    return parse


def _flag(key: str) -> Callable[[str], bool]:
    def parse(value: str) -> bool:
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise SettingsError(f"{key} must be true or false, got {_shown(value)}")

    return parse


def _guid(key: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not GUID.match(value):
            raise SettingsError(f"{key} must be a GUID like {GUID_EXAMPLE}, got {_shown(value)}")
        # Teams sends ids in lower case; compare them that way.
        return value.lower()

    return parse


def _teams_admins(value: str) -> frozenset[str]:
    ids = [item.strip() for item in value.split(",") if item.strip()]
    for item in ids:
        if not GUID.match(item):
            raise SettingsError(
                f"TEAMS_ADMINS has a malformed Azure AD object id {_shown(item)} "
                f"(expected comma-separated GUIDs like {GUID_EXAMPLE})"
            )
    return frozenset(item.lower() for item in ids)


# Field name -> the parser of its variable's text (defaults are already typed).
_PARSERS: dict[str, Callable[[str], Any]] = {
    "slack_bot_token": _token("SLACK_BOT_TOKEN", "xoxb-", "a bot token"),
    "slack_signing_secret": _no_whitespace("SLACK_SIGNING_SECRET"),
    "slack_app_token": _token("SLACK_APP_TOKEN", "xapp-", "an app-level token"),
    "slack_api_url": _api_url,
    "port": _port,
    "knowledge_dir": _knowledge_dir,
    "admins": _slack_ids("FINOPS_ADMINS", USER_ID, "user", "U0123ABCD"),
    "channels": _slack_ids("FINOPS_CHANNELS", CHANNEL_ID, "channel", "C0123ABCD"),
    "state_file": _file("FINOPS_STATE_FILE"),
    "answer_threshold": _threshold("FINOPS_ANSWER_THRESHOLD"),
    "suggest_threshold": _threshold("FINOPS_SUGGEST_THRESHOLD"),
    "database_url": _database_url,
    "db_path": _file("FINOPS_DB_PATH"),
    "hash_salt": _salt,
    "retention_days": _retention,
    "microsoft_app_id": _guid("MICROSOFT_APP_ID"),
    "microsoft_app_password": _no_whitespace("MICROSOFT_APP_PASSWORD"),
    "microsoft_app_tenant_id": _guid("MICROSOFT_APP_TENANT_ID"),
    "teams_anonymous": _flag("TEAMS_ANONYMOUS"),
    "teams_admins": _teams_admins,
}


class StoreSettings(Settings):
    """The settings `serve` reads, for commands that only need the store and the knowledge.

    `finops-bot learned` opens the same store as `serve` but runs no platform, so Slack and
    Teams keys are not required (each key that is set is still checked).
    """

    @model_validator(mode="after")
    def _check_together(self) -> StoreSettings:
        return self


def read_store_settings(env_file: Path | None = ENV_FILE) -> StoreSettings:
    """Read the store's and the knowledge's settings as `serve` would."""
    return _validated(lambda: StoreSettings(_env_file=env_file))  # type: ignore[return-value]
