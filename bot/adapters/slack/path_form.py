"""The submitted /finops-path modal: its values, their field errors, and the path request text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.adapters.slack.ids import is_channel_id
from bot.core.paths import EXPERIENCE_RANGE, PathRecommender, read_experience
from bot.render.slack_views import (
    FIELD_ACTION,
    FIELD_EXPERIENCE,
    FIELD_GOAL,
    FIELD_PROGRAM,
    FIELD_ROLE,
)

MAX_ERROR = 150


@dataclass(frozen=True)
class PathForm:
    """What the person typed into the modal, and the channel it was opened from."""

    role: str
    experience: str | None = None
    program: str | None = None
    goal: str | None = None
    channel_id: str | None = None

    def text(self) -> str:
        """Return the same request as /finops-path text, so Share can replay it."""
        parts = [self.role]
        if self.experience:
            parts.append(self.experience)
        if self.program:
            parts.append(f"--program {self.program}")
        if self.goal:
            # The goal goes last: the parser takes everything after --goal.
            parts.append(f"--goal {self.goal}")
        return " ".join(" ".join(parts).split())


def read_path_form(view: Mapping[str, Any]) -> PathForm:
    """Return the values of a submitted path modal *view* (missing fields are None)."""
    values = view.get("state", {}).get("values", {})

    def field(block_id: str) -> str | None:
        element = values.get(block_id, {}).get(FIELD_ACTION, {})
        selected = element.get("selected_option") or {}
        raw = element.get("value") or selected.get("value") or ""
        text = " ".join(str(raw).split())
        return text or None

    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        metadata = {}
    channel = metadata.get("channel_id") if isinstance(metadata, dict) else None
    return PathForm(
        role=field(FIELD_ROLE) or "",
        experience=field(FIELD_EXPERIENCE),
        program=field(FIELD_PROGRAM),
        goal=field(FIELD_GOAL),
        channel_id=channel if isinstance(channel, str) and _is_conversation(channel) else None,
    )


def form_errors(form: PathForm, paths: PathRecommender) -> dict[str, str]:
    """Return field errors for *form* (block id -> message); empty when it can be answered."""
    errors: dict[str, str] = {}
    role, _ = paths.roles.find(form.role)
    if role is None:
        names = sorted(r.name for r in paths.knowledge.roles.values())
        errors[FIELD_ROLE] = _clip("I don't know that role. Try one of: " + ", ".join(names))
    months, ignored = read_experience(form.experience) if form.experience else (None, None)
    if ignored:
        errors[FIELD_EXPERIENCE] = f"I read experience as {EXPERIENCE_RANGE}; '{ignored}' is not."
    elif form.experience and months is None:
        errors[FIELD_EXPERIENCE] = (
            "I couldn't read that as experience. Try '3 years', '18 months' or 'new to cloud'."
        )
    if form.program and paths.find_program(form.program) is None:
        errors[FIELD_PROGRAM] = "That program is no longer available; pick another one."
    return errors


def _is_conversation(channel_id: str) -> bool:
    # Modals opened from a DM carry a D… id; postEphemeral works there too.
    return is_channel_id(channel_id) or (channel_id.startswith("D") and channel_id.isalnum())


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1].rstrip(", ") + "…"
