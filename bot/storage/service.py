"""The store as one server uses it: storage, knowledge sync, and the admin verbs on them.

It is the conversation service's `Recorder` (questions, clicks, votes, the audit trail) and
adds the async admin verbs stats, unanswered, export and stale: they await the store on the
event loop, with no thread hop. The replies are built by the pure `bot.core.insights`, so
Slack, Teams and the terminal render them alike.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from bot.conversation.admin import AdminVerb
from bot.conversation.quiz import ProgressUnavailableError
from bot.conversation.reminders import ReminderScheduler
from bot.conversation.service import ReachingVerb
from bot.conversation.teach import Teaching
from bot.core.insights import (
    DEFAULT_DAYS,
    LOW_SCORE_MARGIN,
    MAX_DAYS,
    AdminSummary,
    export_csv,
    export_reply,
    group_questions,
    outcome_of,
    parse_days,
    stale_faqs,
    stale_reply,
    stats_reply,
    store_unavailable_reply,
    unanswered_reply,
)
from bot.core.learned import teach_actions
from bot.core.matching import MatchSettings
from bot.core.quiz import Attempt, History, Review
from bot.core.reply import Message, Reply, Section
from bot.core.store import KnowledgeStore, ReloadReport
from bot.storage.digest import WeeklyDigest
from bot.storage.learned_sync import LearnedSync
from bot.storage.store import Storage, StoreUnavailableError
from bot.storage.sync import DEFAULT_POLL_INTERVAL, KnowledgeSync

HOME_TIMEOUT = 2.0  # seconds the admin's Home tab waits for the store's numbers


class StoreService:
    """Storage + knowledge sync + admin verbs, started and stopped with the web app."""

    def __init__(
        self,
        storage: Storage,
        knowledge: KnowledgeStore,
        match: MatchSettings | None = None,
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        today: Callable[[], date] | None = None,
    ) -> None:
        """Serve admin views from *storage* about the knowledge in *knowledge*."""
        self.storage = storage
        self.knowledge = knowledge
        self.match = match or MatchSettings()
        self.sync = KnowledgeSync(storage, knowledge, poll_interval)
        # Set by the server once it knows how to reach people (Slack, Teams).
        self.reminders: ReminderScheduler | None = None
        self._today = today or (lambda: storage.now().date())
        # Teaching from chat (issue 14): learned phrasings on every instance, the weekly digest.
        self.learned = LearnedSync(storage, knowledge, poll_interval)
        self.teaching = Teaching(knowledge, storage.learning, self.learned)
        self.digest = WeeklyDigest(storage, knowledge, self.match)
        self.quiz_progress = StoreQuizProgress(storage)

    async def start(self) -> None:
        """Connect the store (or keep retrying in the background) and start polling."""
        if await self.storage.start():
            await self.sync.poll_once()  # learn the generation before serving
            await self.learned.poll_once()  # and serve what was taught from the first answer
        self.sync.start()
        self.learned.start()
        self.digest.start()

    async def close(self) -> None:
        """Stop polling, flush and close the store."""
        await self.digest.close()
        await self.learned.close()
        await self.sync.close()
        await self.storage.close()

    # ----- hooks for the conversation service

    def verbs(self) -> dict[str, AdminVerb]:
        """Return the admin verbs this service adds: stats, unanswered, export, stale."""
        return {
            "stats": self.stats,
            "unanswered": self.unanswered,
            "export": self.export,
            "stale": self.stale,
            **self.teaching.verbs(),
            **self.digest.verbs(),
        }

    def reaching_verbs(self) -> dict[str, ReachingVerb]:
        """Return the verbs that also get the admin's Reach: `digest` (Teams keeps an address)."""
        return self.digest.reaching_verbs()

    async def announce_reload(self, report: ReloadReport) -> str | None:
        """Tell every other instance about an admin reload; return a line for the admin."""
        version = report.new_version or report.old_version
        try:
            generation = await self.sync.publish(version)
        except StoreUnavailableError:
            return (
                "Other instances were NOT told (the store is unavailable): reload each of "
                "them, or reload again once /finops-admin status shows the store ok."
            )
        return (
            f"Every instance reloads within {max(2, round(self.sync.interval * 2))} s "
            f"(generation {generation})."
        )

    def now(self) -> datetime:
        """Return the current time as the store records it."""
        return self.storage.now()

    def question(self, message: Message, reply: Reply, asked_at: datetime) -> None:
        """Queue the outcome of a question (answered, suggested, declined); skip other replies."""
        outcome = outcome_of(reply)
        if outcome is None:
            return
        faq_id = reply.faq_id or (reply.suggestions[0].faq_id if reply.suggestions else None)
        self.storage.record_question(
            platform=message.platform,
            user_id=message.user_id,
            text=message.text,
            outcome=outcome,
            faq_id=faq_id,
            score=reply.score,
            knowledge_version=self.knowledge.current.version,
            via=message.via,
            at=asked_at,
        )

    def click(self, platform: str, user_id: str, kind: str, faq_id: str) -> None:
        """Queue a click on a choice, a related question or a Home topic."""
        self.storage.record_click(platform=platform, user_id=user_id, kind=kind, faq_id=faq_id)

    def feedback(self, platform: str, user_id: str, faq_id: str, vote: str) -> None:
        """Queue a 👍/👎 on an answer."""
        self.storage.record_feedback(platform=platform, user_id=user_id, faq_id=faq_id, vote=vote)

    def admin(self, message: Message, text: str, *, allowed: bool) -> None:
        """Queue an admin command (allowed or refused) for the audit trail."""
        verb, _, args = text.strip().partition(" ")
        self.storage.record_admin(
            platform=message.platform,
            user_id=message.user_id,
            verb=verb.lower() or "help",
            args=args.strip(),
            allowed=allowed,
        )

    def status_lines(self) -> list[str]:
        """Return the store and sync lines for `admin status` (Bot's status_lines)."""
        return [
            *self.storage.status_lines(),
            *self.sync.status_lines(),
            *self.learned.status_lines(),
        ]

    def health(self) -> dict[str, Any]:
        """Return the store and sync state for /healthz."""
        return {
            **self.storage.health(),
            "knowledge_generation": self.sync.generation,
            # False when the last reload announced by another instance failed here.
            "knowledge_in_sync": self.sync.problem is None,
        }

    # ----- the verbs

    async def stats(self, message: Message, args: str) -> Reply:
        """`stats [days]`: questions, answer and decline rates, top FAQs, most 👎."""
        days = parse_days(args)
        if days is None:
            return _usage("stats")
        try:
            stats = await self.storage.stats(days)
        except StoreUnavailableError:
            return store_unavailable_reply("the stats")
        return stats_reply(stats, self.knowledge.current.knowledge)

    async def unanswered(self, message: Message, args: str) -> Reply:
        """`unanswered [days]`: declined and low-score questions, grouped, most frequent first."""
        days = parse_days(args)
        if days is None:
            return _usage("unanswered")
        low = self.match.answer_threshold + LOW_SCORE_MARGIN
        try:
            asked = await self.storage.unanswered(days, low)
        except StoreUnavailableError:
            return store_unavailable_reply("the unanswered questions")
        snap = self.knowledge.current
        groups = group_questions(asked, snap.index, self.match)
        reply = unanswered_reply(groups, days)
        return dataclasses.replace(reply, actions=teach_actions(groups))

    async def export(self, message: Message, args: str) -> Reply:
        """`export [days]`: the recorded questions as a CSV file (hashed user ids only)."""
        days = parse_days(args)
        if days is None:
            return _usage("export")
        try:
            rows = await self.storage.export_rows(days)
        except StoreUnavailableError:
            return store_unavailable_reply("the recorded questions")
        return export_reply(export_csv(rows), len(rows), days, self._today())

    async def stale(self, message: Message, args: str) -> Reply:
        """`stale`: FAQs whose review is overdue (never-reviewed ones count as overdue)."""
        knowledge = self.knowledge.current.knowledge
        today = self._today()
        return stale_reply(stale_faqs(knowledge, today), len(knowledge.faqs), today)

    async def admin_summary(self, days: int = 7) -> AdminSummary:
        """Return the Home tab's admin numbers (on the event loop; store figures may be None)."""
        knowledge = self.knowledge.current.knowledge
        stale = stale_faqs(knowledge, self._today())
        never = sum(1 for s in stale if s.last_reviewed is None)
        base = AdminSummary(
            days=days, faqs=len(knowledge.faqs), stale=len(stale), never_reviewed=never
        )
        try:
            # The Home tab should not wait on a slow database for long.
            stats = await asyncio.wait_for(self.storage.stats(days), HOME_TIMEOUT)
        except (StoreUnavailableError, TimeoutError):
            return dataclasses.replace(
                base, notes=("The store is unavailable just now; its numbers are missing.",)
            )
        return dataclasses.replace(
            base,
            questions=stats.questions,
            answer_rate=stats.rate(stats.answered),
            unanswered=stats.suggested + stats.declined,
            votes_down=stats.votes_down,
        )


