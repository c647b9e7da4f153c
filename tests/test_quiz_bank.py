"""The bundled question bank: enough questions per program and domain, each backed by its FAQ."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.core.knowledge import Knowledge
from bot.core.loading import normalise_phrase
from bot.core.store import KnowledgeStore

# The FOCP exam domains and weights (../shared/reference/finops-facts.md §1, 2020 curriculum).
FOCP_WEIGHTS = {
    "Challenge of Cloud": 8,
    "What is FinOps & FinOps Principles": 12,
    "FinOps Teams & Motivation": 12,
    "FinOps Capabilities": 28,
    "FinOps Lifecycle": 30,
    "Terminology & the Cloud Bill": 10,
}
_FIGURE = re.compile(r"[0-9][0-9,.]*")


@pytest.fixture(name="knowledge")
def _knowledge(bundled_store: KnowledgeStore) -> Knowledge:
    return bundled_store.current.knowledge


def test_every_program_has_a_bank_of_at_least_fifteen(knowledge: Knowledge) -> None:
    assert set(knowledge.quiz) == set(knowledge.programs)
    for program, bank in knowledge.quiz.items():
        assert len(bank.questions) >= 15, program


def test_focp_has_eighty_questions_across_its_six_weighted_domains(knowledge: Knowledge) -> None:
    bank = knowledge.quiz["focp"]
    assert len(bank.questions) >= 80
    assert {d.name: d.weight for d in bank.domains} == FOCP_WEIGHTS
    per_domain = Counter(q.domain for q in bank.questions)
    assert set(per_domain) == {d.id for d in bank.domains}
    # Roughly in proportion: the biggest domains get the most questions.
    assert per_domain["lifecycle"] > per_domain["challenge-of-cloud"]
    assert per_domain["capabilities"] > per_domain["terminology-bill"]


def test_every_question_cites_an_faq_that_cites_its_source(knowledge: Knowledge) -> None:
    for bank in knowledge.quiz.values():
        for q in bank.questions:
            assert q.faq is not None, q.id
            faq = knowledge.faqs[q.faq]
            assert q.source in faq.sources, q.id


def test_the_figures_of_each_right_answer_are_in_its_faq(knowledge: Knowledge) -> None:
    """Every number in the right choice (a price, a percentage, a count) is in the cited FAQ."""
    for bank in knowledge.quiz.values():
        for q in bank.questions:
            assert q.faq is not None
            faq = knowledge.faqs[q.faq]
            text = " ".join((faq.question, faq.answer, faq.more or "")).replace(",", "")
            for figure in _FIGURE.findall(q.choices[q.answer].replace(",", "")):
                assert figure.rstrip(".") in text, (q.id, figure)


def test_choices_are_distinct_and_answers_vary(knowledge: Knowledge) -> None:
    for bank in knowledge.quiz.values():
        positions = Counter(q.answer for q in bank.questions)
        # The right answer is not always in the same place.
        assert len(positions) >= 3, bank.program
        for q in bank.questions:
            assert len({normalise_phrase(c) for c in q.choices}) == len(q.choices), q.id
            assert 3 <= len(q.choices) <= 5
