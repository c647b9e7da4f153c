"""The weekly digest for admins who opt in: sent once a week, by one instance of many.

A background task (started with the server, like the knowledge sync) checks the clock every
minute. The first check in a new ISO week claims that week in the store (an insert only one
instance can win); the winner DMs the week's digest to every subscribed admin through the
platform's sender: by user id (Slack), or to the address kept when they opted in (the Teams
conversation reference of their 1:1 chat). The clock is injectable, so tests move weeks
without waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.conversation.admin import AdminVerb, admin_reply
from bot.core.insights import LOW_SCORE_MARGIN, group_questions, stale_faqs
from bot.core.learned import teach_actions
from bot.core.matching import MatchSettings
from bot.core.reply import Message, Reply, Section
from bot.core.store import KnowledgeStore
from bot.storage.learning import Subscriber
from bot.storage.periodic import Periodic
from bot.storage.store import Storage, StoreUnavailableError

if TYPE_CHECKING:
    from bot.conversation.service import ReachingVerb
    from bot.conversation.study import Reach

logger = logging.getLogger(__name__)

DIGEST_DAYS = 7
DEFAULT_DIGEST_CHECK = 60.0
# Sends one reply as a DM to one user of one platform; returns True when it was delivered.
DigestSender = Callable[[str, Reply], Awaitable[bool]]
# Sends one reply to the address kept for a subscriber (Teams: a conversation reference);
# raises when it was not delivered. The reminders' proactive senders have this shape.
AddressedSender = Callable[[str, Reply], Awaitable[None]]
NEEDS_PRIVATE_CHAT = (
    "I could not keep a way to message you from here, so nothing changed. Turn the digest "
    "on in a 1:1 chat with me."
)


def week_of(moment: datetime) -> str:
    """Return the ISO week *moment* falls in, e.g. 2026-W49."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


