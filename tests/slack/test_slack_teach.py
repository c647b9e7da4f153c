"""Teaching from chat through the real Slack server: two instances, buttons, modals, the digest."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from bot.core.store import KnowledgeStore
from bot.storage.digest import week_of
from bot.storage.urls import backend_of
from tests.conftest import BUNDLED
from tests.polling import until
from tests.slack.conftest import ADMIN, Harness, StartServer
from tests.slack.fakes import block_action, buttons, channel_message, texts

FAQ_ID = "focp-exam-format"
DECLINED = "who is bringing donuts on friday"
_ts = iter(range(1, 10_000))


def _env(db_url: str) -> dict[str, str]:
    if backend_of(db_url) == "sqlite":
        return {"FINOPS_DB_PATH": db_url.split(":///", 1)[1]}
    return {"DATABASE_URL": db_url}


def _own_store(bundled: KnowledgeStore) -> KnowledgeStore:
    # Each instance gets its own store: what is taught must travel through the database.
    return KnowledgeStore(BUNDLED, bundled.current)


async def _admin(h: Harness, command: str, count: int) -> str:
    await h.slack.command("/finops-admin", command, h.fake.webhook_url, user_id=ADMIN)
    replies = await h.fake.wait_for("webhook", count, within=10)
    return texts(replies[count - 1].body.get("blocks") or []) + str(
        replies[count - 1].body.get("text")
    )


async def _dm(h: Harness, text: str, user: str = "U0USER") -> dict[str, Any]:
    """DM the bot as *user*; return the body of the reply it posts."""
    n = next(_ts)
    channel = f"D{user}"
    before = len(h.fake.named("chat.postMessage"))
    event = channel_message(
        text, f"1700100000.{n:06d}", channel=channel, channel_type="im", user=user
    )
    await h.slack.event(event, event_id=f"EvTeach{n}")
    posts = await h.fake.wait_for("chat.postMessage", before + 1, within=10)
    return posts[before].body


def _view(call_body: dict[str, Any]) -> dict[str, Any]:
    view = call_body["view"]
    return json.loads(view) if isinstance(view, str) else dict(view)


def _submission(view: dict[str, Any], values: dict[str, str], user: str) -> dict[str, Any]:
    state = {
        b["block_id"]: {"value": {"type": "plain_text_input", "value": values.get(b["block_id"])}}
        for b in view["blocks"]
    }
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": user, "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "1337.42.ijkl",
        "view": {**view, "id": "V1", "state": {"values": state}},
    }


async def test_a_question_taught_on_one_instance_is_answered_on_the_other(
    start_server: StartServer, db_url: str, bundled_store: KnowledgeStore
) -> None:
    """`/finops-admin teach` on A: B answers the once-declined question within 5 s."""
    env = _env(db_url)
    a = await start_server(_own_store(bundled_store), **env)
    b = await start_server(_own_store(bundled_store), **env)
    before = await _dm(b, DECLINED)
    assert "Suggest an answer" in texts(before["blocks"])
    said = await _admin(a, f"teach {FAQ_ID} {DECLINED}", 1)
    assert "Taught" in said

    async def b_answers() -> bool:
        return b.bot.ask(DECLINED).faq_id == FAQ_ID

    elapsed = await until(b_answers, within=5.0)
    print(f"taught on A, answered on B after {elapsed:.2f} s")
    answer = await _dm(b, DECLINED)
    faq = b.bot.store.current.knowledge.faqs[FAQ_ID]
    assert faq.question in texts(answer["blocks"])
    # A restart keeps it: a new instance on the same store answers from its first question.
    c = await start_server(_own_store(bundled_store), **env)
    assert faq.question in texts((await _dm(c, DECLINED))["blocks"])


async def test_teach_button_in_the_unanswered_list_opens_a_form_that_teaches(
    start_server: StartServer, bundled_store: KnowledgeStore
) -> None:
    """Admins get a Teach button per unanswered question; its form links it to an FAQ."""
    h = await start_server(_own_store(bundled_store))
    await _dm(h, DECLINED)
    await h.storage.flush()
    await h.slack.command("/finops-admin", "unanswered", h.fake.webhook_url, user_id=ADMIN)
    (listed,) = await h.fake.wait_for("webhook")
    teach = [x for x in buttons(listed.body["blocks"]) if x["action_id"].startswith("teach_open")]
    assert teach
    assert DECLINED in teach[0]["value"]
    await h.slack.interaction(
        block_action(teach[0]["action_id"], teach[0]["value"], h.fake.webhook_url, user=ADMIN)
    )
    (opened,) = await h.fake.wait_for("views.open")
    view = _view(opened.body)
    assert view["title"]["text"] == "Teach finops-bot"
    await h.slack.interaction(_submission(view, {"question": DECLINED, "faq_id": FAQ_ID}, ADMIN))

    async def told() -> bool:
        return any(
            c.body.get("channel") == ADMIN and "Taught" in c.body.get("text", "")
            for c in h.fake.named("chat.postMessage")
        )

    await until(told)
    assert h.bot.ask(DECLINED).faq_id == FAQ_ID


async def test_a_suggestion_is_shown_to_nobody_until_approved(
    start_server: StartServer, bundled_store: KnowledgeStore
) -> None:
    """ "Suggest an answer" on a decline: the suggestion waits; others still get the decline."""
    h = await start_server(_own_store(bundled_store))
    declined = await _dm(h, DECLINED, user="U0PERSON")
    (suggest,) = [
        x for x in buttons(declined["blocks"]) if x["action_id"].startswith("suggest_open")
    ]
    await h.slack.interaction(
        block_action(suggest["action_id"], suggest["value"], h.fake.webhook_url, user="U0PERSON")
    )
    (opened,) = await h.fake.wait_for("views.open")
    view = _view(opened.body)
    assert view["title"]["text"] == "Suggest an answer"
    mine = "Whoever is on the snack rota that week."
    await h.slack.interaction(_submission(view, {"question": DECLINED, "answer": mine}, "U0PERSON"))

    async def queued() -> bool:
        return bool(await h.storage.learning.pending())

    await until(queued)
    other = await _dm(h, DECLINED, user="U0OTHER")
    assert mine not in texts(other["blocks"])
    assert "Suggest an answer" in texts(other["blocks"])
    listed = await _admin(h, "suggestions", 1)
    assert mine in listed
    number = listed.split("#", 1)[1].split(" ", 1)[0]
    assert "Approved" in await _admin(h, f"approve {number} {FAQ_ID}", 2)
    faq = h.bot.store.current.knowledge.faqs[FAQ_ID]
    assert faq.question in texts((await _dm(h, DECLINED, user="U0OTHER"))["blocks"])


async def test_a_thumbs_down_reason_is_listed_for_admins(
    start_server: StartServer, bundled_store: KnowledgeStore
) -> None:
    """👎 offers a short choice of why; `/finops-admin feedback` lists it, newest first."""
    h = await start_server(_own_store(bundled_store))
    down = block_action("feedback_9", f"down:{FAQ_ID}", h.fake.webhook_url)
    await h.slack.interaction(down)
    (asked,) = await h.fake.wait_for("webhook")
    choices = {x["text"]["text"]: x for x in buttons(asked.body["blocks"])}
    assert set(choices) >= {"Wrong answer", "Out of date", "Too long", "Not what I asked", "Other"}
    pick = choices["Out of date"]
    await h.slack.interaction(block_action(pick["action_id"], pick["value"], h.fake.webhook_url))
    await h.fake.wait_for("webhook", 2)
    await h.storage.flush()
    listed = await _admin(h, "feedback", 3)
    assert f"{FAQ_ID}: 1 👎 (Out of date 1)" in listed
    assert "Out of date" in listed.split("Reasons, newest first", 1)[1]


async def test_the_weekly_digest_is_sent_once_with_two_instances(
    start_server: StartServer, db_url: str, bundled_store: KnowledgeStore
) -> None:
    """Both instances check the same new week at once: the admin gets one digest DM."""
    env = _env(db_url)
    a = await start_server(_own_store(bundled_store), **env)
    b = await start_server(_own_store(bundled_store), **env)
    assert a.service is not None
    assert b.service is not None
    digests = (a.service.digest, b.service.digest)

    async def first_rounds_done() -> bool:
        # Each instance checks once at start (nobody subscribed yet), then every minute.
        return all(d.rounds >= 1 for d in digests)

    await until(first_rounds_done)
    assert "weekly digest" in await _admin(a, "digest on", 1)
    next_week = a.storage.now() + timedelta(days=7)
    for digest in digests:
        digest.clock = lambda: next_week  # the injectable clock: a new week, no waiting
    sent = await asyncio.gather(a.service.digest.check(), b.service.digest.check())
    assert sorted(sent) == [0, 1]
    dms = [c for c in a.fake.named("chat.postMessage") if c.body.get("channel") == ADMIN]
    assert len(dms) == 1
    shown = texts(
        json.loads(dms[0].body["blocks"])
        if isinstance(dms[0].body["blocks"], str)
        else dms[0].body["blocks"]
    )
    for heading in ("Most asked", "Top unanswered", "Most thumbs-down", "Past their review date"):
        assert heading in shown
    # The same week again, on either instance: nothing more is sent.
    assert await a.service.digest.check() == 0
    assert await b.service.digest.check() == 0
    assert a.service.digest.checked == b.service.digest.checked == week_of(next_week)
    assert len([c for c in a.fake.named("chat.postMessage") if c.body.get("channel") == ADMIN]) == 1
