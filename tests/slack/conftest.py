"""Slack fixtures: the fake Web API and our real aiohttp server on loopback, wired to it."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from bot.storage.store import Storage
from tests.loopback import serve_on_loopback
from tests.slack.fakes import BOT_USER, SECRET, TOKEN, Call, FakeSlack, SignedClient, mention

ADMIN = "U0ADMIN"
OPTED_IN = "C0FAQ"
# Where marker mentions go: a channel no test uses otherwise.
MARKER_CHANNEL = "C0MARKER"
_markers = itertools.count(1)


@dataclass
class Harness:
    """Our server running on loopback against the fake Slack, plus handles to inspect it."""

    fake: FakeSlack
    slack: SignedClient
    base_url: str
    bot: Bot
    conversation: ConversationService
    channels: ChannelRegistry
    settings: Settings
    session: aiohttp.ClientSession
    service: StoreService | None = None

    @property
    def storage(self) -> Storage:
        """Return the server's store (every harness server has one unless started without)."""
        assert self.service is not None
        return self.service.storage

    async def calls_before_marker(self) -> list[Call]:
        """Send a mention that is always answered, wait for that answer, and return the Web
        API calls made before it: what earlier requests (wrongly) posted shows up here, with
        no fixed sleep."""
        n = next(_markers)
        text = f"<@{BOT_USER}> how long is the FOCP exam?"
        event = mention(text, f"1799999999.{n:06d}", channel=MARKER_CHANNEL)
        status, _ = await self.slack.event(event, event_id=f"EvMarker{n}")
        assert status == 200
        return self.fake.calls[: await self.fake.wait_for_post(MARKER_CHANNEL)]

    async def health(self) -> dict[str, Any]:
        """Return GET /healthz as JSON."""
        async with self.session.get(self.base_url + "/healthz") as resp:
            body: dict[str, Any] = await resp.json()
            return body


def slack_env(fake: FakeSlack, tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Return the environment `finops-bot serve` would read for a test server."""
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "FINOPS_ADMINS": ADMIN,
        "FINOPS_CHANNELS": OPTED_IN,
        "FINOPS_STATE_FILE": str(tmp_path / "state.json"),
        "FINOPS_DB_PATH": str(tmp_path / "finops.db"),
    }
    env.update(overrides)
    return env


@pytest.fixture(name="fake_slack")
async def _fake_slack() -> AsyncIterator[FakeSlack]:
    """Run the recording fake Slack Web API for one test."""
    fake = await FakeSlack().start()
    yield fake
    await fake.close()


StartServer = Callable[..., Awaitable[Harness]]


@pytest.fixture(name="start_server")
async def _start_server(
    fake_slack: FakeSlack, tmp_path: Path, bundled_store: KnowledgeStore
) -> AsyncIterator[StartServer]:
    """Return a starter for our server (optionally on another knowledge store or env)."""
    runners: list[web.AppRunner] = []
    session = aiohttp.ClientSession()

    async def start(
        store: KnowledgeStore | None = None,
        *,
        with_store: bool = True,
        poll_interval: float | None = None,
        **env: str,
    ) -> Harness:
        settings = load_settings(slack_env(fake_slack, tmp_path, **env))
        channels = ChannelRegistry.load(settings.channels, settings.state_file)
        knowledge = store or bundled_store
        service = build_store(settings, knowledge) if with_store else None
        if service is not None and poll_interval is not None:
            service.sync.interval = poll_interval
        conversation = build_conversation(settings, knowledge, channels, service)
        app = await create_web_app(settings, conversation, channels, service)
        runner, port = await serve_on_loopback(app)
        runners.append(runner)
        base_url = f"http://127.0.0.1:{port}"
        return Harness(
            fake=fake_slack,
            slack=SignedClient(base_url, session),
            base_url=base_url,
            bot=conversation.bot,
            conversation=conversation,
            channels=channels,
            settings=settings,
            session=session,
            service=service,
        )

    yield start
    for runner in runners:
        await runner.cleanup()
    await session.close()


@pytest.fixture(name="slack")
async def _slack(start_server: StartServer) -> Harness:
    """Return our server on the bundled knowledge, with U0ADMIN as admin and C0FAQ opted in."""
    return await start_server()
