"""What a conversation's last answer lets a follow-up pick: a path's programs by position, a
concept list's items by position or by what they hold, why a path is in its order, and the
one certification a concept's answer names ("is there a cert for it?")."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

from bot.core import facts, paths, replies
from bot.core.knowledge import Knowledge
from bot.core.matching import Band, FaqIndex, Match, MatchSettings
from bot.core.models import ConceptKind, ExamDomain, Faq, Program
from bot.core.reply import Reply, Section
from bot.core.scope import about_certifications
from bot.core.store import Snapshot
from bot.core.subject import Subject
from bot.core.text import Markers, fold, words
from bot.core.wording import say

_POSITIONS = {
    **{w: n for n, w in enumerate(("first", "second", "third", "fourth", "fifth", "sixth"), 1)},
    **{w: n for n, w in enumerate(("1st", "2nd", "3rd", "4th", "5th", "6th"), 1)},
}
_ORDINALS = "|".join(("last", *_POSITIONS))
# A position in a listed path: "the second one", "the 2nd cert", "number 2", "what about the
# last?". A bare "first" ("which should I take first?") is not a position.
_ORDINAL = re.compile(
    rf"(?:\bthe\s+({_ORDINALS})(?:\s+(?:finops\s+)?(?:one|cert\w*|program\w*|option|exam|course"
    rf"|track|principle|domain|persona|phase|capability|step|stage|level|item)\b"
    rf"|(?=[\s?.!]*$))|(?:\bnumber|\boption|\bno\.?|#)\s*([1-6])\b"
    # "what's principle 3?": a Framework list's noun and its number ("level 3" is no
    # place in a path's list: the Architect's third level is named so).
    rf"|\b(?:principle|domain|persona|phase)\s*(?:#|no\.?|number)?\s*([1-6])\b"
    # "2nd one?", "last one?": an ordinal and a noun, "the" left out.
    rf"|^\W*(?:and\s+|ok\s+|what\s+about\s+)?({_ORDINALS})\s+(?:one|principle|domain|persona|phase)\b)",
    re.IGNORECASE,
)


# The item after or before the one last answered in a list ("and the next one?", "the one
# before it?"): only when that item came from a list.
_NEXT = re.compile(
    r"\b(?:the\s+)?next(?:\s+(?:one|principle|domain|persona|phase|capability))?"
    r"\s*[?.!]*$|\bthe\s+one\s+after\b",
    re.IGNORECASE,
)
_PREVIOUS = re.compile(r"\b(?:previous|prior)\b|\bthe\s+one\s+before\b", re.IGNORECASE)


# Asking why a path lists its programs as it does ("why that order?", "why FOCP first?"):
# "why", then one of these words after it.
_ORDER_WORDS = frozenset({"order", "ordered", "sequence", "first", "before", "after", "then"})
# "which should I take first?", "which one first", "what order should I do them in": the
# order of the programs just named, not a fresh question.
_WHICH_FIRST = re.compile(
    r"\b(?:which|what)\b(?:\s+\w+){0,5}?\s+(?:first|order)\b|\bwhich\s+(?:comes\s+)?first\b"
)


# Picking from a list by what an item holds: "which one has...", "which of those is the one
# about...". The words after it are what is compared.
_WHICH_ONE = re.compile(
    r"\bwhich\s+(?:one|ones|of\s+(?:those|these|them))\b"
    r"(?:\s+(?:is|are|has|have|covers?|includes?|contains?|deals|handles?|talks|the|one|about"
    r"|with|in|for|of)\b)*",
    re.IGNORECASE,
)
# The picked item's fused score, and its lead over the next item (bot/core/matching.py's scale).
_CHOSEN_SCORE = 12.0
_CHOSEN_MARGIN = 8.0
# "which persona?", "did any get dropped?" alone ask about the thread's concept without
# pointing back at it.
_BARE_ASK = 4
# Words that refer back to the conversation's subject ("is it worth it?", "how long is that one").
POINTS_BACK = frozenset(
    {"it", "its", "that", "this", "these", "those", "one", "ones", "them", "they"}
)
# "is it on the exam?", "will the focp test it?": an exam, and whether it covers the concept.
_ON_IT = frozenset(
    {"on", "in", "tested", "test", "covered", "cover", "covers", "ask", "asked", "asks",
     "memorize", "memorise", "know", "included", "need", "part"}
)  # fmt: skip
# "is there a cert for it?": a certification asked for, pointing back at the concept.
_CERTIFICATION = frozenset({"cert", "certs", "certification", "certifications", "credential"})
# An exam asks for one only when asked whether one exists ("is there an exam for it?", "any
# exam for that?"): "is that on the exam?" asks whether the exam covers the concept.
_EXAM = frozenset({"exam", "exams"})
# The exam a concept may be on ("will the focp test it?"), read with _ON_IT.
_EXAM_WORDS = _EXAM | {"test", "focp", "practitioner"}
_EXISTS = frozenset({"there", "any"})


def about_list(
    snap: Snapshot, settings: MatchSettings, text: str, subject: Subject | None
) -> Reply | None:
    """Reply to a question only the conversation's last list explains, or None: "why
    that order?" after a path, "the third one?" after the six principles."""
    if subject is not None and len(subject.choices) > 1 and _asks_why_order(text):
        return replies.order_reply(snap.knowledge, subject.choices)
    if (named := _which_first(snap, text, subject)) is not None:
        return replies.order_reply(snap.knowledge, named, path=False)
    if (item := picked_item(snap.knowledge, text, subject)) is not None:
        return replies.faq_reply(snap.knowledge, item)
    chosen = chosen_item(snap, settings, text, subject) or sibling_named(
        snap, settings, text, subject
    )
    if chosen is not None:
        return replies.faq_reply(snap.knowledge, chosen)
    if (overview := _certification_for(snap.knowledge, text, subject)) is not None:
        return replies.faq_reply(snap.knowledge, overview)
    kind, linked = _kind_for(snap.knowledge, text, subject)
    if kind is not None and linked:
        # "which capability is that in?" has no word of its own to rank the linked FAQs
        # by; "that" is the concept, so its question is read beside it.
        concept = _concept(snap.knowledge, subject)
        about = f"{text} {concept.question}" if concept is not None else text
        reply = _linked_reply(snap, settings, about, linked)
        if not kind.aside:
            return reply
        placing = len(kind.faqs) == 1  # one FAQ places every concept: the phases
        if placing and concept is not None and (line := _line_naming(snap, reply, concept)):
            # "Which phase?" after rightsizing: the phases' line that names it, first.
            reply = replace(reply, sections=(Section(say("sits_in", line=line)), *reply.sections))
        # "Which domain?" says where the concept sits: "who owns that?" next is still
        # about the concept, not the domain.
        return replace(reply, data={**(reply.data or {}), ASIDE: True})
    if (syllabus := _syllabus_for(snap.knowledge, text, subject)) is not None:
        reply = replies.faq_reply(snap.knowledge, syllabus)
        concept = _concept(snap.knowledge, subject)
        domain = _exam_domain(snap.knowledge, concept) if concept is not None else None
        if domain is not None:
            return replies.with_exam_domain(reply, domain.name, domain.weight)
        if concept is not None and concept.id != syllabus.id:
            # "is that on the exam?" after spot instances: no domain to name, so say so.
            return replies.without_exam_domain(reply, concept.question)
        return reply
    if (listing := _counted(snap.knowledge, text, subject)) is not None:
        return replies.faq_reply(snap.knowledge, listing)
    return item_of_concept(snap, text, subject)


