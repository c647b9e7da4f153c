"""Composition root for `finops-bot serve`: one aiohttp app serving Slack, Teams and /healthz."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot import heap
from bot.adapters.slack.app import BotIdentity, SlackAuthError, build_slack_app, build_web_client
from bot.adapters.slack.channels import ChannelRegistry
from bot.adapters.slack.gate import SlackGate, to_bolt_request
from bot.adapters.slack.listeners import SlackHandlers
from bot.adapters.slack.study import slack_sender
from bot.adapters.slack.teach import dm_sender
from bot.conversation.access import AccessRules
from bot.conversation.admin import AdminVerb, KnowledgeAdmin
from bot.conversation.quiz import QuizConversation
from bot.conversation.reminders import ReminderScheduler, Sender
from bot.conversation.service import ConversationService
from bot.conversation.study import StudyConversation
from bot.core.bot import Bot
from bot.core.reply import Message, Reply
from bot.core.store import KnowledgeStore
from bot.settings import Settings, TeamsSettings
from bot.storage.service import StoreService
from bot.storage.store import Storage

if TYPE_CHECKING:
    from bot.adapters.teams.app import TeamsEndpoint

logger = logging.getLogger(__name__)


class _MalformedHttpFilter(logging.Filter):
    """Turns aiohttp's traceback for HTTP it cannot parse into one WARNING line.

    Anyone can send a header over 8 KiB or a broken chunk; aiohttp answers 400 and would log
    "Error handling request" with a full traceback each time. Errors in our handlers keep
    their traceback: only HTTP parse errors are rewritten.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.msg = "malformed HTTP request refused (%s)"
            record.args = (type(exc).__name__,)
            record.exc_info = None
            record.exc_text = None
            record.levelno = logging.WARNING
            record.levelname = "WARNING"
        return True


_MALFORMED_HTTP = _MalformedHttpFilter()
_AIOHTTP_SERVER_LOGGER = "aiohttp.server"

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
TEAMS_PATH = "/api/messages"


def build_store(settings: Settings, store: KnowledgeStore) -> StoreService:
    """Return the shared store (SQLite file or DATABASE_URL) with its sync and admin verbs.

    Nothing connects yet: create_web_app starts it with the server.
    """
    storage = Storage(
        settings.store_url, salt=settings.hash_salt, retention_days=settings.retention_days
    )
    return StoreService(storage, store, settings.match)


def build_conversation(
    settings: Settings,
    store: KnowledgeStore,
    channels: ChannelRegistry,
    service: StoreService | None = None,
) -> ConversationService:
    """Return the conversation service: the core, the admin rules and verbs, the recorder.

    With *service*, the store's admin verbs (stats, unanswered, export, stale) are added,
    everything is recorded, thread memory is shared, and an admin reload is announced to
    every instance.
    """

    async def channels_verb(message: Message, args: str) -> Reply:
        return await channels.admin_command(message, args)

    if service is not None:
        # Opt-ins live in the shared store, so every instance sees an admin's change.
        channels.use_store(service.storage)
    knowledge = KnowledgeAdmin(
        store,
        on_reload=service.announce_reload if service is not None else None,
        status_lines=service.status_lines if service is not None else None,
    )
    verbs: dict[str, AdminVerb] = {**knowledge.verbs(), "channels": channels_verb}
    if service is not None:
        verbs.update(service.verbs())
    bot = Bot(store, settings.match)
    conversation = ConversationService(
        bot,
        # Slack user ids and Teams object ids (GUIDs) share one allow-list: they never collide.
        AccessRules(admins=settings.admins_all),
        verbs=verbs,
        recorder=service,
        # Practice progress in the shared store, so it follows people across instances.
        quiz=QuizConversation(store, service.quiz_progress if service is not None else None),
        # Thread memory in the store: a follow-up resolves on whichever instance gets it.
        context=service.storage.context if service is not None else None,
        study=StudyConversation(bot, service.storage.study if service is not None else None),
    )
    if service is not None:
        conversation.teaching = service.teaching
        conversation.reaching.update(service.reaching_verbs())  # `digest on` keeps an address
    return conversation


