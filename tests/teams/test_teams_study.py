"""Study plans through the real Teams route: plan, form, a proactive reminder, stop, forget."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.teams.conftest import StartTeams, TeamsHarness
from tests.teams.fakes import USER_AAD, inputs, submit_actions

EXAM = (date.today() + timedelta(days=60)).isoformat()


async def _say(h: TeamsHarness, text: str, **kw: object) -> str:
    """Send *text* in the 1:1 chat; return what the one reply shows."""
    h.connector.clear()
    await h.teams.send(h.teams.message(text, **kw))
    return h.connector.only().text


def _at(h: TeamsHarness, when: datetime) -> None:
    h.conversation.study.clock = lambda: when


async def test_plan_reminder_stop_and_forget_in_teams(start_teams: StartTeams) -> None:
    """A plan is saved; a daily nudge in the chat's time zone arrives proactively; stop, forget."""
    teams = await start_teams(with_store=True)
    assert teams.service is not None
    assert teams.service.reminders is not None
    scheduler = teams.service.reminders
    await scheduler.close()  # the test drives the rounds with its own clock

    shown = await _say(teams, f"finops-plan tech-value {EXAM} 3h")
    assert "Study plan: FinOps Certified: Technology Value" in shown
    assert "No source gives exam domain weights" in shown

    shown = await _say(teams, "finops-plan remind daily 07:45", localTimezone="America/Chicago")
    assert "every day at 07:45 (America/Chicago)" in shown
    study = teams.service.storage.study
    (reminder,) = await study.reminders_of("teams", USER_AAD)
    local = reminder.next_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("America/Chicago"))
    assert (local.hour, local.minute) == (7, 45)

    teams.connector.clear()
    _at(teams, reminder.next_at + timedelta(seconds=1))
    assert await scheduler.run_once() == 1
    nudge = teams.connector.only()
    assert nudge.conversation_id == "a:personal-chat"
    assert nudge.reply_to_id is None  # a new message, not a reply to an old one
    assert "Study reminder: FinOps Certified: Technology Value" in nudge.text
    assert await scheduler.run_once() == 0

    assert "Stopped all 1 of your reminders." in await _say(teams, "/finops-plan stop")
    assert await study.reminders_of("teams", USER_AAD) == []

    shown = await _say(teams, "forget me")
    assert "Deleted your study plan (1), reminders (0) and practice records (0)." in shown
    assert await study.plan_of("teams", USER_AAD) is None


async def test_plan_form_card_and_its_submission(start_teams: StartTeams) -> None:
    """`finops-plan` alone sends the form; submitting it answers with the plan."""
    teams = await start_teams(with_store=True)
    await teams.teams.send(teams.teams.message("finops-plan"))
    card = teams.connector.only().card
    fields = inputs(card)
    assert set(fields) == {"plan_cert", "plan_exam_date", "plan_hours"}
    assert "focp" in {c["value"] for c in fields["plan_cert"]["choices"]}
    (submit,) = submit_actions(card)
    teams.connector.clear()
    data = {**submit["data"], "plan_cert": "focp", "plan_exam_date": EXAM, "plan_hours": 5}
    await teams.teams.send(teams.teams.submit(data))
    shown = teams.connector.only().text
    assert "Study plan: FinOps Certified Practitioner" in shown
    assert "Hours follow the exam's domain weights" in shown


async def test_reminders_use_the_client_info_time_zone_and_channels_point_to_the_dm(
    start_teams: StartTeams,
) -> None:
    """Without localTimezone, the clientInfo entity's tz is used; 'forget me' needs a 1:1."""
    teams = await start_teams(with_store=True)
    await _say(teams, f"finops-plan focp {EXAM} 4")
    entity = {"type": "clientInfo", "locale": "en-GB", "timezone": "Asia/Tokyo"}
    shown = await _say(teams, "finops-plan remind weekly mon 06:00", entities=[entity])
    assert "every Monday at 06:00 (Asia/Tokyo)" in shown
    teams.connector.clear()
    await teams.teams.send(teams.teams.mention("finops-plan remind daily 09:00"))
    assert "no reminder was set" in teams.connector.only().text
    teams.connector.clear()
    await teams.teams.send(teams.teams.mention("forget me"))
    assert "direct message" in teams.connector.only().text
    assert teams.service is not None
    assert await teams.service.storage.study.plan_of("teams", USER_AAD) is not None


async def test_without_a_store_teams_says_reminders_are_unavailable(teams: TeamsHarness) -> None:
    """A server without the shared store still plans, and says plainly it cannot remind."""
    assert "Study plan: FinOps Certified Practitioner" in await _say(
        teams, f"finops-plan focp {EXAM} 4"
    )
    shown = await _say(teams, "finops-plan remind daily 08:00")
    assert "so no reminder was set" in shown
