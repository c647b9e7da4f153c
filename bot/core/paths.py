"""Path recommendation: parse 'sre 3 years' and plan levels per program from the role tables."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process

from bot.core.knowledge import Knowledge
from bot.core.models import Level, Prerequisite, Program, Role
from bot.core.text import fold, strip_markup

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "half": 0.5,
}  # fmt: skip
# "3 years", "5y", "2+ yrs", "3-5 years" (lower bound), "18 months", "6mo".
_EXPERIENCE = re.compile(
    r"(?<![a-z0-9.])(\d+(?:\.\d+)?)\s*\+?\s*(?:(?:-|to)\s*\d+(?:\.\d+)?\s*)?"
    r"(years?|yrs?|y|months?|mos?|mths?|mo|m)(?![a-z])"
)
_EXPERIENCE_WORDS = re.compile(
    r"\b(" + "|".join(_NUMBER_WORDS) + r")\s+(?:and a half\s+)?(years?|months?)\b"
)
_MINUS = re.compile(r"(?:^|\s)-$")
_AND_A_HALF = re.compile(r"\s*and a half\b")
_NEW = re.compile(
    r"\b(new to (?:the )?cloud|no (?:cloud )?experience|beginner|just starting|newbie)\b"
)
_FLAG = re.compile(r"--program[= ]+([a-z0-9-]+)|\bprogram\s*[:=]\s*([a-z0-9-]+)")
# The most words a --program value may have ("finops certified focus analyst").
_FLAG_WORDS = 4
_GOAL = re.compile(r"(?:--goal[= ]+|\bgoal\s*[:=]\s*|\b(?:i )?want to |\baiming (?:to|for) )(.+)$")

Status = Literal["met", "not-met", "unknown"]


@dataclass(frozen=True)
class PathQuery:
    """What a person asked for: role, experience, program and goal, as parsed."""

    role: Role | None
    months: float | None
    program: Program | None
    goal: str | None
    unknown_program: str | None = None
    # Experience as typed but not used: below 0 or above 50 years ("500 years").
    ignored_experience: str | None = None


@dataclass(frozen=True)
class PrereqCheck:
    """One prerequisite and whether the stated experience meets it."""

    text: str
    status: Status
    detail: str


@dataclass(frozen=True)
class Step:
    """One level to take, in order, with why and how to prepare."""

    level: Level
    why: str
    prerequisites: tuple[PrereqCheck, ...]


@dataclass(frozen=True)
class ProgramPlan:
    """The recommended levels of one program for the role, with its learning path and next steps."""

    program: Program
    steps: tuple[Step, ...]
    extras: tuple[str, ...] = ()
    learning_path: str | None = None
    learning_path_summary: str | None = None
    next_steps: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Recommendation:
    """The full answer to a path request."""

    query: PathQuery
    plans: tuple[ProgramPlan, ...] = field(default=())


def _clean(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9.+:=\- ]", " ", fold(strip_markup(text))).split())


@lru_cache(maxsize=1024)  # knowledge texts only: the same few dozen on every path
def _says_none(prerequisite: str) -> bool:
    """Return True when a prerequisite's text says there is none."""
    return _clean(prerequisite).strip(" .") in ("none", "no prerequisites", "none required")


MAX_EXPERIENCE_MONTHS = 600
EXPERIENCE_RANGE = f"0 to {MAX_EXPERIENCE_MONTHS // 12} years"


def parse_experience(text: str) -> float | None:
    """Return stated experience in months, or None when the text gives none (or none usable)."""
    return read_experience(text)[0]


def read_experience(text: str) -> tuple[float | None, str | None]:
    """Return (months, ignored): *ignored* quotes experience outside 0-50 years, not used."""
    cleaned = _clean(text)
    if _NEW.search(cleaned):
        return 0.0, None
    m = _EXPERIENCE.search(cleaned) or _EXPERIENCE_WORDS.search(cleaned)
    if not m:
        return None, None
    raw, unit = m.group(1), m.group(2)
    # "-5 years": a minus sign before the number (not the dash of a "3-5 years" range).
    if _MINUS.search(cleaned[: m.start()]):
        return None, "-" + m.group(0)
    value = float(_NUMBER_WORDS[raw]) if raw in _NUMBER_WORDS else float(raw)
    # "two and a half years", "a year and a half": the half counts too.
    value += 0.5 if _AND_A_HALF.search(m.group(0)) or _AND_A_HALF.match(cleaned[m.end() :]) else 0
    months = value if unit.startswith("m") else value * 12
    if months > MAX_EXPERIENCE_MONTHS:
        return None, m.group(0)
    return months, None


