"""Slack glue for study plans: the plan modal's values, reaching a person, sending a nudge."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.path_form import read_channel
from bot.conversation.reminders import Sender
from bot.conversation.study import Delivery, Reach
from bot.core.reply import Reply
from bot.render.slack_views import FIELD_ACTION, FIELD_CERT, FIELD_EXAM_DATE, FIELD_HOURS, message

logger = logging.getLogger(__name__)


def read_plan_form(view: Mapping[str, Any]) -> tuple[str, str | None]:
    """Return the submitted plan modal as /finops-plan text, and the channel it came from."""
    values = view.get("state", {}).get("values", {})

    def field(block_id: str) -> str:
        element = values.get(block_id, {}).get(FIELD_ACTION, {})
        selected = element.get("selected_option") or {}
        raw = element.get("value") or element.get("selected_date") or selected.get("value") or ""
        return " ".join(str(raw).split())[:80]

    text = f"{field(FIELD_CERT)} {field(FIELD_EXAM_DATE)} {field(FIELD_HOURS)}"
    return " ".join(text.split()), read_channel(view)


def slack_reach(client: AsyncWebClient, user_id: str) -> Reach:
    """Return how to reach *user_id* later: their DM with the bot, in their Slack time zone."""

    async def reach() -> Delivery | None:
        tz = None
        try:
            info = await client.users_info(user=user_id)
            user = info.get("user") or {}
            tz = user.get("tz") if isinstance(user, dict) else None
        except SlackClientError as exc:
            logger.info("users.info failed (%s); reminders use UTC", type(exc).__name__)
        try:
            opened = await client.conversations_open(users=user_id)
            channel = str(opened["channel"]["id"])
        except (SlackClientError, KeyError, TypeError) as exc:
            logger.warning("conversations.open failed (%s); no reminder set", type(exc).__name__)
            return None
        return Delivery(json.dumps({"channel": channel}), tz if isinstance(tz, str) else None)

    return reach


def slack_sender(client: AsyncWebClient) -> Sender:
    """Return the reminder sender for Slack: chat.postMessage to the stored DM channel."""

    async def send(address: str, reply: Reply) -> None:
        channel = str(json.loads(address)["channel"])
        await client.chat_postMessage(channel=channel, **message(reply))

    return send
