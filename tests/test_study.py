"""Study plans: the pure plan builder, on the bundled knowledge."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.__main__ import main
from bot.adapters.terminal import run_chat
from bot.conversation.access import AccessRules
from bot.conversation.service import ConversationService
from bot.core.bot import Bot
from bot.core.knowledge import Knowledge
from bot.core.loading import load_knowledge
from bot.core.reminders import ReminderSpec, next_at, parse_reminder
from bot.core.store import KnowledgeStore
from bot.core.study import (
    Plan,
    PlanArgs,
    PlanRefusal,
    build_plan,
    known_certifications,
    parse_plan_args,
)

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = load_knowledge(ROOT / "knowledge")
START = date(2026, 12, 4)


def plan(cert: str, exam: date, hours: float, knowledge: Knowledge = KNOWLEDGE) -> Plan:
    """Build a plan that must not be refused."""
    built = build_plan(knowledge, cert, exam, hours, start=START)
    assert isinstance(built, Plan), built
    return built


def test_focp_plan_follows_the_domain_weights_with_reading_and_a_review_week() -> None:
    built = plan("FOCP", date(2027, 3, 1), 4)
    assert built.feasible
    assert built.level_id == "focp"
    study = [w for w in built.weeks if w.kind == "study"]
    totals: dict[str, float] = {}
    for week in study:
        for topic in week.topics:
            totals[topic.domain] = totals.get(topic.domain, 0) + topic.hours
    whole = sum(totals.values())
    # The lifecycle (30%) gets the most time, the challenge of cloud (8%) the least.
    assert max(totals, key=lambda d: totals[d]) == "FinOps Lifecycle"
    assert min(totals, key=lambda d: totals[d]) == "Challenge of Cloud"
    assert abs(totals["FinOps Capabilities"] / whole - 0.28) < 0.02
    read = {r.faq_id for w in study for t in w.topics for r in t.reading}
    assert {"finops-principles", "finops-lifecycle-phases", "finops-capability-pillars"} <= read
    assert built.weeks[-1].kind == "review"
    assert "Review week" in built.weeks[-1].milestone
    assert built.weeks[-1].end < built.exam_date - timedelta(days=1)  # a buffer before the exam
    assert any("2020" in w and "2026" in w for w in built.warnings)


def test_json_has_exactly_the_documented_keys() -> None:
    data = plan("focp", date(2027, 3, 1), 4).to_json()
    assert set(data) == {
        "certification", "exam_date", "hours_per_week", "feasible", "weeks", "warnings"
    }  # fmt: skip
    week = data["weeks"][0]
    assert set(week) == {"week", "start", "hours", "topics", "practice_questions", "milestone"}
    assert set(week["topics"][0]) == {"domain", "hours", "reading"}
    assert data["exam_date"] == "2027-03-01"
    assert week["start"] == "2026-12-04"


def test_too_short_says_so_and_proposes_a_date_and_the_hours() -> None:
    built = plan("focp", date(2026, 12, 20), 2)
    assert not built.feasible
    advice = next(w for w in built.warnings if w.startswith("Too little time"))
    assert "hours a week to keep this date" in advice
    proposed = date.fromisoformat(advice.split("move the exam to ")[1][:10])
    # The proposal really works, and a day earlier does not.
    assert plan("focp", proposed, 2).feasible
    assert not plan("focp", proposed - timedelta(days=1), 2).feasible
    hours = float(advice.split("realistic, study ")[1].split(" hours")[0])
    assert plan("focp", date(2026, 12, 20), hours).feasible


@pytest.mark.parametrize(
    ("cert", "exam", "hours", "says"),
    [
        ("cissp", date(2027, 3, 1), 4, "I don't know the certification 'cissp'"),
        ("focp", date(2026, 1, 1), 4, "is in the past"),
        ("focp", START, 4, "is today"),
        ("focp", date(2027, 3, 1), 0, "between 1 and 40"),
        ("focp", date(2027, 3, 1), 168, "between 1 and 40"),
        ("focp", date(2030, 1, 1), 4, "more than two years away"),
    ],
)
def test_refusals_are_clear(cert: str, exam: date, hours: float, says: str) -> None:
    refused = build_plan(KNOWLEDGE, cert, exam, hours, start=START)
    assert isinstance(refused, PlanRefusal)
    assert says in refused.message


def test_every_program_and_level_gets_a_plan_using_the_guides_prep_plans() -> None:
    for cert in known_certifications(KNOWLEDGE):
        built = plan(cert, date(2027, 2, 15), 5)
        assert built.feasible, cert
        assert all(t.domain for w in built.weeks for t in w.topics)
    guide = plan("architect-professional", date(2027, 1, 1), 8)
    assert "The guide's 30-day plan: Set up sandbox cloud accounts" in guide.weeks[0].milestone
    multi = plan("architect", date(2027, 2, 15), 5)
    assert multi.level_id == "architect-foundational"
    assert any("has 3 levels" in w for w in multi.warnings)
    assert plan("Certified FinOps Architect", date(2027, 2, 15), 5).program_id == "architect"


@settings(max_examples=150, deadline=None)
@given(
    cert=st.sampled_from(["focp", "architect-advanced", "foce", "pro-a-foundations", "nope"]),
    days=st.integers(min_value=-30, max_value=800),
    hours=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.floats(min_value=0.5, max_value=45),
    ),
)
def test_any_date_and_hours_give_a_valid_plan_or_a_refusal(
    cert: str, days: int, hours: float
) -> None:
    exam = START + timedelta(days=days)
    built = build_plan(KNOWLEDGE, cert, exam, hours, start=START)
    if isinstance(built, PlanRefusal):
        assert built.message.strip()
        return
    assert built.weeks or not built.feasible
    previous_end = START - timedelta(days=1)
    for number, week in enumerate(built.weeks, start=1):
        assert week.week == number
        assert week.start > previous_end
        previous_end = week.end
        assert 0 < week.hours <= hours
        assert abs(sum(t.hours for t in week.topics) - week.hours) < 1e-9
        assert week.practice_questions >= 0
    if built.weeks:
        assert built.weeks[-1].end < exam
    if built.feasible:
        assert built.weeks[-1].kind == "review"
        study = sum(w.hours for w in built.weeks if w.kind == "study")
        assert study >= built.needed_hours
    else:
        assert any(w.startswith("Too little time") for w in built.warnings)


# ----- the command line and the terminal chat


def _plan_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["plan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_plan_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _plan_cli(capsys, "--json", "FOCP", "2027-03-01", "4h", "--start", "2026-12-04")
    assert code == 0
    data = json.loads(out)
    assert data == plan("focp", date(2027, 3, 1), 4).to_json()
    assert data["weeks"][-1]["milestone"].startswith("Review week")


def test_cli_plan_text_and_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _plan_cli(
        capsys, "architect-advanced", "2027-02-01", "6", "--start", "2026-12-04"
    )
    assert code == 0
    assert "Study plan: Certified FinOps Architect – Advanced Level" in out
    assert "The guide's 60-day plan" in out
    code, out, _ = _plan_cli(capsys, "--json", "focp", "2026-01-01", "4", "--start", "2026-12-04")
    assert code == 1
    assert "is in the past" in json.loads(out)["error"]
    code, _, err = _plan_cli(capsys, "focp", "2027-02-30", "4")
    assert (code, err.strip()) == (1, "Give dates as YYYY-MM-DD, e.g. 2027-03-01.")
    code, _, err = _plan_cli(capsys, "focp", "2027-02-01", "lots")
    assert (code, err.strip()) == (1, "Give the hours a week as a number, e.g. 4 or 4h.")


def test_terminal_chat_plans_shows_and_forgets(bundled_store: KnowledgeStore) -> None:
    conversation = ConversationService(Bot(bundled_store), AccessRules())
    out = io.StringIO()
    far, soon = date.today() + timedelta(days=1000), date.today() + timedelta(days=90)
    lines = [
        "/finops-plan show",
        f"finops-plan focp {far.isoformat()} 4h",
        f"finops-plan FOCP in 4 hours a week by {soon.isoformat()}",
        "/finops-plan show",
        "finops-plan remind daily 08:00",
        "forget me",
        "/finops-plan show",
        "finops-plan",
    ]
    run_chat(conversation, lines, out.write)
    text = out.getvalue()
    assert text.count("You have no saved plan yet.") == 2
    assert "more than two years away" in text
    assert text.count("Study plan: FinOps Certified Practitioner") == 2
    assert "Saved as your plan." in text
    assert "so no reminder was set" in text
    assert "Deleted your study plan (1), reminders (0) and practice records (0)." in text
    assert text.rstrip().endswith("'forget me' in a DM)")  # the form's usage, last


# ----- typed requests and reminder times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("focp 2027-03-01 4h", PlanArgs("focp", date(2027, 3, 1), 4.0)),
        (
            "FinOps Certified Practitioner 2027-3-1 2.5 hours a week",
            PlanArgs("finops certified practitioner", date(2027, 3, 1), 2.5),
        ),
        (
            "architect-professional 6h/week 2027-01-10",
            PlanArgs("architect-professional", date(2027, 1, 10), 6.0),
        ),
        ("focp 2027-02-30 4h", "2027-02-30 is not a date"),
        ("focp next spring 4h", "Give the exam date as YYYY-MM-DD"),
        ("focp 2027-03-01", "Say how many hours a week"),
        ("2027-03-01 4h", "Say which certification"),
    ],
)
def test_plan_requests_are_read_or_explained(text: str, expected: PlanArgs | str) -> None:
    parsed = parse_plan_args(text)
    if isinstance(expected, str):
        assert isinstance(parsed, str)
        assert parsed.startswith(expected)
    else:
        assert parsed == expected


def test_reminder_times_follow_the_local_clock_across_daylight_saving() -> None:
    spec = parse_reminder("daily 08:30")
    assert spec == ReminderSpec("daily", time(8, 30))
    # Paris moves from UTC+1 to UTC+2 on 2027-03-28: 08:30 local is 07:30 then 06:30 UTC.
    before = next_at(spec, "Europe/Paris", datetime(2027, 3, 27, 7, 31))
    assert before == datetime(2027, 3, 28, 6, 30)
    weekly = parse_reminder("weekly FRIDAY 17:00")
    assert weekly == ReminderSpec("weekly", time(17, 0), 4)
    # From a Friday after 17:00 in Tokyo, the next is a week later, at 08:00 UTC.
    assert next_at(weekly, "Asia/Tokyo", datetime(2027, 1, 8, 9, 0)) == datetime(2027, 1, 15, 8, 0)
    assert next_at(weekly, "Nowhere/Atlantis", datetime(2027, 1, 8, 9, 0)) == datetime(
        2027, 1, 8, 17, 0
    )
    assert parse_reminder("weekly 9:05") == ReminderSpec("weekly", time(9, 5), 0)
    for bad in ("hourly 08:00", "daily 8am", "weekly xx 08:00", "daily"):
        assert isinstance(parse_reminder(bad), str), bad


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_typed_text_is_read_or_explained_never_a_crash(text: str) -> None:
    parsed = parse_plan_args(text)
    assert isinstance(parsed, PlanArgs) or parsed.strip()
    spec = parse_reminder(text)
    assert isinstance(spec, ReminderSpec) or spec.startswith(("Usage", "Give", "I don't"))
    if isinstance(parsed, PlanArgs):
        built = build_plan(KNOWLEDGE, parsed.cert, parsed.exam, parsed.hours, start=START)
        assert isinstance(built, Plan | PlanRefusal)
