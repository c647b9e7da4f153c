"""Duplicate suppression: a bounded TTL set and the Bolt middleware that drops repeated events."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable

from cachetools import TTLCache
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

logger = logging.getLogger(__name__)

# Slack retries an event up to 3 times over a few minutes; 10 minutes covers every retry.
DEFAULT_TTL = 600.0
DEFAULT_MAX_ENTRIES = 10_000


class TtlCache:
    """Remembers keys for *ttl* seconds, keeping at most *max_entries* (oldest dropped first)."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create an empty cache; *clock* is injectable so tests need not sleep."""
        self.ttl = ttl
        self.max_entries = max_entries
        # Keys are only ever added, never read back, so least recently used is oldest.
        self._keys: TTLCache[Hashable, bool] = TTLCache(max_entries, ttl, timer=clock)

    def __len__(self) -> int:
        """Return how many keys are remembered (expired ones may linger until the next add)."""
        return len(self._keys)

    def __contains__(self, key: Hashable) -> bool:
        """Return True when *key* was added less than ttl seconds ago."""
        return key in self._keys

    def add(self, key: Hashable) -> bool:
        """Remember *key*; return True if it is new, False if it was already remembered."""
        if key in self._keys:
            return False
        self._keys[key] = True
        return True


# Message subtypes that are still a person talking to the bot, answered like plain messages.
PEOPLE_SUBTYPES = frozenset({"file_share", "thread_broadcast", "me_message"})

# Starts claiming a key in the shared store; the pending answer, or None when it is down.
ClaimSoon = Callable[[str], "asyncio.Future[bool] | None"]
# Set in the Bolt context: the store's pending claim of a mention's or DM's (channel, ts).
PENDING_CLAIM = "finops_pending_claim"


def message_key(channel: object, ts: object) -> str:
    """Return the store key of one Slack message, shared by its retries and its twins."""
    return f"slack:msg:{channel}:{ts}"


def _answered_message(event: object) -> str | None:
    """Return the message key of a mention or a DM (always answered), or None."""
    if not isinstance(event, dict) or not event.get("channel") or not event.get("ts"):
        return None
    mention = event.get("type") == "app_mention"
    # (Edits, deletions and bots' subtypes are never answered: nothing to claim.)
    dm = event.get("type") == "message" and event.get("channel_type") == "im"
    dm = dm and event.get("subtype") in (None, *PEOPLE_SUBTYPES)
    return message_key(event["channel"], event["ts"]) if mention or dm else None


class EventDedup(AsyncMiddleware):
    """Global Bolt middleware answering 200 to an event_id it has already seen.

    *seen* is this instance's memory of event ids. Across instances the message is what
    counts: a retry of an event, or its twin under another event id (app_mention and
    message), carries the same (channel, ts). For a mention or a DM this middleware starts
    claiming that key in the shared store through *claim_soon* without waiting; the
    listener matches the question meanwhile and settles the claim before it posts. Other
    messages are claimed by their listener only once it knows it will answer, so channel
    chatter never reaches the store.
    """

    def __init__(self, seen: TtlCache, claim_soon: ClaimSoon | None = None) -> None:
        """Remember event ids in *seen*; start cross-instance claims through *claim_soon*."""
        self.seen = seen
        self.claim_soon = claim_soon

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # Bolt passes it by this name
    ) -> BoltResponse | None:
        """Drop a repeated Events API delivery; let everything else through."""
        event_id = req.body.get("event_id")
        if not isinstance(event_id, str):
            return await next()
        if not self.seen.add(event_id):
            # A 200 without running listeners: Slack stops retrying, nobody is answered twice.
            logger.info("dropped duplicate event %s", event_id)
            return BoltResponse(status=200, body="")
        if self.claim_soon is not None:
            message = _answered_message(req.body.get("event"))
            if message is not None:
                req.context[PENDING_CLAIM] = self.claim_soon(message)
        return await next()
