"""Service settings: read once from the environment by the composition root, validated."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.adapters.slack.ids import CHANNEL_ID, USER_ID
from bot.core.matching import MatchSettings
from bot.storage.urls import DatabaseUrlError, normalise_url, sqlite_url

BUNDLED_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
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


@dataclass(frozen=True)
class Settings:
    """Everything `finops-bot serve` needs; secrets are kept out of repr() and logs."""

    # None when only Teams is configured: then no Slack route or Slack call exists at all.
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_API_URL
    port: int = DEFAULT_PORT
    knowledge_dir: Path = BUNDLED_KNOWLEDGE
    admins: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    state_file: Path = Path(DEFAULT_STATE_FILE)
    match: MatchSettings = field(default_factory=MatchSettings)
    # None when Teams is not configured: then POST /api/messages is not served.
    teams: TeamsSettings | None = None
    # The store: PostgreSQL when DATABASE_URL is set (normalised to postgresql+asyncpg://;
    # it may hold a password, so never shown), else the SQLite file db_path.
    database_url: str | None = field(default=None, repr=False)
    db_path: Path = Path(DEFAULT_DB_PATH)
    hash_salt: str | None = field(default=None, repr=False)
    retention_days: int = DEFAULT_RETENTION_DAYS

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
        return self.admins | (self.teams.admins if self.teams else frozenset())


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Validate *environ* into Settings; raise SettingsError naming the first bad key."""
    get = _Reader(environ)
    teams = _teams(get)
    # Slack is required unless Teams is configured and no Slack key is set at all.
    if teams is not None and not any(get.optional(key) for key in SLACK_KEYS):
        return _common(get, dataclasses.replace(Settings(), teams=teams))
    bot_token = get.required("SLACK_BOT_TOKEN")
    _check_token("SLACK_BOT_TOKEN", bot_token, "xoxb-", "a bot token")
    app_token = get.optional("SLACK_APP_TOKEN")
    if app_token is not None:
        _check_token("SLACK_APP_TOKEN", app_token, "xapp-", "an app-level token")
    secret = get.optional("SLACK_SIGNING_SECRET")
    if secret is None and app_token is None:
        raise SettingsError(
            "SLACK_SIGNING_SECRET is missing (required unless SLACK_APP_TOKEN enables Socket Mode)"
        )
    if secret is not None and any(ch.isspace() for ch in secret):
        raise SettingsError("SLACK_SIGNING_SECRET must not contain whitespace")
    slack = Settings(
        slack_bot_token=bot_token,
        slack_signing_secret=secret,
        slack_app_token=app_token,
        slack_api_url=_api_url(get.optional("SLACK_API_URL")),
        teams=teams,
    )
    return _common(get, slack)


def _common(get: _Reader, base: Settings) -> Settings:
    """Add the settings every setup shares (port, knowledge, admins, ...) to *base*."""
    return dataclasses.replace(
        base,
        port=_port(get.optional("PORT")),
        knowledge_dir=_knowledge_dir(get.optional("KNOWLEDGE_DIR")),
        admins=_ids("FINOPS_ADMINS", get.optional("FINOPS_ADMINS"), USER_ID, "user", "U0123ABCD"),
        channels=_ids(
            "FINOPS_CHANNELS", get.optional("FINOPS_CHANNELS"), CHANNEL_ID, "channel", "C0123ABCD"
        ),
        state_file=_state_file(get.optional("FINOPS_STATE_FILE")),
        match=_match(
            get.optional("FINOPS_ANSWER_THRESHOLD"), get.optional("FINOPS_SUGGEST_THRESHOLD")
        ),
        database_url=_database_url(get.optional("DATABASE_URL")),
        db_path=_db_path(get.optional("FINOPS_DB_PATH")),
        hash_salt=_salt(get.optional("FINOPS_HASH_SALT")),
        retention_days=_retention(get.optional("FINOPS_RETENTION_DAYS")),
    )


