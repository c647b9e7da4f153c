"""Evaluate the whole brain (conversation service + core) on the eval2 sets, per split.

Usage: python bench/eval_answers.py [--split tune|holdout|real|all] [--misses] [--file PATH]

Unlike bench/eval_matching.py (the FAQ matcher alone), every question goes through
`ConversationService.respond` as a chat message would, so program-aware facts, the "did you
mean" band and thread memory all count. Follow-ups are asked in one conversation after their
context. Report the holdout and real figures: nobody tunes code or knowledge on those.

An answerable question counts as right when the bot answers outright (not a "did you mean")
with one of the expected FAQs, or with the expected program's expected attribute (labels in
every eval file, eval.yaml and eval_catalog.yaml included; a reply giving several
attributes of one program counts for each of them), or, for a "which certification
for my role?" question, with the path recommendation for that role. A
follow-up counts as resolved when the answer is about the expected program (one about no
program, when it is answered with an expected FAQ). An off-topic
message counts as handled when it is not answered outright.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.slack.markup import plain_text  # noqa: E402
from bot.conversation.access import AccessRules  # noqa: E402
from bot.conversation.service import ConversationService  # noqa: E402
from bot.core.bot import Bot  # noqa: E402
from bot.core.reply import Message, Reply  # noqa: E402
from bot.core.store import KnowledgeStore  # noqa: E402

DATA = ROOT / "tests" / "data"
# The team tunes on these; holdout.yaml and real.yaml are never tuned on.
SPLITS = {
    "tune": [DATA / "eval.yaml", DATA / "eval_catalog.yaml", DATA / "eval2" / "tune.yaml"],
    "holdout": [DATA / "eval2" / "holdout.yaml"],
    "real": [DATA / "eval2" / "real.yaml"],
}


@dataclass
class Result:
    """The figures of one split."""

    answerable: int = 0
    right: int = 0
    wrong: int = 0
    suggested: int = 0
    off_topic: int = 0
    off_topic_answered: int = 0
    followups: int = 0
    followups_resolved: int = 0
    # Of those, the follow-ups about a program ("how much is it?" after the FOCE), which the
    # issue's figure is about; the rest point back at a concept ("example?" after FOCUS).
    program_followups: int = 0
    program_followups_resolved: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    topic_misses: Counter[str] = field(default_factory=Counter)
    topic_total: Counter[str] = field(default_factory=Counter)

    def lines(self, name: str) -> list[str]:
        """Return the figures as printable lines."""
        n, d, f = max(self.answerable, 1), max(self.off_topic, 1), max(self.followups, 1)
        p = max(self.program_followups, 1)
        c = max(self.followups - self.program_followups, 1)
        return [
            f"{name}: {self.answerable} answerable, {self.off_topic} off-topic, "
            f"{self.followups} follow-ups",
            f"  answered right {self.right / n:.1%}  wrong {self.wrong / n:.1%}  "
            f"did-you-mean/declined {(n - self.right - self.wrong) / n:.1%} "
            f"(did-you-mean {self.suggested / n:.1%})",
            f"  off-topic not answered {1 - self.off_topic_answered / d:.1%}",
            f"  follow-ups resolved {self.followups_resolved / f:.1%}: about a program, to "
            f"the right program {self.program_followups_resolved / p:.1%} "
            f"({self.program_followups}); about a concept, with a right answer "
            f"{(self.followups_resolved - self.program_followups_resolved) / c:.1%} "
            f"({self.followups - self.program_followups})",
        ]


def load(paths: list[Path]) -> dict[str, list[Any]]:
    """Return the answer, decline and followup items of *paths* merged."""
    data: dict[str, list[Any]] = {"answer": [], "decline": [], "followup": []}
    for path in paths:
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, items in data.items():
            items.extend(part.get(key) or [])
    return data


def _ids(item: dict[str, Any]) -> list[str]:
    faq = item.get("faq") or []
    return [faq] if isinstance(faq, str) else list(faq)


def _topic(item: dict[str, Any]) -> str:
    """Return the item's topic; the older sets have none, so their first FAQ id's family."""
    if item.get("topic"):
        return str(item["topic"])
    ids = _ids(item)
    return f"{ids[0].split('-')[0]}*" if ids else "?"


def _text(item: Any) -> str:
    return str(item["q"] if isinstance(item, dict) else item)


def _labels(item: dict[str, Any], key: str) -> list[str]:
    value = item.get(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


# The path recommendation is the answer to "which certification for my role?": it counts
# for the role's FAQ. Most role FAQs are named role-<role id>; these two are not.
ROLE_FAQS = {"finance-procurement": "role-finance", "technology-leader": "role-executive"}


def answered_programs(bot: Bot, text: str, reply: Reply) -> list[str]:
    """Return the programs a facts answer is about (all of them when it covers several)."""
    programs = (reply.data or {}).get("programs")
    if reply.attribute is not None and isinstance(programs, list) and programs:
        return [str(p) for p in programs]
    about = bot.subject_of(text, reply)
    return [about.program] if about is not None and about.program is not None else []


def is_right(bot: Bot, item: dict[str, Any], reply: Reply) -> bool:
    """Return True when *reply* answers *item* outright with what it expects.

    `program` and `attribute` may each be one id or a list of acceptable ids (a question
    naming "the Certified FinOps Professional" fits either FinOpsSchool guide).
    """
    if reply.kind == "path":
        role = ((reply.data or {}).get("role") or {}).get("id")
        return role is not None and ROLE_FAQS.get(role, f"role-{role}") in _ids(item)
    if not reply.answered:
        return False
    if reply.faq_id is not None and reply.faq_id in _ids(item):
        return True
    attributes, programs = _labels(item, "attribute"), _labels(item, "program")
    # A reply answering several attributes of one program ("FOCP exam length + price")
    # answers each of them.
    answered = [reply.attribute] if reply.attribute else (reply.data or {}).get("attributes", [])
    if not set(answered) & set(attributes):
        return False
    about = answered_programs(bot, item["q"], reply)
    return not programs or (bool(about) and set(about) <= set(programs))


async def evaluate(service: ConversationService, data: dict[str, list[Any]]) -> Result:
    """Ask every item in a fresh conversation; return the split's figures."""
    bot = service.bot
    result = Result()
    counter = iter(range(10**9))

    def message(text: str, place: str) -> Message:
        # Written as typed in Slack: the Slack adapter removes its markup before the service.
        return Message(plain_text(text), user_id="eval", platform="eval", place=place, private=True)

    async def ask(text: str, place: str) -> Reply:
        reply = await service.respond(message(text, place))
        assert reply is not None  # a DM is always answered
        return reply

    for item in data["answer"]:
        reply = await ask(item["q"], f"a{next(counter)}")
        topic = _topic(item)
        result.answerable += 1
        result.topic_total[topic] += 1
        if is_right(bot, item, reply):
            result.right += 1
            continue
        result.topic_misses[topic] += 1
        if reply.answered:
            result.wrong += 1
            result.misses.append(("WRONG", item["q"], f"{reply.faq_id} (want {_ids(item)})"))
        else:
            result.suggested += reply.kind == "suggest"
            result.misses.append((reply.kind.upper(), item["q"], f"want {_ids(item)}"))
    for item in data["decline"]:
        reply = await ask(_text(item), f"d{next(counter)}")
        result.off_topic += 1
        if reply.answered:
            result.off_topic_answered += 1
            result.misses.append(("NOT-DECLINED", _text(item), str(reply.faq_id)))
    for item in data["followup"]:
        place = f"f{next(counter)}"
        for earlier in item.get("context") or []:
            await ask(str(earlier), place)
        reply = await ask(item["q"], place)
        result.followups += 1
        about = bot.subject_of(item["q"], reply) if reply.answered else None
        if item.get("program") is None:
            # About no one program ("which is the entry-level one?"): the answer must fit.
            resolved = is_right(bot, item, reply)
        else:
            resolved = about is not None and about.program == item["program"]
            result.program_followups += 1
            result.program_followups_resolved += resolved
        if resolved:
            result.followups_resolved += 1
        else:
            got = about.program if about else reply.kind
            result.misses.append(
                (
                    "FOLLOWUP",
                    f"{item.get('context')} -> {item['q']}",
                    f"{got} (want {item.get('program')})",
                )
            )
    return result


