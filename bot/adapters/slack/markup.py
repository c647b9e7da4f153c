"""Slack's message markup, turned into the plain text a person reads, before the core sees it."""

from __future__ import annotations

import re

# Slack wraps mentions, channels and links in angle brackets: `<#C123|general>` and
# `<https://x|label>` keep their label; bare mentions (`<@U123>`, `<!here>`), channels and
# links carry no words of the question and are dropped.
_LABELLED = re.compile(r"<(?:#[A-Z0-9]+|(?:https?|mailto):[^|>\s]*)\|([^>]*)>")
_BARE = re.compile(r"<[@!#][^>]*>|<(?:https?|mailto):[^>\s]*>")


def plain_text(text: str) -> str:
    """Return Slack message *text* without its markup (entities are decoded by the core)."""
    return _BARE.sub(" ", _LABELLED.sub(r" \1 ", text)).strip()
