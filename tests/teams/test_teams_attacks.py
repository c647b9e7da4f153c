"""POST /api/messages probed with garbage: a 4xx (or a quiet 2xx), never a 500 or a traceback."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from tests.teams.conftest import TeamsHarness


@pytest.fixture(name="logs")
def _logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


def _assert_quiet(logs: pytest.LogCaptureFixture) -> None:
    for record in logs.records:
        assert record.exc_info is None, record.getMessage()
        assert record.levelno < logging.ERROR, record.getMessage()


def _activity(teams: TeamsHarness, **fields: Any) -> str:
    return json.dumps({**teams.teams.message("how long is the FOCP exam?"), **fields})


GARBAGE: dict[str, Any] = {
    "not-json": lambda t: "{this is not json",
    "json-list": lambda t: "[1, 2, 3]",
    "json-string": lambda t: '"hello"',
    "json-null": lambda t: "null",
    "empty": lambda t: "",
    "unicode-garbage": lambda t: "\u202e\u0000\ufffd{",
    "no-type": lambda t: json.dumps({"text": "hi"}),
    "type-is-a-list": lambda t: _activity(t, type=["message"]),
    "unknown-type": lambda t: _activity(t, type="\u202eevil"),
    "from-is-text": lambda t: _activity(t, **{"from": "someone"}),
    "conversation-null": lambda t: _activity(t, conversation=None),
    "text-is-a-number": lambda t: _activity(t, text=12345),
    "value-is-a-list": lambda t: _activity(t, value=[1, 2], text=None),
    "entities-garbage": lambda t: _activity(t, entities=[None, 1, {"type": "mention"}]),
    "attachments-garbage": lambda t: _activity(t, attachments=[{"contentType": None}]),
    "service-url-garbage": lambda t: _activity(t, serviceUrl="not a url \u0000"),
}


@pytest.mark.parametrize("kind", sorted(GARBAGE))
async def test_garbage_activities_are_refused_quietly(
    teams: TeamsHarness, logs: pytest.LogCaptureFixture, kind: str
) -> None:
    """Each body gets a 4xx, or a 2xx after a polite turn; no 500, no ERROR, no traceback."""
    body = GARBAGE[kind](teams)
    status, _ = await teams.teams.post(body)
    assert status < 500, (status, kind)
    _assert_quiet(logs)


async def test_a_body_that_is_not_utf8_is_refused(
    teams: TeamsHarness, logs: pytest.LogCaptureFixture
) -> None:
    """Bytes that are not UTF-8: 400, nothing logged at ERROR."""
    headers = {"Content-Type": "application/json"}
    async with teams.session.post(teams.teams.url, data=b"\xff\xfe{", headers=headers) as resp:
        assert resp.status == 400
    _assert_quiet(logs)


async def test_a_huge_body_is_refused(teams: TeamsHarness, logs: pytest.LogCaptureFixture) -> None:
    """20 MiB: 413 (over aiohttp's 1 MiB client_max_size), and the log does not grow by it."""
    headers = {"Content-Type": "application/json"}
    junk = io.BytesIO(b"A" * (20 * 1024 * 1024))
    async with teams.session.post(teams.teams.url, data=junk, headers=headers) as resp:
        assert resp.status == 413
    _assert_quiet(logs)
    assert sum(len(r.getMessage()) for r in logs.records) < 10_000
