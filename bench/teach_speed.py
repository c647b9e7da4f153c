"""Benchmark matching after teaching 1,000 phrasings; prints figures, asserts nothing.

Usage: python bench/teach_speed.py [--rounds N]
- match p50/p99 on the bundled knowledge as shipped
- the same after 1,000 learned phrasings are merged in (target p99 within 2 ms)
- how long merging them and rebuilding the snapshot takes (what every instance does
  when the learned generation moves)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.match_speed import QUERIES, time_matches  # noqa: E402
from bot.core.learned import Learned, TaughtPhrase  # noqa: E402
from bot.core.store import KnowledgeStore  # noqa: E402
from bot.core.text import words  # noqa: E402


def learned_phrasings(store: KnowledgeStore, n: int, seed: int = 11) -> Learned:
    """Return *n* distinct phrasings built from the knowledge's words, each for a random FAQ."""
    rng = random.Random(seed)
    knowledge = store.current.knowledge
    vocab = sorted({w for f in knowledge.faqs.values() for w in words(f.question + " " + f.answer)})
    ids = sorted(knowledge.faqs)
    seen: set[str] = set()
    phrases: list[TaughtPhrase] = []
    while len(phrases) < n:
        text = " ".join(rng.choices(vocab, k=rng.randint(4, 9)))
        if text not in seen:
            seen.add(text)
            phrases.append(TaughtPhrase(rng.choice(ids), text))
    return Learned(tuple(phrases))


def _line(label: str, phrasings: int, p50: float, p99: float) -> str:
    return f"{label:26} {phrasings:5d} phrasings, match p50 {p50:.3f} ms, p99 {p99:.3f} ms"


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    store = KnowledgeStore.open(ROOT / "knowledge")
    before = store.current.index
    time_matches(before, QUERIES, 20)  # warm up
    p50, base99 = time_matches(before, QUERIES, args.rounds)
    print(_line("bundled knowledge", len(before.phrasings), p50, base99))
    learned = learned_phrasings(store, 1000)
    start = time.perf_counter()
    store.set_learned(learned)
    rebuild = time.perf_counter() - start
    after = store.current.index
    time_matches(after, QUERIES, 20)
    p50, p99 = time_matches(after, QUERIES, args.rounds)
    print(_line("+1,000 learned phrasings", len(after.phrasings), p50, p99))
    print(f"p99 added by teaching: {p99 - base99:+.3f} ms (target: p99 stays within 2 ms)")
    print(f"merge + rebuild of the snapshot: {rebuild * 1000:.0f} ms")


if __name__ == "__main__":
    main()
