"""The conversation service: every platform's messages, clicks and votes go through here once.

Adapters translate a platform event into a neutral `Message` and render the `Reply` they get
back; everything in between happens here, once for every platform: the message is
classified, admin rules are applied, the core answers (with the conversation's subject for
follow-ups), the outcome is recorded and the conversation's subject remembered.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol

from bot.conversation.access import AccessRules
from bot.conversation.admin import AdminVerb, admin_reply, usage
from bot.conversation.context import ContextStore, MemoryContext, context_key
from bot.conversation.quiz import QuizConversation
from bot.conversation.study import Reach, StudyConversation
from bot.conversation.teach import NO_STORE, Teaching, with_suggest
from bot.core.bot import Bot
from bot.core.intents import Intent, classify
from bot.core.reply import Action, Message, Reply, Section
from bot.core.study import Plan
from bot.core.wording import say

logger = logging.getLogger(__name__)

# Said where the bot was not addressed (opted-in channels) only when it helps. "Which
# certification?" counts: the message asked about an exam's price, length or the like, and a
# one-click question back is as useful there as a "did you mean" (a channel is opted in
# because it is about certifications). Declines, help and small talk stay unsaid.
WORTH_SAYING_UNPROMPTED = frozenset({"answer", "suggest", "path", "clarify"})
THANKS_FOR_FEEDBACK = say("feedback_thanks")
ADMIN_FAILED = say("admin_failed")
# Claims the message for this instance; False when another instance already answers it.
Gate = Callable[[], Awaitable[bool]]
# An admin verb that must also reach the admin later (the digest's Teams DMs): it gets the
# message's Reach, None where the adapter gave none.
ReachingVerb = Callable[[Message, str, Reach | None], Awaitable[Reply]]


class Recorder(Protocol):
    """Where questions, clicks, votes and admin actions are recorded (the shared store)."""

    def now(self) -> datetime:
        """Return the current time as the store records it."""

    def question(self, message: Message, reply: Reply, asked_at: datetime) -> None:
        """Queue the outcome of a question (answered, suggested, declined)."""

    def click(self, platform: str, user_id: str, kind: str, faq_id: str) -> None:
        """Queue a click on a choice, a related question or a Home topic."""

    def feedback(self, platform: str, user_id: str, faq_id: str, vote: str) -> None:
        """Queue a 👍/👎 on an answer."""

    def admin(self, message: Message, text: str, *, allowed: bool) -> None:
        """Queue an admin command for the audit trail (refused ones too)."""


class NullRecorder:
    """Records nothing: the terminal chat and servers without a store."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)

    def question(self, message: Message, reply: Reply, asked_at: datetime) -> None:
        """Drop the question."""

    def click(self, platform: str, user_id: str, kind: str, faq_id: str) -> None:
        """Drop the click."""

    def feedback(self, platform: str, user_id: str, faq_id: str, vote: str) -> None:
        """Drop the vote."""

    def admin(self, message: Message, text: str, *, allowed: bool) -> None:
        """Drop the audit line (the log still has it)."""


