"""`admin export` in Teams: consent card, upload to the admin's OneDrive, file card."""

from __future__ import annotations

import csv
import io
import json
import logging
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.adapters.teams import files
from bot.adapters.teams.files import (
    CONSENT_CONTENT_TYPE,
    INFO_CONTENT_TYPE,
    UploadError,
    read_consent,
    upload,
    upload_allowed,
)
from bot.adapters.teams.handlers import FILE_DECLINED
from bot.storage.schema import admin_actions
from tests.dbutil import with_db
from tests.loopback import serve_on_loopback
from tests.teams.conftest import StartTeams, TeamsHarness
from tests.teams.fakes import ADMIN_AAD, USER_AAD, Json

QUESTION = "how long is the FOCP exam?"


async def _export_offer(teams: TeamsHarness, command: str = "admin export") -> Json:
    """Record one question, ask for an export as the admin; return the consent card sent."""
    await teams.teams.send(teams.teams.message(QUESTION))
    assert teams.service is not None
    await teams.service.storage.flush()
    teams.connector.clear()
    await teams.teams.send(teams.teams.message(command, user=ADMIN_AAD))
    consents = [
        a
        for p in teams.connector.posted
        for a in p.activity.get("attachments") or []
        if a["contentType"] == CONSENT_CONTENT_TYPE
    ]
    assert len(consents) == 1, [p.activity for p in teams.connector.posted]
    consent: Json = consents[0]
    return consent


async def _invoke(teams: TeamsHarness, activity: Json) -> tuple[int, Json]:
    status, text = await teams.teams.post(activity)
    return status, json.loads(text) if text else {}


async def _answer_offer(
    teams: TeamsHarness, action: str, *, user: str = ADMIN_AAD, upload_url: str | None = None
) -> tuple[Json, int]:
    """Offer an export, then answer its card as *user*; return the card and the invoke status.

    An accept uploads to the fake OneDrive target unless *upload_url* names another place.
    """
    consent = await _export_offer(teams)
    teams.connector.clear()
    url = upload_url or teams.connector.upload_url(consent["name"])
    answer = teams.teams.consent_answer(consent, action, url, user=user)
    status, _ = await _invoke(teams, answer)
    return consent, status


def _file_cards(teams: TeamsHarness) -> list[Json]:
    return [
        a
        for p in teams.connector.posted
        for a in p.activity.get("attachments") or []
        if a["contentType"] == INFO_CONTENT_TYPE
    ]


async def test_export_offers_the_csv_through_a_consent_card(start_teams: StartTeams) -> None:
    """The admin reads how many rows, and gets a card asking to save the CSV to OneDrive."""
    teams = await start_teams(with_store=True)
    consent = await _export_offer(teams, "admin export 30")
    summary = teams.connector.posted[0].text
    assert "1 recorded question(s)" in summary
    assert "Accept the file below" in summary
    assert consent["name"].endswith("-30d.csv")
    card = consent["content"]
    assert card["sizeInBytes"] > 0
    assert card["acceptContext"]["command"] == "export 30"
    assert "30 days" in card["description"]


async def test_accepting_uploads_the_csv_and_shows_the_file(start_teams: StartTeams) -> None:
    """Accepting puts the CSV at Teams' upload URL and posts a card that opens the file."""
    teams = await start_teams(with_store=True)
    consent, status = await _answer_offer(teams, "accept")
    assert status == 200
    [(headers, body)] = teams.connector.uploads
    assert headers["Content-Range"] == f"bytes 0-{len(body) - 1}/{len(body)}"
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [r["question"] for r in rows] == [QUESTION]
    assert USER_AAD not in body.decode()  # people only as salted hashes
    [card] = _file_cards(teams)
    assert card["name"] == consent["name"]
    assert card["contentUrl"].startswith("https://contoso-my.sharepoint.com/")
    assert card["content"] == {
        "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C",
        "fileType": "csv",
    }
    assert teams.service is not None
    await teams.service.storage.flush()
    audit = await with_db(
        teams.settings.store_url,
        lambda conn: conn.execute(
            select(admin_actions.c.verb, admin_actions.c.args, admin_actions.c.allowed)
        ).all(),
    )
    # The export is built again when the file is accepted (the admin may have lost the role).
    assert [tuple(a) for a in audit] == [("export", "", True), ("export", "", True)]


async def test_declining_sends_nothing(start_teams: StartTeams) -> None:
    """A decline is acknowledged in words; nothing is uploaded."""
    teams = await start_teams(with_store=True)
    _, status = await _answer_offer(teams, "decline")
    assert status == 200
    assert teams.connector.only().text == FILE_DECLINED
    assert teams.connector.uploads == []


async def test_only_an_admin_can_accept(start_teams: StartTeams) -> None:
    """An accept from someone who is not an admin is refused like the command itself."""
    teams = await start_teams(with_store=True)
    _, status = await _answer_offer(teams, "accept", user=USER_AAD)
    assert status == 200
    assert teams.connector.uploads == []
    assert _file_cards(teams) == []
    assert "only" in teams.connector.only().text.lower()


