"""Neutral message and reply types: what every adapter sends in and every renderer draws."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ReplyKind = Literal[
    "answer",
    "suggest",
    "decline",
    "path",
    "clarify",
    "help",
    "greeting",
    "admin",
    "empty",
    "quiz",
    "plan",
]
# "ask" re-asks a question (its value is the question text, e.g. rewritten for one program);
# "more" shows the rest of an FAQ answer (its value is the FAQ id).
# "teach" opens the teach form (its value: the nearest FAQ id, a newline, the question);
# "suggest" opens the suggestion form (its value: the declined question); "reason" records why
# an answer got a thumbs-down (its value: reason:faq-id).
# Practice questions: "quiz_answer" (value "QUESTION_ID:INDEX"), "quiz_next" and
# "quiz_progress" (value: the program id).
ActionKind = Literal[
    "faq",
    "feedback",
    "share",
    "path_form",
    "ask",
    "more",
    "teach",
    "suggest",
    "reason",
    "quiz_answer",
    "quiz_next",
    "quiz_progress",
]
QUIZ_ACTIONS = ("quiz_answer", "quiz_next", "quiz_progress")


@dataclass(frozen=True)
class Message:
    """One thing a person said to the bot, on any platform."""

    text: str
    user_id: str = "local"
    platform: str = "terminal"
    # Where it was said (a DM, a channel thread, a Teams chat): keys the conversation's memory.
    place: str = ""
    # True only where nobody but the sender reads the reply (a DM, a 1:1 chat, an ephemeral
    # slash-command answer). Admin output goes only there, so when in doubt it is False.
    private: bool = False
    # How it reached the bot, recorded with the question: dm, mention, channel or command.
    via: str = "dm"
    # True when the bot was not addressed (a plain message in an opted-in channel): it then
    # speaks only when it has an answer, a "did you mean" or a path, and stays silent otherwise.
    unprompted: bool = False
    # True when the message starts its conversation (a top-level channel message, whose
    # replies thread under it): there is nothing to recall about it yet.
    new_thread: bool = False


@dataclass(frozen=True)
class Section:
    """A block of plain text, optionally headed; lines starting with '- ' are bullets."""

    text: str
    heading: str | None = None


@dataclass(frozen=True)
class Fact:
    """A short label/value pair shown as a table row or card fact."""

    label: str
    value: str


@dataclass(frozen=True)
class Suggestion:
    """A 'did you mean' choice, or a runner-up offered next to a tentative answer."""

    faq_id: str
    question: str
    score: float


@dataclass(frozen=True)
class Action:
    """A button: a follow-up FAQ, feedback, share, the path form, a re-ask, or 'More'."""

    kind: ActionKind
    label: str
    value: str


@dataclass(frozen=True)
class Link:
    """A source shown by its title, linked when the knowledge has its address."""

    title: str
    url: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (an admin's CSV export); adapters upload it privately."""

    filename: str
    content: str
    title: str | None = None
    # The admin command that made it (e.g. "export 30"), so a platform that delivers files
    # later (Teams asks for consent first) can build it again.
    command: str | None = None


@dataclass(frozen=True)
class Reply:
    """What the bot says, independent of where it is said."""

    kind: ReplyKind
    title: str | None = None
    sections: tuple[Section, ...] = ()
    facts: tuple[Fact, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    actions: tuple[Action, ...] = ()
    source: str | None = None
    # The sources as titles with links; renderers prefer these to the plain `source` label.
    links: tuple[Link, ...] = ()
    # How many of the last `links` wait for the "More" reply (the first message says "and N more").
    more_sources: int = 0
    # Detail behind a "More" button (Slack, Teams) or "say 'more'" (terminal).
    more: tuple[Section, ...] = ()
    faq_id: str | None = None
    # The program and attribute a structured-facts answer is about (evaluation, thread context).
    program: str | None = None
    attribute: str | None = None
    # The programs a certification path lists, in order ("how much is the second one?").
    listed: tuple[str, ...] = ()
    matched_question: str | None = None
    score: float = 0.0
    data: dict[str, Any] | None = None
    attachment: Attachment | None = None

    @property
    def answered(self) -> bool:
        """Return True when the reply answers a question outright."""
        return self.kind == "answer"
