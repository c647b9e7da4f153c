"""The store through the real Slack server: recording, admin views, several instances, outages."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bot.core.insights import stale_faqs
from bot.core.store import KnowledgeStore
from bot.storage import claims
from bot.storage.schema import admin_actions, dedup
from bot.storage.urls import backend_of
from tests.conftest import BUNDLED
from tests.dbutil import execute, with_db
from tests.pg import PgServer
from tests.polling import until
from tests.slack.conftest import ADMIN, MARKER_CHANNEL, Harness, StartServer
from tests.slack.fakes import block_action, channel_message, mention, texts, vague_question

FAQ_ID = "focp-exam-format"
DECLINED = "who is bringing donuts on friday"


def _store_env(db_url: str) -> dict[str, str]:
    if backend_of(db_url) == "sqlite":
        return {"FINOPS_DB_PATH": db_url.split(":///", 1)[1]}
    return {"DATABASE_URL": db_url}


def _question(h: Harness) -> str:
    return h.bot.store.current.knowledge.faqs[FAQ_ID].question


Answer = Callable[[Harness, dict[str, Any], str], Awaitable[str]]


def _answerer(posts_to: Harness) -> Answer:
    """Return a function that sends an event to an instance and returns the text it posted.

    The instances in a test share *posts_to*'s fake Web API, so posts are counted there. The
    thread's subject is written in the background, long before a person types a follow-up;
    the function waits for that write rather than racing it.
    """
    posts = 0

    async def answer(h: Harness, event: dict[str, Any], event_id: str) -> str:
        nonlocal posts
        await h.slack.event(event, event_id=event_id)
        posts += 1
        posted = (await posts_to.fake.wait_for("chat.postMessage", posts))[posts - 1]
        await h.storage.context.settle()
        return texts(posted.body["blocks"])

    return answer


async def _admin(h: Harness, command: str, count: int) -> dict[str, Any]:
    """Run `/finops-admin COMMAND` as the admin; return the *count*-th webhook reply's body."""
    await h.slack.command("/finops-admin", command, h.fake.webhook_url, user_id=ADMIN)
    replies = await h.fake.wait_for("webhook", count, within=10)
    body: dict[str, Any] = replies[count - 1].body
    return body


async def test_questions_clicks_and_votes_are_recorded_after_answering(slack: Harness) -> None:
    """Mention, DM and opted-in channel questions are stored with their outcome; clicks too."""
    word, suggest = vague_question(slack.bot)
    question = f"<@U_BOT> {_question(slack)}"
    await slack.slack.event(mention(question, "1700002000.000100"), event_id="E1")
    await slack.slack.event(
        channel_message(DECLINED, "1700002000.000200", channel="D0USER", channel_type="im"),
        event_id="E2",
    )
    await slack.slack.event(channel_message(word, "1700002000.000300"), event_id="E3")
    # Chatter the bot stays silent on in an opted-in channel is not recorded at all.
    await slack.slack.event(channel_message(DECLINED, "1700002000.000400"), event_id="E4")
    await slack.fake.wait_for("chat.postMessage", 3)
    await slack.slack.interaction(
        block_action("feedback_3", f"down:{FAQ_ID}", slack.fake.webhook_url, ephemeral=True)
    )
    await slack.slack.interaction(
        block_action(
            "faq_open_0",
            suggest.suggestions[0].faq_id,
            slack.fake.webhook_url,
            block_id="faq_suggestions",
        )
    )
    await slack.fake.wait_for("webhook", 2)

    async def clicks_recorded() -> bool:
        # Recording follows the reply: wait until the vote and the click are in the store.
        await asyncio.wait_for(slack.storage.flush(), 5)
        stats = await slack.storage.stats(1)
        return (stats.votes_down, stats.suggestion_clicks) == (1, 1)

    await until(clicks_recorded)

    rows = await slack.storage.export_rows(1)
    assert [(r.via, r.outcome, r.question) for r in rows] == [
        ("mention", "answered", _question(slack)),
        ("dm", "declined", DECLINED),
        ("channel", "suggested", word),
    ]
    assert rows[0].faq_id == FAQ_ID
    assert rows[0].knowledge_version == slack.bot.store.current.version
    assert rows[2].faq_id == suggest.suggestions[0].faq_id
    assert {r.user_hash for r in rows} == {slack.storage.user_hash("slack", "U0USER")}
    stats = await slack.storage.stats(1)
    assert (stats.votes_down, stats.suggestion_clicks) == (1, 1)
    assert stats.most_down[0].faq_id == FAQ_ID
    assert slack.storage.failures == 0


