"""Test doubles for Slack: a recording fake Web API and a client that signs like Slack."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.core.bot import Bot
from bot.core.reply import Message, Reply
from tests.loopback import serve_on_loopback

BOT_USER = "U_BOT"
BOT_ID = "B_BOT"
TEAM = "T1"
SECRET = "test-signing-secret"  # noqa: S105 - a fake secret for a fake Slack
TOKEN = "xoxb-test-token"  # noqa: S105


@dataclass
class Call:
    """One request the fake Slack received: the method (or 'webhook') and its parsed body."""

    method: str
    body: dict[str, Any]
    authorization: str | None = None

    def text(self) -> str:
        """Return the whole body as JSON text, for 'never appears anywhere' assertions."""
        return json.dumps(self.body, ensure_ascii=False)


@dataclass
class FakeSlack:
    """A fake Slack Web API on 127.0.0.1:0 that records every call and answers ok."""

    calls: list[Call] = field(default_factory=list)
    # method -> Slack error code, to make that method fail (e.g. not_in_channel).
    failures: dict[str, str] = field(default_factory=dict)
    # file id -> bytes POSTed to the upload URL that files.getUploadURLExternal handed out.
    uploads: dict[str, bytes] = field(default_factory=dict)
    # user id -> the IANA time zone users.info reports (Europe/Paris for anyone else).
    timezones: dict[str, str] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _port: int = 0
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def start(self) -> FakeSlack:
        """Start serving on a free loopback port."""
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack_sdk GETs users.info
        app.router.add_post("/webhook", self._webhook)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner, self._port = await serve_on_loopback(app)
        return self

    async def close(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """Return the base URL to use as SLACK_API_URL (no trailing slash, on purpose)."""
        return f"http://127.0.0.1:{self._port}/api"

    @property
    def webhook_url(self) -> str:
        """Return the URL to use as a response_url."""
        return f"http://127.0.0.1:{self._port}/webhook"

    def named(self, method: str) -> list[Call]:
        """Return the calls to *method* so far, in order."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 3.0) -> list[Call]:
        """Poll until *count* calls to *method* arrived (listeners run after the 200)."""
        deadline = time.monotonic() + within
        while len(self.named(method)) < count:
            if time.monotonic() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"expected {count} {method} call(s); saw {seen}")
            await asyncio.sleep(0.005)
        return self.named(method)

    async def wait_for_post(self, channel: str, within: float = 3.0) -> int:
        """Poll until a chat.postMessage to *channel* arrived; return its index in calls."""
        deadline = time.monotonic() + within
        while True:
            for n, call in enumerate(self.calls):
                if call.method == "chat.postMessage" and call.body.get("channel") == channel:
                    return n
            if time.monotonic() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"expected a chat.postMessage to {channel}; saw {seen}")
            await asyncio.sleep(0.005)

    async def _body(self, request: web.Request) -> dict[str, Any]:
        # slack_sdk sends some methods' arguments (files.*) as URL parameters.
        query = dict(request.query)
        raw = await request.text()
        if request.content_type == "application/json":
            parsed: dict[str, Any] = json.loads(raw or "{}")
            return {**query, **parsed}
        return {**query, **dict(parse_qsl(raw))}

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        self.calls.append(Call(method, body, request.headers.get("Authorization")))
        if method in self.failures:
            return web.json_response({"ok": False, "error": self.failures[method]})
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "url": "https://test.slack.com/",
                    "team": "Test",
                    "user": "finops-bot",
                    "team_id": TEAM,
                    "user_id": BOT_USER,
                    "bot_id": BOT_ID,
                }
            )
        if method == "chat.postMessage":
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": ts})
        if method == "chat.postEphemeral":
            return web.json_response({"ok": True, "message_ts": ts})
        if method.startswith("views."):
            return web.json_response({"ok": True, "view": {"id": "V1"}})
        if method == "users.info":
            user = str(body.get("user", ""))
            tz = self.timezones.get(user, "Europe/Paris")
            return web.json_response({"ok": True, "user": {"id": user, "tz": tz}})
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": "D" + body.get("users", "")}})
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):06d}"
            upload_url = f"http://127.0.0.1:{self._port}/upload/{file_id}"
            return web.json_response({"ok": True, "upload_url": upload_url, "file_id": file_id})
        if method == "files.completeUploadExternal":
            files = [{"id": f["id"], "title": f.get("title")} for f in json.loads(body["files"])]
            return web.json_response({"ok": True, "files": files})
        return web.json_response({"ok": True})

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        self.uploads[file_id] = await request.read()
        self.calls.append(Call("upload", {"file_id": file_id}))
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    async def _webhook(self, request: web.Request) -> web.Response:
        self.calls.append(Call("webhook", await self._body(request)))
        return web.Response(text="ok")


