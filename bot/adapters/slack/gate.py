"""The door of POST /slack/events: signature, timestamp and shape checked before Bolt sees it.

Bolt checks signatures too, but logs the whole body of every request it refuses (at INFO),
and a malformed body or timestamp header raises inside it (a 500 with a traceback). Here a
forged, replayed or malformed request gets 401 or 400 and one short log line naming only
the reason; Bolt still runs its own check on what passes.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

logger = logging.getLogger(__name__)

# Slack's rule: a request signed more than five minutes ago is refused (replay protection).
MAX_AGE_SECONDS = 300
_MAX_TIMESTAMP_DIGITS = 12
_REFUSED = {"error": "invalid request"}
_MALFORMED = {"error": "malformed request"}


class SlackGate:
    """Checks one request to /slack/events; returns the refusal, or None to let it through."""

    def __init__(self, signing_secret: str) -> None:
        """Verify requests signed with *signing_secret*."""
        self._verifier = SignatureVerifier(signing_secret)

    async def refuse(self, request: web.Request) -> web.Response | None:
        """Return a 401/400 for a request Slack did not sign or could not have sent."""
        # Over client_max_size (1 MiB) this raises HTTPRequestEntityTooLarge: a plain 413.
        body = await request.read()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            # Slack only sends UTF-8, and slack_sdk's verifier cannot even check other bytes.
            logger.warning("Slack request refused: body is not UTF-8")
            return web.json_response(_MALFORMED, status=400)
        reason = self._unsigned(request, text)
        if reason is not None:
            logger.warning("Slack request refused: %s", reason)
            return web.json_response(_REFUSED, status=401)
        reason = malformed(text, request.content_type)
        if reason is not None:
            # Signed by Slack yet unreadable: worth a line, still no body in it.
            logger.warning("Slack request refused: %s", reason)
            return web.json_response(_MALFORMED, status=400)
        return None

    def _unsigned(self, request: web.Request, body: str) -> str | None:
        """Return why the request is not validly signed, or None when it is."""
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not timestamp or not signature:
            return "no signature headers"
        if (
            not (timestamp.isascii() and timestamp.isdigit())
            or len(timestamp) > _MAX_TIMESTAMP_DIGITS
        ):
            return "timestamp header is not a number"
        if abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
            return "timestamp more than 5 minutes off (replayed, or the clock is wrong)"
        if not self._verifier.is_valid(body, timestamp, signature):
            return "signature does not match"
        return None


def malformed(text: str, content_type: str) -> str | None:
    """Return why a signed body cannot be a Slack request (as Bolt will parse it), or None."""
    if not text.strip():
        return "empty body"
    if _is_json(text, content_type):
        envelope = _json_object(text)
        return "body is not a JSON object" if envelope is None else _bad_shape(envelope)
    if "payload=" not in text:
        return None  # a slash command's form: nothing in it is read as an object
    form = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in form:
        payload = _json_object(form["payload"])
        return "payload is not a JSON object" if payload is None else _bad_shape(payload)
    return None


async def to_bolt_request(request: web.Request) -> AsyncBoltRequest:
    """Return the request as Bolt's, its form body parsed right (call after SlackGate)."""
    text = await request.text()  # already read and checked by the gate
    bolt = AsyncBoltRequest(body=text, query=request.query_string, headers=dict(request.headers))
    if not bolt.body and "payload" in text and not _is_json(text, request.content_type):
        # Bolt takes any form containing the word "payload" (`/finops-path payload ...`)
        # for an interactivity payload, finds none and parses the body as {}: a 404.
        form = dict(parse_qsl(text, keep_blank_values=True))
        if "payload" not in form:
            bolt.body = form
            bolt.context = build_async_context(AsyncBoltContext(), form)
    return bolt


def _is_json(text: str, content_type: str) -> bool:
    # The same choice as Bolt's parse_body: JSON by content type or a leading brace.
    return content_type == "application/json" or text.startswith("{")


# Keys Bolt or our listeners read as objects when present (they call .get on them). Null
# passes: Slack sends `"team": null` for org-wide apps, and Bolt copes with it.
_OBJECTS = ("user", "view", "container", "channel", "team", "message", "state")


def _bad_shape(body: dict[str, Any]) -> str | None:
    """Return why *body* would break Bolt's routing or our listeners, or None."""
    if "event" in body and not isinstance(body["event"], dict):
        return "event is not an object"
    for key in _OBJECTS:
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"{key} is not an object"
    event = body.get("event")
    if event is not None and not isinstance(event.get("type", ""), str):
        return "event type is not text"
    if "type" in body and not isinstance(body["type"], str):
        return "type is not text"
    actions = body.get("actions")
    if actions is not None and not (
        isinstance(actions, list) and actions and all(isinstance(a, dict) for a in actions)
    ):
        return "actions is not a list of objects"
    if body.get("type") == "block_actions" and actions is None:
        return "block_actions without actions"
    return None


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
