"""Attribute questions ("what does FOCP cost?") answered from the named program's facts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot.core.knowledge import Knowledge
from bot.core.models import FollowupName, Program, ProgramFact
from bot.core.reply import Action, Link, Reply, Section
from bot.core.scope import Scope
from bot.core.text import PROSE_SENTENCE_END, Markers, Phrases, fold, words
from bot.core.wording import say

# Programs answered side by side at most; more than that is a catalogue, not an answer.
MAX_PROGRAMS = 4
# Other programs offered beside an answer for the usual one.
MAX_CHOICES = 4
_DOLLARS = re.compile(r"\$+(?=[\d,.]*k?\s*(?:\?|$))")
_PARENS = re.compile(r"\s*\(([^)]*)\)")


@dataclass(frozen=True)
class Question:
    """What an attribute question asks: the attribute and the programs it names, in order."""

    attribute: str | None
    asked: frozenset[str]
    programs: tuple[str, ...]
    about_certifications: bool
    about_all: bool
    # Only program names and follow-up words ("what about the FCP?"): asks the last attribute.
    followup: bool = False
    # Says "finops" ("the FinOps certification"), which people use for the usual program.
    says_finops: bool = False
    # Programs named as what is needed first ("do I need the FOCP first?"), not asked about.
    needed: frozenset[str] = frozenset()
    # Nothing but the attribute ("how much is it?", "price?"): in a certification bot that
    # asks about a certification, while "the cost to run a FinOps team" does not.
    bare: bool = False

    @property
    def asked_about(self) -> tuple[str, ...]:
        """Return the programs named other than as a prerequisite, in order."""
        return tuple(p for p in self.programs if p not in self.needed)


@dataclass(frozen=True)
class _Tables:
    names: Phrases
    owners: dict[str, frozenset[str]]
    cues: Phrases
    cue_attribute: Mapping[str, str]
    not_with: Mapping[str, Markers]
    labels: dict[str, str]
    subject: frozenset[str]
    survey: frozenset[str]
    scope: Scope
    ask_name: dict[str, str]
    followup: frozenset[str]
    followup_names: dict[str, tuple[str, ...]]
    exam_names: Phrases
    exam_name_program: dict[str, str]
    markers: frozenset[str]
    requirement: frozenset[str]


_cache: dict[str, _Tables] = {}


def _phrase(text: str) -> str:
    return " ".join(words(text))


def _singular(phrase: str) -> str:
    """Return *phrase* with plural-looking words made singular ("exam costs" -> "exam cost").

    Cues and questions are both read so, so a cue matches whichever number was typed.
    """
    return " ".join(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in phrase.split()
    )


def _program_names(program: Program) -> list[str]:
    """Every name of *program*: aliases, its name with and without the bracketed part."""
    names = [*program.aliases, _PARENS.sub("", program.name)]
    names += [inner for inner in _PARENS.findall(program.name) if "," not in inner]
    if len(program.levels) == 1:
        # A one-level program's level names are the program's names ("FOCUS Analyst").
        names += [program.levels[0].short_name, program.levels[0].name]
    return names


def _tables(knowledge: Knowledge) -> _Tables:
    cached = _cache.get(knowledge.version)
    if cached is not None:
        return cached
    owners: dict[str, set[str]] = {}
    for program in knowledge.programs.values():
        for name in _program_names(program):
            owners.setdefault(_phrase(name), set()).add(program.id)
    # Role names ("cloud architect") are consumed first so they never name a program.
    for role in knowledge.roles.values():
        for name in (role.name, *role.aliases):
            owners.setdefault(_phrase(name), set())
    frozen = {k: frozenset(v) for k, v in owners.items()}
    lang = knowledge.language
    cue_attribute = {_singular(_phrase(c)): a.attribute for a in lang.attributes for c in a.cues}
    ask_name: dict[str, str] = {}
    for program in knowledge.programs.values():
        mine = frozenset({program.id})
        unique = [n for n in _program_names(program) if frozen.get(_phrase(n)) == mine]
        # An abbreviation ("FOCP") if it has one, else its fullest unique name ("certified
        # finops professional guide a"): the re-asked question must name it beyond doubt.
        short = [n for n in unique if n.isupper()]
        readable = short or [n for n in unique if " " in n] or [program.name]
        ask_name[program.id] = min(short, key=len) if short else max(readable, key=len)
    tables = _Tables(
        names=Phrases(frozen),
        owners=frozen,
        cues=Phrases(cue_attribute),
        cue_attribute=cue_attribute,
        not_with={a.attribute: Markers(words(w) for w in a.not_with) for a in lang.attributes},
        labels={a.attribute: a.label for a in lang.attributes},
        subject=frozenset(w for s in lang.subject_words for w in words(s)),
        survey=frozenset(w for s in lang.survey_words for w in words(s)),
        scope=Scope(knowledge),
        ask_name=ask_name,
        followup=frozenset(w for s in lang.followup_words for w in words(s)),
        followup_names=_followup_names(lang.followup_names),
        exam_names=Phrases(_phrase(e.name) for e in lang.exam_names),
        exam_name_program={_phrase(e.name): e.program for e in lang.exam_names},
        markers=frozenset(w for s in lang.prerequisite_markers for w in words(s)),
        requirement=frozenset(w for s in lang.requirement_words for w in words(s)),
    )
    _cache.clear()  # one knowledge version at a time: a reload replaces it
    _cache[knowledge.version] = tables
    return tables


def _followup_names(names: Iterable[FollowupName]) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for entry in names:
        key = _phrase(entry.name)
        table[key] = (*table.get(key, ()), entry.program)
    return table


def parse(
    knowledge: Knowledge,
    text: str,
    *,
    in_conversation: bool = False,
    subject: str | None = None,
    any_vendor: bool = False,
) -> Question | None:
    """Return the attribute and programs *text* names; None for another vendor's exam.

    *in_conversation* (the message follows earlier ones) lets a bare short name ("and the
    engineer?") name its program; a name several programs share ("the professional?") means
    the one from the same issuer as *subject*, the conversation's program. With
    *any_vendor*, another vendor's certification named beside ours is read past (our own
    FAQ answers mention "AWS Cloud Practitioner" as preparation).
    """
    return parse_words(
        knowledge,
        read(text),
        in_conversation=in_conversation,
        subject=subject,
        any_vendor=any_vendor,
    )


def read(text: str) -> tuple[str, ...]:
    """Return the words of *text* that parse() reads: all it depends on besides its flags."""
    # "FOCP $$?", "is it $325?": a dollar sign ending a question asks the price ("a $300
    # course" mid-sentence only mentions one).
    return tuple(words(_DOLLARS.sub(" dollars ", text[:2000]).replace("%", " percent ")))


def parse_words(
    knowledge: Knowledge,
    raw: Sequence[str],
    *,
    in_conversation: bool = False,
    subject: str | None = None,
    any_vendor: bool = False,
) -> Question | None:
    """Return what parse() returns for the words *raw* (from read())."""
    tables = _tables(knowledge)
    raw = list(raw)  # slices are compared with lists below
    said = set(raw)
    if not any_vendor and tables.scope.outside(said):
        return None
    joined = " ".join(raw)
    programs: list[str] = []
    prerequisite: set[str] = set()
    last = 0
    spans = tables.names.spans(raw)
    if hits := [(start, end, " ".join(raw[start:end])) for start, end in spans]:
        # A name only one program has ("guide b", "bhaso") settles which of the programs a
        # shared name beside it ("certified finops professional") means.
        sure = {p for *_, name in hits if len(owned := tables.owners[name]) == 1 for p in owned}
        needed_last = False
        for start, end, name in hits:
            owners = tables.owners[name]
            owners = (owners & sure) or owners
            named = [p for p in sorted(owners) if p not in programs]
            programs += named
            between = raw[last:start]
            # "do I need FOCP before FOCE?": FOCP is what is needed, FOCE what is asked about;
            # "need the FOCP or FOCE first": both are needed.
            # "is FOCP required for FCP?": a program after "for" is the one asked about.
            needed_last = (
                (bool(tables.markers & set(between[-4:])) and between[-1:] != ["for"])
                or (needed_last and set(between) <= _JOINERS)
                # "should I do FOCP first?" in a thread about AI Value: FOCP is needed.
                or raw[end : end + 1] in (["first"], ["beforehand"])
            )
            if needed_last:
                prerequisite.update(named)
            last = end
        # Cues are read with the names taken out: "the FOCP cost" reads as "the cost". A
        # name ending in "exam" ("practitioner exam") leaves that word: "how long is the
        # practitioner exam" reads as "how long is the exam".
        kept = [(s, e - 1) if raw[e - 1] in _NAME_ENDS_KEPT else (s, e) for s, e in spans]
        joined = " ".join(Phrases.outside(raw, kept))
    if not programs and in_conversation:
        # "and the engineer?": a short name counts only with nothing but follow-up words.
        rest = " ".join(w for w in joined.split() if w not in tables.followup)
        named_by = _one_of(knowledge, tables.followup_names.get(rest, ()), subject)
        if named_by is not None:
            programs.append(named_by)
            joined = " ".join(w for w in joined.split() if w in tables.followup)
    singular = _singular(joined).split()
    spans = tables.cues.spans(singular)
    cued = {tables.cue_attribute[" ".join(singular[start:end])] for start, end in spans}
    asked = frozenset(a for a in cued if not tables.not_with[a].said(said))
    bare = bool(asked) and set(Phrases.outside(singular, spans)) <= _BARE_WORDS
    if not programs and asked and asked <= set(_EXAM_ATTRIBUTES) | {"retakes"}:
        # "passing score for finops practitioner": no persona sits an exam.
        found = tables.exam_names.spans(raw)
        if len(found) == 1:
            start, end = found[0]
            programs.append(tables.exam_name_program[" ".join(raw[start:end])])
    if not asked and _price_alone(set(singular)):
        asked, bare = frozenset({"price"}), True
    if not asked and prerequisite and set(programs) - prerequisite and tables.requirement & said:
        # "Does the FCP require the FOCP?" asks the FCP's prerequisites.
        asked = frozenset({"prerequisites"})
    # Several attributes at once ("how long is it and what format?") are an FAQ's job.
    attribute = next(iter(asked)) if len(asked) == 1 else None
    if attribute == "prerequisites" and len(programs) > 1:
        programs = [p for p in programs if p not in prerequisite] or programs
    return Question(
        attribute,
        asked,
        tuple(programs),
        bool(tables.subject & said),
        bool(tables.survey & said),
        followup=bool(programs) and not asked and set(joined.split()) <= tables.followup,
        says_finops="finops" in said,
        needed=frozenset(prerequisite),
        bare=bare and not programs,
    )


_JOINERS = frozenset({"or", "and", "the"})


# The last word of a program's name that a cue may need ("how long is the ai exam").
_NAME_ENDS_KEPT = frozenset({"exam", "exams", "test"})


def _price_alone(only: set[str]) -> bool:
    """Return True for "cost?", "and the cost?", "how much?": nothing but the price asked.
    "cost" is no cue by itself, since FinOps questions say it everywhere ("cost allocation")."""
    return only <= _BARE_WORDS and ("cost" in only or {"how", "much"} <= only)


def _asked_programs(
    knowledge: Knowledge,
    question: Question,
    attribute: str,
    text: str,
    *,
    subject_program: str | None,
    among: Sequence[str],
) -> list[str]:
    """Return the programs an attribute question is about: those it names, else every one
    listed when it says "both", else the conversation's program; none to decide later."""
    programs = [p for p in question.programs if p in knowledge.programs]
    if (
        attribute == "prerequisites"
        and subject_program in knowledge.programs
        and set(programs) <= question.needed
    ):
        # "Do I need the practitioner first?" in a thread about FOCE asks FOCE's prerequisites.
        programs = []
    if not programs and len(among) > 1 and _all_of_them(words(text)):
        # "how much are they both?" after FOCP vs FOCE: each of them, not the last one named.
        programs = [p for p in among if p in knowledge.programs]
    if not programs and subject_program in knowledge.programs:
        programs = [subject_program] if subject_program else []
    return programs


