"""What happens when a Slack listener fails after its ack: one error line, one apology."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again."


async def apologise(
    error: Exception, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Bolt's error handler (`app.error`): log the failure once and tell the person, privately.

    Through the response_url when the request had one (commands, buttons), else as an
    ephemeral in the channel, else in a DM. Nothing from the error reaches the person.
    """
    what = _what(body)
    logger.error("Slack %s failed (%s)", what, type(error).__name__, exc_info=error)
    try:
        # Bolt gives every request a respond(); only one with a response_url can use it.
        if context.respond is not None and context.respond.response_url:
            await context.respond(text=SORRY, response_type="ephemeral", replace_original=False)
        elif context.user_id and context.channel_id:
            await client.chat_postEphemeral(
                channel=context.channel_id, user=context.user_id, text=SORRY
            )
        elif context.user_id:
            await client.chat_postMessage(channel=context.user_id, text=SORRY)
    except Exception as exc:  # nothing may escape Bolt's task; the log has the cause
        logger.warning(
            "could not send the apology for a failed Slack %s (%s)", what, type(exc).__name__
        )


def _what(body: dict[str, Any]) -> str:
    """Name the kind of request (a command name, an event or payload type) for the log."""
    if isinstance(body.get("command"), str):
        return f"command {body['command'][:40]}"
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("type"), str):
        return f"event {event['type'][:40]}"
    kind = body.get("type")
    return f"request {kind[:40]}" if isinstance(kind, str) else "request"


class _StickyAck(AsyncAck):
    """An ack whose response, once set, is never taken back.

    Bolt (1.2x, process_before_response=False) runs the listener in a task while the request
    waits for the ack; when the listener fails after acking, the runner sets the ack's
    response back to None, and a request that had not yet seen the ack waits 3 s and
    answers 404 (Slack then shows "dispatch_failed" and retries events).
    """

    @property
    def response(self) -> BoltResponse | None:
        return self._sticky

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is not None or getattr(self, "_sticky", None) is None:
            self._sticky = value


class StickyAckMiddleware(AsyncMiddleware):
    """Global Bolt middleware giving each request a _StickyAck (see there why)."""

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # Bolt passes it by this name
    ) -> BoltResponse | None:
        """Swap in the sticky ack, then go on."""
        req.context["ack"] = _StickyAck()  # type: ignore[no-untyped-call]
        return await next()
