"""Teams handlers: thin functions from activities to Bot calls, and their route table."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, cast

import aiohttp
from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.core import (
    AgentApplication,
    CardFactory,
    RouteRank,
    TurnContext,
    TurnState,
)

from bot.adapters.teams.files import (
    FILE_CONSENT_INVOKE,
    UploadError,
    consent_card,
    info_card,
    read_consent,
    upload,
    upload_allowed,
)
from bot.adapters.teams.teach import TEACHING_SUBMITS, teaching_clicked
from bot.conversation.service import ConversationService
from bot.conversation.study import Delivery, Reach
from bot.conversation.teach import reason_reply
from bot.core import replies
from bot.core.paths import PathRequest
from bot.core.reply import QUIZ_ACTIONS, Action, ActionKind, Message, Reply, Section
from bot.core.study import certification_choices
from bot.render.cards import (
    FIELD_CERT,
    FIELD_EXAM_DATE,
    FIELD_EXPERIENCE,
    FIELD_GOAL,
    FIELD_HOURS,
    FIELD_PROGRAM,
    FIELD_ROLE,
    MAX_ASK,
    MAX_EXPERIENCE,
    MAX_GOAL,
    MAX_ROLE,
    SUBMIT_ASK,
    SUBMIT_FAQ,
    SUBMIT_FEEDBACK,
    SUBMIT_KEY,
    SUBMIT_MORE,
    SUBMIT_OPEN_PATH_FORM,
    SUBMIT_PATH_FORM,
    SUBMIT_PLAN_FORM,
    SUBMIT_QUIZ,
    Card,
    path_form_card,
    plan_form_card,
    render_card,
)

logger = logging.getLogger(__name__)

PLATFORM = "teams"
WELCOME_TITLE = "Hi! I'm your FinOps certification guide"
FILE_DECLINED = "OK, no file was sent. Ask `admin export` again whenever you need it."
FILE_ASK = "Accept the file below to save it to your OneDrive and open it."
MAX_SUMMARY = 120
CLICK_KINDS = ("suggestion", "followup")
_FAQ_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")
# Mentions left after the SDK removed the bot's own (other people, or no mention entity).
_AT = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)

SubmitData = Mapping[str, Any]


class TeamsHandlers:
    """Every Teams route, translating activities for the one conversation service."""

    def __init__(
        self, conversation: ConversationService, *, loopback_uploads: bool = False
    ) -> None:
        """Answer through *conversation* (which records and remembers, as for Slack).

        Files go only to HTTPS upload URLs; *loopback_uploads* (anonymous local testing)
        also allows http://127.0.0.1.
        """
        self.conversation = conversation
        self.bot = conversation.bot
        self.loopback_uploads = loopback_uploads

    # ----- messages: 1:1 chats, and @mentions in channels and group chats

    async def message(self, context: TurnContext, state: TurnState) -> None:
        """Answer a typed message; `finops-path` alone gets the form, admin only in 1:1."""
        activity = context.activity
        text = _clean(activity.text or "")
        if not text and activity.value is not None:
            logger.info("ignored a card submission without a known action")
            return
        msg = _message(activity, text)
        reply = await self.conversation.respond(msg, reach=teams_reach(activity))
        if reply is None:
            return
        form = reply.data.get("form") if reply.kind == "clarify" and reply.data else None
        if form == "path":
            await _send_card(context, self._path_form(), "Get your certification path")
            return
        if form == "plan":
            await _send_card(context, self._plan_form(), "Your study plan")
            return
        attachment = reply.attachment
        if attachment is None:
            await _send_reply(context, reply)
            return
        sections = (*reply.sections, Section(FILE_ASK))
        await _send_reply(context, dataclasses.replace(reply, sections=sections))
        card = consent_card(
            attachment.filename,
            len(attachment.content.encode()),
            attachment.title or attachment.filename,
            attachment.command or "export",
        )
        await context.send_activity(Activity(type=ActivityTypes.message, attachments=[card]))

    # ----- file consent answers (`fileConsent/invoke`)

    async def file_consent(self, context: TurnContext, state: TurnState) -> None:
        """Upload an accepted export to the admin's OneDrive, or acknowledge a decline."""
        answer = read_consent(context.activity.value)
        if answer is None:
            logger.info("ignored a file consent answer that is not one of ours")
            await _invoke_response(context, 400)
            return
        if not answer.accepted:
            await context.send_activity(FILE_DECLINED)
            await _invoke_response(context, 200)
            return
        # Built again now: the person may no longer be an admin, and any instance may be
        # the one Teams sends the answer to.
        msg = _message(context.activity, f"admin {answer.command}")
        user_id = msg.user_id
        reply = await self.conversation.respond(msg)
        if reply is None or reply.attachment is None:
            if reply is not None:
                await _send_reply(context, reply)  # refused, or the store is unavailable
        elif not upload_allowed(answer.upload_url, loopback_ok=self.loopback_uploads):
            logger.warning("refused to upload a file to a URL that is not HTTPS")
            await context.send_activity("Sorry, Teams gave me an upload address I can't trust.")
        else:
            try:
                async with aiohttp.ClientSession() as session:
                    await upload(session, answer.upload_url, reply.attachment.content.encode())
            except UploadError as exc:
                logger.warning("Teams file upload failed: %s", exc)
                await context.send_activity(f"Sorry, {exc}; nothing was saved. Please try again.")
            else:
                logger.info("uploaded %s for %s", answer.name, user_id)
                card = info_card(answer)
                await context.send_activity(
                    Activity(type=ActivityTypes.message, attachments=[card])
                )
        await _invoke_response(context, 200)

    # ----- card submissions (Action.Submit data carries {"action": ...})

    async def faq_clicked(self, context: TurnContext, state: TurnState, data: SubmitData) -> None:
        """Answer the FAQ a "did you mean" or follow-up button names."""
        faq_id = _string(data, "faq_id", 121)
        if not _FAQ_ID.match(faq_id):
            logger.info("ignored an FAQ click with a malformed id")
            return
        kind = _string(data, "kind", 20)
        msg = _message(context.activity, "")
        reply = await self.conversation.chosen(
            msg, faq_id, kind if kind in CLICK_KINDS else "followup"
        )
        await _send_reply(context, reply)

    async def choice_clicked(
        self, context: TurnContext, state: TurnState, data: SubmitData
    ) -> None:
        """Answer a "which program?" choice as if typed, or send an answer's "More" part."""
        if data.get(SUBMIT_KEY) == SUBMIT_MORE:
            choice = Action("more", "", _string(data, "faq_id", 121))
        else:
            choice = Action("ask", "", _string(data, "text", MAX_ASK))
        if not choice.value:
            logger.info("ignored an empty choice")
            return
        reply = await self.conversation.choose(_message(context.activity, ""), choice)
        if reply is not None:
            await _send_reply(context, reply)

    async def feedback_clicked(
        self, context: TurnContext, state: TurnState, data: SubmitData
    ) -> None:
        """Thank the person for a 👍/👎 on an answer, then log and record the vote."""
        vote = _string(data, "vote", 4)
        faq_id = _string(data, "faq_id", 121)
        if vote not in ("up", "down") or not _FAQ_ID.match(faq_id):
            logger.info("ignored malformed feedback")
            return
        thanks = self.conversation.feedback(_message(context.activity, ""), vote, faq_id)
        if vote == "down" and self.conversation.teaching is not None:
            await _send_reply(context, reason_reply(faq_id, thanks))  # ask why, in one card
            return
        await context.send_activity(thanks)

    async def teaching_clicked(
        self, context: TurnContext, state: TurnState, data: SubmitData
    ) -> None:
        """Teach / Suggest / reason buttons and their forms (bot/adapters/teams/teach.py)."""
        await teaching_clicked(self, context, state, data)

    async def quiz_clicked(self, context: TurnContext, state: TurnState, data: SubmitData) -> None:
        """Answer a practice-question button: an answer, "Next question" or "My progress"."""
        kind = _string(data, "kind", 20)
        if kind not in QUIZ_ACTIONS:
            logger.info("ignored a malformed quiz click")
            return
        action = Action(cast(ActionKind, kind), "", _string(data, "value", 200))
        reply = await self.conversation.quiz_action(_message(context.activity, ""), action)
        await _send_reply(context, reply)

    async def open_path_form(
        self, context: TurnContext, state: TurnState, data: SubmitData
    ) -> None:
        """Send the path form (the "Get my path" button)."""
        await _send_card(context, self._path_form(), "Get your certification path")

    async def path_form_submitted(
        self, context: TurnContext, state: TurnState, data: SubmitData
    ) -> None:
        """Answer a submitted path form with the path, or say which roles exist."""
        form = PathRequest(
            role=_string(data, FIELD_ROLE, MAX_ROLE),
            experience=_string(data, FIELD_EXPERIENCE, MAX_EXPERIENCE) or None,
            program=_string(data, FIELD_PROGRAM, 80) or None,
            goal=_string(data, FIELD_GOAL, MAX_GOAL) or None,
        )
        reply = self.conversation.path(form.text())
        if reply.kind == "clarify" and form.role:
            problem = form.problems(self.bot.store.current.paths).get("role")
            if problem is not None:
                lead = Section(f"I don't know the role '{form.role}'.")
                reply = dataclasses.replace(reply, sections=(lead, *reply.sections[1:]))
        await _send_reply(context, reply)

    async def plan_form_submitted(
        self, context: TurnContext, state: TurnState, data: SubmitData
    ) -> None:
        """Answer a submitted plan form as if `finops-plan CERT DATE HOURS` had been typed."""
        fields = (FIELD_CERT, FIELD_EXAM_DATE, FIELD_HOURS)
        # Input.Number may arrive as a number; the rest are strings.
        values = [_string({k: str(v) for k, v in data.items()}, f, 80) for f in fields]
        msg = _message(context.activity, "finops-plan " + " ".join(v for v in values if v))
        reply = await self.conversation.respond(msg, reach=teams_reach(context.activity))
        if reply is not None:
            await _send_reply(context, reply)

    # ----- conversation updates

    async def members_added(self, context: TurnContext, state: TurnState) -> None:
        """Welcome the conversation when the bot itself is added (not each new member)."""
        activity = context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if not any(m.id == bot_id for m in activity.members_added or []):
            return
        await _send_reply(context, welcome_reply())

    async def unsupported_invoke(self, context: TurnContext, state: TurnState) -> None:
        """Answer an invoke the bot has no feature for with a proper "not supported" answer."""
        name = str(context.activity.name or "")
        logger.info("answered an unsupported invoke %r", name[:60])
        await _invoke_response(context, 200, _UNSUPPORTED_BODIES.get(name))

    async def ignore(self, context: TurnContext, state: TurnState) -> None:
        """Accept any other activity (typing, reactions, installs...) and do nothing."""

    def _plan_form(self) -> Card:
        return plan_form_card(certification_choices(self.bot.store.current.knowledge))

    def _path_form(self) -> Card:
        programs = {p.id: p.name for p in self.bot.store.current.knowledge.programs.values()}
        return path_form_card(programs)


