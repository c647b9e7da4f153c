"""The pure quiz logic: next question, grading, spaced repetition, progress and readiness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core import quiz
from bot.core.knowledge import Knowledge
from bot.core.quiz import Attempt, History, Review
from bot.core.store import KnowledgeStore

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(name="knowledge")
def _knowledge(bundled_store: KnowledgeStore) -> Knowledge:
    return bundled_store.current.knowledge


def answer(
    knowledge: Knowledge, history: History, item: quiz.Item, correct: bool, at: datetime
) -> History:
    """Return *history* after answering *item* right or wrong at *at* (what the store keeps)."""
    card, due = quiz.schedule(history.review(item.question.id), correct, at)
    attempt = Attempt(item.question.id, item.cert, item.question.domain, correct, at)
    reviews = dict(history.reviews or {})
    reviews[item.question.id] = Review(item.question.id, card, due)
    return History((*history.attempts, attempt), reviews)


def test_the_first_question_comes_from_the_heaviest_domain(knowledge: Knowledge) -> None:
    item = quiz.next_question(knowledge, "focp", History(), T0)
    assert item is not None
    assert item.cert == "focp"
    assert item.question.domain == "lifecycle"  # 30% of the exam


def test_unseen_questions_spread_over_domains_by_weight(knowledge: Knowledge) -> None:
    history = History()
    domains = []
    for n in range(20):
        item = quiz.next_question(knowledge, "focp", history, T0 + timedelta(seconds=n))
        assert item is not None
        domains.append(item.question.domain)
        history = answer(knowledge, history, item, True, T0 + timedelta(seconds=n))
    assert len(set(domains)) == 6
    assert domains.count("lifecycle") > domains.count("challenge-of-cloud")


def test_a_missed_question_comes_back_before_one_answered_right(knowledge: Knowledge) -> None:
    first = quiz.next_question(knowledge, "focp", History(), T0)
    assert first is not None
    history = answer(knowledge, History(), first, False, T0)
    second = quiz.next_question(knowledge, "focp", history, T0)
    assert second is not None
    assert second.question.id != first.question.id
    history = answer(knowledge, history, second, True, T0)
    missed, known = history.review(first.question.id), history.review(second.question.id)
    assert missed is not None
    assert known is not None
    assert missed.due < known.due
    # Once it is due, the missed question is asked again before any unseen one.
    again = quiz.next_question(knowledge, "focp", history, missed.due)
    assert again is not None
    assert again.question.id == first.question.id
    # Answered right from then on, it comes back later and later.
    history = answer(knowledge, history, again, True, missed.due)
    after_one = history.review(first.question.id)
    assert after_one is not None
    history = answer(knowledge, history, again, True, after_one.due)
    after_two = history.review(first.question.id)
    assert after_two is not None
    assert after_two.due - after_one.due > after_one.due - missed.due


def test_grading_names_the_right_choice(knowledge: Knowledge) -> None:
    item = quiz.find(knowledge, "focp-wf-01")
    assert item is not None
    right = quiz.grade(item, item.question.answer)
    wrong = quiz.grade(item, (item.question.answer + 1) % len(item.question.choices))
    assert right.correct
    assert not wrong.correct
    assert wrong.right_choice == "Six"
    assert quiz.find(knowledge, "no-such-question") is None


def test_progress_per_domain_streak_and_readiness(knowledge: Knowledge) -> None:
    history = History()
    days = [T0 - timedelta(days=2), T0 - timedelta(days=1), T0]
    for n, (at, qid) in enumerate(
        zip(days, ("focp-lc-01", "focp-ca-01", "focp-tb-01"), strict=True)
    ):
        item = quiz.find(knowledge, qid)
        assert item is not None
        history = answer(knowledge, history, item, n != 1, at)
    progress = quiz.progress(knowledge, "focp", history, T0)
    assert progress.seen == 3
    assert progress.answered == 3
    assert progress.correct == 2
    assert progress.total == len(knowledge.quiz["focp"].questions)
    assert progress.streak == 3
    answered = {d.id: (d.answered, d.correct) for d in progress.domains if d.answered}
    assert answered == {"lifecycle": (1, 1), "capabilities": (1, 0), "terminology-bill": (1, 1)}
    readiness = progress.readiness
    assert readiness.score is not None
    assert 0 < readiness.score < 1
    assert readiness.early
    assert readiness.pass_mark == 75
    assert "3 of" in readiness.basis
    assert "domain weights" in readiness.basis
    assert "2020 curriculum" in readiness.basis


def test_readiness_without_answers_says_so(knowledge: Knowledge) -> None:
    progress = quiz.progress(knowledge, "architect", History(), T0)
    assert progress.readiness.score is None
    assert progress.readiness.pass_mark is None
    assert progress.streak == 0


@pytest.mark.parametrize(
    ("studied", "today", "expected"),
    [
        ([], date(2026, 12, 1), 0),
        ([date(2026, 11, 30)], date(2026, 12, 1), 1),  # not yet today: yesterday still counts
        ([date(2026, 11, 29)], date(2026, 12, 1), 0),
        ([date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1)], date(2026, 12, 1), 3),
    ],
)
def test_streak_counts_consecutive_days(studied: list[date], today: date, expected: int) -> None:
    times = [datetime(d.year, d.month, d.day, 12, tzinfo=UTC) for d in studied]
    assert quiz.streak(times, today) == expected
