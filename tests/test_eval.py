"""Answer quality on the evaluation set: questions as people type them in Slack."""

from __future__ import annotations

import pytest

from bench.eval_matching import evaluate, load_eval
from bot.core.matching import MatchSettings
from bot.core.store import KnowledgeStore

# Floors a little under the figures measured when the scorer was chosen (docs/matching.md),
# so a regression fails the build but run-to-run noise cannot.
MIN_TOP1 = 0.86
MAX_WRONG = 0.075
MIN_OFF_TOPIC_NOT_ANSWERED = 0.95
MIN_OFF_TOPIC_DECLINED = 0.88


@pytest.fixture(scope="module", name="result")
def _result(bundled_store: KnowledgeStore) -> dict[str, float]:
    """Score the whole evaluation set once."""
    return evaluate(bundled_store.current.index, MatchSettings(), load_eval())


def test_eval_set_is_big_enough() -> None:
    """The set has at least 150 answerable questions and 50 to decline."""
    data = load_eval()
    assert len(data["answer"]) >= 150
    assert len(data["decline"]) >= 50


def test_every_expected_faq_exists(bundled_store: KnowledgeStore) -> None:
    """Each expected id names a real FAQ, so the set cannot silently rot."""
    faqs = bundled_store.current.knowledge.faqs
    missing = {i for item in load_eval()["answer"] for i in item["faq"] if i not in faqs}
    assert missing == set()


def test_top1_accuracy_floor(result: dict[str, float]) -> None:
    """Most questions are answered outright with the expected FAQ."""
    assert result["accuracy"] >= MIN_TOP1


def test_wrong_answer_ceiling(result: dict[str, float]) -> None:
    """Confidently wrong answers stay rare: when unsure, the bot suggests instead."""
    assert result["wrong"] <= MAX_WRONG


def test_off_topic_is_not_answered(result: dict[str, float]) -> None:
    """Other certifications, chit-chat, gibberish and injections are not answered."""
    assert result["decline_rate"] + result["decl_suggested"] >= MIN_OFF_TOPIC_NOT_ANSWERED
    assert result["decline_rate"] >= MIN_OFF_TOPIC_DECLINED