def welcome_reply() -> Reply:
    """The help card, introduced: what the bot does and how to ask."""
    return dataclasses.replace(replies.help_reply(), title=WELCOME_TITLE)


def register_routes(app: AgentApplication[TurnState], h: TeamsHandlers) -> None:
    """Register every route on *app*: the one table of what Teams can send and who answers."""
    submits = app.adaptive_card.action_submit
    table: list[tuple[Callable[[Any], object], Any]] = [
        (app.conversation_update("membersAdded"), h.members_added),
        # Card buttons arrive as messages without text whose value is the Action.Submit data.
        (submits(SUBMIT_FAQ, submit_filter=SUBMIT_KEY), h.faq_clicked),
        (submits(SUBMIT_FEEDBACK, submit_filter=SUBMIT_KEY), h.feedback_clicked),
        (
            submits(re.compile(f"^(?:{SUBMIT_ASK}|{SUBMIT_MORE})$"), submit_filter=SUBMIT_KEY),
            h.choice_clicked,
        ),
        (submits(SUBMIT_PATH_FORM, submit_filter=SUBMIT_KEY), h.path_form_submitted),
        (submits(SUBMIT_QUIZ, submit_filter=SUBMIT_KEY), h.quiz_clicked),
        (submits(SUBMIT_OPEN_PATH_FORM, submit_filter=SUBMIT_KEY), h.open_path_form),
        (
            submits(re.compile(f"^(?:{'|'.join(TEACHING_SUBMITS)})$"), submit_filter=SUBMIT_KEY),
            h.teaching_clicked,
        ),
        (submits(SUBMIT_PLAN_FORM, submit_filter=SUBMIT_KEY), h.plan_form_submitted),
        # Ranked after the submits: the SDK keeps routes in a heap, so routes of equal rank
        # have no dependable order (registering an invoke route once reshuffled them).
        (app.activity(ActivityTypes.message, rank=RouteRank.DEFAULT + 1), h.message),
        (app.invoke(FILE_CONSENT_INVOKE), h.file_consent),
    ]
    for register, handler in table:
        register(handler)
    # Invokes nobody handles get a proper answer instead of the SDK's 501.
    app.add_route(_is_invoke, h.unsupported_invoke, is_invoke=True, rank=RouteRank.LAST)
    # Last: anything else is accepted quietly (the SDK would log it with the user's text).
    app.add_route(_any_activity, h.ignore, rank=RouteRank.LAST)