def item_of_concept(snap: Snapshot, text: str, subject: Subject | None) -> Reply | None:
    """Return the last concept's answer led by the one item of its list a short follow-up
    names ("what about operate?" after the phases) or places ("number 2"), or None."""
    concept = _concept(snap.knowledge, subject)
    if concept is None or len(words(text)) > _ITEM_ASK_WORDS:
        return None
    item = item_named(snap.index, concept, text, by_place=True)
    if item is None:
        return None
    return replies.item_first(replies.faq_reply(snap.knowledge, concept), concept, item)


# How many words a follow-up naming one item of the last answer's list may have.
_ITEM_ASK_WORDS = 6


def _counted(knowledge: Knowledge, text: str, subject: Subject | None) -> Faq | None:
    """Return the list the concept last answered is when *text* asks how many there are
    ("how many are there?" after the core personas), or None: the list's answer counts them."""
    concept = _concept(knowledge, subject)
    if concept is None or not concept.items:
        return None
    said = words(text)
    return concept if said[:2] == ["how", "many"] and said[2:3] in (["are"], ["of"]) else None


def _line_naming(snap: Snapshot, reply: Reply, concept: Faq) -> str | None:
    """Return the one list item of *reply*'s answer that names *concept* by a word of its
    question ("- Optimize: ... rightsizing ..." for rightsizing), or None."""
    faq = snap.knowledge.faqs.get(reply.faq_id or "")
    if faq is None or faq.id == concept.id:
        return None
    tokens = snap.index.query_tokens
    asked = set(tokens(concept.question)) - _PLACING_WORDS
    naming = [
        line[2:]
        for line in faq.answer.split("\n")
        if line.startswith("- ") and asked & set(tokens(line))
    ]
    return naming[0] if len(naming) == 1 else None


