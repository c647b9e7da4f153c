"""Teams glue for teaching: Teach / Suggest / reason buttons and their form cards.

Like Slack's: an admin's teach runs as the admin verb through the conversation service
(allow-listed, audited, admin output only in a 1:1 chat); anyone else's goes in as a
suggestion that waits for an admin.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from bot.conversation.teach import read_reason
from bot.core.learned import read_teach_value
from bot.render.teach_cards import (
    FIELD_ANSWER,
    FIELD_FAQ,
    FIELD_QUESTION,
    FIELD_SOURCE,
    FIELD_TEXT,
    SUBMIT_REASON_FORM,
    SUBMIT_TEACH_FORM,
    SUBMIT_TEACHING,
    reason_form_card,
    teach_form_card,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from microsoft_agents.hosting.core import TurnContext, TurnState

    from bot.adapters.teams.handlers import TeamsHandlers

NEEDS_ANSWER = "Give an FAQ id, or a new FAQ's answer and its source."
TEACHING_SUBMITS = (SUBMIT_TEACHING, SUBMIT_TEACH_FORM, SUBMIT_REASON_FORM)


async def teaching_clicked(
    h: TeamsHandlers, context: TurnContext, state: TurnState, data: Mapping[str, Any]
) -> None:
    """Route a teaching card submission: open a form, or act on a submitted one."""
    from bot.adapters.teams.handlers import (  # noqa: PLC0415 - they import this module
        _message,
        _send_card,
        _string,
    )

    conversation = h.conversation
    who = _message(context.activity, "")
    action = _string(data, "action", 20)
    if action == SUBMIT_TEACHING:
        kind, value = _string(data, "kind", 10), str(data.get("value") or "")[:2000]
        admin = conversation.is_admin(who.user_id)
        if kind == "teach":
            faq_id, question = read_teach_value(value)
            await _send_card(context, teach_form_card(question, faq_id, admin=admin), "Teach")
        elif kind == "suggest":
            card = teach_form_card(" ".join(value.split())[:300], admin=admin)
            await _send_card(context, card, "Suggest an answer")
        elif kind == "reason" and (parsed := read_reason(value)) is not None:
            reason, faq_id = parsed
            if reason == "other":
                await _send_card(context, reason_form_card(faq_id), "What was wrong?")
            else:
                said = await conversation.feedback_reason(who, faq_id, reason, "")
                await context.send_activity(said)
        return
    if action == SUBMIT_REASON_FORM:
        faq_id, text = _string(data, "faq_id", 80), _string(data, FIELD_TEXT, 500)
        await context.send_activity(await conversation.feedback_reason(who, faq_id, "other", text))
        return
    question, answer = _string(data, FIELD_QUESTION, 300), _string(data, FIELD_ANSWER, 3000)
    if _string(data, "admin", 3) != "yes":
        await context.send_activity(await conversation.suggest(who, question, answer))
        return
    faq_id, source = _string(data, FIELD_FAQ, 80), _string(data, FIELD_SOURCE, 80)
    if faq_id:
        command = f"admin teach {faq_id} {question}"
    elif answer and source:
        command = f"admin teach-new {source} {question.replace('|', '/')} | {answer}"
    else:
        await context.send_activity(NEEDS_ANSWER)
        return
    reply = await conversation.respond(dataclasses.replace(who, text=command))
    if reply is not None:
        from bot.adapters.teams.handlers import _send_reply  # noqa: PLC0415

        await _send_reply(context, reply)