# Words too common in role names to say which role is meant ("senior engineer").
_ROLE_FILLER = frozenset(
    {"engineer", "engineers", "engineering", "eng", "manager", "lead", "head", "senior",
     "junior", "specialist", "team", "and", "or", "of", "the", "a", "an", "in", "cloud",
     "director", "officer", "member", "professional", "practitioner", "staff",
     # Words that say where someone stands, not what they do ("intern" is no "internal
     # developer platform engineer").
     "intern", "interns", "student", "students", "graduate", "grad", "trainee"}
)  # fmt: skip


class RoleFinder:
    """Finds a role in free text by alias, tolerating small typos."""

    def __init__(self, knowledge: Knowledge) -> None:
        """Index every role name and alias of *knowledge*."""
        self.aliases: dict[str, Role] = {}
        for role in knowledge.roles.values():
            for alias in (role.name, role.id.replace("-", " "), *role.aliases):
                self.aliases[_clean(alias)] = role
        ordered = sorted(self.aliases, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<![a-z0-9])(" + "|".join(re.escape(a) for a in ordered) + r")(?![a-z0-9])"
        )
        self._vocab = sorted({w for a in self.aliases for w in a.split() if len(w) >= 4})

    def find(self, text: str) -> tuple[Role | None, str]:
        """Return the role named in *text* and the text with the role removed."""
        cleaned = _clean(text)
        m = self._pattern.search(cleaned)
        if m is None:
            cleaned = " ".join(self._correct(w) for w in cleaned.split())
            m = self._pattern.search(cleaned)
        if m is None:
            return None, cleaned
        return self.aliases[m.group(1)], cleaned[: m.start()] + " " + cleaned[m.end() :]

    def closest(self, text: str, limit: int = 3) -> list[Role]:
        """Return up to *limit* roles sharing a telling word with *text*, most aliases first.

        "data analyst" names no role, but Data Engineer and the FinOps analyst's role are
        near it; a choice between them beats the whole list of roles.
        """
        said = {self._correct(w) for w in _clean(text).split() if w not in _ROLE_FILLER}
        said -= _ROLE_FILLER
        counts: Counter[str] = Counter()
        roles: dict[str, Role] = {}
        for alias, role in self.aliases.items():
            if said & (set(alias.split()) - _ROLE_FILLER):
                counts[role.id] += 1
                roles[role.id] = role
        return [roles[rid] for rid, _ in counts.most_common(limit)]

    def _correct(self, word: str) -> str:
        if len(word) < 4 or word in self._vocab:
            return word
        hit = process.extractOne(word, self._vocab, scorer=fuzz.ratio, score_cutoff=80)
        return hit[0] if hit else word