def _all_of_them(said: list[str]) -> bool:
    """Return True when *said* asks about every program listed at once ("how much are they
    both?", "each exam", "do they all expire?"); "all" alone ("all in?") does not."""
    them = not _THEM.isdisjoint(said)
    # "how much are they?", "do they expire?": a plural asks about each of them.
    return not _EACH.isdisjoint(said) or (them and ("all" in said or not _PLURAL.isdisjoint(said)))


# "the cheapest one?" after a path compares them all: each one's figure lets the person see.
_EACH = frozenset({"both", "each", "cheapest", "cheaper", "shortest", "longest"})
_THEM = frozenset({"they", "them", "these", "those"})
_PLURAL = frozenset({"are", "do", "cost"})
# What may stand beside an attribute cue in a question that asks nothing else.
_BARE_WORDS = frozenset(
    {"it", "its", "is", "s", "what", "whats", "the", "a", "an", "does", "do", "how", "so",
     "and", "ok", "hey", "hi", "um", "much", "again", "then", "exactly", "roughly", "about",
     # "How much does FinOps cost?" in a certification bot: the FinOps certification's price.
     # The words are read in the singular, like the cues ("does" -> "doe").
     "finops", "finop", "doe", "cost",
     # "and the most expensive one?" after prices ranked asks the ranking the other way.
     "most", "least", "one", "which"}
)  # fmt: skip


