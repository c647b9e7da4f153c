"""How many recorded questions a `kill -9` loses on the SQLite store; prints figures only.

Usage: python bench/store_loss.py [--records N] [--rate R] [--runs K]

Each run starts a subprocess that opens the store on a fresh SQLite file, records N
questions R per second (0: as fast as the event loop lets it, one record per loop turn,
like a burst of answers), prints when it recorded the last one and waits. This script
SIGKILLs it as soon as it reads that line (no shutdown flush), then counts the questions
that reached the file. Printed per run: records kept, records lost, and how long before
the kill the oldest lost record was made (the loss window the store promises to bound).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


async def _child(path: str, records: int, rate: float) -> None:
    sys.path.insert(0, str(ROOT))
    from bot.storage.store import Storage  # noqa: PLC0415 - the child's own import
    from bot.storage.urls import sqlite_url  # noqa: PLC0415

    storage = Storage(sqlite_url(Path(path)))
    await storage.start()
    times: list[float] = []
    start = time.time()
    for n in range(records):
        if rate > 0:
            # Paced against the start, so a slow loop turn does not slow the whole run.
            await asyncio.sleep(max(0.0, start + n / rate - time.time()))
        else:
            await asyncio.sleep(0)
        times.append(time.time())
        storage.record_question(
            platform="slack",
            user_id=f"U{n % 50}",
            text=f"question {n}",
            outcome="answered",
            faq_id="focp-exam-format",
            score=90.0,
            knowledge_version="bench",
            via="mention",
        )
    print(json.dumps(times), flush=True)
    await asyncio.Event().wait()  # killed here


def _run_once(records: int, rate: float) -> tuple[int, float]:
    """Return (records lost, seconds between the oldest lost record and the kill)."""
    with tempfile.TemporaryDirectory(prefix="finops-loss-") as tmp:
        path = str(Path(tmp) / "finops.db")
        child = subprocess.Popen(
            [sys.executable, __file__, "--child", path, str(records), str(rate)],
            stdout=subprocess.PIPE,
            cwd=ROOT,
        )
        assert child.stdout is not None
        line = child.stdout.readline()
        killed_at = time.time()
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        times = json.loads(line)
        with sqlite3.connect(path) as conn:
            kept = {t for (t,) in conn.execute("SELECT text FROM finops_questions")}
        lost = [n for n in range(records) if f"question {n}" not in kept]
        window = killed_at - times[lost[0]] if lost else 0.0
        return len(lost), window


def main() -> None:
    """Run the measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--rate", type=float, default=250.0, help="records a second; 0: burst")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        path, records, rate = args.child
        asyncio.run(_child(path, int(records), float(rate)))
        return
    pace = f"{args.rate:g}/s" if args.rate > 0 else "burst"
    results = [_run_once(args.records, args.rate) for _ in range(args.runs)]
    for n, (lost, window) in enumerate(results, 1):
        print(
            f"run {n}: {args.records} recorded ({pace}), SIGKILL: kept {args.records - lost}, "
            f"lost {lost}, oldest lost made {window * 1000:.0f} ms before the kill"
        )
    lost_counts = [lost for lost, _ in results]
    windows = [window for _, window in results]
    print(
        f"lost: median {statistics.median(lost_counts):g}, max {max(lost_counts)} of "
        f"{args.records}; loss window: max {max(windows) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
