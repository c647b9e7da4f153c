"""Polling helper for things that happen in the background (writes, reloads, reconnects)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def until(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> float:
    """Await *check* every 20 ms until it is true; return the seconds it took.

    Raises AssertionError after *within* seconds.
    """
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > within:
            raise AssertionError(f"not true within {within} s")
        await asyncio.sleep(0.02)
    return time.monotonic() - start