async def test_an_upload_url_that_is_not_https_is_refused(
    start_teams: StartTeams, caplog: pytest.LogCaptureFixture
) -> None:
    """Plain HTTP off loopback is never used, even in anonymous mode (no request is made)."""
    teams = await start_teams(with_store=True)
    with caplog.at_level(logging.WARNING):
        _, status = await _answer_offer(
            teams, "accept", upload_url="http://files.example.invalid/upload"
        )
    assert status == 200
    assert "can't trust" in teams.connector.only().text
    assert "not HTTPS" in caplog.text


async def test_a_refused_upload_is_reported(start_teams: StartTeams) -> None:
    """When OneDrive refuses the bytes, the admin is told and no file card is posted."""
    teams = await start_teams(with_store=True)
    teams.connector.upload_status = 507
    _, status = await _answer_offer(teams, "accept")
    assert status == 200
    assert "HTTP 507" in teams.connector.only().text
    assert _file_cards(teams) == []


async def test_a_consent_answer_that_is_not_ours_gets_400(teams: TeamsHarness) -> None:
    """An invoke whose context we never sent (or a tampered command) is refused."""
    forged = teams.teams.activity(
        "invoke",
        name="fileConsent/invoke",
        value={"action": "accept", "context": {"kind": "finops-export", "command": "reload"}},
        user=ADMIN_AAD,
    )
    status, _ = await _invoke(teams, forged)
    assert status == 400
    assert teams.connector.posted == []


# ----- the pieces


def _accept(**info: Any) -> Json:
    upload_info = {
        "uploadUrl": "https://up.example/1",
        "contentUrl": "https://files.example/a.csv",
        "name": "a.csv",
        "uniqueId": "u1",
        "fileType": "csv",
        **info,
    }
    context = {"kind": "finops-export", "command": "export 7"}
    return {"action": "accept", "context": context, "uploadInfo": upload_info}


def test_read_consent_takes_only_complete_answers_to_our_cards() -> None:
    """Our context, an export command and every upload field are required."""
    good = read_consent(_accept())
    assert good is not None
    assert (good.accepted, good.command, good.upload_url) == (
        True,
        "export 7",
        "https://up.example/1",
    )
    assert read_consent(_accept(uploadUrl="")) is None
    assert read_consent(_accept(name=3)) is None
    assert read_consent({**_accept(), "action": "maybe"}) is None
    assert read_consent({**_accept(), "context": {"kind": "other", "command": "export"}}) is None
    not_export = {"kind": "finops-export", "command": "stats"}
    assert read_consent({**_accept(), "context": not_export}) is None
    assert read_consent("accept") is None
    ours = {"kind": "finops-export", "command": "export"}
    decline = read_consent({"action": "decline", "context": ours})
    assert decline is not None
    assert not decline.accepted


@pytest.mark.parametrize(
    ("url", "loopback_ok", "allowed"),
    [
        ("https://contoso-my.sharepoint.com/upload", False, True),
        ("http://contoso-my.sharepoint.com/upload", True, False),
        ("http://127.0.0.1:9/upload", False, False),
        ("http://127.0.0.1:9/upload", True, True),
        ("http://localhost:9/upload", True, True),
        ("http://10.0.0.1/upload", True, False),
        ("ftp://127.0.0.1/upload", True, False),
        ("https:///nohost", False, False),
    ],
)
def test_upload_urls(url: str, loopback_ok: bool, allowed: bool) -> None:
    """HTTPS anywhere; plain HTTP only to loopback and only when allowed."""
    assert upload_allowed(url, loopback_ok=loopback_ok) is allowed


async def test_large_files_go_up_in_fragments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each PUT carries its own byte range, and together they make the whole file."""
    monkeypatch.setattr(files, "FRAGMENT", 4)
    ranges: list[str] = []
    received = bytearray()

    async def put(request: web.Request) -> web.Response:
        ranges.append(request.headers["Content-Range"])
        received.extend(await request.read())
        return web.Response(status=202)

    app = web.Application()
    app.router.add_put("/up", put)
    runner, port = await serve_on_loopback(app)
    try:
        async with aiohttp.ClientSession() as session:
            await upload(session, f"http://127.0.0.1:{port}/up", b"0123456789")
            with pytest.raises(UploadError, match=r"refused \(HTTP 404\)"):
                await upload(session, f"http://127.0.0.1:{port}/elsewhere", b"x" * 3)
    finally:
        await runner.cleanup()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(UploadError, match="failed"):
            await upload(session, f"http://127.0.0.1:{port}/up", b"x")  # nobody listens now
    assert ranges[:3] == ["bytes 0-3/10", "bytes 4-7/10", "bytes 8-9/10"]
    assert bytes(received[:10]) == b"0123456789"
