"""POST /slack/events probed as an attacker would: forged, replayed, malformed, oversized.

Every refusal is a 4xx with one short log line: no body, no question text, no traceback.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
import logging
import time
from urllib.parse import urlencode

import pytest

from tests.slack.conftest import Harness, StartServer
from tests.slack.fakes import SECRET, TEAM, SignedClient

FORGED_LINE = "2026-01-01 00:00:00 INFO bot.core.bot: reload by U0ADMIN: Reloaded in 3 ms"
PRIVATE_QUESTION = "is my salary visible to the finops team"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(name="logs")
def _logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every log record at INFO, as `finops-bot serve` logs (set before the server)."""
    caplog.set_level(logging.INFO)
    return caplog


def _command_body(text: str) -> str:
    return urlencode(
        {
            "team_id": TEAM,
            "channel_id": "C0GENERAL",
            "user_id": "U0EVIL",
            "command": "/finops-path",
            "text": text,
            "response_url": "http://127.0.0.1:9/hook",
            "trigger_id": "1.2.3",
        }
    )


def _refusals(logs: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in logs.records if r.levelno >= logging.INFO and "refused" in r.getMessage()]


def _assert_quiet(logs: pytest.LogCaptureFixture, *secrets: str) -> None:
    """No traceback, no ERROR, and none of *secrets* anywhere in the log."""
    for record in logs.records:
        assert record.exc_info is None, record.getMessage()
        assert record.levelno < logging.ERROR, record.getMessage()
        text = record.getMessage()
        for secret in secrets:
            assert secret not in text, text


async def test_a_forged_request_is_refused_with_one_short_line(
    start_server: StartServer, logs: pytest.LogCaptureFixture
) -> None:
    """A wrong signature: 401; the log gets one short line, never the body (no log forging)."""
    h = await start_server()
    # The raw body, as an attacker sends it: logged as is, its newline would start a line of
    # the attacker's own making.
    body = f"text={PRIVATE_QUESTION}\n{FORGED_LINE}"
    status, _ = await h.slack.post(body, FORM, signature="v0=" + "0" * 64)
    assert status == 401
    _assert_quiet(logs, PRIVATE_QUESTION, "U0ADMIN", "U0EVIL", "reload by")
    (line,) = _refusals(logs)
    assert len(line.getMessage()) < 120
    assert "\n" not in line.getMessage()


async def test_replayed_and_foreign_signatures_are_refused(
    start_server: StartServer, logs: pytest.LogCaptureFixture
) -> None:
    """A body signed 10 minutes ago, or with another app's secret: 401, one line each."""
    h = await start_server()
    body = _command_body(PRIVATE_QUESTION)
    status, _ = await h.slack.post(body, FORM, timestamp=int(time.time()) - 600)
    assert status == 401
    other = SignedClient(h.base_url, h.session, secret=SECRET + "-other")
    status, _ = await other.post(body, FORM)
    assert status == 401
    _assert_quiet(logs, PRIVATE_QUESTION)
    assert len(_refusals(logs)) == 2


async def test_a_huge_body_is_refused_without_reading_it_all(
    start_server: StartServer, logs: pytest.LogCaptureFixture
) -> None:
    """20 MiB of forged text: 413, and the log does not grow by it."""
    h = await start_server()
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(int(time.time()))}
    junk = io.BytesIO(b"A" * (20 * 1024 * 1024))
    async with h.session.post(h.slack.url, data=junk, headers=headers) as resp:
        assert resp.status == 413
    _assert_quiet(logs, "AAAAAAAAAAAAAAAA")
    assert sum(len(r.getMessage()) for r in logs.records) < 10_000


def _envelope(event: object) -> str:
    return json.dumps(
        {"type": "event_callback", "team_id": TEAM, "event_id": "Ev1", "event": event}
    )


def _payload(**fields: object) -> str:
    base = {"type": "block_actions", "user": {"id": "U0USER"}, "actions": [{"action_id": "x"}]}
    return urlencode({"payload": json.dumps({**base, **fields})})


