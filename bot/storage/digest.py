"""The weekly digest for admins who opt in: sent once a week, by one instance of many.

A background task (started with the server, like the knowledge sync) checks the clock every
minute. The first check in a new ISO week claims that week in the store (an insert only one
instance can win); the winner DMs the week's digest to every subscribed admin through the
platform's sender. The clock is injectable, so tests move weeks without waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime

from bot.conversation.admin import AdminVerb, admin_reply
from bot.core.insights import LOW_SCORE_MARGIN, group_questions, stale_faqs
from bot.core.learned import teach_actions
from bot.core.matching import MatchSettings
from bot.core.reply import Message, Reply, Section
from bot.core.store import KnowledgeStore
from bot.storage.store import Storage, StoreUnavailableError

logger = logging.getLogger(__name__)

DIGEST_DAYS = 7
DEFAULT_DIGEST_CHECK = 60.0
# Sends one reply as a DM to one user of one platform; returns True when it was delivered.
DigestSender = Callable[[str, Reply], Awaitable[bool]]


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
        self.checked: str | None = None  # the last week this instance looked at
        self.sent: dict[str, int] = {}  # week -> DMs this instance sent
        self.rounds = 0  # background checks done (tests wait on it instead of sleeping)
        self._task: asyncio.Task[None] | None = None

    def verbs(self) -> dict[str, AdminVerb]:
        """Return the `digest` admin verb."""
        return {"digest": self.digest_verb}

    def start(self) -> None:
        """Start checking the week in the background."""
        self._task = asyncio.create_task(self._run(), name="finops-weekly-digest")

    async def close(self) -> None:
        """Stop checking."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # one bad round must not end the schedule
                logger.exception("digest: check failed; trying again later")
            self.rounds += 1
            await asyncio.sleep(self.interval)

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
        for platform, user_id in people if won else []:
            sender = self.senders.get(platform)
            if sender is None or reply is None:
                continue
            try:
                sent += bool(await sender(user_id, reply))
            except Exception:
                logger.exception("digest: sending to %s user %s failed", platform, user_id)
        self.sent[week] = sent
        if won:
            logger.info("digest: week %s sent to %d admin(s)", week, sent)
        return sent

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

    async def digest_verb(self, message: Message, args: str) -> Reply:
        """`digest on|off`: opt in or out of the weekly DM."""
        choice = args.strip().lower()
        if choice not in ("on", "off"):
            return admin_reply("Usage: digest on|off")
        try:
            await self.storage.learning.subscribe(message.platform, message.user_id, choice == "on")
        except StoreUnavailableError:
            return admin_reply("The store is unavailable just now; try again in a moment.")
        if choice == "off":
            return admin_reply("You will no longer get the weekly digest.")
        where = (
            ""
            if message.platform in self.senders
            else (" (this platform cannot send it yet: it goes out on Slack only)")
        )
        return admin_reply(f"You will get the weekly digest as a DM every week{where}.")
