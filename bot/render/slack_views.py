"""Slack views as pure functions: the /finops-path modal, the App Home tab, message payloads."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.core.insights import AdminSummary
from bot.core.knowledge import Knowledge
from bot.core.models import Faq
from bot.core.replies import PATH_USAGE
from bot.core.reply import Reply
from bot.render.blocks import (
    ACTION_PATH_FORM,
    ACTION_QUIZ,
    MAX_BUTTON,
    MAX_SECTION,
    Block,
    escape,
    render_blocks,
    render_fallback,
)

# Slack's view limits (slack_sdk.models.views): exceed one and views.open/publish fails.
MAX_VIEW_BLOCKS = 100
MAX_TITLE = 24
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_METADATA = 3000

PATH_MODAL_ID = "finops_path_modal"
# Each modal input lives in a block named for its field; the element inside is always "value".
FIELD_ROLE = "role"
FIELD_EXPERIENCE = "experience"
FIELD_PROGRAM = "program"
FIELD_GOAL = "goal"
FIELD_ACTION = "value"
MAX_GOAL = 200

HOME_TOPICS_BLOCK = "home_topics"
ACTION_HOME_FAQ = "home_faq"
POPULAR_TAG = "overview"

View = dict[str, Any]


def _plain(text: str, limit: int) -> dict[str, Any]:
    clipped = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return {"type": "plain_text", "text": clipped, "emoji": True}


def _mrkdwn_section(text: str) -> Block:
    # Every mrkdwn string is escaped here, even static copy, so nothing can form a mention.
    body = escape(text)
    return {"type": "section", "text": {"type": "mrkdwn", "text": body[:MAX_SECTION]}}


def message(reply: Reply) -> dict[str, Any]:
    """Return the `text` fallback and `blocks` for posting *reply* as a Slack message."""
    if reply.kind != "answer":
        return {"text": render_fallback(reply), "blocks": render_blocks(reply)}
    # FAQ answers repeat all day; their rendering depends only on what they show, so the
    # visible content itself is the cache key (a reload that edits an answer changes the key).
    key = (
        reply.title,
        reply.sections,
        reply.actions,
        reply.source,
        reply.links,
        reply.more_sources,
    )
    payload = _ANSWERS.get(key)
    if payload is None:
        payload = {"text": render_fallback(reply), "blocks": render_blocks(reply)}
        _ANSWERS[key] = payload
        if len(_ANSWERS) > _ANSWER_CACHE_SIZE:
            del _ANSWERS[next(iter(_ANSWERS))]
    return dict(payload)


_ANSWER_CACHE_SIZE = 512
_ANSWERS: dict[tuple[object, ...], dict[str, Any]] = {}


def ephemeral(reply: Reply) -> dict[str, Any]:
    """Return *reply* as a private slash-command response, e.g. the /finops-path help."""
    return {**message(reply), "response_type": "ephemeral"}


def _input(block_id: str, label: str, element: Block, *, optional: bool, hint: str) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": _plain(label, 2000),
        "hint": _plain(hint, 2000),
        "element": {**element, "action_id": FIELD_ACTION},
    }


def _text_input(placeholder: str, max_length: int = 150) -> Block:
    return {
        "type": "plain_text_input",
        "placeholder": _plain(placeholder, 150),
        "max_length": max_length,
    }


def path_modal(programs: Mapping[str, str], channel_id: str | None = None) -> View:
    """Return the /finops-path modal; *programs* maps program ids to names for the picker."""
    options = [
        {"text": _plain(name, MAX_OPTION_TEXT), "value": pid[:150]}
        for pid, name in list(programs.items())[:MAX_OPTIONS]
    ]
    blocks: list[Block] = [
        _input(
            FIELD_ROLE,
            "Your role",
            _text_input("e.g. SRE, data engineer, engineering manager"),
            optional=False,
            hint="The job you do today; I'll match it to the roles the guides cover.",
        ),
        _input(
            FIELD_EXPERIENCE,
            "Cloud experience",
            _text_input("e.g. 3 years, 18 months, new to cloud", max_length=60),
            optional=True,
            hint="Used to check each level's prerequisites.",
        ),
    ]
    if options:
        select = {
            "type": "static_select",
            "placeholder": _plain("Any program", 150),
            "options": options,
        }
        blocks.append(
            _input(
                FIELD_PROGRAM,
                "Program",
                select,
                optional=True,
                hint="Leave empty to see every program that fits your role.",
            )
        )
    blocks.append(
        _input(
            FIELD_GOAL,
            "Goal",
            _text_input("e.g. lead our cost reviews", max_length=MAX_GOAL),
            optional=True,
            hint="Optional; shown with your path.",
        )
    )
    metadata = json.dumps({"channel_id": channel_id} if channel_id else {})
    return {
        "type": "modal",
        "callback_id": PATH_MODAL_ID,
        "title": _plain("Your FinOps path", MAX_TITLE),
        "submit": _plain("Get my path", MAX_TITLE),
        "close": _plain("Cancel", MAX_TITLE),
        "private_metadata": metadata[:MAX_METADATA],
        "blocks": blocks[:MAX_VIEW_BLOCKS],
    }


PLAN_MODAL_ID = "finops_plan_modal"
FIELD_CERT = "plan_cert"
FIELD_EXAM_DATE = "plan_exam_date"
FIELD_HOURS = "plan_hours"


def plan_modal(certs: Mapping[str, str], channel_id: str | None = None) -> View:
    """Return the /finops-plan modal; *certs* maps certification ids to names for the picker."""
    options = [
        {"text": _plain(name, MAX_OPTION_TEXT), "value": cid[:150]}
        for cid, name in list(certs.items())[:MAX_OPTIONS]
    ]
    select = {"type": "static_select", "placeholder": _plain("Pick one", 150), "options": options}
    hours = {
        "type": "number_input",
        "is_decimal_allowed": True,
        "min_value": "1",
        "max_value": "40",
        "placeholder": _plain("e.g. 4", 150),
    }
    blocks: list[Block] = [
        _input(FIELD_CERT, "Certification", select, optional=False, hint="What you study for."),
        _input(
            FIELD_EXAM_DATE,
            "Exam date",
            {"type": "datepicker"},
            optional=False,
            hint="The plan ends a day or two before it.",
        ),
        _input(FIELD_HOURS, "Hours a week", hours, optional=False, hint="Between 1 and 40."),
    ]
    metadata = json.dumps({"channel_id": channel_id} if channel_id else {})
    return {
        "type": "modal",
        "callback_id": PLAN_MODAL_ID,
        "title": _plain("Your study plan", MAX_TITLE),
        "submit": _plain("Plan my weeks", MAX_TITLE),
        "close": _plain("Cancel", MAX_TITLE),
        "private_metadata": metadata[:MAX_METADATA],
        "blocks": blocks,
    }


def popular_faqs(knowledge: Knowledge, limit: int = 5) -> list[Faq]:
    """Return up to *limit* FAQs for the Home tab: overview FAQs first, in knowledge order."""
    faqs = list(knowledge.faqs.values())
    chosen = [f for f in faqs if POPULAR_TAG in f.tags]
    chosen += [f for f in faqs if f not in chosen]
    return chosen[:limit]


def admin_home_blocks(summary: AdminSummary) -> list[Block]:
    """Return the admin section of the Home tab: use, unanswered and stale numbers."""
    lines = []
    if summary.questions is not None:
        rate = f"{summary.answer_rate:.0f}%" if summary.questions else "-"
        lines.append(
            f"Last {summary.days} days: {summary.questions} question(s), {rate} answered, "
            f"{summary.unanswered} unanswered or unsure, {summary.votes_down} 👎."
        )
    lines.append(
        f"Review: {summary.stale} of {summary.faqs} FAQs due "
        f"({summary.never_reviewed} never reviewed)."
    )
    lines.extend(summary.notes)
    lines.append("/finops-admin stats | unanswered | stale | export [days]")
    return [
        {"type": "header", "text": _plain("Admin", 150)},
        _mrkdwn_section("\n".join(lines)),
        {"type": "divider"},
    ]


def _practice_blocks(practice: Reply | None) -> list[Block]:
    """The Home tab's practice part: the viewer's progress, or an invitation to start."""
    if practice is None:
        intro = (
            "Practice questions: type /finops-quiz (or /finops-quiz CERT) for one multiple-choice "
            "question at a time, with the explanation and its source."
        )
        cert = ""
        blocks = [_mrkdwn_section(intro)]
    else:
        # _mrkdwn_section escapes the whole text: no part of it is escaped here.
        lines = [f"*{practice.title or 'Your practice'}*"]
        lines += [f"{f.label}: {f.value}" for f in practice.facts]
        for section in practice.sections:
            if section.heading:
                lines.append(f"*{section.heading}*")
            lines.extend(
                "• " + ln[2:] if ln.startswith("- ") else ln for ln in section.text.split("\n")
            )
        cert = practice.program or ""
        blocks = [_mrkdwn_section("\n".join(lines))]
    button = {
        "type": "button",
        "text": _plain("Practice a question", MAX_BUTTON),
        "action_id": f"{ACTION_QUIZ}_quiz_next_0",
        "value": cert,
    }
    blocks.append({"type": "actions", "block_id": "home_quiz", "elements": [button]})
    blocks.append({"type": "divider"})
    return blocks


def home_view(
    knowledge: Knowledge,
    topics: int = 5,
    admin: AdminSummary | None = None,
    practice: Reply | None = None,
) -> View:
    """Return the App Home tab: what the bot does, a path button, practice, topics, usage.

    *admin* (only for a viewer on the admin list) adds the admin numbers at the top;
    *practice* (the viewer's quiz progress, once they have practised) adds their progress.
    """
    topic_buttons = [
        {
            "type": "button",
            "text": _plain(faq.question, MAX_BUTTON),
            "action_id": f"{ACTION_HOME_FAQ}_{n}",
            "value": faq.id[:2000],
        }
        for n, faq in enumerate(popular_faqs(knowledge, topics))
    ]
    blocks: list[Block] = admin_home_blocks(admin) if admin is not None else []
    blocks += [
        {"type": "header", "text": _plain("FinOps certification guide", 150)},
        _mrkdwn_section(
            "I answer questions about FinOps certifications (FOCP, FinOps Certified "
            "Professional, Certified FinOps Architect and Professional: exams, prices, "
            "prerequisites, prep plans, recertification, training providers) and recommend "
            "an ordered certification path for your role. Every answer names its source."
        ),
        {
            "type": "actions",
            "block_id": "home_path",
            "elements": [
                {
                    "type": "button",
                    "text": _plain("Get my path", MAX_BUTTON),
                    "action_id": ACTION_PATH_FORM,
                    "value": "home",
                    "style": "primary",
                }
            ],
        },
        {"type": "divider"},
    ]
    blocks += _practice_blocks(practice)
    if topic_buttons:
        blocks.append(_mrkdwn_section("Popular topics (the answer arrives in our DM):"))
        blocks.append({"type": "actions", "block_id": HOME_TOPICS_BLOCK, "elements": topic_buttons})
        blocks.append({"type": "divider"})
    blocks.extend(
        [
            _mrkdwn_section(
                "How to ask: send me a DM, mention me in a channel I'm in (I answer in the "
                "thread), or ask in a channel an admin opted in to (I only speak up there when "
                "I know the answer)."
            ),
            _mrkdwn_section(PATH_USAGE.replace("\n- ", "\n• ")),
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": escape(f"Knowledge version {knowledge.version}")}
                ],
            },
        ]
    )
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}
