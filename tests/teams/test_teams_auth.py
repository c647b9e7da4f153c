"""Teams with authentication on: Bot Framework JWTs on /api/messages only; Slack unaffected.

No test here reaches past loopback: the Bot Framework signing keys and MSAL's outbound token
are replaced by local fakes, and a guard fails any name lookup other than 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator

from bot.adapters.slack.channels import ChannelRegistry
from bot.core.store import KnowledgeStore
from bot.server import build_conversation, create_web_app
from bot.settings import load_settings
from tests.loopback import serve_on_loopback
from tests.slack.conftest import ADMIN, slack_env
from tests.slack.fakes import FakeSlack, SignedClient, texts
from tests.teams.fakes import APP_ID, TENANT, FakeConnector, TeamsClient, card_text

BOT_FRAMEWORK = "https://api.botframework.com"
TEAMS_SERVICE = "https://smba.trafficmanager.net/emea/"  # allowed, and never contacted here
PASSWORD = "not-a-real-secret"  # noqa: S105 - a fake secret for a fake tenant


@dataclass
class Keys:
    """The key the fake Bot Framework signs with, and one it does not trust."""

    trusted: rsa.RSAPrivateKey
    other: rsa.RSAPrivateKey


@pytest.fixture(scope="module", name="keys")
def _keys() -> Keys:
    return Keys(
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


@pytest.fixture(name="loopback_only")
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any name lookup except loopback, so a stray call to Microsoft fails loudly."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", b"127.0.0.1"):
            raise AssertionError(f"test tried to reach {host!r}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


class KeyEndpoint:
    """A fake Bot Framework key endpoint on loopback: serves our key, or hangs when told."""

    def __init__(self, keys: Keys) -> None:
        jwk = json.loads(RSAAlgorithm.to_jwk(keys.trusted.public_key()))
        self.jwks = {"keys": [{**jwk, "kid": "test-key", "use": "sig", "alg": "RS256"}]}
        self.hang = False
        self.requests = 0
        self.requested = asyncio.Event()
        self.released = asyncio.Event()
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> KeyEndpoint:
        app = web.Application()
        app.router.add_get("/keys", self._keys)
        self._runner, port = await serve_on_loopback(app)
        self.url = f"http://127.0.0.1:{port}/keys"
        return self

    async def close(self) -> None:
        self.released.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _keys(self, request: web.Request) -> web.Response:
        self.requests += 1
        self.requested.set()
        if self.hang:
            await self.released.wait()
        return web.json_response(self.jwks)


@pytest.fixture(name="key_endpoint")
async def _key_endpoint(monkeypatch: pytest.MonkeyPatch, keys: Keys) -> AsyncIterator[KeyEndpoint]:
    """Every issuer's signing keys come from the fake endpoint on loopback."""
    endpoint = await KeyEndpoint(keys).start()
    monkeypatch.setattr(jwt_token_validator, "_build_jwks_uri", lambda *_: endpoint.url)
    yield endpoint
    await endpoint.close()


@pytest.fixture(name="fake_microsoft")
def _fake_microsoft(monkeypatch: pytest.MonkeyPatch, key_endpoint: KeyEndpoint) -> list[str]:
    """Serve the trusted public key as Bot Framework's, and a fixed outbound token from MSAL."""
    minted: list[str] = []

    async def access_token(self: MsalAuth, resource: str, scopes: list[str], **kw: Any) -> str:
        minted.append(resource)
        return "outbound-test-token"

    monkeypatch.setattr(MsalAuth, "get_access_token", access_token)
    return minted


def token(key: rsa.RSAPrivateKey, **claims: Any) -> str:
    """Return a JWT like Bot Framework's (RS256), with *claims* overriding the defaults."""
    now = int(time.time())
    body = {
        "iss": BOT_FRAMEWORK,
        "aud": APP_ID,
        "nbf": now - 10,
        "exp": now + 600,
        "serviceurl": TEAMS_SERVICE,
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": "test-key"})


@dataclass
class Both:
    """Our server with Slack and Teams (credentials, not anonymous) on loopback."""

    teams: TeamsClient
    slack: SignedClient
    fake_slack: FakeSlack
    connector: FakeConnector
    app: web.Application
    runner: web.AppRunner


@pytest.fixture(name="both")
async def _both(tmp_path: Path, bundled_store: KnowledgeStore) -> AsyncIterator[Both]:
    fake_slack = await FakeSlack().start()
    connector = await FakeConnector().start()
    env = slack_env(
        fake_slack,
        tmp_path,
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD=PASSWORD,
        MICROSOFT_APP_TENANT_ID=TENANT,
    )
    settings = load_settings(env)
    assert settings.teams is not None
    assert not settings.teams.anonymous
    channels = ChannelRegistry.load(settings.channels, settings.state_file)
    app = await create_web_app(
        settings, build_conversation(settings, bundled_store, channels), channels
    )
    runner, port = await serve_on_loopback(app)
    base_url = f"http://127.0.0.1:{port}"
    session = aiohttp.ClientSession()
    yield Both(
        TeamsClient(base_url, session, connector.url),
        SignedClient(base_url, session),
        fake_slack,
        connector,
        app,
        runner,
    )
    await session.close()
    if runner.server is not None:  # not already stopped by the test
        await runner.cleanup()
    await connector.close()
    await fake_slack.close()


@pytest.mark.usefixtures("loopback_only")
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer not-a-jwt",
        "Bearer a.b.c d",
    ],
)
async def test_teams_without_a_valid_token_gets_401(both: Both, authorization: str | None) -> None:
    """No token, a malformed header or a token that is not a JWT: 401, and no turn runs."""
    headers = {} if authorization is None else {"Authorization": authorization}
    status, body = await both.teams.post(
        both.teams.message("how long is the FOCP exam?"), headers=headers
    )
    assert status == 401
    assert "FOCP" not in body
    assert both.connector.posted == []