class StoreQuizProgress:
    """Practice progress in the shared store, so it follows people across instances."""

    def __init__(self, storage: Storage) -> None:
        """Keep progress in *storage*."""
        self.storage = storage

    def now(self) -> datetime:
        """Return the store's clock (aware UTC)."""
        return self.storage.quiz.now()

    async def history(self, platform: str, user_id: str) -> History:
        """Return the person's practice; ProgressUnavailableError when the store is down."""
        try:
            return await self.storage.quiz.history(platform, user_id)
        except StoreUnavailableError as exc:
            raise ProgressUnavailableError(str(exc)) from None

    async def record(
        self, platform: str, user_id: str, attempt: Attempt, choice: int, review: Review
    ) -> None:
        """Store one answer and its schedule; ProgressUnavailableError when the store is down."""
        try:
            await self.storage.quiz.record(platform, user_id, attempt, choice, review)
        except StoreUnavailableError as exc:
            raise ProgressUnavailableError(str(exc)) from None

    async def forget(self, platform: str, user_id: str) -> int:
        """Delete every practice answer and schedule of the person; return the rows deleted."""
        return await self.storage.quiz.forget_user(self.storage.user_hash(platform, user_id))


def _usage(verb: str) -> Reply:
    text = f"Usage: {verb} [days], e.g. {verb} 7 (default {DEFAULT_DAYS} days, at most {MAX_DAYS})."
    return Reply(kind="admin", title="Admin", sections=(Section(text),))
