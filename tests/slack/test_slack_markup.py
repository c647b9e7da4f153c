"""Slack's markup is removed by the adapter, so the core only ever sees what people read."""

from __future__ import annotations

import pytest

from bot.adapters.slack.markup import plain_text
from bot.core.bot import Bot
from bot.core.intents import classify
from bot.core.reply import Message
from bot.render.text import render_text


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("<@U0BOT> how long is the focp exam?", "how long is the focp exam?"),
        ("ask in <#C0123|finops-study> please", "ask in  finops-study  please"),
        ("see <https://learn.finops.org|the catalog>", "see  the catalog"),
        ("<!here> <!channel> <!subteam^S1|@team> price?", "price?"),
        ("bare link <https://example.com/x> here", "bare link   here"),
        ("a &lt; b &amp; c", "a &lt; b &amp; c"),  # entities are the core's to decode
    ],
)
def test_markup_becomes_plain_text(raw: str, plain: str) -> None:
    """Mentions and broadcasts go, channel names and link labels stay."""
    assert plain_text(raw) == plain


def test_a_bare_mention_gets_help(bot: Bot) -> None:
    """A mention with nothing else is an empty message: the help, not a decline."""
    reply = bot.handle(Message(text=plain_text("<@U0BOT>")))
    assert reply.kind == "help"
    assert "/finops-path" in render_text(reply)


def test_a_mention_before_help_is_help() -> None:
    """'@bot help' is a request for help once the mention is gone."""
    assert classify(plain_text("<@U123> help")).kind == "help"
