"""Adaptive Card rendering (Teams): a neutral reply as one Adaptive Card 1.5, pure functions."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.core.reply import QUIZ_ACTIONS, Action, Link, Reply
from bot.render.text import NOT_WHAT_YOU_ASKED, ask_choices, render_text, source_text

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# Teams refuses messages over about 28 KB (card plus envelope): cards are cut well below.
MAX_CARD_BYTES = 24_000
MAX_BUTTON = 80
MAX_FALLBACK = 2000
MAX_CHOICES = 5

# The "action" values of Action.Submit data the Teams handlers route on, in one place.
SUBMIT_KEY = "action"
SUBMIT_FAQ = "faq"
SUBMIT_FEEDBACK = "feedback"
SUBMIT_PATH_FORM = "path_form"
SUBMIT_OPEN_PATH_FORM = "open_path_form"
# A "which program?" choice carries {"action": "ask", "text": question}; "More" carries
# {"action": "more", "faq_id": ...}. Both go to one route that answers as if typed.
SUBMIT_ASK = "ask"
SUBMIT_MORE = "more"
# Practice questions: {"action": "quiz", "kind": "quiz_answer" | "quiz_next" |
# "quiz_progress", "value": ...}, one route for every quiz button.
SUBMIT_QUIZ = "quiz"
MAX_ASK = 500
# Input ids of the path form; a submission carries them next to {"action": "path_form"}.
FIELD_ROLE = "role"
FIELD_EXPERIENCE = "experience"
FIELD_PROGRAM = "program"
FIELD_GOAL = "goal"
MAX_ROLE = 100
MAX_EXPERIENCE = 60
MAX_GOAL = 200

SHORTENED = (
    "Reply shortened to fit Teams; ask about one program with /finops-path ROLE --program NAME."
)

Card = dict[str, Any]
Element = dict[str, Any]

# TextBlock text is a CommonMark subset (bold, italic, lists, links) plus {{DATE()}} and
# {{TIME()}} functions. Every text is escaped so nothing a person typed (or a knowledge file
# says) can become a link, emphasis or a date function; <at> never becomes a mention either,
# since cards only mention through msteams entities, which are never set.
_MARKDOWN = re.compile(r"([\\*_\[\]`~<>|])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_ORDERED = re.compile(r"^(\s*\d+)([.)])(\s)")
_BULLET = re.compile(r"^(\s*)([-+])(\s)")


def escape_markdown(text: str) -> str:
    """Backslash-escape Adaptive Card markdown so *text* shows literally, on every line."""
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    text = text.replace("{{", "{\\{")
    lines = (_ORDERED.sub(r"\1\\\2\3", line) for line in text.split("\n"))
    return "\n".join(_BULLET.sub(r"\1\\\2\3", line) for line in lines)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": escape_markdown(text), "wrap": True, **style}


def _line(line: str) -> Element:
    # One TextBlock per line: line breaks inside a TextBlock render differently per client.
    if line.startswith("- "):
        return _text("• " + line[2:].strip(), spacing="none")
    return _text(line, spacing="small")


def _link(link: Link) -> str:
    # Titles are escaped; addresses come from the knowledge files, never from users.
    title = escape_markdown(link.title)
    if not link.url or any(c in link.url for c in "()[] "):
        return title
    return f"[{title}]({link.url})"


def _submit(title: str, data: dict[str, str]) -> Element:
    # Button titles are plain text on every client: clipped, never escaped.
    return {"type": "Action.Submit", "title": _clip(title, MAX_BUTTON), "data": data}


def _choice_rows(actions: list[Action], kind: str) -> list[Element]:
    """One ActionSet per choice, so long questions stack as full-width buttons."""
    return [
        {"type": "ActionSet", "spacing": "small", "actions": [_submit(a.label, _faq(a, kind))]}
        for a in actions[:MAX_CHOICES]
    ]


def _faq(action: Action, kind: str) -> dict[str, str]:
    # kind (suggestion or followup) only tells the click statistics which button it was.
    return {SUBMIT_KEY: SUBMIT_FAQ, "faq_id": action.value, "kind": kind}


def _feedback_action(action: Action) -> Element | None:
    vote, _, faq_id = action.value.partition(":")
    if vote not in ("up", "down") or not faq_id:
        return None
    emoji = "👍" if vote == "up" else "👎"
    data = {SUBMIT_KEY: SUBMIT_FEEDBACK, "vote": vote, "faq_id": faq_id}
    return _submit(f"{emoji} {action.label}", data)


def _tail(reply: Reply) -> list[Element]:
    """The source line and the buttons: always kept whole, whatever is cut above them."""
    tail: list[Element] = []
    source = source_text(reply, _link, escape_markdown)
    if source:
        # Built from escaped parts, so only the links are markdown: not escaped again.
        line = {"type": "TextBlock", "text": f"Source: {source}", "wrap": True}
        tail.append({**line, "isSubtle": True, "size": "small"})
    choices_ask = [
        _submit(a.label, {SUBMIT_KEY: SUBMIT_ASK, "text": a.value[:MAX_ASK]})
        for a in ask_choices(reply)
    ]
    tail.extend({"type": "ActionSet", "spacing": "small", "actions": [c]} for c in choices_ask)
    more = [
        _submit(a.label, {SUBMIT_KEY: SUBMIT_MORE, "faq_id": a.value})
        for a in reply.actions
        if a.kind == "more"
    ]
    if more:
        tail.append({"type": "ActionSet", "spacing": "small", "actions": more[:1]})
    if reply.kind == "answer" and reply.suggestions:
        # Runners-up of a tentative answer, offered as "did you mean" choices.
        runners = [Action("faq", s.question, s.faq_id) for s in reply.suggestions]
        tail.append(_text(NOT_WHAT_YOU_ASKED, weight="bolder", spacing="medium"))
        tail.extend(_choice_rows(runners, "suggestion"))
    choices = [a for a in reply.actions if a.kind == "faq"]
    if choices:
        suggest = reply.kind == "suggest"
        label = "Did you mean:" if suggest else "Related questions:"
        tail.append(_text(label, weight="bolder", spacing="medium"))
        tail.extend(_choice_rows(choices, "suggestion" if suggest else "followup"))
    quiz = [
        _submit(a.label, {SUBMIT_KEY: SUBMIT_QUIZ, "kind": a.kind, "value": a.value})
        for a in reply.actions
        if a.kind in QUIZ_ACTIONS
    ]
    if quiz:
        tail.append({"type": "ActionSet", "spacing": "medium", "actions": quiz[:MAX_CHOICES]})
    votes = [v for a in reply.actions if a.kind == "feedback" if (v := _feedback_action(a))]
    if votes:
        tail.append({"type": "ActionSet", "spacing": "medium", "actions": votes})
    teaching = [a for a in reply.actions if a.kind in ("teach", "suggest", "reason")]
    if teaching:
        # Imported here: teach_cards builds on this module's helpers.
        from bot.render.teach_cards import teaching_submit  # noqa: PLC0415

        tail.extend(
            {"type": "ActionSet", "spacing": "small", "actions": [teaching_submit(a)]}
            for a in teaching[:MAX_CHOICES]
        )
    return tail


def _card(body: list[Element], actions: list[Element], fallback: str) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": _clip(fallback, MAX_FALLBACK),
    }
    if actions:
        card["actions"] = actions
    return card


def _size(card: Card) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode())


def render_card(reply: Reply) -> Card:
    """Return *reply* as one Adaptive Card 1.5 within Teams' message size.

    The title is a heading, facts a FactSet, each section line a wrapped TextBlock ("- "
    lines become bullets), the source a subtle small line, FAQ choices (follow-ups or "did
    you mean") stacked Action.Submit buttons with {"action": "faq", "faq_id": ..., "kind":
    "followup" | "suggestion"}, and
    feedback a 👍/👎 pair with {"action": "feedback", "vote": ..., "faq_id": ...}. "Get my
    path" submits {"action": "open_path_form"}. "Share in channel" is Slack's private-reply
    workaround and is left out: in Teams every reply is already in the conversation.
    """
    head: list[Element] = []
    if reply.title:
        head.append(_text(reply.title, style="heading", size="medium", weight="bolder"))
    if reply.facts:
        facts = [
            {"title": escape_markdown(f.label), "value": escape_markdown(f.value)}
            for f in reply.facts
        ]
        head.append({"type": "FactSet", "facts": facts})
    sections: list[Element] = []
    for section in reply.sections:
        if section.heading:
            sections.append(_text(section.heading, weight="bolder", spacing="medium"))
        sections.extend(_line(line) for line in section.text.split("\n") if line.strip())
    actions = [
        _submit(a.label, {SUBMIT_KEY: SUBMIT_OPEN_PATH_FORM})
        for a in reply.actions
        if a.kind == "path_form"
    ][:1]
    tail = _tail(reply)
    fallback = escape_markdown(render_text(reply))
    card = _card(head + sections + tail, actions, fallback)
    if _size(card) <= MAX_CARD_BYTES:
        return card
    note = _text(SHORTENED, isSubtle=True, size="small")
    # Drop whole lines from the end of the sections until the card fits again.
    keep = len(sections)
    while keep > 0:
        keep = max(0, keep - max(1, (keep // 10)))
        card = _card([*head, *sections[:keep], note, *tail], actions, fallback)
        if _size(card) <= MAX_CARD_BYTES:
            return card
    return _card([*head, note, *tail], actions, fallback[:500])


def path_form_card(programs: Mapping[str, str], *, intro: str | None = None) -> Card:
    """Return the /finops-path form: role, experience, program (id -> name) and goal.

    Submitting sends {"action": "path_form", "role": ..., "experience": ..., "program": ...,
    "goal": ...}; the handler turns that into the same text `finops-path` takes.
    """
    choices = [{"title": name, "value": pid} for pid, name in sorted(programs.items())]
    body: list[Element] = [
        _text("Get your certification path", style="heading", size="medium", weight="bolder"),
    ]
    if intro:
        body.append(_text(intro))
    body += [
        {
            "type": "Input.Text",
            "id": FIELD_ROLE,
            "label": "Your role",
            "placeholder": "e.g. SRE, data engineer, FinOps practitioner",
            "isRequired": True,
            "errorMessage": "Tell me your role.",
            "maxLength": MAX_ROLE,
        },
        {
            "type": "Input.Text",
            "id": FIELD_EXPERIENCE,
            "label": "Cloud experience (optional)",
            "placeholder": "e.g. 3 years, 18 months, new to cloud",
            "maxLength": MAX_EXPERIENCE,
        },
        {
            "type": "Input.ChoiceSet",
            "id": FIELD_PROGRAM,
            "label": "Program (optional; leave empty for all)",
            "style": "compact",
            "placeholder": "All programs",
            "choices": choices,
        },
        {
            "type": "Input.Text",
            "id": FIELD_GOAL,
            "label": "Goal (optional)",
            "placeholder": "e.g. lead our FinOps practice",
            "maxLength": MAX_GOAL,
        },
    ]
    submit = _submit("Get my path", {SUBMIT_KEY: SUBMIT_PATH_FORM})
    return _card(body, [submit], "Get your certification path: type finops-path ROLE.")


SUBMIT_PLAN_FORM = "plan_form"
# Input ids of the plan form; a submission carries them next to {"action": "plan_form"}.
FIELD_CERT = "plan_cert"
FIELD_EXAM_DATE = "plan_exam_date"
FIELD_HOURS = "plan_hours"


def plan_form_card(certs: Mapping[str, str]) -> Card:
    """Return the /finops-plan form: certification (id -> name), exam date and hours a week.

    Submitting sends {"action": "plan_form", "plan_cert": ..., "plan_exam_date": ...,
    "plan_hours": ...}; the handler turns that into the same text `finops-plan` takes.
    """
    choices = [{"title": name, "value": cid} for cid, name in certs.items()]
    body: list[Element] = [
        _text("Your study plan", style="heading", size="medium", weight="bolder"),
        {
            "type": "Input.ChoiceSet",
            "id": FIELD_CERT,
            "label": "Certification",
            "style": "compact",
            "isRequired": True,
            "errorMessage": "Pick a certification.",
            "choices": choices,
        },
        {
            "type": "Input.Date",
            "id": FIELD_EXAM_DATE,
            "label": "Exam date",
            "isRequired": True,
            "errorMessage": "Pick your exam date.",
        },
        {
            "type": "Input.Number",
            "id": FIELD_HOURS,
            "label": "Hours a week",
            "min": 1,
            "max": 40,
            "isRequired": True,
            "errorMessage": "Between 1 and 40 hours a week.",
        },
    ]
    submit = _submit("Plan my weeks", {SUBMIT_KEY: SUBMIT_PLAN_FORM})
    return _card(body, [submit], "Your study plan: type finops-plan CERT EXAM_DATE HOURS.")
