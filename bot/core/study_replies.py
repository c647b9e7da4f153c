"""Replies about study plans: the plan, this week's reminder, usage and confirmations."""

from __future__ import annotations

from datetime import date

from bot.core.reminders import REMIND_USAGE
from bot.core.reply import Action, Fact, Reply, Section
from bot.core.study import Plan, Week
from bot.core.wording import say

SHOWN_WEEKS = 8  # weeks shown in full; later ones get one line each
SHOWN_READING = 3


def plan_help_reply(lead: str | None = None) -> Reply:
    """Explain /finops-plan, after *lead* (what was wrong with the request) when given."""
    sections = (Section(lead),) if lead else ()
    return Reply(
        kind="help",
        title=say("plan_help_title"),
        sections=(*sections, Section(say("plan_usage", remind_usage=REMIND_USAGE))),
    )


def plan_form_reply() -> Reply:
    """Ask for the plan's fields (platforms with forms show one; the terminal shows usage)."""
    reply = plan_help_reply(say("plan_form_lead"))
    return Reply(kind="clarify", title=reply.title, sections=reply.sections, data={"form": "plan"})


def refusal_reply(message: str) -> Reply:
    """Say plainly why no plan can be made, with the usage."""
    return plan_help_reply(message)


def _week_lines(week: Week) -> str:
    lines = []
    for topic in week.topics:
        hours = f"{topic.hours:g}"
        if not topic.reading:
            lines.append(say("plan_topic", domain=topic.domain, hours=hours))
            continue
        titles = ", ".join(f"“{r.title}”" for r in topic.reading[:SHOWN_READING])
        line = say("plan_topic_reading", domain=topic.domain, hours=hours, titles=titles)
        extra = len(topic.reading) - SHOWN_READING
        lines.append(line + (say("plan_reading_more", count=extra) if extra > 0 else ""))
    lines.append(say("plan_practice", count=week.practice_questions))
    lines.append(say("plan_milestone", milestone=week.milestone))
    return "\n".join(lines)


def _heading(week: Week) -> str:
    start, end, hours = f"{week.start:%a %d %b}", f"{week.end:%a %d %b}", f"{week.hours:g}"
    if week.kind == "review":
        return say("plan_review_heading", start=start, end=end, hours=hours)
    return say("plan_week_heading", week=week.week, start=start, end=end, hours=hours)


def plan_reply(plan: Plan, *, saved: bool = False, today: date | None = None) -> Reply:
    """Return the whole plan: facts, each week, the notes, and what to do next."""
    facts = (
        Fact(say("plan_fact_exam"), plan.exam_date.isoformat()),
        Fact(say("plan_fact_hours"), f"{plan.hours_per_week:g}"),
        Fact(say("plan_fact_weeks"), str(len(plan.weeks))),
        Fact(
            say("plan_fact_realistic"),
            say("plan_realistic_yes") if plan.feasible else say("plan_realistic_no"),
        ),
    )
    sections: list[Section] = []
    sections.extend(Section(w) for w in plan.warnings if w.startswith("Too little time"))
    current = plan.week_on(today) if today else None
    for week in plan.weeks[:SHOWN_WEEKS]:
        heading = _heading(week) + (say("plan_this_week") if week is current else "")
        sections.append(Section(_week_lines(week), heading=heading))
    later = plan.weeks[SHOWN_WEEKS:]
    if later:
        lines = [
            say(
                "plan_later_week",
                heading=_heading(w),
                topics=", ".join(t.domain for t in w.topics),
            )
            for w in later
        ]
        sections.append(Section("\n".join(lines), heading=say("plan_later_heading")))
    notes = [w for w in plan.warnings if not w.startswith("Too little time")]
    if notes:
        text = "\n".join(f"- {n}" for n in notes)
        sections.append(Section(text, heading=say("plan_notes_heading")))
    if saved:
        after = say("plan_saved_next", remind_usage=REMIND_USAGE)
    else:
        after = say("plan_next", remind_usage=REMIND_USAGE)
    sections.append(Section(after))
    return Reply(
        kind="plan",
        title=say("plan_title", certification=plan.certification),
        facts=facts,
        sections=tuple(sections),
        data=plan.to_json(),
    )


def reminder_reply(plan: Plan, today: date, practice: Action | None = None) -> Reply:
    """Return the nudge: what this week of the plan holds (and a practice question, if any)."""
    week = plan.week_on(today)
    if week is None:
        if today < plan.start:
            text = say(
                "plan_reminder_before",
                certification=plan.certification,
                start=plan.start.isoformat(),
            )
        else:
            text = say(
                "plan_reminder_done",
                certification=plan.certification,
                exam=plan.exam_date.isoformat(),
            )
        sections: tuple[Section, ...] = (Section(text),)
    else:
        left = (plan.exam_date - today).days
        if left == 1:
            lead = say("plan_reminder_lead_one", heading=_heading(week))
        else:
            lead = say("plan_reminder_lead", heading=_heading(week), days=left)
        sections = (Section(lead), Section(_week_lines(week)))
    actions = (practice,) if practice is not None else ()
    footer = Section(say("plan_reminder_stop"))
    return Reply(
        kind="plan",
        title=say("plan_reminder_title", certification=plan.certification),
        sections=(*sections, footer),
        actions=actions,
    )


def confirm_reply(title: str, text: str) -> Reply:
    """Return a short confirmation (reminder set, reminders stopped, data deleted)."""
    return Reply(kind="plan", title=title, sections=(Section(text),))
