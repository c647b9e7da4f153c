"""Every FAQ's first message is short, names sources by title, and never shows a seed file name."""

from __future__ import annotations

import dataclasses
import json
import re
import statistics

from bot.core.bot import Bot
from bot.core.matching import Candidate, Match
from bot.core.replies import match_reply
from bot.core.reply import Link, Reply
from bot.core.wording import say
from bot.render.blocks import render_blocks, render_fallback
from bot.render.cards import render_card
from bot.render.text import render_text

SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
# How the team speaks of where a fact came from, never how a user should read it.
INTERNAL = re.compile(r"\bseeds?\b|test data|\brepo(sitory)?'s\b", re.IGNORECASE)
LIMIT = 600


def first_message(reply: Reply) -> str:
    """What a reader sees first: title, answer, 'more' hint and source titles.

    Follow-up buttons are left out (they are choices, not the answer), and links count as
    their titles, as Slack and Teams show them.
    """
    titles = tuple(Link(link.title) for link in reply.links)
    text = render_text(dataclasses.replace(reply, links=titles))
    return "\n".join(line for line in text.splitlines() if not line.startswith("Related: "))


def test_no_seed_file_name_reaches_a_user(bot: Bot) -> None:
    """Text, Block Kit and Adaptive Card of every FAQ answer and its 'More' part: no seed
    file's name, and none of the team's words for where a fact came from ("seed")."""
    knowledge = bot.store.current.knowledge
    for faq_id in knowledge.faqs:
        for reply in (bot.faq(faq_id), bot.more(faq_id)):
            shown = [
                render_text(reply),
                render_fallback(reply),
                json.dumps(render_blocks(reply), ensure_ascii=False),
                json.dumps(render_card(reply), ensure_ascii=False),
            ]
            assert not any(SEED_FILE.search(s) for s in shown), faq_id
            assert not any(INTERNAL.search(s) for s in shown), faq_id


def test_first_messages_are_short_and_the_rest_is_one_click_away(bot: Bot) -> None:
    """A typical FAQ's first message is under 600 characters; longer detail sits behind More."""
    knowledge = bot.store.current.knowledge
    sizes = {faq_id: len(first_message(bot.faq(faq_id))) for faq_id in knowledge.faqs}
    under = sum(size < LIMIT for size in sizes.values()) / len(sizes)
    median = statistics.median(sizes.values())
    print(f"first messages under {LIMIT} characters: {under:.1%}, median {median}")
    assert median < LIMIT
    assert under >= 0.9
    for faq_id, faq in knowledge.faqs.items():
        first, more = bot.faq(faq_id), bot.more(faq_id)
        # An answer with no rest (More shows its other sources) says it is all there is.
        rest = [s.text for s in more.sections if s.text != say("more_none")]
        shown = first.sections[0].text + "".join("\n" + text for text in rest)
        # Nothing is lost: the first part and the More part together are the whole answer.
        assert " ".join(shown.split()) == " ".join(
            (faq.answer + ("\n" + faq.more if faq.more else "")).split()
        ), faq_id
        has_more = any(a.kind == "more" for a in first.actions)
        assert has_more == bool(rest or first.more_sources), faq_id


def test_sources_are_linked_titles(bot: Bot) -> None:
    """A source with an address is a link in Slack and Teams and shows its URL in text."""
    reply = bot.faq("professional-what-is")
    link = next(link for link in reply.links if link.url)
    assert f"<{link.url}|" in json.dumps(render_blocks(reply))
    assert f"]({link.url})" in json.dumps(render_card(reply))
    assert f"{link.title} ({link.url})" in render_text(reply)


def test_one_close_question_is_offered_as_such_not_as_a_list(bot: Bot) -> None:
    """A "did you mean" with one choice asks "Is it this one?", not "Pick one" of one."""
    knowledge = bot.store.current.knowledge
    faqs = list(knowledge.faqs.values())
    alone = Match("suggest", (Candidate(faqs[0], 42.0, "x"), Candidate(faqs[1], 3.0, "y")))
    one = render_text(match_reply(knowledge, alone, 3))
    assert "Did you mean this?" in one
    assert "Pick one" not in one
    assert f"1. {faqs[0].question}" in one
    several = Match("suggest", (Candidate(faqs[0], 42.0, "x"), Candidate(faqs[1], 40.0, "y")))
    assert "Pick one" in render_text(match_reply(knowledge, several, 3))


def test_an_item_named_in_the_question_leads_its_list(bot: Bot) -> None:
    """ "what happens in the Inform phase?" gets the Inform line first and the other phases
    by name only; a question naming every phase (or none) gets the whole list."""
    reply = bot.ask("what happens in the inform phase?")
    assert reply.faq_id == "finops-lifecycle-phases"
    shown = render_text(reply)
    assert reply.sections[0].text.startswith("Inform: visibility, allocation")
    assert ": Inform, Optimize, Operate." in shown
    assert "rightsizing" not in shown
    for whole in ("inform, optimize and operate?", "what are the finops phases?"):
        full = bot.ask(whole)
        assert full.faq_id == "finops-lifecycle-phases"
        assert "rightsizing" in render_text(full)


def test_a_question_touching_several_items_gets_the_whole_answer(bot: Bot) -> None:
    """ "FOCP vs FOCE" names two items of the comparison: both are shown, not one first;
    "the first level" in a fresh question is no pick from a list nobody has seen."""
    both = bot.ask("focp vs foce whats the diff")
    assert both.faq_id == "focp-vs-foce"
    assert both.sections[0].text.startswith("Both come from the FinOps Foundation:")
    skip = bot.ask("can i skip the first level and go straight to professional?")
    assert skip.faq_id == "level-order"
    assert not skip.sections[0].text.startswith("Architect:")
