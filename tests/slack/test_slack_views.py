"""Pure Slack pieces: view builders (limits, escaping), block ids, dedup, channels, the form."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.slack.channels import ChannelRegistry, ChannelStateError, parse_channel_ref
from bot.adapters.slack.dedup import TtlCache
from bot.adapters.slack.path_form import PathForm, form_errors, read_path_form
from bot.core.bot import Bot
from bot.core.knowledge import Knowledge
from bot.core.replies import unlinked_kind_reply
from bot.core.reply import Fact, Message, Reply, Section
from bot.core.store import KnowledgeStore
from bot.render.blocks import _chunks, render_blocks
from bot.render.slack_views import ephemeral, home_view, message, path_modal
from bot.storage.store import Storage
from bot.storage.urls import sqlite_url
from tests.slack.fakes import buttons, texts, vague_question

INJECTION = "<!channel> <@U0OTHER> & <https://evil.example|click>"


def _mrkdwn_texts(node: Any) -> list[str]:
    """Return every mrkdwn string in a view or block list (the ones Slack parses)."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            found.append(node["text"])
        for value in node.values():
            found.extend(_mrkdwn_texts(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_mrkdwn_texts(item))
    return found


def _knowledge_with_injection(knowledge: Knowledge) -> Knowledge:
    """Return *knowledge* whose first overview FAQ's question tries to ping everyone."""
    faqs = dict(knowledge.faqs)
    first = next(f for f in faqs.values() if "overview" in f.tags)
    faqs[first.id] = first.model_copy(update={"question": INJECTION + " " + "x" * 100})
    return dataclasses.replace(knowledge, faqs=faqs)


def test_path_modal_respects_slack_limits(bundled_store: KnowledgeStore) -> None:
    """Title ≤24 chars, ≤100 blocks, metadata carries the channel, one option per program."""
    programs = {p.id: p.name for p in bundled_store.current.knowledge.programs.values()}
    view = path_modal(programs, "C0GENERAL")
    assert view["callback_id"] == "finops_path_modal"
    assert len(view["title"]["text"]) <= 24
    assert len(view["submit"]["text"]) <= 24
    assert len(view["blocks"]) <= 100
    assert json.loads(view["private_metadata"]) == {"channel_id": "C0GENERAL"}
    role = view["blocks"][0]
    assert (role["block_id"], role["optional"]) == ("role", False)
    assert all(b["optional"] for b in view["blocks"][1:])
    options = view["blocks"][2]["element"]["options"]
    assert [o["value"] for o in options] == list(programs)
    assert all(len(o["text"]["text"]) <= 75 for o in options)
    assert json.loads(path_modal(programs)["private_metadata"]) == {}


def test_home_view_limits_and_escaping(bundled_store: KnowledgeStore) -> None:
    """The Home tab fits Slack's limits and no knowledge text can form a mention in it."""
    view = home_view(_knowledge_with_injection(bundled_store.current.knowledge))
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    shown = buttons(view["blocks"])
    assert shown[0]["action_id"] == "open_path_form"
    topics = [b for b in shown if b["block_id"] == "home_topics"]
    assert 1 <= len(topics) <= 5
    assert all(len(b["text"]["text"]) <= 75 and b["text"]["type"] == "plain_text" for b in shown)
    # Button labels are plain_text, which Slack never parses; mrkdwn must carry no markup.
    for text in _mrkdwn_texts(view):
        assert "<" not in text
        assert ">" not in text
    assert "/finops-path sre 3 years" in texts(view["blocks"])


def test_message_payload_escapes_and_has_a_fallback(bot: Bot) -> None:
    """Every message has a plain-text fallback; text anywhere in a reply is escaped."""
    reply = Reply(
        kind="path",
        title=INJECTION,
        sections=(Section(INJECTION, heading=INJECTION),),
        facts=(Fact("Goal", INJECTION),),
        source=INJECTION,
    )
    payload = message(reply)
    assert payload["text"].strip()
    assert payload["blocks"] == render_blocks(reply)
    # Slack parses mrkdwn and the fallback text; plain_text (the header) renders literally.
    parsed = "\n".join([payload["text"], *_mrkdwn_texts(payload["blocks"])])
    for markup in ("<!channel>", "<@U0OTHER>", "<https://"):
        assert markup not in parsed
    assert "&lt;!channel&gt;" in payload["text"]
    # The core's own replies to such text are safe as well.
    assert "<!channel>" not in json.dumps(message(bot.path(f"sre --goal {INJECTION}")))


def test_path_help_is_ephemeral_usage(bot: Bot) -> None:
    """The /finops-path help is private and reuses the core's usage text."""
    payload = ephemeral(bot.path("help"))
    assert payload["response_type"] == "ephemeral"
    assert "Usage: /finops-path ROLE" in texts(payload["blocks"])


def test_block_ids_tell_suggestions_from_follow_ups(bot: Bot) -> None:
    """'Did you mean' buttons sit in faq_suggestions; related questions in faq_followups."""
    answer = bot.faq("focp-exam-format")
    ids = {b["block_id"] for b in render_blocks(answer) if b["type"] == "actions"}
    assert ids == {"faq_followups", "reply_actions"}
    _, suggest = vague_question(bot)
    ids = {b["block_id"] for b in render_blocks(suggest) if b["type"] == "actions"}
    assert "faq_suggestions" in ids
    assert "faq_followups" not in ids


def test_every_choice_of_a_did_you_mean_is_a_button(bot: Bot) -> None:
    """A "did you mean" over the six personas shows six buttons (related questions: five)."""
    knowledge = bot.store.current.knowledge
    personas = knowledge.faqs["finops-personas"].items
    offered = render_blocks(unlinked_kind_reply(knowledge, "persona", personas))
    shown = [b for b in offered if b.get("block_id") == "faq_suggestions"]
    assert [e["value"] for e in shown[0]["elements"]] == list(personas)


def test_every_path_fits_one_message(bot: Bot) -> None:
    """The largest path (all programs) fits: ≤50 blocks, ≤3,000-char sections, ≤75-char labels."""
    blocks = render_blocks(bot.path("engineering manager 10 years --goal lead"))
    assert len(blocks) <= 50
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
    assert all(len(b["text"]["text"]) <= 75 for b in buttons(blocks))


def test_ttl_cache_forgets_after_ttl_and_caps_size() -> None:
    """Keys are remembered for ttl seconds, and the oldest go first when the cache is full."""
    now = [0.0]
    cache = TtlCache(ttl=600, max_entries=3, clock=lambda: now[0])
    assert cache.add("Ev1") is True
    assert cache.add("Ev1") is False
    now[0] = 599.0
    assert "Ev1" in cache
    now[0] = 601.0
    assert "Ev1" not in cache
    assert cache.add("Ev1") is True
    for key in ("Ev2", "Ev3", "Ev4"):
        cache.add(key)
    assert len(cache) == 3
    assert "Ev1" not in cache
    assert "Ev4" in cache


async def test_channel_registry_reads_the_old_state_file(tmp_path: Path) -> None:
    """The state file of earlier versions still counts; without a store changes stay in memory
    and the file is never written again."""
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"channels": ["C0NEW"], "removed": ["C0ENV"]}))
    registry = ChannelRegistry.load({"C0ENV", "C0KEPT"}, state)
    assert registry.current == {"C0NEW", "C0KEPT"}
    assert "C0ENV" not in registry
    assert await registry.add("C0ENV") is True
    assert await registry.add("C0ENV") is False
    assert await registry.remove("C0NEW") is True
    assert registry.current == {"C0ENV", "C0KEPT"}
    assert json.loads(state.read_text()) == {"channels": ["C0NEW"], "removed": ["C0ENV"]}


