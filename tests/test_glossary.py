"""Finance, business and persona vocabulary from the Framework's pages is answered, linked."""

from __future__ import annotations

import pytest

from bot.core.bot import Bot
from bot.core.reply import Message
from bot.render.text import render_text

FRAMEWORK_PAGES = "https://github.com/finopsfoundation/framework"


@pytest.mark.parametrize(
    ("text", "faq_id", "says"),
    [
        ("what is COGS?", "term-cogs", "cost"),
        ("is cloud spend a fixed or a variable cost?", "term-fixed-variable-cost", "variable"),
        ("depreciation vs amortization", "term-capitalization-depreciation", "amortization"),
        ("what does NPV mean", "term-business-case-finance", "net present value"),
        ("what is a lift and shift migration", "term-lift-and-shift", "cloud-native"),
        ("what is technology business management (TBM)?", "term-tbm-itfm", "it financial"),
        ("what is the CFO's primary goal in FinOps?", "executive-persona-goals", "cfo:"),
        ("which KPIs does the CEO care about?", "executive-persona-kpis", "gross margins"),
        # The term, not whether a certification helps cut waste quickly.
        ("what is cloud waste?", "term-waste", "no value"),
    ],
)
def test_a_finance_term_gets_its_definition_and_the_framework_source(
    bot: Bot, text: str, faq_id: str, says: str
) -> None:
    """ "What is COGS?" is defined from the terminology page, with that page's link."""
    reply = bot.handle(Message(text))
    assert (reply.kind, reply.faq_id) == ("answer", faq_id)
    shown = render_text(reply)
    assert says in shown.lower()
    assert any((link.url or "").startswith(FRAMEWORK_PAGES) for link in reply.links)


def test_a_finance_term_on_a_named_cloud_is_still_a_cloud_question(bot: Bot) -> None:
    """The glossary defines terms; how one cloud bills a reservation stays that cloud's."""
    reply = bot.handle(
        Message("how do I set up amortization of reservations in AWS Cost Explorer?")
    )
    assert reply.kind == "decline"


@pytest.mark.parametrize(
    "text", ["how can I contribute to FOCUS?", "is FOCUS part of the FinOps Foundation?"]
)
def test_who_runs_focus_is_answered_from_its_own_repositories(bot: Bot, text: str) -> None:
    """FOCUS's governance and membership come from the project's repositories, linked."""
    reply = bot.handle(Message(text))
    assert (reply.kind, reply.faq_id) == ("answer", "focus-project-governance")
    assert "Joint Development Foundation" in render_text(reply)
    assert any("FinOps-Open-Cost-and-Usage-Spec" in (link.url or "") for link in reply.links)


@pytest.mark.parametrize(
    ("text", "faq_id"),
    [
        ("how do you split shared costs", "shared-cost-splitting"),
        ("who created FOCUS?", "focus-project-governance"),
        ("rate optimization capability?", "capability-rate-optimization"),
        (
            "which capability covers teaching finance and engineers finops?",
            "capability-education-enablement",
        ),
    ],
)
def test_plain_concept_questions_find_their_own_faq_not_a_look_alike(
    bot: Bot, text: str, faq_id: str
) -> None:
    """Splitting shared costs is the shared-cost FAQ, not the Kubernetes one that also
    splits costs; who created FOCUS is its governance, not what FOCUS is; one capability
    is its own FAQ, not the list of its domain's."""
    reply = bot.handle(Message(text))
    assert (reply.kind, reply.faq_id) == ("answer", faq_id)


def test_two_terms_contrasted_with_no_faq_on_the_pair_are_shown_side_by_side(bot: Bot) -> None:
    """ "amortized vs blended cost?" was a "did you mean" between the two terms' FAQs: each
    one's short answer, one under the other, and each one's full answer a click away."""
    reply = bot.handle(Message("what's the difference between amortized and blended cost?"))
    assert reply.kind == "answer"
    assert [s.heading for s in reply.sections] == [
        "What is amortized cost?",
        "What is the difference between blended and unblended rates?",
    ]
    assert [a.value for a in reply.actions if a.kind == "faq"] == [
        "term-amortized-cost",
        "term-blended-unblended-rates",
    ]
    # A pair an FAQ answers keeps that FAQ.
    pair = bot.handle(Message("what's the difference between showback and chargeback?"))
    assert pair.faq_id == "showback-chargeback"
