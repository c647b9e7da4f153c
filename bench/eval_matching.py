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
    return data


def evaluate(index: FaqIndex, settings: MatchSettings, data: dict[str, Any]) -> dict[str, Any]:
    """Score every evaluation item; return rates and the misses."""
    right = wrong = suggested = 0
    misses = []
    for item in data["answer"]:
        m = index.match(item["q"], settings)
        best = m.best.faq.id if m.best else None
        if m.band == "answer" and best in item["faq"]:
            right += 1
        elif m.band == "answer":
            wrong += 1
            misses.append(("WRONG", item["q"], item["faq"], best, m.best.score if m.best else 0))
        else:
            suggested += m.band == "suggest"
            score = m.best.score if m.best else 0
            misses.append((m.band.upper(), item["q"], item["faq"], best, score))
    declined = suggested_decl = 0
    for q in data["decline"]:
        m = index.match(q, settings)
        if m.band == "decline":
            declined += 1
        else:
            suggested_decl += m.band == "suggest"
            best = m.best.faq.id if m.best else None
            misses.append(("NOT-DECLINED", q, [], best, m.best.score if m.best else 0))
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
    args = parser.parse_args()
    index = KnowledgeStore.open(ROOT / "knowledge").current.index
    data = load_eval()
    base = MatchSettings()
    print(f"eval set: {len(data['answer'])} answerable, {len(data['decline'])} to decline")
    for name in args.scorers.split(","):
        settings = dataclasses.replace(base, scorer=name)
        r = evaluate(index, settings, data)
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
                    r2 = evaluate(index, g, data)
                    print(
                        f"   answer>={t} suggest>={s}: top-1 {r2['accuracy']:.1%} "
                        f"wrong {r2['wrong']:.1%} declines {r2['decline_rate']:.1%}"
                    )
    if args.misses:
        for miss in evaluate(index, base, data)["misses"]:
            print(*miss, sep=" | ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
