"""Conversation memory: what each thread, DM or chat was about, forgotten after a silence."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Protocol

from cachetools import TTLCache

from bot.core.reply import Message
from bot.core.subject import Subject

# A follow-up after half an hour of silence is a new conversation.
DEFAULT_TTL = 30 * 60.0
MAX_CONVERSATIONS = 50_000


def context_key(message: Message) -> str | None:
    """Return the key of *message*'s conversation, or None when it has no place.

    Private places (DMs, 1:1 chats) also carry the user, so two people's DMs can never
    share a memory even if a platform reused an id. The key is a hash: it is stored in
    the shared database, and a DM's place names its user.
    """
    if not message.place:
        return None
    who = message.user_id if message.private else ""
    raw = f"{message.platform}\x1f{message.place}\x1f{who}"
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class ContextStore(Protocol):
    """Where conversation subjects are kept (this process, or the shared store)."""

    async def recall(self, key: str) -> Subject | None:
        """Return the subject of conversation *key*, or None if unknown or expired."""

    async def remember(self, key: str, subject: Subject) -> None:
        """Keep *subject* as conversation *key*'s subject from now on."""


class MemoryContext:
    """Conversation subjects in this process only (the terminal, or a single instance)."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        max_entries: int = MAX_CONVERSATIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Forget a conversation *ttl* seconds after its last message; *clock* is for tests."""
        self._subjects: TTLCache[str, Subject] = TTLCache(max_entries, ttl, timer=clock)

    async def recall(self, key: str) -> Subject | None:
        """Return the remembered subject, or None."""
        return self._subjects.get(key)

    async def remember(self, key: str, subject: Subject) -> None:
        """Remember *subject* (each message restarts the silence timer)."""
        self._subjects[key] = subject
