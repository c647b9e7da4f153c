"""Reminder times: the next local HH:MM (daily, or weekly on a weekday) as a UTC instant."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.text import fold

Cadence = Literal["daily", "weekly"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_TZ = "UTC"
REMIND_USAGE = (
    "/finops-plan remind daily HH:MM, or /finops-plan remind weekly [DAY] HH:MM "
    "(DAY: mon to sun, Monday if left out), in your own time zone"
)
_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


@dataclass(frozen=True)
class ReminderSpec:
    """When a person wants their nudge: daily or weekly (on *weekday*, 0 = Monday) at HH:MM."""

    cadence: Cadence
    at: time
    weekday: int | None = None

    def describe(self, tz: str) -> str:
        """Return the schedule in words, e.g. 'every Monday at 08:30 (Europe/Paris)'."""
        when = "every day" if self.weekday is None else f"every {WEEKDAYS[self.weekday].title()}"
        return f"{when} at {self.at:%H:%M} ({tz})"


def parse_reminder(text: str) -> ReminderSpec | str:
    """Read 'daily 08:30' or 'weekly fri 17:00'; return the spec or a usage message."""
    words = fold(text).replace(" at ", " ").split()
    if not words or words[0] not in ("daily", "weekly"):
        return f"Usage: {REMIND_USAGE}."
    cadence: Cadence = "daily" if words[0] == "daily" else "weekly"
    weekday: int | None = None
    rest = words[1:]
    if cadence == "weekly":
        weekday = 0
        if rest and not _TIME.match(rest[0]):
            day = next(
                (i for i, d in enumerate(WEEKDAYS) if len(rest[0]) >= 3 and d.startswith(rest[0])),
                None,
            )
            if day is None:
                return f"I don't know the day '{rest[0][:20]}'. Usage: {REMIND_USAGE}."
            weekday, rest = day, rest[1:]
    if len(rest) != 1 or not (m := _TIME.match(rest[0])):
        return f"Give the time as HH:MM on a 24-hour clock. Usage: {REMIND_USAGE}."
    return ReminderSpec(cadence, time(int(m.group(1)), int(m.group(2))), weekday)


def zone(name: str | None) -> tuple[ZoneInfo, str]:
    """Return the time zone called *name* and its name, or UTC when it is unknown or missing."""
    if name:
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(DEFAULT_TZ), DEFAULT_TZ


def next_at(spec: ReminderSpec, tz_name: str, after: datetime) -> datetime:
    """Return the first reminder time strictly after *after* (naive UTC), as naive UTC."""
    tz, _ = zone(tz_name)
    local = after.replace(tzinfo=UTC).astimezone(tz)
    day = local.date()
    for _ in range(9):
        due = datetime.combine(day, spec.at, tzinfo=tz)
        if (spec.weekday is None or day.weekday() == spec.weekday) and due > local:
            return due.astimezone(UTC).replace(tzinfo=None)
        day += timedelta(days=1)
    raise AssertionError("unreachable: a weekday recurs within 8 days")  # pragma: no cover
