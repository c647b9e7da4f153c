"""The bot's own words, kept as data in wording.yaml so they can be edited without code."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml


@cache
def _wording() -> dict[str, str]:
    text = files("bot.core").joinpath("wording.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {str(k): str(v) for k, v in data.items()}


def say(key: str, **fields: object) -> str:
    """Return the wording *key*, its `{fields}` filled in (KeyError for an unknown key)."""
    text = _wording()[key]
    return text.format(**fields) if fields else text


def keys() -> frozenset[str]:
    """Return every wording key (tests check the code uses no other)."""
    return frozenset(_wording())
