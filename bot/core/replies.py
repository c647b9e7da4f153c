"""Reply builders: turn matches, recommendations and small talk into neutral replies."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from bot.core.knowledge import Knowledge
from bot.core.matching import Match
from bot.core.models import CloudTopic, Faq
from bot.core.paths import EXPERIENCE_RANGE, PathRequest, ProgramPlan, Recommendation, Step
from bot.core.reply import Action, Fact, Reply, Section, Suggestion
from bot.core.text import PROSE_SENTENCE_END
from bot.core.wording import say

PATH_USAGE = say("path_usage")


# The first message of an answer stays short: about this many characters of answer text, the
# rest behind "More". With the title and two source titles it keeps a typical answer under 600.
FIRST_PART = 380
SHOWN_SOURCES = 2


def split_answer(answer: str, budget: int = FIRST_PART) -> tuple[str, str]:
    """Split *answer* into a first part of about *budget* characters and the rest.

    Whole lines are kept together, and a lead-in line ending in ':' keeps its first item; a
    first line far over the budget is cut between sentences. The rest is empty when it fits.
    """
    if len(answer) <= budget:
        return answer, ""
    lines = answer.split("\n")
    kept = [lines[0]]
    size = len(lines[0])
    for line in lines[1:]:
        if size + len(line) > budget and not kept[-1].rstrip().endswith(":"):
            break
        kept.append(line)
        size += len(line) + 1
    rest = lines[len(kept) :]
    if len(kept) == 1 and len(kept[0]) > budget * 1.15:
        sentences = PROSE_SENTENCE_END.split(kept[0])
        head = [sentences[0]]
        for sentence in sentences[1:]:
            if sum(len(h) + 1 for h in head) + len(sentence) > budget:
                break
            head.append(sentence)
        tail = sentences[len(head) :]
        return " ".join(head), "\n".join(([" ".join(tail)] if tail else []) + rest)
    return "\n".join(kept), "\n".join(rest)


def _parts(faq: Faq) -> tuple[str, str]:
    if faq.more:
        return faq.answer, faq.more
    return _split_cached(faq.answer)


# Where an answer gives an example: "e.g. cost per customer", "such as one sale", a worked
# figure ("$1,000 over 100 apps is $10 each").
_EXAMPLE = re.compile(r"\be\.g\.|\bfor (?:example|instance)\b|\bsuch as\b|\bexamples?\b|\$\d", re.I)
# "Simpler?" keeps sentences up to about this many characters, and a list item's name
# before its colon when the name is at most this long.
_SHORT_ENOUGH = 160
_ITEM_NAME = 40
_NUMBERED = re.compile(r"\d+\.\s")

# The tag of FAQs about practice questions, whose answer offers the bot's own quiz.
PRACTICE_TAG = "practice-questions"

# Pure, and the same answers come back all day (a str caches its own hash).
_split_cached = lru_cache(maxsize=4_096)(split_answer)


def faq_reply(knowledge: Knowledge, faq: Faq, score: float = 100.0) -> Reply:
    """Answer with the first part of *faq*, a 'More' button for the rest, source and follow-ups."""
    follow_ups = _related(knowledge, faq)
    feedback = (
        Action("feedback", "Helpful", f"up:{faq.id}"),
        Action("feedback", "Not helpful", f"down:{faq.id}"),
    )
    first, rest = _parts(faq)
    sections = [Section(first)]
    if PRACTICE_TAG in faq.tags:
        # Someone looking for practice questions can have one here and now.
        sections.append(Section(say("quiz_hint")))
    links = knowledge.source_links(faq.sources)
    hidden = max(0, len(links) - SHOWN_SOURCES)
    # The rest of the answer, and every source, are one "More" click away.
    more_action = (Action("more", "More", faq.id),) if rest or hidden else ()
    return Reply(
        kind="answer",
        title=faq.question,
        sections=tuple(sections),
        actions=more_action + follow_ups + feedback,
        source=knowledge.source_label(faq.sources),
        links=links,
        more_sources=hidden,
        more=(Section(rest),) if rest else (),
        faq_id=faq.id,
        matched_question=faq.question,
        score=score,
    )


def _related(knowledge: Knowledge, faq: Faq) -> tuple[Action, ...]:
    """Return *faq*'s related questions as buttons to go on with."""
    return tuple(
        Action("faq", knowledge.faqs[r].question, r) for r in faq.related if r in knowledge.faqs
    )


