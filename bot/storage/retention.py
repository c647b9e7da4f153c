"""The retention purge: question text after FINOPS_RETENTION_DAYS, dedup claims after a day,
thread memory after half an hour of silence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, update

from bot.storage.claims import purge_claims
from bot.storage.context import purge_contexts
from bot.storage.schema import questions

DEFAULT_RETENTION_DAYS = 90


@dataclass(frozen=True)
class PurgeResult:
    """What a retention purge removed."""

    texts_cleared: int
    dedup_keys_deleted: int
    contexts_deleted: int = 0


def purge(conn: Connection, now: datetime, retention_days: int) -> PurgeResult:
    """Clear question text older than *retention_days* (the rows, and counts, stay), delete
    expired dedup claims and the memory of conversations gone silent."""
    cutoff = now - timedelta(days=retention_days)
    cleared = conn.execute(
        update(questions)
        .where(questions.c.text.is_not(None), questions.c.asked_at < cutoff)
        .values(text=None)
    )
    return PurgeResult(
        int(cleared.rowcount or 0), purge_claims(conn, now), purge_contexts(conn, now)
    )
