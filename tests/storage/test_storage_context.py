"""Thread memory in the shared store: shared by instances, forgotten after silence, purged."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.conversation.context import context_key
from bot.core.reply import Message
from bot.core.subject import Subject
from bot.storage.schema import SCHEMA_VERSION, contexts, schema_version
from tests.dbutil import dump, execute, with_db
from tests.storage.conftest import FakeClock, OpenStorage

RAW_USER = "U0RAWCONTEXTUSER"


def _key(user: str = RAW_USER, place: str = "D0PLACE") -> str:
    key = context_key(Message("x", user_id=user, platform="slack", place=place, private=True))
    assert key is not None
    return key


async def test_a_subject_remembered_on_one_instance_is_recalled_on_another(
    open_storage: OpenStorage, db_url: str
) -> None:
    """Instance B reads what A remembered; only a hash of the place and user is stored."""
    a, b = await open_storage(), await open_storage()
    await a.context.remember(_key(), Subject("focp", "price"))
    await a.context.settle()  # the shared write runs in the background
    assert await b.context.recall(_key()) == Subject("focp", "price")
    await b.context.remember(_key(), Subject("fcp", None))
    await b.context.settle()  # the shared write runs in the background
    assert await a.context.recall(_key()) == Subject("fcp", None)
    assert await a.context.recall(_key(user="U0OTHER")) is None
    everything = await dump(db_url)
    assert "fcp" in everything  # the dump really holds the row
    assert RAW_USER not in everything
    assert "D0PLACE" not in everything


async def test_a_subject_is_forgotten_after_half_an_hour_and_purged(
    open_storage: OpenStorage, db_url: str
) -> None:
    """29 minutes of silence keeps the subject; 31 forget it, and the purge deletes the row."""
    clock = FakeClock()
    store = await open_storage(clock=clock)
    await store.context.remember(_key(), Subject("foce", "exam_length"))
    await store.context.settle()  # the shared write runs in the background
    clock.advance(minutes=29)
    assert await store.context.recall(_key()) == Subject("foce", "exam_length")
    await store.context.remember(_key(place="D0LATER"), Subject("fcp"))
    await store.context.settle()  # the shared write runs in the background
    clock.advance(minutes=2)
    assert await store.context.recall(_key()) is None
    assert await store.context.recall(_key(place="D0LATER")) == Subject("fcp")
    result = await store.purge()
    assert result.contexts_deleted == 1
    keys = await with_db(db_url, lambda c: c.execute(select(contexts.c.key)).scalars().all())
    assert keys == [_key(place="D0LATER")]


async def test_a_version_4_database_gets_the_context_table(
    open_storage: OpenStorage, db_url: str
) -> None:
    """A database from before thread memory moved into the store is upgraded at start."""
    first = await open_storage()
    await first.close()
    await execute(
        db_url, "DROP TABLE finops_context", "DELETE FROM finops_schema_version WHERE version >= 5"
    )
    upgraded = await open_storage()
    assert upgraded.schema_version == SCHEMA_VERSION
    versions = await with_db(
        db_url, lambda c: sorted(c.execute(select(schema_version.c.version)).scalars().all())
    )
    assert versions[versions.index(4) :] == list(range(4, SCHEMA_VERSION + 1))
    await upgraded.context.remember(_key(), Subject("focp"))
    await upgraded.context.settle()  # the shared write runs in the background
    assert await upgraded.context.recall(_key()) == Subject("focp")


async def test_memory_stands_in_while_the_store_is_down(open_storage: OpenStorage) -> None:
    """With the store unreachable, this instance still resolves its own follow-ups."""
    store = await open_storage()
    await store.close()  # every operation now fails fast and is counted
    await store.context.remember(_key(), Subject("focp", "price"))
    await store.context.settle()  # the shared write runs in the background
    assert await store.context.recall(_key()) == Subject("focp", "price")


@pytest.mark.parametrize(
    "about",
    [
        Subject(None, None, ("architect", "foce", "professional-b")),  # a path's list, in order
        Subject(None, None, faq="focus-spec"),  # the concept FAQ last answered
        # ... and the one before it ("how is it different from the other one?")
        Subject(None, None, faq="term-blended-unblended-rates", before="term-amortized-cost"),
    ],
)
async def test_the_whole_subject_is_shared(open_storage: OpenStorage, about: Subject) -> None:
    """A path's list (in order) and the FAQ last answered come back on another instance."""
    a, b = await open_storage(), await open_storage()
    await a.context.remember(_key(), about)
    await a.context.settle()  # the shared write runs in the background
    assert await b.context.recall(_key()) == about


@pytest.mark.parametrize(
    ("downgrade", "kept", "new"),
    [
        (  # version 8 added the path's list
            (
                "ALTER TABLE finops_context DROP COLUMN choices",
                "DELETE FROM finops_schema_version WHERE version >= 8",
            ),
            Subject("focp", "price"),
            Subject(None, None, ("foce", "focp")),
        ),
        (  # version 9 added the FAQ last answered
            (
                "ALTER TABLE finops_context DROP COLUMN faq",
                "DELETE FROM finops_schema_version WHERE version >= 9",
            ),
            Subject(None, None, ("foce", "focp")),
            Subject("focp", faq="focus-spec"),
        ),
        (  # version 10 added the concept answered before the last
            (
                "ALTER TABLE finops_context DROP COLUMN before_faq",
                "DELETE FROM finops_schema_version WHERE version >= 10",
            ),
            Subject("focp", faq="focus-spec"),
            Subject(None, faq="term-blended-unblended-rates", before="term-amortized-cost"),
        ),
    ],
)
async def test_an_older_database_gets_the_new_column_and_keeps_its_subjects(
    open_storage: OpenStorage,
    db_url: str,
    downgrade: tuple[str, ...],
    kept: Subject,
    new: Subject,
) -> None:
    """Subjects kept before a column was added survive the upgrade that adds it."""
    first = await open_storage()
    await first.context.remember(_key(), kept)
    await first.context.settle()  # the shared write runs in the background
    await first.close()
    await execute(db_url, *downgrade)
    upgraded = await open_storage()
    assert upgraded.schema_version == SCHEMA_VERSION
    assert await upgraded.context.recall(_key()) == kept
    await upgraded.context.remember(_key(), new)
    await upgraded.context.settle()  # the shared write runs in the background
    assert await upgraded.context.recall(_key()) == new
