"""Replies about study plans: the plan, this week's reminder, usage and confirmations."""

from __future__ import annotations

from datetime import date

from bot.core.reminders import REMIND_USAGE
from bot.core.reply import Action, Fact, Reply, Section
from bot.core.study import Plan, Week

PLAN_USAGE = (
    "Usage: /finops-plan CERT EXAM_DATE HOURS_PER_WEEK\n"
    "- /finops-plan focp 2027-03-01 4h: a week-by-week plan to your exam\n"
    "- /finops-plan show: your saved plan and this week\n"
    f"- {REMIND_USAGE}\n"
    "- /finops-plan stop: cancel every reminder\n"
    "- /finops-plan forget: delete your plan and reminders (or say 'forget me' in a DM)"
)
SHOWN_WEEKS = 8  # weeks shown in full; later ones get one line each
SHOWN_READING = 3


def plan_help_reply(lead: str | None = None) -> Reply:
    """Explain /finops-plan, after *lead* (what was wrong with the request) when given."""
    sections = (Section(lead),) if lead else ()
    return Reply(
        kind="help",
        title="/finops-plan: a study plan to your exam date",
        sections=(*sections, Section(PLAN_USAGE)),
    )


def plan_form_reply() -> Reply:
    """Ask for the plan's fields (platforms with forms show one; the terminal shows usage)."""
    reply = plan_help_reply("Tell me the certification, your exam date and hours a week.")
    return Reply(kind="clarify", title=reply.title, sections=reply.sections, data={"form": "plan"})


def refusal_reply(message: str) -> Reply:
    """Say plainly why no plan can be made, with the usage."""
    return plan_help_reply(message)


def _week_lines(week: Week) -> str:
    lines = []
    for topic in week.topics:
        line = f"- {topic.domain} ({topic.hours:g} h)"
        if topic.reading:
            titles = ", ".join(f"“{r.title}”" for r in topic.reading[:SHOWN_READING])
            extra = len(topic.reading) - SHOWN_READING
            line += f": read {titles}" + (f" (+{extra} more)" if extra > 0 else "")
        lines.append(line)
    lines.append(f"- {week.practice_questions} practice questions")
    lines.append(f"- Milestone: {week.milestone}")
    return "\n".join(lines)


def _heading(week: Week) -> str:
    kind = "Review week" if week.kind == "review" else f"Week {week.week}"
    return f"{kind}: {week.start:%a %d %b} to {week.end:%a %d %b}, {week.hours:g} h"


def plan_reply(plan: Plan, *, saved: bool = False, today: date | None = None) -> Reply:
    """Return the whole plan: facts, each week, the notes, and what to do next."""
    facts = (
        Fact("Exam", plan.exam_date.isoformat()),
        Fact("Hours a week", f"{plan.hours_per_week:g}"),
        Fact("Weeks", str(len(plan.weeks))),
        Fact("Realistic", "yes" if plan.feasible else "no, see below"),
    )
    sections: list[Section] = []
    sections.extend(Section(w) for w in plan.warnings if w.startswith("Too little time"))
    current = plan.week_on(today) if today else None
    for week in plan.weeks[:SHOWN_WEEKS]:
        heading = _heading(week) + (" (this week)" if week is current else "")
        sections.append(Section(_week_lines(week), heading=heading))
    later = plan.weeks[SHOWN_WEEKS:]
    if later:
        lines = [f"- {_heading(w)}: " + ", ".join(t.domain for t in w.topics) for w in later]
        sections.append(Section("\n".join(lines), heading="Later weeks"))
    notes = [w for w in plan.warnings if not w.startswith("Too little time")]
    if notes:
        sections.append(Section("\n".join(f"- {n}" for n in notes), heading="Notes"))
    after = (
        "Saved as your plan. " if saved else ""
    ) + f"Nudges: {REMIND_USAGE}. '/finops-plan forget' deletes it."
    sections.append(Section(after))
    return Reply(
        kind="plan",
        title=f"Study plan: {plan.certification}",
        facts=facts,
        sections=tuple(sections),
        data=plan.to_json(),
    )


def reminder_reply(plan: Plan, today: date, practice: Action | None = None) -> Reply:
    """Return the nudge: what this week of the plan holds (and a practice question, if any)."""
    week = plan.week_on(today)
    if week is None:
        if today < plan.start:
            text = f"Your plan for {plan.certification} starts on {plan.start.isoformat()}."
        else:
            text = (
                f"Your study weeks for {plan.certification} are done: the exam is on "
                f"{plan.exam_date.isoformat()}. Rest, check the logistics, and good luck!"
            )
        sections: tuple[Section, ...] = (Section(text),)
    else:
        left = (plan.exam_date - today).days
        lead = f"{_heading(week)}. The exam is in {left} day{'s' if left != 1 else ''}."
        sections = (Section(lead), Section(_week_lines(week)))
    actions = (practice,) if practice is not None else ()
    footer = Section("'/finops-plan stop' ends these reminders.")
    return Reply(
        kind="plan",
        title=f"Study reminder: {plan.certification}",
        sections=(*sections, footer),
        actions=actions,
    )


def confirm_reply(title: str, text: str) -> Reply:
    """Return a short confirmation (reminder set, reminders stopped, data deleted)."""
    return Reply(kind="plan", title=title, sections=(Section(text),))
