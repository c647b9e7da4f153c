"""The local terminal chat: type questions or /finops-path, read tidy text replies."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.core.bot import Bot
from bot.core.reply import Message, Reply
from bot.render.text import ask_choices, render_text

BANNER = (
    "finops-bot terminal chat. Ask about FinOps certifications, or type "
    "'/finops-path sre 3 years'.\nNumbers pick a numbered choice, 'more' shows the rest of an "
    "answer; 'quit' or Ctrl-D exits.\n"
)


def run_chat(bot: Bot, lines: Iterable[str], write: Callable[[str], object]) -> None:
    """Answer each line of *lines* with *bot*, writing replies through *write*."""
    write(BANNER)
    last: Reply | None = None
    for raw in lines:
        text = raw.strip()
        if text.lower() in ("quit", "exit", ":q"):
            break
        msg = Message(text=text, user_id="local", platform="terminal")
        choices = ask_choices(last) if last is not None else []
        more = [a for a in last.actions if a.kind == "more"] if last is not None else []
        if last is not None and text.isdigit() and 1 <= int(text) <= len(last.suggestions):
            reply = bot.faq(last.suggestions[int(text) - 1].faq_id)
        elif text.isdigit() and 1 <= int(text) <= len(choices):
            reply = bot.choose(choices[int(text) - 1], msg)
        elif more and text.lower().strip(" .!'\"") == "more":
            reply = bot.choose(more[0], msg)
        else:
            reply = bot.handle(msg)
        last = reply
        write(render_text(reply, width_rule=72) + "\n")
