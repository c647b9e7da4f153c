"""The local terminal chat: type questions or /finops-path, read tidy text replies."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.core import replies
from bot.core.bot import Bot
from bot.core.reply import Message, Reply
from bot.render.text import render_text

BANNER = (
    "finops-bot terminal chat. Ask about FinOps certifications, or type "
    "'/finops-path sre 3 years'.\nNumbers pick a 'did you mean' choice; 'quit' or Ctrl-D exits.\n"
)


def run_chat(bot: Bot, lines: Iterable[str], write: Callable[[str], object]) -> None:
    """Answer each line of *lines* with *bot*, writing replies through *write*."""
    write(BANNER)
    last: Reply | None = None
    for raw in lines:
        text = raw.strip()
        if text.lower() in ("quit", "exit", ":q"):
            break
        choices = last.suggestions if last is not None else ()
        if choices and text.isdigit():
            if 1 <= int(text) <= len(choices):
                reply = bot.faq(choices[int(text) - 1].faq_id)
            else:
                # Out of range: say so, and keep the list to pick from.
                write(render_text(replies.no_list_reply(len(choices)), width_rule=72) + "\n")
                continue
        else:
            reply = bot.handle(Message(text=text, user_id="local", platform="terminal"))
        last = reply
        write(render_text(reply, width_rule=72) + "\n")
