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

BUNDLED_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000
DEFAULT_STATE_FILE = ".finops-state.json"


class SettingsError(ValueError):
    """A missing or malformed setting; the message is one line naming the key."""


@dataclass(frozen=True)
class Settings:
    """Everything `finops-bot serve` needs; secrets are kept out of repr() and logs."""

    slack_bot_token: str = field(repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_API_URL
    port: int = DEFAULT_PORT
    knowledge_dir: Path = BUNDLED_KNOWLEDGE
    admins: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    state_file: Path = Path(DEFAULT_STATE_FILE)
    match: MatchSettings = field(default_factory=MatchSettings)

    @property
    def socket_mode(self) -> bool:
        """Return True when an app-level token is set, so Slack is reached over Socket Mode."""
        return self.slack_app_token is not None


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Validate *environ* into Settings; raise SettingsError naming the first bad key."""
    get = _Reader(environ)
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
    return Settings(
        slack_bot_token=bot_token,
        slack_signing_secret=secret,
        slack_app_token=app_token,
        slack_api_url=_api_url(get.optional("SLACK_API_URL")),
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
