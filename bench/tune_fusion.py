"""Sweep the word/meaning fusion and the answer bands on the tune sets; prints, asserts nothing.

Usage: python bench/tune_fusion.py [--cv] [--split tune]
Without --split, the older sets (tests/data/eval*.yaml); with --split tune, the whole tune
split of bench/eval_answers.py (those plus eval2/tune.yaml). Never the held-out files.
Scores every question once (word scores and semantic cosines), then replays fusion and
banding for each setting. The goal: most answerable questions answered right while at most
5% of the off-topic messages are answered. --cv also tunes on one half of the set and
reports the other half, to show how much the choice overfits.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval_answers import SPLITS, load  # noqa: E402
from bench.eval_matching import load_eval  # noqa: E402
from bot.core.matching import FaqIndex, Match, MatchSettings  # noqa: E402
from bot.core.store import KnowledgeStore  # noqa: E402

Item = tuple[list[str], dict[int, tuple[float, str]], Any, frozenset[str] | None]


def precompute(index: FaqIndex, data: dict[str, Any]) -> list[Item]:
    """Return (tokens, word scores, semantic cosines, expected ids or None) per question."""
    base = MatchSettings()
    items: list[Item] = []
    questions = [(item["q"], frozenset(item["faq"])) for item in data["answer"]]
    for q, expected in [*questions, *((q, None) for q in data["decline"])]:
        if index.cloud_topic(q) is not None:  # declined before any scoring
            items.append(([], {}, None, expected))
            continue
        toks, best = index.lexical(q, base)
        items.append((toks, best, index.semantic_scores(q), expected))
    return items


def replay(index: FaqIndex, items: list[Item], s: MatchSettings) -> dict[str, float]:
    """Return the rates of *items* under settings *s*."""
    right = wrong = n = d = off_answered = off_declined = 0
    for toks, best, sem, expected in items:
        fused = best
        if sem is not None and s.semantic_weight and toks != ["\x00out-of-scope"]:
            fused = index.fuse(best, sem, s)
        m: Match = index.ranked(fused, s, toks)
        answered = m.band == "answer"
        if expected is None:
            d += 1
            off_answered += answered
            off_declined += m.band == "decline"
        else:
            n += 1
            ok = answered and m.best is not None and m.best.faq.id in expected
            right += ok
            wrong += answered and not ok
    return {
        "right": right / n,
        "wrong": wrong / n,
        "off_not_answered": 1 - off_answered / d,
        "off_declined": off_declined / d,
    }


def grid(base: MatchSettings, semantic: bool) -> list[MatchSettings]:
    """Every setting to try."""
    out = []
    weights = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1.0) if semantic else (0.0,)
    floors = (0.2, 0.3, 0.4, 0.5) if semantic else (0.3,)
    for w, f, t, m in itertools.product(weights, floors, range(40, 76), (1.0, 3.0)):
        out.append(
            dataclasses.replace(
                base,
                semantic_weight=w,
                semantic_floor=f,
                answer_threshold=float(t),
                suggest_threshold=float(t - 11),
                ambiguity_margin=m,
                lead_threshold=101.0,  # off: swept on its own below
            )
        )
    return out


def best_of(
    index: FaqIndex, items: list[Item], settings: list[MatchSettings], floor: float = 0.95
) -> tuple[MatchSettings, dict[str, float]]:
    """Return the setting with the most right answers among those that keep off-topic out."""
    scored = []
    for s in settings:
        r = replay(index, items, s)
        if r["off_not_answered"] >= floor:
            scored.append((r["right"], -r["wrong"], r["off_not_answered"], s, r))
    scored.sort(key=lambda x: x[:3], reverse=True)
    return scored[0][3], scored[0][4]


def show(label: str, s: MatchSettings, r: dict[str, float]) -> None:
    """Print one setting and its rates."""
    print(
        f"{label:34s} w={s.semantic_weight:.1f} floor={s.semantic_floor:.1f} "
        f"answer>={s.answer_threshold:.0f} margin={s.ambiguity_margin:.0f} "
        f"lead={s.lead_threshold:.0f}/{s.lead_margin:.0f} | right {r['right']:.1%} "
        f"wrong {r['wrong']:.1%} | off-topic not answered {r['off_not_answered']:.1%} "
        f"(declined {r['off_declined']:.1%})"
    )


def _split(name: str) -> dict[str, Any]:
    """Return a split's answer items (FAQ ids as lists) and decline texts."""
    data = load(SPLITS[name])
    # Items no FAQ answers (program facts only) say nothing about the matcher.
    answer = [
        {**i, "faq": [i["faq"]] if isinstance(i["faq"], str) else list(i["faq"])}
        for i in data["answer"]
        if i.get("faq")
    ]
    decline = [str(d["q"] if isinstance(d, dict) else d) for d in data["decline"]]
    return {"answer": answer, "decline": decline}


def main() -> int:
    """Print the sweep's best settings per variant."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cv", action="store_true", help="2-fold check of the tuning")
    parser.add_argument("--split", choices=["tune"], help="the whole tune split")
    args = parser.parse_args()
    index = KnowledgeStore.open(ROOT / "knowledge").current.index
    data = load_eval() if args.split is None else _split(args.split)
    items = precompute(index, data)
    base = MatchSettings()
    print(f"tune sets: {len(data['answer'])} answerable, {len(data['decline'])} to decline")
    show("current defaults", base, replay(index, items, base))
    lexical = grid(base, semantic=False)
    show("lexical only, best", *best_of(index, items, lexical))
    full = grid(base, semantic=True)
    only = [dataclasses.replace(s, semantic_weight=1.0) for s in full if s.semantic_weight == 0.0]
    show("semantic only, best", *best_of(index, items, only))
    fused_best, r = best_of(index, items, [s for s in full if 0 < s.semantic_weight < 1])
    show("fused, best", fused_best, r)
    top = int(fused_best.answer_threshold)
    leads = [
        dataclasses.replace(
            fused_best,
            answer_threshold=float(a),
            suggest_threshold=float(a - 11),
            lead_threshold=float(t),
            lead_margin=float(m),
        )
        for a in range(top, top + 16, 2)
        for t in range(top - 12, a + 1, 2)
        for m in (4, 6, 8, 10, 12, 15, 20)
    ]
    show("fused + answer-with-runners-up", *best_of(index, items, leads))
    if args.cv:
        rng = np.random.default_rng(7)
        for fold in (0, 1):
            mask = rng.permutation(len(items)) % 2 == fold
            tune = [it for it, m in zip(items, mask, strict=True) if m]
            test = [it for it, m in zip(items, mask, strict=True) if not m]
            for label, pool in (("lexical", lexical), ("fused", full)):
                s, r_tune = best_of(index, tune, pool)
                show(f"fold {fold} {label} tuned on half", s, r_tune)
                show(f"fold {fold} {label} other half", s, replay(index, test, s))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
