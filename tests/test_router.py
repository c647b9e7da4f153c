"""The router: every message gets a reply, whatever it contains."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.bot import Bot
from bot.core.intents import classify
from bot.core.reply import Message
from bot.core.subject import Subject
from bot.render.text import render_text

NASTY = [
    "",
    "   \n\t  ",
    "x" * 40_000,
    "how long is the focp exam? " * 1_500,
    "🔥🔥🔥🚀",
    ":tada: :thinking_face:",
    "\x00\x01\x02\x1b[31mred\x1b[0m",
    "\u202eبیش از حد\u202c مدت امتحان چقدر است",
    "שלום, כמה זמן המבחן?",
    b"\xff\xfe\x00\x80junk".decode("latin-1"),
    "<!channel> <!here> <@U123> <#C1|general> <https://evil.example|click>",
    "\u200b\u200b\u200b",
    "%s %d {0} ${jndi:ldap://x}",
    "'; DROP TABLE faqs; --",
]


# Intent -> the reply kinds it may lead to.
REPLY_KINDS = {
    "empty": {"help"},
    "help": {"help"},
    "pick": {"help"},
    "greeting": {"greeting"},
    "thanks": {"greeting"},
    "goodbye": {"greeting"},
    "complaint": {"greeting"},
    "ack": {"greeting"},
    "path": {"path", "clarify", "help"},
    "admin": {"admin"},
    "plan": {"help"},
    "forget": {"help"},
    "quiz": {"help"},
    "faq": {"answer", "suggest", "decline", "path", "clarify"},
}


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_hostile_input_always_gets_a_reply(bot: Bot, text: str) -> None:
    """Empty, huge, emoji-only, control, RTL and binary text all get a polite reply."""
    reply = bot.handle(Message(text=text, user_id="U1", platform="slack"))
    rendered = render_text(reply)
    assert rendered.strip()
    assert len(rendered) < 20_000


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.text(max_size=500))
def test_any_text_gets_a_reply(bot: Bot, text: str) -> None:
    """Property: the router answers any unicode text without raising."""
    reply = bot.handle(Message(text=text, user_id="U1", platform="slack"))
    # The reply is the kind the message's intent leads to: small talk never searches the FAQs,
    # a question never gets small talk, and so on.
    assert reply.kind in REPLY_KINDS[classify(text).kind], (classify(text).kind, reply.kind)
    assert render_text(reply).strip()


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.binary(max_size=300))
def test_any_bytes_decoded_loosely_get_a_reply(bot: Bot, raw: bytes) -> None:
    """Property: binary junk decoded any way still gets a reply."""
    reply = bot.handle(Message(text=raw.decode("utf-8", "replace"), user_id="U1"))
    assert render_text(reply).strip()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.text(max_size=200))
def test_path_command_never_raises(bot: Bot, text: str) -> None:
    """Property: /finops-path with any text gives a path, a clarification or usage."""
    reply = bot.path(text)
    assert reply.kind in {"path", "clarify", "help"}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "empty"),
        ("help", "help"),
        ("hi", "greeting"),
        ("hey there!", "greeting"),
        ("thanks!", "thanks"),
        ("thank you so much bot", "thanks"),
        ("lol ok thanks", "thanks"),
        ("great, that helps a lot", "thanks"),
        ("ok so how much is it", "faq"),
        ("/finops-path sre 3 years", "path"),
        ("finops-path devops", "path"),
        ("/finops-admin reload", "admin"),
        ("/finops-quiz", "quiz"),
        ("finops-quiz progress focp", "quiz"),
        ("/finops-quiz architect", "quiz"),
        ("quiz me", "quiz"),
        ("what is a quiz", "faq"),
        ("admin status", "admin"),
        ("how long is the focp exam", "faq"),
        ("hi, how long is the focp exam?", "faq"),
        ("who are you?", "help"),
        ("are you chatgpt", "help"),
        ("bye!", "goodbye"),
        ("ok thanks, bye", "goodbye"),
        ("that's all", "goodbye"),
        ("you're wrong", "complaint"),
        ("hmm", "ack"),
        ("interesting", "ack"),
        ("hmm, is it proctored?", "faq"),
        ("that's not what I asked", "complaint"),
        ("is the exam wrong?", "faq"),
        ("what happens if I answer wrong", "faq"),
        ("do you have practice questions?", "quiz"),
        ("can you test me", "quiz"),
        ("where can I find practice exams for the FOCP?", "faq"),
        ("does the focp have practice questions", "faq"),
        ("can you make me a study plan for the focp?", "plan"),
        ("practice tests?", "faq"),
        ("where can I find FOCP practice tests?", "faq"),
        ("is there a practice exam for focp", "faq"),
    ],
)
def test_intents(text: str, kind: str) -> None:
    """Messages are classified by what they are, FAQ by default."""
    assert classify(text).kind == kind


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("do you have practice questions?", "help"),
        ("can you quiz me on the FOCE?", "foce"),
        ("could you give me some sample questions for focp", "focp"),
        ("can you make me a study plan", "help"),
        ("FOCP practice test", "focp"),
        ("practice questions for the FOCE", "foce"),
    ],
)
def test_asking_the_bot_to_practise_or_plan_says_how(text: str, rest: str) -> None:
    """Asked for practice or a plan, the bot starts the quiz on the program named, else shows
    how: the question is about the bot's own features, not an FAQ about practice exams."""
    assert classify(text).rest == rest


