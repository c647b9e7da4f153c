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
    # The same choice as Bolt's parse_body: JSON by content type or a leading brace.
    if content_type == "application/json" or text.startswith("{"):
        return _bad_envelope(text)
    form = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in form:
        return _bad_json_object(form["payload"], "payload")
    return None


def _bad_envelope(text: str) -> str | None:
    envelope = _json_object(text)
    if envelope is None:
        return "body is not a JSON object"
    if "event" in envelope and not isinstance(envelope["event"], dict):
        return "event is not an object"
    return None


def _bad_json_object(text: str, what: str) -> str | None:
    return None if _json_object(text) is not None else f"{what} is not a JSON object"


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
