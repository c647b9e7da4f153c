"""Study plans through the real Slack server: plan, form, reminders, stop, forget, instances."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.conversation.reminders import ReminderScheduler
from bot.core.quiz import Attempt, Review, schedule
from bot.storage.urls import backend_of
from tests.slack.conftest import Harness, StartServer
from tests.slack.fakes import channel_message, texts

USER = "U0USER"
DM = "D" + USER  # what the fake conversations.open returns for the user
EXAM = (date.today() + timedelta(days=90)).isoformat()


def _store_env(db_url: str) -> dict[str, str]:
    if backend_of(db_url) == "sqlite":
        return {"FINOPS_DB_PATH": db_url.split(":///", 1)[1]}
    return {"DATABASE_URL": db_url}


async def _plan(h: Harness, text: str, count: int) -> str:
    """Run `/finops-plan TEXT`; return what the *count*-th private reply shows."""
    status, _ = await h.slack.command("/finops-plan", text, h.fake.webhook_url, user_id=USER)
    assert status == 200
    replies = await h.fake.wait_for("webhook", count, within=10)
    body = replies[count - 1].body
    assert body["response_type"] == "ephemeral"
    return texts(body["blocks"])


async def _scheduler(h: Harness) -> ReminderScheduler:
    """Return the instance's reminder scheduler, its background rounds stopped (we drive it)."""
    assert h.service is not None
    assert h.service.reminders is not None
    await h.service.reminders.close()
    return h.service.reminders


def _at(h: Harness, when: datetime) -> None:
    h.conversation.study.clock = lambda: when


async def test_plan_remind_stop_and_forget(slack: Harness) -> None:
    """A plan is built and saved; a weekly nudge is set in the user's tz, fires once, stops."""
    shown = await _plan(slack, f"focp {EXAM} 4h", 1)
    assert "Study plan: FinOps Certified Practitioner" in shown
    assert "Review week" in shown
    assert "Saved as your plan." in shown

    shown = await _plan(slack, "remind weekly fri 17:30", 2)
    assert "every Friday at 17:30 (Europe/Paris)" in shown
    assert [c.body["user"] for c in slack.fake.named("users.info")] == [USER]
    assert [c.body["users"] for c in slack.fake.named("conversations.open")] == [USER]
    (reminder,) = await slack.storage.study.reminders_of("slack", USER)
    local = reminder.next_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Paris"))
    assert (local.weekday(), local.hour, local.minute) == (4, 17, 30)
    assert json.loads(reminder.address) == {"channel": DM}

    scheduler = await _scheduler(slack)
    _at(slack, reminder.next_at - timedelta(minutes=1))
    assert await scheduler.run_once() == 0  # not yet
    _at(slack, reminder.next_at + timedelta(seconds=20))
    assert await scheduler.run_once() == 1
    assert await scheduler.run_once() == 0  # the same firing never goes twice
    (post,) = [c for c in slack.fake.named("chat.postMessage") if c.body["channel"] == DM]
    nudge = texts(post.body["blocks"])
    assert "Study reminder: FinOps Certified Practitioner" in nudge
    assert "practice questions" in nudge
    (moved,) = await slack.storage.study.reminders_of("slack", USER)
    assert moved.next_at - reminder.next_at == timedelta(days=7)

    shown = await _plan(slack, "stop", 3)
    assert "Stopped all 1 of your reminders." in shown
    assert await slack.storage.study.reminders_of("slack", USER) == []
    _at(slack, moved.next_at + timedelta(seconds=1))
    assert await scheduler.run_once() == 0

    await _plan(slack, "remind daily 07:00", 4)
    # A practice answer too: forget deletes everything kept about the person's studies.
    card, due = schedule(None, True, datetime(2026, 12, 1, tzinfo=UTC))
    attempt = Attempt("focp-lc-01", "focp", "lifecycle", True, due)
    await slack.storage.quiz.record("slack", USER, attempt, 0, Review("focp-lc-01", card, due))
    shown = await _plan(slack, "forget", 5)
    assert "Deleted your study plan (1), reminders (1) and practice records (2)." in shown
    assert await slack.storage.study.plan_of("slack", USER) is None
    assert await slack.storage.study.reminders_of("slack", USER) == []
    assert (await slack.storage.quiz.history("slack", USER)).attempts == ()
    shown = await _plan(slack, "show", 6)
    assert "You have no saved plan yet." in shown


