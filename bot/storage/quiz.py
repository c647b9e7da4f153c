"""Practice progress in the shared store: answers and review schedules per hashed user.

Unlike questions and clicks (queued, written behind), an answer is written before the reply
goes out: the next question, on whichever instance the click lands, depends on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select

from bot.core.quiz import Attempt, History, Review
from bot.storage.engine import Database, insert
from bot.storage.recorder import UserHasher
from bot.storage.schema import quiz_answers, quiz_cards

MAX_ATTEMPTS = 5000  # the newest answers a history holds (progress needs no more)


def _naive(moment: datetime) -> datetime:
    """Return *moment* as the naive UTC datetime every table stores."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


class QuizProgressStore:
    """Reads and writes one person's practice through the shared store."""

    def __init__(self, db: Database, hasher: UserHasher, clock: Callable[[], datetime]) -> None:
        """Keep progress in *db*, people hashed by *hasher*."""
        self.db = db
        self.hash = hasher
        self._clock = clock

    def now(self) -> datetime:
        """Return the store's clock as an aware UTC datetime."""
        return _aware(self._clock())

    async def history(self, platform: str, user_id: str) -> History:
        """Return everything stored about *user_id*'s practice; raise StoreUnavailableError."""
        user_hash = self.hash(platform, user_id)

        def read(conn: Connection) -> History:
            rows = conn.execute(
                select(
                    quiz_answers.c.question_id,
                    quiz_answers.c.cert,
                    quiz_answers.c.domain,
                    quiz_answers.c.correct,
                    quiz_answers.c.at,
                )
                .where(quiz_answers.c.user_hash == user_hash)
                .order_by(quiz_answers.c.at.desc(), quiz_answers.c.id.desc())
                .limit(MAX_ATTEMPTS)
            ).all()
            attempts = tuple(
                Attempt(q, cert, domain, bool(correct), _aware(at))
                for q, cert, domain, correct, at in reversed(rows)
            )
            cards = conn.execute(
                select(quiz_cards.c.question_id, quiz_cards.c.card, quiz_cards.c.due).where(
                    quiz_cards.c.user_hash == user_hash
                )
            ).all()
            reviews = {q: Review(q, card, _aware(due)) for q, card, due in cards}
            return History(attempts, reviews)

        return await self.db.run("quiz history", read)

    async def record(
        self,
        platform: str,
        user_id: str,
        attempt: Attempt,
        choice: int,
        review: Review,
    ) -> None:
        """Store one answer and the question's new schedule in one transaction."""
        user_hash = self.hash(platform, user_id)
        at = _naive(attempt.at)

        def write(conn: Connection) -> None:
            conn.execute(
                quiz_answers.insert().values(
                    at=at,
                    user_hash=user_hash,
                    cert=attempt.cert,
                    question_id=attempt.question_id,
                    domain=attempt.domain,
                    choice=choice,
                    correct=attempt.correct,
                )
            )
            card = {"card": review.card, "due": _naive(review.due), "updated_at": at}
            upsert = insert(conn, quiz_cards).values(
                user_hash=user_hash, question_id=attempt.question_id, cert=attempt.cert, **card
            )
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[quiz_cards.c.user_hash, quiz_cards.c.question_id], set_=card
                )
            )

        await self.db.run("quiz answer", write, write=True)

    async def forget_user(self, user_hash: str) -> int:
        """Delete every practice answer and schedule of *user_hash*; return the rows deleted."""

        def erase(conn: Connection) -> int:
            answers = conn.execute(
                delete(quiz_answers).where(quiz_answers.c.user_hash == user_hash)
            )
            cards = conn.execute(delete(quiz_cards).where(quiz_cards.c.user_hash == user_hash))
            return int(answers.rowcount or 0) + int(cards.rowcount or 0)

        return await self.db.run("quiz forget", erase, write=True)
