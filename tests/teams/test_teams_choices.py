"""'Which program?' choices and 'More' in Teams: card submits answered like typed questions."""

from __future__ import annotations

from bot.render.cards import escape_markdown
from tests.teams.conftest import TeamsHarness
from tests.teams.fakes import card_text, submit_actions

PRICE = "How much does the certification cost?"
LONG_FAQ = "finopsschool-vs-foundation"


async def test_program_choice_answers_for_that_program(teams: TeamsHarness) -> None:
    """A price question naming no program gets one button per program; a submit answers it."""
    await teams.teams.send(teams.teams.message(PRICE))
    card = teams.connector.only().card
    assert "Which certification?" in card_text(card)
    choices = [a for a in submit_actions(card) if a["data"]["action"] == "ask"]
    assert choices[0]["title"] == "FinOps Certified Practitioner (FOCP)"
    assert choices[0]["data"]["text"] == "How much does the certification cost for FOCP?"
    teams.connector.clear()
    await teams.teams.send(teams.teams.submit(choices[0]["data"]))
    text = teams.connector.only().text
    assert escape_markdown("FinOps Certified Practitioner (FOCP): price") in text
    assert "US$325 for the exam alone" in text


async def test_more_action_sends_the_rest_of_a_long_answer(teams: TeamsHarness) -> None:
    """A long FAQ answer carries a More action; submitting it sends the rest."""
    faq = teams.bot.store.current.knowledge.faqs[LONG_FAQ]
    await teams.teams.send(teams.teams.message(faq.question))
    card = teams.connector.only().card
    (more,) = [a for a in submit_actions(card) if a["data"]["action"] == "more"]
    assert (more["title"], more["data"]["faq_id"]) == ("More", LONG_FAQ)
    last_line = teams.bot.more(LONG_FAQ).sections[0].text.splitlines()[-1][2:]
    assert escape_markdown(last_line) not in card_text(card)
    teams.connector.clear()
    await teams.teams.send(teams.teams.submit(more["data"]))
    text = teams.connector.only().text
    assert escape_markdown(f"More: {faq.question}") in text
    assert escape_markdown(last_line) in text


async def test_empty_or_unknown_choices_are_ignored_politely(teams: TeamsHarness) -> None:
    """An ask without text is dropped; More for an FAQ that no longer exists declines."""
    await teams.teams.send(teams.teams.submit({"action": "ask", "text": "   "}))
    assert teams.connector.posted == []
    await teams.teams.send(teams.teams.submit({"action": "more", "faq_id": "no-such-faq"}))
    assert "Sorry, I don't know that one." in teams.connector.only().text
