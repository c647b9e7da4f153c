"""The study companion's storage: each person's saved plan and reminders, keyed by user hash.

Reminders fire exactly once across instances: every instance reads the due rows, and one
wins each firing by moving `next_at` forward with `UPDATE ... WHERE id = :id AND next_at =
:old` (a compare-and-set; the loser's UPDATE matches no row). `forget` deletes everything
these tables hold about a person in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, Row, delete, select, update

from bot.core.reminders import Cadence, ReminderSpec
from bot.core.study import PlanArgs
from bot.storage.engine import Database, insert
from bot.storage.recorder import UserHasher, clean_text
from bot.storage.schema import study_plans, study_reminders

MAX_REMINDERS_DUE = 500  # rows one round reads; the rest wait for the next round


@dataclass(frozen=True)
class SavedPlan:
    """A person's plan request as saved: rebuilt into a plan from the current knowledge."""

    user_hash: str
    certification: str
    exam_date: date
    hours_per_week: float
    start_date: date


@dataclass(frozen=True)
class SavedReminder:
    """One reminder row: who, when, and where to deliver it."""

    id: int
    user_hash: str
    platform: str
    spec: ReminderSpec
    tz: str
    next_at: datetime
    address: str


@dataclass(frozen=True)
class Forgotten:
    """What `forget` deleted."""

    plans: int
    reminders: int


class StudyStore:
    """Plans and reminders in the shared store (hashed user ids, as every other table)."""

    def __init__(self, db: Database, hasher: UserHasher, clock: Callable[[], datetime]) -> None:
        """Keep plans and reminders in *db*, hashing people with *hasher*."""
        self.db = db
        self.hash = hasher
        self._clock = clock

    def now(self) -> datetime:
        """Return the store's clock (naive UTC)."""
        return self._clock()

    # ----- plans

    async def save_plan(self, platform: str, user_id: str, args: PlanArgs, start: date) -> None:
        """Save (or replace) the person's plan request, made on *start*."""
        row = {
            "user_hash": self.hash(platform, user_id),
            "platform": platform,
            "certification": clean_text(args.cert, 80),
            "exam_date": args.exam,
            "hours_per_week": args.hours,
            "start_date": start,
            "updated_at": self._clock(),
        }

        def run(conn: Connection) -> None:
            stmt = insert(conn, study_plans).values(row)
            changed = {k: v for k, v in row.items() if k != "user_hash"}
            conn.execute(stmt.on_conflict_do_update(index_elements=["user_hash"], set_=changed))

        await self.db.run("save plan", run, write=True)

    async def plan_of(self, platform: str, user_id: str) -> SavedPlan | None:
        """Return the person's saved plan, if any."""
        return await self.plan_by_hash(self.hash(platform, user_id))

    async def plan_by_hash(self, user_hash: str) -> SavedPlan | None:
        """Return the saved plan of the person with *user_hash*, if any."""

        def run(conn: Connection) -> SavedPlan | None:
            row = conn.execute(
                select(study_plans).where(study_plans.c.user_hash == user_hash)
            ).first()
            if row is None:
                return None
            return SavedPlan(
                row.user_hash, row.certification, row.exam_date, row.hours_per_week, row.start_date
            )

        return await self.db.run("read plan", run)

    # ----- reminders

    async def set_reminder(
        self,
        platform: str,
        user_id: str,
        spec: ReminderSpec,
        *,
        tz: str,
        next_at: datetime,
        address: str,
    ) -> None:
        """Save a reminder; one of each cadence per person, so a new one replaces the old."""
        user_hash = self.hash(platform, user_id)
        row = {
            "user_hash": user_hash,
            "platform": platform,
            "cadence": spec.cadence,
            "weekday": spec.weekday,
            "local_time": f"{spec.at:%H:%M}",
            "tz": tz,
            "next_at": next_at,
            "address": address,
            "created_at": self._clock(),
        }

        def run(conn: Connection) -> None:
            conn.execute(
                delete(study_reminders).where(
                    study_reminders.c.user_hash == user_hash,
                    study_reminders.c.cadence == spec.cadence,
                )
            )
            conn.execute(study_reminders.insert().values(row))

        await self.db.run("set reminder", run, write=True)

    async def reminders_of(self, platform: str, user_id: str) -> list[SavedReminder]:
        """Return the person's reminders."""
        user_hash = self.hash(platform, user_id)

        def run(conn: Connection) -> list[SavedReminder]:
            rows = conn.execute(
                select(study_reminders)
                .where(study_reminders.c.user_hash == user_hash)
                .order_by(study_reminders.c.id)
            )
            return [_reminder(r) for r in rows]

        return await self.db.run("read reminders", run)

    async def stop(self, platform: str, user_id: str) -> int:
        """Delete every reminder of the person; return how many there were."""
        return await self.stop_by_hash(self.hash(platform, user_id))

    async def stop_by_hash(self, user_hash: str) -> int:
        """Delete every reminder of the person with *user_hash*; return how many."""

        def run(conn: Connection) -> int:
            result = conn.execute(
                delete(study_reminders).where(study_reminders.c.user_hash == user_hash)
            )
            return int(result.rowcount or 0)

        return await self.db.run("stop reminders", run, write=True)

    async def due(self, now: datetime) -> list[SavedReminder]:
        """Return reminders whose time has come (oldest first)."""

        def run(conn: Connection) -> list[SavedReminder]:
            rows = conn.execute(
                select(study_reminders)
                .where(study_reminders.c.next_at <= now)
                .order_by(study_reminders.c.next_at, study_reminders.c.id)
                .limit(MAX_REMINDERS_DUE)
            )
            return [_reminder(r) for r in rows]

        return await self.db.run("due reminders", run)

    async def claim(self, reminder: SavedReminder, new_next_at: datetime) -> bool:
        """Move *reminder* to its next time; True only for the one instance whose update won."""

        def run(conn: Connection) -> bool:
            result = conn.execute(
                update(study_reminders)
                .where(
                    study_reminders.c.id == reminder.id,
                    study_reminders.c.next_at == reminder.next_at,
                )
                .values(next_at=new_next_at)
            )
            return result.rowcount == 1

        return await self.db.run("claim reminder", run, write=True)

    # ----- privacy

    async def forget(self, user_hash: str) -> Forgotten:
        """Delete everything these tables hold about the person with *user_hash*."""

        def run(conn: Connection) -> Forgotten:
            reminders = conn.execute(
                delete(study_reminders).where(study_reminders.c.user_hash == user_hash)
            ).rowcount
            plans = conn.execute(
                delete(study_plans).where(study_plans.c.user_hash == user_hash)
            ).rowcount
            return Forgotten(int(plans or 0), int(reminders or 0))

        return await self.db.run("forget", run, write=True)


def _reminder(row: Row[Any]) -> SavedReminder:
    hours, minutes = (int(part) for part in str(row.local_time).split(":"))
    cadence: Cadence = "daily" if row.cadence == "daily" else "weekly"
    weekday = int(row.weekday) if row.weekday is not None else None
    return SavedReminder(
        id=int(row.id),
        user_hash=str(row.user_hash),
        platform=str(row.platform),
        spec=ReminderSpec(cadence, time(hours, minutes), weekday),
        tz=str(row.tz),
        next_at=row.next_at,
        address=str(row.address),
    )
