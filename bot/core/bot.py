"""The core's entry point: a classified message (and its conversation's subject) in, a reply out."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from bot.core import facts, lists, quiz_replies, replies, study_replies
from bot.core.intents import PATH_ASK, PATH_CONTENT, PATH_CUE, Intent, classify
from bot.core.lists import POINTS_BACK
from bot.core.matching import Candidate, Match, MatchSettings
from bot.core.models import Faq, Program
from bot.core.paths import PathRequest, Recommendation
from bot.core.reply import Action, Message, Reply, Section
from bot.core.scope import about_certifications
from bot.core.store import KnowledgeStore
from bot.core.subject import Subject
from bot.core.text import (
    asking_sentences,
    drop_negated,
    fold,
    mostly_other_script,
    pasted_options,
    question_stem,
    quoted_question,
    words,
)
from bot.core.wording import say

# A follow-up asking how to do something in a cloud stays a how-to, whatever it points at.
_HOW_TO = re.compile(r"\bhow (?:do|can|should|would|to)\b|\bshould (?:we|i)\b|\bbest way\b")
# A message that continues the conversation rather than starting a question of its own.
_CONTINUES = re.compile(r"\s*(and|also|plus|what about|how about)\b")
# Words a follow-up about a concept points back with, beyond POINTS_BACK ("what's their
# main concern?" after a persona, "what's the usage side called then?").
_REFERS_BACK = POINTS_BACK | {"their", "theirs", "then", "each"}
# Politeness and glue that do not make a message a question of its own ("example pls").
_FILLER = frozenset({"pls", "please", "plz", "an", "a", "the", "then", "so", "ok", "and"})
_SHORT = 2
# An every-program FAQ answering the aspect a program's overview does not speak of.
_ASPECT_SCORE = 30.0
_ASPECT_MARGIN = 8.0
_OVERVIEW_AMONG = 3
# Words any program's question may use: they say nothing of what is asked about it.
_PROGRAM_WORDS = "program cert certification certificate certified exam course"


class Bot:
    """Answers FAQ questions, path requests and small talk from the current knowledge.

    Pure and synchronous: who may run admin commands, where, and what is recorded or
    remembered is the conversation service's business (bot/conversation/).
    """

    def __init__(self, store: KnowledgeStore, match: MatchSettings | None = None) -> None:
        """Serve answers from *store* with the matcher's *match* thresholds."""
        self.store = store
        self.match = match or MatchSettings()
        # The questions parsed for the reply being made, by their words and flags: the
        # answer and the subject it leaves read the same message. Emptied by each ask().
        self._parsed: dict[tuple[object, ...], facts.Question | None] = {}

    def handle(self, message: Message) -> Reply:
        """Classify *message* and reply to it; never raises on any text."""
        return self.reply(classify(message.text))

    def reply(self, intent: Intent, subject: Subject | None = None) -> Reply:
        """Reply to an already classified message; *subject* resolves follow-ups."""
        if intent.kind in ("empty", "help"):
            return replies.help_reply()
        if intent.kind in ("greeting", "thanks", "goodbye", "complaint", "ack"):
            return replies.small_talk_reply(intent.kind)
        if intent.kind == "pick":
            # "5?" after the six principles picks the fifth; with no list, say there is none.
            return self._picked_from_list(intent.rest, subject) or replies.no_list_reply()
        if intent.kind == "path":
            return self.path(intent.rest)
        if intent.kind in ("plan", "forget"):
            # Plans are saved per person: the conversation service's study module runs them.
            # Reached only where there is none (`finops-bot ask`): say where they run.
            return study_replies.plan_help_reply(say("needs_a_conversation"))
        if intent.kind == "quiz":
            # Practice follows a person's history: the conversation service's quiz runs it.
            return quiz_replies.usage_reply(say("needs_a_conversation"))
        if intent.kind == "admin":
            # Only the conversation service runs admin commands (it knows who and where).
            return replies.admin_elsewhere_reply()
        snap = self.store.current
        folded = snap.index.spell(intent.rest)  # "whch cert for a prodcut manager"
        if PATH_CUE.search(folded) and not (
            PATH_CONTENT.search(folded) and not PATH_ASK.search(folded)
        ):
            query = snap.paths.parse(intent.rest)
            if query.role is not None:
                return replies.path_reply(snap.knowledge, snap.paths.recommend(query))
        return self.ask(intent.rest, subject)

    def _picked_from_list(self, number: str, subject: Subject | None) -> Reply | None:
        """Return the item numbered *number* of the list the thread's concept answer gave
        (its item FAQs, else its opening list's line), or None."""
        snap = self.store.current
        if (item := lists.picked_item(snap.knowledge, f"number {number}", subject)) is not None:
            return replies.faq_reply(snap.knowledge, item)
        return lists.item_of_concept(snap, f"number {number}", subject)

    def ask(self, text: str, subject: Subject | None = None) -> Reply:
        """Answer an attribute question from program facts, else match *text* to the FAQs.

        A follow-up that names no program ("how much is it?") is read as being about
        *subject*'s program when that gives an answer about it. A practice question's pasted
        options are answered by its stem, led by the one option the answer clearly says.
        """
        return self._option_fitting(text, self._ask(text, subject))

    def _option_fitting(self, text: str, reply: Reply) -> Reply:
        """Return *reply* led by the one pasted option of *text* its FAQ's answer says ("B)
        Showback"), or as it is: none pasted, a negated stem ("which is NOT..."), several
        options said, or an answer that is only a "did you mean"."""
        stem = question_stem(text)
        options = pasted_options(text) if stem != text else []
        if not options or not reply.answered or reply.faq_id is None or reply.suggestions:
            return reply
        if not _NEGATED.isdisjoint(words(stem)):
            return reply
        index = self.store.current.index
        said = index.answer_tokens_of(reply.faq_id)
        shares = []
        for _, option in options:
            asked = set(index.query_tokens(option))
            shares.append(len(asked & said) / len(asked) if asked else 0.0)
        fitting = [i for i, share in enumerate(shares) if share >= _OPTION_SAID]
        others = [share for i, share in enumerate(shares) if i not in fitting]
        if len(fitting) != 1 or any(share >= _OPTION_OTHERS for share in others):
            return reply
        letter, option = options[fitting[0]]
        lead = Section(say("option_fits", letter=letter, option=option))
        return dataclasses.replace(reply, sections=(lead, *reply.sections))

    def _ask(self, text: str, subject: Subject | None) -> Reply:
        """Answer *text* (ask()'s work, before any pasted option is named)."""
        self._parsed.clear()  # a new message: what the last one parsed to is not needed
        if mostly_other_script(text):
            return replies.language_reply()
        snap = self.store.current
        # A pasted practice question is asked by its stem; its options would drown it.
        text = drop_negated(question_stem(text))
        as_typed, text = text, snap.index.spell(text)  # typos mended once, for both
        if subject is not None and subject.choices:
            text, subject = lists.picked_program(snap.knowledge.programs, text, subject)
        if (listed := lists.about_list(snap, self.match, text, subject)) is not None:
            return listed
        if subject is not None and (concept := self._about_concepts(text, subject)):
            return concept
        if (
            subject is not None
            and subject.program
            and _other_issuer(snap.knowledge.programs, text, subject.program)
            and not self._asks_issuer(text, subject.program)
        ):
            # "how much is the FinOpsSchool one?" after the Foundation's FCP is not the FCP's;
            # "is it from the FinOps Foundation?" after the Architect still asks the Architect's.
            subject = dataclasses.replace(subject, program=None)
        if (
            subject is not None
            and subject.program
            and (after := self._next_after(text, subject) or self._the_exam(text, subject))
        ):
            return after
        if (passed := self._passed(text)) is not None:
            return passed
        question = self._parse(
            text, in_conversation=subject is not None, subject=subject.program if subject else None
        )
        fact_reply = (
            facts.answer(
                snap.knowledge,
                text,
                subject.program if subject else None,
                subject.attribute if subject else None,
                as_typed=as_typed,
                parsed=question,
                among=(among := self._among(text, subject, bare=question.bare)),
                framework_thread=self._about_framework(subject),
            )
            if question is not None  # another vendor's exam: no fact of ours answers it
            else None
        )
        if fact_reply is not None and (fact_reply.kind != "clarify" or among):
            # A choice between the programs the last answer named beats repeating it.
            return fact_reply
        if fact_reply is None and (named := facts.program_only(snap.knowledge, question)):
            # A bare program name ("and the engineer one?") asks what that program is; its
            # full name finds the overview however the person shortened it.
            text = f"what is the {snap.knowledge.programs[named].name}"
        match = snap.index.match(text, self.match)
        from_facts = (
            fact_reply
            if fact_reply is not None and not self._general_faq(match, fact_reply)
            else self._several(question, match, subject)
        )
        if from_facts is not None:
            return from_facts
        match = (
            self._quoted(text, match)
            or self._asking_sentence(text, match)
            or self._persona_asked(text, match)
            or match
        )
        asked = question.asked_about if question else ()
        if match.band == "suggest" and len(asked) == 1 and asked[0] in snap.knowledge.programs:
            # "what does the engineer one cover?": the nickname carries little weight; the
            # program's full name beside the question finds its FAQ.
            full = self._with_name(text, snap.knowledge.programs[asked[0]])
            if full.band == "answer" and self._covers(full, asked[0]):
                # Offered with its runners-up: the question alone was only a "did you mean".
                match = dataclasses.replace(full, tentative=True)
        return self._or_order(text, self._matched_reply(text, match, asked, subject))

    def _or_order(self, text: str, reply: Reply) -> Reply:
        """Return *reply*, or the taking order of the two programs *text* asks which to take
        first of when *reply* found no FAQ on them, or only one's overview ("FOCP or FOCUS
        Analyst first?")."""
        snap = self.store.current
        answered = snap.knowledge.faqs.get(reply.faq_id or "") if reply.answered else None
        if answered is None or "overview" in answered.tags:
            return lists.either_first(snap, text) or reply
        return reply

    def _several(
        self, question: facts.Question | None, match: Match, subject: Subject | None
    ) -> Reply | None:
        """Answer two or three attributes of one program from its facts ("FOCP exam length +
        price pls"), unless the FAQ found answers them all; one FAQ per attribute would
        answer half the question."""
        if question is None or question.attribute is not None:
            return None
        if not _SEVERAL_ASKED[0] <= len(question.asked) <= _SEVERAL_ASKED[1]:
            return None
        named = question.asked_about or ((subject.program,) if subject and subject.program else ())
        knowledge = self.store.current.knowledge
        if len(named) != 1 or named[0] not in knowledge.programs:
            return None
        best = match.best
        if match.band == "answer" and best is not None:
            scope = facts.faq_scope(knowledge, best.faq.id)
            if len(question.asked & scope.attributes) > 1 and named[0] in scope.programs:
                return None  # "how many questions and what's the pass mark?": its exam FAQ
        return facts.several(knowledge, question, named[0])

    def _the_exam(self, text: str, subject: Subject) -> Reply | None:
        """Return the thread program's exam overview for "and the exam?", "what about the
        test?" (its format, length and questions), or None; "exam" alone had matched the
        exam's price."""
        said = set(words(text))
        if said.isdisjoint(_EXAM_WORDS) or not said <= _EXAM_WORDS | _BARE_FOLLOWUP:
            return None
        knowledge = self.store.current.knowledge
        exams = [f for f in knowledge.faqs.values() if f.program == subject.program]
        overview = [f for f in exams if {"exam", "format"} <= set(f.tags)]
        if len(overview) == 1:
            return replies.faq_reply(knowledge, overview[0])
        # No overview FAQ (Technology Value): its exam facts, not its price FAQ again.
        return facts.exam_facts(knowledge, subject.program or "")

    def _asks_issuer(self, text: str, program: str) -> bool:
        """Return True when *text*, in a thread about *program*, asks whether it is the
        named issuer's ("is it from the FinOps Foundation?"; "who runs FinOpsSchool?" asks
        about FinOpsSchool)."""
        if POINTS_BACK.isdisjoint(words(text)):
            return False
        question = self._parse(text, in_conversation=True, subject=program)
        return question is not None and question.attribute == "issuer"

    def _about_framework(self, subject: Subject | None) -> bool:
        """Return True when the conversation was last about a FinOps Framework concept."""
        if subject is None or subject.program is not None or subject.faq is None:
            return False
        faq = self.store.current.knowledge.faqs.get(subject.faq)
        return faq is not None and faq.program is None and not about_certifications(faq)

    def _compared(
        self, text: str, asked: tuple[str, ...], match: Match, subject: Subject | None
    ) -> tuple[str, ...]:
        """Return the programs *text* compares ("FOCE vs FCP?"; "how is it different from
        the FOCUS Analyst?" after the FOCE) when no FAQ answered compares them, else nothing;
        "FOCP or FOCE first?" asks an order."""
        said = words(text)
        if (
            len(asked) == 1
            and subject is not None
            and subject.program not in (None, asked[0])
            and not _CONTRASTS.isdisjoint(said)
        ):
            asked = (str(subject.program), asked[0])
        if len(asked) < 2 or _COMPARES.isdisjoint(said) or not _ORDER.isdisjoint(said):
            return ()
        best = match.best
        if match.band == "answer" and best is not None:
            knowledge = self.store.current.knowledge
            if facts.faq_scope(knowledge, best.faq.id).every_program:
                return ()  # an aspect of any program: "is the Architect worth it vs the FOCP?"
            own = facts.parse(knowledge, best.faq.question)
            if own is not None and set(asked) <= set(own.programs):
                return ()  # "FOCP vs FOCE?" has an FAQ of its own
        return asked

    def _two_terms(self, text: str, match: Match) -> tuple[Faq, Faq] | None:
        """Return the two Framework concepts *text* contrasts when no FAQ answers the pair
        ("the difference between amortized and blended cost?": one FAQ each), or None.

        Only a "did you mean" between the first two choices, each a concept whose own
        question shares a word with the message that the other's does not.
        """
        if match.band != "suggest" or len(match.candidates) < 2:
            return None
        said = words(text)
        if _CONTRASTS.isdisjoint(said):
            return None
        first, second = match.candidates[0].faq, match.candidates[1].faq
        if about_certifications(first) or about_certifications(second):
            return None
        tokens = self.store.current.index.query_tokens
        asked = set(tokens(text))
        one, two = set(tokens(first.question)), set(tokens(second.question))
        if not (asked & (one - two)) or not (asked & (two - one)):
            return None
        return first, second

    def _about_concepts(self, text: str, subject: Subject) -> Reply | None:
        """Return the reply to a follow-up about the thread's concepts (the last two side by
        side, or the last one in a thread about a program), or None."""
        if (pair := self._against_earlier(text, subject)) is not None:
            return replies.side_by_side(self.store.current.knowledge, pair)
        return self._concept_first(text, subject)

    def _against_earlier(self, text: str, subject: Subject) -> tuple[Faq, Faq] | None:
        """Return the thread's last concept and the one before it when *text* contrasts them
        ("how is it different from the other one?" after amortized, then blended cost), or
        None.

        "Them" or "both" after an answer about a pair ("what's the difference between them?"
        after showback and chargeback) asks that pair again; nor when the message names a
        program or finds another FAQ of its own.
        """
        if subject.faq is None or subject.before is None:
            return None
        said = words(text)
        if (
            len(said) > _AGAINST_WORDS
            or _EARLIER.isdisjoint(said)
            or (_CONTRASTS.isdisjoint(said) and "same" not in said)
        ):
            return None
        snap = self.store.current
        faqs = snap.knowledge.faqs
        last, before = faqs.get(subject.faq), faqs.get(subject.before)
        if (
            last is None
            or before is None
            or (_OTHER.isdisjoint(said) and not _CONTRASTS.isdisjoint(words(last.question)))
            or snap.paths.program_named(text) is not None
        ):
            return None
        own = snap.index.match(text, self.match).best
        if (
            own is not None
            and own.score >= self.match.answer_threshold
            and own.faq.id not in (last.id, before.id)
        ):
            return None
        return last, before

    def _quoted(self, text: str, match: Match) -> Match | None:
        """Return the answer to the term *text* puts in quotes, when the whole question found
        none ('clients keep asking "what's the maturity model", a one-liner?': the words
        around the quote are the person's story), or None.

        Only a question counts (a quoted "new rule" is no question), never past a declined
        cloud how-to, and only an FAQ that speaks of every word of the quote."""
        if match.band == "answer" or match.cloud_topic is not None or "?" not in text:
            return None
        quoted = quoted_question(text)
        if quoted is None:
            return None
        index = self.store.current.index
        alone = index.match(quoted, self.match)
        best = alone.best
        if alone.band != "answer" or best is None:
            return None
        term = frozenset(index.query_tokens(quoted)) - frozenset(index.query_tokens("what is"))
        if not term <= index.speaks_of(best.faq.id):
            return None
        return dataclasses.replace(alone, tentative=True)

    def _persona_asked(self, text: str, match: Match) -> Match | None:
        """Return the persona a question asks for by name ("which persona is concerned with
        forecasting?") when matching found none clearly: ranked among the personas alone,
        where words like "forecasting" would otherwise find the capability."""
        said = words(text)
        if match.band == "answer" or "persona" not in said or not _WHICH.intersection(said[:2]):
            return None
        kind = next((k for k in self.store.current.knowledge.language.concept_kinds
                     if k.kind == "persona"), None)  # fmt: skip
        if kind is None:
            return None
        ranked = self.store.current.index.rank_among(text, self.match, kind.faqs)
        second = ranked[1].score if len(ranked) > 1 else 0.0
        if not ranked or ranked[0].score < self.match.suggest_threshold:
            return None
        if ranked[0].score - second < self.match.lead_margin:
            return None
        return Match("answer", ranked, match.tokens, tentative=True)

    def _asking_sentence(self, text: str, match: Match) -> Match | None:
        """Return the answer to the one sentence of *text* that asks, when the whole message
        found none ("whats a finops persona? studying for focp and the term keeps coming
        up": the story around the question pulls it elsewhere), or None."""
        if match.band == "answer" or match.cloud_topic is not None:
            return None
        asking = asking_sentences(text)
        if len(asking) != 1:
            return None  # two questions in one message are not one sentence's to answer
        if self.store.current.index.names_cloud(asking[0]):
            return None  # "...which AWS feature should the architect enable?" is AWS's
        alone = self.store.current.index.match(asking[0], self.match)
        if alone.band != "answer" or alone.tentative:
            return None
        return dataclasses.replace(alone, tentative=True)

    def _next_after(self, text: str, subject: Subject) -> Reply | None:
        """Return what comes after the thread's program when *text* asks only that ("what
        should I do next?" after the FOCP), or None."""
        snap = self.store.current
        if not _WHAT_NEXT.search(fold(text)) or snap.paths.program_named(text) is not None:
            return None
        return replies.next_reply(snap.knowledge, subject.program or "")

    def _passed(self, text: str) -> Reply | None:
        """Return congratulations and what follows, when *text* only says a certification was
        passed ("just passed focp :tada:"), or None; a question about it is matched as usual."""
        folded = fold(text)
        if _PASSED.search(folded) is None or "?" in folded:
            return None
        said = words(text)
        if not _ASKS.isdisjoint(said) or not _NOT_YET.isdisjoint(said):
            return None  # a question about passing; "haven't passed the FOCP yet", "failed"
        snap = self.store.current
        program = snap.paths.program_named(text)
        after = replies.next_reply(snap.knowledge, program.id) if program is not None else None
        return replies.congratulations(after) if after is not None else None

    def _among(self, text: str, subject: Subject | None, *, bare: bool = False) -> tuple[str, ...]:
        """Return the programs an attribute question without a program name is about: a
        path's list, or the programs the last answer named when *text* points back at them
        or is *bare* ("how much is it?", "how much?" after "which cert for an SRE?"; "who
        runs FinOpsSchool?" does not)."""
        programs = self.store.current.knowledge.programs
        if subject is not None and subject.choices:
            among = subject.choices
        elif POINTS_BACK.isdisjoint(words(text)) and not bare:
            return ()
        else:
            among = lists.named_programs(self.store.current.knowledge, subject)
        # "how much is the FinOpsSchool one?" after FinOpsSchool's and the Foundation's
        # professionals were compared: only the issuer it names.
        if issuers := _issuers_named(programs, text):
            among = tuple(p for p in among if p in programs and programs[p].issuer in issuers)
        return among

    def _matched_reply(
        self, text: str, match: Match, asked: tuple[str, ...], subject: Subject | None
    ) -> Reply:
        """Reply with *match*, read for an aspect of the one program *asked* and against the
        conversation's *subject*."""
        knowledge = self.store.current.knowledge
        if compared := self._compared(text, asked, match, subject):
            return facts.comparison(knowledge, compared)
        if (pair := self._two_terms(text, match)) is not None:
            return replies.side_by_side(knowledge, pair)
        best = match.best if match.band == "answer" else None
        if best is not None and (item := lists.item_asked(knowledge, text, best.faq)):
            return replies.faq_reply(knowledge, item)  # "the first principle?": that one
        about: str | None = None
        general = self._aspect(self._named_first(text, match, asked), asked)
        if subject is not None:
            general, about = self._in_conversation(text, general, subject)
            if about is not None and not asked:
                # "is it hard?" in a thread about the FOCE asks the FOCE's.
                asked = (about,)
                general = self._aspect(general, asked)
        reply = replies.match_reply(knowledge, general, self.match.max_suggestions)
        answered = knowledge.faqs.get(reply.faq_id or "") if reply.answered else None
        if answered is not None and len(asked) == 1 and about_certifications(answered):
            scope = facts.faq_scope(knowledge, answered.id)
            if scope.every_program and asked[0] not in scope.programs:
                # "is the FOCE hard?" answered with what the sources say of every program.
                reply = replies.in_general(reply, knowledge.programs[asked[0]].name)
        if about is not None and reply.answered and reply.program is None:
            # Answered in a conversation about *about*, with an FAQ that covers it.
            reply = dataclasses.replace(reply, program=about)
        again = answered is not None and subject is not None and subject.faq == answered.id
        reply = self._item_first(text, reply, answered, by_place=again)
        if (not reply.answered or again) and (
            unlinked := lists.unlinked_kind(
                self.store.current.index, knowledge, text, subject, again=again
            )
        ):
            # "which persona is that?" after showback, which none is linked to: rather than
            # a decline, or showback's answer again when it names no persona, the personas
            # one click away.
            reply = unlinked
        elif again and answered is not None:
            reply = self._again(text, reply, answered)
        elif not reply.answered and match.cloud_topic is None:
            reply = self._elaborate(text, subject) or reply
        return reply

    def _again(self, text: str, reply: Reply, answered: Faq) -> Reply:
        """Reply to a follow-up that found the concept just answered once more: the same
        answer again would say nothing new."""
        knowledge = self.store.current.knowledge
        if not _SIMPLER.isdisjoint(words(text)):
            # "simpler please" after amortized cost: the short form.
            return replies.short_reply(knowledge, answered)
        if not _WHOLE.isdisjoint(words(text)):
            # "list them" after the first part of the capabilities: all of them at once.
            return replies.whole_reply(knowledge, answered)
        if self._in_details(text, reply):
            # "give me an example" after what unit economics is: its details are the best
            # the sources have (or, when it has none, that the answer above is all they say).
            return replies.more_reply(knowledge, answered, example=_asks_example(text))
        index = self.store.current.index
        if lists.item_named(index, answered, text, by_place=True):
            return reply  # led by the item of its list asked about ("what about operate?")
        asked = set(index.query_tokens(text)) - index.fixed_tokens(_ASKING_WORDS)
        if not asked or not asked.isdisjoint(index.speaks_of(answered.id)):
            # "crawl walk run, what does each mean?" after the maturity model: the answer
            # above says it (or nothing new is asked: "list them").
            return reply
        # "how is it calculated?" after showback: no word of it is in the answer; saying
        # the sources stop there beats the same answer again.
        return replies.unsaid_reply(knowledge, answered)

    def _item_first(
        self, text: str, reply: Reply, answered: Faq | None, *, by_place: bool
    ) -> Reply:
        """Return *reply* led by the item of its list *text* names ("the Inform phase"), or
        with *by_place* (the list was just shown) its place ("the second phase")."""
        if answered is None:
            return reply
        item = lists.item_named(self.store.current.index, answered, text, by_place=by_place)
        return replies.item_first(reply, answered, item) if item is not None else reply

    def _elaborate(self, text: str, subject: Subject | None) -> Reply | None:
        """Return the concept last answered again, its details first, when a short follow-up
        that matched nothing asks to have it explained ("like what specifically?", "still
        confused, simpler?"), or None: declining it would drop the thread."""
        knowledge = self.store.current.knowledge
        concept = knowledge.faqs.get(subject.faq or "") if subject is not None else None
        said = words(text)
        if concept is None or len(said) > _ELABORATE_WORDS:
            return None
        if _ELABORATES.isdisjoint(said):
            if lists.POINTS_BACK.isdisjoint(said) and not self._asks_of_it(said):
                return None
            # "how do you measure it?" after unit economics matched nothing: read against
            # the concept it points at, not declined, which would drop the thread.
            return self._again(text, replies.faq_reply(knowledge, concept), concept)
        # "like what specifically?" wants the details; "simpler?" the short answer again.
        if not _SPECIFICS.isdisjoint(said):
            return replies.more_reply(knowledge, concept, example=_asks_example(text))
        return replies.short_reply(knowledge, concept)

    def _asks_of_it(self, said: list[str]) -> bool:
        """Return True when *said* is a short question of known words only ("what's the
        risk?" after commitment discounts): it asks about the concept just answered.
        ("what's the weather?" has a word the knowledge never uses.)"""
        if len(said) > _ASKS_OF_IT_WORDS or said[0] not in _QUESTION_OPENERS:
            return False
        index = self.store.current.index
        asked = set(index.query_tokens(" ".join(said))) - index.fixed_tokens(_ASKING_WORDS)
        return bool(asked) and all(t in index.idf for t in asked)

    def _in_details(self, text: str, reply: Reply) -> bool:
        """Return True when follow-up *text* asks for more of *reply* ("an example?"), or its
        words are more in the answer's details than in its first part ("which domain weighs
        most?" after what the FOCP covers: the weights are in the details)."""
        if reply.suggestions:
            return False  # a tentative answer: its runners-up are the better next step
        if not _WANTS_MORE.isdisjoint(words(text)):
            return True
        tokens = self.store.current.index.query_tokens
        asked = set(tokens(text))
        first = asked & set(tokens(" ".join(s.text for s in reply.sections)))
        rest = asked & set(tokens(" ".join(s.text for s in reply.more)))
        return len(rest) > len(first)

    def _aspect(self, match: Match, asked: tuple[str, ...]) -> Match:
        """Return *match* with a question every program shares answered first, when the
        question asks about the one program *asked* something that program's overview never
        speaks of ("is the FOCE worth it?" is the worth-it question, not "what is the
        FOCE?"); the overview is offered beside it."""
        if match.band == "decline" or len(asked) != 1:
            return match
        # The program's overview among the first choices: its name carried the question.
        overview = next(
            (
                c.faq
                for c in match.candidates[:_OVERVIEW_AMONG]
                if c.faq.program == asked[0] and "overview" in c.faq.tags
            ),
            None,
        )
        if overview is None or (match.band == "answer" and overview is not match.candidates[0].faq):
            return self._own_aspect(match, asked[0])
        snap = self.store.current
        index = snap.index
        aspect = frozenset(match.tokens) - index.speaks_of(overview.id)
        if not aspect:
            return match
        pool = [
            faq.id
            for faq in snap.knowledge.faqs.values()
            if about_certifications(faq)
            and facts.faq_scope(snap.knowledge, faq.id).every_program
            and aspect & index.asked_with(faq.id)
        ]
        return self._by_aspect(match, aspect, pool)

    def _named_first(self, text: str, match: Match, asked: tuple[str, ...]) -> Match:
        """Return *match* led by an FAQ of the programs *text* names, when its top FAQ is
        another program's ("who should get certified as a FinOps Professional?" found the
        Architect's "who should" FAQ); *match* itself when none of theirs comes near."""
        top = match.best
        programs = self.store.current.knowledge.programs
        if (
            top is None
            or match.band == "decline"
            or top.faq.program is None
            or top.faq.program in asked
            or not asked
            or not set(asked) <= programs.keys()
        ):
            return match
        pool = [
            faq.id for faq in self.store.current.knowledge.faqs.values() if faq.program in asked
        ]
        ranked = self.store.current.index.rank_among(text, self.match, pool)
        if not ranked or ranked[0].score < self.match.suggest_threshold:
            return match
        rest = tuple(c for c in match.candidates if c.faq.id != ranked[0].faq.id)
        return Match("answer", (ranked[0], *rest), match.tokens, tentative=True)

    def _own_aspect(self, match: Match, program_id: str) -> Match:
        """Return *match* with the FAQ asked about the rest of the question answered first,
        when the top one was found by the program's name alone ("is guide b hard?" found
        why the two guides differ, which says nothing of how hard either is)."""
        top = match.best
        if top is None:
            return match
        snap = self.store.current
        index = snap.index
        program = snap.knowledge.programs[program_id]
        named = index.fixed_tokens(" ".join((program.name, *program.aliases)))
        aspect = frozenset(match.tokens) - named - index.fixed_tokens(_PROGRAM_WORDS)
        issuer = index.fixed_tokens(f"from by {program.issuer}")
        if not aspect - issuer and top.faq.program != program_id:
            # "what's the AI Value cert from the FinOps Foundation?" asks what it is: the
            # issuer's name found its catalog, which lists it among all the others.
            return self._overview_first(match, program_id)
        if not aspect or aspect & index.asked_with(top.faq.id):
            return match
        pool = [
            faq.id
            for faq in snap.knowledge.faqs.values()
            if about_certifications(faq)
            and (faq.program == program_id or facts.faq_scope(snap.knowledge, faq.id).every_program)
            and aspect & index.asked_with(faq.id)
        ]
        return self._by_aspect(match, aspect, pool)

    def _overview_first(self, match: Match, program_id: str) -> Match:
        """Return *match* led by *program_id*'s overview when it is among the first choices."""
        for candidate in match.candidates[:_OVERVIEW_AMONG]:
            if candidate.faq.program == program_id and "overview" in candidate.faq.tags:
                rest = tuple(c for c in match.candidates if c is not candidate)
                return Match("answer", (candidate, *rest), match.tokens, tentative=True)
        return match

    def _by_aspect(self, match: Match, aspect: frozenset[str], pool: list[str]) -> Match:
        """Return *match* led by the FAQ of *pool* that the *aspect* words alone find clearly
        first, offered tentatively; *match* itself when none does."""
        index = self.store.current.index
        # Ranked on the aspect's words alone: the program's name is in none of them.
        ranked = index.rank_among(" ".join(sorted(aspect)), self.match, pool)
        second = ranked[1].score if len(ranked) > 1 else 0.0
        if (
            not ranked
            or ranked[0].score < _ASPECT_SCORE
            or ranked[0].score - second < _ASPECT_MARGIN
        ):
            return match
        rest = tuple(c for c in match.candidates if c.faq.id != ranked[0].faq.id)
        return Match("answer", (ranked[0], *rest), match.tokens, tentative=True)

    def _in_conversation(
        self, text: str, match: Match, subject: Subject
    ) -> tuple[Match, str | None]:
        """Return the match for *text* read against the conversation's *subject*, and the
        program the answer is about when the conversation's program made it."""
        if subject.faq:
            # A concept answered after the program is the latest subject: "who maintains
            # it?" after "what's FOCUS?" in a thread about the FOCE asks about FOCUS.
            on_topic = self._on_topic(text, match, subject.faq)
            if on_topic is not match:
                return on_topic, None
        if subject.program:
            return self._in_thread(text, match, subject.program)
        return match, None

    def _concept_first(self, text: str, subject: Subject) -> Reply | None:
        """Return the answer to a follow-up that points back at the concept last answered in a
        thread about a program, or None to read it against the program as usual.

        The concept came after the program, so it is the latest subject: "who runs it?" after
        "what's FOCUS?" in a thread about the FOCE asks about FOCUS, not the FOCE's issuer.
        """
        snap = self.store.current
        if (
            not (subject.faq and subject.program)
            or POINTS_BACK.isdisjoint(words(text))
            or snap.paths.program_named(text) is not None
        ):
            return None
        alone = snap.index.match(text, self.match)
        concept = self._on_topic(text, alone, subject.faq)
        best = concept.best
        # The concept's own answer again says nothing new ("how much is it?"): the program's
        # figure is the better guess.
        if (
            concept is alone
            or concept.band != "answer"
            or best is None
            or best.faq.id == subject.faq
        ):
            return None
        return replies.match_reply(snap.knowledge, concept, self.match.max_suggestions)

    def _in_thread(self, text: str, match: Match, program_id: str) -> tuple[Match, str | None]:
        """Return the match for *text* in a conversation about *program_id*, and that program
        when the answer is about it ("how long does it take?" after the FCP)."""
        snap = self.store.current
        program = snap.knowledge.programs.get(program_id)
        if (
            program is None
            # A cloud how-to stays declined in a thread, unless it only continues the
            # conversation ("and IaC stuff like terraform?" after what a cert covers).
            or (match.cloud_topic is not None and _CONTINUES.match(fold(text)) is None)
            or snap.paths.program_named(text) is not None
        ):
            return match, None
        # Named by no word, another program's FAQ is not what a thread about this one asks.
        others = facts.faqs_about_others(snap.knowledge, program.id)
        followup = self._with_name(text, program, leave_out=others)
        if self._stands_alone(match, followup, text):
            pass  # "what is showback?" in a thread about the FOCP asks showback
        elif followup.band == "answer" and self._covers(followup, program.id):
            match = followup
        elif self._context_backed(match, followup, program.id):
            # The conversation is the missing evidence: answer its program's FAQ, with the
            # runners-up offered, rather than another program's.
            match = dataclasses.replace(followup, band="answer", tentative=True)
        return match, (program.id if self._covers(match, program.id) else None)

    def _on_topic(self, text: str, match: Match, faq_id: str) -> Match:
        """Return the match for *text* read against the FAQ the conversation last answered.

        "is there a cert for it?" after "what is FOCUS?" asks about FOCUS: matched with that
        FAQ's question beside it, it finds the FOCUS Analyst. Only a question that points
        back ("it", "their", "example pls") or that alone found no sure answer is read so; a
        question of its own, a program named, or a declined cloud how-to stands as it is.
        """
        snap = self.store.current
        faq = snap.knowledge.faqs.get(faq_id)
        if faq is None or snap.paths.program_named(text):
            return match
        said = words(text)
        if match.cloud_topic is not None:
            if not self._likens_to_concept(text, match, faq):
                return match
            match = snap.index.match(text, self.match, cloud_checked=True)
        if _asks_why_it_matters(said):
            # "why does it matter?" asks what the concept is for, which its answer says;
            # matched with the concept's question it found "what is FinOps and why does it
            # matter" instead.
            return Match("answer", (Candidate(faq, 100.0, faq.question),), match.tokens)
        points_back = not _REFERS_BACK.isdisjoint(said) or (
            # "example pls", "why?": too short to be about anything but the last answer.
            sum(w not in _FILLER for w in said) <= _SHORT
        )
        if match.band == "answer" and not match.tentative and POINTS_BACK.isdisjoint(said):
            return match  # a sure answer of its own: only a pronoun makes it a follow-up
        together = f"{text} {faq.question}"
        # The question alone was checked for a cloud how-to; the earlier one's words must not
        # make it one ("who usually does it?" after "what is rightsizing?").
        followup = snap.index.match(together, self.match, cloud_checked=True)
        own = {c.faq.id for c in match.candidates[:3]}  # what the question alone leaned to
        if followup.best is not None and followup.best.faq.id == faq.id:
            # The earlier FAQ wins on its own words; "which one is about ownership?" after the
            # principles asks the question's own guess, when that answers with it beside.
            other = snap.index.match(
                together, self.match, cloud_checked=True, leave_out=frozenset({faq.id})
            )
            if other.band == "answer" and other.best is not None and other.best.faq.id in own:
                followup = other
        best = followup.best
        if best is not None and best.faq.id == faq.id and not points_back and faq.id not in own:
            # The earlier answer again, for a question that neither points back at it nor
            # leaned to it ("what's the best RI strategy for us?" after "is the cert worth
            # it?"), only repeats it.
            return match
        return followup if followup.band == "answer" else match

    def _likens_to_concept(self, text: str, match: Match, faq: Faq) -> bool:
        """Return True when *text*, declined as a cloud how-to, only sets a cloud term beside
        the Framework concept just answered ("is that the same as a savings plan?" after
        commitment discounts, "reserved instances vs savings plans?" after Rate
        Optimization): a question about that concept, not about running a cloud.

        Only for the concepts the decline itself would point to, never when a cloud is named
        or the message asks how to do something.
        """
        topic = match.cloud_topic
        said = set(words(text))
        return (
            topic is not None
            and faq.id in topic.see_also
            and not said.isdisjoint(POINTS_BACK | _CONTRASTS | {"same"})
            and not self.store.current.index.names_cloud(text)
            and _HOW_TO.search(fold(text)) is None
        )

    def _with_name(
        self, text: str, program: Program, leave_out: frozenset[str] = frozenset()
    ) -> Match:
        """Match *text* with *program*'s full name beside it, without the *leave_out* FAQs."""
        index = self.store.current.index
        return index.match(f"{text} {program.name}", self.match, leave_out=leave_out)

    def _stands_alone(self, match: Match, followup: Match, text: str) -> bool:
        """Return True when *text* is a question of its own, not about the thread's program:
        *match* answers it confidently with an FAQ about no program in particular ("what is
        showback?" in a thread about the FOCP), and it points back at nothing ("how long does
        it take?" is about the thread's program)."""
        best = match.best
        if match.band != "answer" or match.tentative or best is None or followup.best is None:
            return False
        if not facts.faq_scope(self.store.current.knowledge, best.faq.id).every_program:
            return False  # an FAQ about a program: the thread's program may well be meant
        return POINTS_BACK.isdisjoint(words(text))

    def _context_backed(self, match: Match, followup: Match, program: str) -> bool:
        """Return True when only the conversation's *program* makes *followup*'s top FAQ an
        answer: it is about that program and near the answer line, while the question alone
        answered nothing, or an FAQ about another program."""
        best = followup.best
        if best is None or not self._covers(followup, program):
            return False
        if match.band != "answer":
            return match.band == "suggest" and best.score >= self.match.lead_threshold
        first = match.best
        scope = facts.faq_scope(self.store.current.knowledge, first.faq.id) if first else None
        # Another program's FAQ is all but sure to be wrong in this thread: the thread's
        # program's own FAQ needs only to be worth suggesting.
        return (
            scope is not None
            and bool(scope.programs)
            and program not in scope.programs
            and best.score >= self.match.suggest_threshold
        )

    def _covers(self, match: Match, program: str) -> bool:
        """Return True when *match*'s best FAQ is about *program* (or names it among others)."""
        best = match.best
        knowledge = self.store.current.knowledge
        return best is not None and program in facts.faq_scope(knowledge, best.faq.id).programs

    def _general_faq(self, match: Match, clarify: Reply) -> bool:
        """Return True when an FAQ about every program answers what *clarify* would ask.

        "Can I take the exam from home?" names no program: one FAQ that covers them all is
        a better answer than "which certification?".
        """
        best = match.best
        return (
            match.band == "answer"
            and not match.tentative
            and best is not None
            and clarify.attribute
            in (scope := facts.faq_scope(self.store.current.knowledge, best.faq.id)).attributes
            and scope.every_program
        )

    def _parse(
        self, text: str, *, in_conversation: bool = False, subject: str | None = None
    ) -> facts.Question | None:
        """Return facts.parse() of *text*, parsed once per reply for the same words and flags."""
        knowledge = self.store.current.knowledge
        raw = facts.read(text)
        key = (knowledge.version, raw, in_conversation, subject)
        if key not in self._parsed:
            self._parsed[key] = facts.parse_words(
                knowledge, raw, in_conversation=in_conversation, subject=subject
            )
        return self._parsed[key]

    def next_subject(self, text: str, reply: Reply, earlier: Subject | None) -> Subject | None:
        """Return the conversation's subject after *reply* to *text*, given the *earlier* one.

        An item picked from a list ("the third one?") is the topic next ("example?"); the
        list stays within reach through it (lists.listing_of): "and the fourth?"
        """
        said = self.subject_of(text, reply)
        return said.after(earlier) if said is not None else earlier

    def subject_of(self, text: str, reply: Reply) -> Subject | None:
        """Return what *reply* (to *text*) was about, for the next follow-up; None if unclear."""
        if reply.data and reply.data.get(lists.ASIDE):
            return None  # where the concept sits ("which domain?"): the concept stays
        if reply.listed:
            # A path: its programs, in order; one alone is the subject itself.
            only = reply.listed[0] if len(reply.listed) == 1 else None
            return Subject(only, None, reply.listed)
        snap = self.store.current
        attribute = reply.attribute
        if reply.program is not None:
            return Subject(reply.program, attribute)
        program: str | None = None
        faq = snap.knowledge.faqs.get(reply.faq_id) if reply.faq_id is not None else None
        if faq is not None and faq.program is not None:
            program = faq.program
        # Parsed only when something is still open: this runs after every reply.
        question = self._parse(text) if attribute is None or program is None else None
        if attribute is None and question is not None:
            # "does it expire?" answered by a general FAQ still moves the topic to validity:
            # "and the FOCE?" next asks the FOCE's, not an attribute asked before it.
            attribute = question.attribute
        compared: tuple[str, ...] = ()
        if question is not None and len(question.asked_about) > 1:
            # "FOCP vs FOCE?": both stay listed, so "which first?" and "the second one" can
            # pick from them; the last one named stays the topic.
            compared = question.asked_about
        if program is None:
            asked = question.asked_about if question else ()
            if asked:
                # "focp then fcp, is that the usual path?": the last program named is the topic.
                program = asked[-1]
            elif question is None or not question.programs:
                named = snap.paths.program_named(text)
                program = named.id if named is not None else None
        # A concept's FAQ (about no program): a program's FAQ leaves its program as the subject.
        # A Framework concept stays the subject beside a program its question named ("who is
        # the finops practitioner persona": the persona, not only the FOCP).
        # A question that says it is about a certification keeps the program alone.
        concept = (
            faq is not None
            and faq.program is None
            and not about_certifications(faq)
            and _CREDENTIAL_WORDS.isdisjoint(words(text))
        )
        faq_id = reply.faq_id if reply.answered and (program is None or concept) else None
        if program is None and attribute is None and faq_id is None:
            return None
        return Subject(program, attribute, compared, faq=faq_id)

    def faq(self, faq_id: str) -> Reply:
        """Answer the FAQ *faq_id* directly (a button click); decline if it no longer exists."""
        snap = self.store.current
        faq = snap.knowledge.faqs.get(faq_id)
        return replies.faq_reply(snap.knowledge, faq) if faq else replies.decline_reply()

    def more(self, faq_id: str) -> Reply:
        """Return the rest of FAQ *faq_id*'s answer (a "More" click), or a path's detail when
        it names a path request; decline if the FAQ is gone."""
        if faq_id.startswith(replies.PATH_MORE):
            return self.path(faq_id.removeprefix(replies.PATH_MORE), full=True)
        snap = self.store.current
        faq = snap.knowledge.faqs.get(faq_id)
        return replies.more_reply(snap.knowledge, faq) if faq else replies.decline_reply()

    def choose(self, action: Action, message: Message) -> Reply:
        """Answer a clicked choice: a re-asked question as if typed, 'More' with the rest."""
        if action.kind == "more":
            return self.more(action.value)
        return self.handle(dataclasses.replace(message, text=action.value))

    def recommend(self, text: str, program: str | None = None) -> Recommendation:
        """Parse *text* and build the path recommendation (role may be missing)."""
        snap = self.store.current
        return snap.paths.recommend(snap.paths.parse(text, program))

    def path(self, text: str, program: str | None = None, *, full: bool = False) -> Reply:
        """Reply to a /finops-path request: usage, a clarification, or the path (with *full*,
        its More: why, prep plans and mistakes to avoid)."""
        if fold(text).strip() in ("help", "--help", "-h", "?"):
            return replies.path_help_reply()
        if not text.strip() and program is None:
            return replies.path_form_reply(self.store.current.knowledge)
        snap = self.store.current
        query = snap.paths.parse(text, program)
        if query.unknown_program:
            return replies.clarify_reply(snap.knowledge, query.unknown_program)
        if query.role is None:
            # "data analyst" names no role of ours, but some are near it: offer those.
            near = [
                (
                    role.name,
                    PathRequest(
                        role.aliases[0] if role.aliases else role.name,
                        f"{query.months:g} months" if query.months is not None else None,
                        query.program.id if query.program else None,
                        query.goal,
                    ).text(),
                )
                for role in snap.paths.near_roles(text)
            ]
            return replies.clarify_reply(snap.knowledge, near=near)
        return replies.path_reply(snap.knowledge, snap.paths.recommend(query), full=full)