def more_reply(knowledge: Knowledge, faq: Faq, *, example: bool = False) -> Reply:
    """Return the rest of *faq*'s answer with every source, for a 'More' click; with
    *example* (the person asked for one), first say where the sources' example is, or that
    they give none, since the rest may hold no example at all.

    An answer with no rest says so, with its related questions to go on with, instead of
    repeating itself ("example?" after a one-paragraph answer).
    """
    first, rest = _parts(faq)
    links = knowledge.source_links(faq.sources)
    lead = None
    if example and not _EXAMPLE.search(rest):
        above = _EXAMPLE.search(first) is not None
        if rest:
            lead = say("example_above") if above else say("example_none")
        else:
            lead = say("example_above_all") if above else say("example_none_all")
    elif not rest:
        lead = say("more_none")
    sections = tuple(Section(text) for text in (lead, rest) if text)
    follow_ups = () if rest else _related(knowledge, faq)
    return Reply(
        kind="answer",
        title=f"More: {faq.question}",
        sections=sections,
        actions=follow_ups,
        source=knowledge.source_label(faq.sources),
        links=links,
        faq_id=faq.id,
        matched_question=faq.question,
    )


def whole_reply(knowledge: Knowledge, faq: Faq) -> Reply:
    """Answer with all of *faq*'s answer at once ("list them" after the first part of a
    list): its first part and the rest, no More to click."""
    reply = faq_reply(knowledge, faq)
    first, rest = _parts(faq)
    if not rest:
        return reply
    actions = tuple(a for a in reply.actions if a.kind != "more")
    return replace(
        reply, sections=(Section(f"{first}\n{rest}"),), actions=actions, more=(), more_sources=0
    )


def unsaid_reply(knowledge: Knowledge, faq: Faq) -> Reply:
    """Say the sources say no more on a follow-up about *faq* ("how is it calculated?" after
    showback) than its short form, shown under it, with More and related questions."""
    reply = faq_reply(knowledge, faq)
    short = short_reply(knowledge, faq)
    actions = tuple(a for a in reply.actions if a.kind in ("more", "faq"))
    lead = Section(say("unsaid"))
    return replace(reply, title=None, sections=(lead, *short.sections), actions=actions)


def side_by_side(knowledge: Knowledge, pair: tuple[Faq, Faq]) -> Reply:
    """Return two concepts' short answers one under the other, for a question that
    contrasts them when no FAQ answers the pair; the first stays the thread's concept."""
    first, second = pair
    sections = tuple(Section(_parts(faq)[0], heading=faq.question) for faq in pair)
    links = knowledge.source_links((*first.sources, *second.sources))
    actions = tuple(Action("faq", faq.question, faq.id) for faq in pair)  # each in full
    return Reply(
        kind="answer",
        title=say("side_by_side_title"),
        sections=sections,
        actions=actions,
        source=knowledge.source_label((*first.sources, *second.sources)),
        links=links[:SHOWN_SOURCES],
        more_sources=max(0, len(links) - SHOWN_SOURCES),
        faq_id=first.id,
        matched_question=first.question,
        score=100.0,
    )


def short_reply(knowledge: Knowledge, faq: Faq) -> Reply:
    """Return the first sentence of *faq*'s answer alone, for "simpler?": the whole short
    answer again would say nothing new."""
    reply = faq_reply(knowledge, faq)
    # A list is the plain part: its items, each by its name alone ("- Personas").
    if (listed := _list_by_names(faq)) is not None:
        return _in_short(reply, faq, listed)
    lines = faq.answer.split("\n")
    sentences = PROSE_SENTENCE_END.split(lines[0])
    # The first sentence, and the next ones while it is too thin to say anything ("The
    # Framework is the Foundation's model for running FinOps.").
    kept = [sentences[0]]
    for sentence in sentences[1:]:
        if sum(len(k) for k in kept) >= _SHORT_ENOUGH:
            break
        kept.append(sentence)
    sentence = " ".join(kept)
    if sentence == faq.answer or sentence.rstrip().endswith(":"):
        return reply  # short already, or only a lead-in: nothing to leave out
    return _in_short(reply, faq, sentence)


