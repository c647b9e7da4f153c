"""Study plans: a week-by-week plan from a start date to the exam, built from the knowledge."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from bot.core.knowledge import Knowledge
from bot.core.models import Faq, Level, Program
from bot.core.paths import PathRecommender
from bot.core.text import fold

MIN_HOURS = 1.0
MAX_HOURS = 40.0
MAX_DAYS = 730
# The bot's own rule of thumb, said in every plan's warnings: no source gives study hours.
HOURS_PER_TOPIC = 3
MIN_TOPICS = 4
QUESTIONS_PER_HOUR = 5
REVIEW_QUESTIONS_PER_HOUR = 10
READING_PER_TOPIC = 4
WeekKind = Literal["study", "review"]


@dataclass(frozen=True)
class Reading:
    """An FAQ to read, by id and question."""

    faq_id: str
    title: str


@dataclass(frozen=True)
class Topic:
    """Time given to one exam domain (or skill) in one week."""

    domain: str
    hours: float
    reading: tuple[Reading, ...] = ()


@dataclass(frozen=True)
class Week:
    """One week of the plan: from *start*, *days* long (the last one may be shorter)."""

    week: int
    start: date
    days: int
    hours: float
    topics: tuple[Topic, ...]
    practice_questions: int
    milestone: str
    kind: WeekKind = "study"

    @property
    def end(self) -> date:
        """Return the last day of the week."""
        return self.start + timedelta(days=self.days - 1)


@dataclass(frozen=True)
class Plan:
    """A study plan for one certification level, feasible or the closest we could make."""

    certification: str
    level_id: str
    program_id: str
    exam_date: date
    hours_per_week: float
    start: date
    feasible: bool
    weeks: tuple[Week, ...]
    warnings: tuple[str, ...]
    needed_hours: float

    def week_on(self, day: date) -> Week | None:
        """Return the week *day* falls in, or None before the start or after the last week."""
        return next((w for w in self.weeks if w.start <= day <= w.end), None)

    def to_json(self) -> dict[str, Any]:
        """Return the plan as the documented JSON object."""
        return {
            "certification": self.level_id,
            "exam_date": self.exam_date.isoformat(),
            "hours_per_week": self.hours_per_week,
            "feasible": self.feasible,
            "weeks": [
                {
                    "week": w.week,
                    "start": w.start.isoformat(),
                    "hours": w.hours,
                    "topics": [
                        {
                            "domain": t.domain,
                            "hours": t.hours,
                            "reading": [{"faq_id": r.faq_id, "title": r.title} for r in t.reading],
                        }
                        for t in w.topics
                    ],
                    "practice_questions": w.practice_questions,
                    "milestone": w.milestone,
                }
                for w in self.weeks
            ],
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class PlanRefusal:
    """Why no plan can be made (unknown certification, past date, impossible hours)."""

    message: str


@dataclass(frozen=True)
class _Domain:
    name: str
    weight: float
    reading: tuple[Reading, ...]


def _half_down(hours: float) -> int:
    """Return *hours* in whole half-hours, rounded down (a tiny epsilon absorbs float noise)."""
    return max(0, math.floor(hours * 2 + 1e-9))


def _hours(units: int) -> float:
    return units / 2


def _share(total: int, weights: list[float]) -> list[int]:
    """Split *total* units by *weights* (largest remainder), so the parts add up exactly."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: parts[i] - exact[i])
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def resolve(
    knowledge: Knowledge, cert: str, paths: PathRecommender | None = None
) -> tuple[Program, Level, bool] | None:
    """Return (program, level, chosen_by_default) for *cert*: a level id or a program name."""
    name = " ".join(fold(cert).replace("_", "-").split())
    if not name:
        return None
    level = knowledge.levels.get(name.replace(" ", "-"))
    if level is not None:
        return knowledge.programs[knowledge.program_of_level[level.id]], level, False
    finder = paths or PathRecommender(knowledge)
    program = finder.find_program(name) or (finder.program_named(name) if len(name) >= 3 else None)
    if program is None or not program.levels:
        return None
    levels = sorted(program.levels, key=lambda lv: lv.order)
    return program, levels[0], len(levels) > 1