def item_named(index: FaqIndex, faq: Faq, text: str, *, by_place: bool = False) -> str | None:
    """Return the one item of *faq*'s opening list that *text* names ("the Inform phase" for
    "- Inform: visibility, ..."), or with *by_place* (the list was just shown) by its place
    ("the second phase"); None when it names none, or touches several ("inform, optimize
    and operate" and "FOCP vs FOCE" ask for the list)."""
    lines = faq.answer.split("\n")
    if not lines[0].rstrip().endswith(":"):
        return None
    items = [ln[2:] for ln in itertools.takewhile(lambda ln: ln.startswith("- "), lines[1:])]
    names = []
    for item in items:
        name, colon, _ = item.partition(":")
        names.append(index.fixed_tokens(name) if colon and len(name) <= _ITEM_NAME else frozenset())
    asked = set(index.query_tokens(text))
    # An item's own words: those no other item's name has ("finops" is in several), and no
    # word every question about the field may use.
    generic = index.fixed_tokens(_GENERIC_WORDS)
    own = [
        name - generic - frozenset().union(*(o for n, o in enumerate(names) if n != i))
        for i, name in enumerate(names)
    ]
    touched = [n for n, words_ in enumerate(own) if words_ & asked]
    if len(touched) == 1 and own[touched[0]] <= asked:
        return items[touched[0]]
    if touched or not by_place:
        return None
    if (at := _position(text, len(items))) is not None:
        return items[at[0]]
    # "Which one is rightsizing in?" after the phases: the one item whose text holds every
    # word the follow-up asks with (question words aside). Only a "which" question: "what
    # about the FCP?" after the pass marks asks the FCP's, not the line that names it.
    if "which" not in words(text):
        return None
    said = asked - generic - index.fixed_tokens(_QUESTION_WORDS)
    holding = [item for item in items if said and said <= index.fixed_tokens(item)]
    return holding[0] if len(holding) == 1 else None


# Words that ask which item without naming anything in it.
_QUESTION_WORDS = "which one what is in part of does belong where under go goes fall falls"
# Words that name no item, however alone they stand in one ("Introduction to FinOps").
_GENERIC_WORDS = "finops cloud certification certified exam cost costs"

# An item's name is what comes before its colon, when that is at most this long.
_ITEM_NAME = 40

# Words of a concept's question that name no concept ("the Budgeting capability").
_PLACING_WORDS = frozenset({"capability", "finops", "mean", "term", "concept"})

# A reply's data key: the reply is an aside, and the conversation keeps its subject.
ASIDE = "aside"


def unlinked_kind(
    index: FaqIndex,
    knowledge: Knowledge,
    text: str,
    subject: Subject | None,
    *,
    again: bool = False,
) -> Reply | None:
    """Return a reply offering every persona (or domain...) when *text* asks that kind of
    thing about the concept last answered and nothing links the concept to one, or None.

    Only for when matching found nothing new (a decline, or with *again* the concept's own
    answer once more, unless that answer names one of them: "engineers check whether an
    anomaly was expected" tells who does it).
    """
    kind, linked = _kind_for(knowledge, text, subject)
    if kind is None or linked:
        return None
    # Offered only when they are one list's items (the six personas, the four domains): a
    # kind gathering unlike FAQs (each concept's history) is no set of choices.
    if not any(set(kind.faqs) <= set(faq.items) for faq in knowledge.faqs.values()):
        return None
    concept = _concept(knowledge, subject)
    if again and concept is not None and _names_one(index, knowledge, kind, concept):
        return None
    return replies.unlinked_kind_reply(knowledge, kind.kind, kind.faqs)


def _names_one(index: FaqIndex, knowledge: Knowledge, kind: ConceptKind, concept: Faq) -> bool:
    """Return True when *concept*'s answer names one of *kind*'s things by a word only that
    thing's question has ("Engineering" for the Engineering persona)."""
    tokens = [set(index.query_tokens(knowledge.faqs[f].question)) for f in kind.faqs]
    own = set().union(*(t - set().union(*(o for o in tokens if o is not t)) for t in tokens))
    return not own.isdisjoint(index.query_tokens(f"{concept.answer} {concept.more or ''}"))