async def test_channel_changes_are_refused_while_the_store_is_unavailable(
    tmp_path: Path,
) -> None:
    """When the store cannot save a change, nothing changes and the admin is told why."""
    registry = ChannelRegistry({"C0ENV"})
    registry.use_store(Storage(sqlite_url(tmp_path / "finops.db")))  # never started
    reply = await registry.admin_command(Message("", "U0ADMIN", "slack"), "add C0NEW")
    assert reply.sections[0].text == (
        "Could not save the change: the store is unavailable. Nothing changed."
    )
    assert registry.current == {"C0ENV"}


def test_channel_registry_rejects_a_bad_state_file(tmp_path: Path) -> None:
    """A state file with the wrong shape is refused with a one-line reason."""
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"channels": ["general"]}))
    with pytest.raises(ChannelStateError, match="'channels' must be a list of channel ids"):
        ChannelRegistry.load(set(), state)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<#C0123ABC|finops>", "C0123ABC"),
        ("<#C0123ABC>", "C0123ABC"),
        ("<#G0123ABC|>", "G0123ABC"),
        ("C0123ABC", "C0123ABC"),
        ("#finops", None),
        ("<@U0123ABC>", None),
        ("", None),
    ],
)
def test_channel_refs(text: str, expected: str | None) -> None:
    """Escaped channel links and bare ids are understood; names and mentions are not."""
    assert parse_channel_ref(text) == expected