def _one_of(knowledge: Knowledge, candidates: tuple[str, ...], subject: str | None) -> str | None:
    """Return the one program of *candidates* meant: the only one, or *subject*'s issuer's."""
    known = [p for p in candidates if p in knowledge.programs]
    if len(known) <= 1 or subject in known:
        # One meaning, or the conversation's own program among several: nothing to switch to.
        return known[0] if len(known) == 1 else None
    current = knowledge.programs.get(subject or "")
    same = [p for p in known if current and knowledge.programs[p].issuer == current.issuer]
    return same[0] if len(same) == 1 else None


def _named(knowledge: Knowledge, text: str) -> tuple[str, ...]:
    question = parse(knowledge, text, any_vendor=True)
    return question.programs if question is not None else ()


def followup_words(knowledge: Knowledge) -> frozenset[str]:
    """Return the words a bare follow-up wraps a name in ("what about the", "and")."""
    return _tables(knowledge).followup


def program_only(knowledge: Knowledge, question: Question | None) -> str | None:
    """Return the one program *question* names when that is all it says ("what about the
    engineer one?"), else None."""
    if question is None or not question.followup or len(question.programs) != 1:
        return None
    program = question.programs[0]
    return program if program in knowledge.programs else None


def attributes_of(knowledge: Knowledge, text: str) -> frozenset[str]:
    """Return every attribute *text* has a cue for (the evaluation reads FAQ phrasings so)."""
    question = parse(knowledge, text)
    return question.asked if question else frozenset()