async def test_admin_views_through_the_real_server(slack: Harness) -> None:
    """stats, unanswered, stale and export answer an admin's /finops-admin from recorded use."""
    asked = [
        (_question(slack), "E10"),
        ("can I take the FOCP exam on a tablet?", "E11"),
        ("Can I take the FOCP exam on a tablet", "E12"),
        (DECLINED, "E13"),
    ]
    for n, (question, event_id) in enumerate(asked):
        await slack.slack.event(
            mention(f"<@U_BOT> {question}", f"1700003000.{n:06d}"), event_id=event_id
        )
    await slack.fake.wait_for("chat.postMessage", len(asked))
    await asyncio.wait_for(slack.storage.flush(), 5)

    stats = texts((await _admin(slack, "stats 7", 1))["blocks"])
    assert "Stats for the last 7 days" in stats
    assert "Questions" in stats
    assert f"1× {_question(slack)} ({FAQ_ID})" in stats

    unanswered = await _admin(slack, "unanswered", 2)
    shown = texts(unanswered["blocks"])
    assert unanswered["response_type"] == "ephemeral"
    assert "2× (" in shown  # the two tablet questions, grouped
    assert "Nearest FAQ:" in shown
    assert shown.index("tablet") < shown.index("donuts")  # most frequent first

    stale = texts((await _admin(slack, "stale", 3))["blocks"])
    # The bundled FAQs carry real review dates, so what is due depends on today's date.
    knowledge = slack.bot.store.current.knowledge
    due = stale_faqs(knowledge, datetime.now(UTC).date())
    if due:
        assert "due for review" in stale
        assert due[0].faq_id in stale
    else:
        assert f"All {len(knowledge.faqs)} FAQs were reviewed" in stale

    export = texts((await _admin(slack, "export 7", 4))["blocks"])
    assert "4 recorded question(s)" in export
    assert "to our DM" in export
    (opened,) = slack.fake.named("conversations.open")
    assert opened.body["users"] == ADMIN
    (url_call,) = slack.fake.named("files.getUploadURLExternal")
    assert url_call.body["filename"].endswith(".csv")
    (complete,) = slack.fake.named("files.completeUploadExternal")
    assert complete.body["channel_id"] == "D" + ADMIN
    (content,) = slack.fake.uploads.values()
    table = list(csv.DictReader(io.StringIO(content.decode())))
    assert [r["question"] for r in table] == [q for q, _ in asked]
    assert "U0USER" not in content.decode()
    assert {r["user_hash"] for r in table} == {slack.storage.user_hash("slack", "U0USER")}

    await asyncio.wait_for(slack.storage.flush(), 5)
    audit = await with_db(
        slack.settings.store_url,
        lambda conn: conn.execute(select(admin_actions.c.verb, admin_actions.c.args)).all(),
    )
    assert [tuple(a) for a in audit] == [
        ("stats", "7"),
        ("unanswered", ""),
        ("stale", ""),
        ("export", "7"),
    ]


async def test_export_from_a_dm_lands_in_that_dm(slack: Harness) -> None:
    """`admin export` in a DM uploads the CSV into that DM; a bad argument gets the usage."""
    dm = {"channel": "D0ADMIN", "channel_type": "im", "user": ADMIN}
    await slack.slack.event(
        channel_message("admin export 3", "1700004000.000100", **dm), event_id="EvX1"
    )
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    assert "Sent finops-questions-" in texts(posted.body["blocks"])
    assert not slack.fake.named("conversations.open")
    (complete,) = slack.fake.named("files.completeUploadExternal")
    assert complete.body["channel_id"] == "D0ADMIN"
    await slack.slack.event(
        channel_message("admin stats lots", "1700004000.000200", **dm), event_id="EvX2"
    )
    posts = await slack.fake.wait_for("chat.postMessage", 2)
    assert "Usage: stats [days]" in texts(posts[1].body["blocks"])


