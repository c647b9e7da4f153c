"""Duplicate suppression: a bounded TTL set and the Bolt middleware that drops repeated events."""

from __future__ import annotations

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


class EventDedup(AsyncMiddleware):
    """Global Bolt middleware answering 200 to an event_id it has already seen."""

    def __init__(self, seen: TtlCache) -> None:
        """Remember event ids in *seen*."""
        self.seen = seen

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # Bolt passes it by this name
    ) -> BoltResponse | None:
        """Drop a repeated Events API delivery; let everything else through."""
        event_id = req.body.get("event_id")
        if isinstance(event_id, str) and not self.seen.add(event_id):
            # A 200 without running listeners: Slack stops retrying, nobody is answered twice.
            logger.info("dropped duplicate event %s", event_id)
            return BoltResponse(status=200, body="")
        return await next()
