"""The tables (SQLAlchemy Core) and the small versioned migration run at every start.

Why not Alembic: a dozen small tables, one process kind, and migrations that must run by
themselves at start-up on both SQLite and PostgreSQL. A version table plus a dict of upgrade
functions does that in one file, with no config or script directory to ship. A fresh
database gets the current tables in one go and is stamped with the latest version (what
Alembic calls "stamp head"); an existing one runs each upgrade after its version, in order,
in one transaction. On PostgreSQL an advisory lock makes instances that start together take
turns; on SQLite every step is idempotent (CREATE IF NOT EXISTS, insert-or-ignore) and the
caller retries a step that lost a race for the file lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    inspect,
    select,
    text,
)

logger = logging.getLogger(__name__)

# Every table carries the prefix, so the bot can share a database (e.g. a platform's one
# free PostgreSQL) with other applications.
metadata = MetaData()
_Id = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER keys only


def _id() -> Column[int]:
    return Column("id", _Id, primary_key=True, autoincrement=True)


schema_version = Table(
    "finops_schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", DateTime, nullable=False),
)

meta = Table(
    "finops_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

questions = Table(
    "finops_questions",
    metadata,
    _id(),
    Column("asked_at", DateTime, nullable=False),
    Column("platform", String(20), nullable=False),
    Column("via", String(20), nullable=False),
    Column("user_hash", String(64), nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("faq_id", String(80)),
    Column("score", Float, nullable=False),
    Column("knowledge_version", String(64), nullable=False),
    # Cleared (NULL) after FINOPS_RETENTION_DAYS; the row and its counts stay.
    Column("text", Text),
    Index("ix_finops_questions_asked_at", "asked_at"),
)

feedback = Table(
    "finops_feedback",
    metadata,
    _id(),
    Column("at", DateTime, nullable=False),
    Column("platform", String(20), nullable=False),
    Column("user_hash", String(64), nullable=False),
    Column("faq_id", String(80), nullable=False),
    Column("vote", String(4), nullable=False),
    Index("ix_finops_feedback_at", "at"),
)

clicks = Table(
    "finops_clicks",
    metadata,
    _id(),
    Column("at", DateTime, nullable=False),
    Column("platform", String(20), nullable=False),
    Column("user_hash", String(64), nullable=False),
    # suggestion ("did you mean" choice), followup (related question), home (Home tab topic)
    Column("kind", String(20), nullable=False),
    Column("faq_id", String(80), nullable=False),
    Index("ix_finops_clicks_at", "at"),
)

admin_actions = Table(
    "finops_admin_actions",
    metadata,
    _id(),
    Column("at", DateTime, nullable=False),
    Column("platform", String(20), nullable=False),
    Column("user_hash", String(64), nullable=False),
    Column("verb", String(40), nullable=False),
    Column("args", String(200), nullable=False),
    Column("allowed", Boolean, nullable=False),
    Index("ix_finops_admin_actions_at", "at"),
)

dedup = Table(
    "finops_dedup",
    metadata,
    # A message an instance answers, e.g. slack:msg:C123:1700000000.000100; first insert wins.
    Column("key", String(255), primary_key=True),
    Column("seen_at", DateTime, nullable=False),
    Index("ix_finops_dedup_seen_at", "seen_at"),
)

knowledge_state = Table(
    "finops_knowledge_state",
    metadata,
    Column("id", Integer, primary_key=True),
    # Bumped by every successful admin reload; instances poll it and reload when it moves.
    Column("generation", Integer, nullable=False),
    Column("version", String(64)),
    Column("updated_at", DateTime, nullable=False),
)

channels = Table(
    "finops_channels",
    metadata,
    # An admin's `channels add` (True) or `channels remove` (False); FINOPS_CHANNELS is the
    # starting set these adjust, so a removed configured channel stays out after a restart.
    Column("channel_id", String(32), primary_key=True),
    Column("opted_in", Boolean, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)


learned = Table(
    "finops_learned",
    metadata,
    _id(),
    # phrase (a question linked to an FAQ) or faq (a new FAQ: question, answer, source).
    Column("kind", String(10), nullable=False),
    Column("faq_id", String(80), nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text),
    Column("source", String(80)),
    # approved (live on every instance), pending (a non-admin's suggestion) or rejected.
    Column("status", String(10), nullable=False),
    Column("by_hash", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("decided_at", DateTime),
    # Set by `finops-bot learned export`; `learned clear` deletes these rows.
    Column("exported_at", DateTime),
    Index("ix_finops_learned_status", "status"),
)

learned_state = Table(
    "finops_learned_state",
    metadata,
    Column("id", Integer, primary_key=True),
    # Bumped by every teach, forget, approval and clear; instances poll it and re-read.
    Column("generation", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

feedback_reasons = Table(
    "finops_feedback_reasons",
    metadata,
    _id(),
    Column("at", DateTime, nullable=False),
    Column("platform", String(20), nullable=False),
    Column("user_hash", String(64), nullable=False),
    Column("faq_id", String(80), nullable=False),
    # wrong, outdated, long, not-asked or other (with the person's words in text).
    Column("reason", String(20), nullable=False),
    Column("text", Text),
    Index("ix_finops_feedback_reasons_at", "at"),
)

digest_subscribers = Table(
    "finops_digest_subscribers",
    metadata,
    # Admins only (ids already in FINOPS_ADMINS/TEAMS_ADMINS): the digest is a DM to them.
    Column("platform", String(20), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("subscribed", Boolean, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # Where to DM them when the platform needs more than the id: the Teams conversation
    # reference (JSON) of the 1:1 chat they opted in from. Cleared by `digest off`.
    Column("address", Text),
)

digest_runs = Table(
    "finops_digest_runs",
    metadata,
    # One row per ISO week (2026-W49); the instance whose insert wins sends that week's digest.
    Column("period", String(16), primary_key=True),
    Column("claimed_at", DateTime, nullable=False),
)


def _add_teaching(conn: Connection) -> None:
    # Teaching from chat, feedback reasons and the weekly digest (issue 14).
    for table in (learned, learned_state, feedback_reasons, digest_subscribers, digest_runs):
        table.create(conn, checkfirst=True)


quiz_answers = Table(
    "finops_quiz_answers",
    metadata,
    _id(),
    # Every practice answer: per-domain accuracy and the study streak are read from these.
    Column("at", DateTime, nullable=False),
    Column("user_hash", String(64), nullable=False),
    Column("cert", String(80), nullable=False),
    Column("question_id", String(80), nullable=False),
    Column("domain", String(80), nullable=False),
    Column("choice", Integer, nullable=False),
    Column("correct", Boolean, nullable=False),
    Index("ix_finops_quiz_answers_user", "user_hash", "at"),
)

quiz_cards = Table(
    "finops_quiz_cards",
    metadata,
    # The spaced-repetition state (FSRS card JSON) of one question for one person.
    Column("user_hash", String(64), primary_key=True),
    Column("question_id", String(80), primary_key=True),
    Column("cert", String(80), nullable=False),
    Column("card", Text, nullable=False),
    Column("due", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)


def _add_quiz(conn: Connection) -> None:
    # Practice questions: answers and their review schedule, per hashed user.
    quiz_answers.create(conn, checkfirst=True)
    quiz_cards.create(conn, checkfirst=True)


# The longest list of program ids the context row keeps (ids are short; nine fit easily).
CHOICES_LENGTH = 400
# The longest FAQ id the knowledge accepts (bot.core.models.Id).
FAQ_ID_LENGTH = 80

contexts = Table(
    "finops_context",
    metadata,
    # What a thread, DM or chat is about, so a follow-up on any instance resolves against
    # it. The key is context_key()'s hash: no channel, thread or user id is stored.
    Column("key", String(64), primary_key=True),
    Column("program", String(80)),
    Column("attribute", String(40)),
    # A path's programs in order, comma-separated ("how much is the second one?").
    Column("choices", String(CHOICES_LENGTH)),
    # The FAQ last answered, for "is there a cert for it?" after "what is FOCUS?".
    Column("faq", String(FAQ_ID_LENGTH)),
    # The concept answered before it, for "how is it different from the other one?".
    Column("before_faq", String(FAQ_ID_LENGTH)),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_finops_context_updated_at", "updated_at"),
)

study_plans = Table(
    "finops_study_plans",
    metadata,
    # One saved plan per person (the salted hash, as everywhere); the plan is rebuilt from
    # these fields and the current knowledge, so nothing else about it is kept.
    Column("user_hash", String(64), primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("certification", String(80), nullable=False),
    Column("exam_date", Date, nullable=False),
    Column("hours_per_week", Float, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

study_reminders = Table(
    "finops_study_reminders",
    metadata,
    _id(),
    Column("user_hash", String(64), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("cadence", String(10), nullable=False),  # daily | weekly
    Column("weekday", Integer),  # 0 = Monday; weekly only
    Column("local_time", String(5), nullable=False),  # HH:MM in tz
    Column("tz", String(64), nullable=False),
    # The next time it fires (naive UTC); instances claim a firing by moving it forward.
    Column("next_at", DateTime, nullable=False),
    # Where to send it: the Slack DM channel, or the Teams conversation reference (JSON).
    Column("address", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("user_hash", "cadence", name="uq_finops_study_reminders_user_cadence"),
    Index("ix_finops_study_reminders_next_at", "next_at"),
)


def _add_channels(conn: Connection) -> None:
    # Channel opt-ins moved from a per-instance JSON file into the shared store.
    channels.create(conn, checkfirst=True)


def _add_context(conn: Connection) -> None:
    # Thread memory moved from each instance's memory into the shared store.
    contexts.create(conn, checkfirst=True)


def _add_study(conn: Connection) -> None:
    # The study companion's plans and reminders (self-contained: creates only its tables).
    study_plans.create(conn, checkfirst=True)
    study_reminders.create(conn, checkfirst=True)


def _add_digest_address(conn: Connection) -> None:
    # The digest's Teams delivery: the conversation reference kept with each subscriber.
    # Plain DDL naming its own column, so it stays right whatever the table becomes later.
    present = {c["name"] for c in inspect(conn).get_columns("finops_digest_subscribers")}
    if "address" not in present:
        conn.execute(text("ALTER TABLE finops_digest_subscribers ADD COLUMN address TEXT"))


def _add_context_choices(conn: Connection) -> None:
    # Thread memory keeps a certification path's list, for "the second one" follow-ups.
    present = {c["name"] for c in inspect(conn).get_columns("finops_context")}
    if "choices" not in present:
        conn.execute(
            text(f"ALTER TABLE finops_context ADD COLUMN choices VARCHAR({CHOICES_LENGTH})")
        )


def _add_context_faq(conn: Connection) -> None:
    # Thread memory keeps the FAQ last answered, for follow-ups about a concept.
    present = {c["name"] for c in inspect(conn).get_columns("finops_context")}
    if "faq" not in present:
        conn.execute(text(f"ALTER TABLE finops_context ADD COLUMN faq VARCHAR({FAQ_ID_LENGTH})"))


def _add_context_before(conn: Connection) -> None:
    # Thread memory keeps the concept answered before the last, for "the other one".
    present = {c["name"] for c in inspect(conn).get_columns("finops_context")}
    if "before_faq" not in present:
        conn.execute(
            text(f"ALTER TABLE finops_context ADD COLUMN before_faq VARCHAR({FAQ_ID_LENGTH})")
        )


SCHEMA_VERSION = 10
# version -> upgrade from version-1. Add one per schema change (and bump SCHEMA_VERSION);
# never edit one that has shipped. Fresh databases skip them: create_all builds the latest.
UPGRADES: dict[int, Callable[[Connection], None]] = {
    2: _add_channels,
    3: _add_teaching,
    4: _add_quiz,
    5: _add_context,
    6: _add_study,
    7: _add_digest_address,
    8: _add_context_choices,
    9: _add_context_faq,
    10: _add_context_before,
}

# Any constant works; instances of one install must agree on it.
_PG_LOCK_KEY = 0x46696E4F7073  # "FinOps"


def utcnow() -> datetime:
    """Return the current UTC time as the naive datetime every table stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def migrate(conn: Connection) -> int:
    """Bring the schema to SCHEMA_VERSION inside the caller's transaction; return the version.

    A database newer than this code (a rolling deploy) is left alone with a warning: upgrades
    only add, so older code keeps working on it.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
    schema_version.create(conn, checkfirst=True)
    current = conn.execute(select(func.max(schema_version.c.version))).scalar() or 0
    if current == 0:
        fresh = not inspect(conn).has_table(questions.name)
        metadata.create_all(conn, checkfirst=True)
        if fresh:
            logger.info("store: created the tables (schema version %d)", SCHEMA_VERSION)
        current = _stamp(conn, SCHEMA_VERSION if fresh else 1)
    if current > SCHEMA_VERSION:
        logger.warning(
            "store: schema version %d is newer than this code's %d; using it as it is",
            current,
            SCHEMA_VERSION,
        )
        return current
    for version in range(current + 1, SCHEMA_VERSION + 1):
        UPGRADES[version](conn)
        current = _stamp(conn, version)
        logger.info("store: migrated the schema to version %d", version)
    if conn.execute(select(knowledge_state.c.id)).first() is None:
        conn.execute(
            knowledge_state.insert().values(id=1, generation=0, version=None, updated_at=utcnow())
        )
    return current


def _stamp(conn: Connection, version: int) -> int:
    exists = conn.execute(
        select(schema_version.c.version).where(schema_version.c.version == version)
    ).first()
    if exists is None:
        conn.execute(schema_version.insert().values(version=version, applied_at=utcnow()))
    return version


def drop_all(conn: Connection) -> None:
    """Drop every table of ours (tests and `reset` tooling only)."""
    metadata.drop_all(conn, checkfirst=True)


def table_names() -> list[str]:
    """Return the names of our tables."""
    return sorted(metadata.tables)