@dataclass(frozen=True)
class FaqScope:
    """What an FAQ is asked about: its attributes, the programs it names, or every program."""

    attributes: frozenset[str]
    every_program: bool
    programs: frozenset[str] = frozenset()


_faq_cache: dict[str, dict[str, FaqScope]] = {}


def faq_scope(knowledge: Knowledge, faq_id: str) -> FaqScope:
    """Return FAQ *faq_id*'s scope (its phrasings' cues; no program or issuer named)."""
    table = _faq_cache.get(knowledge.version)
    if table is None:
        issuers = Phrases(p.issuer for p in knowledge.programs.values())
        table = {}
        for f in knowledge.faqs.values():
            question = parse(knowledge, f.question)
            named = bool(issuers.spans(words(f.question)))
            table[f.id] = FaqScope(
                frozenset().union(
                    *(attributes_of(knowledge, p) for p in (f.question, *f.alternates))
                ),
                f.program is None and not named and question is not None
                and not question.programs,
                frozenset(_named(knowledge, f"{f.question}\n{f.answer}"))
                | ({f.program} if f.program else set()),
            )  # fmt: skip
        _faq_cache.clear()  # one knowledge version at a time, like the tables
        _faq_cache[knowledge.version] = table
    return table.get(faq_id, FaqScope(frozenset(), every_program=False))


_others_cache: dict[str, dict[str, frozenset[str]]] = {}


def faqs_about_others(knowledge: Knowledge, program_id: str) -> frozenset[str]:
    """Return the ids of the FAQs about other programs only, not *program_id* (what a
    follow-up in a thread about it must not be answered with)."""
    table = _others_cache.get(knowledge.version)
    if table is None:
        _others_cache.clear()  # one knowledge version at a time, like the scopes
        table = _others_cache[knowledge.version] = {}
    if (ids := table.get(program_id)) is None:
        scopes = ((faq_id, faq_scope(knowledge, faq_id)) for faq_id in knowledge.faqs)
        ids = table[program_id] = frozenset(
            faq_id
            for faq_id, scope in scopes
            if scope.programs and not scope.every_program and program_id not in scope.programs
        )
    return ids


