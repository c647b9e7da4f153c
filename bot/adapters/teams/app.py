"""The Teams endpoint: Bot Framework JWT checks on its one route, then the Agents SDK."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from microsoft_agents.activity import ConversationReference
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    ApplicationOptions,
    ClaimsIdentity,
    ConnectionManager,
    Connections,
    JwtTokenValidator,
    MemoryStorage,
    OutboundHostValidator,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.http import HttpResponse
from pydantic import ValidationError

from bot.adapters.teams.handlers import TeamsHandlers, register_routes, send_reply
from bot.adapters.teams.keys import KeysBusyError, SigningKeys
from bot.core.reply import Reply

logger = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again."
_UNAUTHORIZED = {"error": "Unauthorized"}
_BUSY = {"error": "Busy; try again shortly"}
_NOISY_SDK_LOGGER = "microsoft_agents.hosting.core.connector.client.user_token_client"


class _NoAppIdFilter(logging.Filter):
    """Drops the SDK's per-turn warning that an anonymous caller has no app id."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Every anonymous turn builds a user-token client without an app id, and the SDK
        # warns each time. Anonymous mode is already announced once at start-up.
        return not record.getMessage().startswith("App ID is not provided")


_NO_APP_ID = _NoAppIdFilter()


class _InvalidActivityFilter(logging.Filter):
    """Drops the SDK's ERROR-with-traceback for an activity that does not validate."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Anyone who reaches the route can send one (and its message quotes their input);
        # handle() answers 400 and logs one short line of its own instead.
        return not str(record.msg).startswith("Validation error for Activity")


_INVALID_ACTIVITY = _InvalidActivityFilter()
_ACTIVITY_LOGGER = "microsoft_agents.activity.activity"


class TeamsEndpoint:
    """Serves POST /api/messages for Teams; every request is authenticated here, and only here.

    The JWT check is scoped to this handler, not an app-wide middleware, so the Slack routes
    on the same server never see it. Without a valid Bot Framework token a request gets 401
    before any activity is parsed; *anonymous* (local testing only) also accepts requests
    that carry no Authorization header at all, as the SDK's ANONYMOUS_ALLOWED does.
    """

    def __init__(
        self,
        handlers: TeamsHandlers,
        *,
        app_id: str | None = None,
        app_password: str | None = None,
        tenant_id: str | None = None,
        anonymous: bool = False,
    ) -> None:
        """Wire the SDK: connection manager, CloudAdapter, AgentApplication and its routes."""
        if not anonymous and not (app_id and app_password and tenant_id):
            raise ValueError("Teams needs an app id, password and tenant id unless anonymous")
        self.anonymous = anonymous
        self.app_id = app_id or ""
        config = AgentAuthConfiguration(
            client_id=app_id,
            client_secret=app_password,
            tenant_id=tenant_id,
            anonymous_allowed=anonymous,
            # Only Bot Framework's and our tenant's issuers (the SDK's default is any issuer
            # whose keys verify).
            validate_issuer=not anonymous,
        )
        connections: Connections
        if anonymous:
            noisy = logging.getLogger(_NOISY_SDK_LOGGER)
            if _NO_APP_ID not in noisy.filters:
                noisy.addFilter(_NO_APP_ID)
            # No credentials: replies go out without a token (what the Agents Playground and
            # the SDK's own test harness expect).
            connections = ConnectionManager(
                provider_factory=_anonymous_provider,
                connections_configurations={"SERVICE_CONNECTION": config},
            )
        else:
            connections = MsalConnectionManager(
                connections_configurations={"SERVICE_CONNECTION": config}
            )
        activity_logger = logging.getLogger(_ACTIVITY_LOGGER)
        if _INVALID_ACTIVITY not in activity_logger.filters:
            activity_logger.addFilter(_INVALID_ACTIVITY)
        self._validator = JwtTokenValidator(config)
        # Our own key manager (cached keys, short timeout, own small pool): a hanging key
        # endpoint must not stall the rest of the server (see bot/adapters/teams/keys.py).
        self._keys = SigningKeys()
        self._validator._jwk_client_manager = self._keys
        self.adapter = CloudAdapter(
            connection_manager=connections,
            # With real tokens, replies only ever go to Microsoft's channel hosts over HTTPS
            # (the SDK's allow-list). Anonymous mode talks to local tools on loopback.
            host_validator=OutboundHostValidator(enabled=not anonymous),
        )
        self.adapter.on_turn_error = _on_turn_error
        self.app = AgentApplication[TurnState](
            ApplicationOptions(
                storage=MemoryStorage(),
                # Answers are computed in memory: a typing indicator would only add a call.
                start_typing_timer=False,
                remove_recipient_mention=True,
                # No conversation or user state is kept between turns.
                turn_state_factory=TurnState,
            ),
            connection_manager=connections,
        )
        register_routes(self.app, handlers)

    async def handle(self, request: web.Request) -> web.Response:
        """Authenticate, then run the activity through the agent; 202, or the sync reply."""
        try:
            claims = await self._authenticate(request.headers.get("Authorization"))
        except KeysBusyError:
            logger.warning("Teams request refused: too many waiting for the signing keys")
            return web.json_response(_BUSY, status=503, headers={"Retry-After": "10"})
        if claims is None:
            return web.json_response(_UNAUTHORIZED, status=401)
        # Read now, so a body over client_max_size is a 413 (the SDK would say 400).
        await request.read()
        try:
            result = await self.adapter.process_request(_ActivityRequest(request, claims), self.app)
        except ValidationError:
            logger.warning("Teams request refused: not a valid activity")
            return web.json_response({"error": "Not a valid activity"}, status=400)
        return _to_response(result)

    async def _authenticate(self, header: str | None) -> ClaimsIdentity | None:
        """Return the caller's claims, or None when the request must be refused (401)."""
        if header is None:
            return self._validator.get_anonymous_claims() if self.anonymous else None
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or any(ch.isspace() for ch in token):
            logger.warning("Teams request refused: malformed Authorization header")
            return None
        try:
            return await self._validator.validate_token(token)
        except KeysBusyError:
            raise
        except Exception as exc:  # any failure to validate means "refuse"
            # Only the type: the message could echo claims from an attacker's token.
            logger.warning("Teams request refused: token did not validate (%s)", type(exc).__name__)
            return None

    async def send_proactive(self, address: str, reply: Reply) -> None:
        """Send *reply* into the conversation whose reference is *address*; raise if it failed.

        Used for reminders and the weekly digest.
        """
        reference = ConversationReference.model_validate_json(address)
        failed: list[Exception] = []

        async def deliver(context: TurnContext) -> None:
            try:
                await send_reply(context, reply)
            except Exception as exc:
                # Kept from the turn-error handler: it would post an apology into a chat
                # nobody wrote in, and the caller would count the message as delivered.
                failed.append(exc)

        # No id: the nudge is a new message in the chat, not a reply to a made-up activity.
        activity = reference.get_continuation_activity().model_copy(update={"id": None})
        if self.anonymous:
            # Local testing: the same anonymous identity incoming turns get (no token).
            claims = self._validator.get_anonymous_claims()
            await self.adapter.continue_conversation_with_claims(claims, activity, deliver)
        else:
            await self.adapter.continue_conversation(self.app_id, activity, deliver)
        if failed:
            raise failed[0]

    def close(self) -> None:
        """Release the signing-key pool (called when the server stops)."""
        self._keys.close()