def item_first(reply: Reply, faq: Faq, item: str) -> Reply:
    """Return *reply* (answering *faq*) led by the one *item* of its list that was asked
    about, then the list by its names: "what happens in the Inform phase?" had got all
    three phases alike."""
    listed = _list_by_names(faq)
    if listed is None:
        return reply
    # The list on one line ("...: Inform, Optimize, Operate."): bullets with names alone
    # read as empty ones.
    lead, *names = (line.removeprefix("- ") for line in listed.split("\n"))
    if any(len(name) > _ITEM_NAME for name in names):
        return reply  # items with no short name: on one line they would be a paragraph
    inline = f"{lead.rstrip().rstrip(':')}: {', '.join(names)}."
    short = _in_short(reply, faq, inline)
    return replace(short, title=faq.question, sections=(Section(item), *short.sections))


def _list_by_names(faq: Faq) -> str | None:
    """Return *faq*'s answer as its lead-in and its items by name, or None when it opens
    with no list."""
    lines = faq.answer.split("\n")
    if not lines[0].rstrip().endswith(":"):
        return None
    items = list(itertools.takewhile(_is_item, lines[1:]))
    return "\n".join([lines[0], *(_item_name(item) for item in items)]) if items else None


def _in_short(reply: Reply, faq: Faq, text: str) -> Reply:
    """Return *reply* showing *text* as the short form of *faq*'s answer."""
    actions = tuple(a for a in reply.actions if a.kind != "more")  # "More" is the full answer
    short = replace(reply, title=f"In short: {faq.question}", sections=(Section(text),))
    return replace(short, more=(), more_sources=0, actions=actions)


def _is_item(line: str) -> bool:
    return line.startswith("- ") or _NUMBERED.match(line) is not None


def _item_name(item: str) -> str:
    """Return a list item by its name: "- Personas" for "- Personas: core roles ..."."""
    name, colon, _rest = item.partition(":")
    return name if colon and len(name) <= _ITEM_NAME else item


def with_exam_domain(reply: Reply, name: str, weight: int) -> Reply:
    """Lead what the exam covers (*reply*) with the exam domain (*name*, *weight* percent)
    the concept asked about falls under: "is it on the exam?" first, then all the domains."""
    line = Section(say("exam_domain", name=name, weight=weight))
    return replace(reply, sections=(line, *reply.sections))


def without_exam_domain(reply: Reply, concept: str) -> Reply:
    """Lead what the exam covers (*reply*) by saying the sources place *concept* (the
    question of the concept asked about) in no one exam domain: no yes or no to guess."""
    line = Section(say("exam_domain_none", concept=concept))
    return replace(reply, sections=(line, *reply.sections))


def in_general(reply: Reply, program: str) -> Reply:
    """Lead *reply* (an FAQ about every certification) by saying it is not about *program*."""
    return replace(reply, sections=(Section(say("in_general", program=program)), *reply.sections))


def match_reply(knowledge: Knowledge, match: Match, max_suggestions: int) -> Reply:
    """Answer, offer 'did you mean' choices, or decline, according to the match band."""
    best = match.best
    if match.band == "answer" and best is not None:
        reply = faq_reply(knowledge, best.faq, best.score)
        if not match.runners_up:
            return reply
        # Clearly ahead but below the answer line: answer, and offer what came next.
        others = tuple(Suggestion(c.faq.id, c.faq.question, c.score) for c in match.runners_up)
        return replace(reply, suggestions=others)
    if match.band == "suggest" and best is not None:
        floor = best.score - 25
        choices = tuple(
            Suggestion(c.faq.id, c.faq.question, c.score)
            for c in match.candidates[:max_suggestions]
            if c.score >= floor
        )
        single = len(choices) == 1  # "Pick one" of a list of one reads oddly
        return Reply(
            kind="suggest",
            title=say("suggest_title_one") if single else say("suggest_title"),
            sections=(Section(say("suggest_lead_one") if single else say("suggest_lead")),),
            suggestions=choices,
            actions=tuple(Action("faq", s.question, s.faq_id) for s in choices),
            score=best.score,
        )
    if match.cloud_topic is not None:
        return cloud_decline_reply(knowledge, match.cloud_topic)
    if match.other_certification:
        # "how long is the CKA exam?": not a question we failed to understand.
        reply = decline_reply()
        sections = (Section(say("other_certification_decline")), reply.sections[0])
        return replace(reply, title=say("other_certification_title"), sections=sections)
    return decline_reply(best.score if best else 0.0)