def answer(
    knowledge: Knowledge,
    text: str,
    subject_program: str | None = None,
    subject_attribute: str | None = None,
    *,
    as_typed: str | None = None,
    parsed: Question | None = None,
    among: Sequence[str] = (),
    framework_thread: bool = False,
) -> Reply | None:
    """Answer an attribute question from program facts; None when *text* is not one.

    *as_typed* is the question before its typos were mended: choices re-ask it as written.
    *parsed* is parse(knowledge, text) when the caller already has it.

    *subject_program* and *subject_attribute* are what the conversation was about: the
    program is used when *text* names none, the attribute when *text* is only a program
    name in follow-up words ("what about the FCP?"). *among* are the programs the last
    answer put forward (a path's list, or those an FAQ named): a question that names none
    asks about them. *framework_thread* says the conversation was about the FinOps
    Framework, which the usual certification (the FOCP) examines: "how long is the exam
    again?" there means its exam, with the others offered.
    """
    question = parsed or parse(knowledge, text)
    if question is None:
        return None
    attribute = question.attribute
    if attribute is None and question.followup and question.programs:
        attribute = subject_attribute
    if attribute is None and question.needed and subject_program in knowledge.programs:
        attribute = "prerequisites"  # "do I need the practitioner first?" in a thread
    if attribute is None:
        return None
    programs = _asked_programs(
        knowledge, question, attribute, text, subject_program=subject_program, among=among
    )
    if programs:
        reply = _answer(knowledge, attribute, programs[:MAX_PROGRAMS])
        return _for_a_team(knowledge, text, _proctoring_unsaid(knowledge, text, reply))
    if question.about_all or not (question.about_certifications or question.bare or among):
        # Nothing says it is about certifications; after a list of them, it is.
        return None
    # The best-documented programs first: they are the ones people most often mean.
    ranked = sorted(knowledge.programs.values(), key=lambda p: -len(p.facts))
    having = [p.id for p in ranked if _facts(p, attribute)]
    listed = [p for p in among if p in having]
    if listed:
        # After a path, "how long is the exam?" asks about the programs it listed.
        if len(listed) == 1:
            # Only when others were listed is their missing figure worth a line.
            lacking = len(among) > 1
            return _answer(knowledge, attribute, listed, others_lack=lacking, pool="listed")
        return _clarify(knowledge, as_typed or text, attribute, listed, among)
    if among:
        # None of the programs meant has the figure: say so, rather than ask about others.
        return _answer(knowledge, attribute, list(among[:MAX_PROGRAMS]))
    if len(having) == 1:
        return _answer(knowledge, attribute, having, others_lack=True)
    if attribute == "price" and (order := _price_order(words(text))) is not None:
        # "Which finops cert is the cheapest?" asks a ranking, not the usual one's price;
        # "which FinOpsSchool cert is cheapest?" only among that issuer's.
        said = set(words(text))
        issuers = {p.issuer for p in knowledge.programs.values() if set(words(p.issuer)) <= said}
        # Best documented first, so equal prices keep the order people most often mean.
        pool = [p for p in ranked if not issuers or p.issuer in issuers]
        return _by_price(knowledge, [p.id for p in pool], cheapest_first=order)
    usual = usual_program(knowledge)
    if (question.says_finops or framework_thread) and usual in having:
        # "How much is the FinOps certification?" means the usual one to nearly everyone:
        # answer it, and offer the others in case this person meant one of them.
        others = [p for p in having if p != usual][:MAX_CHOICES]
        reply = _answer(knowledge, attribute, [usual])
        name = knowledge.programs[usual].name
        why = "whose exam covers the Framework" if framework_thread else "the one most people mean"
        note = Section(f"That is the {name}, {why}. Meant another one?")
        return replace(
            reply,
            sections=(*reply.sections, note),
            actions=_choices(knowledge, as_typed or text, others),
        )
    return _clarify(knowledge, as_typed or text, attribute, having)


# Words asking which certification costs least or most: a ranking by price.
_CHEAP_WORDS = frozenset({"cheapest", "cheaper", "lowest", "least", "affordable"})
_DEAR_WORDS = frozenset({"priciest", "pricier", "costliest", "dearest", "highest"})
_DOLLAR_FIGURE = re.compile(r"\$\s?(\d[\d,]*)")


def _price_order(said: list[str]) -> bool | None:
    """Return True when *said* asks which costs least, False which costs most, else None."""
    if not _CHEAP_WORDS.isdisjoint(said):
        return "least" not in said or "expensive" in said
    if not _DEAR_WORDS.isdisjoint(said) or ("most" in said and "expensive" in said):
        return False
    return None