class _ActivityRequest:
    """The aiohttp request as the SDK's HttpRequestProtocol, carrying the checked claims."""

    def __init__(self, request: web.Request, claims: ClaimsIdentity) -> None:
        self._request = request
        self._claims = claims

    @property
    def method(self) -> str:
        return self._request.method

    @property
    def headers(self) -> Mapping[str, str]:
        return self._request.headers

    async def json(self) -> dict[str, Any]:
        body = await self._request.json()
        if not isinstance(body, dict):
            # The SDK answers 400 when reading the body fails.
            raise ValueError("an activity is a JSON object")
        service_url = body.get("serviceUrl")
        if not isinstance(service_url, str) or not _is_http_url(service_url):
            # Every reply (expectReplies ones too) is addressed through it, and the SDK would
            # build its reply client on a bad one and fail with a 500: refuse up front.
            logger.info("Teams request refused: activity without an http(s) serviceUrl")
            raise ValueError("an activity needs an http(s) serviceUrl")
        return body

    def get_claims_identity(self) -> ClaimsIdentity:
        return self._claims

    def get_path_param(self, name: str) -> str:
        return self._request.match_info[name]


def _is_http_url(value: object) -> bool:
    if not isinstance(value, str) or not value.isprintable() or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _to_response(result: HttpResponse) -> web.Response:
    if result.body is not None:
        return web.json_response(result.body, status=result.status_code, headers=result.headers)
    return web.Response(status=result.status_code, headers=result.headers)


def _anonymous_provider(config: AgentAuthConfiguration) -> AnonymousTokenProvider:
    return AnonymousTokenProvider()


async def _on_turn_error(context: TurnContext, error: Exception) -> None:
    """Log a failed turn and apologise, without showing the person the exception."""
    logger.error("Teams turn failed", exc_info=error)
    try:
        await context.send_activity(SORRY)
    except Exception:  # the conversation may be gone; the log has the cause
        logger.warning("could not send the apology for a failed Teams turn")
