"""Composition root for `finops-bot serve`: one aiohttp app serving Slack and /healthz."""

from __future__ import annotations

import logging
import sys

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.adapters.slack.app import BotIdentity, SlackAuthError, build_slack_app, build_web_client
from bot.adapters.slack.channels import ChannelRegistry
from bot.adapters.slack.listeners import SlackHandlers
from bot.core.bot import Bot, BotSettings
from bot.core.store import KnowledgeStore
from bot.settings import Settings

logger = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def build_bot(settings: Settings, store: KnowledgeStore, channels: ChannelRegistry) -> Bot:
    """Return the Bot with the configured thresholds, admins and the Slack `channels` verb."""
    return Bot(
        store,
        BotSettings(match=settings.match, admins=settings.admins),
        admin_commands={"channels": channels.admin_command},
    )


async def create_web_app(
    settings: Settings, bot: Bot, channels: ChannelRegistry
) -> web.Application:
    """Return the aiohttp app: POST /slack/events (HTTP mode) or Socket Mode, and GET /healthz."""
    # One connection pool for every Web API call; closed on cleanup.
    session = aiohttp.ClientSession()
    client = build_web_client(settings.slack_api_url, session)
    identity = BotIdentity(client, settings.slack_bot_token)
    slack_app = build_slack_app(
        client=client,
        identity=identity,
        signing_secret=settings.slack_signing_secret,
        handlers=SlackHandlers(bot, channels),
    )
    socket: AsyncSocketModeHandler | None = None
    if settings.slack_app_token is not None:
        socket = AsyncSocketModeHandler(
            slack_app, app_token=settings.slack_app_token, web_client=client
        )

    async def slack_events(request: web.Request) -> web.Response:
        bolt_response = await slack_app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def healthz(request: web.Request) -> web.Response:
        body = {"status": "ok", "knowledge_version": bot.store.current.version}
        if socket is not None and not await socket.client.is_connected():
            return web.json_response({**body, "status": "disconnected"}, status=503)
        return web.json_response(body)

    async def startup(app: web.Application) -> None:
        # The identity is resolved once, here, before the first Slack request is served.
        try:
            await identity.resolve()
            if socket is not None:
                await socket.connect_async()  # type: ignore[no-untyped-call]
                logger.info("Socket Mode connected; %s is not served", SLACK_PATH)
        except BaseException:
            # aiohttp skips cleanup when start-up fails: close the pool here.
            await session.close()
            raise
        logger.info("serving knowledge version %s", bot.store.current.version)

    async def cleanup(app: web.Application) -> None:
        if socket is not None:
            await socket.close_async()  # type: ignore[no-untyped-call]
        await session.close()

    app = web.Application()
    app.router.add_get(HEALTH_PATH, healthz)
    if socket is None:
        app.router.add_post(SLACK_PATH, slack_events)
    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    return app


def run_server(settings: Settings, bot: Bot, channels: ChannelRegistry, host: str) -> int:
    """Serve until interrupted; return 1 with one line on stderr if Slack refuses the token."""
    try:
        web.run_app(
            create_web_app(settings, bot, channels),
            host=host,
            port=settings.port,
            print=None,
            # Slack sends many small requests; our own log lines say what matters.
            access_log=None,
        )
    except SlackAuthError as exc:
        print(f"finops-bot serve: {exc}", file=sys.stderr)
        return 1
    return 0
