"""The weekly digest in Teams: opted in from a 1:1 chat, sent there proactively, once a week."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from bot.core.store import KnowledgeStore
from bot.storage.digest import week_of
from tests.conftest import BUNDLED
from tests.polling import until
from tests.teams.conftest import StartTeams, TeamsHarness
from tests.teams.fakes import ADMIN_AAD, USER_AAD, card_text, submit_actions

ADMIN_CHAT = "a:admin-personal-chat"
DECLINED = "who is bringing donuts on friday"
HEADINGS = ("Most asked", "Top unanswered", "Most thumbs-down", "Past their review date")


async def _admin(h: TeamsHarness, text: str, **kw: object) -> str:
    """Send *text* as the admin (their 1:1 chat unless told); return what the reply shows."""
    h.connector.clear()
    kw.setdefault("conversation", ADMIN_CHAT)
    await h.teams.send(h.teams.message(text, user=ADMIN_AAD, **kw))
    return h.connector.only().text


async def test_the_digest_reaches_a_teams_admin_once_a_week_until_off(
    start_teams: StartTeams, bundled_store: KnowledgeStore
) -> None:
    """`digest on` in a 1:1 chat; the week's card arrives there once from two instances; off."""
    a = await start_teams(KnowledgeStore(BUNDLED, bundled_store.current), with_store=True)
    b = await start_teams(KnowledgeStore(BUNDLED, bundled_store.current), with_store=True)
    assert a.service is not None
    assert b.service is not None
    digests = (a.service.digest, b.service.digest)

    async def first_rounds_done() -> bool:
        # Each instance checks once at start (nobody subscribed yet), then every minute.
        return all(d.rounds >= 1 for d in digests)

    await until(first_rounds_done)
    learning = a.service.storage.learning

    # Something the digest can offer to teach: a question nobody could answer.
    await a.teams.send(a.teams.message(DECLINED, user=USER_AAD))
    await a.service.storage.flush()

    # Admin verbs stay out of channels: nothing is subscribed from one.
    shown = await _admin(a, "admin digest on", conversation="19:ops@thread.tacv2",
                         conversation_type="channel")  # fmt: skip
    assert "weekly digest as a DM" not in shown
    assert await learning.subscribers() == []

    shown = await _admin(a, "admin digest on")
    assert "You will get the weekly digest as a DM every week." in shown
    (subscriber,) = await learning.subscribers()
    assert (subscriber.platform, subscriber.user_id) == ("teams", ADMIN_AAD)
    assert subscriber.address is not None
    assert json.loads(subscriber.address)["conversation"]["id"] == ADMIN_CHAT

    # A new week on both instances at once (the injectable clock): one card, in that chat.
    next_week = a.service.storage.now() + timedelta(days=7)
    for digest in digests:
        digest.clock = lambda: next_week
    a.connector.clear()
    sent = await asyncio.gather(a.service.digest.check(), b.service.digest.check())
    assert sorted(sent) == [0, 1]
    card = a.connector.only()
    assert card.conversation_id == ADMIN_CHAT
    assert card.reply_to_id is None  # a new message in the chat, not a reply
    assert card.activity.get("summary") == "finops-bot weekly digest"
    shown = card_text(card.card)
    for heading in HEADINGS:
        assert heading in shown
    assert DECLINED in shown
    (teach,) = [x for x in submit_actions(card.card) if x["title"].startswith("Teach: ")]
    assert DECLINED in teach["title"]

    # The same week again, on either instance: nothing more is sent.
    assert await a.service.digest.check() == 0
    assert await b.service.digest.check() == 0
    assert a.service.digest.checked == b.service.digest.checked == week_of(next_week)
    assert len(a.connector.posted) == 1

    # The card's Teach button opens the teach form for that question.
    a.connector.clear()
    await a.teams.send(a.teams.submit(teach["data"], user=ADMIN_AAD, conversation=ADMIN_CHAT))
    form = a.connector.only().card
    assert "Teach finops-bot" in card_text(form)

    # `digest off` (on the other instance): the address is gone and next week stays quiet.
    assert "no longer get the weekly digest" in await _admin(b, "admin digest off")
    assert await learning.subscribers() == []
    week_after = next_week + timedelta(days=7)
    for digest in digests:
        digest.clock = lambda: week_after
    a.connector.clear()
    assert await asyncio.gather(a.service.digest.check(), b.service.digest.check()) == [0, 0]
    assert a.connector.posted == []


async def test_a_teams_digest_failure_is_logged_and_the_week_still_counts(
    start_teams: StartTeams, caplog: pytest.LogCaptureFixture
) -> None:
    """A chat the bot can no longer post to is logged in one line, not retried that week."""
    h = await start_teams(with_store=True)
    assert h.service is not None
    digest = h.service.digest

    async def first_round_done() -> bool:
        return digest.rounds >= 1

    await until(first_round_done)
    assert "weekly digest" in await _admin(h, "admin digest on")
    await h.connector.close()  # Teams is unreachable when the week turns
    next_week = h.service.storage.now() + timedelta(days=7)
    digest.clock = lambda: next_week
    caplog.clear()
    assert await digest.check() == 0  # not counted as sent
    assert digest.checked == week_of(next_week)
    assert await digest.check() == 0
    failures = [r for r in caplog.records if r.name == "bot.storage.digest"]
    assert [r.getMessage() for r in failures] == [
        "digest: sending on teams failed (ClientConnectorError)"
    ]
    # No turn error: no traceback, and no apology attempted into the admin's chat.
    assert not [r for r in caplog.records if r.levelname == "ERROR" or r.exc_info]
