"""Count what one reply costs the conversation service, in CPU instructions; prints figures.

Usage: python bench/respond_cost.py [--replies N] [--question TEXT] [--root DIR]

Runs `ConversationService.respond` on the Slack bench's mention question (a new thread, as a
channel mention is) in a child process under valgrind's callgrind, once with 50 warm-up replies
and once with 50 + N; the difference divided by N is the instructions per reply. Unlike a
timing, the count does not move with this shared machine's speed (timings of the same
commit swung by 40% within an hour), so it compares two commits: `--root` points at
another checkout (e.g. a `git worktree` of the older commit) run with this virtualenv.
Without valgrind it says so and prints the process CPU time per reply instead.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 50
QUESTION = "How long is the FOCP exam and what is the format?"  # as bench/slack_load.py


def replies(root: Path, count: int, question: str) -> float:
    """Answer *question* *count* times through a service on *root*'s code and knowledge;
    return the process CPU seconds the replies took (called in the child process)."""
    sys.path.insert(0, str(root))
    from bot.conversation.access import AccessRules  # noqa: PLC0415
    from bot.conversation.service import ConversationService  # noqa: PLC0415
    from bot.core.bot import Bot  # noqa: PLC0415
    from bot.core.reply import Message  # noqa: PLC0415
    from bot.core.store import KnowledgeStore  # noqa: PLC0415

    service = ConversationService(Bot(KnowledgeStore.open(root / "knowledge")), AccessRules())
    message = Message(question, user_id="U1", platform="slack", place="C1:1", via="mention",
                      new_thread=True)  # fmt: skip

    async def run() -> None:
        for _ in range(count):
            await service.respond(message)

    started = time.process_time()
    asyncio.run(run())
    return time.process_time() - started


def _instructions(root: Path, count: int, question: str) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, __file__, "--child", str(count), "--root", str(root),
        "--question", question,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if found is None:
        raise RuntimeError("callgrind printed no instruction count")
    return int(found.group(1))


def main() -> int:
    """Print the instructions (or, without valgrind, the CPU time) per reply."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=300)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.root.resolve()
    if args.child is not None:
        # Both runs first answer the same number of replies: the first ones build lazy
        # tables (program facts, FAQ scopes) and fill caches a running server has warm.
        replies(root, WARM_UP + args.child, args.question)
        return 0
    if shutil.which("valgrind") is None:
        replies(root, WARM_UP, args.question)
        seconds = min(replies(root, args.replies, args.question) for _ in range(5))
        print(f"valgrind not found; CPU per reply: {seconds / args.replies * 1e6:.0f} µs")
        return 0
    base = _instructions(root, 0, args.question)
    total = _instructions(root, args.replies, args.question)
    per_reply = (total - base) / args.replies
    print(f"{root}: {per_reply / 1e6:.2f} M instructions per reply ({args.replies} replies)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
