"""Adaptive Cards for teaching in Teams: the teach/suggest form and a thumbs-down's own words."""

from __future__ import annotations

from bot.core.learned import MAX_ANSWER, MAX_PHRASE
from bot.core.reply import Action
from bot.render.cards import SUBMIT_KEY, Card, Element, _card, _submit, _text

# Action.Submit "action" values the Teams teaching route handles.
SUBMIT_TEACHING = "teaching"  # a Teach / Suggest / reason button: {"kind", "value"}
SUBMIT_TEACH_FORM = "teach_form"
SUBMIT_REASON_FORM = "reason_form"
FIELD_QUESTION = "question"
FIELD_FAQ = "faq_id"
FIELD_ANSWER = "answer"
FIELD_SOURCE = "source"
FIELD_TEXT = "text"


def teaching_submit(action: Action) -> Element:
    """Return the Action.Submit for a Teach, Suggest or reason button."""
    return _submit(
        action.label,
        {SUBMIT_KEY: SUBMIT_TEACHING, "kind": action.kind, "value": action.value[:2000]},
    )


def _input(
    field: str, label: str, value: str = "", *, required: bool, limit: int, multiline: bool = False
) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": field,
        "label": label,
        "maxLength": limit,
        "isMultiline": multiline,
    }
    if value:
        element["value"] = value[:limit]
    if required:
        element["isRequired"] = True
        element["errorMessage"] = f"{label} is required."
    return element


def teach_form_card(question: str, faq_id: str = "", *, admin: bool) -> Card:
    """Return the teach form (admins) or the suggestion form (everyone else)."""
    title = "Teach finops-bot" if admin else "Suggest an answer"
    body: list[Element] = [
        _text(title, style="heading", size="medium", weight="bolder"),
        _input(FIELD_QUESTION, "Question", question, required=True, limit=MAX_PHRASE),
    ]
    if admin:
        body += [
            _input(
                FIELD_FAQ,
                "Answer it with the FAQ (an id; or leave empty)",
                faq_id,
                required=False,
                limit=80,
            ),
            _input(
                FIELD_ANSWER,
                "Or a new FAQ's answer",
                required=False,
                limit=MAX_ANSWER,
                multiline=True,
            ),
            _input(
                FIELD_SOURCE, "New FAQ's source (an id from sources.yaml)", required=False, limit=80
            ),
        ]
    else:
        body.append(_text("An admin reviews it before anyone else sees it.", isSubtle=True))
        body.append(
            _input(
                FIELD_ANSWER,
                "Your suggested answer",
                required=True,
                limit=MAX_ANSWER,
                multiline=True,
            )
        )
    submit = _submit(
        "Teach" if admin else "Suggest",
        {SUBMIT_KEY: SUBMIT_TEACH_FORM, "admin": "yes" if admin else "no"},
    )
    return _card(body, [submit], title)


def reason_form_card(faq_id: str) -> Card:
    """Return the form for a thumbs-down's own words ("Other")."""
    body = [
        _text("What was wrong?", style="heading", size="medium", weight="bolder"),
        _input(FIELD_TEXT, "In a few words", required=True, limit=500, multiline=True),
    ]
    submit = _submit("Send", {SUBMIT_KEY: SUBMIT_REASON_FORM, "faq_id": faq_id})
    return _card(body, [submit], "What was wrong?")
