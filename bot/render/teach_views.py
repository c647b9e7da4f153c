"""Slack modals for teaching: the admin's teach form, anyone's suggestion, a 👎's own words."""

from __future__ import annotations

import json
from typing import Any

from bot.core.learned import MAX_ANSWER, MAX_PHRASE

TEACH_MODAL_ID = "finops_teach_modal"
REASON_MODAL_ID = "finops_reason_modal"
FIELD_QUESTION = "question"
FIELD_FAQ = "faq_id"
FIELD_ANSWER = "answer"
FIELD_SOURCE = "source"
FIELD_TEXT = "text"
FIELD_ACTION = "value"
MAX_METADATA = 3000

View = dict[str, Any]


def _plain(text: str, limit: int = 150) -> dict[str, Any]:
    clipped = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return {"type": "plain_text", "text": clipped, "emoji": True}


def _field(
    block_id: str, label: str, hint: str, *, initial: str = "", optional: bool, max_length: int,
    multiline: bool = False,
) -> dict[str, Any]:  # fmt: skip
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": FIELD_ACTION,
        "max_length": max_length,
        "multiline": multiline,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": _plain(label),
        "hint": _plain(hint, 2000),
        "element": element,
    }


def teach_modal(question: str, faq_id: str = "", *, admin: bool) -> View:
    """Return the teach form (admins) or the suggestion form (everyone else) for *question*."""
    blocks = [
        _field(
            FIELD_QUESTION, "Question", "The wording people use.", initial=question,
            optional=False, max_length=MAX_PHRASE,
        ),
    ]  # fmt: skip
    if admin:
        blocks += [
            _field(
                FIELD_FAQ, "Answer it with the FAQ", "An FAQ id, e.g. focp-exam-format. Leave "
                "empty to draft a new FAQ below.", initial=faq_id, optional=True, max_length=80,
            ),
            _field(
                FIELD_ANSWER, "Or a new FAQ's answer", "In our own words; shown to everyone at "
                "once.", optional=True, max_length=MAX_ANSWER, multiline=True,
            ),
            _field(
                FIELD_SOURCE, "New FAQ's source", "A source id from sources.yaml.",
                optional=True, max_length=80,
            ),
        ]  # fmt: skip
    else:
        blocks.append(
            _field(
                FIELD_ANSWER, "Your suggested answer", "An admin reviews it before anyone "
                "sees it.", optional=False, max_length=MAX_ANSWER, multiline=True,
            )
        )  # fmt: skip
    return {
        "type": "modal",
        "callback_id": TEACH_MODAL_ID,
        "title": _plain("Teach finops-bot" if admin else "Suggest an answer", 24),
        "submit": _plain("Teach" if admin else "Suggest", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps({"admin": admin})[:MAX_METADATA],
        "blocks": blocks,
    }


def reason_modal(faq_id: str) -> View:
    """Return the form for a thumbs-down's own words ("Other")."""
    return {
        "type": "modal",
        "callback_id": REASON_MODAL_ID,
        "title": _plain("What was wrong?", 24),
        "submit": _plain("Send", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps({"faq_id": faq_id})[:MAX_METADATA],
        "blocks": [
            _field(
                FIELD_TEXT,
                "In a few words",
                "Only the bot's admins read this.",
                optional=False,
                max_length=500,
                multiline=True,
            )
        ],
    }


def modal_values(view: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Return a submitted modal's text fields (spaces folded) and its metadata."""
    values = (view.get("state") or {}).get("values") or {}
    out: dict[str, str] = {}
    if isinstance(values, dict):
        for block_id, block in values.items():
            element = block.get(FIELD_ACTION) if isinstance(block, dict) else None
            raw = element.get("value") if isinstance(element, dict) else None
            out[str(block_id)] = " ".join(str(raw or "").split())
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except (json.JSONDecodeError, TypeError):
        meta = {}
    return out, meta if isinstance(meta, dict) else {}