def known_certifications(knowledge: Knowledge) -> list[str]:
    """Return the names a plan accepts: every program id and every level id of a multi-level one."""
    names: list[str] = []
    for program in knowledge.programs.values():
        names.append(program.id)
        if len(program.levels) > 1:
            names.extend(lv.id for lv in sorted(program.levels, key=lambda lv: lv.order))
    return names


def _related_faqs(knowledge: Knowledge, program: Program, text: str) -> tuple[Reading, ...]:
    """Return the program's FAQs sharing the most words with *text* (a skill), best first."""
    words = set(re.findall(r"[a-z]{4,}", fold(text)))
    own = [f for f in knowledge.faqs.values() if f.program == program.id]

    def overlap(faq: Faq) -> int:
        return len(words & set(re.findall(r"[a-z]{4,}", fold(faq.question + " " + faq.answer))))

    ranked = sorted(own, key=lambda f: (-overlap(f), f.id))
    return tuple(Reading(f.id, f.question) for f in ranked[:READING_PER_TOPIC])


def _domains(knowledge: Knowledge, program: Program, level: Level) -> tuple[list[_Domain], str]:
    """Return the topics to share the hours among and a warning saying where they come from."""
    if program.exam_domains and len(program.levels) == 1:
        doms = [
            _Domain(
                d.name,
                d.weight,
                tuple(Reading(f, knowledge.faqs[f].question) for f in d.reading),
            )
            for d in program.exam_domains
        ]
        first = program.exam_domains[0]
        cited = knowledge.source_label(first.sources)
        note = f" {first.note.rstrip('.')}." if first.note else ""
        return doms, f"Hours follow the exam's domain weights.{note} Sources: {cited}."
    skills = level.skills or (f"{level.name}: the course and exam content",)
    doms = [_Domain(s.rstrip("."), 1.0, _related_faqs(knowledge, program, s)) for s in skills]
    why = (
        f"No source gives exam domain weights for {level.name}: "
        "its listed skills share the hours equally."
    )
    return doms, why


def _guide_advice(level: Level, days: int) -> str | None:
    """Return the guide's own prep plan for the horizon that fits *days*, if it has one."""
    steps = [(int(s.days.split("-")[-1]), s) for s in level.prep_plan]
    if not steps:
        return None
    steps.sort(key=lambda pair: pair[0])
    step = next((s for d, s in steps if d >= days), steps[-1][1])
    return f"The guide's {step.days}-day plan: {step.text.rstrip('.')}."


@dataclass(frozen=True)
class _Request:
    program: Program
    level: Level
    exam: date
    hours: float
    start: date


def _buffer_days(days: int) -> int:
    return 1 if days < 14 else 2


def _schedule(req: _Request, domains: list[_Domain], needed_units: int) -> tuple[bool, list[Week]]:
    """Lay out the weeks; return whether they give the needed hours plus a review week."""
    days = (req.exam - req.start).days
    plan_days = days - _buffer_days(days)
    # Laid out backwards from the buffer, so the review week is a whole week and only the
    # first week (starting today) may be short.
    spans: list[tuple[date, int, int]] = []
    end = plan_days
    while end > 0:
        length = min(7, end)
        end -= length
        units = _half_down(req.hours * length / 7)
        if units > 0:
            spans.insert(0, (req.start + timedelta(days=end), length, units))
    review = spans[-1] if len(spans) >= 2 else None
    study = spans[:-1] if review is not None else spans
    study_units = sum(u for _, _, u in study)
    feasible = review is not None and study_units >= needed_units
    weeks = _study_weeks(study, domains)
    if review is not None:
        weeks.append(_review_week(len(weeks) + 1, review, domains))
    return feasible, weeks