def _by_price(knowledge: Knowledge, program_ids: Sequence[str], *, cheapest_first: bool) -> Reply:
    """Rank *program_ids* by their current price, one line each: by its lowest dollar
    figure when the cheapest is asked, by its highest (a bundle) when the dearest is."""
    current = {
        p: facts[0] for p in program_ids if (facts := _facts(knowledge.programs[p], "price"))
    }
    figures = {
        p: [float(m.replace(",", "")) for m in _DOLLAR_FIGURE.findall(fact.value)]
        for p, fact in current.items()
    }
    priced = [p for p in program_ids if figures.get(p)]
    if cheapest_first:
        priced.sort(key=lambda p: min(figures[p]))
    else:
        priced.sort(key=lambda p: -max(figures[p]))
    lines = [f"- {knowledge.programs[p].name}: {current[p].value}" for p in priced]
    links = knowledge.source_links([current[p].source for p in priced])
    # By id, in the knowledge's order: comparing programs compares pydantic models field by
    # field.
    lacking = [
        prog.name
        for pid, prog in knowledge.programs.items()
        if pid in program_ids and pid not in priced
    ]
    sections = [Section("\n".join(lines))] if lines else []
    if lacking:
        sections.append(Section(say("price_not_given", names="; ".join(lacking))))
    title = say("price_lowest_first") if cheapest_first else say("price_highest_first")
    return Reply(
        kind="answer",
        title=title if priced else None,
        sections=tuple(sections),
        source="; ".join(link.title for link in links) or None,
        links=links,
        attribute="price",
        score=100.0,
        data={"programs": priced},
    )


# What "and the exam?" asks of a program with no exam overview FAQ, first found first.
_EXAM_ATTRIBUTES = ("format", "exam_length", "question_count", "pass_mark")


def exam_facts(knowledge: Knowledge, program_id: str) -> Reply | None:
    """Answer "and the exam?" about *program_id* from its exam facts (its format first), or
    None when it has none."""
    program = knowledge.programs.get(program_id)
    if program is None:
        return None
    attribute = next((a for a in _EXAM_ATTRIBUTES if _facts(program, a)), None)
    return _answer(knowledge, attribute, [program_id]) if attribute else None


def usual_program(knowledge: Knowledge) -> str | None:
    """Return the program people mean by "the FinOps certification" (the FOCP), if known."""
    return next((p for p in knowledge.language.usual_program if p in knowledge.programs), None)


def _facts(program: Program, attribute: str) -> list[ProgramFact]:
    # The current figure first, then older and conflicting ones in file order.
    facts = [f for f in program.facts if f.attribute == attribute]
    return sorted(facts, key=lambda f: f.status != "current")


def _label(knowledge: Knowledge, attribute: str) -> str:
    return _tables(knowledge).labels.get(attribute, attribute.replace("_", " "))


def _qualifier(fact: ProgramFact) -> str:
    parts = []
    if fact.as_of:
        parts.append(f"as of {fact.as_of}")
    if fact.reliability == "reported":
        parts.append("reported by third parties")
    elif fact.reliability == "official-old":
        parts.append("an older official page")
    return f" ({', '.join(parts)})" if parts else ""


def _with_qualifier(fact: ProgramFact) -> str:
    qualifier = _qualifier(fact)
    # "75% (38 of 50 questions), as of 2026-05": no second bracket straight after a first.
    if qualifier and fact.value.endswith(")"):
        return f"{fact.value},{qualifier[:-1].replace(' (', ' ', 1)}"
    return f"{fact.value}{qualifier}"


def _for_a_team(knowledge: Knowledge, text: str, reply: Reply) -> Reply:
    """Return *reply* with the total for the headcount *text* gives, when it asks one
    program's price for several people ("how much for 10 engineers to get the FOCE?"):
    each single figure of the current price times the headcount; a range is left alone."""
    program = knowledge.programs.get(reply.program or "")
    found = _HEADCOUNT.search(fold(text))
    if program is None or reply.attribute != "price" or found is None or not reply.sections:
        return reply
    people = int(next(g for g in found.groups() if g))
    current = _facts(program, "price")[:1]
    totals = []
    # "US$325 for the exam alone; US$500 with the course": one line per single figure.
    for part in current[0].value.split(";") if current else []:
        amounts = _AMOUNT.findall(part)
        if len(amounts) != 1 or _RANGE.search(part):
            continue  # "bundles US$1,100–2,495": no one figure to multiply
        each = int(amounts[0].replace(",", ""))
        what = _AMOUNT.sub("", part).replace("US$", "").strip(" ,.") or program.name
        total = f"US${each * people:,}"
        totals.append(say("team_total", people=people, each=f"US${each:,}", total=total, what=what))
    if not 1 < people <= _MOST_PEOPLE or not totals:
        return reply
    first = reply.sections[0]
    added = "\n".join((first.text, say("team_total_lead", people=people), *totals))
    return replace(reply, sections=(replace(first, text=added), *reply.sections[1:]))


