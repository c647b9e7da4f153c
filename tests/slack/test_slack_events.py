"""Events and button clicks end to end: mentions, DMs, opted-in channels, dedup, security."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp
import pytest

from bot.adapters.slack.app import BotIdentity, build_web_client
from bot.render.blocks import escape
from tests.slack.conftest import OPTED_IN, Harness
from tests.slack.fakes import (
    TOKEN,
    FakeSlack,
    block_action,
    buttons,
    channel_message,
    mention,
    texts,
    vague_question,
)

FAQ_ID = "focp-exam-format"
DECLINED = "who is bringing donuts on friday"


def _faq(slack: Harness) -> tuple[str, str]:
    """Return the canonical question of the FOCP exam-length FAQ and its answer."""
    faq = slack.bot.store.current.knowledge.faqs[FAQ_ID]
    return faq.question, faq.answer


def _assert_answer(blocks: list[dict[str, Any]], slack: Harness) -> None:
    question, answer = _faq(slack)
    shown = texts(blocks)
    assert question in shown
    # The first line of the answer, as Slack shows it: escaped, "- " bullets drawn as "• ".
    first = escape(answer.splitlines()[0])
    first = "• " + first[2:] if first.startswith("- ") else first
    assert first in shown
    contexts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    # Sources by title, never by internal seed file name.
    assert any(t.startswith("Source: FinOps Foundation FOCP training page") for t in contexts)
    assert not any(".txt" in t for t in contexts)
    votes = [b["value"] for b in buttons(blocks) if b["action_id"].startswith("feedback_")]
    assert votes == [f"up:{FAQ_ID}", f"down:{FAQ_ID}"]


async def test_mention_is_answered_in_its_thread(slack: Harness) -> None:
    """A mention gets the FAQ answer, its source and buttons, in the thread of the question."""
    question, _ = _faq(slack)
    status, _ = await slack.slack.event(
        mention(f"<@U_BOT> {question}", "1700000100.000100"), event_id="Ev1"
    )
    assert status == 200
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    assert posted.body["channel"] == "C0GENERAL"
    assert posted.body["thread_ts"] == "1700000100.000100"
    assert posted.authorization == f"Bearer {TOKEN}"
    _assert_answer(posted.body["blocks"], slack)
    assert question in posted.body["text"]


async def test_dm_is_answered_in_place_and_in_threads(slack: Harness) -> None:
    """A DM is answered in the DM; a DM sent in a thread is answered in that thread."""
    question, _ = _faq(slack)
    await slack.slack.event(
        channel_message(question, "1700000200.000100", channel="D0USER", channel_type="im"),
        event_id="EvDm1",
    )
    await slack.slack.event(
        channel_message(
            question,
            "1700000200.000200",
            channel="D0USER",
            channel_type="im",
            thread_ts="1700000200.000100",
        ),
        event_id="EvDm2",
    )
    first, second = await slack.fake.wait_for("chat.postMessage", 2)
    assert first.body["channel"] == "D0USER"
    assert "thread_ts" not in first.body
    _assert_answer(first.body["blocks"], slack)
    assert second.body["thread_ts"] == "1700000200.000100"


async def test_opted_in_channel_answers_only_what_it_knows(slack: Harness) -> None:
    """Opted-in channels get answers and suggestions; declines and small talk stay silent."""
    question, _ = _faq(slack)
    for n, text in enumerate((DECLINED, "thanks!", "hello", question)):
        await slack.slack.event(
            channel_message(text, f"1700000300.00010{n}", channel=OPTED_IN), event_id=f"EvC{n}"
        )
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    assert posted.body["channel"] == OPTED_IN
    assert posted.body["thread_ts"] == "1700000300.000103"
    _assert_answer(posted.body["blocks"], slack)
    assert [c.method for c in await slack.calls_before_marker()].count("chat.postMessage") == 1


async def test_other_channels_are_ignored(slack: Harness) -> None:
    """A channel nobody opted in gets no answer even to a known question."""
    question, _ = _faq(slack)
    status, _ = await slack.slack.event(
        channel_message(question, "1700000400.000100", channel="C0RANDOM"), event_id="EvR"
    )
    assert status == 200
    assert "chat.postMessage" not in [c.method for c in await slack.calls_before_marker()]


async def test_mention_also_delivered_as_message_is_answered_once(slack: Harness) -> None:
    """In an opted-in channel a mention arrives twice (app_mention + message): one answer."""
    question, _ = _faq(slack)
    text = f"<@U_BOT> {question}"
    ts = "1700000500.000100"
    await slack.slack.event(channel_message(text, ts, channel=OPTED_IN), event_id="EvMsg")
    await slack.slack.event(mention(text, ts, channel=OPTED_IN), event_id="EvMention")
    await slack.fake.wait_for("chat.postMessage")
    assert [c.method for c in await slack.calls_before_marker()].count("chat.postMessage") == 1


async def test_retried_event_is_answered_once(slack: Harness) -> None:
    """Slack's retry of an event (same event_id, X-Slack-Retry-Num) gets a 200 and no answer."""
    question, _ = _faq(slack)
    event = mention(f"<@U_BOT> {question}", "1700000600.000100")
    first, _ = await slack.slack.event(event, event_id="EvRetry")
    retry, _ = await slack.slack.event(
        event,
        event_id="EvRetry",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert (first, retry) == (200, 200)
    await slack.fake.wait_for("chat.postMessage")
    assert [c.method for c in await slack.calls_before_marker()].count("chat.postMessage") == 1


@pytest.mark.parametrize(
    "event",
    [
        channel_message("edited", "1700000700.000100", subtype="message_changed"),
        channel_message("gone", "1700000700.000200", subtype="message_deleted"),
        channel_message("joined", "1700000700.000300", subtype="channel_join"),
        channel_message("a bot", "1700000700.000400", bot_id="B0OTHER"),
        channel_message("How long is the FOCP exam?", "1700000700.000500", user="U_BOT"),
        {"type": "reaction_added", "user": "U0USER", "reaction": "tada", "event_ts": "1.2"},
    ],
    ids=["changed", "deleted", "join", "other-bot", "own-message", "unsubscribed-type"],
)
async def test_events_nobody_answers_still_get_200(slack: Harness, event: dict[str, Any]) -> None:
    """Subtypes, bots, our own posts and unexpected event types: 200 (no retry), no answer."""
    status, _ = await slack.slack.event(event, event_id="EvIgnored")
    assert status == 200
    assert [c.method for c in await slack.calls_before_marker()] == ["auth.test"]


async def test_suggestion_click_replaces_the_question(slack: Harness) -> None:
    """A vague mention gets "did you mean" buttons; a click replaces them with the answer."""
    await slack.slack.event(
        mention(f"<@U_BOT> {vague_question(slack.bot)[0]}", "1700000800.000100"), event_id="EvS"
    )
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    choices = [b for b in buttons(posted.body["blocks"]) if b["block_id"] == "faq_suggestions"]
    assert 1 <= len(choices) <= 3
    chosen = choices[0]
    status, _ = await slack.slack.interaction(
        block_action(
            chosen["action_id"],
            chosen["value"],
            slack.fake.webhook_url,
            block_id="faq_suggestions",
            thread_ts="1700000800.000100",
        )
    )
    assert status == 200
    (replaced,) = await slack.fake.wait_for("webhook")
    assert replaced.body["replace_original"] is True
    faq = slack.bot.store.current.knowledge.faqs[chosen["value"]]
    assert faq.question in texts(replaced.body["blocks"])


async def test_follow_up_click_answers_in_the_same_thread(slack: Harness) -> None:
    """A related-question button posts that answer in the thread (privately if private)."""
    question, _ = _faq(slack)
    await slack.slack.event(mention(f"<@U_BOT> {question}", "1700000900.000100"), event_id="EvF")
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    follow = [b for b in buttons(posted.body["blocks"]) if b["block_id"] == "faq_followups"]
    assert follow
    related = slack.bot.store.current.knowledge.faqs[follow[0]["value"]]
    assert related.question.startswith(follow[0]["text"]["text"].rstrip("…"))
    click = block_action(
        follow[0]["action_id"],
        follow[0]["value"],
        slack.fake.webhook_url,
        block_id="faq_followups",
        message_ts="1700000900.000200",
        thread_ts="1700000900.000100",
    )
    await slack.slack.interaction(click)
    _, answer = await slack.fake.wait_for("chat.postMessage", 2)
    assert answer.body["channel"] == "C0GENERAL"
    assert answer.body["thread_ts"] == "1700000900.000100"
    assert related.question in texts(answer.body["blocks"])

    private = block_action(
        follow[0]["action_id"],
        follow[0]["value"],
        slack.fake.webhook_url,
        block_id="faq_followups",
        ephemeral=True,
    )
    await slack.slack.interaction(private)
    (whisper,) = await slack.fake.wait_for("webhook")
    assert whisper.body["response_type"] == "ephemeral"
    assert related.question in texts(whisper.body["blocks"])


async def test_feedback_click_is_logged_and_thanked(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """👍 is logged with the FAQ id and the person is thanked privately."""
    caplog.set_level(logging.INFO, logger="bot.conversation.service")
    status, _ = await slack.slack.interaction(
        block_action("feedback_3", f"up:{FAQ_ID}", slack.fake.webhook_url, thread_ts="1.2")
    )
    assert status == 200
    (thanks,) = await slack.fake.wait_for("webhook")
    assert thanks.body == {
        "text": "Thanks for the feedback!",
        "response_type": "ephemeral",
        "replace_original": False,
    }
    assert any(
        "feedback up on faq focp-exam-format by U0USER" in r.getMessage() for r in caplog.records
    )


async def test_app_home_is_published(slack: Harness) -> None:
    """Opening the Home tab publishes the view; its topic buttons answer in the DM."""
    event = {"type": "app_home_opened", "user": "U0USER", "channel": "D0USER", "tab": "home"}
    assert (await slack.slack.event(event, event_id="EvHome"))[0] == 200
    (published,) = await slack.fake.wait_for("views.publish")
    assert published.body["user_id"] == "U0USER"
    view = published.body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    shown = buttons(view["blocks"])
    assert shown[0]["action_id"] == "open_path_form"
    topics = [b for b in shown if b["block_id"] == "home_topics"]
    assert 1 <= len(topics) <= 5

    click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U0USER", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "1337.42.home",
        "container": {"type": "view", "view_id": "V1"},
        "view": {"id": "V1", "type": "home"},
        "actions": [
            {
                "type": "button",
                "action_id": topics[0]["action_id"],
                "block_id": "home_topics",
                "value": topics[0]["value"],
            }
        ],
    }
    await slack.slack.interaction(click)
    (dm,) = await slack.fake.wait_for("chat.postMessage")
    assert dm.body["channel"] == "U0USER"
    faq = slack.bot.store.current.knowledge.faqs[topics[0]["value"]]
    assert faq.question in texts(dm.body["blocks"])


async def test_forged_and_stale_requests_are_rejected(slack: Harness) -> None:
    """A bad signature or a timestamp 6 minutes old gets 401 and reaches no listener."""
    question, _ = _faq(slack)
    event = mention(f"<@U_BOT> {question}", "1700001000.000100")
    forged, _ = await slack.slack.event(event, event_id="EvForged", signature="v0=" + "0" * 64)
    stale, _ = await slack.slack.event(
        event, event_id="EvStale", timestamp=int(time.time()) - 6 * 60
    )
    assert (forged, stale) == (401, 401)
    assert "chat.postMessage" not in [c.method for c in await slack.calls_before_marker()]


async def test_auth_test_runs_once_for_concurrent_first_requests(slack: Harness) -> None:
    """20 concurrent first requests are all answered on the one start-up auth.test."""
    question, _ = _faq(slack)
    statuses = await asyncio.gather(
        *(
            slack.slack.event(
                mention(f"<@U_BOT> {question}", f"1700001100.{n:06d}"), event_id=f"EvC{n}"
            )
            for n in range(20)
        )
    )
    assert [s for s, _ in statuses] == [200] * 20
    await slack.fake.wait_for("chat.postMessage", 20)
    assert len(slack.fake.named("auth.test")) == 1


async def test_identity_resolves_once_under_concurrency(fake_slack: FakeSlack) -> None:
    """Before start-up has cached it, 20 concurrent authorizations still share one auth.test."""
    async with aiohttp.ClientSession() as session:
        identity = BotIdentity(build_web_client(fake_slack.api_url, session), TOKEN)
        results = await asyncio.gather(*(identity.resolve() for _ in range(20)))
    assert len(fake_slack.named("auth.test")) == 1
    assert {(r.bot_user_id, r.bot_id, r.team_id) for r in results} == {("U_BOT", "B_BOT", "T1")}
    assert all(r.bot_token == TOKEN for r in results)


async def test_healthz_reports_the_knowledge_version(slack: Harness) -> None:
    """GET /healthz is 200 JSON with the status, the knowledge version and the store's health."""
    async with slack.session.get(slack.base_url + "/healthz") as resp:
        assert resp.status == 200
        assert await resp.json() == {
            "status": "ok",
            "knowledge_version": slack.bot.store.current.version,
            "store": {
                "backend": "sqlite",
                "ok": True,
                "failures": 0,
                "dropped": 0,
                "queued": 0,
                "knowledge_generation": 0,
                "knowledge_in_sync": True,
            },
        }


async def test_channel_markup_in_a_question_never_comes_back(slack: Harness) -> None:
    """`<!channel>` in a question is answered without ever being sent back as markup."""
    question, _ = _faq(slack)
    await slack.slack.event(
        mention(f"<@U_BOT> <!channel> <!here> {question}", "1700001200.000100"), event_id="EvX"
    )
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    assert "<!channel>" not in posted.text()
    assert "<!here>" not in posted.text()
    _assert_answer(posted.body["blocks"], slack)


async def test_url_verification_is_answered(slack: Harness) -> None:
    """Slack's check of the request URL (signed) gets its challenge back."""
    body = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"})
    status, text = await slack.slack.post(body, "application/json")
    assert status == 200
    assert json.loads(text) == {"challenge": "c-123"}


async def test_admin_commands_are_not_run_from_a_channel(slack: Harness) -> None:
    """`@bot admin reload` in a channel points to the DM or /finops-admin and reloads nothing."""
    before = slack.bot.store.current
    await slack.slack.event(
        mention("<@U_BOT> admin reload", "1700001300.000100", user="U0ADMIN"), event_id="EvA"
    )
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    assert "/finops-admin" in texts(posted.body["blocks"])
    assert posted.body["thread_ts"] == "1700001300.000100"
    assert slack.bot.store.current is before
