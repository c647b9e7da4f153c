"""'Which program?' buttons and 'More' end to end: each click posts its answer in the thread."""

from __future__ import annotations

from tests.slack.conftest import Harness
from tests.slack.fakes import block_action, buttons, channel_message, mention, texts

PRICE = "How much does the certification cost?"
LONG_FAQ = "finopsschool-vs-foundation"


async def test_program_choice_answers_for_that_program_in_the_thread(slack: Harness) -> None:
    """A price question naming no program gets program buttons; a click answers its price."""
    await slack.slack.event(mention(f"<@U_BOT> {PRICE}", "1700001000.000100"), event_id="EvC1")
    (asked,) = await slack.fake.wait_for("chat.postMessage")
    assert "Which certification?" in texts(asked.body["blocks"])
    choices = [b for b in buttons(asked.body["blocks"]) if b["block_id"] == "ask_choices"]
    assert choices[0]["text"]["text"] == "FinOps Certified Practitioner (FOCP)"
    assert choices[0]["value"] == "How much does the certification cost for FOCP?"
    click = block_action(
        choices[0]["action_id"],
        choices[0]["value"],
        slack.fake.webhook_url,
        block_id="ask_choices",
        message_ts="1700001000.000200",
        thread_ts="1700001000.000100",
    )
    status, _ = await slack.slack.interaction(click)
    assert status == 200
    _, answer = await slack.fake.wait_for("chat.postMessage", 2)
    assert answer.body["channel"] == "C0GENERAL"
    assert answer.body["thread_ts"] == "1700001000.000100"
    shown = texts(answer.body["blocks"])
    assert "FinOps Certified Practitioner (FOCP): price" in shown
    assert "US$325 for the exam alone" in shown


async def test_more_button_posts_the_rest_of_a_long_answer(slack: Harness) -> None:
    """A long FAQ answer shows its first part with a More button; the click posts the rest."""
    faq = slack.bot.store.current.knowledge.faqs[LONG_FAQ]
    await slack.slack.event(
        mention(f"<@U_BOT> {faq.question}", "1700001100.000100"), event_id="EvM1"
    )
    (first,) = await slack.fake.wait_for("chat.postMessage")
    rest = slack.bot.more(LONG_FAQ).sections[0].text
    assert rest.splitlines()[-1][2:] not in texts(first.body["blocks"])
    (more,) = [b for b in buttons(first.body["blocks"]) if b["action_id"].startswith("faq_more_")]
    assert (more["text"]["text"], more["value"]) == ("More", LONG_FAQ)
    click = block_action(
        more["action_id"],
        more["value"],
        slack.fake.webhook_url,
        message_ts="1700001100.000200",
        thread_ts="1700001100.000100",
    )
    await slack.slack.interaction(click)
    _, posted = await slack.fake.wait_for("chat.postMessage", 2)
    assert posted.body["thread_ts"] == "1700001100.000100"
    shown = texts(posted.body["blocks"])
    assert f"More: {faq.question}" in shown
    assert rest.splitlines()[-1][2:] in shown


async def test_an_opted_in_channel_gets_the_program_buttons_unprompted(slack: Harness) -> None:
    """Not addressed, in an opted-in channel: a price question naming no program is asked
    "which certification?" in a thread, with the buttons; chatter stays unanswered."""
    await slack.slack.event(channel_message("lunch anyone?", "1700001500.000050"), event_id="E0")
    await slack.slack.event(channel_message(PRICE, "1700001500.000100"), event_id="EvU1")
    (asked,) = await slack.fake.wait_for("chat.postMessage")
    assert asked.body["thread_ts"] == "1700001500.000100"
    assert "Which certification?" in texts(asked.body["blocks"])
    choices = [b for b in buttons(asked.body["blocks"]) if b["block_id"] == "ask_choices"]
    assert choices[0]["text"]["text"] == "FinOps Certified Practitioner (FOCP)"
    calls = await slack.calls_before_marker()
    assert [c.method for c in calls].count("chat.postMessage") == 1
