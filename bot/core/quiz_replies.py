"""Neutral replies of the practice quiz: a question, a graded answer, progress and usage."""

from __future__ import annotations

from bot.core.knowledge import Knowledge
from bot.core.quiz import Grade, Item, Progress
from bot.core.reply import Action, Fact, Reply, Section

QUIZ_USAGE = (
    "Practice questions, one at a time:\n"
    "- /finops-quiz: a question for the program you practise (FOCP to start)\n"
    "- /finops-quiz CERT: a question on one program, e.g. /finops-quiz architect\n"
    "- /finops-quiz progress [CERT]: accuracy per domain, questions seen, your streak and a "
    "readiness estimate\n"
    "Questions you miss come back sooner; ones you know come back later."
)
ANSWER_HINT = "Pick the number of your answer."
NOT_SAVED = (
    "I couldn't save this answer just now (the progress store is unavailable), so it won't "
    "count in your progress."
)


def _program_name(knowledge: Knowledge, cert: str) -> str:
    program = knowledge.programs.get(cert)
    return program.name if program is not None else cert


def _domain_name(knowledge: Knowledge, item: Item) -> str:
    bank = knowledge.quiz[item.cert]
    return next((d.name for d in bank.domains if d.id == item.question.domain), "")


def question_reply(knowledge: Knowledge, item: Item, note: str | None = None) -> Reply:
    """Ask *item*: the question, its numbered choices and one button per choice."""
    q = item.question
    lines = "\n".join(f"{n}. {choice}" for n, choice in enumerate(q.choices, 1))
    sections = [Section(q.question), Section(lines), Section(ANSWER_HINT)]
    if note:
        sections.insert(0, Section(note))
    actions = tuple(
        Action("quiz_answer", str(n), f"{q.id}:{n - 1}") for n in range(1, len(q.choices) + 1)
    )
    title = f"{_program_name(knowledge, item.cert)}: {_domain_name(knowledge, item)}"
    return Reply(
        kind="quiz",
        title=title,
        sections=tuple(sections),
        actions=actions,
        program=item.cert,
        data={"question_id": q.id, "cert": item.cert},
    )


def graded_reply(knowledge: Knowledge, grade: Grade, *, saved: bool = True) -> Reply:
    """Say right or wrong, why, and where the fact comes from; offer the next question."""
    q = grade.item.question
    picked = q.choices[grade.choice] if 0 <= grade.choice < len(q.choices) else "?"
    if grade.correct:
        title = "Right!"
        lead = f"{q.answer + 1}. {grade.right_choice} is right."
    else:
        title = "Not quite."
        lead = (
            f"You chose {grade.choice + 1}. {picked}. "
            f"The answer is {q.answer + 1}. {grade.right_choice}."
        )
    sections = [Section(lead), Section(q.explanation, heading="Why")]
    if q.faq is not None and q.faq in knowledge.faqs:
        sections.append(Section(f'Ask me "{knowledge.faqs[q.faq].question}" to read more.'))
    if not saved:
        sections.append(Section(NOT_SAVED))
    links = knowledge.source_links([q.source])
    return Reply(
        kind="quiz",
        title=title,
        sections=tuple(sections),
        actions=_next_actions(grade.item.cert),
        source=knowledge.source_label([q.source]),
        links=links,
        program=grade.item.cert,
        data={"question_id": q.id, "cert": grade.item.cert, "correct": grade.correct},
    )


def _next_actions(cert: str) -> tuple[Action, ...]:
    return (
        Action("quiz_next", "Next question", cert),
        Action("quiz_progress", "My progress", cert),
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def progress_reply(knowledge: Knowledge, progress: Progress) -> Reply:
    """Per-domain accuracy, questions seen, the streak and the readiness estimate with its basis."""
    name = _program_name(knowledge, progress.cert)
    days = "day" if progress.streak == 1 else "days"
    overall = progress.correct / progress.answered if progress.answered else None
    facts = (
        Fact("Questions seen", f"{progress.seen} of {progress.total}"),
        Fact("Answers", f"{progress.answered} ({progress.correct} right, {_percent(overall)})"),
        Fact("Study streak", f"{progress.streak} {days}"),
        Fact("Due for review", str(progress.due)),
    )
    rows = []
    for d in progress.domains:
        weight = f" ({d.weight}% of the exam)" if d.weight is not None else ""
        if d.answered:
            result = f"{d.correct} of {d.answered} right ({_percent(d.accuracy)})"
        else:
            result = "not practised yet"
        rows.append(f"- {d.name}{weight}: {result}; {d.seen} of {d.total} questions seen")
    readiness = progress.readiness
    if readiness.score is None:
        estimate = readiness.basis
    else:
        estimate = f"About {_percent(readiness.score)}"
        if readiness.pass_mark is not None:
            gap = "at or above" if readiness.score * 100 >= readiness.pass_mark else "below"
            estimate += f", {gap} the {readiness.pass_mark}% pass mark"
        estimate += "."
        if readiness.early:
            estimate += " Early estimate: answer more questions for a steadier figure."
        estimate += f"\n{readiness.basis}"
    return Reply(
        kind="quiz",
        title=f"Your practice: {name}",
        facts=facts,
        sections=(
            Section("\n".join(rows), heading="By domain"),
            Section(estimate, heading="Readiness estimate"),
        ),
        actions=(Action("quiz_next", "Next question", progress.cert),),
        program=progress.cert,
    )


def usage_reply(lead: str | None = None) -> Reply:
    """The quiz usage, after *lead* (e.g. why the request was not understood)."""
    sections = (Section(lead),) if lead else ()
    return Reply(kind="help", title="Practice questions", sections=(*sections, Section(QUIZ_USAGE)))
