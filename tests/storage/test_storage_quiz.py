"""Practice progress in the store: per hashed user, shared by instances, forgettable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, inspect, select

from bot.core.quiz import Attempt, Review, schedule
from bot.storage import schema
from bot.storage.schema import quiz_answers, quiz_cards, schema_version
from tests.dbutil import execute, with_db
from tests.storage.conftest import OpenStorage

AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _answer(question: str, correct: bool, at: datetime) -> tuple[Attempt, Review]:
    card, due = schedule(None, correct, at)
    return Attempt(question, "focp", "lifecycle", correct, at), Review(question, card, due)


async def test_answers_and_schedules_follow_the_person(open_storage: OpenStorage) -> None:
    first = await open_storage()
    second = await open_storage()
    for question, correct, minutes in (("focp-lc-01", True, 0), ("focp-lc-02", False, 1)):
        attempt, review = _answer(question, correct, AT + timedelta(minutes=minutes))
        await first.quiz.record("slack", "U1", attempt, 0, review)
    # The same question answered again replaces its schedule and adds an answer.
    attempt, review = _answer("focp-lc-02", True, AT + timedelta(minutes=5))
    await first.quiz.record("slack", "U1", attempt, 1, review)

    history = await second.quiz.history("slack", "U1")
    assert [(a.question_id, a.correct) for a in history.attempts] == [
        ("focp-lc-01", True),
        ("focp-lc-02", False),
        ("focp-lc-02", True),
    ]
    assert history.attempts[0].at == AT
    assert set(history.reviews or {}) == {"focp-lc-01", "focp-lc-02"}
    assert history.reviews is not None
    assert history.reviews["focp-lc-02"].due == review.due
    # Someone else, or the same id on another platform, has no history.
    assert (await second.quiz.history("slack", "U2")).attempts == ()
    assert (await second.quiz.history("teams", "U1")).attempts == ()


async def test_only_hashes_are_stored(open_storage: OpenStorage, db_url: str) -> None:
    storage = await open_storage()
    attempt, review = _answer("focp-lc-01", True, AT)
    await storage.quiz.record("slack", "U0SECRET", attempt, 0, review)

    def dump(conn: Connection) -> str:
        rows = [*conn.execute(select(quiz_answers)), *conn.execute(select(quiz_cards))]
        return repr(rows)

    stored = await with_db(db_url, dump)
    assert "U0SECRET" not in stored
    assert storage.user_hash("slack", "U0SECRET") in stored


async def test_forget_user_deletes_only_that_person(open_storage: OpenStorage) -> None:
    storage = await open_storage()
    for user in ("U1", "U2"):
        attempt, review = _answer("focp-lc-01", True, AT)
        await storage.quiz.record("slack", user, attempt, 0, review)
    deleted = await storage.quiz.forget_user(storage.user_hash("slack", "U1"))
    assert deleted == 2  # one answer, one schedule
    assert (await storage.quiz.history("slack", "U1")).attempts == ()
    assert len((await storage.quiz.history("slack", "U2")).attempts) == 1


async def test_a_version_2_database_gets_the_quiz_tables(
    open_storage: OpenStorage, db_url: str
) -> None:
    first = await open_storage()
    await first.close()
    await execute(
        db_url,
        "DROP TABLE finops_quiz_answers",
        "DROP TABLE finops_quiz_cards",
        "DELETE FROM finops_schema_version WHERE version > 2",
    )
    upgraded = await open_storage()
    assert upgraded.schema_version == schema.SCHEMA_VERSION
    names = await with_db(db_url, lambda conn: inspect(conn).get_table_names())
    assert {"finops_quiz_answers", "finops_quiz_cards"} <= set(names)
    versions = await with_db(
        db_url, lambda conn: sorted(v for (v,) in conn.execute(select(schema_version.c.version)))
    )
    assert versions[-1] == schema.SCHEMA_VERSION
    attempt, review = _answer("focp-lc-01", True, AT)
    await upgraded.quiz.record("slack", "U1", attempt, 0, review)
    assert len((await upgraded.quiz.history("slack", "U1")).attempts) == 1
