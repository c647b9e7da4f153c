"""How the store is doing: failure counts, the circuit breaker, and log lines without secrets.

A failing store never breaks answering. Every operation that fails is counted, logged at
most every 30 s per operation (the error's type and the driver's message only: never SQL
parameters, user text or the URL's password), and opens a short circuit breaker so the next
requests do not wait on a dead database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

logger = logging.getLogger(__name__)

LOG_EVERY = 30.0  # seconds between repeated failure log lines for one operation


class StoreUnavailableError(Exception):
    """The store could not do what was asked (down, timed out, or failed); already counted."""


def describe_error(exc: BaseException) -> str:
    """Return a log-safe one-liner for *exc*: type and driver message, no SQL or parameters."""
    inner: BaseException = exc
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        inner = exc.orig
    elif isinstance(exc, SQLAlchemyError):
        # Their str() quotes the statement and its parameters (question text): never log it.
        return type(exc).__name__
    elif isinstance(exc, UnicodeError):
        # Its str() quotes the offending text.
        return type(exc).__name__
    first = str(inner).strip().splitlines()[0] if str(inner).strip() else ""
    name = type(inner).__name__
    return (f"{name}: {first}" if first else name)[:160]


class Health:
    """Counters, the last error and the circuit breaker shared by every part of the store."""

    def __init__(self, *, backoff: float, clock: Callable[[], datetime]) -> None:
        """Open the breaker for *backoff* seconds after each failure."""
        self.backoff = backoff
        self._clock = clock
        self.ready = False  # connected and migrated at least once
        self.failures = 0
        self.dropped = 0
        self.last_error: str | None = None
        self.down_since: datetime | None = None
        self.down_until = 0.0  # time.monotonic() before which the breaker stays open
        self._logged_at: dict[str, float] = {}
        self._unlogged: dict[str, int] = {}

    @property
    def ok(self) -> bool:
        """Return True when the store is connected and its last operation succeeded."""
        return self.ready and self.down_since is None

    def available(self) -> bool:
        """Return True when work may be sent to the database now (connected, breaker closed)."""
        return self.ready and time.monotonic() >= self.down_until

    def failed(self, op: str, exc: BaseException) -> None:
        """Count a failure of *op*, open the breaker and log (rate-limited, no secrets)."""
        self.failures += 1
        self.last_error = f"{op}: {describe_error(exc)}"
        self.down_until = time.monotonic() + self.backoff
        if self.down_since is None:
            self.down_since = self._clock()
        if self._may_log(op):
            more = self._unlogged.pop(op, 0)
            logger.warning(
                "store: %s failed (%s)%s; answering continues without the store",
                op,
                describe_error(exc),
                f" [+{more} more since the last report]" if more else "",
            )
        else:
            self._unlogged[op] = self._unlogged.get(op, 0) + 1

    def succeeded(self) -> None:
        """Close the breaker after a successful operation."""
        if self.down_since is not None:
            logger.info("store: available again (down since %s UTC)", f"{self.down_since:%H:%M:%S}")
        self.down_since = None
        self.down_until = 0.0

    def drop(self, n: int, why: str | None = None) -> None:
        """Count *n* records that will never be written; log *why* (rate-limited)."""
        self.dropped += n
        if why is not None and self._may_log(why):
            logger.warning("store: %s; dropping records (%d dropped so far)", why, self.dropped)

    def _may_log(self, what: str) -> bool:
        now = time.monotonic()
        if now - self._logged_at.get(what, -LOG_EVERY) >= LOG_EVERY:
            self._logged_at[what] = now
            return True
        return False
