"""The practice quiz in conversation: `/finops-quiz [cert | progress]`, answers and "next".

Every platform reaches it through the conversation service: typed commands through
`respond`, button clicks (or numbers in the terminal) through `act`. Progress lives behind
`QuizProgress`: the shared store on servers, memory in the terminal chat.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Protocol

from bot.core import quiz
from bot.core.knowledge import Knowledge
from bot.core.quiz import Attempt, History, Item, Review
from bot.core.quiz_replies import graded_reply, progress_reply, question_reply, usage_reply
from bot.core.reply import Action, Message, Reply, Section
from bot.core.store import KnowledgeStore
from bot.core.text import fold
from bot.core.wording import say

logger = logging.getLogger(__name__)

DEFAULT_CERT = "focp"
_ANSWER_VALUE = re.compile(r"^([a-z0-9][a-z0-9-]{0,79}):([0-9])$")
PROGRESS_WORDS = {"progress", "stats", "score", "status", "how am i doing"}
HELP_WORDS = {"help", "usage", "?"}
UNAVAILABLE = say("quiz_progress_unavailable")


class ProgressUnavailableError(Exception):
    """The place progress is kept cannot be reached just now."""


class QuizProgress(Protocol):
    """Where each person's answers and review schedule are kept."""

    def now(self) -> datetime:
        """Return the current time (aware UTC)."""

    async def history(self, platform: str, user_id: str) -> History:
        """Return the person's practice so far; raise ProgressUnavailableError."""

    async def record(
        self, platform: str, user_id: str, attempt: Attempt, choice: int, review: Review
    ) -> None:
        """Store one answer and the question's new schedule; raise ProgressUnavailableError."""

    async def forget(self, platform: str, user_id: str) -> int:
        """Delete the person's answers and schedules; return how many rows went."""


class MemoryQuizProgress:
    """Progress kept in memory: the terminal chat, and servers without a store."""

    def __init__(self) -> None:
        """Start with nobody's progress."""
        self._people: dict[tuple[str, str], History] = {}

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)

    async def history(self, platform: str, user_id: str) -> History:
        """Return the person's practice so far."""
        return self._people.get((platform, user_id), History())

    async def record(
        self, platform: str, user_id: str, attempt: Attempt, choice: int, review: Review
    ) -> None:
        """Add one answer and the question's new schedule."""
        before = self._people.get((platform, user_id), History())
        reviews = {**(before.reviews or {}), review.question_id: review}
        self._people[(platform, user_id)] = History((*before.attempts, attempt), reviews)

    async def forget(self, platform: str, user_id: str) -> int:
        """Drop the person's answers; return how many there were."""
        gone = self._people.pop((platform, user_id), History())
        return len(gone.attempts)