class _Reader:
    """Reads keys, treating empty values as unset (a blank line in .env means 'default')."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def optional(self, key: str) -> str | None:
        value = self._environ.get(key, "").strip()
        return value or None

    def required(self, key: str) -> str:
        value = self.optional(key)
        if value is None:
            raise SettingsError(f"{key} is missing")
        return value


def _shown(value: str) -> str:
    """Quote a non-secret value for an error message, clipped so one line stays one line."""
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _check_token(key: str, value: str, prefix: str, kind: str) -> None:
    # Never echo a token: a mistyped one is still a secret.
    if not value.startswith(prefix):
        raise SettingsError(f"{key} must start with {prefix} ({kind})")
    if any(ch.isspace() for ch in value) or len(value) <= len(prefix):
        raise SettingsError(f"{key} is malformed ({kind} is {prefix} and more, without spaces)")


def _api_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_API_URL
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(f"SLACK_API_URL must be an http(s) URL, got {_shown(value)}")
    return value if value.endswith("/") else value + "/"


def _port(value: str | None) -> int:
    if value is None:
        return DEFAULT_PORT
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise SettingsError(f"PORT must be a whole number from 1 to 65535, got {_shown(value)}")
    return int(value)


def _knowledge_dir(value: str | None) -> Path:
    if value is None:
        return BUNDLED_KNOWLEDGE
    path = Path(value)
    if not path.is_dir():
        raise SettingsError(f"KNOWLEDGE_DIR is not a directory: {_shown(value)}")
    return path


def _ids(
    key: str, value: str | None, pattern: re.Pattern[str], kind: str, example: str
) -> frozenset[str]:
    if value is None:
        return frozenset()
    ids = [item.strip() for item in value.split(",") if item.strip()]
    for item in ids:
        if not pattern.match(item):
            raise SettingsError(
                f"{key} has a malformed Slack {kind} id {_shown(item)} "
                f"(expected comma-separated ids like {example})"
            )
    return frozenset(ids)


def _state_file(value: str | None) -> Path:
    path = Path(value or DEFAULT_STATE_FILE)
    if path.is_dir():
        raise SettingsError(f"FINOPS_STATE_FILE is a directory, not a file: {_shown(str(path))}")
    if not path.absolute().parent.is_dir():
        raise SettingsError(
            f"FINOPS_STATE_FILE's directory does not exist: {_shown(str(path.absolute().parent))}"
        )
    return path


def _database_url(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        url = normalise_url(value)
    except DatabaseUrlError as exc:
        # The URL is never echoed: it usually carries a password.
        raise SettingsError(f"DATABASE_URL {exc}") from None
    if not url.startswith("postgresql"):
        raise SettingsError(
            "DATABASE_URL must be a postgres:// or postgresql:// URL "
            "(for SQLite set FINOPS_DB_PATH instead)"
        )
    return url


def _db_path(value: str | None) -> Path:
    path = Path(value or DEFAULT_DB_PATH)
    if path.is_dir():
        raise SettingsError(f"FINOPS_DB_PATH is a directory, not a file: {_shown(str(path))}")
    if not path.absolute().parent.is_dir():
        raise SettingsError(
            f"FINOPS_DB_PATH's directory does not exist: {_shown(str(path.absolute().parent))}"
        )
    return path


def _salt(value: str | None) -> str | None:
    # Never echo it: the salt is what keeps the stored hashes from being reversed.
    if value is not None and len(value) < MIN_SALT_LENGTH:
        raise SettingsError(
            f"FINOPS_HASH_SALT is too short (at least {MIN_SALT_LENGTH} characters; "
            "e.g. the output of: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return value


def _retention(value: str | None) -> int:
    if value is None:
        return DEFAULT_RETENTION_DAYS
    if not value.isdigit() or int(value) > 3650:
        raise SettingsError(
            f"FINOPS_RETENTION_DAYS must be a whole number of days from 0 to 3650, "
            f"got {_shown(value)}"
        )
    return int(value)


def _threshold(key: str, value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 100:  # also rejects nan
        raise SettingsError(f"{key} must be a number from 0 to 100, got {_shown(value)}")
    return number


def _match(answer: str | None, suggest: str | None) -> MatchSettings:
    base = MatchSettings()
    answer_at = _threshold("FINOPS_ANSWER_THRESHOLD", answer, base.answer_threshold)
    suggest_at = _threshold("FINOPS_SUGGEST_THRESHOLD", suggest, base.suggest_threshold)
    if suggest_at > answer_at:
        raise SettingsError(
            f"FINOPS_SUGGEST_THRESHOLD ({suggest_at:g}) must not exceed "
            f"FINOPS_ANSWER_THRESHOLD ({answer_at:g})"
        )
    return dataclasses.replace(base, answer_threshold=answer_at, suggest_threshold=suggest_at)


def _teams(get: _Reader) -> TeamsSettings | None:
    """Read the Teams keys: None when none is set, else complete credentials or anonymous."""
    anonymous = _flag("TEAMS_ANONYMOUS", get.optional("TEAMS_ANONYMOUS"))
    present = [key for key in TEAMS_KEYS if get.optional(key) is not None]
    admins = get.optional("TEAMS_ADMINS")
    if not present and not anonymous:
        if admins is not None:
            raise SettingsError(
                "TEAMS_ADMINS is set but Teams is not configured (set MICROSOFT_APP_ID, "
                "MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID)"
            )
        return None
    if anonymous and present:
        raise SettingsError(
            f"TEAMS_ANONYMOUS=true is for local testing without credentials; unset {present[0]} "
            "or TEAMS_ANONYMOUS"
        )
    if not anonymous:
        for key in TEAMS_KEYS:
            if get.optional(key) is None:
                raise SettingsError(
                    f"{key} is missing (Teams needs MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD "
                    "and MICROSOFT_APP_TENANT_ID, or TEAMS_ANONYMOUS=true for local testing)"
                )
    app_id = get.optional("MICROSOFT_APP_ID")
    tenant_id = get.optional("MICROSOFT_APP_TENANT_ID")
    password = get.optional("MICROSOFT_APP_PASSWORD")
    for key, value in (("MICROSOFT_APP_ID", app_id), ("MICROSOFT_APP_TENANT_ID", tenant_id)):
        if value is not None and not GUID.match(value):
            raise SettingsError(f"{key} must be a GUID like {GUID_EXAMPLE}, got {_shown(value)}")
    if password is not None and any(ch.isspace() for ch in password):
        # Never echo a secret, not even a mistyped one.
        raise SettingsError("MICROSOFT_APP_PASSWORD must not contain whitespace")
    return TeamsSettings(
        app_id=app_id.lower() if app_id else None,
        app_password=password,
        tenant_id=tenant_id.lower() if tenant_id else None,
        anonymous=anonymous,
        admins=_teams_admins(admins),
    )


def _flag(key: str, value: str | None) -> bool:
    if value is None or value.lower() == "false":
        return False
    if value.lower() == "true":
        return True
    raise SettingsError(f"{key} must be true or false, got {_shown(value)}")


def _teams_admins(value: str | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    ids = [item.strip() for item in value.split(",") if item.strip()]
    for item in ids:
        if not GUID.match(item):
            raise SettingsError(
                f"TEAMS_ADMINS has a malformed Azure AD object id {_shown(item)} "
                f"(expected comma-separated GUIDs like {GUID_EXAMPLE})"
            )
    # Teams sends object ids in lower case; compare them that way.
    return frozenset(item.lower() for item in ids)
