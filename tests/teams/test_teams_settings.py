"""Teams settings: enabled by its keys, validated with one line per problem, documented."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.adapters.slack.channels import ChannelRegistry
from bot.core.store import KnowledgeStore
from bot.server import TEAMS_PATH, build_conversation, create_web_app
from bot.settings import SettingsError, TeamsSettings, load_settings
from tests.conftest import ROOT
from tests.teams.fakes import ADMIN_AAD, APP_ID, TENANT

SLACK = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "s3cr3t-value"}
TEAMS = {
    "MICROSOFT_APP_ID": APP_ID,
    "MICROSOFT_APP_PASSWORD": "app~password.value",
    "MICROSOFT_APP_TENANT_ID": TENANT,
}
TEAMS_SETTING_KEYS = [
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "MICROSOFT_APP_TENANT_ID",
    "TEAMS_ANONYMOUS",
    "TEAMS_ADMINS",
]


def test_slack_only_has_no_teams() -> None:
    """Without any Teams key, Teams is off and nothing else changes."""
    settings = load_settings(SLACK)
    assert settings.teams is None
    assert settings.slack_bot_token == SLACK["SLACK_BOT_TOKEN"]


def test_slack_and_teams() -> None:
    """All three credentials turn Teams on next to Slack; admins are lower-cased GUIDs."""
    settings = load_settings({**SLACK, **TEAMS, "TEAMS_ADMINS": f" {ADMIN_AAD.upper()} ,"})
    assert settings.teams == TeamsSettings(
        app_id=APP_ID,
        app_password=TEAMS["MICROSOFT_APP_PASSWORD"],
        tenant_id=TENANT,
        anonymous=False,
        admins=frozenset({ADMIN_AAD}),
    )
    assert settings.slack_bot_token is not None


def test_teams_only_needs_no_slack_key() -> None:
    """A Teams-only setup: no Slack key at all, so no Slack route and no auth.test."""
    settings = load_settings(TEAMS)
    assert settings.teams is not None
    assert settings.slack_bot_token is None
    assert settings.slack_signing_secret is None


def test_anonymous_needs_no_credentials() -> None:
    """TEAMS_ANONYMOUS=true alone is a complete (local testing) Teams setup."""
    settings = load_settings({"TEAMS_ANONYMOUS": "TRUE"})
    assert settings.teams == TeamsSettings(anonymous=True)


def test_nothing_at_all_says_how_to_start_slack_teams_or_both(tmp_path: Path) -> None:
    """With neither platform configured, `serve` names the keys of Slack, of Teams, and both."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env={"PATH": os.environ.get("PATH", "")},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "finops-bot serve: nothing to serve: for Slack set SLACK_BOT_TOKEN and "
        "SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode), for Teams "
        "MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID, or both sets "
        "for both (see .env.example)\n"
    )


def test_admins_of_both_platforms_share_the_allow_list(
    tmp_path: Path, bundled_store: KnowledgeStore
) -> None:
    """FINOPS_ADMINS (Slack ids) and TEAMS_ADMINS (GUIDs) both reach the admin allow-list."""
    settings = load_settings(
        {
            **SLACK,
            **TEAMS,
            "FINOPS_ADMINS": "U0ADMIN",
            "TEAMS_ADMINS": ADMIN_AAD,
            "FINOPS_STATE_FILE": str(tmp_path / "s.json"),
        }
    )
    conversation = build_conversation(
        settings, bundled_store, ChannelRegistry.load(frozenset(), tmp_path / "s")
    )
    assert conversation.is_admin("U0ADMIN")
    assert conversation.is_admin(ADMIN_AAD)
    assert not conversation.is_admin("U0OTHER")