def test_greeting_and_thanks_are_short(bot: Bot) -> None:
    """Small talk gets one friendly line pointing at what the bot does."""
    hi = render_text(bot.handle(Message(text="hello")))
    thanks = render_text(bot.handle(Message(text="thanks!")))
    assert "FinOps certifications" in hi
    assert "welcome" in thanks.lower()


def test_goodbye_and_complaint_answer_nothing_about_the_thread(bot: Bot) -> None:
    """In a FOCP thread, "bye" and "you're wrong" get a short line, not another FOCP answer."""
    focp = Subject("focp")
    bye = bot.reply(classify("bye"), focp)
    wrong = bot.reply(classify("you're wrong"), focp)
    assert (bye.kind, wrong.kind) == ("greeting", "greeting")
    assert render_text(bye).startswith("Bye!")
    assert "another way" in render_text(wrong)
    assert "FOCP" not in render_text(bye)


def test_help_names_every_feature(bot: Bot) -> None:
    """The help shows how to ask, get a path, practise and plan: each feature has its line."""
    text = render_text(bot.handle(Message(text="help")))
    for command in ("/finops-path sre 3 years", "/finops-quiz focp", "/finops-plan focp"):
        assert command in text


# The words a question about our certifications is made of: cues, names, list and thread
# words. Random text rarely says two of them together; these say little else.
_OWN = (
    "which what how is the and one it them about cheapest most least expensive link list "
    "exam many times phase principle persona domain next 2nd last #2 5 3 why who does that "
    "example more finops foundation finopsschool focp foce fcp architect focus analyst "
    "price cost long valid retake pass score sign up first second"
)
_OWN_WORDS = _OWN.split()


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.sampled_from(_OWN_WORDS), max_size=8),
    st.lists(st.sampled_from(_OWN_WORDS), max_size=6),
)
def test_two_messages_of_our_own_words_get_replies(
    bot: Bot, first: list[str], then: list[str]
) -> None:
    """Property: a message and a follow-up built of the bot's own words (cues, program and
    issuer names, list and thread words) get replies without raising ("which finopsschool
    cert is cheapest" once raised: no FinOpsSchool program has a price)."""
    text = " ".join(first)
    reply = bot.reply(classify(text))
    subject = bot.next_subject(text, reply, None)
    follow_up = bot.reply(classify(" ".join(then)), subject)
    assert render_text(reply).strip()
    assert render_text(follow_up).strip()