def cloud_decline_reply(knowledge: Knowledge, topic: CloudTopic) -> Reply:
    """Decline a cloud-operations how-to, naming where FinOps covers the topic and offering
    the FAQs on the Framework's view of it."""
    text = say("cloud_decline", topic=topic.topic)
    if topic.covered_by:
        text += say("cloud_decline_covered", covered_by=topic.covered_by)
    reply = replace(decline_reply(), title=say("cloud_decline_title"))
    # Ids are checked at load; .get still skips one a learned-knowledge reload dropped.
    offered = [faq for faq_id in topic.see_also if (faq := knowledge.faqs.get(faq_id))]
    if not offered:
        return replace(reply, sections=(Section(text), *reply.sections))
    # The Framework's view of the topic, one click away, says more of what we can do than
    # the general scope and example lines would.
    see_also = tuple(Action("faq", faq.question, faq.id) for faq in offered)
    return replace(reply, sections=(Section(text),), actions=(*see_also, *reply.actions))


def unlinked_kind_reply(knowledge: Knowledge, kind: str, offered: Sequence[str]) -> Reply:
    """Say that the sources tie the concept to no one *kind* (persona, domain...), and
    offer the FAQs on each of them."""
    faqs = [faq for faq_id in offered if (faq := knowledge.faqs.get(faq_id))]
    choices = tuple(Suggestion(faq.id, faq.question, 0.0) for faq in faqs)
    return Reply(
        kind="suggest",
        title=say("kind_unlinked_title", kind=kind),
        sections=(Section(say("kind_unlinked", kind=kind)),),
        suggestions=choices,
        actions=tuple(Action("faq", s.question, s.faq_id) for s in choices),
    )


def decline_reply(score: float = 0.0) -> Reply:
    """Say plainly that we can't help, and what we can help with."""
    return Reply(
        kind="decline",
        title=say("decline_title"),
        sections=(Section(say("decline_scope")), Section(say("decline_try"))),
        actions=(Action("path_form", say("path_button"), "open"),),
        score=score,
    )


def language_reply() -> Reply:
    """Decline a question in another script: say so, rather than match it by accident."""
    reply = decline_reply()
    sections = (Section(say("language_decline")), *reply.sections)
    return replace(reply, title=say("language_decline_title"), sections=sections)


def admin_elsewhere_reply(where: str = "a private chat with me") -> Reply:
    """Say that admin commands work only somewhere private (reports name files and people)."""
    return Reply(kind="admin", sections=(Section(say("admin_elsewhere", where=where)),))


def help_reply() -> Reply:
    """Explain what the bot does and how to ask."""
    return Reply(
        kind="help",
        title=say("help_title"),
        sections=(
            Section(say("help_questions"), heading=say("help_questions_heading")),
            Section(PATH_USAGE, heading=say("help_path_heading")),
            Section(say("help_quiz"), heading=say("help_quiz_heading")),
            Section(say("help_plan"), heading=say("help_plan_heading")),
        ),
        actions=(Action("path_form", say("path_button"), "open"),),
    )


def path_help_reply() -> Reply:
    """Explain /finops-path."""
    return Reply(
        kind="help",
        title=say("path_help_title"),
        sections=(Section(PATH_USAGE),),
        actions=(Action("path_form", say("path_button"), "open"),),
    )


