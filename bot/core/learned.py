"""Knowledge taught from chat: learned phrasings and drafted FAQs, merged in as data.

Admins teach the bot in chat ("this question means that FAQ", or a new FAQ with its answer
and source). The store keeps what was taught; this module, pure like the rest of the core,
checks a teach against the knowledge, merges what was taught into a `Knowledge` (so the
matcher sees learned phrasings exactly like YAML alternates), and writes it back as YAML
text for `finops-bot learned export`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.knowledge import Knowledge
from bot.core.loading import normalise_phrase
from bot.core.models import Faq
from bot.core.reply import Action

if TYPE_CHECKING:
    from bot.core.insights import QuestionGroup

MAX_PHRASE = 300
MAX_ANSWER = 3000
LEARNED_FILE = "faqs-learned.yaml"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ENTRY = re.compile(r"^  - id:\s*(\S+)\s*$")


@dataclass(frozen=True)
class TaughtPhrase:
    """A question an admin linked to an existing FAQ."""

    faq_id: str
    text: str


@dataclass(frozen=True)
class TaughtFaq:
    """A new FAQ an admin drafted (or approved) in chat."""

    faq_id: str
    question: str
    answer: str
    source: str


@dataclass(frozen=True)
class Learned:
    """Everything taught and approved, in the order it was taught."""

    phrases: tuple[TaughtPhrase, ...] = ()
    faqs: tuple[TaughtFaq, ...] = ()

    def __bool__(self) -> bool:
        """Return True when anything was taught."""
        return bool(self.phrases or self.faqs)


def clean(text: str) -> str:
    """Return *text* on one line with spaces folded (what a phrasing or answer keeps)."""
    return " ".join(text.split())


def owner_of(knowledge: Knowledge, text: str) -> str | None:
    """Return the id of the FAQ that already has phrasing *text*, or None."""
    key = normalise_phrase(text)
    for faq in knowledge.faqs.values():
        if any(normalise_phrase(p) == key for p in (faq.question, *faq.alternates)):
            return faq.id
    return None


def phrase_problem(knowledge: Knowledge, faq_id: str, text: str) -> str | None:
    """Return why *text* cannot be taught as a phrasing of *faq_id*, or None when it can."""
    if faq_id not in knowledge.faqs:
        return f"There is no FAQ '{faq_id[:80]}'."
    if not normalise_phrase(text):
        return "The question is empty."
    if len(text) > MAX_PHRASE:
        return f"The question is longer than {MAX_PHRASE} characters."
    owner = owner_of(knowledge, text)
    if owner == faq_id:
        return f"FAQ '{faq_id}' already has that phrasing."
    if owner is not None:
        return f"That phrasing belongs to FAQ '{owner}'; forget it there first."
    return None


def faq_problem(knowledge: Knowledge, draft: TaughtFaq) -> str | None:
    """Return why *draft* cannot become a new FAQ, or None when it can."""
    if not _ID.match(draft.faq_id) or len(draft.faq_id) > 80:
        return "The FAQ id must be lower-case letters, digits and dashes."
    if draft.faq_id in knowledge.faqs:
        return f"FAQ '{draft.faq_id}' exists already: teach it a phrasing instead."
    if not draft.answer.strip():
        return "The answer is empty."
    if len(draft.answer) > MAX_ANSWER:
        return f"The answer is longer than {MAX_ANSWER} characters."
    if draft.source not in knowledge.sources:
        return f"There is no source '{draft.source[:80]}' (ids are in sources.yaml)."
    if not normalise_phrase(draft.question) or len(draft.question) > MAX_PHRASE:
        return f"The question must be 1 to {MAX_PHRASE} characters."
    owner = owner_of(knowledge, draft.question)
    if owner is not None:
        return f"That question belongs to FAQ '{owner}'; teach it there instead."
    return None


def new_faq_id(knowledge: Knowledge, question: str) -> str:
    """Return an unused id for a new FAQ about *question* (learned-<first words>)."""
    stem = "-".join(normalise_phrase(question).split()[:6])
    stem = re.sub(r"[^a-z0-9-]", "", stem).strip("-")[:60] or "faq"
    candidate, n = f"learned-{stem}", 2
    while candidate in knowledge.faqs:
        candidate, n = f"learned-{stem}-{n}", n + 1
    return candidate


def merge_learned(knowledge: Knowledge, learned: Learned) -> Knowledge:
    """Return *knowledge* with *learned* merged in: new FAQs added, phrasings as alternates.

    What no longer fits (an FAQ removed from the YAML, a phrasing the YAML gave another FAQ
    since) is skipped, so the result always keeps the validator's rules.
    """
    if not learned:
        return knowledge
    faqs: dict[str, Faq] = dict(knowledge.faqs)
    owners = {normalise_phrase(p): f.id for f in faqs.values() for p in (f.question, *f.alternates)}
    for draft in learned.faqs:
        key = normalise_phrase(draft.question)
        if draft.faq_id in faqs or key in owners or draft.source not in knowledge.sources:
            continue
        faqs[draft.faq_id] = Faq(
            id=draft.faq_id, question=draft.question, answer=draft.answer, sources=(draft.source,)
        )
        owners[key] = draft.faq_id
    added: dict[str, list[str]] = {}
    for phrase in learned.phrases:
        key = normalise_phrase(phrase.text)
        if phrase.faq_id not in faqs or not key or key in owners:
            continue
        owners[key] = phrase.faq_id
        added.setdefault(phrase.faq_id, []).append(phrase.text)
    for faq_id, texts in added.items():
        faq = faqs[faq_id]
        faqs[faq_id] = faq.model_copy(update={"alternates": (*faq.alternates, *texts)})
    return dataclasses.replace(knowledge, faqs=faqs)


def fitting(knowledge: Knowledge, learned: Learned) -> Learned:
    """Return the parts of *learned* that merge_learned keeps (what an export writes)."""
    merged = merge_learned(knowledge, learned)
    phrases = tuple(
        p
        for p in learned.phrases
        if p.faq_id in merged.faqs
        and p.text in merged.faqs[p.faq_id].alternates
        and (p.faq_id not in knowledge.faqs or p.text not in knowledge.faqs[p.faq_id].alternates)
    )
    faqs = tuple(
        d for d in learned.faqs if d.faq_id not in knowledge.faqs and d.faq_id in merged.faqs
    )
    return Learned(phrases, faqs)


def _scalar(text: str) -> str:
    # JSON strings are valid YAML double-quoted scalars: no text can break out of the line.
    return json.dumps(clean(text), ensure_ascii=False)


def _add_alternates(text: str, faq_id: str, phrases: list[str]) -> str | None:
    """Return *text* (an FAQ file) with *phrases* appended to *faq_id*'s alternates."""
    lines = text.split("\n")
    start = next(
        (i for i, ln in enumerate(lines) if (m := _ENTRY.match(ln)) and m[1] == faq_id), None
    )
    if start is None:
        return None
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if not lines[i].startswith("    ") and lines[i].strip()
        ),
        len(lines),
    )
    new = [f"      - {_scalar(p)}" for p in phrases]
    alt = next((i for i in range(start, end) if lines[i].rstrip() == "    alternates:"), None)
    if alt is not None:
        last = alt
        while last + 1 < end and lines[last + 1].startswith("      - "):
            last += 1
        lines[last + 1 : last + 1] = new
    else:
        q = next((i for i in range(start, end) if lines[i].startswith("    question:")), None)
        if q is None or lines[q].rstrip().endswith((">", ">-", "|", "|-")):
            return None
        lines[q + 1 : q + 1] = ["    alternates:", *new]
    return "\n".join(lines)


