"""Teaching the bot from chat: admin verbs, non-admin suggestions and thumbs-down reasons.

Admins teach at once (`teach`, `teach-new`, `forget-phrase`, `approve`); what they teach is
stored and reaches every instance through the learned generation. Anyone may suggest, but a
suggestion is only a pending row until an admin approves it: nothing a non-admin writes is
shown to anyone else before that.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from bot.conversation.admin import AdminVerb, admin_reply
from bot.core.insights import parse_days, store_unavailable_reply
from bot.core.learned import (
    TaughtFaq,
    clean,
    faq_problem,
    new_faq_id,
    phrase_problem,
)
from bot.core.loading import normalise_phrase
from bot.core.reply import Action, Message, Reply, Section
from bot.core.store import KnowledgeStore
from bot.core.wording import say
from bot.storage.store import StoreUnavailableError

if TYPE_CHECKING:
    from bot.storage.learned_sync import LearnedSync
    from bot.storage.learning import Learning

# Why a thumbs-down: the short choice people get, by the value the buttons carry.
REASONS: Mapping[str, str] = MappingProxyType(
    {
        "wrong": say("teach_reason_wrong"),
        "outdated": say("teach_reason_outdated"),
        "long": say("teach_reason_long"),
        "not-asked": say("teach_reason_not_asked"),
        "other": say("teach_reason_other"),
    }
)
_FAQ_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
NO_STORE = say("teach_no_store")


def reason_reply(faq_id: str, thanks: str) -> Reply:
    """Return the thanks for a 👎 with the short choice of why (the buttons carry reason:faq)."""
    return Reply(
        kind="admin",
        sections=(Section(say("teach_reason_ask", thanks=thanks)),),
        actions=tuple(Action("reason", label, f"{key}:{faq_id}") for key, label in REASONS.items()),
    )


def read_reason(value: str) -> tuple[str, str] | None:
    """Return (reason, faq id) from a reason button's value, or None when it is not one."""
    reason, _, faq_id = value.partition(":")
    if reason not in REASONS or not _FAQ_ID.match(faq_id):
        return None
    return reason, faq_id


def with_suggest(reply: Reply, question: str) -> Reply:
    """Return a declined *reply* with a "Suggest an answer" button for *question*."""
    action = Action("suggest", say("teach_suggest_button"), " ".join(question.split())[:300])
    return dataclasses.replace(reply, actions=(*reply.actions, action))


