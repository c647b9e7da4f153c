"""Benchmark FAQ matching latency and CLI start-up; prints figures, asserts nothing.

Usage: python bench/match_speed.py
- match p50/p99 on the bundled knowledge (target p99 < 1 ms)
- match p50/p99 with 10,000 synthetic FAQ entries (target p99 < 20 ms)
- `finops-bot ask` from process start to answer (target < 1 s)
- RSS of a fresh process after loading knowledge and the model and 10,000 matches
  (target < 150 MB), and with 10,000 synthetic FAQs
Each figure with the semantic signal, and the bundled figures also without it (words only).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.knowledge import Knowledge  # noqa: E402
from bot.core.matching import FaqIndex, MatchSettings  # noqa: E402
from bot.core.models import Faq  # noqa: E402
from bot.core.store import KnowledgeStore  # noqa: E402
from bot.core.text import words  # noqa: E402

QUERIES = [
    "how long is the focp exam?",
    "hey team, quick one: what does the FOCP exam cost",
    "how often do i need to recertify the architect cert",
    "is there a self paced course for focp and how much",
    "what are the prereqs for the professional level",
    "which providers offer training",
    "whats the passing score",
    "k8s cost allocation covered?",
    "who should take the fcp cohort",
    "asdf qwerty zxcv",
    "can someone review my PR please",
    "what's the cka passing score",
]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return statistics.median(samples), p99


def time_matches(index: FaqIndex, queries: list[str], rounds: int) -> tuple[float, float]:
    """Return (p50, p99) in milliseconds of index.match over *queries* × *rounds*."""
    settings = MatchSettings()
    samples = []
    for _ in range(rounds):
        for q in queries:
            start = time.perf_counter()
            index.match(q, settings)
            samples.append((time.perf_counter() - start) * 1000)
    return _percentiles(samples)


def synthetic(base: Knowledge, n: int, seed: int = 7) -> Knowledge:
    """Return *base* with its FAQs replaced by *n* synthetic ones built from its vocabulary."""
    rng = random.Random(seed)
    vocab = sorted({w for f in base.faqs.values() for w in words(f.question + " " + f.answer)})
    source = next(iter(base.sources))
    faqs = {}
    for i in range(n):
        q = " ".join(rng.choices(vocab, k=rng.randint(4, 9))) + "?"
        alts = tuple(" ".join(rng.choices(vocab, k=rng.randint(3, 8))) for _ in range(4))
        faqs[f"syn-{i}"] = Faq(
            id=f"syn-{i}", question=q, alternates=alts, answer="synthetic", sources=(source,)
        )
    return Knowledge(
        version="synthetic",
        sources=base.sources,
        programs=base.programs,
        roles=base.roles,
        providers=base.providers,
        faqs=faqs,
        language=base.language,
    )


def rss_mb() -> tuple[float, float]:
    """Return (current, peak) resident set size of this process in MB."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def measure_rss(faqs: int) -> None:
    """Load knowledge (and *faqs* synthetic FAQs if > 0), run 10,000 matches, print RSS."""
    knowledge = KnowledgeStore.open(ROOT / "knowledge").current.knowledge
    index = FaqIndex(synthetic(knowledge, faqs)) if faqs else FaqIndex(knowledge)
    settings = MatchSettings()
    for n in range(10_000):
        index.match(QUERIES[n % len(QUERIES)] + f" {n % 97}", settings)
    current, peak = rss_mb()
    label = f"{faqs:,} synthetic FAQs" if faqs else f"bundled ({len(knowledge.faqs)} FAQs)"
    model = "with model" if index.embedder is not None else "words only"
    print(f"RSS after 10,000 matches, {label}, {model}: {current:.0f} MB (peak {peak:.0f} MB)")


def main() -> int:
    """Print the benchmark figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rss", type=int, metavar="FAQS", help="only the RSS figure (0: bundled)")
    args = parser.parse_args()
    if args.rss is not None:
        measure_rss(args.rss)
        return 0
    knowledge = KnowledgeStore.open(ROOT / "knowledge").current.knowledge
    index = FaqIndex(knowledge)
    p50, p99 = time_matches(index, QUERIES, rounds=200)
    print(f"bundled ({len(knowledge.faqs)} FAQs): match p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    words_only = FaqIndex(knowledge, semantic=False)
    p50, p99 = time_matches(words_only, QUERIES, rounds=200)
    print(f"bundled, words only: match p50 {p50:.3f} ms, p99 {p99:.3f} ms")

    big = synthetic(knowledge, 10_000)
    start = time.perf_counter()
    big_index = FaqIndex(big)
    built = time.perf_counter() - start
    p50, p99 = time_matches(big_index, QUERIES, rounds=20)
    print(
        f"synthetic (10,000 FAQs, index built in {built:.1f} s): "
        f"match p50 {p50:.3f} ms, p99 {p99:.3f} ms"
    )

    exe = Path(sys.executable).parent / "finops-bot"
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(
            [str(exe), "ask", "how long is the FOCP exam?"], check=True, capture_output=True
        )
        runs.append(time.perf_counter() - start)
    print(
        f"finops-bot ask, process start to answer: median {statistics.median(runs):.2f} s, "
        f"max {max(runs):.2f} s"
    )
    for faqs, env in ((0, {}), (0, {"FINOPS_SEMANTIC": "off"}), (10_000, {})):
        subprocess.run(
            [sys.executable, __file__, "--rss", str(faqs)], check=True, env={**os.environ, **env}
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