# "what should I do next?", "what comes after that?", "next steps?", "what now?": in a thread
# about a program, what to take after it.
_WHAT_NEXT = re.compile(
    r"\b(?:what(?:'?s| is)? next|what (?:should|do|can) i (?:do|take|get|study) next"
    r"|what (?:comes|to take|should i take) (?:next|after (?:that|this|it))|next steps?"
    r"|what now|what after (?:that|this|it)|what then|then what)\b"
    # "and after that?" alone
    r"|^\W*(?:(?:and|ok|okay|so|then)\W+)?after (?:that|this|it)\W*$"
)
# Words that make a message naming two programs a comparison, and words that make it a
# question of order instead ("FOCP or FOCE first?").
_COMPARES = frozenset(
    {"vs", "versus", "difference", "differences", "different", "differ", "compare",
     "compared", "comparison", "or", "between", "better", "harder", "easier", "which"}
)  # fmt: skip
_ORDER = frozenset({"first", "before", "after", "next", "then", "order", "start", "begin"})
# What says a message compares the one program it names with the thread's ("how is it
# different from the FOCUS Analyst?"); "which" or "or" alone may ask about that one only.
_CONTRASTS = frozenset(
    {"vs", "versus", "difference", "different", "differ", "compare", "compared", "comparison"}
)
# What points at the concept before the last one ("the other one", "the first", "them"),
# and how long a message pointing at it may be.
_OTHER = frozenset({"other", "first", "previous", "earlier", "former"})
_EARLIER = _OTHER | {"them", "both", "two"}
_AGAINST_WORDS = 12
# "just passed the focp!", "cleared my FOCE today": news, not a question ("got" is not:
# "got the FOCP voucher").
_PASSED = re.compile(r"\b(?:passed|cleared|earned)\s+(?:my\s+|the\s+)?\w")
_ASKS = frozenset({"what", "which", "how", "should", "can", "do", "does", "is", "when", "why"})
_NOT_YET = frozenset({"not", "t", "yet", "never", "failed", "fail", "almost", "nearly"})
# Words that ask for more of the answer just given: its details answer them.
_WANTS_MORE = frozenset(
    {"example", "examples", "eg", "more", "detail", "details", "elaborate", "expand", "deeper"}
)
# A short follow-up with one of these asks to have the last concept explained again: the
# first for its details, the second for the short answer ("simpler?").
_SPECIFICS = _WANTS_MORE | frozenset({"specifically", "specific"})
_SIMPLER = frozenset(
    {"simpler", "simply", "confused", "confusing", "eli5", "nutshell", "briefly", "tldr",
     "sentence", "shorter", "summarize", "summarise"}
)  # fmt: skip
_ELABORATES = _SPECIFICS | _SIMPLER | {"mean"}
_ELABORATE_WORDS = 7
_WHICH = frozenset({"which", "what", "whats"})
# A pasted option fits an answer when this share of its words is in the answer, and no
# other option has half of its words there (measured on the quiz bank: docs/matching.md).
_OPTION_SAID = 0.75
_OPTION_OTHERS = 0.5
# A stem asking for the option that does not fit: the answer cannot say which. words()
# splits "isn't" into "isn" and "t".
_NEGATED = frozenset(
    {"not", "except", "false", "least", "incorrect", "never", "cannot", "isn", "isnt",
     "doesn", "doesnt", "aren", "arent", "wouldn", "shouldn"}
)  # fmt: skip
# A short question opening so may ask about the concept just answered ("what's the risk?").
_ASKS_OF_IT_WORDS = 5
_QUESTION_OPENERS = frozenset({"what", "whats", "how", "why", "who", "whos", "which", "when"})
# Words asking for the whole answer at once, its rest included ("list them all").
_WHOLE = frozenset({"list", "all", "full", "whole", "complete", "everything", "every"})
# Words that ask without saying about what ("how", "list them"): a follow-up of these alone
# asks for the answer just given.
_ASKING_WORDS = (
    "how who what when where why which whom whose it its them they that this these those "
    "list show tell explain all each every me please pls again one next previous before after "
    "first second third fourth fifth sixth last 1st 2nd 3rd 4th 5th 6th number"
)


