"""A background round run every few seconds, for as long as the server runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


class Periodic:
    """Runs *step* every *interval* seconds; a round that raises is logged and the next runs.

    The knowledge and learned-phrasing pollers, the reminder scheduler and the weekly digest
    all need exactly this; *wait_first* says whether the first round waits an interval.
    """

    def __init__(
        self,
        name: str,
        step: Callable[[], Awaitable[object]],
        interval: Callable[[], float],
        *,
        wait_first: bool = True,
        failed: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run *step* under task *name*; *interval* is read each round (tests shorten it)."""
        self.name = name
        self._step = step
        self._interval = interval
        self._wait_first = wait_first
        self._failed = failed
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the rounds in the background."""
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def close(self) -> None:
        """Stop the rounds (one under way is cancelled)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        if self._wait_first:
            await asyncio.sleep(self._interval())
        while True:
            try:
                await self._step()
            except Exception as exc:  # one bad round must not end the rounds for good
                logger.exception("%s: a round failed; the next one runs as usual", self.name)
                if self._failed is not None:
                    self._failed(exc)
            await asyncio.sleep(self._interval())
