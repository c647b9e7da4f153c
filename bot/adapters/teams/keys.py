"""Bot Framework signing keys for Teams tokens: cached, fetched briefly, on a pool of their own.

The Agents SDK fetches keys with PyJWKClient's 30 s timeout, one at a time behind a global
lock, on asyncio's default thread pool, and refetches for every token whose key id it does
not know. When the key endpoint hangs, forged tokens then fill that shared pool and stall
everything else that uses it (Slack's admin commands, reloads) and shutdown. Here:

- key sets are cached per URL (an hour), and an unknown key id refetches at most once a
  minute, so forged key ids cannot make us call Microsoft per request;
- one fetch per URL is in flight at a time (every waiter shares it), with a 5 s timeout, on
  a two-thread pool used for nothing else; a failed fetch is not retried for 10 s;
- at most MAX_WAITING requests wait for a fetch; more are refused at once (KeysBusyError).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from jwt import PyJWK, PyJWKClient, PyJWKSet
from jwt.exceptions import PyJWKClientError
from microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator import (
    _JwkClientManager,
)

logger = logging.getLogger(__name__)

FETCH_TIMEOUT = 5.0
KEYS_TTL = 3600.0
REFRESH_AT_MOST_EVERY = 60.0
RETRY_FAILED_AFTER = 10.0
MAX_WAITING = 16


class KeysBusyError(Exception):
    """Too many requests already wait for a signing-key fetch: refuse this one now."""


class UnknownKeyError(PyJWKClientError):
    """The token names a key the endpoint does not publish (or could not be reached)."""


@dataclass
class _Entry:
    """One key URL: its client, last key set, and when it was last fetched or failed."""

    client: PyJWKClient
    keys: PyJWKSet | None = None
    fetched_at: float = -math.inf
    failed_at: float = -math.inf
    inflight: asyncio.Future[PyJWKSet] | None = None


class SigningKeys(_JwkClientManager):
    """Replaces the SDK's key manager on our JwtTokenValidator (see the module docstring)."""

    def __init__(self, *, timeout: float = FETCH_TIMEOUT, max_waiting: int = MAX_WAITING) -> None:
        """Fetch with *timeout*; let at most *max_waiting* requests wait for a fetch."""
        super().__init__()  # type: ignore[no-untyped-call]
        self._timeout = timeout
        self._max_waiting = max_waiting
        self._waiting = 0
        self._entries: dict[str, _Entry] = {}
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="teams-keys")

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]) -> PyJWK:
        """Return the key named by the token *header*'s kid, from cache when possible."""
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise UnknownKeyError("the token names no key id")
        entry = self._entry(jwks_uri)
        now = time.monotonic()
        if entry.keys is not None and now - entry.fetched_at < KEYS_TTL:
            key = _match(entry.keys, kid)
            if key is not None:
                return key
            if now - entry.fetched_at < REFRESH_AT_MOST_EVERY:
                raise UnknownKeyError("unknown key id")
        if now - entry.failed_at < RETRY_FAILED_AFTER:
            raise UnknownKeyError("the key endpoint failed just now")
        key = _match(await self._fetch(jwks_uri, entry), kid)
        if key is None:
            raise UnknownKeyError("unknown key id")
        return key

    def close(self) -> None:
        """Stop the pool; a fetch still running ends by its own timeout."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _entry(self, uri: str) -> _Entry:
        entry = self._entries.get(uri)
        if entry is None:
            client = PyJWKClient(uri, cache_keys=False, cache_jwk_set=False, timeout=self._timeout)
            entry = self._entries[uri] = _Entry(client)
        return entry

    async def _fetch(self, uri: str, entry: _Entry) -> PyJWKSet:
        if self._waiting >= self._max_waiting:
            raise KeysBusyError
        if entry.inflight is None:
            loop = asyncio.get_running_loop()
            entry.inflight = loop.run_in_executor(self._executor, entry.client.get_jwk_set, True)
            entry.inflight.add_done_callback(lambda done: self._fetched(uri, entry, done))
        self._waiting += 1
        try:
            # Shielded: one waiter giving up (its request cancelled) must not cancel the
            # fetch the others wait for.
            return await asyncio.shield(entry.inflight)
        finally:
            self._waiting -= 1

    def _fetched(self, uri: str, entry: _Entry, done: asyncio.Future[PyJWKSet]) -> None:
        entry.inflight = None
        if done.cancelled():
            return
        error = done.exception()
        if error is not None:
            entry.failed_at = time.monotonic()
            logger.warning("Teams signing keys: fetch failed (%s)", type(error).__name__)
            return
        entry.keys = done.result()
        entry.fetched_at = time.monotonic()
        logger.info("Teams signing keys: %d key(s) fetched", len(entry.keys.keys))


def _match(keys: PyJWKSet, kid: str) -> PyJWK | None:
    for key in keys.keys:
        if key.key_id == kid and key.public_key_use in (None, "sig"):
            return key
    return None