def no_list_reply(choices: int = 0) -> Reply:
    """Answer a number typed with no list (or no such choice) to pick from, and how to ask."""
    lead = say("no_such_choice", choices=choices) if choices else say("no_list")
    return Reply(kind="help", sections=(Section(f"{lead} {say('how_to_ask')}"),))


def order_reply(knowledge: Knowledge, listed: Sequence[str], *, path: bool = True) -> Reply:
    """Explain the order of *listed* programs (a certification path's, or, without *path*,
    those an answer named), from what each is to be taken after (the same data that orders
    a path, bot/core/paths.py)."""
    programs = [knowledge.programs[p] for p in listed if p in knowledge.programs]
    lines: list[str] = []
    for i, program in enumerate(programs):
        earlier = [p.name for p in programs[:i] if p.id in program.take_after]
        later = [p.name for p in programs[i + 1 :] if program.id in p.take_after]
        if earlier:
            lines.append(say("order_after", program=program.name, earlier=_listing(earlier)))
        elif later:
            lines.append(say("order_base", program=program.name, others=_listing(later)))
        elif path:
            lines.append(say("order_free", program=program.name))
        else:
            lines.append(say("order_untied", program=program.name))
    text = "\n".join(f"- {line}" for line in lines)
    if len({p.issuer for p in programs}) > 1:
        text += "\n" + say("order_issuers")
    title = say("order_title") if path else say("first_title")
    return Reply(kind="answer", title=title, sections=(Section(text),))


def next_reply(knowledge: Knowledge, program_id: str) -> Reply | None:
    """Say what comes after *program_id*: the certifications its last level's source names
    next, the programs to be taken after it (their `take_after`) and its progression; None
    when the knowledge says nothing of it."""
    program = knowledge.programs.get(program_id)
    if program is None:
        return None
    kinds = {
        "same-track": say("next_same_track"),
        "cross-track": say("next_cross_track"),
        "leadership": say("next_leadership"),
    }
    named = program.levels[-1].next if program.levels else ()
    lines = [f"- {kinds[n.kind]}: {n.name}" for n in named]
    later = [p for p in knowledge.programs.values() if program.id in p.take_after]
    said = " ".join(n.name for n in named)
    unsaid = [p.name for p in later if _short_name(p.name) not in said]
    if unsaid:
        lines.append("- " + say("next_builds_on", names=_listing(unsaid)))
    if program.progression and not named:
        lines.append(f"- {kinds['same-track']}: {program.progression.same_track}")
    if not lines:
        return None
    sources = tuple(dict.fromkeys([program.source, *(p.source for p in later)]))
    return Reply(
        kind="answer",
        title=say("next_title", program=program.name),
        sections=(Section("\n".join(lines)),),
        source=knowledge.source_label(sources),
        links=knowledge.source_links(sources),
        program=program.id,
    )


def congratulations(after: Reply) -> Reply:
    """Lead *after* (what follows a certification) with congratulations on passing it."""
    return replace(after, sections=(Section(say("congratulations")), *after.sections))


def _short_name(name: str) -> str:
    """Return the part of a program's name a sentence would use: "AI Value" for "FinOps
    Certified: AI Value", "FinOps Certified Professional" for "... Professional (FCP)"."""
    return name.split("(", maxsplit=1)[0].rsplit(":", maxsplit=1)[-1].strip()