def _exam_domain(knowledge: Knowledge, concept: Faq) -> ExamDomain | None:
    """Return the usual certification's exam domain whose reading lists *concept* (FinOps
    Capabilities, 28%), or None when none does."""
    program = knowledge.programs.get(facts.usual_program(knowledge) or "")
    domains = program.exam_domains if program is not None else ()
    return next((d for d in domains if concept.id in d.reading), None)


def _concept(knowledge: Knowledge, subject: Subject | None) -> Faq | None:
    """Return the concept FAQ (about no program) the conversation last answered, or None."""
    if subject is None or subject.faq is None or subject.program is not None:
        return None
    return knowledge.faqs.get(subject.faq)


def _program_faq(knowledge: Knowledge, program: str, tag: str) -> Faq | None:
    """Return *program*'s FAQ tagged *tag* ("overview", "curriculum"), or None."""
    return next(
        (f for f in knowledge.faqs.values() if f.program == program and tag in f.tags), None
    )


def _syllabus_for(knowledge: Knowledge, text: str, subject: Subject | None) -> Faq | None:
    """Return what the usual certification's exam covers when *text* asks whether the
    concept last answered is on it ("is it tested on the focp?", "do I need to memorize
    them for the practitioner exam?"), or None: the program's overview said nothing of it."""
    if _concept(knowledge, subject) is None:
        return None
    said = frozenset(words(text))
    # "is there a cert for it?" about a concept no certification is named for: the exam
    # that covers the Framework is the answer there is.
    asks_for_one = not _CERTIFICATION.isdisjoint(said) and not _EXISTS.isdisjoint(said)
    on_it = not (_EXAM_WORDS.isdisjoint(said) or _ON_IT.isdisjoint(said))
    if POINTS_BACK.isdisjoint(said) or not (on_it or asks_for_one):
        return None
    usual = facts.usual_program(knowledge)
    asked = facts.parse(knowledge, text, in_conversation=True)
    if usual is None or asked is None or asked.attribute is not None:
        return None  # "how much is the exam for it?" asks a price
    if set(asked.asked_about) - {usual}:
        return None  # another certification's exam: its own FAQs answer
    return _program_faq(knowledge, usual, "curriculum")


def _linked_reply(
    snap: Snapshot, settings: MatchSettings, text: str, linked: tuple[str, ...]
) -> Reply:
    """Answer the one FAQ *linked*, or the one of several that *text* clearly asks, or
    offer them as choices ("which capability is that?" after forecasting vs budgeting)."""
    knowledge = snap.knowledge
    if len(linked) == 1:
        return replies.faq_reply(knowledge, knowledge.faqs[linked[0]])
    ranked = snap.index.rank_among(text, settings, linked)
    ahead = ranked[0].score - ranked[1].score >= settings.lead_margin
    band: Band = "answer" if ahead and ranked[0].score >= settings.suggest_threshold else "suggest"
    return replies.match_reply(knowledge, Match(band, ranked), settings.max_suggestions)


@lru_cache(maxsize=32)  # a few kinds per knowledge version; a reload brings new ones
def _asks_for(kind: ConceptKind) -> Markers:
    """Return the markers of the phrases that ask for *kind*."""
    return Markers(words(cue) for cue in kind.cues)


def _kind_for(
    knowledge: Knowledge, text: str, subject: Subject | None
) -> tuple[ConceptKind | None, tuple[str, ...]]:
    """Return the kind of thing *text* asks about the concept last answered (a persona, a
    capability, a domain...) and the FAQs of that kind the concept links to ("who owns
    that?" after rightsizing: Engineering); no kind when it asks none."""
    concept = _concept(knowledge, subject)
    said = frozenset(words(text))
    if concept is None or (POINTS_BACK.isdisjoint(said) and len(said) > _BARE_ASK):
        return None, ()
    for kind in knowledge.language.concept_kinds:
        if not _asks_for(kind).said(said):
            continue
        if concept.id in kind.faqs or not set(kind.faqs).isdisjoint(concept.items):
            # "which capability is that?" after a capability (or the list of them): itself.
            return None, ()
        linked = tuple(r for r in concept.related if r in kind.faqs and r in knowledge.faqs)
        if not linked and len(kind.faqs) == 1 and kind.faqs[0] in knowledge.faqs:
            # A kind with one FAQ (the phases) places every concept: that FAQ answers it.
            return kind, kind.faqs
        return kind, linked
    return None, ()