# "And the exam?": the words of a follow-up asking for the thread program's exam itself.
_EXAM_WORDS = frozenset({"exam", "exams", "test"})
_BARE_FOLLOWUP = frozenset(
    {"and", "the", "what", "whats", "about", "its", "it", "s", "how", "is", "like", "so",
     "ok", "okay", "then", "details", "info"}
)  # fmt: skip

# How many attributes one question may ask to be answered from a program's facts at once.
_SEVERAL_ASKED = (2, 3)

# Words that say a question is about a certification, not a Framework concept.
_CREDENTIAL_WORDS = frozenset(
    {"cert", "certs", "certification", "certifications", "certified", "credential", "exam",
     "exams", "course", "courses", "training", "badge"}
)  # fmt: skip


def _asks_why_it_matters(said: list[str]) -> bool:
    """Return True when the words *said* only ask why the thing pointed at matters ("why does
    it matter?", "why is that important?", "why should I care about it?")."""
    return (
        "why" in said
        and not _MATTERS.isdisjoint(said)
        and not POINTS_BACK.isdisjoint(said)
        and set(said) <= _MATTERS | _WHY_GLUE | POINTS_BACK
    )


_MATTERS = frozenset({"matter", "matters", "important", "care", "useful", "needed", "relevant"})
_WHY_GLUE = frozenset(
    {"why", "does", "do", "is", "would", "should", "i", "we", "so", "much", "even", "about",
     "really", "actually", "though", "tho", "that"}
)  # fmt: skip


def _asks_example(text: str) -> bool:
    """Return True when *text* asks for an example ("example?", "e.g.?", "for instance?")."""
    return not _EXAMPLE_ASKS.isdisjoint(words(text))


_EXAMPLE_ASKS = frozenset({"example", "examples", "eg", "instance"})


def _other_issuer(programs: Mapping[str, Program], text: str, program_id: str) -> bool:
    """Return True when *text* names an issuer other than *program_id*'s ("FinOpsSchool")."""
    program = programs.get(program_id)
    return program is not None and bool(_issuers_named(programs, text) - {program.issuer})


def _issuers_named(programs: Mapping[str, Program], text: str) -> set[str]:
    """Return the issuers of *programs* that *text* names ("FinOpsSchool")."""
    said = f" {' '.join(words(text))} "
    return {p.issuer for p in programs.values() if f" {' '.join(words(p.issuer))} " in said}
