"""Privacy by design: salted hashes instead of user ids, question text purged after retention."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import Path

import pytest

from bot.storage.store import Storage
from bot.storage.urls import backend_of
from tests.dbutil import dump
from tests.polling import until
from tests.storage.conftest import FakeClock, OpenStorage

RAW_ID = "U0RAWSECRETID"
SALT = "a-salt-only-the-operator-knows-4f9c2e"


def _ask(store: Storage, text: str, user: str = RAW_ID) -> None:
    store.record_question(
        platform="slack",
        user_id=user,
        text=text,
        outcome="declined",
        faq_id=None,
        score=12.0,
        knowledge_version="v1",
        via="dm",
    )


async def _record_everything(store: Storage) -> None:
    _ask(store, "what does the exam cost")
    store.record_feedback(platform="slack", user_id=RAW_ID, faq_id="exam-price", vote="up")
    store.record_click(platform="slack", user_id=RAW_ID, kind="suggestion", faq_id="exam-price")
    store.record_admin(platform="slack", user_id=RAW_ID, verb="stats", args="7", allowed=False)
    await asyncio.wait_for(store.flush(), 5)


async def test_no_raw_user_id_anywhere_in_the_database(
    open_storage: OpenStorage, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every table holds the HMAC of the id, never the id; with FINOPS_HASH_SALT, no salt either."""
    with caplog.at_level(logging.DEBUG, logger="bot"):
        store = await open_storage(salt=SALT)
        await _record_everything(store)
    everything = await dump(db_url)
    assert "exam-price" in everything  # the dump really holds the rows
    assert RAW_ID not in everything
    assert SALT not in everything
    assert store.user_hash("slack", RAW_ID) in everything
    assert hashlib.sha256(RAW_ID.encode()).hexdigest() not in everything  # not a plain hash
    assert RAW_ID not in caplog.text
    assert SALT not in caplog.text
    if backend_of(db_url) == "sqlite":
        await store.close()
        path = Path(db_url.split(":///", 1)[1])
        for file in path.parent.glob(path.name + "*"):  # the file, its WAL and shared memory
            raw = file.read_bytes()
            assert RAW_ID.encode() not in raw
            assert SALT.encode() not in raw


async def test_the_hash_depends_on_the_salt(open_storage: OpenStorage, db_url: str) -> None:
    """Same id, same salt: same hash (instances agree); another salt: an unrelated hash."""
    generated = await open_storage()
    configured = await open_storage(salt=SALT)
    again = await open_storage(salt=SALT)
    other = await open_storage(salt=SALT[::-1])
    h = configured.user_hash("slack", RAW_ID)
    assert h == again.user_hash("slack", RAW_ID)
    assert len({h, other.user_hash("slack", RAW_ID), generated.user_hash("slack", RAW_ID)}) == 3
    # Platform-scoped: the same id string on Teams is another person.
    assert configured.user_hash("teams", RAW_ID) != h


async def test_a_changed_salt_is_reported_without_showing_it(
    open_storage: OpenStorage, caplog: pytest.LogCaptureFixture
) -> None:
    """Records hashed with one salt and a later start with another: warned, salt never logged."""
    await open_storage(salt=SALT)
    with caplog.at_level(logging.WARNING):
        await open_storage(salt=SALT + "-changed")
    assert "hash salt differs" in caplog.text
    assert SALT not in caplog.text


async def test_retention_purges_old_text_and_keeps_counts(open_storage: OpenStorage) -> None:
    """Text older than the retention period is cleared; the questions still count in stats."""
    clock = FakeClock()
    store = await open_storage(clock=clock, retention_days=90)
    _ask(store, "an old question about the exam")
    await asyncio.wait_for(store.flush(), 5)
    clock.advance(days=89)
    _ask(store, "a recent question about the exam")
    await asyncio.wait_for(store.flush(), 5)
    assert (await store.purge()).texts_cleared == 0
    clock.advance(days=2)  # the first is now 91 days old
    result = await store.purge()
    assert result.texts_cleared == 1
    rows = await store.export_rows(365)
    assert [r.question for r in rows] == [None, "a recent question about the exam"]
    assert (await store.stats(365)).declined == 2
    assert [q.text for q in await store.unanswered(365, 60.0)] == [
        "a recent question about the exam"
    ]
    assert (await store.purge()).texts_cleared == 0  # idempotent


async def test_purge_runs_at_start(db_url: str) -> None:
    """A store that starts purges straight away (the periodic task's first run)."""
    clock = FakeClock()
    first = Storage(db_url, clock=clock, retention_days=30)
    await first.start()
    _ask(first, "will be too old at the next start")
    await asyncio.wait_for(first.flush(), 5)
    await first.close()
    clock.advance(days=31)
    second = Storage(db_url, clock=clock, retention_days=30)
    await second.start()
    try:

        async def purged() -> bool:
            return (await second.export_rows(365))[0].question is None

        await until(purged)
    finally:
        await second.close()


async def test_retention_zero_keeps_no_text(open_storage: OpenStorage) -> None:
    """FINOPS_RETENTION_DAYS=0: outcomes are recorded, question text never is."""
    store = await open_storage(retention_days=0)
    _ask(store, "never stored")
    await asyncio.wait_for(store.flush(), 5)
    (row,) = await store.export_rows(1)
    assert row.question is None
    assert row.outcome == "declined"


async def test_expired_dedup_keys_are_purged(open_storage: OpenStorage) -> None:
    """Dedup keys live a day: enough for Slack's retries, not a growing table."""
    clock = FakeClock()
    store = await open_storage(clock=clock)
    assert await store.claim("slack:event:old") is True
    clock.advance(days=2)
    assert (await store.purge()).dedup_keys_deleted == 1
    assert await store.claim("slack:event:old") is True