def _certification_for(knowledge: Knowledge, text: str, subject: Subject | None) -> Faq | None:
    """Return the overview of the one certification the concept last answered names, when
    *text* asks for a certification for it ("is there a cert that covers it?" after what a
    FinOps Scope is: Technology Value), or None."""
    concept = _concept(knowledge, subject)
    if concept is None:
        return None
    said = set(words(text))
    asks_for_one = not _CERTIFICATION.isdisjoint(said) or (
        not _EXAM.isdisjoint(said) and not _EXISTS.isdisjoint(said)
    )
    if not asks_for_one or POINTS_BACK.isdisjoint(said):
        return None
    asked = facts.parse(knowledge, text, in_conversation=True)
    if asked is None or asked.attribute is not None:
        # "how much is the exam for it?" asks that certification's price: the facts answer.
        return None
    named = facts.faq_scope(knowledge, concept.id).programs
    if not named:
        # An answer that names no certification ("who runs FOCUS?") may link to one.
        linked = (knowledge.faqs.get(r) for r in concept.related)
        named = frozenset(f.program for f in linked if f is not None and f.program)
    if len(named) != 1:
        return None
    (program,) = named
    return _program_faq(knowledge, program, "overview")


def chosen_item(
    snap: Snapshot, settings: MatchSettings, text: str, subject: Subject | None
) -> Faq | None:
    """Return the item of the conversation's list that *text* picks by what it holds
    ("which one has forecasting in it?" after the domains), or None.

    Only what follows "which one (is about)" is compared, with the list's items alone:
    the words that pick ("which", "one", "covers") are in every question of this kind.
    """
    listing = listing_of(snap.knowledge, subject)
    picking = _WHICH_ONE.search(text) if listing is not None else None
    if listing is None or picking is None:
        return None
    ranked = snap.index.rank_among(text[picking.end() :], settings, listing.items)
    if not ranked:
        return None
    second = ranked[1].score if len(ranked) > 1 else 0.0
    top = ranked[0]
    if top.score < _CHOSEN_SCORE or top.score - second < _CHOSEN_MARGIN:
        return None
    return top.faq


def sibling_named(
    snap: Snapshot, settings: MatchSettings, text: str, subject: Subject | None
) -> Faq | None:
    """Return another item of the list the conversation's item belongs to, when *text*
    names only it ("and product?" after what Procurement does), or None.

    The name alone is ranked among the list's items: across every FAQ, "product" is a
    word of many, and the Product persona only came close."""
    knowledge = snap.knowledge
    listing = listing_of(knowledge, subject)
    if listing is None or subject is None or subject.faq == listing.id:
        return None  # after the list itself, matching finds the item by its name
    followup = facts.followup_words(knowledge)
    named = [w for w in words(text) if w not in followup]
    if not named or len(named) > _SIBLING_WORDS:
        return None
    others = [i for i in listing.items if i != subject.faq]
    ranked = snap.index.rank_among(" ".join(named), settings, others)
    second = ranked[1].score if len(ranked) > 1 else 0.0
    if not ranked or ranked[0].score < settings.suggest_threshold:
        return None
    return ranked[0].faq if ranked[0].score - second >= _CHOSEN_MARGIN else None


# At most this many words beside the follow-up words: "and product?", "what about the
# finance team?".
_SIBLING_WORDS = 3


def named_programs(knowledge: Knowledge, subject: Subject | None) -> tuple[str, ...]:
    """Return the programs the FAQ about no one program last answered names, in knowledge
    order ("which cert for an SRE?" names four)."""
    if subject is None or subject.faq is None:
        return ()
    named = facts.faq_scope(knowledge, subject.faq).programs
    return tuple(p for p in knowledge.programs if p in named)


# FAQs about no certification that still recommend some (a role's, a learning path's).
_ADVICE_TAGS = frozenset({"roles", "paths"})


def _which_first(snap: Snapshot, text: str, subject: Subject | None) -> tuple[str, ...] | None:
    """Return the programs the conversation listed or its last answer named, in taking
    order, when *text* asks which of them comes first ("which should I take first?" after
    FOCP vs FOCE), or None."""
    if subject is None or not _WHICH_FIRST.search(fold(text)):
        return None
    if snap.paths.program_named(text) is not None:
        return None  # "should I take the FOCP first?" names its own
    concept = snap.knowledge.faqs.get(subject.faq or "")
    if (
        not subject.choices
        and concept is not None
        and not about_certifications(concept)
        and _ADVICE_TAGS.isdisjoint(concept.tags)
    ):
        return None  # "which one comes first?" after showback vs chargeback: not programs
    named = subject.choices or named_programs(snap.knowledge, subject)
    if len(named) < 2:
        return None
    programs = [snap.knowledge.programs[p] for p in named]
    everything = list(snap.knowledge.programs.values())  # what builds on each, overall
    return tuple(p.id for p in paths.taking_order(programs, everything))