async def create_web_app(
    settings: Settings,
    conversation: ConversationService,
    channels: ChannelRegistry,
    service: StoreService | None = None,
) -> web.Application:
    """Return the aiohttp app: Slack (POST /slack/events, or Socket Mode), Teams and /healthz.

    Each platform is served only when its settings are present; Teams' POST /api/messages
    checks Bot Framework tokens itself, so nothing about it touches the Slack route.
    """
    _quiet_malformed_http()
    # One connection pool for every Web API call; closed on cleanup.
    session = aiohttp.ClientSession()
    slack = _build_slack(settings, session, conversation, channels, service)
    identity, slack_app, socket = slack.identity, slack.app, slack.socket
    senders: dict[str, Sender] = {"slack": slack.sender} if slack.sender is not None else {}

    async def healthz(request: web.Request) -> web.Response:
        version = conversation.bot.store.current.version
        body: dict[str, object] = {"status": "ok", "knowledge_version": version}
        if service is not None:
            # The store being down never makes the instance unhealthy: answering goes on.
            body["store"] = service.health()
        if socket is not None and not await socket.client.is_connected():
            return web.json_response({**body, "status": "disconnected"}, status=503)
        return web.json_response(body)

    warming: list[asyncio.Task[None]] = []

    async def startup(app: web.Application) -> None:
        # The identity is resolved once, here, before the first Slack request is served.
        try:
            if identity is not None:
                await identity.resolve()
            if socket is not None:
                await socket.connect_async()  # type: ignore[no-untyped-call]
                logger.info("Socket Mode connected; %s is not served", SLACK_PATH)
            if service is not None:
                await _start_store(service)
        except BaseException:
            # aiohttp skips cleanup when start-up fails: close the pool here.
            await session.close()
            raise
        logger.info("serving knowledge version %s", conversation.bot.store.current.version)
        # Off the loop and after /healthz answers: the first questions need not wait for it.
        warming.append(asyncio.create_task(asyncio.to_thread(conversation.bot.store.current.warm)))

    async def cleanup(app: web.Application) -> None:
        await asyncio.gather(*warming, return_exceptions=True)
        if socket is not None:
            await socket.close_async()  # type: ignore[no-untyped-call]
        if service is not None:
            await _close_store(service)
        await session.close()

    app = web.Application()
    app.router.add_get(HEALTH_PATH, healthz)
    if slack_app is not None and socket is None:
        # HTTP mode: settings refuse to start without a signing secret.
        gate = SlackGate(settings.slack_signing_secret or "")
        app.router.add_post(SLACK_PATH, _slack_events(slack_app, gate))
    if settings.teams is not None:
        # The Bot Framework JWT check lives inside this one route's handler: Slack's route
        # (signed its own way) never passes through it.
        teams = _teams_endpoint(settings.teams, conversation)
        app.router.add_post(TEAMS_PATH, teams.handle)
        app.on_cleanup.append(lambda _: _close(teams))
        senders["teams"] = teams.send_proactive
        if service is not None:
            # The weekly digest reaches Teams admins at the chat they opted in from.
            service.digest.addressed["teams"] = teams.send_proactive
    _wire_reminders(service, conversation, senders)
    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    return app


@dataclass(frozen=True)
class _Slack:
    """The Slack side of the server, when configured: Bolt app, identity, socket, sender."""

    identity: BotIdentity | None = None
    app: AsyncApp | None = None
    socket: AsyncSocketModeHandler | None = None
    sender: Sender | None = None


def _build_slack(
    settings: Settings,
    session: aiohttp.ClientSession,
    conversation: ConversationService,
    channels: ChannelRegistry,
    service: StoreService | None,
) -> _Slack:
    if settings.slack_bot_token is None:
        return _Slack()
    client = build_web_client(settings.slack_api_url, session)
    identity = BotIdentity(client, settings.slack_bot_token)
    slack_app = build_slack_app(
        client=client,
        identity=identity,
        signing_secret=settings.slack_signing_secret,
        handlers=SlackHandlers(
            conversation,
            channels,
            storage=service.storage if service is not None else None,
            summary=service.admin_summary if service is not None else None,
        ),
        claim_soon=service.storage.claim_soon if service is not None else None,
    )
    if service is not None:
        service.digest.senders["slack"] = dm_sender(client)  # the weekly digest's DMs
    socket = None
    if settings.slack_app_token is not None:
        socket = AsyncSocketModeHandler(
            slack_app, app_token=settings.slack_app_token, web_client=client
        )
    return _Slack(identity, slack_app, socket, slack_sender(client))