def _any_activity(context: TurnContext) -> bool:
    return True


def _is_invoke(context: TurnContext) -> bool:
    return context.activity.type == ActivityTypes.invoke


NOT_SUPPORTED = "Sorry, that isn't something I can do here. Ask me a question in a message."
# What each kind of invoke expects back to show a short message (Action.Execute, task
# modules, message-extension searches); others get an empty 200.
_UNSUPPORTED_BODIES: dict[str, dict[str, Any]] = {
    "adaptiveCard/action": {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": NOT_SUPPORTED,
    },
    "task/fetch": {"task": {"type": "message", "value": NOT_SUPPORTED}},
    "task/submit": {"task": {"type": "message", "value": NOT_SUPPORTED}},
    "composeExtension/query": {"composeExtension": {"type": "message", "text": NOT_SUPPORTED}},
}


async def _invoke_response(
    context: TurnContext, status: int, body: dict[str, Any] | None = None
) -> None:
    # Teams reads an invoke's outcome from the HTTP answer the SDK builds from this.
    await context.send_activity(
        Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=status, body=body))
    )


def teams_reach(activity: Activity) -> Reach:
    """Return how to reach the sender later: this 1:1 chat's reference, in their tz."""

    async def reach() -> Delivery | None:
        if not _is_personal(activity):
            return None  # a nudge in a channel would be public: 1:1 chats only
        reference = activity.get_conversation_reference()
        address = reference.model_dump_json(by_alias=True, exclude_none=True)
        return Delivery(address, _timezone(activity))

    return reach