@pytest.mark.usefixtures("loopback_only")
async def test_slack_still_works_on_the_same_server(both: Both) -> None:
    """The Teams JWT check is not an app middleware: Slack's signed requests pass as before."""
    assert list(both.app.middlewares) == []  # nothing runs for every route
    status, raw = await both.slack.command(
        "/finops-path", "sre 3 years", both.fake_slack.webhook_url
    )
    assert status == 200
    assert "Site Reliability Engineer" in texts(json.loads(raw)["blocks"])
    # ...and Slack's own signature check still refuses what is not signed by Slack.
    status, _ = await both.slack.post(
        "token=x", "application/x-www-form-urlencoded", signature="v0=bad"
    )
    assert status == 401
    # A Bot Framework token does not open the Slack route either.
    async with both.teams.session.post(
        both.slack.url, data=b"{}", headers={"Authorization": "Bearer not-a-jwt"}
    ) as resp:
        assert resp.status == 401


@pytest.mark.usefixtures("loopback_only")
@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "99999999-2222-3333-4444-555555555555"},  # another bot's token
        {"iss": "https://sts.windows.net/00000000-0000-0000-0000-00000000bad1/"},  # issuer
        {"exp": int(time.time()) - 3600},  # long expired (beyond the 5 minutes leeway)
    ],
)
async def test_tokens_for_someone_else_get_401(
    both: Both, keys: Keys, fake_microsoft: list[str], claims: dict[str, Any]
) -> None:
    """Correctly signed but for another audience, from another issuer or expired: 401."""
    headers = {"Authorization": f"Bearer {token(keys.trusted, **claims)}"}
    activity = both.teams.message("hello", serviceUrl=TEAMS_SERVICE)
    status, _ = await both.teams.post(activity, headers=headers)
    assert status == 401
    assert fake_microsoft == []


@pytest.mark.usefixtures("loopback_only")
async def test_a_token_signed_by_another_key_gets_401(
    both: Both, keys: Keys, fake_microsoft: list[str]
) -> None:
    """A token Bot Framework did not sign is refused."""
    headers = {"Authorization": f"Bearer {token(keys.other)}"}
    status, _ = await both.teams.post(both.teams.message("hello"), headers=headers)
    assert status == 401


@pytest.mark.usefixtures("loopback_only")
async def test_a_valid_token_still_cannot_send_replies_off_microsoft_hosts(
    both: Both, keys: Keys, fake_microsoft: list[str]
) -> None:
    """With authentication on, replies only go to Microsoft's channel hosts over HTTPS."""
    headers = {"Authorization": f"Bearer {token(keys.trusted)}"}
    activity = both.teams.message("how long is the FOCP exam?")  # serviceUrl: our loopback
    status, _ = await both.teams.post(activity, headers=headers)
    assert status == 401
    assert both.connector.posted == []


@pytest.mark.usefixtures("loopback_only")
async def test_a_valid_token_is_answered(both: Both, keys: Keys, fake_microsoft: list[str]) -> None:
    """A Bot Framework token for our app id gets the answer (here in the HTTP response)."""
    headers = {"Authorization": f"Bearer {token(keys.trusted)}"}
    activity = both.teams.message(
        "how long is the FOCP exam?", serviceUrl=TEAMS_SERVICE, deliveryMode="expectReplies"
    )
    status, body = await both.teams.post(activity, headers=headers)
    assert status == 200, body
    replies = json.loads(body)["activities"]
    assert "FOCP" in card_text(replies[0]["attachments"][0]["content"])
    assert fake_microsoft  # the outbound token came from (fake) MSAL, not anonymity


@pytest.mark.usefixtures("loopback_only")
async def test_a_hanging_key_endpoint_does_not_stall_slack_or_shutdown(
    both: Both, keys: Keys, fake_microsoft: list[str], key_endpoint: KeyEndpoint
) -> None:
    """Forged tokens wait on a key endpoint that hangs: Slack is still answered, we stop.

    The admin command runs in a worker thread, as a reload does; before, the forged tokens'
    key fetches (30 s each, one at a time) filled the shared thread pool and it waited.
    """
    key_endpoint.hang = True
    forged = {"Authorization": f"Bearer {token(keys.other)}"}
    statuses: list[int] = []

    async def teams_request() -> None:
        status, _ = await both.teams.post(both.teams.message("hello"), headers=forged)
        statuses.append(status)

    pending = [asyncio.create_task(teams_request()) for _ in range(24)]
    await key_endpoint.requested.wait()

    await both.slack.command("/finops-admin", "status", both.fake_slack.webhook_url, user_id=ADMIN)
    (reply,) = await both.fake_slack.wait_for("webhook", within=10)
    assert "Knowledge version" in texts(reply.body["blocks"])
    # Ordering, not timing: Slack was answered while forged tokens still waited on the keys.
    assert any(not task.done() for task in pending)
    # Those past the queue were refused at once, without waiting for the keys.
    assert 503 in statuses
    assert set(statuses) <= {401, 503}
    assert key_endpoint.requests == 1  # one fetch shared by every waiting token

    # The server stops while those requests still wait (a guard, not a measurement).
    await asyncio.wait_for(both.runner.cleanup(), 30)
    await asyncio.gather(*pending, return_exceptions=True)
    assert set(statuses) <= {401, 503}