class WeeklyDigest:
    """Builds the digest, and sends it once per week across instances."""

    def __init__(
        self,
        storage: Storage,
        knowledge: KnowledgeStore,
        match: MatchSettings,
        *,
        interval: float = DEFAULT_DIGEST_CHECK,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Report on *storage* and *knowledge*; check every *interval* s on *clock*."""
        self.storage = storage
        self.knowledge = knowledge
        self.match = match
        self.interval = interval
        self.clock = clock or storage.now
        self.senders: dict[str, DigestSender] = {}
        # Platforms that reach people only at an address kept at opt-in (Teams).
        self.addressed: dict[str, AddressedSender] = {}
        self.checked: str | None = None  # the last week this instance looked at
        self.sent: dict[str, int] = {}  # week -> DMs this instance sent
        self.rounds = 0  # background checks done (tests wait on it instead of sleeping)
        self._rounds = Periodic(
            "finops-weekly-digest", self._round, lambda: self.interval, wait_first=False
        )

    def verbs(self) -> dict[str, AdminVerb]:
        """Return the `digest` admin verb."""
        return {"digest": self.digest_verb}

    def reaching_verbs(self) -> dict[str, ReachingVerb]:
        """Return the `digest` verb as one that gets the Reach (to keep a Teams address)."""
        return {"digest": self.digest_verb}

    def start(self) -> None:
        """Start the rounds in the background."""
        self._rounds.start()

    async def close(self) -> None:
        """Stop the rounds."""
        await self._rounds.close()

    async def _round(self) -> None:
        try:
            await self.check()
        finally:
            self.rounds += 1

    async def check(self) -> int:
        """Send this week's digest if no instance has; return how many DMs went from here."""
        if not self.storage.ready:
            return 0
        week = week_of(self.clock())
        if week == self.checked:
            return 0
        try:
            people = await self.storage.learning.subscribers()
            if not people:
                return 0  # nobody to tell: the week stays unclaimed until someone opts in
            won = await self.storage.learning.claim_period(week)
            reply = await self.build() if won else None
        except StoreUnavailableError:
            return 0  # counted and logged by the store; tried again next round
        self.checked = week
        sent = 0
        if reply is not None:  # built by the instance that won the week only
            for person in people:
                try:
                    sent += await self._send(person, reply)
                except Exception as exc:
                    # Sent at most once a week: a failed DM is not retried (like reminders).
                    logger.warning(
                        "digest: sending on %s failed (%s)", person.platform, type(exc).__name__
                    )
        self.sent[week] = sent
        if won:
            logger.info("digest: week %s sent to %d admin(s)", week, sent)
        return sent

    async def _send(self, person: Subscriber, reply: Reply) -> bool:
        """DM *reply* to *person* through their platform; True when it went."""
        addressed = self.addressed.get(person.platform)
        if addressed is not None:
            if person.address is None:
                return False  # opted in before the address was kept: `digest on` again
            await addressed(person.address, reply)
            return True
        sender = self.senders.get(person.platform)
        return sender is not None and bool(await sender(person.user_id, reply))

    async def build(self, days: int = DIGEST_DAYS) -> Reply:
        """Return the digest: most asked, top unanswered (with Teach), most 👎, overdue reviews."""
        snap = self.knowledge.current
        knowledge = snap.knowledge
        stats = await self.storage.stats(days)
        asked = await self.storage.unanswered(days, self.match.answer_threshold + LOW_SCORE_MARGIN)
        downs = await self.storage.learning.downvotes(days, limit=5)
        groups = group_questions(asked, snap.index, self.match, nearest_for=5)[:5]
        today: date = self.clock().date()
        stale = stale_faqs(knowledge, today)

        def label(faq_id: str) -> str:
            faq = knowledge.faqs.get(faq_id)
            return f"{faq.question} ({faq_id})" if faq else faq_id

        asked_lines = [f"- {label(f.faq_id)}: {f.count}" for f in stats.top_faqs[:5]]
        missed = [f"- \u201c{g.text[:150]}\u201d: {g.count}×" for g in groups]
        down_lines = [f"- {label(d.faq_id)}: {d.downs} 👎" for d in downs]
        stale_lines = [f"- {s.faq_id}" for s in stale[:10]]
        if len(stale) > 10:
            stale_lines.append(f"- and {len(stale) - 10} more (/finops-admin stale)")
        sections = (
            Section(f"{stats.questions} question(s) in the last {days} days."),
            Section("\n".join(asked_lines) or "None.", heading="Most asked"),
            Section("\n".join(missed) or "None.", heading="Top unanswered"),
            Section("\n".join(down_lines) or "None.", heading="Most thumbs-down"),
            Section("\n".join(stale_lines) or "None.", heading="Past their review date"),
        )
        return Reply(
            kind="admin",
            title="finops-bot weekly digest",
            sections=sections,
            actions=teach_actions(groups),
        )

    async def digest_verb(self, message: Message, args: str, reach: Reach | None = None) -> Reply:
        """`digest on|off`: opt in or out of the weekly DM (*reach*: how to DM them later)."""
        choice = args.strip().lower()
        if choice not in ("on", "off"):
            return admin_reply("Usage: digest on|off")
        address = None
        if choice == "on" and message.platform in self.addressed:
            delivery = await reach() if reach is not None else None
            if delivery is None:
                return admin_reply(NEEDS_PRIVATE_CHAT)
            address = delivery.address
        try:
            await self.storage.learning.subscribe(
                message.platform, message.user_id, choice == "on", address
            )
        except StoreUnavailableError:
            return admin_reply("The store is unavailable just now; try again in a moment.")
        if choice == "off":
            return admin_reply("You will no longer get the weekly digest.")
        platforms = sorted({*self.senders, *self.addressed})
        where = (
            ""
            if message.platform in platforms
            else f" (this platform cannot send it: it goes out on {_names(platforms)} only)"
        )
        return admin_reply(f"You will get the weekly digest as a DM every week{where}.")


def _names(platforms: list[str]) -> str:
    """Return e.g. "Slack and Teams" for the platforms that can send the digest."""
    names = [p.capitalize() for p in platforms] or ["no platform"]
    return " and ".join(names) if len(names) < 3 else ", ".join(names)
