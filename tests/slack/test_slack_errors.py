"""Errors after the acknowledgement: the person hears a short apology, the log one error."""

from __future__ import annotations

import logging

import pytest

from bot.core.reply import Message
from tests.slack.conftest import ADMIN, Harness
from tests.slack.fakes import texts

SORRY = "Sorry, something went wrong on my side"


@pytest.fixture(name="logs")
def _logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


def _errors(logs: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in logs.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "args",
    ["stats " + "9" * 5000, "unanswered \u00b2", "export \u0663\u0660", "stats -1", "stats \x00"],
    ids=["5000-digits", "superscript-two", "arabic-digits", "negative", "nul"],
)
async def test_odd_day_counts_are_answered_not_a_traceback(
    slack: Harness, logs: pytest.LogCaptureFixture, args: str
) -> None:
    """`/finops-admin stats 9999…` (5,000 digits), '²' and the like get an answer or usage."""
    await slack.slack.command("/finops-admin", args, slack.fake.webhook_url, user_id=ADMIN)
    (reply,) = await slack.fake.wait_for("webhook", within=10)
    assert SORRY not in texts(reply.body["blocks"])
    assert "days" in texts(reply.body["blocks"])
    assert _errors(logs) == []


async def test_a_failing_command_gets_an_apology(
    slack: Harness, logs: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug while running /finops-admin: the admin hears an apology, privately, once."""

    async def broken(message: Message, gate: object = None) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(slack.conversation, "respond", broken)
    status, _ = await slack.slack.command(
        "/finops-admin", "status", slack.fake.webhook_url, user_id=ADMIN
    )
    assert status == 200
    (reply,) = await slack.fake.wait_for("webhook", within=10)
    assert SORRY in reply.body["text"]
    assert reply.body["response_type"] == "ephemeral"
    assert "simulated bug" not in reply.text()
    (error,) = _errors(logs)
    assert error.exc_info is not None


async def test_an_event_without_a_channel_gets_an_apology_in_a_dm(
    slack: Harness, logs: pytest.LogCaptureFixture
) -> None:
    """A mention that names no channel cannot be answered there: the asker gets a DM."""
    event = {"type": "app_mention", "user": "U0USER", "text": "<@U_BOT> hi", "ts": "1700.1"}
    status, _ = await slack.slack.event(event, event_id="EvNoChannel")
    assert status == 200
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    assert posted.body["channel"] == "U0USER"
    assert SORRY in posted.body["text"]
    assert len(_errors(logs)) == 1
