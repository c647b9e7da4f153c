"""The admin views' reads: stats, unanswered questions and the export rows.

Each returns the plain dataclasses of `bot.core.insights`, which turns them into replies.
Every read covers at most the requested period and is bounded by the store's timeouts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, case, func, or_, select

from bot.core.insights import OUTCOMES, AskedQuestion, ExportRow, FaqCount, FaqVotes, Stats
from bot.storage.engine import Database
from bot.storage.schema import clicks, feedback, questions


class Reports:
    """Reads for `stats`, `unanswered` and `export`."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        """Read from *db*; periods end at *clock*'s now."""
        self.db = db
        self._clock = clock

    def _since(self, days: int) -> datetime:
        return self._clock() - timedelta(days=days)

    async def stats(self, days: int, top: int = 5) -> Stats:
        """Return the counts behind `/finops-admin stats` for the last *days* days."""
        since = self._since(days)

        def read(conn: Connection) -> Stats:
            counts = dict.fromkeys(OUTCOMES, 0)
            rows = conn.execute(
                select(questions.c.outcome, func.count())
                .where(questions.c.asked_at >= since)
                .group_by(questions.c.outcome)
            )
            for outcome, n in rows:
                if outcome in counts:
                    counts[outcome] = int(n)
            n_col = func.count().label("n")
            top_rows = conn.execute(
                select(questions.c.faq_id, n_col)
                .where(
                    questions.c.asked_at >= since,
                    questions.c.outcome == "answered",
                    questions.c.faq_id.is_not(None),
                )
                .group_by(questions.c.faq_id)
                .order_by(n_col.desc(), questions.c.faq_id)
                .limit(top)
            )
            up = func.sum(case((feedback.c.vote == "up", 1), else_=0))
            down = func.sum(case((feedback.c.vote == "down", 1), else_=0))
            votes = [
                FaqVotes(str(f), int(u or 0), int(d or 0))
                for f, u, d in conn.execute(
                    select(feedback.c.faq_id, up, down)
                    .where(feedback.c.at >= since)
                    .group_by(feedback.c.faq_id)
                )
            ]
            most_down = sorted(
                (v for v in votes if v.down), key=lambda v: (-v.down, v.up, v.faq_id)
            )[:top]
            suggestion_clicks = conn.scalar(
                select(func.count()).where(clicks.c.at >= since, clicks.c.kind == "suggestion")
            )
            platforms = conn.execute(
                select(questions.c.platform, n_col)
                .where(questions.c.asked_at >= since)
                .group_by(questions.c.platform)
                .order_by(n_col.desc(), questions.c.platform)
            )
            return Stats(
                days=days,
                answered=counts["answered"],
                suggested=counts["suggested"],
                declined=counts["declined"],
                top_faqs=tuple(FaqCount(str(f), int(n)) for f, n in top_rows),
                most_down=tuple(most_down),
                votes_up=sum(v.up for v in votes),
                votes_down=sum(v.down for v in votes),
                suggestion_clicks=int(suggestion_clicks or 0),
                platforms=tuple((str(p), int(n)) for p, n in platforms),
            )

        return await self.db.run("stats", read)

    async def unanswered(
        self, days: int, low_score: float, limit: int = 2000
    ) -> list[AskedQuestion]:
        """Return recent declined, suggested or low-score answered questions, newest first."""
        since = self._since(days)

        def read(conn: Connection) -> list[AskedQuestion]:
            rows = conn.execute(
                select(
                    questions.c.text,
                    questions.c.outcome,
                    questions.c.score,
                    questions.c.asked_at,
                    questions.c.faq_id,
                )
                .where(
                    questions.c.asked_at >= since,
                    questions.c.text.is_not(None),
                    or_(
                        questions.c.outcome != "answered",
                        and_(questions.c.outcome == "answered", questions.c.score < low_score),
                    ),
                )
                .order_by(questions.c.asked_at.desc(), questions.c.id.desc())
                .limit(limit)
            )
            return [
                AskedQuestion(str(t), o, float(s), a, f) for t, o, s, a, f in rows if o in OUTCOMES
            ]

        return await self.db.run("unanswered", read)

    async def export_rows(self, days: int, limit: int = 100_000) -> list[ExportRow]:
        """Return recorded questions of the last *days* days, oldest first (hashed users)."""
        since = self._since(days)

        def read(conn: Connection) -> list[ExportRow]:
            q = questions.c
            rows = conn.execute(
                select(
                    q.asked_at,
                    q.platform,
                    q.via,
                    q.user_hash,
                    q.outcome,
                    q.faq_id,
                    q.score,
                    q.knowledge_version,
                    q.text,
                )
                .where(q.asked_at >= since)
                .order_by(q.asked_at, q.id)
                .limit(limit)
            )
            return [ExportRow(*row) for row in rows]

        return await self.db.run("export", read)
