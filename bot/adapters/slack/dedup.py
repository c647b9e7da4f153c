"""Duplicate suppression: a bounded TTL set and the Bolt middleware that drops repeated events."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

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
        self._clock = clock
        self._expiry: OrderedDict[Hashable, float] = OrderedDict()

    def __len__(self) -> int:
        """Return how many keys are remembered (expired ones may linger until the next add)."""
        return len(self._expiry)

    def __contains__(self, key: Hashable) -> bool:
        """Return True when *key* was added less than ttl seconds ago."""
        expiry = self._expiry.get(key)
        return expiry is not None and expiry > self._clock()

    def add(self, key: Hashable) -> bool:
        """Remember *key*; return True if it is new, False if it was already remembered."""
        now = self._clock()
        self._evict(now)
        if key in self._expiry:
            return False
        self._expiry[key] = now + self.ttl
        if len(self._expiry) > self.max_entries:
            self._expiry.popitem(last=False)
        return True

    def _evict(self, now: float) -> None:
        # Keys are inserted in expiry order (constant ttl), so expired ones sit at the front.
        while self._expiry:
            key, expiry = next(iter(self._expiry.items()))
            if expiry > now:
                break
            del self._expiry[key]


Claim = Callable[[str], Awaitable[bool]]
# Set in the Bolt context when the middleware already claimed the event's (channel, ts).
MESSAGE_CLAIMED = "finops_message_claimed"


def message_key(channel: object, ts: object) -> str:
    """Return the store key of one Slack message, shared by its app_mention/message twins."""
    return f"slack:msg:{channel}:{ts}"


def _answered_message(event: object) -> str | None:
    """Return the message key of a mention or DM (whose listeners always claim it), or None."""
    if not isinstance(event, dict) or not event.get("channel") or not event.get("ts"):
        return None
    mention = event.get("type") == "app_mention"
    dm = event.get("type") == "message" and event.get("channel_type") == "im"
    return message_key(event["channel"], event["ts"]) if mention or dm else None


class EventDedup(AsyncMiddleware):
    """Global Bolt middleware answering 200 to an event_id it has already seen.

    *seen* is this instance's memory (the fast path); *claim*, when given, asks the shared
    store whether any instance already took the event (True: new, go ahead). For a mention
    or a DM it claims the message's (channel, ts) in the same round trip (one batched
    statement), so the listener does not wait on the store a second time.
    """

    def __init__(self, seen: TtlCache, claim: Claim | None = None) -> None:
        """Remember event ids in *seen*, and across instances through *claim*."""
        self.seen = seen
        self.claim = claim

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # Bolt passes it by this name
    ) -> BoltResponse | None:
        """Drop a repeated Events API delivery; let everything else through."""
        event_id = req.body.get("event_id")
        if isinstance(event_id, str):
            if not self.seen.add(event_id):
                # A 200 without running listeners: Slack stops retrying, nobody is answered twice.
                logger.info("dropped duplicate event %s", event_id)
                return BoltResponse(status=200, body="")
            if self.claim is not None:
                message = _answered_message(req.body.get("event"))
                keys = [f"slack:event:{event_id}", *([message] if message else [])]
                won = await asyncio.gather(*(self.claim(key) for key in keys))
                if not all(won):
                    logger.info("dropped duplicate event %s (taken by another instance)", event_id)
                    return BoltResponse(status=200, body="")
                if message:
                    req.context[MESSAGE_CLAIMED] = True
        return await next()
