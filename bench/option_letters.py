"""Measure how often, and how rightly, the bot names the option of a pasted practice question.

Usage: python bench/option_letters.py

Each question of the knowledge's practice bank (knowledge/quiz-*.yaml) is asked with its
choices pasted after it ("... A) ... B) ..."), as people paste exam questions. The bot names
an option only when its answer clearly says that one (bot/core/bot.py `_option_fitting`);
this prints how many it named and how many of those were the bank's right answer. The bank's
questions are written from the FAQs, so the share named here is an upper bound for pasted
questions from elsewhere; the share right is what the rule is for.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.bot import Bot  # noqa: E402
from bot.core.store import KnowledgeStore  # noqa: E402

LETTERS = "ABCDE"
NAMED = re.compile(r"Of the options, ([A-E])\)")


def main() -> int:
    """Print how many practice questions got an option named, and how many rightly."""
    store = KnowledgeStore.open(ROOT / "knowledge")
    bot = Bot(store)
    asked = named = right = 0
    for bank in store.current.knowledge.quiz.values():
        for question in bank.questions:
            asked += 1
            options = " ".join(f"{LETTERS[i]}) {c}" for i, c in enumerate(question.choices))
            reply = bot.ask(f"{question.question} {options}")
            lead = reply.sections[0].text if reply.sections else ""
            if (found := NAMED.match(lead)) is not None:
                named += 1
                right += LETTERS.index(found.group(1)) == question.answer
    print(f"practice questions asked with their options: {asked}")
    print(f"an option named: {named} ({named / max(asked, 1):.0%}); right: {right} of {named}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
