"""State every instance shares: the knowledge generation and the opted-in channels.

An admin reload on one instance bumps `finops_knowledge_state.generation`; every instance
polls that row (bot/storage/sync.py) and reloads. An admin's `channels add` or `remove`
writes `finops_channels`; every instance re-reads that small table every half second, so a
change made on one instance reaches the others within about a second, and answering reads
a set in memory (no database round trip per message).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import Connection, select, update

from bot.storage.engine import Database, insert, insert_ignore
from bot.storage.health import StoreUnavailableError
from bot.storage.schema import channels, knowledge_state, meta

logger = logging.getLogger(__name__)

CHANNEL_POLL_INTERVAL = 0.5  # seconds; a change reaches every instance within about a second
_IMPORTED_KEY = "channels_file_imported"


class SharedState:
    """The knowledge generation and the channel opt-ins, with this instance's cached view."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        poll_interval: float = CHANNEL_POLL_INTERVAL,
    ) -> None:
        """Share through *db*; re-read the channel opt-ins every *poll_interval* seconds."""
        self.db = db
        self._clock = clock
        self.poll_interval = poll_interval
        # channel id -> opted in (True) or out (False); replaced whole, never mutated, so
        # readers on other threads always see one consistent mapping.
        self.channel_overrides: Mapping[str, bool] = MappingProxyType({})
        self._legacy: dict[str, bool] = {}
        self._task: asyncio.Task[None] | None = None

    # ----- life cycle

    def import_once(self, entries: Mapping[str, bool]) -> None:
        """Hand over opt-ins from the old per-instance state file, imported at connect.

        Imported once per database (the first instance to connect with a file wins; later
        files are ignored, with a log line), never over a change made since.
        """
        self._legacy = dict(entries)

    def setup(self, conn: Connection) -> None:
        """At connect, in the migration's transaction: import the old file once, then read."""
        if self._legacy:
            done = conn.scalar(select(meta.c.value).where(meta.c.key == _IMPORTED_KEY))
            if done is None:
                now = self._clock()
                rows = [
                    {"channel_id": c, "opted_in": v, "updated_at": now}
                    for c, v in sorted(self._legacy.items())
                ]
                conn.execute(insert_ignore(conn, channels, rows))
                done_row = {"key": _IMPORTED_KEY, "value": now.isoformat()}
                conn.execute(insert_ignore(conn, meta, done_row))
                logger.info(
                    "store: imported %d channel opt-in(s) from FINOPS_STATE_FILE; they are kept "
                    "in the store now, and the file is no longer needed",
                    len(rows),
                )
            else:
                logger.info(
                    "store: FINOPS_STATE_FILE ignored: channel opt-ins were imported on %s and "
                    "are kept in the store; the file can be deleted",
                    done,
                )
            self._legacy = {}
        self.channel_overrides = _read_channels(conn)

    def start(self) -> None:
        """Start re-reading the channel opt-ins in the background."""
        self._task = asyncio.create_task(self._poll(), name="finops-store-state")

    async def close(self) -> None:
        """Stop polling."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval)
            if self.db.health.available():
                with contextlib.suppress(StoreUnavailableError):  # counted and logged
                    await self.refresh_channels()

    # ----- channel opt-ins

    async def refresh_channels(self) -> Mapping[str, bool]:
        """Re-read every instance's channel changes; return them."""
        self.channel_overrides = await self.db.run("channels", _read_channels)
        return self.channel_overrides

    async def set_channel(self, channel_id: str, opted_in: bool) -> None:
        """Opt *channel_id* in or out for every instance (raises StoreUnavailableError)."""
        now = self._clock()

        def write(conn: Connection) -> Mapping[str, bool]:
            upsert = insert(conn, channels).values(
                channel_id=channel_id, opted_in=opted_in, updated_at=now
            )
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[channels.c.channel_id],
                    set_={"opted_in": opted_in, "updated_at": now},
                )
            )
            return _read_channels(conn)

        self.channel_overrides = await self.db.run("channels", write, write=True)

    # ----- knowledge generation (multi-instance reload)

    async def generation(self) -> tuple[int, str | None]:
        """Return (generation, version) of the last admin reload on any instance."""

        def read(conn: Connection) -> tuple[int, str | None]:
            row = conn.execute(
                select(knowledge_state.c.generation, knowledge_state.c.version).where(
                    knowledge_state.c.id == 1
                )
            ).first()
            return (int(row[0]), row[1]) if row else (0, None)

        return await self.db.run("poll", read)

    async def publish_reload(self, version: str) -> int:
        """Bump the generation after an admin reload; return the new generation."""
        now = self._clock()

        def bump(conn: Connection) -> int:
            conn.execute(
                update(knowledge_state)
                .where(knowledge_state.c.id == 1)
                .values(
                    generation=knowledge_state.c.generation + 1,
                    version=version[:64],
                    updated_at=now,
                )
            )
            value = conn.scalar(
                select(knowledge_state.c.generation).where(knowledge_state.c.id == 1)
            )
            return int(value or 0)

        return await self.db.run("publish reload", bump, write=True)


def _read_channels(conn: Connection) -> Mapping[str, bool]:
    rows = conn.execute(select(channels.c.channel_id, channels.c.opted_in))
    return MappingProxyType({str(c): bool(v) for c, v in rows})