def _quiet_malformed_http() -> None:
    server_logger = logging.getLogger(_AIOHTTP_SERVER_LOGGER)
    if _MALFORMED_HTTP not in server_logger.filters:
        server_logger.addFilter(_MALFORMED_HTTP)


def _wire_reminders(
    service: StoreService | None, conversation: ConversationService, senders: dict[str, Sender]
) -> None:
    if service is not None:
        # Every instance runs one; the store's claim makes each nudge go out once.
        service.reminders = ReminderScheduler(conversation.study, service.storage.study, senders)


async def _start_store(service: StoreService) -> None:
    # Never raises: an unreachable database is retried in the background.
    await service.start()
    if service.reminders is not None:
        service.reminders.start()


async def _close_store(service: StoreService) -> None:
    if service.reminders is not None:
        await service.reminders.close()
    await service.close()


def _slack_events(
    slack_app: AsyncApp, gate: SlackGate
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def slack_events(request: web.Request) -> web.Response:
        refused = await gate.refuse(request)
        if refused is not None:
            return refused
        bolt_response = await slack_app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    return slack_events


async def _close(teams: TeamsEndpoint) -> None:
    teams.close()


def _teams_endpoint(teams: TeamsSettings, conversation: ConversationService) -> TeamsEndpoint:
    # Imported only when Teams is configured: the Agents SDK takes ~0.3 s to load.
    from bot.adapters.teams.app import TeamsEndpoint  # noqa: PLC0415
    from bot.adapters.teams.handlers import TeamsHandlers  # noqa: PLC0415

    if teams.anonymous:
        logger.warning(
            "TEAMS_ANONYMOUS is on: %s accepts requests without a Bot Framework token, and "
            "anyone who can reach it can act as any user (admins too); local testing only",
            TEAMS_PATH,
        )
    return TeamsEndpoint(
        TeamsHandlers(conversation, loopback_uploads=teams.anonymous),
        app_id=teams.app_id,
        app_password=teams.app_password,
        tenant_id=teams.tenant_id,
        anonymous=teams.anonymous,
    )


def run_server(
    settings: Settings,
    conversation: ConversationService,
    channels: ChannelRegistry,
    host: str,
    service: StoreService | None = None,
) -> int:
    """Serve until interrupted; return 1 with one line on stderr if Slack refuses the token."""

    async def serving_app() -> web.Application:
        app = await create_web_app(settings, conversation, channels, service)
        app.on_startup.append(_tune_gc)  # last: after every other start-up step
        return app

    try:
        web.run_app(
            serving_app(),
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


async def _tune_gc(app: web.Application) -> None:
    """Keep the cyclic GC off what lives for the whole process and off requests in flight.

    Start-up builds ~100k objects (libraries, the knowledge snapshot) that live as long as
    the process, yet every full collection walked them: 40-60 ms during which no request
    moved. They are frozen: still freed by reference counting (a snapshot replaced by a
    reload goes as before, see tests/test_store.py), never scanned.

    Under load, requests in flight hold ~13k young objects (coroutines, frames, headers).
    At Python's default threshold (a collection per 700 new containers) the collector ran
    150 times per 1,000 mentions, rescanning them each time: a quarter of a mention's CPU.
    At GC_YOUNG_THRESHOLD it runs about once per 1,000 mentions, for what reference counting
    cannot free (cycles); docs/slack.md has the figures.
    """
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    logger.debug("froze %d start-up objects out of the cyclic GC", gc.get_freeze_count())
    heap.trim()


# New container objects between young collections (Python's default: 700).
GC_YOUNG_THRESHOLD = 20_000
