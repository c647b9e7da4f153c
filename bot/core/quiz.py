"""Practice questions, pure: pick the next one, grade an answer, schedule reviews, sum up progress.

Scheduling uses FSRS (the `fsrs` package: pure Python, no I/O). A question answered right is
rated Good and one answered wrong Again, so a missed question comes back within minutes and
a known one after days, then weeks. The state of each (user, question) card is kept as the
scheduler's JSON by the store; everything here takes that history as plain values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fsrs import Card, Rating, Scheduler

from bot.core.knowledge import Knowledge
from bot.core.models import QuizBank, QuizQuestion

# No fuzzing: the same answers at the same times give the same schedule (tests, instances).
_SCHEDULER = Scheduler(enable_fuzzing=False)
# A readiness figure from fewer answers than this is labelled an early estimate.
EARLY_ANSWERS = 20
PASS_MARK = re.compile(r"([0-9]{2,3})\s*%")


@dataclass(frozen=True)
class Item:
    """One question with the program it belongs to."""

    cert: str
    question: QuizQuestion


@dataclass(frozen=True)
class Attempt:
    """One answer a person gave: which question, right or not, and when (aware UTC)."""

    question_id: str
    cert: str
    domain: str
    correct: bool
    at: datetime


@dataclass(frozen=True)
class Review:
    """The scheduler's state of one question for one person: its JSON and when it is due."""

    question_id: str
    card: str
    due: datetime


@dataclass(frozen=True)
class History:
    """Everything stored about one person's practice, oldest answer first."""

    attempts: tuple[Attempt, ...] = ()
    reviews: Mapping[str, Review] | None = None

    def review(self, question_id: str) -> Review | None:
        """Return the scheduling state of *question_id*, if it was ever answered."""
        return (self.reviews or {}).get(question_id)


@dataclass(frozen=True)
class Grade:
    """The outcome of one answer."""

    item: Item
    choice: int
    correct: bool

    @property
    def right_choice(self) -> str:
        """Return the text of the right choice."""
        q = self.item.question
        return q.choices[q.answer]


@dataclass(frozen=True)
class DomainProgress:
    """One domain's figures for one person."""

    id: str
    name: str
    weight: int | None
    total: int
    seen: int
    answered: int
    correct: int
    latest_correct: int  # questions whose latest answer was right

    @property
    def accuracy(self) -> float | None:
        """Return the share of answers that were right, or None before any answer."""
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class Readiness:
    """An estimated exam score and what it rests on."""

    score: float | None
    basis: str
    pass_mark: int | None
    early: bool


@dataclass(frozen=True)
class Progress:
    """One person's progress on one program's questions."""

    cert: str
    domains: tuple[DomainProgress, ...]
    seen: int
    total: int
    answered: int
    correct: int
    streak: int
    due: int
    readiness: Readiness


def items(knowledge: Knowledge, cert: str | None = None) -> list[Item]:
    """Return every question (of *cert* only, when given) in bank order."""
    banks = [knowledge.quiz[cert]] if cert is not None else list(knowledge.quiz.values())
    return [Item(b.program, q) for b in banks for q in b.questions]


def find(knowledge: Knowledge, question_id: str) -> Item | None:
    """Return the question with id *question_id*, or None."""
    for bank in knowledge.quiz.values():
        for q in bank.questions:
            if q.id == question_id:
                return Item(bank.program, q)
    return None


def next_question(knowledge: Knowledge, cert: str, history: History, now: datetime) -> Item | None:
    """Return the question to ask next: a due review first, then an unseen question, else
    the review due soonest (practice ahead). Missed questions are due first."""
    bank = knowledge.quiz.get(cert)
    if bank is None or not bank.questions:
        return None
    due = [
        (r.due, q.id, q)
        for q in bank.questions
        if (r := history.review(q.id)) is not None and r.due <= now
    ]
    if due:
        return Item(cert, min(due, key=lambda t: (t[0], t[1]))[2])
    unseen = [q for q in bank.questions if history.review(q.id) is None]
    if unseen:
        return Item(cert, _balanced(bank, unseen, history))
    soonest = min(bank.questions, key=lambda q: (_due(history, q.id), q.id))
    return Item(cert, soonest)


def _due(history: History, question_id: str) -> datetime:
    review = history.review(question_id)
    return review.due if review is not None else datetime.min.replace(tzinfo=UTC)


