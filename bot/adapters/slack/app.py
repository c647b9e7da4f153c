"""The Bolt AsyncApp: an explicit Web API client, the bot identity resolved once, listeners."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.dedup import ClaimSoon, EventDedup, TtlCache
from bot.adapters.slack.errors import StickyAckMiddleware, apologise
from bot.adapters.slack.listeners import SlackHandlers, register_listeners

logger = logging.getLogger(__name__)


class _UnusedEnvTokenFilter(logging.Filter):
    """Drops Bolt's warning that the SLACK_BOT_TOKEN it read from the environment is unused."""

    def filter(self, record: logging.LogRecord) -> bool:
        # We pass an explicit, token-less client and authorize=; Bolt still peeks at the
        # environment and warns. The token really is unused there, so the warning is noise.
        return "`token` will be unused" not in record.getMessage()


_UNUSED_ENV_TOKEN = _UnusedEnvTokenFilter()


class _RefusedBodyFilter(logging.Filter):
    """Drops Bolt's INFO line for a bad signature: it carries the request's whole body."""

    def filter(self, record: logging.LogRecord) -> bool:
        # SlackGate refuses such requests first, with a line that names only the reason;
        # this stops Bolt's copy (anyone's text, newlines and all) should one ever get by.
        return not str(record.msg).startswith("Invalid request signature detected")


_REFUSED_BODY = _RefusedBodyFilter()
# Bolt's verification middleware logs under this name (built from its class name).
VERIFICATION_LOGGER = "slack_bolt.RequestVerification"


class SlackAuthError(Exception):
    """auth.test refused the bot token or could not be reached; the message names no secret."""


WEB_API_LOGGER = "slack_sdk.web.async_client"


def build_web_client(api_url: str, session: aiohttp.ClientSession) -> AsyncWebClient:
    """Return a token-less Web API client on *session*, retrying connection errors and 429s."""
    # slack_sdk formats every request and response (the whole message, blocks and all) into
    # a debug line whenever its logger's own level is NOTSET, even though nothing is then
    # printed: a fifth of the cost of posting an answer. Give it INFO unless the operator set
    # a level on it (DEBUG there still shows every call).
    web_logger = logging.getLogger(WEB_API_LOGGER)
    if web_logger.level == logging.NOTSET:
        web_logger.setLevel(logging.INFO)
    # No token here: Bolt gives each request a copy carrying the token from authorize().
    return AsyncWebClient(
        base_url=api_url,
        session=session,
        logger=web_logger,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


class BotIdentity(AsyncAuthorize):
    """The bot's user id, bot id and team, from one auth.test shared by every request."""

    def __init__(self, client: AsyncWebClient, token: str) -> None:
        """Resolve the identity of *token* through *client* on first use."""
        self._client = client
        self._token = token
        self._result: AuthorizeResult | None = None
        # Concurrent first requests wait on one auth.test instead of each sending their own.
        self._lock = asyncio.Lock()

    @property
    def resolved(self) -> AuthorizeResult | None:
        """Return the cached identity, or None before the first resolve()."""
        return self._result

    async def resolve(self) -> AuthorizeResult:
        """Call auth.test once and cache the result; raise SlackAuthError if it fails."""
        if self._result is not None:
            return self._result
        async with self._lock:
            if self._result is None:
                try:
                    resp = await self._client.auth_test(token=self._token)
                except SlackApiError as exc:
                    raise SlackAuthError(
                        f"Slack refused SLACK_BOT_TOKEN: auth.test said {exc.response.get('error')}"
                    ) from None
                except (TimeoutError, aiohttp.ClientError) as exc:
                    raise SlackAuthError(
                        f"cannot reach the Slack API for auth.test: {exc or type(exc).__name__}"
                    ) from None
                self._result = AuthorizeResult(
                    enterprise_id=resp.get("enterprise_id"),
                    team_id=resp.get("team_id"),
                    team=resp.get("team"),
                    url=resp.get("url"),
                    bot_user_id=resp.get("user_id"),
                    bot_id=resp.get("bot_id"),
                    bot_token=self._token,
                )
                logger.info(
                    "connected to Slack as %s (user %s, bot %s) in team %s",
                    resp.get("user"),
                    resp.get("user_id"),
                    resp.get("bot_id"),
                    resp.get("team_id"),
                )
        return self._result

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult:
        """Bolt's authorize hook: the same cached identity for every request."""
        return await self.resolve()


def build_slack_app(
    *,
    client: AsyncWebClient,
    identity: BotIdentity,
    signing_secret: str | None,
    handlers: SlackHandlers,
    seen_events: TtlCache | None = None,
    claim_soon: ClaimSoon | None = None,
) -> AsyncApp:
    """Return the Bolt app with signature checks on, event_id dedup and every listener.

    *claim_soon* (the shared store's) extends the dedup across instances.
    """
    bolt_logger = logging.getLogger("slack_bolt.AsyncApp")
    if _UNUSED_ENV_TOKEN not in bolt_logger.filters:
        bolt_logger.addFilter(_UNUSED_ENV_TOKEN)
    verification_logger = logging.getLogger(VERIFICATION_LOGGER)
    if _REFUSED_BODY not in verification_logger.filters:
        verification_logger.addFilter(_REFUSED_BODY)
    app = AsyncApp(
        name="finops-bot",
        client=client,
        authorize=identity,
        # Passed explicitly (empty in Socket Mode, where Slack does not sign) so Bolt never
        # falls back to reading SLACK_SIGNING_SECRET from the environment itself.
        signing_secret=signing_secret or "",
        request_verification_enabled=True,
        ignoring_self_events_enabled=True,
        # A long-running server: ack first, answer after the 200 (Slack wants it within 3 s).
        process_before_response=False,
        # Off: it treats a DM thread as an AI-assistant thread, and say() there would first
        # call conversations.replies for "thread context" we never use.
        attaching_conversation_kwargs_enabled=False,
    )
    app.middleware(StickyAckMiddleware())
    app.middleware(EventDedup(seen_events or TtlCache(), claim_soon))
    register_listeners(app, handlers)
    # A listener that fails after its ack: one error line, and an apology to the person.
    app.error(apologise)
    return app