def _study_weeks(spans: list[tuple[date, int, int]], domains: list[_Domain]) -> list[Week]:
    total = sum(u for _, _, u in spans)
    targets = _share(total, [d.weight for d in domains])
    queue = [[i, t] for i, t in enumerate(targets) if t > 0]
    given = [0] * len(domains)
    weeks: list[Week] = []
    for n, (start, length, units) in enumerate(spans, start=1):
        left = units
        topics: list[Topic] = []
        finished: list[str] = []
        while left > 0 and queue:
            i, remaining = queue[0]
            take = min(left, remaining)
            dom = domains[i]
            lo = len(dom.reading) * given[i] // targets[i]
            given[i] += take
            hi = len(dom.reading) * given[i] // targets[i]
            topics.append(Topic(dom.name, _hours(take), dom.reading[lo:hi]))
            left -= take
            queue[0][1] -= take
            if queue[0][1] == 0:
                queue.pop(0)
                finished.append(dom.name)
        if finished:
            milestone = "Finish " + ", ".join(finished)
        elif topics:
            milestone = "Keep going with " + topics[-1].domain
        else:
            milestone = "Practice questions"
        weeks.append(
            Week(n, start, length, _hours(units), tuple(topics), units * QUESTIONS_PER_HOUR // 2,
                 milestone)
        )  # fmt: skip
    return weeks


def _review_week(number: int, span: tuple[date, int, int], domains: list[_Domain]) -> Week:
    start, length, units = span
    parts = _share(units, [d.weight for d in domains])
    topics = tuple(Topic(d.name, _hours(p)) for d, p in zip(domains, parts, strict=True) if p)
    return Week(
        number,
        start,
        length,
        _hours(units),
        topics,
        units * REVIEW_QUESTIONS_PER_HOUR // 2,
        "Review week: a timed practice run, then revisit your weakest domains",
        kind="review",
    )


def _earliest(req: _Request, domains: list[_Domain], needed: int) -> date | None:
    """Return the earliest exam date these hours make feasible, or None beyond the limit."""
    per_week = _half_down(req.hours)
    guess = req.start + timedelta(days=7 * (math.ceil(needed / max(per_week, 1)) + 1) + 1)
    day = max(guess - timedelta(days=7), req.start + timedelta(days=2))
    while (day - req.start).days <= MAX_DAYS:
        trial = _Request(req.program, req.level, day, req.hours, req.start)
        if _schedule(trial, domains, needed)[0]:
            return day
        day += timedelta(days=1)
    return None


def _hours_needed(req: _Request, domains: list[_Domain], needed: int) -> float | None:
    """Return the fewest hours a week (in halves) that make *req*'s date feasible, if any."""
    units = _half_down(req.hours) + 1
    while units <= MAX_HOURS * 2:
        trial = _Request(req.program, req.level, req.exam, _hours(units), req.start)
        if _schedule(trial, domains, needed)[0]:
            return _hours(units)
        units += 1
    return None


def _fmt(hours: float) -> str:
    return f"{hours:g}"


def build_plan(
    knowledge: Knowledge,
    cert: str,
    exam_date: date,
    hours_per_week: float,
    start: date | None = None,
    *,
    paths: PathRecommender | None = None,
) -> Plan | PlanRefusal:
    """Plan the weeks from *start* (today) to *exam_date*, or say plainly why not."""
    start = start or date.today()
    found = resolve(knowledge, cert, paths)
    if found is None:
        return PlanRefusal(
            f"I don't know the certification '{cert[:60]}'. I can plan for: "
            + ", ".join(known_certifications(knowledge))
            + "."
        )
    if not math.isfinite(hours_per_week) or not MIN_HOURS <= hours_per_week <= MAX_HOURS:
        return PlanRefusal(
            f"Hours a week must be between {MIN_HOURS:g} and {MAX_HOURS:g} "
            f"(you said {hours_per_week:g})."
        )
    days = (exam_date - start).days
    if days <= 0:
        when = "today" if days == 0 else "in the past"
        return PlanRefusal(
            f"{exam_date.isoformat()} is {when}: give an exam date after {start.isoformat()}."
        )
    if days > MAX_DAYS:
        return PlanRefusal(
            f"{exam_date.isoformat()} is more than two years away; "
            "I plan up to two years ahead. Pick a nearer date and plan again later."
        )
    program, level, by_default = found
    req = _Request(program, level, exam_date, hours_per_week, start)
    domains, source_note = _domains(knowledge, program, level)
    needed = 2 * HOURS_PER_TOPIC * max(len(domains), MIN_TOPICS)
    feasible, weeks = _schedule(req, domains, needed)
    warnings: list[str] = []
    if by_default:
        others = ", ".join(lv.id for lv in program.levels if lv.id != level.id)
        warnings.append(
            f"{program.name} has {len(program.levels)} levels; this plan is for {level.name}. "
            f"Name a level ({others}) to plan for another."
        )
    if not feasible:
        warnings.append(_too_short(req, domains, needed))
    warnings.append(source_note)
    warnings.append(
        f"About {_fmt(_hours(needed))} hours of study before the review week is this bot's "
        f"rule of thumb ({HOURS_PER_TOPIC} per topic), not an official figure."
    )
    advice = _guide_advice(level, days)
    if advice and weeks:
        weeks[0] = dataclasses.replace(weeks[0], milestone=f"{weeks[0].milestone}. {advice}")
    return Plan(
        certification=level.name,
        level_id=level.id,
        program_id=program.id,
        exam_date=exam_date,
        hours_per_week=hours_per_week,
        start=start,
        feasible=feasible,
        weeks=tuple(weeks),
        warnings=tuple(warnings),
        needed_hours=_hours(needed),
    )