def _balanced(bank: QuizBank, unseen: list[QuizQuestion], history: History) -> QuizQuestion:
    """Pick the unseen question from the domain furthest behind its share of the exam."""
    seen: dict[str, int] = {}
    for q in bank.questions:
        if history.review(q.id) is not None:
            seen[q.domain] = seen.get(q.domain, 0) + 1
    total_seen = sum(seen.values()) + 1
    open_domains = {q.domain for q in unseen}
    weights = {d.id: (d.weight if d.weight is not None else 1) for d in bank.domains}
    weight_sum = sum(weights[d] for d in open_domains) or 1

    def deficit(domain: str) -> float:
        return seen.get(domain, 0) / total_seen - weights[domain] / weight_sum

    order = [d.id for d in bank.domains]
    domain = min(open_domains, key=lambda d: (deficit(d), order.index(d)))
    return next(q for q in unseen if q.domain == domain)


def grade(item: Item, choice: int) -> Grade:
    """Grade *choice* (a 0-based index) for *item*."""
    return Grade(item, choice, choice == item.question.answer)


def schedule(review: Review | None, correct: bool, now: datetime) -> tuple[str, datetime]:
    """Return the card's new JSON and due time after an answer: Good if right, Again if not."""
    card = Card.from_json(review.card) if review is not None else Card()
    rating = Rating.Good if correct else Rating.Again
    card, _ = _SCHEDULER.review_card(card, rating, now)
    return card.to_json(), card.due


def progress(knowledge: Knowledge, cert: str, history: History, now: datetime) -> Progress:
    """Return *cert*'s per-domain accuracy, questions seen, streak and readiness estimate."""
    bank = knowledge.quiz[cert]
    mine = [a for a in history.attempts if a.cert == cert]
    latest: dict[str, Attempt] = {}
    for attempt in mine:
        latest[attempt.question_id] = attempt
    ids = {q.id for q in bank.questions}
    domains = []
    for d in bank.domains:
        in_domain = [q.id for q in bank.questions if q.domain == d.id]
        answers = [a for a in mine if a.domain == d.id and a.question_id in ids]
        last = [latest[q] for q in in_domain if q in latest]
        domains.append(
            DomainProgress(
                id=d.id,
                name=d.name,
                weight=d.weight,
                total=len(in_domain),
                seen=len(last),
                answered=len(answers),
                correct=sum(a.correct for a in answers),
                latest_correct=sum(a.correct for a in last),
            )
        )
    due = sum(1 for q in bank.questions if (r := history.review(q.id)) is not None and r.due <= now)
    seen = sum(d.seen for d in domains)
    return Progress(
        cert=cert,
        domains=tuple(domains),
        seen=seen,
        total=len(bank.questions),
        answered=len(mine),
        correct=sum(a.correct for a in mine),
        streak=streak((a.at for a in history.attempts), now.date()),
        due=due,
        readiness=readiness(knowledge, cert, domains, seen),
    )


def streak(times: Iterable[datetime], today: date) -> int:
    """Return the number of consecutive study days ending today (or yesterday, if not yet today)."""
    days = {t.date() for t in times}
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def readiness(
    knowledge: Knowledge, cert: str, domains: Sequence[DomainProgress], seen: int
) -> Readiness:
    """Estimate an exam score: the latest answer to each question seen, per domain, weighted.

    Domains are weighted by the exam's weights where the bank gives them, else equally; a
    domain with no answer yet counts as 0, since nothing shows it is known.
    """
    bank = knowledge.quiz[cert]
    total = sum(d.total for d in domains)
    pass_mark = pass_mark_of(knowledge, cert)
    if seen == 0:
        return Readiness(None, "No answers yet: answer a few questions first.", pass_mark, True)
    weighted = all(d.weight is not None for d in domains)
    weights = [d.weight if d.weight is not None else 1 for d in domains]
    score = sum(
        w * (d.latest_correct / d.seen if d.seen else 0.0)
        for w, d in zip(weights, domains, strict=True)
    ) / (sum(weights) or 1)
    how = "weighted by the exam's domain weights" if weighted else "each domain counted equally"
    basis = (
        f"Based on your latest answer to each of the {seen} of {total} practice questions "
        f"you have seen, {how}; domains you have not practised count as 0."
    )
    if weighted and bank.domains_note:
        basis += f" Weights: {bank.domains_note}"
    if pass_mark is not None:
        basis += f" Pass mark: {pass_mark}% (from the program's facts)."
    basis += " Practice questions are ours, not the exam's: treat it as a rough guide."
    return Readiness(score, basis, pass_mark, seen < EARLY_ANSWERS)


def pass_mark_of(knowledge: Knowledge, cert: str) -> int | None:
    """Return the program's current pass mark in percent, when its facts give one."""
    program = knowledge.programs.get(cert)
    if program is None:
        return None
    for fact in program.facts:
        if fact.attribute == "pass_mark" and fact.status == "current":
            m = PASS_MARK.search(fact.value)
            if m is not None:
                return int(m.group(1))
    return None


def aware(moment: datetime) -> datetime:
    """Return *moment* as an aware UTC datetime (the store keeps naive UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