def texts(blocks: list[dict[str, Any]]) -> str:
    """Return every text a person would read in *blocks*, joined."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(out)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return every button in *blocks*, each with the block_id of its actions block."""
    return [
        {**element, "block_id": block.get("block_id")}
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


class SignedClient:
    """Sends requests to our server signed exactly as Slack signs them."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession, secret: str = SECRET):
        """Post to *base_url*/slack/events through *session*, signing with *secret*."""
        self.url = base_url + "/slack/events"
        self.base_url = base_url
        self.session = session
        self.verifier = SignatureVerifier(secret)

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """Post a raw *body*; return (status, response text)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = signature or self.verifier.generate_signature(timestamp=ts, body=body)
        assert sig is not None
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sig,
            **(headers or {}),
        }
        async with self.session.post(self.url, data=body.encode(), headers=all_headers) as resp:
            return resp.status, await resp.text()

    async def command(
        self,
        command: str,
        text: str,
        response_url: str,
        *,
        user_id: str = "U0USER",
        channel_id: str = "C0GENERAL",
    ) -> tuple[int, str]:
        """Send a slash command as a form-encoded body."""
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "test",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": "someone",
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": "1337.42.abcd",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def interaction(self, payload: dict[str, Any]) -> tuple[int, str]:
        """Send an interactivity payload (block_actions, view_submission) as `payload=`."""
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str,
        headers: dict[str, str] | None = None,
        **signing: Any,
    ) -> tuple[int, str]:
        """Send an Events API envelope around *event* as JSON."""
        envelope = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }
        return await self.post(json.dumps(envelope), "application/json", headers=headers, **signing)


def mention(
    text: str, ts: str, *, channel: str = "C0GENERAL", user: str = "U0USER"
) -> dict[str, Any]:
    """Return an app_mention event for *text* (which should contain <@U_BOT>)."""
    return {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }


def channel_message(
    text: str,
    ts: str,
    *,
    channel: str = "C0FAQ",
    channel_type: str = "channel",
    user: str = "U0USER",
    **extra: Any,
) -> dict[str, Any]:
    """Return a `message` event (channel_type channel, group or im)."""
    return {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "channel_type": channel_type,
        "event_ts": ts,
        **extra,
    }


def block_action(
    action_id: str,
    value: str,
    response_url: str,
    *,
    block_id: str = "reply_actions",
    channel: str = "C0GENERAL",
    message_ts: str = "1700000000.000009",
    thread_ts: str | None = None,
    ephemeral: bool = False,
    user: str = "U0USER",
) -> dict[str, Any]:
    """Return a block_actions payload for a button click on a message."""
    message: dict[str, Any] = {"type": "message", "ts": message_ts, "text": "..."}
    if thread_ts:
        message["thread_ts"] = thread_ts
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "1337.42.efgh",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "channel": {"id": channel, "name": "general"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "action_ts": "1700000001.000001",
            }
        ],
    }
    if not ephemeral:
        payload["message"] = message
    return payload


def vague_question(bot: Bot) -> tuple[str, Reply]:
    """Return a question the bot answers with "did you mean" choices, and that reply.

    Found at run time (generic words first, then single words from the FAQ questions), so
    the tests keep working while the matcher and the knowledge are tuned.
    """
    words = ["exam", "certification", "price", "levels", "cost", "course", "training"]
    for faq in bot.store.current.knowledge.faqs.values():
        words.extend(w for w in re.findall(r"[a-z]{5,}", faq.question.lower()) if w not in words)
    for word in words:
        reply = bot.handle(Message(word))
        if reply.kind == "suggest":
            return word, reply
    raise AssertionError("no single word produced 'did you mean' suggestions")
