"""Slack glue for teaching: Teach and Suggest buttons, the message shortcut, their modals,
a thumbs-down's reasons, and the weekly digest's DM. Every decision is the conversation
service's: an admin's teach runs as the admin verb (allow-listed and audited there)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.service import ConversationService
from bot.conversation.teach import read_reason
from bot.core.learned import read_teach_value
from bot.core.reply import Message, Reply
from bot.render.slack_views import message
from bot.render.teach_views import (
    FIELD_ANSWER,
    FIELD_FAQ,
    FIELD_QUESTION,
    FIELD_SOURCE,
    FIELD_TEXT,
    modal_values,
    reason_modal,
    teach_modal,
)
from bot.storage.digest import DigestSender

logger = logging.getLogger(__name__)

PLATFORM = "slack"
TEACH_SHORTCUT = "teach_finops_bot"
NEEDS_ANSWER = "Give an FAQ id, or a new FAQ's answer and its source."

Payload = dict[str, Any]


class SlackTeaching:
    """The teaching listeners; each one translates and asks the conversation service."""

    def __init__(self, conversation: ConversationService) -> None:
        """Teach through *conversation*."""
        self.conversation = conversation

    async def teach_clicked(
        self, ack: AsyncAck, action: Payload, body: Payload, client: AsyncWebClient
    ) -> None:
        """Open the teach form for a question from the unanswered list or the digest."""
        await ack()
        faq_id, question = read_teach_value(str(action.get("value") or ""))
        await self._open(client, body, question, faq_id)

    async def suggest_clicked(
        self, ack: AsyncAck, action: Payload, body: Payload, client: AsyncWebClient
    ) -> None:
        """Open the suggestion form for a declined question."""
        await ack()
        await self._open(client, body, str(action.get("value") or "")[:300], "")

    async def shortcut(self, ack: AsyncAck, shortcut: Payload, client: AsyncWebClient) -> None:
        """ "Teach finops-bot" on any message: the teach form (admins) or the suggestion form."""
        await ack()
        text = " ".join(str((shortcut.get("message") or {}).get("text") or "").split())[:300]
        reply = self.conversation.bot.ask(text) if text else None
        nearest = ""
        if reply is not None:
            nearest = reply.faq_id or (reply.suggestions[0].faq_id if reply.suggestions else "")
        await self._open(client, shortcut, text, nearest)

    async def teach_submitted(
        self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient
    ) -> None:
        """Teach (admins: as the admin verb) or queue a suggestion; tell the person in a DM."""
        values, meta = modal_values(view)
        user = str((body.get("user") or {}).get("id") or "")
        question = values.get(FIELD_QUESTION, "")
        answer = values.get(FIELD_ANSWER, "")
        if meta.get("admin") is True:
            faq_id, source = values.get(FIELD_FAQ, ""), values.get(FIELD_SOURCE, "")
            if faq_id:
                command = f"admin teach {faq_id} {question}"
            elif answer and source:
                # The bar separates question from answer in the verb: keep it out of the question.
                command = f"admin teach-new {source} {question.replace('|', '/')} | {answer}"
            else:
                await ack(response_action="errors", errors={FIELD_FAQ: NEEDS_ANSWER})
                return
            await ack()
            said = Message(
                command, user_id=user, platform=PLATFORM, place=user, private=True, via="command"
            )
            reply = await self.conversation.respond(said)
            if reply is not None:
                await client.chat_postMessage(channel=user, **message(reply))
            return
        await ack()
        who = Message("", user_id=user, platform=PLATFORM, place=user, private=True)
        thanks = await self.conversation.suggest(who, question, answer)
        await client.chat_postMessage(channel=user, text=thanks)

    async def reason_clicked(
        self,
        ack: AsyncAck,
        action: Payload,
        body: Payload,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        """Record a thumbs-down's reason; "Other" asks for a few words first."""
        await ack()
        parsed = read_reason(str(action.get("value") or ""))
        if parsed is None:
            return
        reason, faq_id = parsed
        if reason == "other":
            await client.views_open(trigger_id=body["trigger_id"], view=reason_modal(faq_id))
            return
        thanks = await self.conversation.feedback_reason(_who(body), faq_id, reason, "")
        await respond(thanks, response_type="ephemeral", replace_original=True)

    async def reason_submitted(self, ack: AsyncAck, body: Payload, view: Payload) -> None:
        """Record "Other" with the person's words."""
        await ack()
        values, meta = modal_values(view)
        faq_id = str(meta.get("faq_id") or "")
        await self.conversation.feedback_reason(
            _who(body), faq_id, "other", values.get(FIELD_TEXT, "")
        )

    async def _open(
        self, client: AsyncWebClient, body: Payload, question: str, faq_id: str
    ) -> None:
        admin = self.conversation.is_admin(str((body.get("user") or {}).get("id") or ""))
        await client.views_open(
            trigger_id=body["trigger_id"], view=teach_modal(question, faq_id, admin=admin)
        )


def dm_sender(client: AsyncWebClient) -> DigestSender:
    """Return the digest's Slack sender: a DM from the bot to one user."""

    async def send(user_id: str, reply: Reply) -> bool:
        result = await client.chat_postMessage(channel=user_id, **message(reply))
        return bool(result.get("ok"))

    return send


def _who(body: Payload) -> Message:
    user = str((body.get("user") or {}).get("id") or "")
    return Message("", user_id=user, platform=PLATFORM, place=user, private=True)