def _listing(names: Sequence[str]) -> str:
    """Return *names* as prose: "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def small_talk_reply(kind: str) -> Reply:
    """Answer a greeting, thanks, goodbye or "that's wrong" briefly, pointing at what the bot
    does."""
    match kind:
        case "thanks":
            text = say("thanks")
        case "goodbye":
            text = say("goodbye")
        case "complaint":
            text = say("complaint")
        case "ack":
            text = say("ack")
        case _:
            text = say("greeting")
    return Reply(kind="greeting", sections=(Section(text),))


def clarify_reply(
    knowledge: Knowledge,
    unknown_program: str | None = None,
    near: Sequence[tuple[str, str]] = (),
) -> Reply:
    """Ask which role to plan for, listing the roles we know; never guess.

    *near* holds the roles close to what was typed, as (name, path request) pairs: each
    becomes a choice that asks for that role's path.
    """
    roles = ", ".join(sorted(r.name for r in knowledge.roles.values()))
    programs = ", ".join(sorted(knowledge.programs))
    if unknown_program:
        lead = say("unknown_program", program=unknown_program, programs=programs)
    else:
        lead = say("role_near") if near else say("role_question")
    choices = tuple(Action("ask", name, f"/finops-path {request}") for name, request in near)
    # An unknown program is the only thing wrong: the roles are no help then.
    known = () if unknown_program else (Section(say("roles_known", roles=roles)),)
    return Reply(
        kind="clarify",
        title=say("program_title") if unknown_program else say("role_title"),
        sections=(Section(lead), *known, Section(PATH_USAGE)),
        actions=(*choices, Action("path_form", say("path_button"), "open")),
    )


def path_form_reply(knowledge: Knowledge) -> Reply:
    """Ask for a role when a path request came without one (platforms with forms show one)."""
    reply = clarify_reply(knowledge)
    return Reply(
        kind=reply.kind,
        title=reply.title,
        sections=reply.sections,
        actions=reply.actions,
        data={"form": "path"},
    )


def path_reply(knowledge: Knowledge, rec: Recommendation, *, full: bool = False) -> Reply:
    """Render a recommendation as a neutral reply (sections per program, data for JSON): the
    ordered levels first, and with *full* (its More) why each, the prep plan and the
    mistakes to avoid as well."""
    q = rec.query
    assert q.role is not None  # noqa: S101 - callers send roleless queries to clarify_reply
    if q.ignored_experience:
        exp = f"I read experience as {EXPERIENCE_RANGE}; '{q.ignored_experience}' ignored"
    else:
        exp = "experience not stated" if q.months is None else _exp(q.months)
    facts = [Fact("Role", q.role.name), Fact("Experience", exp)]
    if q.program:
        facts.append(Fact("Program", q.program.name))
    if q.goal:
        facts.append(Fact("Goal", q.goal))
    # Programs with something for the role get a section each; the rest share one line.
    fitting = [plan for plan in rec.plans if _fits(plan)] or list(rec.plans[:1])
    section = _plan_section if full else _plan_summary
    sections = [section(knowledge, plan) for plan in fitting]
    # By program id: comparing whole plans compared their pydantic programs field by field,
    # most of what rendering a path cost.
    shown = {plan.program.id for plan in fitting}
    others = [plan.program.name for plan in rec.plans if plan.program.id not in shown]
    if others:
        sections.append(
            Section(
                f"No level recommended for {q.role.name} by: {'; '.join(others)}. "
                "Ask about one with /finops-path ROLE --program NAME.",
                heading="Other programs",
            )
        )
    actions = [Action("share", say("path_share_button"), "share")]
    if not full:
        # The role as its first alias parses back to it. A Teams card's data holds 120
        # characters: a goal that would not fit (it is only echoed) is left out.
        request = PathRequest(
            q.role.aliases[0] if q.role.aliases else q.role.name,
            f"{q.months:g} months" if q.months is not None else None,
            q.program.id if q.program else None,
            q.goal,
        )
        again = f"{PATH_MORE}{request.text()}"
        if len(again) > _MORE_VALUE:
            again = f"{PATH_MORE}{replace(request, goal=None).text()}"
        actions.append(Action("more", say("path_more_button"), again))
    return Reply(
        kind="path",
        title=f"Certification path for {q.role.name}",
        sections=tuple(sections),
        facts=tuple(facts),
        actions=tuple(actions),
        # No reply-wide source: each program's section names its own.
        data=recommendation_data(knowledge, rec),
        listed=tuple(plan.program.id for plan in fitting),
    )


def _fits(plan: ProgramPlan) -> bool:
    """Return True when *plan* has levels or a learning path for the role."""
    return bool(plan.steps or plan.learning_path)


def _exp(months: float) -> str:
    if months == 0:
        return "new to cloud"
    if months >= 12:
        return f"{months / 12:g} year(s)"
    return f"{months:g} month(s)"


_MARK = {"met": "[ok]", "not-met": "[missing]", "unknown": "[check]"}
# A path's More value: what follows it is the request, asked again in full.
PATH_MORE = "path:"
_MORE_VALUE = 120


def _plan_summary(knowledge: Knowledge, plan: ProgramPlan) -> Section:
    """Return *plan* in a few lines: its levels in order, each with where its prerequisites
    stand, what comes next and its source."""
    prog = plan.program
    lines = [plan.note] if plan.note else []
    for n, step in enumerate(plan.steps, 1):
        lines.append(f"{n}. {step.level.name}{_prerequisites_in_short(step)}")
    if plan.learning_path and not plan.steps:
        lines.append(f"Learning path: {plan.learning_path}")
    if plan.next_steps:
        lines.append(f"Next: {plan.next_steps[0]}")
    lines.append(f"Source: {knowledge.source_label([prog.source])}")
    return Section("\n".join(lines), heading=f"{prog.name} (issued by {prog.issuer})")


def _prerequisites_in_short(step: Step) -> str:
    """Return where *step*'s prerequisites stand in a few words (" - 2 to check yourself")."""
    missing = [p.text for p in step.prerequisites if p.status == "not-met"]
    unknown = sum(p.status == "unknown" for p in step.prerequisites)
    if missing:
        return f" - missing: {missing[0]}"
    if unknown:
        return say("path_prereqs_check", count=unknown)
    return say("path_prereqs_met") if step.prerequisites else ""


