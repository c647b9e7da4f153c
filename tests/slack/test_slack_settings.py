"""Settings: every missing or malformed key gives one exact line; `serve` exits 2 on it."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot.__main__ import main
from bot.adapters.slack.app import WEB_API_LOGGER, build_web_client
from bot.adapters.slack.channels import ChannelRegistry
from bot.adapters.slack.listeners import ADMIN_COMMAND, PATH_COMMAND, PLAN_COMMAND, QUIZ_COMMAND
from bot.core.matching import MatchSettings
from bot.core.store import KnowledgeStore
from bot.server import build_conversation, create_web_app
from bot.settings import BUNDLED_KNOWLEDGE, SettingsError, load_settings, read_settings
from tests.conftest import DATA, ROOT
from tests.slack.fakes import FakeSlack

GOOD = {
    "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
    "SLACK_SIGNING_SECRET": "s3cr3t-value",
}


def test_defaults() -> None:
    """Only the two required keys: HTTP mode on slack.com, port 3000, bundled knowledge."""
    settings = load_settings(GOOD)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.knowledge_dir == BUNDLED_KNOWLEDGE
    assert settings.admins == frozenset()
    assert settings.channels == frozenset()
    assert settings.state_file == Path(".finops-state.json")
    assert settings.socket_mode is False
    assert settings.match == MatchSettings()


def test_every_key_is_read(tmp_path: Path) -> None:
    """Each documented key lands in its field; the API URL gains its trailing slash."""
    env = {
        **GOOD,
        "SLACK_APP_TOKEN": "xapp-1-A1-xyz",
        "SLACK_API_URL": "http://127.0.0.1:9/api",
        "PORT": "8080",
        "KNOWLEDGE_DIR": str(tmp_path),
        "FINOPS_ADMINS": "U0123ABCD, W0987ZYX",
        "FINOPS_CHANNELS": "C0FAQ,G0PRIVATE",
        "FINOPS_STATE_FILE": str(tmp_path / "state.json"),
        "FINOPS_ANSWER_THRESHOLD": "75",
        "FINOPS_SUGGEST_THRESHOLD": "40.5",
    }
    settings = load_settings(env)
    assert settings.socket_mode is True
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.port == 8080
    assert settings.knowledge_dir == tmp_path
    assert settings.admins == {"U0123ABCD", "W0987ZYX"}
    assert settings.channels == {"C0FAQ", "G0PRIVATE"}
    assert settings.state_file == tmp_path / "state.json"
    assert (settings.match.answer_threshold, settings.match.suggest_threshold) == (75.0, 40.5)


def test_signing_secret_is_optional_in_socket_mode() -> None:
    """Socket Mode requests are not signed, so the app token replaces the signing secret."""
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert settings.slack_signing_secret is None
    assert settings.socket_mode


def test_secrets_stay_out_of_repr() -> None:
    """Logging the settings object can never leak a token or the signing secret."""
    shown = repr(load_settings({**GOOD, "SLACK_APP_TOKEN": "xapp-very-secret"}))
    for secret in ("xoxb-1-2-abc", "s3cr3t-value", "xapp-very-secret"):
        assert secret not in shown


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN is missing"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN must start with xoxb- (a bot token)"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-has space"},
            "SLACK_BOT_TOKEN is malformed (a bot token is xoxb- and more, without spaces)",
        ),
        (
            {"SLACK_SIGNING_SECRET": ""},
            "SLACK_SIGNING_SECRET is missing (required unless SLACK_APP_TOKEN enables Socket Mode)",
        ),
        (
            {"SLACK_APP_TOKEN": "xoxb-wrong"},
            "SLACK_APP_TOKEN must start with xapp- (an app-level token)",
        ),
        (
            {"SLACK_API_URL": "slack.com/api"},
            "SLACK_API_URL must be an http(s) URL, got 'slack.com/api'",
        ),
        (
            {"SLACK_API_URL": "ftp://example.org/api"},
            "SLACK_API_URL must be an http(s) URL, got 'ftp://example.org/api'",
        ),
        ({"PORT": "0"}, "PORT must be a whole number from 1 to 65535, got '0'"),
        ({"PORT": "70000"}, "PORT must be a whole number from 1 to 65535, got '70000'"),
        ({"PORT": "http"}, "PORT must be a whole number from 1 to 65535, got 'http'"),
        ({"KNOWLEDGE_DIR": "/no/such/dir"}, "KNOWLEDGE_DIR is not a directory: '/no/such/dir'"),
        (
            {"FINOPS_ADMINS": "U0123ABCD,bob"},
            "FINOPS_ADMINS has a malformed Slack user id 'bob' "
            "(expected comma-separated ids like U0123ABCD)",
        ),
        (
            {"FINOPS_CHANNELS": "#general"},
            "FINOPS_CHANNELS has a malformed Slack channel id '#general' "
            "(expected comma-separated ids like C0123ABCD)",
        ),
        (
            {"FINOPS_STATE_FILE": "/no/such/dir/state.json"},
            "FINOPS_STATE_FILE's directory does not exist: '/no/such/dir'",
        ),
        (
            {"FINOPS_ANSWER_THRESHOLD": "high"},
            "FINOPS_ANSWER_THRESHOLD must be a number from 0 to 100, got 'high'",
        ),
        (
            {"FINOPS_SUGGEST_THRESHOLD": "101"},
            "FINOPS_SUGGEST_THRESHOLD must be a number from 0 to 100, got '101'",
        ),
        (
            {"FINOPS_ANSWER_THRESHOLD": "nan"},
            "FINOPS_ANSWER_THRESHOLD must be a number from 0 to 100, got 'nan'",
        ),
        (
            {"FINOPS_ANSWER_THRESHOLD": "40", "FINOPS_SUGGEST_THRESHOLD": "60"},
            "FINOPS_SUGGEST_THRESHOLD (60) must not exceed FINOPS_ANSWER_THRESHOLD (40)",
        ),
    ],
)
def test_bad_settings_name_the_key(env: dict[str, str], message: str) -> None:
    """Each bad value raises SettingsError with exactly this one line."""
    with pytest.raises(SettingsError) as caught:
        load_settings({**GOOD, **env})
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_tokens_are_never_echoed() -> None:
    """A wrong token is still a secret: the error names the key, not the value."""
    with pytest.raises(SettingsError) as caught:
        load_settings({**GOOD, "SLACK_BOT_TOKEN": "xoxp-secret-user-token"})
    assert "xoxp-secret-user-token" not in str(caught.value)


def _serve(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # A clean environment: nothing from the developer's shell (or real tokens) leaks in.
    base = {"PATH": os.environ.get("PATH", ""), "FINOPS_STATE_FILE": str(tmp_path / "s.json")}
    # Run where no .env lies around, so only *env* is read.
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env={**base, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_exits_2_with_one_line_for_a_missing_setting(tmp_path: Path) -> None:
    """`finops-bot serve` without SLACK_BOT_TOKEN prints one line naming it and exits 2."""
    result = _serve({"SLACK_SIGNING_SECRET": "x"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr == "finops-bot serve: SLACK_BOT_TOKEN is missing\n"
    assert result.stdout == ""


def test_serve_exits_2_on_a_malformed_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A malformed PORT stops `serve` before anything starts."""
    monkeypatch.chdir(tmp_path)  # no .env here
    for key in list(os.environ):
        if key.startswith(("SLACK_", "FINOPS_")) or key in ("PORT", "KNOWLEDGE_DIR"):
            monkeypatch.delenv(key)
    for key, value in {**GOOD, "PORT": "99999", "FINOPS_STATE_FILE": str(tmp_path / "s")}.items():
        monkeypatch.setenv(key, value)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err == "finops-bot serve: PORT must be a whole number from 1 to 65535, got '99999'\n"


