"""Test doubles for Teams: a recording fake Bot Connector and a client that posts activities."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import aiohttp
import jsonschema
from aiohttp import web

from bot.render.cards import CARD_CONTENT_TYPE, CARD_VERSION
from tests.conftest import DATA
from tests.loopback import serve_on_loopback

BOT_ID = "28:finops-bot"
BOT_NAME = "finops-bot"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
ADMIN_AAD = "0a1b2c3d-0000-4000-8000-00000000ad01"
USER_AAD = "0a1b2c3d-0000-4000-8000-0000000000e5"
APP_ID = "11111111-2222-3333-4444-555555555555"
SCHEMA = DATA / "adaptive-cards" / "adaptive-card-1.5.0.json"

Json = dict[str, Any]


@cache
def _card_validator() -> jsonschema.Draft6Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft6Validator(schema)


def card_problems(card: Json) -> list[str]:
    """Return why *card* is not a valid Adaptive Card 1.5 (empty when it is)."""
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
        for e in _card_validator().iter_errors(card)
    ]
    if card.get("version") != CARD_VERSION:
        problems.append(f"version is {card.get('version')!r}, not {CARD_VERSION!r}")
    return problems


@dataclass
class Posted:
    """One activity the bot sent to the fake connector."""

    conversation_id: str
    reply_to_id: str | None
    activity: Json
    authorization: str | None = None

    @property
    def card(self) -> Json:
        """Return the Adaptive Card of this activity (fails if it has none)."""
        cards = [
            a["content"]
            for a in self.activity.get("attachments") or []
            if a.get("contentType") == CARD_CONTENT_TYPE
        ]
        assert len(cards) == 1, self.activity
        card: Json = cards[0]
        return card

    @property
    def text(self) -> str:
        """Return everything a person would read: the activity text and all card texts."""
        parts = [self.activity.get("text") or ""]
        if self.activity.get("attachments"):
            parts.append(card_text(self.card))
        return "\n".join(p for p in parts if p)


@dataclass
class FakeConnector:
    """A fake Bot Connector service on 127.0.0.1:0: records each activity the bot sends.

    It is the `serviceUrl` of the test activities, so replies come here instead of Teams.
    Every card it receives is checked against the Adaptive Card 1.5 schema.
    """

    posted: list[Posted] = field(default_factory=list)
    invalid_cards: list[str] = field(default_factory=list)
    # What was PUT to /upload/{name} (OneDrive's upload session), as (headers, bytes).
    uploads: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    upload_status: int = 201
    _runner: web.AppRunner | None = None
    _port: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def start(self) -> FakeConnector:
        """Start serving on a free loopback port."""
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        app.router.add_post(
            "/v3/conversations/{conversation}/activities/{reply_to}", self._activity
        )
        app.router.add_put("/upload/{name}", self._upload)
        self._runner, self._port = await serve_on_loopback(app)
        return self

    async def close(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        """Return the serviceUrl to put in activities."""
        return f"http://127.0.0.1:{self._port}/"

    def upload_url(self, name: str) -> str:
        """Return the upload session URL Teams would hand the bot for *name*."""
        return f"{self.url}upload/{name}"

    def clear(self) -> None:
        """Forget what was posted so far."""
        self.posted.clear()

    def only(self) -> Posted:
        """Return the one activity posted so far (fails unless exactly one)."""
        assert len(self.posted) == 1, [p.activity for p in self.posted]
        return self.posted[0]

    async def _activity(self, request: web.Request) -> web.Response:
        body: Json = await request.json()
        posted = Posted(
            request.match_info["conversation"],
            request.match_info.get("reply_to"),
            body,
            request.headers.get("Authorization"),
        )
        self.posted.append(posted)
        for attachment in body.get("attachments") or []:
            if attachment.get("contentType") == CARD_CONTENT_TYPE:
                self.invalid_cards.extend(card_problems(attachment["content"]))
        return web.json_response({"id": f"reply-{next(self._ids)}"})

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads.append((dict(request.headers), await request.read()))
        return web.json_response({"id": "file-1"}, status=self.upload_status)


def card_text(node: Any) -> str:
    """Return every text, fact and button title in a card, joined by newlines."""
    out: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            for key in ("text", "title", "value", "label", "placeholder"):
                if isinstance(item.get(key), str):
                    out.append(item[key])
            for value in item.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(item, list):
            for element in item:
                walk(element)

    walk(node)
    return "\n".join(out)


def submit_actions(card: Json) -> list[Json]:
    """Return every Action.Submit in *card* (body ActionSets and the card's own actions)."""
    found: list[Json] = []

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            if item.get("type") == "Action.Submit":
                found.append(item)
            for value in item.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(item, list):
            for element in item:
                walk(element)

    walk(card)
    return found


def inputs(card: Json) -> dict[str, Json]:
    """Return the card's inputs by id."""
    return {
        element["id"]: element
        for element in card["body"]
        if str(element.get("type", "")).startswith("Input.")
    }


class TeamsClient:
    """Posts Bot Framework activities to our server's /api/messages, as Teams would."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession, service_url: str):
        """Post to *base_url*/api/messages; replies are to go to *service_url*."""
        self.url = base_url + "/api/messages"
        self.session = session
        self.service_url = service_url
        self._ids = itertools.count(1)

    def activity(
        self,
        kind: str = "message",
        *,
        conversation: str = "a:personal-chat",
        conversation_type: str = "personal",
        user: str = USER_AAD,
        **fields: Any,
    ) -> Json:
        """Return an activity from *user* to the bot in *conversation*."""
        return {
            "type": kind,
            "id": f"act-{next(self._ids)}",
            "timestamp": "2026-01-01T10:00:00.000Z",
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": f"29:{user[-4:]}", "name": "Ada", "aadObjectId": user},
            "conversation": {
                "id": conversation,
                "conversationType": conversation_type,
                "tenantId": TENANT,
                "isGroup": conversation_type != "personal",
            },
            "recipient": {"id": BOT_ID, "name": BOT_NAME},
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "en-US",
            **fields,
        }

    def message(self, text: str, **kw: Any) -> Json:
        """Return a message activity with *text*."""
        return self.activity("message", text=text, textFormat="plain", **kw)

    def mention(self, question: str, **kw: Any) -> Json:
        """Return a channel message that @mentions the bot, as Teams sends it."""
        kw.setdefault("conversation", "19:general@thread.tacv2;messageid=1700000000000")
        kw.setdefault("conversation_type", "channel")
        tag = f"<at>{BOT_NAME}</at>"
        entity = {
            "type": "mention",
            "mentioned": {"id": BOT_ID, "name": BOT_NAME},
            "text": tag,
        }
        return self.message(f"{tag} {question}", entities=[entity], **kw)

    def submit(self, data: Json, **kw: Any) -> Json:
        """Return what Teams sends for an Action.Submit click: no text, value = data."""
        return self.activity("message", value=data, **kw)

    def consent_answer(self, consent: Json, action: str, upload_url: str = "", **kw: Any) -> Json:
        """Return the `fileConsent/invoke` Teams sends when a consent card is answered."""
        card = consent["content"]
        value: Json = {"type": "fileUpload", "action": action}
        if action == "accept":
            value["context"] = card["acceptContext"]
            value["uploadInfo"] = {
                "name": consent["name"],
                "uploadUrl": upload_url,
                "contentUrl": f"https://contoso-my.sharepoint.com/personal/ada/{consent['name']}",
                "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C",
                "fileType": "csv",
            }
        else:
            value["context"] = card["declineContext"]
        return self.activity("invoke", name="fileConsent/invoke", value=value, **kw)

    async def post(
        self, activity: Json | str, *, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """Post *activity* (or a raw body); return (status, response text)."""
        body = activity if isinstance(activity, str) else json.dumps(activity)
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        async with self.session.post(self.url, data=body.encode(), headers=all_headers) as resp:
            return resp.status, await resp.text()

    async def send(self, activity: Json) -> None:
        """Post *activity* and require Teams' normal answer (202: replies went out already)."""
        status, text = await self.post(activity)
        assert status == 202, (status, text)
