"""Evaluate FAQ matching on tests/data/eval*.yaml: accuracy and decline rate per scorer.

Usage: python bench/eval_matching.py [--scorers blend,token_set,...] [--grid] [--misses]
Prints one line per scorer with top-1 accuracy (answered with an expected FAQ), the share
answered wrongly, the share only suggested, and the correct-decline rate.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.slack.markup import plain_text  # noqa: E402
from bot.core import facts  # noqa: E402
from bot.core.bot import Bot  # noqa: E402
from bot.core.knowledge import Knowledge  # noqa: E402
from bot.core.matching import SCORERS, FaqIndex, MatchSettings  # noqa: E402
from bot.core.store import KnowledgeStore  # noqa: E402


def load_eval(directory: Path = ROOT / "tests" / "data") -> dict[str, Any]:
    """Return every eval*.yaml merged: answer items with expected ids, and decline texts."""
    data: dict[str, list[Any]] = {"answer": [], "decline": []}
    for path in sorted(directory.glob("eval*.yaml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["answer"].extend(part.get("answer") or [])
        data["decline"].extend(part.get("decline") or [])
    for item in data["answer"]:
        faq = item["faq"]
        item["faq"] = [faq] if isinstance(faq, str) else list(faq)
        # Questions are written as typed in Slack: the adapter removes its markup first.
        item["q"] = plain_text(item["q"])
    data["decline"] = [plain_text(q) for q in data["decline"]]
    return data


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How the bot handled one question: its band, what it answered with, and the score."""

    band: str
    answer: str | None
    score: float
    programs: tuple[str, ...] = ()
    attribute: str | None = None


def _index_outcome(index: FaqIndex, settings: MatchSettings, q: str) -> Outcome:
    m = index.match(q, settings)
    return Outcome(m.band, m.best.faq.id if m.best else None, m.best.score if m.best else 0)


def _bot_outcome(bot: Bot, q: str) -> Outcome:
    # Bot.ask is Bot.handle's question path (program facts, then FAQs) without the path and
    # small-talk routing, which this FAQ evaluation never measured.
    reply = bot.ask(q)
    band = {"answer": "answer", "suggest": "suggest", "clarify": "suggest"}.get(reply.kind)
    answer = reply.faq_id or (f"{reply.program}:{reply.attribute}" if reply.attribute else None)
    programs = tuple((reply.data or {}).get("programs", ()))
    return Outcome(band or "decline", answer, reply.score, programs, reply.attribute)


def _fits(knowledge: Knowledge, outcome: Outcome, expected: list[str]) -> bool:
    """A program-facts answer is right when an expected FAQ asks that attribute of its program.

    The FAQ "asks" an attribute when one of its phrasings has that attribute's cue; an FAQ
    about no one program (a comparison) fits any program.
    """
    if outcome.attribute is None:
        return outcome.answer in expected
    for faq_id in expected:
        faq = knowledge.faqs.get(faq_id)
        if faq is None:
            continue
        asked = set().union(
            *(facts.attributes_of(knowledge, p) for p in (faq.question, *faq.alternates))
        )
        if outcome.attribute in asked and (faq.program is None or faq.program in outcome.programs):
            return True
    return False


def evaluate(
    index: FaqIndex, settings: MatchSettings, data: dict[str, Any], *, via_bot: bool = True
) -> dict[str, Any]:
    """Score every evaluation item; return rates and the misses.

    With *via_bot*, questions go through `Bot.handle` as people's do, so attribute questions
    are answered from program facts; such an answer counts as right when an expected FAQ asks
    the same attribute of the same program (the FAQ id itself is no longer the answer).
    """
    store = KnowledgeStore.open(ROOT / "knowledge")
    knowledge = store.current.knowledge
    bot = Bot(store, settings)

    def outcome(q: str) -> Outcome:
        return _bot_outcome(bot, q) if via_bot else _index_outcome(index, settings, q)

    right = wrong = suggested = 0
    misses = []
    for item in data["answer"]:
        o = outcome(item["q"])
        if o.band == "answer" and _fits(knowledge, o, item["faq"]):
            right += 1
        elif o.band == "answer":
            wrong += 1
            misses.append(("WRONG", item["q"], item["faq"], o.answer, o.score))
        else:
            suggested += o.band == "suggest"
            misses.append((o.band.upper(), item["q"], item["faq"], o.answer, o.score))
    declined = suggested_decl = 0
    for q in data["decline"]:
        o = outcome(q)
        if o.band == "decline":
            declined += 1
        else:
            suggested_decl += o.band == "suggest"
            misses.append(("NOT-DECLINED", q, [], o.answer, o.score))
    n, d = len(data["answer"]), len(data["decline"])
    return {
        "accuracy": right / n,
        "wrong": wrong / n,
        "suggested": suggested / n,
        "decline_rate": declined / d,
        "decl_suggested": suggested_decl / d,
        "n": n,
        "d": d,
        "misses": misses,
    }


def main() -> int:
    """Print the evaluation figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scorers", default=",".join(SCORERS))
    parser.add_argument("--grid", action="store_true", help="also sweep the answer threshold")
    parser.add_argument("--misses", action="store_true", help="list what the default got wrong")
    parser.add_argument(
        "--index-only", action="store_true", help="match FAQs only, without program facts"
    )
    args = parser.parse_args()
    index = KnowledgeStore.open(ROOT / "knowledge").current.index
    data = load_eval()
    base = MatchSettings()
    print(f"eval set: {len(data['answer'])} answerable, {len(data['decline'])} to decline")
    for name in args.scorers.split(","):
        settings = dataclasses.replace(base, scorer=name)
        r = evaluate(index, settings, data, via_bot=not args.index_only)
        print(
            f"{name:11s} top-1 {r['accuracy']:.1%}  wrong {r['wrong']:.1%}  "
            f"suggest-only {r['suggested']:.1%}  | off-topic not answered "
            f"{r['decline_rate'] + r['decl_suggested']:.1%} (declined {r['decline_rate']:.1%}, "
            f"suggested {r['decl_suggested']:.1%})"
        )
        if args.grid:
            for t in range(50, 90, 4):
                for s in range(35, t, 6):
                    g = dataclasses.replace(settings, answer_threshold=t, suggest_threshold=s)
                    r2 = evaluate(index, g, data, via_bot=False)
                    print(
                        f"   answer>={t} suggest>={s}: top-1 {r2['accuracy']:.1%} "
                        f"wrong {r2['wrong']:.1%} declines {r2['decline_rate']:.1%}"
                    )
    if args.misses:
        for miss in evaluate(index, base, data, via_bot=not args.index_only)["misses"]:
            print(*miss, sep=" | ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
