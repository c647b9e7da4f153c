"""Access rules as data: who may run admin commands, and where admin output may appear."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.core import replies
from bot.core.reply import Message, Reply, Section
from bot.core.wording import say

logger = logging.getLogger(__name__)

REFUSED = say("admin_refused")
# Where each platform's admins can run commands privately (said when they try elsewhere).
PRIVATE_PLACES: Mapping[str, str] = MappingProxyType(
    {
        "slack": say("access_place_slack"),
        "teams": say("access_place_teams"),
        "terminal": say("access_place_terminal"),
    }
)


@dataclass(frozen=True)
class AccessRules:
    """The admin allow-list (user ids of any platform; Slack ids and Entra GUIDs never collide)."""

    admins: frozenset[str] = frozenset()
    private_places: Mapping[str, str] = field(default_factory=lambda: PRIVATE_PLACES)

    def is_admin(self, user_id: str) -> bool:
        """Return True when *user_id* is on the allow-list."""
        return user_id in self.admins

    def admin_refusal(self, message: Message, verb: str) -> Reply | None:
        """Return why *message* may not run admin verb *verb*, or None when it may.

        Admin output (reload problems, store health, reports) is only ever shown where
        nobody but the admin reads it.
        """
        if not self.is_admin(message.user_id):
            logger.warning("admin %r refused for user %s", verb, message.user_id)
            return Reply(kind="admin", title=say("admin_title"), sections=(Section(REFUSED),))
        if not message.private:
            where = self.private_places.get(message.platform, say("access_place_other"))
            return replies.admin_elsewhere_reply(where)
        return None
