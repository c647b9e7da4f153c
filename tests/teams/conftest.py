"""Teams fixtures: the fake Bot Connector and our real aiohttp server on loopback, Teams only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.adapters.slack.channels import ChannelRegistry
from bot.conversation.service import ConversationService
from bot.core.bot import Bot
from bot.core.store import KnowledgeStore
from bot.server import build_conversation, build_store, create_web_app
from bot.settings import Settings, load_settings
from bot.storage.service import StoreService
from tests.loopback import serve_on_loopback
from tests.teams.fakes import ADMIN_AAD, FakeConnector, TeamsClient


@dataclass
class TeamsHarness:
    """Our server (Teams only, anonymous) on loopback, replying to the fake connector."""

    connector: FakeConnector
    teams: TeamsClient
    base_url: str
    bot: Bot
    conversation: ConversationService
    settings: Settings
    session: aiohttp.ClientSession
    service: StoreService | None = None


def teams_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Return the environment of a Teams-only test server (no Slack key at all)."""
    env = {
        "TEAMS_ANONYMOUS": "true",
        "TEAMS_ADMINS": ADMIN_AAD.upper(),  # case must not matter
        "FINOPS_STATE_FILE": str(tmp_path / "state.json"),
        "FINOPS_DB_PATH": str(tmp_path / "finops.db"),
    }
    env.update(overrides)
    return env


@pytest.fixture(name="connector")
async def _connector() -> AsyncIterator[FakeConnector]:
    """Run the recording fake Bot Connector for one test; every card it got must be valid."""
    fake = await FakeConnector().start()
    yield fake
    await fake.close()
    assert fake.invalid_cards == [], fake.invalid_cards


StartTeams = Callable[..., Awaitable[TeamsHarness]]


@pytest.fixture(name="start_teams")
async def _start_teams(
    connector: FakeConnector, tmp_path: Path, bundled_store: KnowledgeStore
) -> AsyncIterator[StartTeams]:
    """Return a starter for our server (optionally on another knowledge store or env)."""
    runners: list[web.AppRunner] = []
    session = aiohttp.ClientSession()

    async def start(
        store: KnowledgeStore | None = None, *, with_store: bool = False, **env: str
    ) -> TeamsHarness:
        settings = load_settings(teams_env(tmp_path, **env))
        channels = ChannelRegistry.load(settings.channels, settings.state_file)
        knowledge = store or bundled_store
        # Most tests need no store; with_store=True wires the SQLite one as `serve` does.
        service = build_store(settings, knowledge) if with_store else None
        conversation = build_conversation(settings, knowledge, channels, service)
        app = await create_web_app(settings, conversation, channels, service)
        runner, port = await serve_on_loopback(app)
        runners.append(runner)
        base_url = f"http://127.0.0.1:{port}"
        return TeamsHarness(
            connector=connector,
            teams=TeamsClient(base_url, session, connector.url),
            base_url=base_url,
            bot=conversation.bot,
            conversation=conversation,
            settings=settings,
            session=session,
            service=service,
        )

    yield start
    for runner in runners:
        await runner.cleanup()
    await session.close()


@pytest.fixture(name="teams")
async def _teams(start_teams: StartTeams) -> TeamsHarness:
    """Return our server on the bundled knowledge, Teams only, anonymous, ADMIN_AAD as admin."""
    return await start_teams()
