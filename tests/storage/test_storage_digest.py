"""The digest's subscribers in the store: the Teams address column (schema version 7)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, inspect, select

from bot.conversation.study import Delivery
from bot.core.matching import MatchSettings
from bot.core.reply import Message, Reply
from bot.core.store import KnowledgeStore
from bot.storage import schema
from bot.storage.digest import WeeklyDigest
from bot.storage.schema import digest_subscribers
from tests.dbutil import execute, with_db
from tests.storage.conftest import OpenStorage

REFERENCE = '{"conversation": {"id": "a:admin-chat"}}'


async def test_a_version_6_database_gets_the_address_and_keeps_its_subscribers(
    open_storage: OpenStorage, db_url: str
) -> None:
    """Subscribers from before Teams delivery stay subscribed; the address column is added."""
    first = await open_storage()
    await first.learning.subscribe("slack", "U0ADMIN", True)
    await first.close()
    await execute(
        db_url,
        "ALTER TABLE finops_digest_subscribers DROP COLUMN address",
        "DELETE FROM finops_schema_version WHERE version >= 7",
        "INSERT INTO finops_schema_version (version, applied_at) VALUES (6, CURRENT_TIMESTAMP)",
    )
    upgraded = await open_storage()
    assert upgraded.schema_version == schema.SCHEMA_VERSION

    def columns(conn: Connection) -> set[str]:
        return {c["name"] for c in inspect(conn).get_columns("finops_digest_subscribers")}

    assert "address" in await with_db(db_url, columns)
    assert await upgraded.learning.subscribers() == [("slack", "U0ADMIN", None)]
    # The upgrade is idempotent: running it on the current table changes nothing.
    await with_db(db_url, schema.UPGRADES[7])
    assert "address" in await with_db(db_url, columns)


async def test_the_address_is_kept_while_subscribed_and_dropped_by_off(
    open_storage: OpenStorage, db_url: str
) -> None:
    """`digest on` keeps where to reach the admin; `digest off` forgets it."""
    store = await open_storage()
    await store.learning.subscribe("teams", "aad-1", True, REFERENCE)
    assert await store.learning.subscribers() == [("teams", "aad-1", REFERENCE)]
    await store.learning.subscribe("teams", "aad-1", False, REFERENCE)
    assert await store.learning.subscribers() == []

    def addresses(conn: Connection) -> list[object]:
        return list(conn.execute(select(digest_subscribers.c.address)).scalars())

    assert await with_db(db_url, addresses) == [None]  # kept only until `digest off`
    await store.learning.subscribe("teams", "aad-1", True)
    assert await store.learning.subscribers() == [("teams", "aad-1", None)]


async def test_digest_on_needs_a_way_back_where_the_platform_needs_an_address(
    open_storage: OpenStorage, bundled_store: KnowledgeStore
) -> None:
    """Without a Reach, Teams cannot keep an address: nothing is subscribed, and it says why."""
    store = await open_storage()
    digest = WeeklyDigest(store, bundled_store, MatchSettings())
    sent: list[tuple[str, Reply]] = []

    async def teams(address: str, reply: Reply) -> None:
        sent.append((address, reply))

    digest.addressed["teams"] = teams
    teams_admin = Message("", user_id="aad-1", platform="teams", place="a:chat", private=True)
    shown = (await digest.digest_verb(teams_admin, "on")).sections[0].text
    assert "Turn the digest on in a 1:1 chat with me" in shown
    assert await store.learning.subscribers() == []

    async def reach() -> Delivery:
        return Delivery(REFERENCE)

    shown = (await digest.digest_verb(teams_admin, "on", reach)).sections[0].text
    assert shown == "You will get the weekly digest as a DM every week."
    # A platform with no sender (the terminal chat) is told where the digest goes.
    terminal = Message("", user_id="me", platform="terminal", place="t", private=True)
    shown = (await digest.digest_verb(terminal, "on")).sections[0].text
    assert "(this platform cannot send it: it goes out on Teams only)" in shown
    digest.clock = lambda: store.now() + timedelta(days=7)
    assert await digest.check() == 1
    assert [address for address, _ in sent] == [REFERENCE]
