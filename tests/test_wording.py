"""The bot's own words live in bot/core/wording.yaml: every key used exists, none is dead."""

from __future__ import annotations

import re
import string
from pathlib import Path

from bot.core.wording import keys, say

BOT = Path(__file__).resolve().parent.parent / "bot"
_USE = re.compile(r"""\bsay\(\s*["']([a-z_]+)["']""")


def _used() -> set[str]:
    return {m for p in BOT.rglob("*.py") for m in _USE.findall(p.read_text(encoding="utf-8"))}


def test_every_key_the_code_uses_exists() -> None:
    """A typo in a key would be a crash in front of a user; it is caught here instead."""
    assert _used() - keys() == set()


def test_no_wording_is_dead() -> None:
    """Every entry is said somewhere, so editing the file always changes what people see."""
    assert keys() - _used() == set()


def test_fields_are_named_and_filled() -> None:
    """Each `{field}` can be filled, and text without fields is returned as written."""
    for key in keys():
        fields = {f for _, f, _, _ in string.Formatter().parse(say(key)) if f}
        filled = say(key, **dict.fromkeys(fields, "X")) if fields else say(key)
        assert "{" not in filled, key
