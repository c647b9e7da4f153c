"""Slack id formats, shared by settings validation and the admin `channels` verb."""

from __future__ import annotations

import re

# Slack ids are upper-case letters and digits after a one-letter kind prefix.
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,30}$")


def is_user_id(text: str) -> bool:
    """Return True when *text* looks like a Slack user id (U… or W…)."""
    return bool(USER_ID.match(text))


def is_channel_id(text: str) -> bool:
    """Return True when *text* looks like a Slack public or private channel id (C… or G…)."""
    return bool(CHANNEL_ID.match(text))