async def test_forget_me_in_a_dm_and_not_in_a_channel(slack: Harness) -> None:
    """'forget me' deletes the plan in a DM; in a channel mention it points to the DM."""
    await _plan(slack, f"architect-professional {EXAM} 6", 1)
    await slack.slack.event(
        channel_message("<@U_BOT> forget me", "1700009000.000100", channel="C0GENERAL")
        | {"type": "app_mention"},
        event_id="EvForgetChannel",
    )
    await slack.fake.wait_for("chat.postMessage", 1)
    assert await slack.storage.study.plan_of("slack", USER) is not None
    dm = channel_message("forget me", "1700009000.000200", channel=DM, channel_type="im")
    await slack.slack.event(dm, event_id="EvForgetDm")
    posts = await slack.fake.wait_for("chat.postMessage", 2)
    assert "say 'forget me' in a direct message" in texts(posts[0].body["blocks"])
    assert "Deleted your study plan (1)" in texts(posts[1].body["blocks"])
    assert await slack.storage.study.plan_of("slack", USER) is None


async def test_plan_form_opens_and_its_answer_comes_privately(slack: Harness) -> None:
    """`/finops-plan` alone opens the modal; a submission posts the plan privately."""
    await slack.slack.command("/finops-plan", "", slack.fake.webhook_url, user_id=USER)
    (opened,) = await slack.fake.wait_for("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == "finops_plan_modal"
    cert = next(b for b in view["blocks"] if b["block_id"] == "plan_cert")
    assert {"focp", "architect-advanced"} <= {o["value"] for o in cert["element"]["options"]}
    state = {
        "plan_cert": {"value": {"type": "static_select", "selected_option": {"value": "focp"}}},
        "plan_exam_date": {"value": {"type": "datepicker", "selected_date": EXAM}},
        "plan_hours": {"value": {"type": "number_input", "value": "3.5"}},
    }
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": USER, "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "1337.42.ijkl",
        "view": {**view, "id": "V1", "state": {"values": state}},
    }
    status, _ = await slack.slack.interaction(payload)
    assert status == 200
    (posted,) = await slack.fake.wait_for("chat.postEphemeral")
    assert posted.body["user"] == USER
    assert posted.body["channel"] == "C0GENERAL"
    shown = texts(posted.body["blocks"])
    assert "Study plan: FinOps Certified Practitioner" in shown
    assert "3.5" in shown
    saved = await slack.storage.study.plan_of("slack", USER)
    assert saved is not None
    assert (saved.certification, saved.exam_date.isoformat(), saved.hours_per_week) == (
        "focp",
        EXAM,
        3.5,
    )


async def test_bad_requests_get_clear_answers(slack: Harness) -> None:
    """Unknown certification, a past date, silly hours, reminders without a plan: said plainly."""
    assert "I don't know the certification 'cissp'" in await _plan(slack, f"cissp {EXAM} 4h", 1)
    assert "is in the past" in await _plan(slack, "focp 2001-01-01 4h", 2)
    assert "between 1 and 40" in await _plan(slack, f"focp {EXAM} 400h", 3)
    assert "You have no saved plan yet." in await _plan(slack, "remind daily 08:00", 4)
    assert "Give the time as HH:MM" in await _plan(slack, "remind daily 25:00", 5)
    assert "I don't know the day 'someday'" in await _plan(slack, "remind weekly someday 8:00", 6)
    assert slack.fake.named("conversations.open") == []


async def test_two_instances_fire_one_reminder_and_skip_after_downtime(
    start_server: StartServer, db_url: str
) -> None:
    """Both instances see the due reminder; one sends it. After downtime it is skipped."""
    env = _store_env(db_url)
    a, b = await start_server(**env), await start_server(**env)
    await _plan(a, f"focp {EXAM} 4h", 1)
    await _plan(b, "remind daily 08:00", 2)
    (reminder,) = await a.storage.study.reminders_of("slack", USER)
    first, second = await _scheduler(a), await _scheduler(b)
    for h in (a, b):
        _at(h, reminder.next_at + timedelta(seconds=5))
    sent = await asyncio.gather(first.run_once(), second.run_once())
    assert sorted(sent) == [0, 1]
    assert len([c for c in a.fake.named("chat.postMessage") if c.body["channel"] == DM]) == 1

    # Three days down: the missed firings are skipped, not sent in a burst; the next is on time.
    (moved,) = await a.storage.study.reminders_of("slack", USER)
    for h in (a, b):
        _at(h, moved.next_at + timedelta(days=3))
    sent = await asyncio.gather(first.run_once(), second.run_once())
    assert sent == [0, 0]
    assert first.skipped + second.skipped == 1
    (after,) = await a.storage.study.reminders_of("slack", USER)
    assert moved.next_at + timedelta(days=3) < after.next_at <= moved.next_at + timedelta(days=4)
    for h in (a, b):
        _at(h, after.next_at)
    sent = await asyncio.gather(first.run_once(), second.run_once())
    assert sorted(sent) == [0, 1]
    assert len([c for c in a.fake.named("chat.postMessage") if c.body["channel"] == DM]) == 2
