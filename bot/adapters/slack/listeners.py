"""Slack listeners: thin handlers from Bolt payloads to Bot calls, and their registration table."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, cast

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.say.async_say import AsyncSay
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.channels import ChannelRegistry
from bot.adapters.slack.dedup import PENDING_CLAIM, PEOPLE_SUBTYPES, TtlCache, message_key
from bot.adapters.slack.markup import plain_text
from bot.adapters.slack.path_form import form_errors, read_path_form
from bot.adapters.slack.study import read_plan_form, slack_reach
from bot.adapters.slack.teach import TEACH_SHORTCUT, SlackTeaching
from bot.conversation.service import ConversationService
from bot.conversation.teach import reason_reply
from bot.core.insights import AdminSummary
from bot.core.reply import QUIZ_ACTIONS, Action, ActionKind, Message, Reply, Section
from bot.core.study import certification_choices
from bot.render.blocks import (
    ACTION_ASK,
    ACTION_FAQ,
    ACTION_FEEDBACK,
    ACTION_MORE,
    ACTION_PATH_FORM,
    ACTION_QUIZ,
    ACTION_REASON,
    ACTION_SHARE,
    ACTION_SUGGEST,
    ACTION_TEACH,
    BLOCK_FOLLOWUPS,
    BLOCK_SUGGESTIONS,
)
from bot.render.slack_views import (
    ACTION_HOME_FAQ,
    HOME_TOPICS_BLOCK,
    PATH_MODAL_ID,
    PLAN_MODAL_ID,
    ephemeral,
    home_view,
    message,
    path_modal,
    plan_modal,
)
from bot.render.teach_views import REASON_MODAL_ID, TEACH_MODAL_ID
from bot.storage.store import Storage

logger = logging.getLogger(__name__)

PATH_COMMAND = "/finops-path"
ADMIN_COMMAND = "/finops-admin"
QUIZ_COMMAND = "/finops-quiz"
PLAN_COMMAND = "/finops-plan"
PLATFORM = "slack"
_FEEDBACK_VALUE = re.compile(r"^(up|down):([a-z0-9][a-z0-9-]*)$")

Payload = dict[str, Any]


class SlackHandlers:
    """Every Slack listener, closing over one Bot and the opted-in channels."""

    def __init__(
        self,
        conversation: ConversationService,
        channels: ChannelRegistry,
        seen_messages: TtlCache | None = None,
        storage: Storage | None = None,
        summary: Callable[[], Awaitable[AdminSummary]] | None = None,
    ) -> None:
        """Answer through *conversation*; *seen_messages* remembers answered (channel, ts).

        With *storage* (the shared store), the (channel, ts) dedup spans every instance, and
        *summary* gives an admin's Home tab its numbers.
        """
        self.conversation = conversation
        self.bot = conversation.bot
        self.channels = channels
        self.storage = storage
        self._summary = summary
        # A mention in a channel the bot reads arrives as app_mention AND message: answer once.
        self.seen_messages = seen_messages or TtlCache()
        # "/finops-path sre" is typed by many people: its payload only changes with the
        # knowledge version, so keep the last few rendered payloads (insertion-ordered dict).
        self._path_payloads: dict[tuple[str, str], tuple[dict[str, Any], Reply]] = {}
        self.teach = SlackTeaching(conversation)

    # ----- slash commands

    async def path_command(self, ack: AsyncAck, command: Payload, client: AsyncWebClient) -> None:
        """Answer `/finops-path TEXT` in the ack itself; open the form when TEXT is empty."""
        text = plain_text(str(command.get("text") or "")).strip()
        if not text:
            await ack()
            await self._open_path_modal(client, command["trigger_id"], command.get("channel_id"))
            return
        # The path (or the usage, for `help`) is computed in memory: it rides on the ack.
        payload, reply = self._path_payload(text)
        await ack(**payload)
        if _in_a_dm(command):
            # Its list is the DM's subject: "how much is the second one?" typed next. In a
            # channel the reply is private and a follow-up starts a thread of its own, so
            # nothing is kept (a store write per command cost a fifth of the throughput).
            await self.conversation.remember_path(_command_message(PATH_COMMAND, command), reply)

    def _path_payload(self, text: str) -> tuple[dict[str, Any], Reply]:
        """Return the rendered ephemeral path for *text* and its reply, cached per version."""
        key = (self.bot.store.current.version, text)
        cached = self._path_payloads.get(key)
        if cached is None:
            reply = self.conversation.path(text)
            cached = (ephemeral(_with_share_value(reply, text)), reply)
            self._path_payloads[key] = cached
            if len(self._path_payloads) > _PATH_CACHE_SIZE:
                del self._path_payloads[next(iter(self._path_payloads))]
        return cached

    async def admin_command(
        self, ack: AsyncAck, command: Payload, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Run `/finops-admin VERB` and answer privately (only the admin sees it)."""
        await ack()
        msg = _command_message(ADMIN_COMMAND, command)
        reply = await self.conversation.respond(msg)
        if reply is None:
            return
        if reply.attachment is not None:
            reply = await self._send_file(client, None, msg.user_id, reply)
        await respond(**message(reply), response_type="ephemeral")

    async def quiz_command(self, ack: AsyncAck, command: Payload, respond: AsyncRespond) -> None:
        """Answer `/finops-quiz [cert | progress]` privately, with a button per choice."""
        await ack()
        reply = await self.conversation.respond(_command_message(QUIZ_COMMAND, command))
        if reply is not None:
            await respond(**message(reply), response_type="ephemeral")

    async def quiz_clicked(
        self,
        ack: AsyncAck,
        action: Payload,
        body: Payload,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        """Answer a practice-question button where it was clicked (privately if it was private)."""
        await ack()
        kind = _QUIZ_KIND.match(str(action.get("action_id") or ""))
        if kind is None:
            return
        value = str(action.get("value") or "")[:200]
        choice = Action(cast(ActionKind, kind.group(1)), "", value)
        reply = await self.conversation.quiz_action(_clicker(body), choice)
        await _answer_where_clicked(body, reply, client, respond)

    async def plan_command(
        self, ack: AsyncAck, command: Payload, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Answer `/finops-plan ...` privately; open the plan form when there is no text."""
        await ack()
        text = str(command.get("text") or "").strip()
        user_id = str(command.get("user_id", ""))
        if not text:
            certs = certification_choices(self.bot.store.current.knowledge)
            view = plan_modal(certs, command.get("channel_id"))
            await client.views_open(trigger_id=command["trigger_id"], view=view)
            return
        msg = _command_message(PLAN_COMMAND, command)
        reply = await self.conversation.respond(msg, reach=slack_reach(client, user_id))
        if reply is not None:
            await respond(**message(reply), response_type="ephemeral")

    async def plan_form_submitted(
        self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient
    ) -> None:
        """Close the plan modal and post the plan (or what was wrong) privately."""
        await ack()
        text, channel = read_plan_form(view)
        user_id = str(body["user"]["id"])
        msg = Message(
            f"{PLAN_COMMAND} {text}",
            user_id=user_id,
            platform=PLATFORM,
            private=True,
            via="command",
        )
        reply = await self.conversation.respond(msg, reach=slack_reach(client, user_id))
        if reply is not None:
            await self._post_private(client, user_id, channel, reply)

    # ----- the path form

    async def open_path_form(self, ack: AsyncAck, body: Payload, client: AsyncWebClient) -> None:
        """Open the path modal from a "Get my path" button (App Home or a message)."""
        await ack()
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id"
        )
        await self._open_path_modal(client, body["trigger_id"], channel)

    async def path_form_submitted(
        self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient
    ) -> None:
        """Validate the modal; show field errors, or close it and post the path privately."""
        form = read_path_form(view)
        errors = form_errors(form, self.bot.store.current.paths)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        text = form.text()
        reply = _with_share_value(self.conversation.path(text), text)
        await self._post_private(client, body["user"]["id"], form.channel_id, reply)

    async def share_path(self, ack: AsyncAck, action: Payload, respond: AsyncRespond) -> None:
        """Post the path from a private reply into the channel for everyone."""
        await ack()
        reply = self.conversation.path(str(action.get("value") or ""))
        if reply.kind != "path":
            await respond(**message(reply), response_type="ephemeral", replace_original=False)
            return
        shared = dataclasses.replace(reply, actions=())
        await respond(**message(shared), response_type="in_channel", replace_original=False)

    # ----- FAQ conversations

    async def app_mention(
        self, event: Payload, say: AsyncSay, context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """Answer a mention in the thread of the question."""
        if _not_a_person(event) or not self._new_here(event):
            return
        thread = event.get("thread_ts") or event["ts"]
        msg = Message(
            plain_text(str(event.get("text") or "")),
            user_id=str(event["user"]),
            platform=PLATFORM,
            place=f"{event.get('channel')}:{thread}",
            via="mention",
            new_thread=not event.get("thread_ts"),
        )
        reply = await self.conversation.respond(
            msg, gate=lambda: self._won(event, context), reach=slack_reach(client, msg.user_id)
        )
        if reply is not None:
            await say(**message(reply), thread_ts=thread)

    async def message_event(
        self, event: Payload, say: AsyncSay, context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """Answer DMs; in opted-in channels answer only what the bot knows, else stay quiet."""
        if _not_a_person(event):
            return
        text = str(event.get("text") or "")
        kind = event.get("channel_type")
        channel = event.get("channel")
        if kind == "im":
            if not self._new_here(event):
                return
            thread = event.get("thread_ts")
            msg = Message(
                plain_text(text),
                user_id=str(event["user"]),
                platform=PLATFORM,
                place=f"{channel}:{thread}" if thread else str(channel),
                private=True,
                via="dm",
            )
            reply = await self.conversation.respond(
                msg, gate=lambda: self._won(event, context), reach=slack_reach(client, msg.user_id)
            )
            if reply is None:
                return
            if reply.attachment is not None:
                reply = await self._send_file(client, channel, msg.user_id, reply)
            await say(**message(reply), thread_ts=thread)
            return
        if kind not in ("channel", "group") or channel not in self.channels:
            return
        if context.bot_user_id and f"<@{context.bot_user_id}" in text:
            return  # the app_mention listener answers this one
        if not self._new_here(event):
            return
        thread = event.get("thread_ts") or event["ts"]
        msg = Message(
            plain_text(text),
            user_id=str(event["user"]),
            platform=PLATFORM,
            place=f"{channel}:{thread}",
            via="channel",
            unprompted=True,
            new_thread=not event.get("thread_ts"),
        )
        reply = await self.conversation.respond(msg, gate=lambda: self._won(event, context))
        if reply is not None:
            await say(**message(reply), thread_ts=thread)

    async def suggestion_clicked(
        self, ack: AsyncAck, action: Payload, body: Payload, respond: AsyncRespond
    ) -> None:
        """Replace the "did you mean" message with the chosen FAQ's answer."""
        await ack()
        reply = await self._chosen(body, action, "suggestion")
        await respond(**message(reply), replace_original=True)

    async def followup_clicked(
        self,
        ack: AsyncAck,
        action: Payload,
        body: Payload,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        """Answer a related question in the same thread (privately if the answer was private)."""
        await ack()
        reply = await self._chosen(body, action, "followup")
        await _answer_where_clicked(body, reply, client, respond)

    async def choice_clicked(
        self,
        ack: AsyncAck,
        action: Payload,
        body: Payload,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        """Answer a "which program?" choice as if typed, or post an answer's "More" part."""
        await ack()
        value = str(action.get("value") or "")[:2000]
        more = str(action.get("action_id", "")).startswith(ACTION_MORE)
        choice = Action("more", "", value) if more else Action("ask", "", value)
        reply = await self.conversation.choose(_clicker(body), choice)
        if reply is None:
            return
        if (body.get("container") or {}).get("is_ephemeral"):
            # A choice on a private reply ("/finops-path data analyst": which role?) is
            # answered privately too: nobody else saw the question.
            await respond(**message(reply), response_type="ephemeral", replace_original=False)
            return
        clicked = body.get("message") or {}
        thread = clicked.get("thread_ts") or clicked.get("ts")
        await client.chat_postMessage(
            channel=body["channel"]["id"], thread_ts=thread, **message(reply)
        )

    async def home_topic_clicked(
        self, ack: AsyncAck, action: Payload, body: Payload, client: AsyncWebClient
    ) -> None:
        """Answer a Home tab topic in the person's DM with the bot, where buttons keep working."""
        await ack()
        reply = await self._chosen(body, action, "home")
        await client.chat_postMessage(channel=body["user"]["id"], **message(reply))

    async def feedback_clicked(
        self, ack: AsyncAck, action: Payload, body: Payload, respond: AsyncRespond
    ) -> None:
        """Record a 👍/👎 on an answer and thank the person privately."""
        await ack()
        m = _FEEDBACK_VALUE.match(str(action.get("value") or ""))
        if m is None:
            return
        vote, faq_id = m.groups()
        thanks = self.conversation.feedback(_clicker(body), vote, faq_id)
        if vote == "down" and self.conversation.teaching is not None:
            # A short choice of why; the reason buttons are the teaching listeners'.
            ask_why = message(reason_reply(faq_id, thanks))
            await respond(**ask_why, response_type="ephemeral", replace_original=False)
            return
        await respond(thanks, response_type="ephemeral", replace_original=False)

    async def app_home_opened(self, event: Payload, client: AsyncWebClient) -> None:
        """Publish the Home tab each time someone opens it (it shows the current knowledge)."""
        if event.get("tab", "home") != "home":
            return
        user_id = str(event["user"])
        admin = None
        if self.conversation.is_admin(user_id) and self._summary is not None:
            admin = await self._summary()
        viewer = Message("", user_id=user_id, platform=PLATFORM, place=user_id, private=True)
        practice = await self.conversation.quiz_home(viewer)
        view = home_view(self.bot.store.current.knowledge, admin=admin, practice=practice)
        await client.views_publish(user_id=user_id, view=view)

    async def ignore(self) -> None:
        """Acknowledge an event nobody handles, so Slack never sees a 404 and retries."""

    async def acknowledge(self, ack: AsyncAck, body: Payload) -> None:
        """Acknowledge a click, shortcut or view we have no feature for; log its type only."""
        await ack()
        logger.info("acknowledged an unhandled %s", str(body.get("type") or "payload")[:40])

    async def no_options(self, ack: AsyncAck) -> None:
        """Answer an external select's options request with an empty list."""
        await ack(options=[])

    # ----- helpers

    def _new_here(self, event: Payload) -> bool:
        """Return True the first time this instance sees the message (twins share it)."""
        return self.seen_messages.add((event.get("channel"), event.get("ts")))

    async def _won(self, event: Payload, context: AsyncBoltContext) -> bool:
        """Return True unless another instance already took this message (shared store)."""
        if self.storage is None:
            return True
        pending = context.get(PENDING_CLAIM)  # mentions and DMs: started by the middleware
        if pending is None:
            pending = self.storage.claim_soon(message_key(event.get("channel"), event.get("ts")))
        return await self.storage.settle(pending)

    async def _chosen(self, body: Payload, action: Payload, kind: str) -> Reply:
        return await self.conversation.chosen(_clicker(body), str(action.get("value") or ""), kind)

    async def _send_file(
        self, client: AsyncWebClient, channel: str | None, user_id: str, reply: Reply
    ) -> Reply:
        """Upload *reply*'s attachment to the admin (their DM with the bot); say how it went."""
        attachment = reply.attachment
        assert attachment is not None  # noqa: S101 - callers check
        try:
            if channel is None:
                opened = await client.conversations_open(users=user_id)
                channel = str(opened["channel"]["id"])
            await client.files_upload_v2(
                channel=channel,
                content=attachment.content,
                filename=attachment.filename,
                title=attachment.title or attachment.filename,
            )
        except SlackApiError as exc:
            logger.warning("file upload failed: %s", exc.response.get("error"))
            note = f"The upload failed ({exc.response.get('error')}); nothing was sent."
        except SlackClientError as exc:
            logger.warning("file upload failed: %s", type(exc).__name__)
            note = "The upload failed; nothing was sent."
        else:
            note = f"Sent {attachment.filename} to our DM."
        sections = (*reply.sections, Section(note))
        return dataclasses.replace(reply, sections=sections, attachment=None)

    async def _open_path_modal(
        self, client: AsyncWebClient, trigger_id: str, channel_id: str | None
    ) -> None:
        programs = {p.id: p.name for p in self.bot.store.current.knowledge.programs.values()}
        await client.views_open(trigger_id=trigger_id, view=path_modal(programs, channel_id))

    async def _post_private(
        self, client: AsyncWebClient, user_id: str, channel_id: str | None, reply: Reply
    ) -> None:
        if channel_id:
            try:
                await client.chat_postEphemeral(channel=channel_id, user=user_id, **message(reply))
                return
            except SlackApiError as exc:
                # e.g. not_in_channel: the bot can't post there, so the path goes to a DM.
                logger.info("postEphemeral in %s failed (%s); sending a DM", channel_id, exc)
        await client.chat_postMessage(channel=user_id, **message(reply))


def register_listeners(app: AsyncApp, h: SlackHandlers) -> None:
    """Register every listener on *app*: the one table of what Slack can send and who answers."""
    table = [
        # Bolt tries listeners in this order, building each matcher's arguments (about 9 µs)
        # until one matches: what people do most comes first (docs/slack.md, "Load").
        (app.event("app_mention"), h.app_mention),
        (app.event("message"), h.message_event),
        (app.command(PATH_COMMAND), h.path_command),
        (app.command(QUIZ_COMMAND), h.quiz_command),
        (app.command(PLAN_COMMAND), h.plan_command),
        (app.command(ADMIN_COMMAND), h.admin_command),
        (app.event("app_home_opened"), h.app_home_opened),
        (app.view(PATH_MODAL_ID), h.path_form_submitted),
        (app.view(PLAN_MODAL_ID), h.plan_form_submitted),
        (app.action(ACTION_PATH_FORM), h.open_path_form),
        (app.action(ACTION_SHARE), h.share_path),
        (app.action(_ids(BLOCK_SUGGESTIONS, ACTION_FAQ)), h.suggestion_clicked),
        (app.action(_ids(BLOCK_FOLLOWUPS, ACTION_FAQ)), h.followup_clicked),
        (app.action(_ids(HOME_TOPICS_BLOCK, ACTION_HOME_FAQ)), h.home_topic_clicked),
        (app.action(re.compile(rf"^{ACTION_FEEDBACK}_\d+$")), h.feedback_clicked),
        (app.action(re.compile(rf"^(?:{ACTION_ASK}|{ACTION_MORE})_\d+$")), h.choice_clicked),
        # Teaching from chat (bot/adapters/slack/teach.py).
        (app.action(re.compile(rf"^{ACTION_TEACH}_\d+$")), h.teach.teach_clicked),
        (app.action(re.compile(rf"^{ACTION_SUGGEST}_\d+$")), h.teach.suggest_clicked),
        (app.action(re.compile(rf"^{ACTION_REASON}_\d+$")), h.teach.reason_clicked),
        (app.shortcut(TEACH_SHORTCUT), h.teach.shortcut),
        (app.view(TEACH_MODAL_ID), h.teach.teach_submitted),
        (app.view(REASON_MODAL_ID), h.teach.reason_submitted),
        (app.action(_QUIZ_KIND), h.quiz_clicked),
        # Last: anything else Slack can send is acknowledged with a 200 and dropped, so Bolt
        # never answers 404 (Slack would show the person an error) nor logs the payload.
        (app.event(re.compile(".*")), h.ignore),
        (app.action(re.compile(".*")), h.acknowledge),
        (app.shortcut(re.compile(".*")), h.acknowledge),
        (app.view_submission(re.compile(".*")), h.acknowledge),
        (app.view_closed(re.compile(".*")), h.acknowledge),
        (app.options(re.compile(".*")), h.no_options),
    ]
    for register, handler in table:
        register(handler)


_PATH_CACHE_SIZE = 256
# A quiz button: quiz_<kind>_<n>, the kind being one of the reply's quiz action kinds.
_QUIZ_KIND = re.compile(rf"^{ACTION_QUIZ}_({'|'.join(QUIZ_ACTIONS)})_\d+$")


def _ids(block_id: str, action_prefix: str) -> dict[str, str | re.Pattern[str]]:
    return {"block_id": block_id, "action_id": re.compile(rf"^{action_prefix}_\d+$")}


def _in_a_dm(command: Payload) -> bool:
    """Return True when slash *command* was typed in a direct message with the bot."""
    channel = str(command.get("channel_id") or "")
    return command.get("channel_name") == "directmessage" or channel.startswith("D")


def _command_message(name: str, command: Payload) -> Message:
    """Return slash command *name* as the neutral message (answered privately, ephemeral)."""
    return Message(
        f"{name} {str(command.get('text') or '').strip()}",
        user_id=str(command.get("user_id", "")),
        platform=PLATFORM,
        place=str(command.get("channel_id") or ""),
        private=True,
        via="command",
    )


async def _answer_where_clicked(
    body: Payload, reply: Reply, client: AsyncWebClient, respond: AsyncRespond
) -> None:
    """Post *reply* where the button was: privately if that was private, else in its thread."""
    container = body.get("container") or {}
    if container.get("type") == "view":
        # From the Home tab: the answer arrives in our DM, where its buttons work.
        await client.chat_postMessage(channel=body["user"]["id"], **message(reply))
    elif container.get("is_ephemeral"):
        await respond(**message(reply), response_type="ephemeral", replace_original=False)
    else:
        clicked = body.get("message") or {}
        await client.chat_postMessage(
            channel=body["channel"]["id"], thread_ts=clicked.get("thread_ts"), **message(reply)
        )


def _clicker(body: Payload) -> Message:
    """Return who clicked a button, and in which thread (for the conversation's memory)."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    clicked = body.get("message") or {}
    dm = str(channel or "").startswith("D")
    # A DM's top level is one conversation; elsewhere the thread of the clicked message is.
    thread = clicked.get("thread_ts") or (None if dm else clicked.get("ts"))
    private = dm or bool((body.get("container") or {}).get("is_ephemeral"))
    place = f"{channel}:{thread}" if channel and thread else str(channel or "")
    return Message(
        "",
        user_id=str((body.get("user") or {}).get("id") or ""),
        platform=PLATFORM,
        place=place,
        private=private,
    )


def _not_a_person(event: Payload) -> bool:
    # Edits, deletions, joins and other bots' posts carry a subtype or a bot_id: never answer.
    # A few subtypes are still a person talking (a file shared with a question, a thread
    # reply also sent to the channel, /me): those are answered like plain messages.
    subtype = event.get("subtype")
    if subtype is not None and subtype not in PEOPLE_SUBTYPES:
        return True
    return bool(event.get("bot_id") or not event.get("user"))


def _with_share_value(reply: Reply, text: str) -> Reply:
    """Carry the request text in the Share button so a click can replay it for the channel."""
    # Mentions mean nothing to the path parser; dropping them keeps markup out of payloads.
    value = " ".join(plain_text(text).split())
    actions = tuple(
        dataclasses.replace(a, value=value) if a.kind == "share" else a for a in reply.actions
    )
    return dataclasses.replace(reply, actions=actions)