def _faq_entry(draft: TaughtFaq) -> str:
    return "\n".join(
        [
            f"  - id: {draft.faq_id}",
            f"    question: {_scalar(draft.question)}",
            f"    answer: {_scalar(draft.answer)}",
            f"    sources: [{draft.source}]",
            "",
        ]
    )


LEARNED_HEADER = (
    "# yaml-language-server: $schema=./knowledge.schema.json\n"
    "# FAQs taught in chat (finops-bot learned export): review each answer and its source,\n"
    "# then move it to the file it belongs in if you like.\n"
    "faqs:\n"
)


def export_files(files: Mapping[str, str], learned: Learned) -> dict[str, str]:
    """Return the knowledge files that change when *learned* is written into *files*.

    *files* maps each knowledge file's name to its text. Learned phrasings are appended to
    their FAQ's alternates in the file that defines it; new FAQs go to faqs-learned.yaml
    (extended when it exists). Phrasings of FAQs no file defines are left out.
    """
    out: dict[str, str] = {}
    by_faq: dict[str, list[str]] = {}
    for phrase in learned.phrases:
        by_faq.setdefault(phrase.faq_id, []).append(phrase.text)
    drafted = {d.faq_id: d for d in learned.faqs}
    for faq_id, phrases in by_faq.items():
        if faq_id in drafted:
            continue  # written with the new FAQ below
        for name in sorted(files):
            current = out.get(name, files[name])
            changed = _add_alternates(current, faq_id, phrases)
            if changed is not None:
                out[name] = changed
                break
    if drafted:
        text = files.get(LEARNED_FILE) or LEARNED_HEADER
        if not text.endswith("\n"):
            text += "\n"
        for draft in drafted.values():
            entry = _faq_entry(draft)
            extra = by_faq.get(draft.faq_id)
            if extra:
                alts = "".join(f"      - {_scalar(p)}\n" for p in extra)
                entry = entry.replace("    answer:", "    alternates:\n" + alts + "    answer:", 1)
            text += entry
        out[LEARNED_FILE] = text
    return out


def taught_questions(learned: Learned) -> Iterable[tuple[str, str]]:
    """Yield (question, faq id) for everything taught: what an export must answer."""
    yield from ((p.text, p.faq_id) for p in learned.phrases)
    yield from ((d.question, d.faq_id) for d in learned.faqs)


def teach_value(faq_id: str | None, question: str) -> str:
    """Return what a Teach button carries: the nearest FAQ id and the question."""
    return f"{faq_id or ''}\n{clean(question)[:MAX_PHRASE]}"


def read_teach_value(value: str) -> tuple[str, str]:
    """Return (nearest FAQ id, question) from a Teach button's value."""
    faq_id, _, question = value.partition("\n")
    return faq_id.strip()[:80], clean(question)[:MAX_PHRASE]


def teach_actions(groups: Sequence[QuestionGroup], limit: int = 5) -> tuple[Action, ...]:
    """Return a Teach button for each of the first *limit* unanswered question groups."""
    return tuple(
        Action(
            "teach",
            f"Teach: {clean(g.text)[:60]}",
            teach_value(g.nearest.faq_id if g.nearest else None, g.text),
        )
        for g in groups[:limit]
    )
