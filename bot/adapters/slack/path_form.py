"""The submitted /finops-path modal: its values, their field errors, and the path request text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.adapters.slack.ids import is_channel_id
from bot.core.paths import PathRecommender, PathRequest
from bot.render.slack_views import (
    FIELD_ACTION,
    FIELD_EXPERIENCE,
    FIELD_GOAL,
    FIELD_PROGRAM,
    FIELD_ROLE,
)

MAX_ERROR = 150


@dataclass(frozen=True)
class PathForm(PathRequest):
    """What the person typed into the modal, and the channel it was opened from."""

    channel_id: str | None = None


def read_path_form(view: Mapping[str, Any]) -> PathForm:
    """Return the values of a submitted path modal *view* (missing fields are None)."""
    values = view.get("state", {}).get("values", {})

    def field(block_id: str) -> str | None:
        element = values.get(block_id, {}).get(FIELD_ACTION, {})
        selected = element.get("selected_option") or {}
        raw = element.get("value") or selected.get("value") or ""
        text = " ".join(str(raw).split())
        return text or None

    return PathForm(
        role=field(FIELD_ROLE) or "",
        experience=field(FIELD_EXPERIENCE),
        program=field(FIELD_PROGRAM),
        goal=field(FIELD_GOAL),
        channel_id=read_channel(view),
    )


def read_channel(view: Mapping[str, Any]) -> str | None:
    """Return the conversation a modal was opened from (its private metadata), if valid."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        metadata = {}
    channel = metadata.get("channel_id") if isinstance(metadata, dict) else None
    return channel if isinstance(channel, str) and _is_conversation(channel) else None


def form_errors(form: PathForm, paths: PathRecommender) -> dict[str, str]:
    """Return field errors for *form* (block id -> message); empty when it can be answered."""
    # The modal's block ids are the neutral field names.
    return {field: _clip(text) for field, text in form.problems(paths).items()}


def _is_conversation(channel_id: str) -> bool:
    # Modals opened from a DM carry a D… id; postEphemeral works there too.
    return is_channel_id(channel_id) or (channel_id.startswith("D") and channel_id.isalnum())


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1].rstrip(", ") + "…"
