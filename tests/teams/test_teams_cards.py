"""The Adaptive Card renderer, pure: schema-valid 1.5 cards, escaped text, Teams' size limit."""

from __future__ import annotations

import json

import pytest

from bot.core.bot import Bot
from bot.core.reply import Action, Fact, Message, Reply, Section
from bot.render.cards import (
    MAX_CARD_BYTES,
    SHORTENED,
    escape_markdown,
    path_form_card,
    render_card,
)
from tests.slack.fakes import vague_question
from tests.teams.fakes import card_problems, card_text, submit_actions

MESSAGES = [
    "how long is the FOCP exam?",
    "hi",
    "thanks",
    "help",
    "",
    "what is the airspeed of an unladen swallow",
    "/finops-path",
    "/finops-path help",
    "/finops-path astronaut",
    "/finops-path sre --program nope",
    "admin status",
    "admin nonsense",
    "which certification should a data engineer take first?",
]


@pytest.mark.parametrize("text", MESSAGES)
def test_every_reply_kind_is_a_valid_card(bot: Bot, text: str) -> None:
    """Whatever the bot says renders as a schema-valid Adaptive Card 1.5."""
    card = render_card(bot.handle(Message(text, "U_ADMIN")))
    assert card_problems(card) == []
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"


def test_every_faq_and_every_role_path_fits_and_validates(bot: Bot) -> None:
    """All FAQ answers and all roles' paths fit Teams' message size; a sample is validated.

    Cards of one kind share one structure, so schema-checking the longest and a spread of the
    rest covers them without validating two hundred cards (the schema check is slow).
    """
    knowledge = bot.store.current.knowledge
    answers = sorted(knowledge.faqs.values(), key=lambda f: len(f.answer), reverse=True)
    sample = {f.id for f in answers[:5]} | {f.id for f in answers[::25]}
    replies = [(bot.faq(f.id), f.id in sample) for f in answers]
    paths = [bot.path(f"{r.name} 2 years") for r in knowledge.roles.values()]
    paths.sort(key=lambda p: len(json.dumps(render_card(p))), reverse=True)
    replies += [(p, n < 2) for n, p in enumerate(paths)]
    replies.append((vague_question(bot)[1], True))
    for reply, check_schema in replies:
        card = render_card(reply)
        assert len(json.dumps(card, ensure_ascii=False).encode()) <= MAX_CARD_BYTES
        if check_schema:
            assert card_problems(card) == [], reply.title


def test_the_path_form_is_a_valid_card() -> None:
    """The form validates too, and offers each program by name."""
    card = path_form_card({"architect": "Certified FinOps Architect", "focp": "FOCP"})
    assert card_problems(card) == []
    program = next(e for e in card["body"] if e.get("id") == "program")
    assert program["choices"] == [
        {"title": "Certified FinOps Architect", "value": "architect"},
        {"title": "FOCP", "value": "focp"},
    ]


def test_answer_layout() -> None:
    """Title heading, FactSet, one TextBlock per line with bullets, subtle source, buttons."""
    reply = Reply(
        kind="answer",
        title="Q?",
        sections=(Section("First line\n- a bullet\n\nlast", heading="Part"),),
        facts=(Fact("Price", "$300"),),
        actions=(
            Action("faq", "Related?", "related-faq"),
            Action("feedback", "Helpful", "up:q"),
            Action("feedback", "Not helpful", "down:q"),
            Action("share", "Share in channel", "x"),
        ),
        source="The guide",
        faq_id="q",
    )
    card = render_card(reply)
    body = card["body"]
    assert body[0] == {
        "type": "TextBlock",
        "text": "Q?",
        "wrap": True,
        "style": "heading",
        "size": "medium",
        "weight": "bolder",
    }
    assert body[1] == {"type": "FactSet", "facts": [{"title": "Price", "value": "$300"}]}
    texts = [e["text"] for e in body if e["type"] == "TextBlock"]
    assert texts[1:5] == ["Part", "First line", "• a bullet", "last"]
    assert all(e["wrap"] for e in body if e["type"] == "TextBlock")
    source = next(e for e in body if e.get("text") == "Source: The guide")
    assert (source["isSubtle"], source["size"]) == (True, "small")
    assert [a["data"] for a in submit_actions(card)] == [
        {"action": "faq", "faq_id": "related-faq", "kind": "followup"},
        {"action": "feedback", "vote": "up", "faq_id": "q"},
        {"action": "feedback", "vote": "down", "faq_id": "q"},
    ]
    assert "Share" not in card_text(card)
    assert card_problems(card) == []


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain words, R&D, 50% off (today).", "plain words, R&D, 50% off (today)."),
        ("**bold** _it_", "\\*\\*bold\\*\\* \\_it\\_"),
        ("[click](https://evil.example)", "\\[click\\](https://evil.example)"),
        ("<at>Bob</at>", "\\<at\\>Bob\\</at\\>"),
        ("&lt;b&gt; &#60;", "\\&lt;b\\&gt; \\&#60;"),
        ("{{DATE(2017-02-14T06:08:39Z, SHORT)}}", "{\\{DATE(2017-02-14T06:08:39Z, SHORT)}}"),
        ("1. first\n- item\n+ other", "1\\. first\n\\- item\n\\+ other"),
        ("back\\slash `code` ~strike~ a|b", "back\\\\slash \\`code\\` \\~strike\\~ a\\|b"),
    ],
)
def test_escape_markdown(raw: str, escaped: str) -> None:
    """Markdown, entities, mentions and date functions are neutralised; plain text is not."""
    assert escape_markdown(raw) == escaped


def test_every_text_is_escaped() -> None:
    """Titles, facts, section text, headings and the source all go through the escaper."""
    evil = "**x** [y](z)"
    reply = Reply(
        kind="path",
        title=evil,
        facts=(Fact(evil, evil),),
        sections=(Section(evil, heading=evil),),
        source=evil,
    )
    text = card_text(render_card(reply))
    assert "**" not in text.replace("\\*\\*", "")
    assert "[y](z)" not in text


def test_a_huge_reply_is_shortened_to_fit() -> None:
    """A reply over Teams' size is cut line by line, says so, and keeps its source and buttons."""
    lines = "\n".join(f"- line {n} " + "x" * 200 for n in range(400))
    reply = Reply(
        kind="answer",
        title="Big",
        sections=(Section(lines),),
        source="The guide",
        actions=(Action("feedback", "Helpful", "up:big"),),
        faq_id="big",
    )
    card = render_card(reply)
    size = len(json.dumps(card, ensure_ascii=False).encode())
    assert size <= MAX_CARD_BYTES
    text = card_text(card)
    assert SHORTENED.replace(".", "") in text.replace("\\", "").replace(".", "")
    assert "Source: The guide" in text
    assert "line 0 " in text
    assert "line 399 " not in text
    assert submit_actions(card)
    assert card_problems(card) == []


def test_get_my_path_opens_the_form() -> None:
    """A path_form action becomes the card's own Submit with {"action": "open_path_form"}."""
    reply = Reply(kind="help", title="Help", actions=(Action("path_form", "Get my path", "open"),))
    card = render_card(reply)
    assert card["actions"] == [
        {"type": "Action.Submit", "title": "Get my path", "data": {"action": "open_path_form"}}
    ]
