"""Channels opted in to FAQ answers: FINOPS_CHANNELS adjusted by admins, shared by every
instance through the store (the JSON state file of earlier versions is imported once)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from bot.adapters.slack.ids import is_channel_id
from bot.core.reply import Message, Reply, Section
from bot.storage.health import StoreUnavailableError

if TYPE_CHECKING:
    from bot.storage.store import Storage

# `<#C123|name>` (should_escape on), `<#C123>` / `<#C123|>` (newer clients), or a bare id.
_CHANNEL_REF = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$|^#?([A-Z0-9]+)$")

USAGE = "Usage: channels | channels add #channel | channels remove #channel"


class ChannelStateError(Exception):
    """The state file exists but cannot be read as the opted-in channel state."""


class ChannelRegistry:
    """The set of opted-in channel ids: FINOPS_CHANNELS plus or minus admins' changes.

    With a store (`use_store`), the changes live in it, so every instance sees them within
    about a second; membership is read from the store's cached view, never with a query.
    Without one (tests, a store-less server) they live in memory only.
    """

    def __init__(
        self, configured: Iterable[str], changes: Mapping[str, bool] | None = None
    ) -> None:
        """Serve *configured* adjusted by *changes* (channel id -> opted in or out)."""
        self.configured = frozenset(configured)
        self._local: Mapping[str, bool] = MappingProxyType(dict(changes or {}))
        self._storage: Storage | None = None
        self._seen: Mapping[str, bool] | None = None
        self._current: frozenset[str] = frozenset()

    @classmethod
    def load(cls, configured: Iterable[str], state_file: Path) -> ChannelRegistry:
        """Read the old state file's changes (absent: none); raise ChannelStateError if bad.

        They are imported into the store once `use_store` is called, and the file is not
        written again.
        """
        try:
            raw = state_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(configured)
        except OSError as exc:
            raise ChannelStateError(f"{state_file}: cannot read ({exc.strerror})") from None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ChannelStateError(f"{state_file}:{exc.lineno}: not valid JSON") from None
        changes = dict.fromkeys(_ids(data, "channels", state_file), True)
        changes.update(dict.fromkeys(_ids(data, "removed", state_file), False))
        return cls(configured, changes)

    def use_store(self, storage: Storage) -> None:
        """Keep the changes in *storage* (before it starts); the file's are imported once."""
        storage.state.import_once(self._local)
        self._storage = storage

    def __contains__(self, channel_id: object) -> bool:
        """Return True when *channel_id* is opted in."""
        return channel_id in self.current

    @property
    def current(self) -> frozenset[str]:
        """Return the opted-in channel ids now."""
        changes = self._changes()
        if changes is not self._seen:  # the store replaces its view whole when it changes
            opted_in = {c for c, v in changes.items() if v}
            opted_out = {c for c, v in changes.items() if not v}
            self._current = frozenset((self.configured | opted_in) - opted_out)
            self._seen = changes
        return self._current

    async def add(self, channel_id: str) -> bool:
        """Opt *channel_id* in for every instance; return False if it already was.

        Raises StoreUnavailableError when the store cannot save it.
        """
        if channel_id in self.current:
            return False
        await self._set(channel_id, True)
        return True

    async def remove(self, channel_id: str) -> bool:
        """Opt *channel_id* out for every instance; return False if it was not opted in."""
        if channel_id not in self.current:
            return False
        # Remembered (not just forgotten), so FINOPS_CHANNELS does not bring it back.
        await self._set(channel_id, False)
        return True

    async def admin_command(self, message: Message, args: str) -> Reply:
        """Run the `channels` admin verb: list, add or remove an opted-in channel."""
        verb, _, rest = args.strip().partition(" ")
        verb = verb.lower()
        if verb in ("", "list"):
            return self._listing()
        if verb not in ("add", "remove"):
            return _reply(USAGE)
        channel_id = parse_channel_ref(rest)
        if channel_id is None:
            return _reply("I need a channel, like #finops or C0123ABCD. " + USAGE)
        try:
            changed = await (self.add(channel_id) if verb == "add" else self.remove(channel_id))
        except StoreUnavailableError:
            return _reply("Could not save the change: the store is unavailable. Nothing changed.")
        if verb == "add":
            text = (
                f"Opted in {channel_id}: I'll answer questions there when I know the answer. "
                "Invite me to the channel if I'm not in it yet."
                if changed
                else f"{channel_id} was already opted in."
            )
        else:
            text = f"Opted out {channel_id}." if changed else f"{channel_id} was not opted in."
        return _reply(text)

    def _listing(self) -> Reply:
        current = self.current
        if not current:
            return _reply("No channels are opted in. " + USAGE)
        return _reply(f"Opted-in channels ({len(current)}): {', '.join(sorted(current))}.")

    def _changes(self) -> Mapping[str, bool]:
        return self._storage.state.channel_overrides if self._storage else self._local

    async def _set(self, channel_id: str, opted_in: bool) -> None:
        storage = self._storage
        if storage is None:
            self._local = MappingProxyType({**self._local, channel_id: opted_in})
            return
        await storage.state.set_channel(channel_id, opted_in)


def parse_channel_ref(text: str) -> str | None:
    """Return the channel id in `<#C123|name>`, `<#C123>` or `C123`, or None."""
    m = _CHANNEL_REF.match(text.strip())
    if m is None:
        return None
    channel_id = m.group(1) or m.group(2)
    return channel_id if is_channel_id(channel_id) else None


def _ids(data: object, key: str, state_file: Path) -> list[str]:
    values = data.get(key, []) if isinstance(data, dict) else None
    if not isinstance(values, list) or not all(
        isinstance(v, str) and is_channel_id(v) for v in values
    ):
        raise ChannelStateError(f"{state_file}: '{key}' must be a list of channel ids")
    return values


def _reply(text: str) -> Reply:
    return Reply(kind="admin", title="Channels", sections=(Section(text),))
