"""The quiz through the conversation service: usage, unknown programs, an unavailable store."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.conversation.access import AccessRules
from bot.conversation.quiz import ProgressUnavailableError, QuizConversation
from bot.conversation.service import ConversationService
from bot.core.bot import Bot
from bot.core.quiz import Attempt, History, Review
from bot.core.reply import Action, Message
from bot.core.store import KnowledgeStore
from bot.render.text import render_text


class DownProgress:
    """A progress store that is unreachable."""

    def now(self) -> datetime:
        return datetime(2026, 12, 1, tzinfo=UTC)

    async def history(self, platform: str, user_id: str) -> History:
        raise ProgressUnavailableError("down")

    async def record(
        self, platform: str, user_id: str, attempt: Attempt, choice: int, review: Review
    ) -> None:
        raise ProgressUnavailableError("down")


def _service(store: KnowledgeStore, progress: DownProgress | None = None) -> ConversationService:
    quiz = QuizConversation(store, progress)
    return ConversationService(Bot(store), AccessRules(admins=frozenset()), quiz=quiz)


async def test_an_unavailable_store_still_asks_and_grades(bundled_store: KnowledgeStore) -> None:
    service = _service(bundled_store, DownProgress())
    msg = Message("/finops-quiz focp", user_id="U1", platform="slack")
    asked = await service.respond(msg)
    assert asked is not None
    assert "won't see your history" in render_text(asked)
    answer = next(a for a in asked.actions if a.kind == "quiz_answer")
    graded = await service.quiz_action(msg, answer)
    text = render_text(graded)
    assert ("Right!" in text) or ("Not quite." in text)
    assert "won't count in your progress" in text
    progress = await service.quiz_action(msg, Action("quiz_progress", "", "focp"))
    assert "unavailable" in render_text(progress)


async def test_usage_unknown_program_and_stale_buttons(bundled_store: KnowledgeStore) -> None:
    service = _service(bundled_store)
    msg = Message("", user_id="U1", platform="slack")
    help_reply = await service.respond(Message("/finops-quiz help"))
    assert help_reply is not None
    assert "/finops-quiz progress [CERT]" in render_text(help_reply)
    unknown = await service.respond(Message("/finops-quiz aws solutions architect"))
    assert unknown is not None
    assert "no practice questions for 'aws solutions architect'" in render_text(unknown)
    by_alias = await service.respond(Message("/finops-quiz Certified FinOps Architect"))
    assert by_alias is not None
    assert by_alias.program == "architect"
    for value in ("no-such-question:0", "focp-wf-01:9", "garbage"):
        stale = await service.quiz_action(msg, Action("quiz_answer", "", value))
        assert "no longer in the question bank" in render_text(stale)
    # Nothing was recorded by the stale clicks.
    assert await service.quiz.home(msg) is None


async def test_asked_in_words_the_bot_offers_or_starts_its_own_practice(
    bundled_store: KnowledgeStore,
) -> None:
    """ "do you have practice questions?" shows how to practise here; "can you quiz me on
    the FOCE?" asks a FOCE question."""
    service = _service(bundled_store)
    offer = await service.respond(Message("do you have practice questions?", user_id="U1"))
    assert offer is not None
    assert "/finops-quiz CERT" in render_text(offer)
    started = await service.respond(Message("can you quiz me on the FOCE?", user_id="U1"))
    assert started is not None
    assert started.program == "foce"
    assert any(action.kind == "quiz_answer" for action in started.actions)