# "10 engineers", "a team of 12", "8 of us": how many people a price is asked for.
_HEADCOUNT = re.compile(
    r"\bteam of (\d{1,4})\b|\b(\d{1,4}) (?:people|persons|engineers|employees|analysts|staff"
    r"|seats|members|colleagues|devs|developers|users|of us|team members|candidates)\b"
)
_AMOUNT = re.compile(r"(?<=US\$)\d[\d,]*")
_RANGE = re.compile(r"\d\s*[–-]\s*\d")
_MOST_PEOPLE = 10_000


def _proctoring_unsaid(knowledge: Knowledge, text: str, reply: Reply) -> Reply:
    """Return *reply* saying "our sources don't say" when *text* asks whether one
    program's exam is proctored and none of its format facts speaks of proctoring ("is it
    proctored?" after the FOCUS Analyst got "online, multiple choice")."""
    program = knowledge.programs.get(reply.program or "")
    if program is None or reply.attribute != "format" or _PROCTOR.isdisjoint(words(text)):
        return reply
    said = " ".join(f.value + " " + (f.note or "") for f in _facts(program, "format"))
    if "proctor" in said.lower() or not reply.sections:
        return reply
    # After the figure, which leads every facts answer.
    first = reply.sections[0]
    unsaid = f"{first.text}\n{say('proctoring_unsaid', program=program.name)}"
    return replace(reply, sections=(replace(first, text=unsaid), *reply.sections[1:]))


_PROCTOR = frozenset({"proctor", "proctored", "proctoring", "invigilated", "supervised"})


def _program_lines(knowledge: Knowledge, program: Program, attribute: str) -> list[str]:
    facts = _facts(program, attribute)
    if not facts:
        where = f" Check {program.url}" if program.url else ""
        label = _label(knowledge, attribute)
        return [f"Our sources don't give the {label} of {program.name}.{where}".rstrip()]
    lead, rest = facts[0], facts[1:]
    line = f"{_with_qualifier(lead)}."
    if lead.note:
        line += f" {lead.note}"
    lines = [line]
    if rest:
        lines.append("Older or conflicting: " + "; ".join(f.value for f in rest) + ".")
    return lines


def _answer(
    knowledge: Knowledge,
    attribute: str,
    program_ids: list[str],
    *,
    others_lack: bool = False,
    pool: str = "",
) -> Reply:
    programs = [knowledge.programs[p] for p in program_ids]
    label = _label(knowledge, attribute)
    source_ids = [f.source for p in programs for f in _facts(p, attribute)]
    links = list(knowledge.source_links(source_ids))
    for p in programs:
        link = Link(f"{p.issuer}: {_PARENS.sub('', p.name)}", p.url) if p.url else None
        if link is not None and link not in links and not _facts(p, attribute):
            links.append(link)
    if len(programs) == 1:
        title = f"{programs[0].name}: {label}"
        sections = [Section("\n".join(_program_lines(knowledge, programs[0], attribute)))]
    elif not any(_facts(p, attribute) for p in programs):
        # None has the figure: one line, not a block per program saying the same.
        title = f"{label[:1].upper()}{label[1:]}, by certification"
        names = "; ".join(p.name for p in programs)
        sections = [Section(f"Our sources don't give the {label} of any of: {names}.")]
    else:
        title = f"{label[:1].upper()}{label[1:]}, by certification"
        sections = [
            Section("\n".join(_program_lines(knowledge, p, attribute)), heading=p.name)
            for p in programs
        ]
    if others_lack:
        others = f"the other certifications {pool}".strip()
        sections.append(Section(f"Our sources give no {label} for {others}."))
    if attribute == "delivery" and len(programs) == 1 and programs[0].url:
        # "link?", "where do I sign up?": the page where it is bought, to click.
        sections.append(Section(say("program_page", url=programs[0].url)))
    if attribute == "study_time" and len(programs) == 1:
        # How long to study leads to the bot's own plan to an exam date.
        sections.append(Section(say("study_plan_hint", program=programs[0].id)))
    return Reply(
        kind="answer",
        title=title,
        sections=tuple(sections),
        source="; ".join(link.title for link in links) or None,
        links=tuple(links),
        program=programs[0].id if len(programs) == 1 else None,
        attribute=attribute,
        score=100.0,
        data={"programs": [p.id for p in programs]},
    )