def test_dot_env_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`serve` reads .env in the working directory; a variable in the environment overrides it,
    and a blank line means the default."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith(("SLACK_", "FINOPS_", "MICROSOFT_", "TEAMS_")) or key in (
            "PORT",
            "KNOWLEDGE_DIR",
            "DATABASE_URL",
        ):
            monkeypatch.delenv(key)
    (tmp_path / ".env").write_text(
        "# copied from .env.example\n"
        "SLACK_BOT_TOKEN=xoxb-from-the-file\n"
        "SLACK_SIGNING_SECRET=file-secret\n"
        "PORT=8080\n"
        "FINOPS_ADMINS=U0FILE,U0OTHER\n"
        "KNOWLEDGE_DIR=\n"
    )
    monkeypatch.setenv("PORT", "9090")
    settings = read_settings()
    assert (settings.slack_bot_token, settings.slack_signing_secret) == (
        "xoxb-from-the-file",
        "file-secret",
    )
    assert settings.port == 9090
    assert settings.admins == {"U0FILE", "U0OTHER"}
    assert settings.knowledge_dir == BUNDLED_KNOWLEDGE


def test_serve_exits_2_on_a_bad_key_in_dot_env(tmp_path: Path) -> None:
    """A malformed key in .env stops `serve` with the same one line as in the environment."""
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-1\nSLACK_SIGNING_SECRET=s\nPORT=http\n")
    result = _serve({}, tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr
        == "finops-bot serve: PORT must be a whole number from 1 to 65535, got 'http'\n"
    )


