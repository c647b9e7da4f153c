"""What the bot learns from use, as plain data and neutral admin replies.

Pure: the storage layer reads the database into these dataclasses, and the functions here
turn them into `Reply`s any adapter can render (Slack blocks, Teams cards, terminal text).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from rapidfuzz import fuzz, process

from bot.core.knowledge import Knowledge
from bot.core.matching import FaqIndex, MatchSettings
from bot.core.reply import Attachment, Fact, Reply, Section, Suggestion
from bot.core.text import words
from bot.core.wording import say

Outcome = Literal["answered", "suggested", "declined"]
OUTCOMES: tuple[Outcome, ...] = ("answered", "suggested", "declined")
Vote = Literal["up", "down"]

DEFAULT_REVIEW_DAYS = 90
DEFAULT_DAYS = 30
MAX_DAYS = 3650
# Two questions whose canonical words are this similar (rapidfuzz token_sort_ratio) are
# grouped as "the same question" in the unanswered list.
GROUP_SIMILARITY = 85.0
# Answered, but within this many points of the answer threshold: "barely answered".
LOW_SCORE_MARGIN = 5.0

_OUTCOME_OF_KIND: dict[str, Outcome] = {
    "answer": "answered",
    "suggest": "suggested",
    "decline": "declined",
}


def outcome_of(reply: Reply) -> Outcome | None:
    """Return how an FAQ question ended, or None when *reply* answers no FAQ question."""
    return _OUTCOME_OF_KIND.get(reply.kind)


def parse_days(args: str, default: int = DEFAULT_DAYS) -> int | None:
    """Read the optional `[days]` argument of an admin verb; None when it is not a number."""
    text = args.strip().split(" ", 1)[0] if args.strip() else ""
    if not text:
        return default
    # ASCII only: str.isdigit() also accepts '²', which int() refuses.
    if not (text.isascii() and text.isdigit()):
        return None
    if len(text) > len(str(MAX_DAYS)):
        # Past int()'s 4,300-digit limit it would raise; any such number is over the cap.
        return MAX_DAYS
    return max(1, min(int(text), MAX_DAYS))


# ----- stats


@dataclass(frozen=True)
class FaqCount:
    """How often one FAQ was the answer."""

    faq_id: str
    count: int


@dataclass(frozen=True)
class FaqVotes:
    """The 👍 and 👎 one FAQ received."""

    faq_id: str
    up: int
    down: int


@dataclass(frozen=True)
class Stats:
    """Counts over the last *days* days, read from the store."""

    days: int
    answered: int = 0
    suggested: int = 0
    declined: int = 0
    top_faqs: tuple[FaqCount, ...] = ()
    most_down: tuple[FaqVotes, ...] = ()
    votes_up: int = 0
    votes_down: int = 0
    suggestion_clicks: int = 0
    platforms: tuple[tuple[str, int], ...] = ()

    @property
    def questions(self) -> int:
        """Return every recorded FAQ question in the period."""
        return self.answered + self.suggested + self.declined

    def rate(self, count: int) -> float:
        """Return *count* as a percentage of the questions (0 when there were none)."""
        return 100.0 * count / self.questions if self.questions else 0.0


def _faq_label(knowledge: Knowledge, faq_id: str) -> str:
    faq = knowledge.faqs.get(faq_id)
    return f"{faq.question} ({faq_id})" if faq else say("insights_faq_gone", faq_id=faq_id)


def _period(days: int) -> str:
    return say("insights_period_one") if days == 1 else say("insights_period", days=days)


def _share(stats: Stats, count: int) -> str:
    return f"{count} ({stats.rate(count):.0f}%)"


def stats_reply(stats: Stats, knowledge: Knowledge) -> Reply:
    """Return the `stats` admin view: volumes, answer and decline rates, top and 👎 FAQs."""
    facts = (
        Fact(say("insights_fact_questions"), str(stats.questions)),
        Fact(say("insights_fact_answered"), _share(stats, stats.answered)),
        Fact(say("insights_fact_suggested"), _share(stats, stats.suggested)),
        Fact(say("insights_fact_declined"), _share(stats, stats.declined)),
        Fact(say("insights_fact_feedback"), f"👍 {stats.votes_up} / 👎 {stats.votes_down}"),
        Fact(say("insights_fact_clicks"), str(stats.suggestion_clicks)),
    )
    sections: list[Section] = []
    if stats.top_faqs:
        lines = [f"- {c.count}× {_faq_label(knowledge, c.faq_id)}" for c in stats.top_faqs]
        sections.append(Section("\n".join(lines), heading=say("insights_top_heading")))
    if stats.most_down:
        lines = [
            f"- 👎 {v.down} / 👍 {v.up}: {_faq_label(knowledge, v.faq_id)}" for v in stats.most_down
        ]
        sections.append(Section("\n".join(lines), heading=say("insights_down_heading")))
    if stats.platforms:
        text = ", ".join(f"{name} {n}" for name, n in stats.platforms)
        sections.append(Section(say("insights_by_platform", platforms=text)))
    if not stats.questions:
        sections.append(Section(say("insights_no_questions", period=_period(stats.days))))
    sections.append(Section(say("insights_stats_next")))
    return Reply(
        kind="admin",
        title=say("insights_stats_title", period=_period(stats.days)),
        facts=facts,
        sections=tuple(sections),
    )


# ----- unanswered questions


@dataclass(frozen=True)
class AskedQuestion:
    """One recorded question whose text is still kept (inside the retention period)."""

    text: str
    outcome: Outcome
    score: float
    asked_at: datetime
    faq_id: str | None = None


@dataclass(frozen=True)
class QuestionGroup:
    """Similar unanswered questions, with the FAQ nearest to them."""

    text: str
    count: int
    last_asked: datetime
    examples: tuple[str, ...] = ()
    outcomes: tuple[tuple[Outcome, int], ...] = ()
    nearest: Suggestion | None = None


def is_unanswered(q: AskedQuestion, settings: MatchSettings) -> bool:
    """Return True for a declined, "did you mean" or barely answered question."""
    if q.outcome != "answered":
        return True
    return q.score < settings.answer_threshold + LOW_SCORE_MARGIN


def group_questions(
    questions: Sequence[AskedQuestion],
    index: FaqIndex,
    settings: MatchSettings,
    *,
    similarity: float = GROUP_SIMILARITY,
    nearest_for: int = 50,
) -> list[QuestionGroup]:
    """Group similar *questions*, most frequent group first (then the most recent).

    Questions are compared on the matcher's canonical words (filler and stopwords dropped,
    synonyms applied), so "what's the FOCP price?" and "focp cost" fall together. Each group
    is shown by its most recent wording; the first *nearest_for* groups get their nearest FAQ.
    """
    keys: list[str] = []
    members: list[list[AskedQuestion]] = []
    for q in sorted(questions, key=lambda q: q.asked_at, reverse=True):
        key = _group_key(q.text, index)
        hit = (
            process.extractOne(key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=similarity)
            if keys
            else None
        )
        if hit is None:
            keys.append(key)
            members.append([q])
        else:
            members[hit[2]].append(q)
    members.sort(key=lambda qs: (-len(qs), -qs[0].asked_at.timestamp()))
    groups = []
    for n, qs in enumerate(members):
        first = qs[0]
        counts = {o: sum(1 for q in qs if q.outcome == o) for o in OUTCOMES}
        examples = list(dict.fromkeys(q.text for q in qs))
        nearest = None
        if n < nearest_for:
            best = index.match(first.text, settings).best
            nearest = Suggestion(best.faq.id, best.faq.question, best.score) if best else None
        groups.append(
            QuestionGroup(
                text=first.text,
                count=len(qs),
                last_asked=first.asked_at,
                examples=tuple(examples[:3]),
                outcomes=tuple((o, k) for o, k in counts.items() if k),
                nearest=nearest,
            )
        )
    return groups


def _group_key(text: str, index: FaqIndex) -> str:
    tokens = index.query_tokens(text)
    if not tokens or any(t.startswith("\x00") for t in tokens):
        tokens = words(text)
    return " ".join(tokens) or text.casefold()


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def unanswered_reply(groups: Sequence[QuestionGroup], days: int, limit: int = 15) -> Reply:
    """Return the `unanswered` admin view: similar questions grouped, most frequent first."""
    if not groups:
        return Reply(
            kind="admin",
            title=say("insights_unanswered_title"),
            sections=(Section(say("insights_no_unanswered", period=_period(days))),),
        )
    total = sum(g.count for g in groups)
    sections = []
    for g in groups[:limit]:
        outcomes = ", ".join(f"{n} {o}" for o, n in g.outcomes)
        last = f"{g.last_asked:%Y-%m-%d}"
        lines = [say("insights_group", count=g.count, outcomes=outcomes, last=last)]
        lines.extend(f"- \u201c{_clip(e)}\u201d" for e in g.examples)
        if g.nearest is not None:
            lines.append(
                say(
                    "insights_nearest",
                    faq_id=g.nearest.faq_id,
                    question=_clip(g.nearest.question, 120),
                    score=f"{g.nearest.score:.0f}",
                )
            )
        else:
            lines.append(say("insights_nearest_none"))
        sections.append(Section("\n".join(lines), heading=_clip(g.text, 150)))
    more = len(groups) - limit
    tail = say("insights_unanswered_more", limit=limit, more=more) if more > 0 else ""
    sections.append(Section(say("insights_unanswered_how") + tail))
    return Reply(
        kind="admin",
        title=say("insights_unanswered_period_title", period=_period(days)),
        sections=(
            Section(say("insights_unanswered_count", total=total, groups=len(groups))),
            *sections,
        ),
    )


# ----- stale answers


@dataclass(frozen=True)
class StaleFaq:
    """An FAQ whose review is overdue; never-reviewed ones have no dates."""

    faq_id: str
    question: str
    last_reviewed: date | None
    due: date | None

    def days_overdue(self, today: date) -> int | None:
        """Return how many days ago the review fell due, or None if never reviewed."""
        return None if self.due is None else (today - self.due).days


def stale_faqs(
    knowledge: Knowledge, today: date, default_days: int = DEFAULT_REVIEW_DAYS
) -> list[StaleFaq]:
    """Return FAQs due for review: never reviewed first, then the longest overdue."""
    out = []
    for faq in knowledge.faqs.values():
        if faq.last_reviewed is None:
            out.append(StaleFaq(faq.id, faq.question, None, None))
            continue
        reviewed = date.fromisoformat(faq.last_reviewed)
        due = reviewed + timedelta(days=faq.review_days or default_days)
        if due <= today:
            out.append(StaleFaq(faq.id, faq.question, reviewed, due))
    out.sort(key=lambda s: (s.due is not None, s.due or today, s.faq_id))
    return out


def stale_reply(stale: Sequence[StaleFaq], total: int, today: date, limit: int = 40) -> Reply:
    """Return the `stale` admin view: FAQs overdue for review, never-reviewed first."""
    if not stale:
        text = say("insights_stale_none", total=total)
        return Reply(kind="admin", title=say("insights_stale_title"), sections=(Section(text),))
    never = [s for s in stale if s.last_reviewed is None]
    overdue = [s for s in stale if s.last_reviewed is not None]
    sections = [
        Section(
            say(
                "insights_stale_lead",
                stale=len(stale),
                total=total,
                overdue=len(overdue),
                never=len(never),
                today=today.isoformat(),
                default_days=DEFAULT_REVIEW_DAYS,
            )
        )
    ]
    if overdue:
        lines = [
            say(
                "insights_overdue",
                faq_id=s.faq_id,
                reviewed=s.last_reviewed,
                days=s.days_overdue(today),
            )
            for s in sorted(overdue, key=lambda s: s.due or today)[:limit]
        ]
        sections.append(Section("\n".join(lines), heading=say("insights_overdue_heading")))
    if never:
        lines = [f"- {s.faq_id}: {_clip(s.question, 100)}" for s in never[:limit]]
        if len(never) > limit:
            lines.append(say("insights_never_more", count=len(never) - limit))
        sections.append(Section("\n".join(lines), heading=say("insights_never_heading")))
    return Reply(kind="admin", title=say("insights_stale_title"), sections=tuple(sections))


# ----- export


@dataclass(frozen=True)
class ExportRow:
    """One recorded question as exported: the user only as a salted hash."""

    asked_at: datetime
    platform: str
    via: str
    user_hash: str
    outcome: str
    faq_id: str | None
    score: float
    knowledge_version: str
    question: str | None


EXPORT_COLUMNS = (
    "asked_at_utc",
    "platform",
    "via",
    "user_hash",
    "outcome",
    "faq_id",
    "score",
    "knowledge_version",
    "question",
)


def _cell(value: str) -> str:
    # A cell starting with = + - @ (or tab/CR) is a formula to a spreadsheet: defuse it.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(rows: Iterable[ExportRow]) -> str:
    """Return *rows* as CSV text (header first); question text may be empty once purged."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.asked_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                _cell(r.platform),
                _cell(r.via),
                r.user_hash,
                r.outcome,
                _cell(r.faq_id or ""),
                f"{r.score:.1f}",
                _cell(r.knowledge_version),
                _cell(r.question or ""),
            ]
        )
    return out.getvalue()


def export_reply(content: str, rows: int, days: int, today: date) -> Reply:
    """Return the `export` admin reply carrying the CSV as an attachment."""
    name = f"finops-questions-{today.isoformat()}-{days}d.csv"
    text = say("insights_export", rows=rows, period=_period(days))
    return Reply(
        kind="admin",
        title=say("insights_export_title"),
        sections=(Section(text),),
        attachment=Attachment(name, content, title=say("insights_export_file", days=days)),
    )


# ----- the admin's summary (App Home)


@dataclass(frozen=True)
class AdminSummary:
    """The few numbers an admin sees on the Home tab; store figures are None when down."""

    days: int
    faqs: int
    stale: int
    never_reviewed: int
    questions: int | None = None
    answer_rate: float | None = None
    unanswered: int | None = None
    votes_down: int | None = None
    notes: tuple[str, ...] = field(default=())


def store_unavailable_reply(what: str) -> Reply:
    """Say the store could not be read, without details a chat should not show."""
    return Reply(
        kind="admin",
        title=say("insights_store_unavailable_title"),
        sections=(Section(say("insights_store_unavailable", what=what)),),
    )