def test_secrets_stay_out_of_repr() -> None:
    """The app password never shows in repr(Settings) (the ids are not secret)."""
    shown = repr(load_settings({**SLACK, **TEAMS}))
    assert TEAMS["MICROSOFT_APP_PASSWORD"] not in shown
    assert APP_ID in shown


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"MICROSOFT_APP_ID": APP_ID},
            "MICROSOFT_APP_PASSWORD is missing (Teams needs MICROSOFT_APP_ID, "
            "MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID, or TEAMS_ANONYMOUS=true for "
            "local testing)",
        ),
        (
            {**TEAMS, "MICROSOFT_APP_TENANT_ID": ""},
            "MICROSOFT_APP_TENANT_ID is missing (Teams needs MICROSOFT_APP_ID, "
            "MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID, or TEAMS_ANONYMOUS=true for "
            "local testing)",
        ),
        (
            {**TEAMS, "MICROSOFT_APP_ID": "my-bot"},
            "MICROSOFT_APP_ID must be a GUID like 00000000-0000-0000-0000-000000000000, "
            "got 'my-bot'",
        ),
        (
            {**TEAMS, "MICROSOFT_APP_TENANT_ID": "contoso.onmicrosoft.com"},
            "MICROSOFT_APP_TENANT_ID must be a GUID like 00000000-0000-0000-0000-000000000000, "
            "got 'contoso.onmicrosoft.com'",
        ),
        (
            {**TEAMS, "MICROSOFT_APP_PASSWORD": "has space"},
            "MICROSOFT_APP_PASSWORD must not contain whitespace",
        ),
        ({"TEAMS_ANONYMOUS": "yes"}, "TEAMS_ANONYMOUS must be true or false, got 'yes'"),
        (
            {**TEAMS, "TEAMS_ANONYMOUS": "true"},
            "TEAMS_ANONYMOUS=true is for local testing without credentials; unset "
            "MICROSOFT_APP_ID or TEAMS_ANONYMOUS",
        ),
        (
            {"TEAMS_ANONYMOUS": "true", "TEAMS_ADMINS": "29:1abc"},
            "TEAMS_ADMINS has a malformed Azure AD object id '29:1abc' (expected "
            "comma-separated GUIDs like 00000000-0000-0000-0000-000000000000)",
        ),
        (
            {"TEAMS_ADMINS": ADMIN_AAD},
            "TEAMS_ADMINS is set but Teams is not configured (set MICROSOFT_APP_ID, "
            "MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID)",
        ),
        # Slack keys present but incomplete still fail, even with Teams configured.
        ({**TEAMS, "SLACK_SIGNING_SECRET": "x"}, "SLACK_BOT_TOKEN is missing"),
    ],
)
def test_bad_teams_settings_name_the_key(env: dict[str, str], message: str) -> None:
    """Each bad value raises SettingsError with exactly this one line."""
    base = SLACK if not any(k.startswith("SLACK_") for k in env) else {}
    with pytest.raises(SettingsError) as caught:
        load_settings({**base, **env})
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_the_password_is_never_echoed() -> None:
    """A wrong password is still a secret: errors name the key, never the value."""
    with pytest.raises(SettingsError) as caught:
        load_settings({**TEAMS, "MICROSOFT_APP_PASSWORD": "secret with spaces"})
    assert "secret with spaces" not in str(caught.value)


def test_serve_exits_2_on_a_bad_teams_setting(tmp_path: Path) -> None:
    """`finops-bot serve` stops with one line and exit 2 before anything starts."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "FINOPS_STATE_FILE": str(tmp_path / "s.json"),
        "MICROSOFT_APP_ID": APP_ID,
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
    assert result.stderr.startswith("finops-bot serve: MICROSOFT_APP_PASSWORD is missing (")
    assert result.stderr.count("\n") == 1


def test_serve_without_the_teams_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A Slack-only install (no Agents SDK) with Teams settings stops with one line, exit 2."""
    monkeypatch.chdir(tmp_path)  # no .env here
    for key in list(os.environ):
        if key.startswith(("SLACK_", "FINOPS_", "MICROSOFT_", "TEAMS_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("TEAMS_ANONYMOUS", "true")
    monkeypatch.setenv("FINOPS_STATE_FILE", str(tmp_path / "s.json"))
    # As without the extra: the SDK cannot be imported, so neither can our Teams endpoint.
    monkeypatch.setitem(sys.modules, "microsoft_agents.hosting.aiohttp", None)
    monkeypatch.delitem(sys.modules, "bot.adapters.teams.app", raising=False)
    assert main(["serve"]) == 2
    assert capsys.readouterr().err == (
        "finops-bot serve: Teams is configured but its SDK is not installed: "
        "pip install 'finops-bot[teams]'\n"
    )


def test_a_slack_only_install_never_imports_the_agents_sdk(tmp_path: Path) -> None:
    """Without the [teams] extra, the command line and the Slack server still load."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.startswith('microsoft_agents'):\n"
        "            raise ModuleNotFoundError(name, name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import bot.__main__, bot.server\n"
        "print('loaded')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.stdout, result.stderr) == ("loaded\n", "")


async def test_teams_route_only_when_configured(
    tmp_path: Path, bundled_store: KnowledgeStore
) -> None:
    """POST /api/messages exists with Teams settings, and not without them."""
    for env, served in ((SLACK, False), ({**SLACK, **TEAMS}, True)):
        settings = load_settings({**env, "FINOPS_STATE_FILE": str(tmp_path / "s.json")})
        channels = ChannelRegistry.load(settings.channels, settings.state_file)
        app = await create_web_app(
            settings, build_conversation(settings, bundled_store, channels), channels
        )
        routes = {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource}
        assert (("POST", TEAMS_PATH) in routes) is served
        app.freeze()
        await app.cleanup()


def test_env_example_documents_every_teams_key() -> None:
    """.env.example explains each Teams key; the README's table names it; blanks are defaults."""
    text = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    for key in TEAMS_SETTING_KEYS:
        assert re.search(rf"^# .+\n{key}=$", text, re.MULTILINE), key
        assert f"`{key}`" in readme, key
    blank = dict.fromkeys(TEAMS_SETTING_KEYS, "")
    assert load_settings({**blank, **SLACK}) == load_settings(SLACK)
