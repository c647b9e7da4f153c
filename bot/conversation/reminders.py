"""The reminder scheduler: a task started with the server that sends due study nudges.

Every instance runs one. Each round reads the due reminders from the shared store and claims
each firing by moving its `next_at` to the next occurrence after now (compare-and-set, see
bot/storage/study.py): exactly one instance wins and sends it. A reminder found more than
`grace` late (the servers were down) is moved on without sending: after downtime a person
gets the next nudge on time, not a burst of missed ones. Rows live in the store, so a
restart loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from bot.conversation.study import StudyConversation
from bot.core.reminders import next_at
from bot.core.reply import Reply
from bot.storage.health import StoreUnavailableError
from bot.storage.periodic import Periodic
from bot.storage.study import StudyStore

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 30.0  # seconds between rounds: a nudge arrives within this of its minute
DEFAULT_GRACE = timedelta(minutes=30)
# Sends *reply* to the address stored with the reminder (a Slack DM, a Teams conversation).
Sender = Callable[[str, Reply], Awaitable[None]]


class ReminderScheduler:
    """Fires due reminders through the platform senders; one firing per reminder, cluster-wide."""

    def __init__(
        self,
        study: StudyConversation,
        store: StudyStore,
        senders: Mapping[str, Sender],
        *,
        interval: float = DEFAULT_INTERVAL,
        grace: timedelta = DEFAULT_GRACE,
    ) -> None:
        """Send *study*'s nudges from *store* through *senders* (platform -> sender)."""
        self.study = study
        self.store = store
        self.senders = dict(senders)
        self.interval = interval
        self.grace = grace
        self.sent = 0
        self.skipped = 0
        self._rounds = Periodic("finops-reminders", self.run_once, lambda: self.interval)

    def start(self) -> None:
        """Start the rounds in the background."""
        self._rounds.start()

    async def close(self) -> None:
        """Stop the rounds."""
        await self._rounds.close()

    async def run_once(self) -> int:
        """Send the reminders due now that this instance wins; return how many it sent."""
        now = self.study.now()
        try:
            due = await self.store.due(now)
        except StoreUnavailableError:
            return 0  # counted and logged by the store
        sent = 0
        for reminder in due:
            following = next_at(reminder.spec, reminder.tz, now)
            if not await self.store.claim(reminder, following):
                continue  # another instance has it
            if now - reminder.next_at > self.grace:
                self.skipped += 1
                logger.info(
                    "reminders: skipped one missed by %s (downtime)", now - reminder.next_at
                )
                continue
            sender = self.senders.get(reminder.platform)
            if sender is None:
                logger.info("reminders: no way to reach %s from this server", reminder.platform)
                continue
            reply = await self.study.reminder(reminder, now)
            if reply is None:
                # The plan was deleted or the exam has come: the reminders end by themselves.
                await self.store.stop_by_hash(reminder.user_hash)
                continue
            try:
                await sender(reminder.address, reply)
            except Exception as exc:
                # Sent at most once: a failed nudge is not retried (it would come late).
                logger.warning(
                    "reminders: delivery on %s failed (%s)", reminder.platform, type(exc).__name__
                )
                continue
            sent += 1
        self.sent += sent
        return sent