async def test_refused_admin_commands_are_audited(slack: Harness) -> None:
    """Someone not on the admin list gets no stats; the attempt is in the audit trail."""
    await slack.slack.command("/finops-admin", "export", slack.fake.webhook_url, user_id="U0USER")
    (reply,) = await slack.fake.wait_for("webhook")
    assert "only for the bot's admins" in texts(reply.body["blocks"])
    assert not slack.fake.named("files.getUploadURLExternal")
    await asyncio.wait_for(slack.storage.flush(), 5)
    rows = await with_db(
        slack.settings.store_url, lambda conn: conn.execute(select(admin_actions)).all()
    )
    assert [(r.verb, r.allowed, r.user_hash) for r in rows] == [
        ("export", False, slack.storage.user_hash("slack", "U0USER"))
    ]


async def test_app_home_shows_admins_their_numbers(slack: Harness) -> None:
    """An admin's Home tab starts with use and review numbers; everyone else's does not."""
    await slack.slack.event(mention(f"<@U_BOT> {DECLINED}", "1700005000.000100"), event_id="H0")
    await slack.fake.wait_for("chat.postMessage")
    await asyncio.wait_for(slack.storage.flush(), 5)
    for n, user in enumerate((ADMIN, "U0USER")):
        await slack.slack.event(
            {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"},
            event_id=f"H{n + 1}",
        )
    published = await slack.fake.wait_for("views.publish", 2)
    views = {c.body["user_id"]: _view(c.body) for c in published}
    admin_text = texts(views[ADMIN]["blocks"])
    assert "Last 7 days: 1 question(s), 0% answered, 1 unanswered or unsure" in admin_text
    faqs = len(slack.bot.store.current.knowledge.faqs)
    assert f"of {faqs} FAQs due" in admin_text
    assert "Admin" not in texts(views["U0USER"]["blocks"])


def _view(body: dict[str, Any]) -> dict[str, Any]:
    view = body["view"]
    return json.loads(view) if isinstance(view, str) else dict(view)


async def test_admin_status_shows_the_store(slack: Harness) -> None:
    """`/finops-admin status` adds the store's health and the knowledge generation."""
    shown = texts((await _admin(slack, "status", 1))["blocks"])
    assert "Store: sqlite " in shown
    assert "Store failures: 0; records dropped: 0" in shown
    assert "Knowledge generation 0" in shown


async def test_slack_gets_its_200_while_the_claim_is_pending(
    slack: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow database never makes Slack wait (and retry): the mention is acknowledged at
    once, and answered as soon as the store says no other instance took it."""
    release = threading.Event()
    claiming = threading.Event()
    claim_tx = claims._claim_tx

    def held(keys: list[str], now: datetime, conn: Any) -> set[str]:
        claiming.set()
        release.wait(10)
        return claim_tx(keys, now, conn)

    monkeypatch.setattr(claims, "_claim_tx", held)
    try:
        status, _ = await asyncio.wait_for(
            slack.slack.event(
                mention(f"<@U_BOT> {_question(slack)}", "1700005500.000100"), event_id="EvHeld"
            ),
            5,
        )
        assert status == 200

        async def claiming_now() -> bool:
            return claiming.is_set()

        # The listener is inside the claim, which it awaits before posting anything.
        await until(claiming_now)
        assert slack.fake.named("chat.postMessage") == []  # not before the claim is settled
        release.set()
        (answer,) = await slack.fake.wait_for("chat.postMessage")
        assert answer.body["thread_ts"] == "1700005500.000100"
    finally:
        release.set()  # never leave the store thread waiting


# ----- several instances on one database


async def test_one_event_sent_to_two_instances_is_answered_once(
    start_server: StartServer, db_url: str
) -> None:
    """A retried event (same event_id) and a message seen twice reach two instances: one answer."""
    env = _store_env(db_url)
    a, b = await start_server(**env), await start_server(**env)
    question = f"<@U_BOT> {_question(a)}"
    statuses = await asyncio.gather(
        a.slack.event(mention(question, "1700006000.000100"), event_id="EvDup"),
        b.slack.event(
            mention(question, "1700006000.000100"),
            event_id="EvDup",
            headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
        ),
    )
    assert [s for s, _ in statuses] == [200, 200]
    await a.fake.wait_for("chat.postMessage")
    # The same DM under two event ids (one per instance): claimed by (channel, ts).
    dm = channel_message(DECLINED, "1700006000.000200", channel="D0USER", channel_type="im")
    await asyncio.gather(a.slack.event(dm, event_id="EvDmA"), b.slack.event(dm, event_id="EvDmB"))
    await a.fake.wait_for("chat.postMessage", 2)
    posts = [c for c in await a.calls_before_marker() if c.method == "chat.postMessage"]
    assert [p.body.get("thread_ts") for p in posts].count("1700006000.000100") == 1
    assert len(posts) == 2
    # Distinct events still flow through both (2 answers and the marker's so far).
    for n in range(6):
        h = (a, b)[n % 2]
        await h.slack.event(mention(question, f"1700006100.{n:06d}"), event_id=f"EvN{n}")
    await a.fake.wait_for("chat.postMessage", 9)
    assert a.storage.failures == b.storage.failures == 0


async def test_channel_questions_are_claimed_only_when_answered(
    start_server: StartServer, db_url: str
) -> None:
    """An opted-in channel's question reaching both instances gets one answer; chatter the
    bot stays silent on never reaches the store."""
    env = _store_env(db_url)
    a, b = await start_server(**env), await start_server(**env)
    asked = channel_message(_question(a), "1700006500.000100")
    await asyncio.gather(
        a.slack.event(asked, event_id="EvChA"), b.slack.event(asked, event_id="EvChB")
    )
    chatter = channel_message(DECLINED, "1700006500.000200")
    await a.slack.event(chatter, event_id="EvChat")
    await a.fake.wait_for("chat.postMessage")
    assert [c.method for c in await a.calls_before_marker()].count("chat.postMessage") == 1
    keys = await with_db(db_url, lambda conn: conn.execute(select(dedup.c.key)).scalars().all())
    keys = [k for k in keys if not k.startswith(f"slack:msg:{MARKER_CHANNEL}:")]
    assert sorted(keys) == [f"slack:msg:{asked['channel']}:1700006500.000100"]


async def test_a_channel_opted_in_on_one_instance_is_answered_on_the_other(
    start_server: StartServer, db_url: str
) -> None:
    """`channels add` on A: B answers there within about a second; `remove` on B reaches A."""
    env = _store_env(db_url)
    a, b = await start_server(**env), await start_server(**env)
    await _admin(a, "channels add <#C0NEW|new>", 1)

    async def b_sees_it() -> bool:
        return "C0NEW" in b.channels

    elapsed = await until(b_sees_it, within=3.0)
    print(f"channel opt-in reached the other instance in {elapsed:.2f} s")
    asked = channel_message(_question(b), "1700006700.000100", channel="C0NEW")
    await b.slack.event(asked, event_id="EvNewCh")
    (posted,) = await b.fake.wait_for("chat.postMessage")
    assert posted.body["channel"] == "C0NEW"
    assert _question(b) in texts(posted.body["blocks"])

    await _admin(b, "channels remove C0FAQ", 2)

    async def a_dropped_it() -> bool:
        return "C0FAQ" not in a.channels

    await until(a_dropped_it, within=3.0)
    assert a.channels.current == b.channels.current == {"C0NEW"}


FCP_PRICE = "FinOps Certified Professional (FCP): price"


async def test_a_follow_up_on_another_instance_resolves_against_the_thread(
    start_server: StartServer, db_url: str
) -> None:
    """Asked on A, followed up on B in the same thread or DM: B answers about the same
    subject. Another thread, or another person's DM in the same place, starts afresh."""
    env = _store_env(db_url)
    a, b = await start_server(**env), await start_server(**env)
    answer = _answerer(a)

    asked = mention("<@U_BOT> how much does the FOCP cost?", "1700007000.000100")
    assert "FinOps Certified Practitioner (FOCP): price" in await answer(a, asked, "EvCtx1")
    follow = mention("<@U_BOT> what about the FCP?", "1700007000.000200")
    in_thread = await answer(b, {**follow, "thread_ts": "1700007000.000100"}, "EvCtx2")
    assert FCP_PRICE in in_thread
    own = mention("<@U_BOT> what about the FCP?", "1700007000.000300")  # a thread of its own
    assert FCP_PRICE not in await answer(b, own, "EvCtx3")

    def dm(text: str, ts: str, user: str) -> dict[str, Any]:
        return channel_message(text, ts, channel="D0SHARED", channel_type="im", user=user)

    await answer(a, dm("how much does the FOCP cost?", "1700007100.000100", "U0ONE"), "EvCtx4")
    assert FCP_PRICE in await answer(b, dm("and the FCP?", "1700007100.000200", "U0ONE"), "EvCtx5")
    other = await answer(b, dm("and the FCP?", "1700007100.000300", "U0TWO"), "EvCtx6")
    assert FCP_PRICE not in other
    assert a.storage.failures == b.storage.failures == 0


async def test_a_concept_follow_up_on_another_instance_resolves_against_the_thread(
    start_server: StartServer, db_url: str
) -> None:
    """ "What is FOCUS?" asked on A; "is there a cert for it?" in the thread on B names the
    FOCUS Analyst, while the same words in a thread of their own do not."""
    env = _store_env(db_url)
    a, b = await start_server(**env), await start_server(**env)
    answer = _answerer(a)

    asked = mention("<@U_BOT> what is FOCUS?", "1700007200.000100")
    assert "What is FOCUS?" in await answer(a, asked, "EvTopic1")
    follow = mention("<@U_BOT> is there a cert for it?", "1700007200.000200")
    in_thread = await answer(b, {**follow, "thread_ts": "1700007200.000100"}, "EvTopic2")
    assert "FOCUS Analyst" in in_thread.split("\n", 1)[0]
    alone = await answer(
        b, mention("<@U_BOT> is there a cert for it?", "1700007200.000300"), "EvTopic3"
    )
    assert "FOCUS Analyst" not in alone.split("\n", 1)[0]
    assert a.storage.failures == b.storage.failures == 0


async def test_the_old_state_file_is_imported_once(
    start_server: StartServer, db_url: str, tmp_path: Path
) -> None:
    """Opt-ins kept in FINOPS_STATE_FILE by earlier versions move into the store at start;
    an instance without the file sees them, and later changes are not undone by it."""
    state = tmp_path / "old-state.json"
    state.write_text(json.dumps({"channels": ["C0OLD"], "removed": ["C0FAQ"]}))
    env = _store_env(db_url)
    a = await start_server(FINOPS_STATE_FILE=str(state), **env)
    assert a.channels.current == {"C0OLD"}
    b = await start_server(FINOPS_STATE_FILE=str(tmp_path / "none.json"), **env)
    assert b.channels.current == {"C0OLD"}
    await _admin(b, "channels remove C0OLD", 1)
    # A restart with the file still there does not bring C0OLD back.
    c = await start_server(FINOPS_STATE_FILE=str(state), **env)
    assert c.channels.current == frozenset()


async def test_a_reload_on_one_instance_reaches_the_other(
    start_server: StartServer, db_url: str, tmp_path: Path
) -> None:
    """Admin reload on A: B (its own copy of the files) serves the new version within 5 s."""
    env = _store_env(db_url)
    dirs = [tmp_path / "kb-a", tmp_path / "kb-b"]
    for d in dirs:
        shutil.copytree(BUNDLED, d)
    a = await start_server(KnowledgeStore.open(dirs[0]), **env)
    b = await start_server(KnowledgeStore.open(dirs[1]), **env)
    old = a.bot.store.current.version
    assert (await b.health())["knowledge_version"] == old
    for d in dirs:  # a deploy: every instance's files change the same way
        (d / "faqs-zz-new.yaml").write_text(NEW_FAQ)

    reply = texts((await _admin(a, "reload", 1))["blocks"])
    assert "Knowledge reloaded" in reply
    assert "Every instance reloads within 2 s (generation 1)" in reply
    new = a.bot.store.current.version
    assert new != old

    async def b_serves_new() -> bool:
        return bool((await b.health())["knowledge_version"] == new)

    elapsed = await until(b_serves_new, within=5.0)
    print(f"reload reached the other instance in {elapsed:.2f} s")
    health = await b.health()
    assert health["store"]["knowledge_generation"] == 1
    assert health["store"]["knowledge_in_sync"] is True
    assert "zz-new-faq" in b.bot.store.current.knowledge.faqs
    status = texts((await _admin(b, "status", 2))["blocks"])
    assert f"Knowledge generation 1; this instance serves {new}." in status


async def test_an_instance_that_cannot_load_says_so_and_keeps_serving(
    start_server: StartServer, db_url: str, tmp_path: Path
) -> None:
    """B's files are broken when A reloads: B keeps its version and reports the problem."""
    env = _store_env(db_url)
    dirs = [tmp_path / "kb-a", tmp_path / "kb-b"]
    for d in dirs:
        shutil.copytree(BUNDLED, d)
    a = await start_server(KnowledgeStore.open(dirs[0]), **env)
    b = await start_server(KnowledgeStore.open(dirs[1]), **env)
    old = b.bot.store.current.version
    (dirs[1] / "faqs-zz-broken.yaml").write_text("faqs:\n  - id: x\n    question: [unclosed\n")
    await _admin(a, "reload", 1)

    async def b_reports_it() -> bool:
        return not (await b.health())["store"]["knowledge_in_sync"]

    await until(b_reports_it, within=5.0)
    assert (await b.health())["knowledge_version"] == old
    status = texts((await _admin(b, "status", 2))["blocks"])
    assert "Sync problem: generation 1: the knowledge in" in status
    assert "does not validate here (1 problem(s)); still serving" in status


NEW_FAQ = """\
faqs:
  - id: zz-new-faq
    question: Is there a new FAQ for the multi-instance test?
    answer: Yes, added by the reload test.
    sources: [seed-foundation-focp]
"""


# ----- outages


async def test_answers_flow_when_the_store_is_unreachable(start_server: StartServer) -> None:
    """DATABASE_URL on a closed port: the server starts, answers, and counts the failures."""
    down = await start_server(DATABASE_URL="postgresql://finops:pw@127.0.0.1:9/finops")
    question = f"<@U_BOT> {_question(down)}"
    await down.slack.event(mention(question, "1700007000.000100"), event_id="EvDown1")
    (posted,) = await down.fake.wait_for("chat.postMessage")
    assert _question(down) in texts(posted.body["blocks"])
    health = await down.health()
    assert health["status"] == "ok"
    assert health["store"]["ok"] is False
    assert health["store"]["failures"] >= 1
    status = texts((await _admin(down, "status", 1))["blocks"])
    assert "UNAVAILABLE" in status
    assert "pw@" not in status
    stats = texts((await _admin(down, "stats", 2))["blocks"])
    assert "Store unavailable" in stats


async def test_answers_flow_when_the_database_goes_away(
    start_server: StartServer, db_url: str, request: pytest.FixtureRequest
) -> None:
    """The database disappears mid-test: mentions are still answered, failures go up."""
    if backend_of(db_url) == "postgresql":
        pg: PgServer = request.getfixturevalue("pg_server")
        url = pg.create_database()
        env = {"DATABASE_URL": url}
    else:
        env = _store_env(db_url)
    h = await start_server(**env)
    question = f"<@U_BOT> {_question(h)}"
    await h.slack.event(mention(question, "1700008000.000100"), event_id="EvUp")
    await h.fake.wait_for("chat.postMessage")
    before = (await h.health())["store"]["failures"]
    assert before == 0

    if backend_of(db_url) == "postgresql":
        pg.drop_database(url)
    else:
        tables = ("finops_dedup", "finops_questions", "finops_knowledge_state", "finops_context")
        await execute(db_url, *(f"DROP TABLE {table}" for table in tables))

    started = time.monotonic()
    await h.slack.event(mention(question, "1700008000.000200"), event_id="EvGone")
    posts = await h.fake.wait_for("chat.postMessage", 2)
    assert time.monotonic() - started < 2.5  # the claim timeout bounds the wait
    assert _question(h) in texts(posts[1].body["blocks"])

    async def counted() -> bool:
        return bool((await h.health())["store"]["failures"] > before)

    await until(counted)
    assert (await h.health())["store"]["ok"] is False


def test_manifest_asks_for_the_upload_scopes() -> None:
    """The export needs files:write and im:write (to open the admin's DM)."""
    manifest = yaml.safe_load((BUNDLED.parent / "manifest.yml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"files:write", "im:write"} <= scopes
