"""Channels opted in to FAQ answers: FINOPS_CHANNELS plus admin changes kept in a JSON file."""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from bot.adapters.slack.ids import is_channel_id
from bot.core.reply import Message, Reply, Section

# `<#C123|name>` (should_escape on), `<#C123>` / `<#C123|>` (newer clients), or a bare id.
_CHANNEL_REF = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$|^#?([A-Z0-9]+)$")

USAGE = "Usage: channels | channels add #channel | channels remove #channel"


class ChannelStateError(Exception):
    """The state file exists but cannot be read as the opted-in channel state."""


class ChannelRegistry:
    """The set of opted-in channel ids; reads are lock-free, changes persist atomically."""

    def __init__(
        self,
        configured: Iterable[str],
        state_file: Path,
        added: Iterable[str] = (),
        removed: Iterable[str] = (),
    ) -> None:
        """Serve FINOPS_CHANNELS (*configured*) adjusted by the admin changes from *state_file*."""
        self.configured = frozenset(configured)
        self.state_file = state_file
        self._added = set(added)
        self._removed = set(removed)
        self._lock = threading.Lock()
        self._current = self._compute()

    @classmethod
    def load(cls, configured: Iterable[str], state_file: Path) -> ChannelRegistry:
        """Read *state_file* (absent means no admin changes); raise ChannelStateError if bad."""
        try:
            raw = state_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(configured, state_file)
        except OSError as exc:
            raise ChannelStateError(f"{state_file}: cannot read ({exc.strerror})") from None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ChannelStateError(f"{state_file}:{exc.lineno}: not valid JSON") from None
        added, removed = _ids(data, "channels", state_file), _ids(data, "removed", state_file)
        return cls(configured, state_file, added, removed)

    def __contains__(self, channel_id: object) -> bool:
        """Return True when *channel_id* is opted in."""
        return channel_id in self._current

    @property
    def current(self) -> frozenset[str]:
        """Return the opted-in channel ids now."""
        return self._current

    def add(self, channel_id: str) -> bool:
        """Opt *channel_id* in and persist; return False if it already was."""
        with self._lock:
            if channel_id in self._current:
                return False
            added, removed = set(self._added), self._removed - {channel_id}
            if channel_id not in self.configured:
                added.add(channel_id)
            self._commit(added, removed)
            return True

    def remove(self, channel_id: str) -> bool:
        """Opt *channel_id* out and persist; return False if it was not opted in."""
        with self._lock:
            if channel_id not in self._current:
                return False
            added, removed = self._added - {channel_id}, set(self._removed)
            if channel_id in self.configured:
                # Remembered so a restart with the same FINOPS_CHANNELS keeps it out.
                removed.add(channel_id)
            self._commit(added, removed)
            return True

    def admin_command(self, message: Message, args: str) -> Reply:
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
            changed = self.add(channel_id) if verb == "add" else self.remove(channel_id)
        except OSError as exc:
            return _reply(f"Could not save {self.state_file}: {exc.strerror}. Nothing changed.")
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
        if not self._current:
            return _reply("No channels are opted in. " + USAGE)
        ids = ", ".join(sorted(self._current))
        return _reply(f"Opted-in channels ({len(self._current)}): {ids}.")

    def _compute(self) -> frozenset[str]:
        return frozenset((self.configured | self._added) - self._removed)

    def _commit(self, added: set[str], removed: set[str]) -> None:
        # Save first: if the write fails, memory still matches the file.
        self._save(added, removed)
        self._added, self._removed = added, removed
        self._current = self._compute()

    def _save(self, added: set[str], removed: set[str]) -> None:
        data = {"channels": sorted(added), "removed": sorted(removed)}
        text = json.dumps(data, indent=2) + "\n"
        directory = self.state_file.absolute().parent
        # Write a temp file beside the target, then rename: readers never see half a file.
        fd, tmp = tempfile.mkstemp(prefix=".finops-state-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.state_file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


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
