"""Neutral replies of the practice quiz: a question, a graded answer, progress and usage."""

from __future__ import annotations

from bot.core.knowledge import Knowledge
from bot.core.quiz import Grade, Item, Progress, Readiness
from bot.core.reply import Action, Fact, Reply, Section
from bot.core.wording import say


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
    sections = [Section(q.question), Section(lines), Section(say("quiz_answer_hint"))]
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
        title = say("quiz_right_title")
        lead = say("quiz_right", number=q.answer + 1, choice=grade.right_choice)
    else:
        title = say("quiz_wrong_title")
        lead = say(
            "quiz_wrong",
            chosen=grade.choice + 1,
            picked=picked,
            number=q.answer + 1,
            choice=grade.right_choice,
        )
    sections = [Section(lead), Section(q.explanation, heading=say("quiz_why_heading"))]
    if q.faq is not None and q.faq in knowledge.faqs:
        sections.append(Section(say("quiz_read_more", question=knowledge.faqs[q.faq].question)))
    if not saved:
        sections.append(Section(say("quiz_not_saved")))
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
        Action("quiz_next", say("quiz_next_button"), cert),
        Action("quiz_progress", say("quiz_progress_button"), cert),
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def progress_reply(knowledge: Knowledge, progress: Progress) -> Reply:
    """Per-domain accuracy, questions seen, the streak and the readiness estimate with its basis."""
    name = _program_name(knowledge, progress.cert)
    if progress.streak == 1:
        streak = say("quiz_streak_one")
    else:
        streak = say("quiz_streak", days=progress.streak)
    overall = progress.correct / progress.answered if progress.answered else None
    answers = say(
        "quiz_answers",
        answered=progress.answered,
        correct=progress.correct,
        percent=_percent(overall),
    )
    facts = (
        Fact(say("quiz_fact_seen"), say("quiz_seen", seen=progress.seen, total=progress.total)),
        Fact(say("quiz_fact_answers"), answers),
        Fact(say("quiz_fact_streak"), streak),
        Fact(say("quiz_fact_due"), str(progress.due)),
    )
    rows = []
    for d in progress.domains:
        weight = say("quiz_domain_weight", weight=d.weight) if d.weight is not None else ""
        if d.answered:
            result = say(
                "quiz_domain_result",
                correct=d.correct,
                answered=d.answered,
                percent=_percent(d.accuracy),
            )
        else:
            result = say("quiz_domain_new")
        rows.append(
            say(
                "quiz_domain",
                name=d.name,
                weight=weight,
                result=result,
                seen=d.seen,
                total=d.total,
            )
        )
    return Reply(
        kind="quiz",
        title=say("quiz_progress_title", program=name),
        facts=facts,
        sections=(
            Section("\n".join(rows), heading=say("quiz_domains_heading")),
            Section(_estimate(progress.readiness), heading=say("quiz_readiness_heading")),
        ),
        actions=(Action("quiz_next", say("quiz_next_button"), progress.cert),),
        program=progress.cert,
    )


def _estimate(readiness: Readiness) -> str:
    if readiness.score is None:
        return readiness.basis
    score = _percent(readiness.score)
    if readiness.pass_mark is None:
        estimate = say("quiz_readiness", score=score)
    elif readiness.score * 100 >= readiness.pass_mark:
        estimate = say("quiz_readiness_above", score=score, pass_mark=readiness.pass_mark)
    else:
        estimate = say("quiz_readiness_below", score=score, pass_mark=readiness.pass_mark)
    if readiness.early:
        estimate += say("quiz_readiness_early")
    return f"{estimate}\n{readiness.basis}"


def usage_reply(lead: str | None = None) -> Reply:
    """The quiz usage, after *lead* (e.g. why the request was not understood)."""
    sections = (Section(lead),) if lead else ()
    return Reply(
        kind="help",
        title=say("quiz_title"),
        sections=(*sections, Section(say("quiz_usage"))),
    )