MALFORMED = {
    "actions-empty": (_payload(actions=[]), FORM),
    "actions-null-item": (_payload(actions=[None]), FORM),
    "user-text": (_payload(user="U0USER"), FORM),
    "view-text": (_payload(type="view_submission", view="x"), FORM),
    "event-type-list": (_envelope({"type": ["message"], "channel": "C1"}), "application/json"),
    "not-json": ("{this is not json", "application/json"),
    "json-list": ("[1, 2, 3]", "application/json"),
    "event-null": (_envelope(None), "application/json"),
    "event-list": (_envelope([1, 2]), "application/json"),
    "event-text": (_envelope("hi"), "application/json"),
    "payload-not-json": (urlencode({"payload": "{nope"}), FORM),
    "payload-list": (urlencode({"payload": "[]"}), FORM),
    "not-utf8": ("\udcff", FORM),
    "empty": ("", "application/json"),
    "unicode-garbage": ('\u202e\u0000\ufffd{"type":', "application/json"),
}


def _sign(ts: str, raw: bytes) -> str:
    """Sign *raw* as Slack does (by hand: slack_sdk's helper only signs UTF-8 text)."""
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256)
    return "v0=" + digest.hexdigest()


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("kind", sorted(MALFORMED))
async def test_malformed_requests_get_a_4xx_and_no_traceback(
    slack: Harness, logs: pytest.LogCaptureFixture, kind: str, signed: bool
) -> None:
    """Broken JSON, odd envelopes, bad bytes, no body: 400 (signed) or 401, one line."""
    body, content_type = MALFORMED[kind]
    raw = body.encode("utf-8", "surrogateescape")
    ts = str(int(time.time()))
    signature = _sign(ts, raw) if signed else "v0=" + "0" * 64
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }
    async with slack.session.post(slack.slack.url, data=raw, headers=headers) as resp:
        status = resp.status
    # Bytes that are not UTF-8 cannot be a Slack request, signed or not (and slack_sdk's
    # verifier cannot even check them): 400 either way.
    assert status == (400 if signed or kind == "not-utf8" else 401)
    _assert_quiet(logs)
    assert len(_refusals(logs)) == 1
    assert slack.fake.named("chat.postMessage") == []


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "-1", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "1700000000"},
        {},
    ],
    ids=["word", "float", "5000-digits", "negative", "no-timestamp", "no-signature", "none"],
)
async def test_bad_signing_headers_get_401_and_one_line(
    slack: Harness, logs: pytest.LogCaptureFixture, headers: dict[str, str]
) -> None:
    """A timestamp that is not a number (or no signing headers at all): 401, never a 500."""
    async with slack.session.post(
        slack.slack.url,
        data=_command_body("hi").encode(),
        headers={"Content-Type": FORM, **headers},
    ) as resp:
        assert resp.status == 401
    _assert_quiet(logs)
    assert len(_refusals(logs)) == 1


async def test_a_command_whose_text_says_payload_is_answered(slack: Harness) -> None:
    """`/finops-path payload sre 3 years`: Bolt alone took any form with the word "payload"
    in it for an interactivity payload, found none, and answered 404."""
    status, raw = await slack.slack.command(
        "/finops-path", "payload sre 3 years", slack.fake.webhook_url
    )
    assert status == 200
    assert "Site Reliability Engineer" in raw


RAW_HTTP = {
    "header-over-8-KiB": b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 20000,
    "negative-length": b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: -5",
    "bad-chunk": b"POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz",
    "nul-in-path": b"GET /healthz\x00 HTTP/1.1\r\nHost: x",
}


@pytest.mark.parametrize("kind", sorted(RAW_HTTP))
async def test_malformed_http_is_one_line_not_a_traceback(
    slack: Harness, logs: pytest.LogCaptureFixture, kind: str
) -> None:
    """Broken HTTP itself (aiohttp refuses it with 400) is logged as one line, no traceback."""
    port = int(slack.base_url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(RAW_HTTP[kind] + b"\r\n\r\n")
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    assert b" 400 " in status_line
    _assert_quiet(logs)
    (line,) = [r for r in logs.records if r.name == "aiohttp.server"]
    assert line.getMessage().startswith("malformed HTTP request refused")
