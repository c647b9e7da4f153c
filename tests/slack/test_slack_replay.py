"""Replay: every kind of event and interaction Slack sends an app like ours, and what it must do.

The payloads follow the documented shapes of Slack's Events API (event types, message
subtypes) and interactivity (block_actions, shortcuts, views, options), written by us. Each
goes through the real server, signed; the bot must answer, stay silent, or just acknowledge.
Silence is checked with a marker: after the payload, a DM question is sent, its answer
awaited, and then the marker's answer must be the only post.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.slack.conftest import OPTED_IN, Harness
from tests.slack.fakes import BOT_ID, BOT_USER, block_action, channel_message, mention

QUESTION = "how long is the focp exam?"
TS = "1700009000.000100"
Payload = dict[str, Any]


def _dm(**extra: Any) -> Payload:
    return channel_message(QUESTION, TS, channel="D0USER", channel_type="im", **extra)


# (what it is, the event, who must get the answer: a channel id, or None for silence)
EVENTS: list[tuple[str, Payload, str | None]] = [
    ("plain DM", _dm(), "D0USER"),
    (
        "DM sharing a file with the question",
        _dm(
            subtype="file_share",
            files=[{"id": "F1", "name": "notes.pdf", "mimetype": "application/pdf"}],
            upload=False,
        ),
        "D0USER",
    ),
    ("/me in a DM", _dm(subtype="me_message"), "D0USER"),
    (
        "thread reply also sent to an opted-in channel",
        channel_message(
            QUESTION,
            TS,
            channel=OPTED_IN,
            subtype="thread_broadcast",
            thread_ts="1700008000.000100",
            root={"ts": "1700008000.000100", "user": "U0OTHER"},
        ),
        OPTED_IN,
    ),
    ("question in an opted-in channel", channel_message(QUESTION, TS, channel=OPTED_IN), OPTED_IN),
    ("mention in any channel", mention(f"<@{BOT_USER}> {QUESTION}", TS), "C0GENERAL"),
    (
        "edited DM",
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "D0USER",
            "channel_type": "im",
            "ts": TS,
            "hidden": True,
            "message": {"type": "message", "user": "U0USER", "text": QUESTION, "ts": "1.1"},
            "previous_message": {"type": "message", "user": "U0USER", "text": "x", "ts": "1.1"},
        },
        None,
    ),
    (
        "deleted DM",
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "D0USER",
            "channel_type": "im",
            "ts": TS,
            "hidden": True,
            "deleted_ts": "1.1",
        },
        None,
    ),
    ("another bot's message", _dm(subtype="bot_message", bot_id="B0OTHER"), None),
    (
        "our own message",
        channel_message(
            QUESTION, TS, channel="D0USER", channel_type="im", user=BOT_USER, bot_id=BOT_ID
        ),
        None,
    ),
    (
        "a join in an opted-in channel",
        channel_message(
            f"<@U0USER> has joined the channel. {QUESTION}",
            TS,
            channel=OPTED_IN,
            subtype="channel_join",
        ),
        None,
    ),
    (
        "a topic change",
        channel_message(QUESTION, TS, channel=OPTED_IN, subtype="channel_topic", topic=QUESTION),
        None,
    ),
    ("a thread-reply notice", _dm(subtype="message_replied", hidden=True), None),
    ("a channel nobody opted in", channel_message(QUESTION, TS, channel="C0RANDOM"), None),
    (
        "a reaction",
        {
            "type": "reaction_added",
            "user": "U0USER",
            "reaction": "thumbsup",
            "item": {"type": "message", "channel": "C0GENERAL", "ts": TS},
            "event_ts": TS,
        },
        None,
    ),
    (
        "someone joins a channel",
        {
            "type": "member_joined_channel",
            "user": "U0USER",
            "channel": "C0GENERAL",
            "channel_type": "C",
            "team": "T1",
        },
        None,
    ),
    (
        "the messages tab opened",
        {
            "type": "app_home_opened",
            "user": "U0USER",
            "channel": "D0USER",
            "tab": "messages",
        },
        None,
    ),
    ("tokens revoked", {"type": "tokens_revoked", "tokens": {"bot": ["U_BOT"]}}, None),
    ("app uninstalled", {"type": "app_uninstalled"}, None),
]


async def _only_marker_posted(slack: Harness, expected_channel: str | None) -> None:
    """Send the marker DM, wait for its answer, and check what else was posted."""
    marker = channel_message(
        "what does the focp exam cost?", "1700009999.000100", channel="D0MARKER", channel_type="im"
    )
    await slack.slack.event(marker, event_id="EvMarker")
    want = 1 if expected_channel is None else 2
    posts = await slack.fake.wait_for("chat.postMessage", count=want)
    channels = sorted(p.body["channel"] for p in posts)
    expected = sorted(["D0MARKER", *([expected_channel] if expected_channel else [])])
    assert channels == expected
    assert len(slack.fake.named("chat.postMessage")) == want


@pytest.mark.parametrize(("what", "event", "answered_in"), EVENTS, ids=[e[0] for e in EVENTS])
async def test_event_replay(
    slack: Harness, what: str, event: Payload, answered_in: str | None
) -> None:
    """Each event is acknowledged with 200 and answered, or met with silence."""
    status, _ = await slack.slack.event(event, event_id="EvReplay")
    assert status == 200
    await _only_marker_posted(slack, answered_in)


INTERACTIONS: list[tuple[str, Payload]] = [
    (
        "a button we never made",
        {
            **block_action(
                "somebody_elses_button", "v", "http://127.0.0.1:9/unused", block_id="other_block"
            ),
        },
    ),
    (
        "a global shortcut",
        {
            "type": "shortcut",
            "callback_id": "not_ours",
            "trigger_id": "1.2.3",
            "team": {"id": "T1"},
            "user": {"id": "U0USER"},
            "token": "legacy",
        },
    ),
    (
        "a message shortcut",
        {
            "type": "message_action",
            "callback_id": "not_ours",
            "trigger_id": "1.2.3",
            "team": {"id": "T1"},
            "user": {"id": "U0USER"},
            "channel": {"id": "C0GENERAL"},
            "message": {"type": "message", "user": "U0OTHER", "ts": TS, "text": "secret words"},
            "response_url": "http://127.0.0.1:9/unused",
            "token": "legacy",
        },
    ),
    (
        "a view submitted that is not ours",
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "U0USER"},
            "view": {
                "id": "V1",
                "callback_id": "not_ours",
                "type": "modal",
                "state": {
                    "values": {"b": {"a": {"type": "plain_text_input", "value": "secret words"}}}
                },
            },
        },
    ),
    (
        "a view closed",
        {
            "type": "view_closed",
            "team": {"id": "T1"},
            "user": {"id": "U0USER"},
            "view": {"id": "V1", "callback_id": "not_ours", "type": "modal"},
            "is_cleared": False,
        },
    ),
    (
        "an options request",
        {
            "type": "block_suggestion",
            "action_id": "x",
            "block_id": "y",
            "value": "secret words",
            "team": {"id": "T1"},
            "user": {"id": "U0USER"},
            "container": {"type": "view"},
        },
    ),
]


@pytest.mark.parametrize(("what", "payload"), INTERACTIONS, ids=[i[0] for i in INTERACTIONS])
async def test_interaction_replay(
    slack: Harness, caplog: pytest.LogCaptureFixture, what: str, payload: Payload
) -> None:
    """Anything interactive we did not ask for is acknowledged (200), never logged whole."""
    caplog.set_level(logging.DEBUG)
    status, body = await slack.slack.interaction(payload)
    assert status == 200
    if payload["type"] == "block_suggestion":
        assert json.loads(body) == {"options": []}
    await _only_marker_posted(slack, None)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "secret words" not in logged
    assert "Unhandled request" not in logged