def _timezone(activity: Activity) -> str | None:
    """Return the sender's IANA time zone: localTimezone, else the clientInfo entity's."""
    if activity.local_timezone:
        return str(activity.local_timezone)
    for entity in activity.entities or []:
        if getattr(entity, "type", None) == "clientInfo":
            extra = entity.model_dump(by_alias=True)
            tz = extra.get("timezone")
            if isinstance(tz, str) and tz:
                return tz
    return None


async def send_reply(context: TurnContext, reply: Reply) -> None:
    """Send *reply* as an Adaptive Card in *context*'s conversation (also proactively)."""
    await _send_reply(context, reply)


async def _send_reply(context: TurnContext, reply: Reply) -> None:
    await _send_card(context, render_card(reply), reply.title or _first_line(reply))


async def _send_card(context: TurnContext, card: Card, summary: str) -> None:
    # summary is what Teams shows in notifications and the chat list instead of "Card".
    activity = Activity(
        type=ActivityTypes.message,
        attachments=[CardFactory.adaptive_card(card)],
        summary=summary[:MAX_SUMMARY],
    )
    await context.send_activity(activity)


def _first_line(reply: Reply) -> str:
    return reply.sections[0].text.split("\n", 1)[0] if reply.sections else "finops-bot"


def _clean(text: str) -> str:
    """Drop <at>…</at> mentions the SDK left (it removes only the bot's own) and spaces."""
    return " ".join(_AT.sub(" ", text).split())


def _user_id(activity: Activity) -> str:
    """The person's Azure AD object id (what TEAMS_ADMINS lists), lower-case.

    Without one (e.g. a local test client) the channel id is used, prefixed so it can never
    equal an admin's GUID.
    """
    sender = activity.from_property
    if sender is None:
        return "teams:unknown"
    if sender.aad_object_id:
        return str(sender.aad_object_id).lower()
    return f"teams:{sender.id}"


def _is_personal(activity: Activity) -> bool:
    """Return True only for a 1:1 chat: every signal Teams sends must agree; in doubt, no."""
    conversation = activity.conversation
    if conversation is None:
        return False
    if conversation.conversation_type:
        return conversation.conversation_type == "personal"
    channel_data = activity.channel_data
    if isinstance(channel_data, Mapping) and (
        channel_data.get("team") or channel_data.get("channel")
    ):
        return False  # a team channel, whatever else is missing
    return conversation.is_group is False


def _message(activity: Activity, text: str) -> Message:
    """Return the neutral message for *activity* (its conversation is the context's place)."""
    personal = _is_personal(activity)
    conversation = activity.conversation
    return Message(
        text,
        user_id=_user_id(activity),
        platform=PLATFORM,
        place=str(conversation.id) if conversation is not None and conversation.id else "",
        private=personal,
        via="dm" if personal else "mention",
    )


def _string(data: SubmitData, key: str, limit: int) -> str:
    value = data.get(key)
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""
