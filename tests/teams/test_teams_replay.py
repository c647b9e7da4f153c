"""Replay: every kind of activity and invoke Teams sends a bot like ours, and what it must do.

The activities follow the documented Bot Framework activity schema and Teams' invoke names,
written by us. Teams waits for the whole turn (replies are sent before the HTTP answer), so
silence is checked right after the request returns.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.teams.conftest import TeamsHarness
from tests.teams.fakes import ADMIN_AAD, BOT_ID, TENANT

QUESTION = "how long is the focp exam?"
CHANNEL_CONVERSATION = "19:general@thread.tacv2;messageid=1700000000000"
Json = dict[str, Any]


def _channel_without_type(teams: TeamsHarness, text: str) -> Json:
    """A team channel message whose conversation carries no conversationType (seen in replays)."""
    activity = teams.teams.message(text, user=ADMIN_AAD, conversation=CHANNEL_CONVERSATION)
    del activity["conversation"]["conversationType"]
    del activity["conversation"]["isGroup"]
    activity["channelData"] = {
        "tenant": {"id": TENANT},
        "team": {"id": "19:team@thread.tacv2"},
        "channel": {"id": "19:general@thread.tacv2"},
    }
    return activity


async def test_admin_output_never_lands_in_a_channel_without_conversation_type(
    teams: TeamsHarness,
) -> None:
    """A channel activity missing conversationType is public: no status card there."""
    await teams.teams.send(_channel_without_type(teams, "admin status"))
    shown = teams.connector.only().text
    assert "Admin commands work in a 1:1 chat with me." in shown
    assert teams.bot.store.current.version not in shown


async def test_a_channel_question_without_conversation_type_is_answered(
    teams: TeamsHarness,
) -> None:
    """The same shape still gets answers to questions, in the channel."""
    await teams.teams.send(_channel_without_type(teams, QUESTION))
    assert "FOCP" in teams.connector.only().text


SILENT: list[tuple[str, str, Json]] = [
    ("typing", "typing", {}),
    ("a reaction", "messageReaction", {"reactionsAdded": [{"type": "like"}], "replyToId": "1"}),
    ("an edit", "messageUpdate", {"text": QUESTION, "channelData": {"eventType": "editMessage"}}),
    ("a deletion", "messageDelete", {"channelData": {"eventType": "softDeleteMessage"}}),
    ("someone else added", "conversationUpdate", {"membersAdded": [{"id": "29:newcomer"}]}),
    ("someone removed", "conversationUpdate", {"membersRemoved": [{"id": "29:leaver"}]}),
    ("the bot installed", "installationUpdate", {"action": "add"}),
    ("the bot uninstalled", "installationUpdate", {"action": "remove"}),
    ("end of conversation", "endOfConversation", {"code": "userCancelled"}),
    ("an event", "event", {"name": "application/vnd.microsoft.meetingStart", "value": {}}),
]


@pytest.mark.parametrize(("what", "kind", "fields"), SILENT, ids=[s[0] for s in SILENT])
async def test_activities_that_need_no_reply(
    teams: TeamsHarness, what: str, kind: str, fields: Json
) -> None:
    """Each is accepted (202 or 200) and nothing is sent to anyone."""
    status, _ = await teams.teams.post(teams.teams.activity(kind, **fields))
    assert status in (200, 202)
    assert teams.connector.posted == []


async def test_the_bot_added_gets_the_welcome(teams: TeamsHarness) -> None:
    """conversationUpdate adding the bot is the one membership change that gets a message."""
    await teams.teams.send(
        teams.teams.activity("conversationUpdate", membersAdded=[{"id": BOT_ID}])
    )
    assert "FinOps certification guide" in teams.connector.only().text


INVOKES: list[tuple[str, Json, Json | None]] = [
    (
        "adaptiveCard/action",
        {"action": {"type": "Action.Execute", "verb": "refresh", "data": {}}},
        {"statusCode": 200, "type": "application/vnd.microsoft.activity.message"},
    ),
    ("task/fetch", {"data": {"type": "task/fetch"}}, {"task": {"type": "message"}}),
    ("task/submit", {"data": {"x": 1}}, {"task": {"type": "message"}}),
    (
        "composeExtension/query",
        {"commandId": "search", "parameters": [{"name": "q", "value": "secret words"}]},
        {"composeExtension": {"type": "message"}},
    ),
    ("composeExtension/fetchTask", {"commandId": "x"}, None),
    ("signin/verifyState", {"state": "123"}, None),
    ("actionableMessage/executeAction", {"body": "{}"}, None),
    ("some/futureInvoke", {}, None),
]


@pytest.mark.parametrize(("name", "value", "expected"), INVOKES, ids=[i[0] for i in INVOKES])
async def test_unhandled_invokes_get_a_proper_answer(
    teams: TeamsHarness,
    caplog: pytest.LogCaptureFixture,
    name: str,
    value: Json,
    expected: Json | None,
) -> None:
    """Never 501: a short "not supported" in the shape the invoke expects, or an empty 200."""
    caplog.set_level(logging.DEBUG)
    status, body = await teams.teams.post(teams.teams.activity("invoke", name=name, value=value))
    assert status == 200
    if expected is None:
        assert body in ("", "null")
    else:
        answer = json.loads(body)
        for key, part in expected.items():
            if isinstance(part, dict):
                assert part.items() <= answer[key].items()
            else:
                assert answer[key] == part
        assert "isn't something I can do here" in body
    logged = [r for r in caplog.records if r.name.startswith("bot.")]
    assert [r.getMessage() for r in logged] == [f"answered an unsupported invoke {name!r}"]
    assert not any("secret words" in r.getMessage() for r in caplog.records)


async def test_expect_replies_without_service_url_is_refused(
    teams: TeamsHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """An expectReplies activity with no serviceUrl: 400, one log line, no traceback."""
    activity = teams.teams.message(QUESTION, deliveryMode="expectReplies")
    del activity["serviceUrl"]
    status, _ = await teams.teams.post(activity)
    assert status == 400
    assert not any(r.exc_info for r in caplog.records)
    assert [r.levelname for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_expect_replies_are_answered_in_the_body(teams: TeamsHarness) -> None:
    """With a serviceUrl, expectReplies gets the answer in the HTTP body, nothing posted."""
    activity = teams.teams.message(QUESTION, deliveryMode="expectReplies")
    status, body = await teams.teams.post(activity)
    assert status == 200
    assert "FOCP" in body
    assert teams.connector.posted == []