def several(knowledge: Knowledge, question: Question, program_id: str) -> Reply:
    """Answer each attribute *question* asks of *program_id* ("FOCP exam length + price?"),
    in the knowledge's attribute order, each under its own heading, in one reply."""
    order = [a.attribute for a in knowledge.language.attributes]
    asked = sorted(question.asked, key=lambda a: order.index(a) if a in order else len(order))
    parts = [_answer(knowledge, attribute, [program_id]) for attribute in asked]
    labels = [_label(knowledge, attribute) for attribute in asked]
    program = knowledge.programs[program_id]
    links: list[Link] = []
    for part in parts:
        links.extend(link for link in part.links if link not in links)
    return Reply(
        kind="answer",
        title=f"{program.name}: {'; '.join(labels)}",
        sections=tuple(
            Section(part.sections[0].text, heading=label[:1].upper() + label[1:])
            for part, label in zip(parts, labels, strict=True)
        ),
        source="; ".join(link.title for link in links) or None,
        links=tuple(links),
        program=program_id,
        score=100.0,
        data={"programs": [program_id], "attributes": asked},
    )


# The figures a side-by-side comparison shows, in this order, when a program has them.
_COMPARED = ("prerequisites", "exam_length", "question_count", "pass_mark", "price")


def comparison(knowledge: Knowledge, program_ids: Sequence[str]) -> Reply:
    """Return *program_ids* side by side: what each is and its main figures, with sources.

    No FAQ compares every pair of programs ("FOCE vs FCP?"); another pair's comparison
    would answer a question nobody asked.
    """
    programs = [knowledge.programs[p] for p in program_ids[:MAX_PROGRAMS]]
    sections: list[Section] = []
    source_ids: list[str] = []
    for program in programs:
        lines = [f"{program.issuer}. {PROSE_SENTENCE_END.split(program.summary, 1)[0]}"]
        for attribute in _COMPARED:
            facts = _facts(program, attribute)
            if facts:
                label = _label(knowledge, attribute).capitalize()
                reported = " (reported)" if facts[0].reliability == "reported" else ""
                lines.append(f"{label}: {facts[0].value}{reported}")
                source_ids.append(facts[0].source)
        source_ids.append(program.source)
        sections.append(Section("\n".join(lines), heading=program.name))
    example = _tables(knowledge).ask_name[programs[0].id]
    sections.append(Section(say("compare_more", program=example)))
    links = knowledge.source_links(source_ids)
    return Reply(
        kind="answer",
        title=" vs ".join(p.name for p in programs),
        sections=tuple(sections),
        source="; ".join(link.title for link in links) or None,
        links=links,
        listed=tuple(p.id for p in programs),
        score=100.0,
        data={"programs": [p.id for p in programs]},
    )


def _clarify(
    knowledge: Knowledge,
    text: str,
    attribute: str,
    having: list[str],
    pool: Sequence[str] = (),
) -> Reply:
    """Ask which of *having* is meant; *pool* (default: every program) is what was asked about."""
    label = _label(knowledge, attribute)
    asked = [knowledge.programs[p] for p in pool if p in knowledge.programs]
    lacking = [p.name for p in asked or knowledge.programs.values() if p.id not in having]
    sections = [Section(f"That differs by certification ({label}). Which one do you mean?")]
    if lacking and having:
        sections.append(Section(f"Our sources give no {label} for: {', '.join(lacking)}."))
    choices = having or list(knowledge.programs)
    return Reply(
        kind="clarify",
        title="Which certification?",
        sections=tuple(sections),
        actions=_choices(knowledge, text, choices),
        attribute=attribute,
    )


def _choices(knowledge: Knowledge, text: str, programs: list[str]) -> tuple[Action, ...]:
    """Return one button per program re-asking *text* about it."""
    ask_name = _tables(knowledge).ask_name
    base = text.strip().rstrip("?!. ")
    return tuple(
        Action("ask", knowledge.programs[p].name, f"{base} for {ask_name[p]}?") for p in programs
    )