def _plan_section(knowledge: Knowledge, plan: ProgramPlan) -> Section:
    prog = plan.program
    heading = f"{prog.name} (issued by {prog.issuer})"
    lines: list[str] = []
    if plan.note:
        lines.append(plan.note)
    for n, step in enumerate(plan.steps, 1):
        lv = step.level
        lines.append(f"{n}. {lv.name}")
        lines.append(f"- Why: {step.why}")
        for pre in step.prerequisites:
            lines.append(f"- Prerequisite {_MARK[pre.status]} {pre.text} ({pre.detail})")
        for prep in lv.prep_plan:
            lines.append(f"- Prep, {prep.days} days: {prep.text}")
        for mistake in lv.mistakes[:2]:
            lines.append(f"- Avoid: {mistake}")
    if plan.extras:
        lines.append("Also recommended: " + ", ".join(plan.extras))
    if plan.learning_path:
        lines.append(f"Learning path: {plan.learning_path}: {plan.learning_path_summary}")
    if plan.next_steps:
        lines.append("Next: " + "; ".join(plan.next_steps))
    lines.append(f"Source: {knowledge.source_label([prog.source])}")
    return Section("\n".join(lines), heading=heading)


def recommendation_data(knowledge: Knowledge, rec: Recommendation) -> dict[str, Any]:
    """Return the recommendation as JSON-ready data (documented in the README)."""
    q = rec.query
    return {
        "role": {"id": q.role.id, "name": q.role.name} if q.role else None,
        "experience_months": q.months,
        "experience_ignored": q.ignored_experience,
        "program": q.program.id if q.program else None,
        "goal": q.goal,
        "programs": [
            {
                "program": plan.program.id,
                "name": plan.program.name,
                "issuer": plan.program.issuer,
                "source": knowledge.source_label([plan.program.source]),
                "note": plan.note,
                "steps": [
                    {
                        "order": n,
                        "level": s.level.id,
                        "name": s.level.name,
                        "why": s.why,
                        "prerequisites": [
                            {"text": p.text, "status": p.status, "detail": p.detail}
                            for p in s.prerequisites
                        ],
                        "prep_plan": [{"days": p.days, "text": p.text} for p in s.level.prep_plan],
                        "common_mistakes": list(s.level.mistakes),
                    }
                    for n, s in enumerate(plan.steps, 1)
                ],
                "also_recommended": list(plan.extras),
                "learning_path": plan.learning_path,
                "learning_path_summary": plan.learning_path_summary,
                "next": list(plan.next_steps),
            }
            for plan in rec.plans
        ],
    }