def main() -> int:
    """Print the figures of each split asked for."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="all", choices=[*SPLITS, "all"])
    parser.add_argument("--misses", action="store_true", help="list what went wrong")
    parser.add_argument(
        "--file", type=Path, help="measure one new batch (same schema) instead of a split"
    )
    args = parser.parse_args()
    store = KnowledgeStore.open(ROOT / "knowledge")
    if args.file is not None:
        # A freshly written batch, measured once before anything is tuned on it.
        SPLITS[args.file.stem] = [args.file]
        args.split = args.file.stem
        if args.misses:
            parser.error("--misses reads a batch's answers: add it to tune.yaml first")
    names = list(SPLITS) if args.split == "all" else [args.split]
    if args.misses and names != ["tune"]:
        # Reading the held-out questions is how a team starts tuning on them.
        parser.error("--misses is for --split tune only; holdout and real stay unread")
    for name in names:
        # A fresh service per split: conversations are numbered from 0 in each, and one
        # split's thread memory must not leak into the next's.
        service = ConversationService(Bot(store), AccessRules())
        result = asyncio.run(evaluate(service, load(SPLITS[name])))
        print("\n".join(result.lines(name)))
        if args.misses:
            by_topic: dict[str, int] = defaultdict(int, result.topic_misses)
            worst = sorted(by_topic, key=lambda t: -by_topic[t])[:15]
            print("  misses by topic: " + ", ".join(
                f"{t} {by_topic[t]}/{result.topic_total[t]}" for t in worst
            ))  # fmt: skip
            for miss in result.misses:
                print("   ", *miss, sep=" | ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