class ConversationService:
    """Turns neutral messages into replies, applying every platform-independent rule once."""

    def __init__(
        self,
        bot: Bot,
        access: AccessRules,
        *,
        verbs: Mapping[str, AdminVerb] | None = None,
        recorder: Recorder | None = None,
        context: ContextStore | None = None,
        quiz: QuizConversation | None = None,
        study: StudyConversation | None = None,
    ) -> None:
        """Answer with *bot* under *access*; *verbs* are the admin commands by name.

        *quiz* runs the practice questions (progress in memory when None); *study* runs
        /finops-plan (saving plans in the shared store); without it plans are kept in memory
        and there are no reminders (the terminal chat).
        """
        self.bot = bot
        self.access = access
        self.verbs: dict[str, AdminVerb] = dict(verbs or {})
        self.verbs.setdefault("help", self._help)
        # Verbs (also listed in `verbs`, for help and access) run with the message's Reach.
        self.reaching: dict[str, ReachingVerb] = {}
        self.recorder: Recorder = recorder or NullRecorder()
        self.context: ContextStore = context or MemoryContext()
        # Suggestions and thumbs-down reasons (bot/conversation/teach.py), when there is a store.
        self.teaching: Teaching | None = None
        self.quiz = quiz or QuizConversation(bot.store)
        self.study = study or StudyConversation(bot)
        # One `forget` deletes everything kept about a person's studies: plans, reminders
        # and practice answers; reminders offer a practice question for the plan's cert.
        self.study.also_forget = self.quiz.forget
        if self.study.practice is None:
            self.study.practice = _practice_offer

    async def respond(
        self, message: Message, gate: Gate | None = None, reach: Reach | None = None
    ) -> Reply | None:
        """Return the reply to *message*, or None when the bot should stay silent.

        *gate* is awaited just before anything happens that must happen once (an admin
        command runs, an answer is recorded, a plan is saved): when it says another
        instance has the message, nothing happens and None is returned. *reach* says how to
        reach the sender later, for study reminders.
        """
        intent = classify(message.text)
        if intent.kind == "admin":
            if message.unprompted:
                return None
            return await self._admin(message, intent.rest, gate, reach)
        if message.unprompted and intent.kind not in ("faq", "path"):
            return None
        if intent.kind in ("quiz", "plan", "forget"):
            if gate is not None and not await gate():
                return None  # an answer, a plan or a reminder is saved once
            return await self._study(message, intent, reach)
        asked_at = self.recorder.now()
        # A path's list is remembered too: "how much is the second one?" follows it.
        key = context_key(message) if intent.kind in ("faq", "path", "pick") else None
        # A new thread has no past: skip the (shared store) read its memory would cost.
        recall = key is not None and not message.new_thread
        subject = await self.context.recall(key) if recall and key is not None else None
        reply = self.bot.reply(intent, subject)
        if message.unprompted and reply.kind not in WORTH_SAYING_UNPROMPTED:
            return None
        if gate is not None and not await gate():
            return None
        self.recorder.question(message, reply, asked_at)
        if reply.kind == "decline" and self.teaching is not None and intent.kind == "faq":
            reply = with_suggest(reply, intent.rest)
        if key is not None:
            now_about = self.bot.next_subject(intent.rest, reply, subject)
            if now_about is not None:
                await self.context.remember(key, now_about)
        return reply

    async def _study(self, message: Message, intent: Intent, reach: Reach | None) -> Reply:
        """The study companion: practice questions, plans and reminders, forget me."""
        if intent.kind == "quiz":
            reply = await self.quiz.respond(message, intent.rest)
            if intent.rest.strip().lower().startswith("progress"):
                standing = await self.study.standing(message)
                if standing is not None:  # progress includes where the plan stands
                    reply = dataclasses.replace(
                        reply, sections=(*reply.sections, Section(standing))
                    )
            return reply
        if intent.kind == "forget":
            return await self.study.forget_me(message)
        return await self.study.respond(message, intent.rest, reach)

    async def chosen(self, message: Message, faq_id: str, kind: str) -> Reply:
        """Answer the FAQ a button names (a "did you mean" choice, a related question)."""
        reply = self.bot.faq(faq_id)
        if reply.faq_id is not None:
            self.recorder.click(message.platform, message.user_id, kind, reply.faq_id)
            key = context_key(message)
            subject = self.bot.subject_of("", reply)
            if key is not None and subject is not None:
                await self.context.remember(key, subject)
        return reply

    async def choose(self, message: Message, choice: Action) -> Reply | None:
        """Answer a clicked choice: a "which program?" pick as if typed, or an answer's More."""
        if choice.kind == "more":
            return self.bot.more(choice.value)
        return await self.respond(dataclasses.replace(message, text=choice.value))

    async def quiz_action(self, message: Message, action: Action) -> Reply:
        """Answer a practice-question button: an answer, "Next question" or "My progress"."""
        return await self.quiz.act(message, action)

    async def quiz_home(self, message: Message) -> Reply | None:
        """Return the person's practice progress for a home screen, or None before any."""
        return await self.quiz.home(message)

    def feedback(self, message: Message, vote: str, faq_id: str) -> str:
        """Record a 👍/👎 on an answer; return the thanks to show the person privately."""
        logger.info("feedback %s on faq %s by %s", vote, faq_id, message.user_id)
        self.recorder.feedback(message.platform, message.user_id, faq_id, vote)
        return THANKS_FOR_FEEDBACK

    async def suggest(self, message: Message, question: str, answer: str) -> str:
        """Queue anyone's suggested answer for an admin; return what to tell them privately."""
        if self.teaching is None:
            return NO_STORE
        return await self.teaching.suggest(message, question, answer)

    async def feedback_reason(self, message: Message, faq_id: str, reason: str, text: str) -> str:
        """Record why an answer got a thumbs-down; return the thanks to show privately."""
        if self.teaching is None:
            return NO_STORE
        return await self.teaching.reason(message, faq_id, reason, text)

    def path(self, text: str, program: str | None = None) -> Reply:
        """Reply to a path request (typed, from a form, or replayed by Share)."""
        return self.bot.path(text, program)

    async def remember_path(self, message: Message, reply: Reply) -> None:
        """Keep the programs a path *reply* listed as *message*'s conversation subject."""
        key = context_key(message)
        if key is not None and reply.listed:
            subject = self.bot.next_subject("", reply, None)
            if subject is not None:
                await self.context.remember(key, subject)

    def is_admin(self, user_id: str) -> bool:
        """Return True when *user_id* may run admin commands (e.g. for the Home tab)."""
        return self.access.is_admin(user_id)

    async def _admin(
        self, message: Message, rest: str, gate: Gate | None, reach: Reach | None = None
    ) -> Reply | None:
        verb, _, args = rest.strip().partition(" ")
        verb = verb.lower() or "help"
        if gate is not None and not await gate():
            return None  # before the command runs: a reload must not run twice
        refusal = self.access.admin_refusal(message, verb)
        if refusal is not None:
            if not self.access.is_admin(message.user_id):
                self.recorder.admin(message, rest, allowed=False)
            return refusal
        command = self.verbs.get(verb)
        logger.info("admin %r by user %s on %s", verb, message.user_id, message.platform)
        if command is None:
            reply = admin_reply(f"Unknown admin command '{verb[:40]}'. " + usage(self.verbs))
        else:
            reaching = self.reaching.get(verb)
            try:
                if reaching is not None:
                    reply = await reaching(message, args, reach)
                else:
                    reply = await command(message, args)
            except Exception:
                # A bug in a verb, not the admin's fault: one line and the trace, once.
                logger.exception("admin %r failed", verb)
                reply = admin_reply(ADMIN_FAILED)
        self.recorder.admin(message, rest, allowed=True)
        if reply.attachment is not None:
            again = " ".join(rest.lower().split())
            reply = dataclasses.replace(
                reply, attachment=dataclasses.replace(reply.attachment, command=again)
            )
        return reply

    async def _help(self, message: Message, args: str) -> Reply:
        return admin_reply(usage(self.verbs))


def _practice_offer(plan: Plan) -> Action | None:
    """A reminder's button: a practice question for the plan's certification."""
    return Action("ask", "Practice question", f"/finops-quiz {plan.program_id}")
