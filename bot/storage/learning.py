"""What was taught in chat, feedback reasons and the digest's schedule, in the shared store.

Every change to what was taught bumps one generation row; each instance polls it (see
`LearnedSync`) and re-reads the approved rows when it moves, so a teach on one instance
reaches every instance within a poll. Suggestions by non-admins wait as `pending` and are
never read into the knowledge until an admin approves them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, delete, desc, func, select, update

from bot.core.learned import Learned, TaughtFaq, TaughtPhrase
from bot.storage.engine import Database, insert, insert_ignore
from bot.storage.recorder import UserHasher, clean_text
from bot.storage.schema import (
    digest_runs,
    digest_subscribers,
    feedback,
    feedback_reasons,
    learned,
    learned_state,
)

MAX_REASON_TEXT = 500


@dataclass(frozen=True)
class Suggestion:
    """A non-admin's suggestion waiting for an admin (or a taught row, for listings)."""

    id: int
    kind: str
    faq_id: str
    question: str
    answer: str | None
    source: str | None
    status: str
    created_at: datetime


@dataclass(frozen=True)
class ReasonRow:
    """One thumbs-down with its reason."""

    at: datetime
    faq_id: str
    reason: str
    text: str | None


class Subscriber(NamedTuple):
    """An admin who gets the weekly digest, and where (an address only their platform reads)."""

    platform: str
    user_id: str
    address: str | None = None


@dataclass(frozen=True)
class FaqVoteCount:
    """How many thumbs-down one FAQ got."""

    faq_id: str
    downs: int