def _too_short(req: _Request, domains: list[_Domain], needed: int) -> str:
    """Say the time is too short, with the earliest realistic date and the hours it would take."""
    text = (
        f"Too little time: {_fmt(req.hours)} hours a week until {req.exam.isoformat()} does not "
        f"leave about {_fmt(_hours(needed))} hours of study plus a review week."
    )
    options: list[str] = []
    hours = _hours_needed(req, domains, needed)
    if hours is not None:
        options.append(f"study {_fmt(hours)} hours a week to keep this date")
    earliest = _earliest(req, domains, needed)
    if earliest is not None:
        options.append(
            f"move the exam to {earliest.isoformat()} or later at {_fmt(req.hours)} hours a week"
        )
    if not options:
        options.append("move the exam later and study more hours a week")
    choice = " or ".join(options)
    return f"{text} To make it realistic, {choice}."


@dataclass(frozen=True)
class PlanArgs:
    """A plan request as typed: certification, exam date and hours a week."""

    cert: str
    exam: date
    hours: float


_DATE = re.compile(r"(?<![0-9])([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?![0-9])")
_HOURS = re.compile(
    r"(?<![0-9.\-])([0-9]+(?:[.,][0-9]+)?)\s*(?:h|hrs?|hours?)?\s*"
    r"(?:(?:a|per|/|each)\s*(?:w|wk|week))?(?![0-9a-z\-])"
)


def parse_hours(text: str) -> float | None:
    """Read hours a week typed alone ('4', '4h', '2.5 hours a week'); None if it is not that."""
    m = _HOURS.fullmatch(" ".join(fold(text).split()))
    return float(m.group(1).replace(",", ".")) if m else None


def parse_plan_args(text: str) -> PlanArgs | str:
    """Read 'focp 2027-03-01 4h' (in any order); return the request or what is missing."""
    cleaned = " ".join(fold(text).split())[:300]
    m = _DATE.search(cleaned)
    if m is None:
        return "Give the exam date as YYYY-MM-DD, e.g. 2027-03-01."
    try:
        exam = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return f"{m.group(0)} is not a date; give it as YYYY-MM-DD, e.g. 2027-03-01."
    rest = cleaned[: m.start()] + " " + cleaned[m.end() :]
    hours_match = None
    for candidate in _HOURS.finditer(rest):
        hours_match = candidate  # the last number is the hours: cert names hold none at the end
    if hours_match is None:
        return "Say how many hours a week you can study, e.g. 4h."
    hours = float(hours_match.group(1).replace(",", "."))
    cert = (rest[: hours_match.start()] + " " + rest[hours_match.end() :]).strip(" ,;:-")
    if not cert:
        return "Say which certification, e.g. focp."
    return PlanArgs(" ".join(cert.split()), exam, hours)


def certification_choices(knowledge: Knowledge) -> dict[str, str]:
    """Return what a plan form offers: id -> name, one entry per level of multi-level programs."""
    choices: dict[str, str] = {}
    for program in knowledge.programs.values():
        levels = sorted(program.levels, key=lambda lv: lv.order)
        if len(levels) == 1:
            choices[program.id] = program.name
        else:
            choices.update({lv.id: f"{program.name}: {lv.short_name}" for lv in levels})
    return choices