class Teaching:
    """The teach verbs, suggestions and feedback reasons, on the shared store."""

    def __init__(self, knowledge: KnowledgeStore, learning: Learning, sync: LearnedSync) -> None:
        """Teach *knowledge* through *learning*; *sync* applies changes here at once."""
        self.knowledge = knowledge
        self.learning = learning
        self.sync = sync

    def verbs(self) -> dict[str, AdminVerb]:
        """Return the admin verbs this feature adds."""
        return {
            "teach": self.teach,
            "teach-new": self.teach_new,
            "forget-phrase": self.forget_phrase,
            "suggestions": self.suggestions,
            "approve": self.approve,
            "reject": self.reject,
            "feedback": self.feedback,
        }

    # ----- admin verbs

    async def teach(self, message: Message, args: str) -> Reply:
        """`teach FAQ-ID QUESTION`: the question is a phrasing of that FAQ from now on."""
        faq_id, _, text = args.strip().partition(" ")
        text = clean(text)
        if not faq_id or not text:
            return admin_reply(say("teach_usage"))
        problem = phrase_problem(self.knowledge.current.knowledge, faq_id.lower(), text)
        if problem is not None:
            return admin_reply(problem)
        try:
            await self.learning.add(
                message.platform, message.user_id, kind="phrase", faq_id=faq_id.lower(),
                question=text, approved=True,
            )  # fmt: skip
        except StoreUnavailableError:
            return store_unavailable_reply(say("teach_unavailable_taught"))
        await self.sync.poll_once()
        return admin_reply(say("teach_taught", text=text, faq_id=faq_id.lower()))

    async def teach_new(self, message: Message, args: str) -> Reply:
        """`teach-new SOURCE-ID QUESTION | ANSWER`: a new FAQ, answered at once."""
        source, _, rest = args.strip().partition(" ")
        question, bar, answer = rest.partition("|")
        if not source or not bar:
            return admin_reply(say("teach_new_usage"))
        return await self.draft(message, clean(question), clean(answer), source)

    async def draft(self, message: Message, question: str, answer: str, source: str) -> Reply:
        """Add a new FAQ drafted by an admin (a modal, a card or `teach-new`)."""
        knowledge = self.knowledge.current.knowledge
        draft = TaughtFaq(new_faq_id(knowledge, question), question, answer, source)
        problem = faq_problem(knowledge, draft)
        if problem is not None:
            return admin_reply(problem)
        try:
            await self.learning.add(
                message.platform, message.user_id, kind="faq", faq_id=draft.faq_id,
                question=question, answer=answer, source=source, approved=True,
            )  # fmt: skip
        except StoreUnavailableError:
            return store_unavailable_reply(say("teach_unavailable_taught"))
        await self.sync.poll_once()
        return admin_reply(say("teach_new_faq", faq_id=draft.faq_id, question=question))

    async def forget_phrase(self, message: Message, args: str) -> Reply:
        """`forget-phrase FAQ-ID QUESTION`: drop a learned phrasing."""
        faq_id, _, text = args.strip().partition(" ")
        if not faq_id or not clean(text):
            return admin_reply(say("teach_forget_usage"))
        try:
            gone = await self.learning.forget(faq_id.lower(), normalise_phrase, clean(text))
        except StoreUnavailableError:
            return store_unavailable_reply(say("teach_unavailable_taught"))
        if not gone:
            return admin_reply(say("teach_forget_missing", faq_id=faq_id[:80]))
        await self.sync.poll_once()
        return admin_reply(say("teach_forgotten", faq_id=faq_id.lower()))

    async def suggestions(self, message: Message, args: str) -> Reply:
        """`suggestions`: what people suggested, waiting for an admin."""
        try:
            waiting = await self.learning.pending()
        except StoreUnavailableError:
            return store_unavailable_reply(say("teach_unavailable_suggestions"))
        if not waiting:
            return admin_reply(say("teach_no_suggestions"), title=say("teach_suggestions_title"))
        lines = [
            say(
                "teach_suggestion",
                id=s.id,
                question=s.question[:200],
                answer=(s.answer or say("teach_no_answer"))[:300],
            )
            for s in waiting
        ]
        return Reply(
            kind="admin",
            title=say("teach_suggestions_title"),
            sections=(Section("\n".join(lines)), Section(say("teach_suggestions_how"))),
        )

    async def approve(self, message: Message, args: str) -> Reply:
        """`approve N FAQ-ID` or `approve N new SOURCE-ID`: a suggestion goes live."""
        parts = args.split()
        if len(parts) < 2 or not parts[0].lstrip("#").isdigit():
            return admin_reply(say("teach_approve_usage"))
        row_id = int(parts[0].lstrip("#"))
        try:
            row = await self.learning.get(row_id)
            if row is None or row.status != "pending":
                return admin_reply(say("teach_not_waiting", id=row_id))
            knowledge = self.knowledge.current.knowledge
            if parts[1].lower() == "new":
                source = parts[2] if len(parts) > 2 else ""
                draft = TaughtFaq(
                    new_faq_id(knowledge, row.question), row.question, row.answer or "", source
                )
                problem = faq_problem(knowledge, draft)
                changes = {"kind": "faq", "faq_id": draft.faq_id, "source": source}
            else:
                faq_id = parts[1].lower()
                problem = phrase_problem(knowledge, faq_id, row.question)
                changes = {"kind": "phrase", "faq_id": faq_id}
            if problem is not None:
                return admin_reply(problem)
            done = await self.learning.decide(row_id, True, **changes)
        except StoreUnavailableError:
            return store_unavailable_reply(say("teach_unavailable_suggestions"))
        if not done:
            return admin_reply(say("teach_not_waiting", id=row_id))
        await self.sync.poll_once()
        return admin_reply(say("teach_approved", id=row_id, faq_id=changes["faq_id"]))

    async def reject(self, message: Message, args: str) -> Reply:
        """`reject N`: drop a suggestion."""
        word = args.strip().lstrip("#")
        if not word.isdigit():
            return admin_reply(say("teach_reject_usage"))
        try:
            done = await self.learning.decide(int(word), False)
        except StoreUnavailableError:
            return store_unavailable_reply(say("teach_unavailable_suggestions"))
        if not done:
            return admin_reply(say("teach_not_waiting", id=word))
        return admin_reply(say("teach_rejected", id=word))

    async def feedback(self, message: Message, args: str) -> Reply:
        """`feedback [days]`: answers by thumbs-down, with their reasons, newest first."""
        days = parse_days(args)
        if days is None:
            return admin_reply(say("teach_feedback_usage"))
        try:
            downs = await self.learning.downvotes(days)
            reasons = await self.learning.reasons(days)
        except StoreUnavailableError:
            return store_unavailable_reply(say("teach_unavailable_feedback"))
        if not downs and not reasons:
            return admin_reply(
                say("teach_no_downvotes", days=days), title=say("teach_feedback_title")
            )
        why: dict[str, Counter[str]] = {}
        for r in reasons:
            why.setdefault(r.faq_id, Counter())[REASONS.get(r.reason, r.reason)] += 1
        ranked = [
            f"- {d.faq_id}: {d.downs} 👎"
            + (
                " (" + ", ".join(f"{k} {n}" for k, n in why[d.faq_id].most_common()) + ")"
                if d.faq_id in why
                else ""
            )
            for d in downs
        ]
        newest = [
            f"- {r.at:%Y-%m-%d %H:%M} {r.faq_id}: {REASONS.get(r.reason, r.reason)}"
            + (f': "{r.text[:200]}"' if r.text else "")
            for r in reasons
        ]
        sections = [Section("\n".join(ranked) or "-", heading=say("teach_downvotes_heading"))]
        if newest:
            sections.append(Section("\n".join(newest), heading=say("teach_reasons_heading")))
        title = say("teach_feedback_period_title", days=days)
        return Reply(kind="admin", title=title, sections=tuple(sections))

    # ----- anyone

    async def suggest(self, message: Message, question: str, answer: str) -> str:
        """Queue a non-admin's suggested answer for *question*; return what to tell them."""
        question, answer = clean(question)[:300], clean(answer)[:3000]
        if not normalise_phrase(question) or not answer:
            return say("teach_suggestion_incomplete")
        try:
            await self.learning.add(
                message.platform, message.user_id, kind="faq", faq_id="", question=question,
                answer=answer, approved=False,
            )  # fmt: skip
        except StoreUnavailableError:
            return say("teach_suggestion_failed")
        return say("teach_suggestion_queued")

    async def reason(self, message: Message, faq_id: str, reason: str, text: str = "") -> str:
        """Record why someone gave *faq_id*'s answer a thumbs-down; return the thanks."""
        if reason not in REASONS or not _FAQ_ID.match(faq_id):
            return say("teach_reason_unknown")
        try:
            await self.learning.add_reason(message.platform, message.user_id, faq_id, reason, text)
        except StoreUnavailableError:
            return say("teach_reason_failed")
        return say("teach_reason_thanks")