class PathRecommender:
    """Builds recommendations from the role tables of every program in a snapshot."""

    def __init__(self, knowledge: Knowledge) -> None:
        """Prepare role and program lookups for *knowledge*."""
        self.knowledge = knowledge
        self.roles = RoleFinder(knowledge)
        self.programs: dict[str, Program] = {}
        for prog in knowledge.programs.values():
            for alias in (prog.id, *prog.aliases):
                self.programs.setdefault(_clean(alias), prog)

    def parse(self, text: str, program: str | None = None) -> PathQuery:
        """Parse free text such as 'platform eng 5y --program architect' into a query."""
        cleaned = _clean(text)
        goal_match = _GOAL.search(cleaned)
        goal = goal_match.group(1).strip() if goal_match else None
        if goal_match:
            cleaned = cleaned[: goal_match.start()]
        flag = _FLAG.search(cleaned)
        wanted = program
        if flag:
            # "--program focus analyst 2 years": the longest run of words naming a program.
            named, rest = self._flag_value(cleaned[flag.start(1) or flag.start(2) :])
            wanted = wanted or named
            cleaned = cleaned[: flag.start()] + " " + rest
        role, rest = self.roles.find(cleaned)
        chosen = self.find_program(wanted) if wanted else None
        if chosen is None and not wanted:
            chosen = self.program_named(rest)
        months, ignored = read_experience(cleaned)
        return PathQuery(
            role=role,
            months=months,
            program=chosen,
            goal=goal,
            unknown_program=wanted if wanted and chosen is None else None,
            ignored_experience=ignored,
        )

    def near_roles(self, text: str) -> list[Role]:
        """Return the roles close to what *text* says, its --program and --goal left out."""
        cleaned = _clean(text)
        if goal := _GOAL.search(cleaned):
            cleaned = cleaned[: goal.start()]
        return self.roles.closest(_FLAG.sub(" ", cleaned))

    def _flag_value(self, after: str) -> tuple[str, str]:
        """Return the program name that opens *after* (the text after --program) and the
        text after it: the longest run of up to four words that names one program ("ai
        value", "focus" for the FOCUS Analyst), else the first word."""
        said = after.split()
        for n in range(min(_FLAG_WORDS, len(said)), 0, -1):
            name = " ".join(said[:n])
            if self.find_program(name) is not None:
                return name, " ".join(said[n:])
        return (said[0], " ".join(said[1:])) if said else ("", "")

    def _only_alias_starting(self, name: str) -> Program | None:
        """Return the one program whose aliases start with the words *name* ("focus"), or
        None when none or several do."""
        found = {id(p): p for a, p in self.programs.items() if a.startswith(f"{name} ")}
        return next(iter(found.values())) if len(found) == 1 else None

    def find_program(self, name: str) -> Program | None:
        """Return the program called *name* (id or alias, or the start of one program's
        aliases only), or None."""
        cleaned = _clean(name)
        return self.programs.get(cleaned) or self._only_alias_starting(cleaned)

    def program_named(self, text: str) -> Program | None:
        """Return the program whose name or alias *text* mentions (longest alias first)."""
        padded = f" {_clean(text)} "
        for alias in sorted(self.programs, key=len, reverse=True):
            if len(alias) >= 3 and f" {alias} " in padded:
                return self.programs[alias]
        return None

    def recommend(self, query: PathQuery) -> Recommendation:
        """Plan every program (or the one asked for) for the query's role."""
        if query.role is None:
            return Recommendation(query)
        programs = [query.program] if query.program else list(self.knowledge.programs.values())
        plans = [self._plan(p, query.role, query.months) for p in programs]
        # Programs that recommend something for the role come first; the rest only say so.
        plans.sort(key=lambda plan: not plan.steps)
        return Recommendation(query, _in_taking_order(plans))

    def _plan(self, program: Program, role: Role, months: float | None) -> ProgramPlan:
        path = next(
            (lp for lp in program.paths if role.path and role.path in (lp.id, *lp.covers)), None
        )
        rec = next((r for r in program.roles if r.role == role.id), None)
        if rec is None:
            return ProgramPlan(
                program,
                (),
                learning_path=path.name if path else None,
                learning_path_summary=path.summary if path else None,
                note=f"{program.name} does not recommend a level for {role.name}.",
            )
        reasons = dict.fromkeys(rec.levels, f"Recommended for {role.name}")
        if rec.note:
            reasons = {lid: f"{why}: {rec.note}" for lid, why in reasons.items()}
        self._with_earlier(reasons)
        self._with_lower(program, reasons, months)
        levels = sorted((self.knowledge.levels[lid] for lid in reasons), key=lambda lv: lv.order)
        chosen = {lv.id for lv in levels}
        steps = []
        for lv in levels:
            why = reasons[lv.id]
            why += "" if why.endswith(".") else "."
            if lv.who:
                why += " Aimed at: " + "; ".join(w.rstrip(".") for w in lv.who[:3]) + "."
            checks = tuple(self._check(pre, months, chosen) for pre in lv.prerequisites)
            steps.append(Step(lv, why, checks))
        last = levels[-1] if levels else None
        next_steps = tuple(f"{n.kind}: {n.name}" for n in last.next) if last else ()
        if not next_steps and program.progression:
            next_steps = (f"same-track: {program.progression.same_track}",)
        return ProgramPlan(
            program,
            tuple(steps),
            extras=rec.extras,
            learning_path=path.name if path else None,
            learning_path_summary=path.summary if path else None,
            next_steps=next_steps,
        )

    def _with_earlier(self, reasons: dict[str, str]) -> None:
        """Add to *reasons* (level id -> why it is in the path) the levels their levels'
        prerequisites require, however deep.

        A CTO's path had opened on the Architect's Advanced level with its own prerequisite,
        the Professional level, marked missing: a path lists what comes first.
        """
        pending = list(reasons)
        while pending:
            level = self.knowledge.levels.get(pending.pop())
            for pre in level.prerequisites if level else ():
                needed = pre.requires_level
                if needed and needed in self.knowledge.levels and needed not in reasons:
                    reasons[needed] = (
                        f"Comes first: {level.name if level else needed} requires it "
                        "(skip it if you already work at it)"
                    )
                    pending.append(needed)

    def _with_lower(self, program: Program, reasons: dict[str, str], months: float | None) -> None:
        """Add to *reasons* the level below the path's first while the stated *months* fall
        short of the experience that first level asks ("sre 0 years" had opened on the
        Architect's Professional level, which asks 2+ years)."""
        while months is not None and reasons:
            first = min((self.knowledge.levels[lid] for lid in reasons), key=lambda lv: lv.order)
            need = max((p.min_experience_months or 0 for p in first.prerequisites), default=0)
            below = [lv for lv in program.levels if lv.order < first.order]
            if months >= need or not below:
                return
            lower = max(below, key=lambda lv: lv.order)
            reasons[lower.id] = (
                f"Comes first: {first.name} asks for {_months(need)} of experience, "
                f"and you have {_months(months)}"
            )

    def _check(self, pre: Prerequisite, months: float | None, chosen: set[str]) -> PrereqCheck:
        """Say whether *months* of experience and the *chosen* levels meet *pre*."""
        if _says_none(pre.text):
            return PrereqCheck(pre.text, "met", "no prerequisite")
        if pre.requires_level:
            needed = self.knowledge.levels.get(pre.requires_level)
            name = needed.name if needed else pre.requires_level
            if pre.requires_level in chosen:
                return PrereqCheck(pre.text, "met", f"comes earlier in this path: {name}")
            return PrereqCheck(pre.text, "not-met", f"take {name} first, or show equivalent work")
        if pre.min_experience_months is not None:
            need = pre.min_experience_months
            if months is None:
                return PrereqCheck(pre.text, "unknown", f"needs {_months(need)}; tell me yours")
            if months >= need:
                return PrereqCheck(pre.text, "met", f"you have {_months(months)}")
            return PrereqCheck(
                pre.text, "not-met", f"needs {_months(need)}, you have {_months(months)}"
            )
        return PrereqCheck(pre.text, "unknown", "check this yourself")