def either_first(snap: Snapshot, text: str) -> Reply | None:
    """Return the taking order of the two programs *text* names when it asks which to take
    first ("FOCP or FOCUS Analyst first?"), or None. "Do I need the FOCP first for the
    FOCE?" asks a prerequisite, and says neither "or" nor "which"."""
    said = set(words(text))
    if "first" not in said or _EITHER_WORDS.isdisjoint(said):
        return None
    knowledge = snap.knowledge
    question = facts.parse(knowledge, text)
    if question is None or question.attribute is not None or len(question.programs) != 2:
        return None
    named = [knowledge.programs[p] for p in question.programs]
    everything = list(knowledge.programs.values())
    ordered = tuple(p.id for p in paths.taking_order(named, everything))
    return replies.order_reply(knowledge, ordered, path=False)


_EITHER_WORDS = frozenset({"or", "which"})


def _asks_why_order(text: str) -> bool:
    """Return True when *text* asks why something comes in its order ("why that order?")."""
    said = words(text)
    return "why" in said and not _ORDER_WORDS.isdisjoint(said[said.index("why") + 1 :])


def _position(text: str, count: int) -> tuple[int, re.Match[str]] | None:
    """Return the 0-based position in a list of *count* that *text* names ("the second one",
    "number 2", "the last"), with where it says so; None when it names none in range."""
    found = _ORDINAL.search(text)
    if found is None:
        return None
    word = next(g for g in found.groups() if g).lower()
    positions = {**_POSITIONS, "last": count}
    position = int(word) if word.isdigit() else positions[word]
    return (position - 1, found) if 1 <= position <= count else None


def picked_program(
    programs: Mapping[str, Program], text: str, subject: Subject
) -> tuple[str, Subject]:
    """Return *text* and *subject* with a position in a path's list read as that program.

    "how much is the second one?" after a path that listed three programs becomes a
    question naming the second, about it; with no position in the text, both are unchanged.
    """
    at = _position(text, len(subject.choices))
    if at is None:
        return text, subject
    position, found = at
    chosen = programs.get(subject.choices[position])
    if chosen is None:  # the knowledge was reloaded without it
        return text, subject
    named = f"{text[: found.start()]}the {chosen.name}{text[found.end() :]}"
    return named, Subject(chosen.id, subject.attribute, subject.choices)


def listing_of(knowledge: Knowledge, subject: Subject | None) -> Faq | None:
    """Return the list the conversation is in: its concept's answer when that lists items,
    or the list its concept was picked from ("and the fourth?" after the third principle)."""
    if subject is None or subject.faq is None:
        return None
    faq = knowledge.faqs.get(subject.faq)
    if faq is None or faq.items:
        return faq
    return knowledge.faqs.get(knowledge.list_of.get(faq.id, ""))  # always a list, or None


def picked_item(knowledge: Knowledge, text: str, subject: Subject | None) -> Faq | None:
    """Return the FAQ of the item *text* picks by position from the list the conversation's
    concept answer gave ("the third one?" after the six principles), or by its place beside
    the item last answered ("and the next one?", "the one before it?"), or None."""
    listing = listing_of(knowledge, subject)
    if listing is None or subject is None:
        return None
    at = _position(text, len(listing.items))
    if at is not None:
        return knowledge.faqs.get(listing.items[at[0]])
    if subject.faq not in listing.items:
        return None
    step = 1 if _NEXT.search(text) else -1 if _PREVIOUS.search(text) else 0
    here = listing.items.index(subject.faq) + step
    if not step or not 0 <= here < len(listing.items):
        return None
    return knowledge.faqs.get(listing.items[here])


def item_asked(knowledge: Knowledge, text: str, listing: Faq) -> Faq | None:
    """Return the item of *listing* that *text* asks for by position ("what's the first
    FinOps principle?" answered by the principles' list), or None."""
    at = _position(text, len(listing.items)) if listing.items else None
    return knowledge.faqs.get(listing.items[at[0]]) if at is not None else None
