"""The local terminal chat: type questions or /finops-path, read tidy text replies."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Iterator
from typing import Any, Protocol

from bot.conversation.service import ConversationService
from bot.core import replies
from bot.core.reply import QUIZ_ACTIONS, Action, Message, Reply
from bot.core.wording import say
from bot.render.text import ask_choices, render_text

BANNER = (
    "finops-bot terminal chat. Ask about FinOps certifications, or type "
    "'/finops-path sre 3 years' or '/finops-quiz focp'.\nNumbers pick a numbered choice (or "
    "answer a practice question), 'more' shows the rest of an answer; 'quit' or Ctrl-D exits.\n"
)
# Words that press a practice question's buttons, after a quiz reply.
QUIZ_WORDS = {"next": "quiz_next", "progress": "quiz_progress"}
PLATFORM = "terminal"
# The person at the terminal is the only one in the conversation, and owns the files.
USER = "local"
PLACE = "terminal"


def run_chat(
    conversation: ConversationService,
    lines: Iterable[str],
    write: Callable[[str], object],
    service: Startable | None = None,
) -> None:
    """Answer each line of *lines* through *conversation*, writing replies through *write*.

    With *service* (the shared store, `chat --store`), it is started first and closed after.
    """
    asyncio.run(_with_service(service, _chat(conversation, lines, write)))


class Startable(Protocol):
    """Something started before the chat and closed after it (the store)."""

    async def start(self) -> None:
        """Start."""

    async def close(self) -> None:
        """Close."""


async def _with_service(service: Startable | None, chat: Coroutine[Any, Any, None]) -> None:
    if service is None:
        await chat
        return
    await service.start()
    try:
        await chat
    finally:
        await service.close()


def _until_quit(lines: Iterable[str]) -> Iterator[str]:
    """Yield each line stripped, up to a "quit", "exit" or ":q"."""
    for raw in lines:
        text = raw.strip()
        if text.lower() in ("quit", "exit", ":q"):
            return
        yield text


async def _chat(
    conversation: ConversationService, lines: Iterable[str], write: Callable[[str], object]
) -> None:
    write(BANNER)
    last: Reply | None = None
    shown_more = False
    for line in _until_quit(lines):
        text = line
        msg = Message(text, user_id=USER, platform=PLATFORM, place=PLACE, private=True)
        picks = last.suggestions if last is not None else ()
        choices = ask_choices(last) if last is not None else []
        more = [a for a in last.actions if a.kind == "more"] if last is not None else []
        quiz: dict[str, Action] = (
            {a.kind: a for a in last.actions if a.kind in QUIZ_ACTIONS} if last else {}
        )
        answers = [a for a in last.actions if a.kind == "quiz_answer"] if last else []
        word = text.lower().strip(" .!'\"")
        # "b" or "(b)" answers a practice question as "2" does: exams letter their options.
        letter = word.strip("()")
        if answers and len(letter) == 1 and "a" <= letter <= "z":
            text = str(ord(letter) - ord("a") + 1)
        reply: Reply | None
        if answers and text.isdigit():
            if not 1 <= int(text) <= len(answers):
                write(f"Type a number from 1 to {len(answers)} to answer.\n")
                continue
            reply = await conversation.quiz_action(msg, answers[int(text) - 1])
        elif word in QUIZ_WORDS and QUIZ_WORDS[word] in quiz:
            reply = await conversation.quiz_action(msg, quiz[QUIZ_WORDS[word]])
        elif picks and text.isdigit():
            if not 1 <= int(text) <= len(picks):
                # Out of range: say so, and keep the list to pick from.
                write(render_text(replies.no_list_reply(len(picks)), width_rule=72) + "\n")
                continue
            reply = await conversation.chosen(msg, picks[int(text) - 1].faq_id, "suggestion")
        elif choices and text.isdigit() and 1 <= int(text) <= len(choices):
            reply = await conversation.choose(msg, choices[int(text) - 1])
        elif more and word == "more":
            reply = await conversation.choose(msg, more[0])
        elif word == "more" and shown_more:
            # The More just shown was the rest: asking again would match "more" as a question.
            write(say("no_more") + "\n")
            continue
        else:
            reply = await conversation.respond(msg)
        if reply is None:
            continue
        shown_more = bool(more) and word == "more"
        last = reply
        write(render_text(reply, width_rule=72) + "\n")
