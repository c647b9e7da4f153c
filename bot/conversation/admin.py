"""The built-in admin verbs (reload, status, help) and the shape every admin verb has."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from bot.core.reply import Message, Reply, Section
from bot.core.store import KnowledgeStore, ReloadReport
from bot.core.wording import say

logger = logging.getLogger(__name__)

# An admin verb: the message it came in (who, where) and the words after the verb.
AdminVerb = Callable[[Message, str], Awaitable[Reply]]
# Told about a successful reload (e.g. to tell other instances); returns a line or None.
ReloadHook = Callable[[ReloadReport], Awaitable[str | None]]
# Extra lines for `admin status` (e.g. the store's health).
StatusLines = Callable[[], Sequence[str]]

ADMIN_TITLE = say("admin_title")


def admin_reply(text: str, title: str = ADMIN_TITLE) -> Reply:
    """Return a plain admin reply."""
    return Reply(kind="admin", title=title, sections=(Section(text),))


class KnowledgeAdmin:
    """`reload` and `status`: the knowledge's own admin verbs."""

    def __init__(
        self,
        store: KnowledgeStore,
        *,
        on_reload: ReloadHook | None = None,
        status_lines: StatusLines | None = None,
    ) -> None:
        """Reload and describe *store*; *on_reload* and *status_lines* add the shared store."""
        self.store = store
        self._on_reload = on_reload
        self._status_lines = status_lines

    def verbs(self) -> dict[str, AdminVerb]:
        """Return this object's verbs by name."""
        return {"reload": self.reload, "status": self.status}

    async def reload(self, message: Message, args: str) -> Reply:
        """Re-read the knowledge files (off the event loop: it reads and validates files)."""
        report = await asyncio.to_thread(self.store.reload)
        logger.info("reload by %s: %s", message.user_id, report.lines()[0])
        title = say("admin_reloaded_title") if report.ok else say("admin_reload_failed_title")
        lines = report.lines()
        if report.ok and self._on_reload is not None:
            note = await self._on_reload(report)
            if note:
                lines.append(note)
        return Reply(kind="admin", title=title, sections=(Section("\n".join(lines)),))

    async def status(self, message: Message, args: str) -> Reply:
        """Describe the knowledge served now, and the store when there is one."""
        snap = self.store.current
        counts = ", ".join(f"{n} {k}" for k, n in snap.knowledge.counts().items())
        text = say(
            "admin_status", version=snap.version, directory=self.store.directory, counts=counts
        )
        if self._status_lines is None:
            return admin_reply(text, title=say("admin_status_title"))
        extra = Section("\n".join(self._status_lines()), heading=say("admin_store_heading"))
        return Reply(kind="admin", title=say("admin_status_title"), sections=(Section(text), extra))


def usage(verbs: Mapping[str, object]) -> str:
    """Return the one-line list of admin verbs."""
    return say("admin_usage", verbs=" | ".join(sorted({*verbs, "help"})))