class Learning:
    """The store's side of teaching, feedback reasons and the weekly digest."""

    def __init__(self, db: Database, clock: Callable[[], datetime], hasher: UserHasher) -> None:
        """Work on *db* with *clock*; user ids are stored as *hasher* hashes."""
        self.db = db
        self._clock = clock
        self._hash = hasher

    # ----- teaching

    async def generation(self) -> int:
        """Return the learned knowledge's generation (0 before anything was taught)."""

        def read(conn: Connection) -> int:
            value = conn.scalar(select(learned_state.c.generation).where(learned_state.c.id == 1))
            return int(value or 0)

        return await self.db.run("learned poll", read)

    async def approved(self) -> Learned:
        """Return everything taught and approved, oldest first."""

        def read(conn: Connection) -> Learned:
            rows = conn.execute(
                select(learned).where(learned.c.status == "approved").order_by(learned.c.id)
            ).all()
            return _learned_of(rows)

        return await self.db.run("learned read", read)

    async def add(
        self,
        platform: str,
        user_id: str,
        *,
        kind: str,
        faq_id: str,
        question: str,
        answer: str | None = None,
        source: str | None = None,
        approved: bool,
    ) -> int:
        """Store a teach (approved) or a suggestion (pending); return its id."""
        now = self._clock()
        by = self._hash(platform, user_id)

        def write(conn: Connection) -> int:
            row = conn.execute(
                learned.insert().values(
                    kind=kind,
                    faq_id=faq_id,
                    question=clean_text(question, 1000),
                    answer=None if answer is None else clean_text(answer, 4000),
                    source=source,
                    status="approved" if approved else "pending",
                    by_hash=by,
                    created_at=now,
                    decided_at=now if approved else None,
                )
            )
            if approved:
                _bump(conn, now)
            return int(row.inserted_primary_key[0])  # type: ignore[index]

        return await self.db.run("teach", write, write=True)

    async def forget(self, faq_id: str, normalised: Callable[[str], str], text: str) -> int:
        """Delete the learned phrasing *text* of *faq_id*; return how many rows went."""
        now = self._clock()
        key = normalised(text)

        def write(conn: Connection) -> int:
            rows = conn.execute(
                select(learned.c.id, learned.c.question).where(
                    learned.c.kind == "phrase",
                    learned.c.faq_id == faq_id,
                    learned.c.status == "approved",
                )
            ).all()
            ids = [r.id for r in rows if normalised(r.question) == key]
            if ids:
                conn.execute(delete(learned).where(learned.c.id.in_(ids)))
                _bump(conn, now)
            return len(ids)

        return await self.db.run("forget", write, write=True)

    async def pending(self, limit: int = 20) -> list[Suggestion]:
        """Return the suggestions waiting for an admin, oldest first."""

        def read(conn: Connection) -> list[Suggestion]:
            rows = conn.execute(
                select(learned)
                .where(learned.c.status == "pending")
                .order_by(learned.c.id)
                .limit(limit)
            ).all()
            return [_suggestion(r) for r in rows]

        return await self.db.run("suggestions", read)

    async def get(self, row_id: int) -> Suggestion | None:
        """Return one taught or suggested row."""

        def read(conn: Connection) -> Suggestion | None:
            row = conn.execute(select(learned).where(learned.c.id == row_id)).first()
            return None if row is None else _suggestion(row)

        return await self.db.run("suggestion", read)

    async def decide(self, row_id: int, approve: bool, **changes: str) -> bool:
        """Approve (with *changes*: kind, faq_id, source) or reject a pending suggestion.

        Returns False when no pending suggestion has that id.
        """
        now = self._clock()

        def write(conn: Connection) -> bool:
            values: dict[str, object] = {
                "status": "approved" if approve else "rejected",
                "decided_at": now,
                **changes,
            }
            done = conn.execute(
                update(learned)
                .where(learned.c.id == row_id, learned.c.status == "pending")
                .values(**values)
            ).rowcount
            if done and approve:
                _bump(conn, now)
            return bool(done)

        return await self.db.run("decide", write, write=True)

    async def mark_exported(self) -> int:
        """Mark every approved row as exported; return how many."""
        now = self._clock()

        def write(conn: Connection) -> int:
            return int(
                conn.execute(
                    update(learned)
                    .where(learned.c.status == "approved", learned.c.exported_at.is_(None))
                    .values(exported_at=now)
                ).rowcount
            )

        return await self.db.run("export", write, write=True)

    async def clear_exported(self) -> int:
        """Delete what was exported (it is in the YAML now); return how many rows went."""
        now = self._clock()

        def write(conn: Connection) -> int:
            gone = int(
                conn.execute(delete(learned).where(learned.c.exported_at.is_not(None))).rowcount
            )
            if gone:
                _bump(conn, now)
            return gone

        return await self.db.run("clear", write, write=True)

    # ----- feedback reasons

    async def add_reason(
        self, platform: str, user_id: str, faq_id: str, reason: str, text: str | None
    ) -> None:
        """Store why someone gave an answer a thumbs-down."""
        now = self._clock()
        by = self._hash(platform, user_id)
        words = clean_text(text, MAX_REASON_TEXT) if text else None

        def write(conn: Connection) -> None:
            conn.execute(
                feedback_reasons.insert().values(
                    at=now,
                    platform=platform,
                    user_hash=by,
                    faq_id=faq_id,
                    reason=reason,
                    text=words,
                )
            )

        await self.db.run("feedback reason", write, write=True)

    async def reasons(self, days: int, limit: int = 40) -> list[ReasonRow]:
        """Return the thumbs-down reasons of the last *days*, newest first."""
        since = self._clock() - timedelta(days=days)

        def read(conn: Connection) -> list[ReasonRow]:
            rows = conn.execute(
                select(feedback_reasons)
                .where(feedback_reasons.c.at >= since)
                .order_by(desc(feedback_reasons.c.at), desc(feedback_reasons.c.id))
                .limit(limit)
            ).all()
            return [ReasonRow(r.at, r.faq_id, r.reason, r.text) for r in rows]

        return await self.db.run("feedback reasons", read)

    async def downvotes(self, days: int, limit: int = 10) -> list[FaqVoteCount]:
        """Return the FAQs with the most thumbs-down in the last *days*."""
        since = self._clock() - timedelta(days=days)

        def read(conn: Connection) -> list[FaqVoteCount]:
            n = func.count().label("n")
            rows = conn.execute(
                select(feedback.c.faq_id, n)
                .where(feedback.c.at >= since, feedback.c.vote == "down")
                .group_by(feedback.c.faq_id)
                .order_by(desc(n), feedback.c.faq_id)
                .limit(limit)
            ).all()
            return [FaqVoteCount(r.faq_id, int(r.n)) for r in rows]

        return await self.db.run("downvotes", read)

    # ----- the weekly digest

    async def subscribe(
        self, platform: str, user_id: str, on: bool, address: str | None = None
    ) -> None:
        """Opt an admin in or out of the weekly digest; *address* is kept only while in."""
        now = self._clock()
        kept = address if on else None  # `digest off` forgets where to reach them

        def write(conn: Connection) -> None:
            upsert = insert(conn, digest_subscribers).values(
                platform=platform, user_id=user_id, subscribed=on, updated_at=now, address=kept
            )
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[digest_subscribers.c.platform, digest_subscribers.c.user_id],
                    set_={"subscribed": on, "updated_at": now, "address": kept},
                )
            )

        await self.db.run("digest subscribe", write, write=True)

    async def subscribers(self) -> list[Subscriber]:
        """Return every admin who opted in, with the address kept for them (if any)."""

        def read(conn: Connection) -> list[Subscriber]:
            c = digest_subscribers.c
            rows = conn.execute(
                select(c.platform, c.user_id, c.address)
                .where(c.subscribed.is_(True))
                .order_by(c.platform, c.user_id)
            ).all()
            return [Subscriber(str(p), str(u), a) for p, u, a in rows]

        return await self.db.run("digest subscribers", read)

    async def claim_period(self, period: str) -> bool:
        """Claim sending *period*'s digest; True for exactly one caller across instances."""
        now = self._clock()

        def write(conn: Connection) -> bool:
            done = conn.execute(
                insert_ignore(conn, digest_runs, {"period": period, "claimed_at": now})
            ).rowcount
            return bool(done)

        return await self.db.run("digest claim", write, write=True)


def _bump(conn: Connection, now: datetime) -> None:
    upsert = insert(conn, learned_state).values(id=1, generation=1, updated_at=now)
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=[learned_state.c.id],
            set_={"generation": learned_state.c.generation + 1, "updated_at": now},
        )
    )


def _suggestion(row: Any) -> Suggestion:
    r = row._mapping
    return Suggestion(
        id=int(r["id"]),
        kind=str(r["kind"]),
        faq_id=str(r["faq_id"]),
        question=str(r["question"]),
        answer=r["answer"],
        source=r["source"],
        status=str(r["status"]),
        created_at=r["created_at"],
    )


def _learned_of(rows: Sequence[Any]) -> Learned:
    phrases: list[TaughtPhrase] = []
    faqs: list[TaughtFaq] = []
    for row in rows:
        s = _suggestion(row)
        if s.kind == "faq" and s.answer and s.source:
            faqs.append(TaughtFaq(s.faq_id, s.question, s.answer, s.source))
        elif s.kind == "phrase":
            phrases.append(TaughtPhrase(s.faq_id, s.question))
    return Learned(tuple(phrases), tuple(faqs))