def test_serve_exits_2_on_broken_knowledge(tmp_path: Path) -> None:
    """Knowledge that does not validate is listed as `path:line: message`, then exit 2."""
    broken = DATA / "broken" / "yaml-syntax"
    result = _serve({**GOOD, "KNOWLEDGE_DIR": str(broken)}, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert any(".yaml:" in line for line in lines[:-1])
    assert lines[-1] == f"finops-bot serve: the knowledge in {broken} does not validate"


def test_serve_exits_2_on_a_corrupt_state_file(tmp_path: Path) -> None:
    """A state file that is not the channel JSON stops start-up with one line."""
    state = tmp_path / "state.json"
    state.write_text("{not json")
    result = _serve({**GOOD, "FINOPS_STATE_FILE": str(state)}, tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"finops-bot serve: FINOPS_STATE_FILE {state}:1: not valid JSON\n"


async def test_socket_mode_serves_no_http_slack_route(
    bundled_store: KnowledgeStore, tmp_path: Path
) -> None:
    """With SLACK_APP_TOKEN, Slack arrives over Socket Mode: only /healthz is served."""
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "FINOPS_STATE_FILE": str(tmp_path / "s.json"),
        }
    )
    channels = ChannelRegistry.load(settings.channels, settings.state_file)
    app = await create_web_app(
        settings, build_conversation(settings, bundled_store, channels), channels
    )
    routes = {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource}
    assert ("GET", "/healthz") in routes
    assert not any(path == "/slack/events" for _, path in routes)
    app.freeze()
    await app.cleanup()  # closes the shared HTTP session without ever connecting


SETTING_KEYS = [
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "PORT",
    "KNOWLEDGE_DIR",
    "FINOPS_ADMINS",
    "FINOPS_CHANNELS",
    "FINOPS_STATE_FILE",
    "FINOPS_ANSWER_THRESHOLD",
    "FINOPS_SUGGEST_THRESHOLD",
    "DATABASE_URL",
    "FINOPS_DB_PATH",
    "FINOPS_HASH_SALT",
    "FINOPS_RETENTION_DAYS",
]


def test_env_example_documents_every_key() -> None:
    """.env.example lists every key with a comment, and its stated defaults are the real ones."""
    text = (ROOT / ".env.example").read_text()
    for key in SETTING_KEYS:
        assert re.search(rf"^# .+\n{key}=$", text, re.MULTILINE), key
        assert f"`{key}`" in (ROOT / "README.md").read_text(), key
    # Blank values mean defaults: the example (plus the two required keys) loads cleanly.
    blank = dict.fromkeys(SETTING_KEYS, "")
    assert load_settings({**blank, **GOOD}) == load_settings(GOOD)


def test_manifest_matches_the_listeners() -> None:
    """The manifest subscribes to what the listeners handle, on the one /slack/events URL."""
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {PATH_COMMAND, PLAN_COMMAND, ADMIN_COMMAND, QUIZ_COMMAND}
    assert commands[ADMIN_COMMAND]["should_escape"] is True
    events = manifest["settings"]["event_subscriptions"]
    assert set(events["bot_events"]) == {
        "app_mention",
        "app_home_opened",
        "message.im",
        "message.channels",
        "message.groups",
    }
    urls = [c["url"] for c in commands.values()]
    urls += [events["request_url"], manifest["settings"]["interactivity"]["request_url"]]
    assert set(urls) == {"https://YOUR-HOST/slack/events"}
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "chat:write",
        "app_mentions:read",
        "im:history",
        "channels:history",
        "groups:history",
        "im:write",
        "files:write",
        "users:read",
    }


async def test_serve_stops_with_one_line_when_slack_refuses_the_token(tmp_path: Path) -> None:
    """auth.test runs once at start-up; a refused token ends `serve` with exit 1, token unshown."""
    fake = await FakeSlack().start()
    fake.failures["auth.test"] = "invalid_auth"
    env = {
        "PATH": os.environ.get("PATH", ""),
        **GOOD,
        "SLACK_API_URL": fake.api_url,
        "FINOPS_STATE_FILE": str(tmp_path / "s.json"),
        "KNOWLEDGE_DIR": str(DATA / "good"),
    }
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--host",
            "127.0.0.1",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(process.communicate(), 30)
    finally:
        await fake.close()
    assert process.returncode == 1
    last = err.decode().splitlines()[-1]
    assert last == "finops-bot serve: Slack refused SLACK_BOT_TOKEN: auth.test said invalid_auth"
    assert GOOD["SLACK_BOT_TOKEN"] not in err.decode()
    assert [c.method for c in fake.calls] == ["auth.test"]


async def test_the_web_api_client_does_not_format_debug_lines_nobody_reads() -> None:
    """slack_sdk builds a debug line per call unless its logger has a level; an operator's
    explicit level (DEBUG to see every call) is kept."""
    web_logger = logging.getLogger(WEB_API_LOGGER)
    saved = web_logger.level
    try:
        async with aiohttp.ClientSession() as session:
            web_logger.setLevel(logging.NOTSET)
            client = build_web_client("http://127.0.0.1:9/api/", session)
            assert client.logger is web_logger
            assert web_logger.level == logging.INFO
            web_logger.setLevel(logging.DEBUG)
            build_web_client("http://127.0.0.1:9/api/", session)
            assert web_logger.level == logging.DEBUG
    finally:
        web_logger.setLevel(saved)