async def test_channels_admin_verb_usage(tmp_path: Path) -> None:
    """Wrong arguments to `channels` explain the usage instead of guessing."""
    registry = ChannelRegistry(set())
    msg = Message("", "U0ADMIN", "slack")
    for args, expected in [
        ("", "No channels are opted in"),
        ("add finops", "I need a channel"),
        ("purge", "Usage: channels"),
    ]:
        assert expected in (await registry.admin_command(msg, args)).sections[0].text


def test_path_form_reading_and_errors(bundled_store: KnowledgeStore) -> None:
    """Submitted values are read and checked; the request text replays the form."""
    values = {
        "role": {"value": {"type": "plain_text_input", "value": "  data   engineer "}},
        "experience": {"value": {"type": "plain_text_input", "value": None}},
        "program": {"value": {"type": "static_select", "selected_option": {"value": "fcp"}}},
        "goal": {"value": {"type": "plain_text_input", "value": "run cost reviews"}},
    }
    view = {"private_metadata": '{"channel_id": "C0GENERAL"}', "state": {"values": values}}
    form = read_path_form(view)
    assert form == PathForm("data engineer", None, "fcp", "run cost reviews", "C0GENERAL")
    assert form.text() == "data engineer --program fcp --goal run cost reviews"
    paths = bundled_store.current.paths
    assert form_errors(form, paths) == {}
    bad = PathForm("astronaut", "a while", "nope")
    assert set(form_errors(bad, paths)) == {"role", "experience", "program"}
    assert all(len(e) <= 150 for e in form_errors(bad, paths).values())
    too_long = form_errors(PathForm("sre", "500 years"), paths)
    assert too_long == {"experience": "I read experience as 0 to 50 years; '500 years' is not."}
    forged = {"private_metadata": '{"channel_id": "<!channel>"}', "state": {"values": {}}}
    assert read_path_form(forged).channel_id is None


@given(st.text(alphabet=st.sampled_from("ab \n*<&"), max_size=120), st.integers(5, 40))
def test_a_long_section_is_split_on_lines_within_slacks_limit(text: str, limit: int) -> None:
    """Every piece fits Slack's section limit and none is blank; nothing but line breaks and
    blank lines is lost; text that fits is sent as it is, in one piece."""
    pieces = _chunks(text, limit)
    assert all(len(p) <= limit and p.strip() for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())
    if len(text) <= limit and text.strip():
        assert pieces == [text]
