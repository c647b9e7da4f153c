"""The study companion in conversation: /finops-plan and its sub-commands, once for every platform.

Plans are built by the pure core (`bot.core.study`); this module saves them per person (the
shared store's `StudyStore`, or memory for the terminal chat), sets and stops reminders, and
forgets a person on request. Adapters only say how to reach a person later (`Reach`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.core.bot import Bot
from bot.core.reminders import next_at, parse_reminder, zone
from bot.core.reply import Action, Message, Reply
from bot.core.study import Plan, PlanArgs, PlanRefusal, build_plan, parse_plan_args
from bot.core.study_replies import (
    confirm_reply,
    plan_form_reply,
    plan_help_reply,
    plan_reply,
    refusal_reply,
    reminder_reply,
)
from bot.core.text import fold
from bot.storage.health import StoreUnavailableError
from bot.storage.study import SavedPlan, SavedReminder, StudyStore

logger = logging.getLogger(__name__)

STORE_DOWN = (
    "Sorry, I can't reach my storage right now, so nothing was saved or changed. "
    "Please try again in a minute."
)
NO_PLAN = "You have no saved plan yet."
NO_REMINDERS_HERE = (
    "Reminders are direct messages from a bot server with its shared store (Slack or "
    "Teams); here there is none, so no reminder was set."
)
NO_DM = (
    "Reminders come in a direct message, and I couldn't reach you in one from here, so no "
    "reminder was set. In Teams, ask in a 1:1 chat with me."
)
FORGET_IN_DM = (
    "To delete what I keep about you, say 'forget me' in a direct message with me, "
    "or use /finops-plan forget."
)
_HELP_WORDS = {"help", "--help", "-h", "?", "usage"}


@dataclass(frozen=True)
class Delivery:
    """How to reach a person later: an address only their platform understands, and a tz."""

    address: str
    timezone: str | None = None


# Resolved only when a reminder is set (Slack needs two Web API calls for it); None when the
# platform cannot deliver to this person.
Reach = Callable[[], Awaitable[Delivery | None]]
# The quiz half plugs in here: a button offering a practice question for the plan's
# certification (e.g. Action("ask", "Practice question", "/finops-quiz focp")).
PracticeOffer = Callable[[Plan], Action | None]


class StudyConversation:
    """Runs /finops-plan for every platform: plans, reminders, stop and forget."""

    def __init__(
        self,
        bot: Bot,
        store: StudyStore | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        practice: PracticeOffer | None = None,
    ) -> None:
        """Build plans from *bot*'s knowledge; save them in *store* (memory when None)."""
        self.bot = bot
        self.store = store
        # Injectable: tests drive reminders through time without sleeping.
        self.clock: Callable[[], datetime] = clock or (store.now if store is not None else _utcnow)
        self.practice = practice
        # Other things kept about the person's studies (the practice quiz's answers), deleted
        # by the same `forget`; returns how many records went.
        self.also_forget: Callable[[Message], Awaitable[int]] | None = None
        # The terminal chat (no store): one person, plans for this session only.
        self._memory: dict[str, SavedPlan] = {}

    def now(self) -> datetime:
        """Return the current naive UTC time (the store's clock when there is one)."""
        return self.clock()

    async def respond(self, message: Message, rest: str, reach: Reach | None = None) -> Reply:
        """Answer `/finops-plan REST` from *message*'s sender."""
        verb, _, args = rest.strip().partition(" ")
        verb = fold(verb)
        try:
            if not rest.strip():
                return plan_form_reply()
            if verb in _HELP_WORDS:
                return plan_help_reply()
            if verb == "show":
                return await self._show(message)
            if verb in ("remind", "reminder", "reminders"):
                return await self._remind(message, args, reach)
            if verb == "stop":
                return await self._stop(message)
            if verb == "forget":
                return await self.forget(message)
            return await self._plan(message, rest)
        except StoreUnavailableError:
            return confirm_reply("Study plan", STORE_DOWN)

    async def forget_me(self, message: Message) -> Reply:
        """Answer 'forget me': only where nobody else reads the confirmation."""
        if not message.private:
            return confirm_reply("Forget me", FORGET_IN_DM)
        try:
            return await self.forget(message)
        except StoreUnavailableError:
            return confirm_reply("Forget me", STORE_DOWN)

    async def forget(self, message: Message) -> Reply:
        """Delete the sender's plan and reminders; confirm what went."""
        if self.store is None:
            had = self._memory.pop(_local(message), None) is not None
            plans, reminders = int(had), 0
        else:
            gone = await self.store.forget(self.store.hash(message.platform, message.user_id))
            plans, reminders = gone.plans, gone.reminders
        answers = await self.also_forget(message) if self.also_forget is not None else 0
        logger.info("study: forgot a person on %s on request", message.platform)
        return confirm_reply(
            "Forgotten",
            f"Deleted your study plan ({plans}), reminders ({reminders}) and practice records "
            f"({answers}). I keep nothing else about your studies.",
        )

    # ----- plans

    async def _plan(self, message: Message, text: str) -> Reply:
        parsed = parse_plan_args(text)
        if isinstance(parsed, str):
            return plan_help_reply(parsed)
        today = self.now().date()
        built = self._build(parsed, today)
        if isinstance(built, PlanRefusal):
            return refusal_reply(built.message)
        if self.store is None:
            self._memory[_local(message)] = SavedPlan(
                "", parsed.cert, parsed.exam, parsed.hours, today
            )
        else:
            await self.store.save_plan(message.platform, message.user_id, parsed, today)
        return plan_reply(built, saved=True, today=today)

    def _build(self, args: PlanArgs, start: date) -> Plan | PlanRefusal:
        snap = self.bot.store.current
        return build_plan(snap.knowledge, args.cert, args.exam, args.hours, start, paths=snap.paths)

    def rebuild(self, saved: SavedPlan) -> Plan | PlanRefusal:
        """Rebuild a saved plan from the current knowledge, from the day it was made."""
        args = PlanArgs(saved.certification, saved.exam_date, saved.hours_per_week)
        return self._build(args, saved.start_date)

    async def _saved(self, message: Message) -> SavedPlan | None:
        if self.store is None:
            return self._memory.get(_local(message))
        return await self.store.plan_of(message.platform, message.user_id)

    async def standing(self, message: Message) -> str | None:
        """Return one line on where the sender's plan stands today, or None without one."""
        try:
            saved = await self._saved(message)
        except StoreUnavailableError:
            return None
        built = self.rebuild(saved) if saved is not None else None
        if not isinstance(built, Plan):
            return None
        today = self.now().date()
        week = built.week_on(today)
        left = (built.exam_date - today).days
        when = f"exam on {built.exam_date.isoformat()} ({left} days)"
        if week is None:
            return f"Study plan for {built.certification}: {when}; no study week today."
        return (
            f"Study plan for {built.certification}: week {week.week} of {len(built.weeks)}, {when}."
        )

    async def _show(self, message: Message) -> Reply:
        saved = await self._saved(message)
        if saved is None:
            return plan_help_reply(NO_PLAN)
        built = self.rebuild(saved)
        if isinstance(built, PlanRefusal):
            return refusal_reply(built.message)
        return plan_reply(built, today=self.now().date())

    # ----- reminders

    async def _remind(self, message: Message, args: str, reach: Reach | None) -> Reply:
        spec = parse_reminder(args)
        if isinstance(spec, str):
            return plan_help_reply(spec)
        if self.store is None or reach is None:
            return confirm_reply("Reminders", NO_REMINDERS_HERE)
        if await self._saved(message) is None:
            return plan_help_reply(f"{NO_PLAN} Make one first; then ask for reminders.")
        delivery = await reach()
        if delivery is None:
            return confirm_reply(
                "Reminders",
                "Sorry, I couldn't open a direct message with you, so no reminder was set.",
            )
        _, tz = zone(delivery.timezone)
        first = next_at(spec, tz, self.now())
        await self.store.set_reminder(
            message.platform, message.user_id, spec, tz=tz, next_at=first, address=delivery.address
        )
        local = first.replace(tzinfo=UTC).astimezone(zone(tz)[0])
        text = (
            f"I'll send you a direct message {spec.describe(tz)} with what this week of your "
            f"plan holds; the first on {local:%a %d %b %Y at %H:%M}. "
            "'/finops-plan stop' cancels every reminder."
        )
        if tz != delivery.timezone:
            text += " I couldn't tell your time zone, so the times are UTC."
        return confirm_reply("Reminder set", text)

    async def _stop(self, message: Message) -> Reply:
        if self.store is None:
            return confirm_reply("Reminders", NO_REMINDERS_HERE)
        count = await self.store.stop(message.platform, message.user_id)
        if count == 0:
            return confirm_reply("Reminders", "You had no reminders; nothing to stop.")
        return confirm_reply("Reminders stopped", f"Stopped all {count} of your reminders.")

    async def reminder(self, reminder: SavedReminder, now: datetime) -> Reply | None:
        """Return the nudge for *reminder* at *now*; None when its plan is gone or over."""
        assert self.store is not None  # noqa: S101 - reminders exist only with a store
        saved = await self.store.plan_by_hash(reminder.user_hash)
        if saved is None:
            return None
        local_today = now.replace(tzinfo=UTC).astimezone(zone(reminder.tz)[0]).date()
        if local_today >= saved.exam_date:
            return None
        built = self.rebuild(saved)
        if isinstance(built, PlanRefusal):
            return refusal_reply(f"Your saved plan no longer works: {built.message}")
        offer = self.practice(built) if self.practice is not None else None
        return reminder_reply(built, local_today, offer)


def _local(message: Message) -> str:
    return f"{message.platform}:{message.user_id}"


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