def _months(months: float) -> str:
    if months >= 12 and months % 12 == 0:
        years = int(months // 12)
        return f"{years} year" + ("s" if years != 1 else "")
    return f"{months:g} month" + ("s" if months != 1 else "")


@dataclass(frozen=True)
class PathRequest:
    """The path form's fields as a person filled them in (Slack modal or Teams card)."""

    role: str
    experience: str | None = None
    program: str | None = None
    goal: str | None = None

    def text(self) -> str:
        """Return the same request as /finops-path text, so Share can replay it."""
        parts = [self.role]
        if self.experience:
            parts.append(self.experience)
        if self.program:
            parts.append(f"--program {self.program}")
        if self.goal:
            # The goal goes last: the parser takes everything after --goal.
            parts.append(f"--goal {self.goal}")
        return " ".join(" ".join(parts).split())

    def problems(self, paths: PathRecommender) -> dict[str, str]:
        """Return what is wrong with each field (field name -> message); empty when fine."""
        problems: dict[str, str] = {}
        role, _ = paths.roles.find(self.role)
        if role is None:
            names = sorted(r.name for r in paths.knowledge.roles.values())
            problems["role"] = "I don't know that role. Try one of: " + ", ".join(names)
        months, ignored = read_experience(self.experience) if self.experience else (None, None)
        if ignored:
            problems["experience"] = f"I read experience as {EXPERIENCE_RANGE}; '{ignored}' is not."
        elif self.experience and months is None:
            problems["experience"] = (
                "I couldn't read that as experience. Try '3 years', '18 months' or 'new to cloud'."
            )
        if self.program and paths.find_program(self.program) is None:
            problems["program"] = "That program is no longer available; pick another one."
        return problems


def _in_taking_order(plans: list[ProgramPlan]) -> tuple[ProgramPlan, ...]:
    """Return *plans* with each program after those it is to be taken after, else as given.

    A CTO's path had listed Technology Value before the FOCP that its own prerequisites say
    to take first. Only the plans that recommend something are ordered (taking_order); the
    rest follow as given.
    """
    recommended = [plan for plan in plans if plan.steps]
    everything = [plan.program for plan in plans]
    order = taking_order([plan.program for plan in recommended], everything)
    by_id = {plan.program.id: plan for plan in recommended}
    return (*(by_id[p.id] for p in order), *(plan for plan in plans if not plan.steps))


def taking_order(
    programs: Sequence[Program], counted: Sequence[Program] | None = None
) -> list[Program]:
    """Return *programs* with each after those it is to be taken after, else as given.

    Among the programs whose earlier programs are all placed, the one that most programs
    (of *counted*, by default *programs*) are to be taken after goes next (a finance path
    had listed FOCUS Analyst, which nothing builds on, before the FOCP that four programs
    build on); then the order given. A cycle in the data falls back to the order given.
    """
    counted = programs if counted is None else counted
    builds_on = Counter(p for program in counted for p in program.take_after)
    placed: list[Program] = []
    waiting = list(programs)
    while waiting:
        pending = {program.id for program in waiting}
        ready_now = [program for program in waiting if pending.isdisjoint(program.take_after)]
        ready = max(ready_now, key=lambda p: builds_on[p.id]) if ready_now else waiting[0]
        placed.append(ready)
        # By identity: list.remove would compare pydantic programs field by field.
        waiting = [program for program in waiting if program is not ready]
    return placed