class QuizConversation:
    """Asks, grades and sums up practice questions for every platform alike."""

    def __init__(self, store: KnowledgeStore, progress: QuizProgress | None = None) -> None:
        """Ask from the knowledge in *store*; keep progress in *progress* (memory if None)."""
        self.store = store
        self.progress: QuizProgress = progress or MemoryQuizProgress()

    @property
    def knowledge(self) -> Knowledge:
        """Return the knowledge being served now."""
        return self.store.current.knowledge

    async def respond(self, message: Message, rest: str) -> Reply:
        """Answer `/finops-quiz REST`: a question, progress, or the usage."""
        words = " ".join(fold(rest).replace("-", " ").split()) if rest else ""
        if words in HELP_WORDS:
            return usage_reply()
        first, _, after = words.partition(" ")
        if words in PROGRESS_WORDS or first in PROGRESS_WORDS:
            cert = self._cert(after) if after else None
            if after and cert is None:
                return self._unknown(after)
            return await self._progress(message, cert)
        cert = self._cert(words) if words else None
        if words and cert is None:
            return self._unknown(words)
        return await self._ask(message, cert)

    async def act(self, message: Message, action: Action) -> Reply:
        """Handle a quiz button (or a number typed in the terminal)."""
        if action.kind == "quiz_answer":
            return await self._answer(message, action.value)
        cert = action.value if action.value in self.knowledge.quiz else None
        if action.kind == "quiz_progress":
            return await self._progress(message, cert)
        return await self._ask(message, cert)

    async def forget(self, message: Message) -> int:
        """Delete the sender's practice answers and schedules; return how many went."""
        return await self.progress.forget(message.platform, message.user_id)

    async def home(self, message: Message) -> Reply | None:
        """Return the person's progress for the Home tab, or None before any practice."""
        try:
            history = await self._history(message)
        except ProgressUnavailableError:
            return None
        if not history.attempts:
            return None
        return progress_reply(self.knowledge, self._summary(history, None))

    # ----- steps

    async def _ask(self, message: Message, cert: str | None) -> Reply:
        note = None
        try:
            history = await self._history(message)
        except ProgressUnavailableError:
            history, note = History(), UNAVAILABLE
        cert = cert or _last_cert(history, self.knowledge) or DEFAULT_CERT
        item = quiz.next_question(self.knowledge, cert, history, self.progress.now())
        if item is None:
            return usage_reply(say("quiz_no_questions", cert=cert))
        return question_reply(self.knowledge, item, note)

    async def _answer(self, message: Message, value: str) -> Reply:
        m = _ANSWER_VALUE.match(value)
        item = quiz.find(self.knowledge, m.group(1)) if m is not None else None
        if m is None or item is None:
            return _gone(self.knowledge)
        choice = int(m.group(2))
        if choice >= len(item.question.choices):
            return _gone(self.knowledge)
        grade = quiz.grade(item, choice)
        return graded_reply(self.knowledge, grade, saved=await self._save(message, item, grade))

    async def _save(self, message: Message, item: Item, grade: quiz.Grade) -> bool:
        now = self.progress.now()
        try:
            history = await self._history(message)
            card, due = quiz.schedule(history.review(item.question.id), grade.correct, now)
            attempt = Attempt(item.question.id, item.cert, item.question.domain, grade.correct, now)
            review = Review(item.question.id, card, due)
            await self.progress.record(
                message.platform, message.user_id, attempt, grade.choice, review
            )
        except ProgressUnavailableError:
            logger.warning("quiz: an answer was graded but not saved (progress unavailable)")
            return False
        return True

    async def _progress(self, message: Message, cert: str | None) -> Reply:
        try:
            history = await self._history(message)
        except ProgressUnavailableError:
            title = say("quiz_practice_title")
            return Reply(kind="quiz", title=title, sections=(Section(UNAVAILABLE),))
        return progress_reply(self.knowledge, self._summary(history, cert))

    def _summary(self, history: History, cert: str | None) -> quiz.Progress:
        cert = cert or _last_cert(history, self.knowledge) or DEFAULT_CERT
        return quiz.progress(self.knowledge, cert, history, self.progress.now())

    async def _history(self, message: Message) -> History:
        return await self.progress.history(message.platform, message.user_id)

    def _cert(self, text: str) -> str | None:
        """Return the program *text* names (id, name or alias), if it has questions."""
        wanted = " ".join(text.replace("-", " ").split())
        for program in self.knowledge.programs.values():
            names = (program.id, program.name, *program.aliases)
            if program.id in self.knowledge.quiz and any(
                " ".join(fold(n).replace("-", " ").split()) == wanted for n in names
            ):
                return program.id
        return None

    def _unknown(self, text: str) -> Reply:
        known = ", ".join(sorted(self.knowledge.quiz))
        return usage_reply(say("quiz_unknown_program", program=text[:60], programs=known))


def _last_cert(history: History, knowledge: Knowledge) -> str | None:
    """Return the program the person practised last, if it still has questions."""
    for attempt in reversed(history.attempts):
        if attempt.cert in knowledge.quiz:
            return attempt.cert
    return None


def _gone(knowledge: Knowledge) -> Reply:
    return Reply(
        kind="quiz",
        title=say("quiz_title"),
        sections=(Section(say("quiz_gone")),),
        actions=(Action("quiz_next", say("quiz_next_button"), ""),),
    )
