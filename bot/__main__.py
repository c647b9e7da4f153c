"""Command line and composition root: `finops-bot validate | ask | path | chat | serve`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.core.knowledge import KnowledgeError, MissingKnowledgeDirError
from bot.core.loading import load_knowledge

BUNDLED_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


def _cmd_validate(args: argparse.Namespace) -> int:
    """Check a knowledge directory and print every problem as `path:line: message`."""
    directory = Path(args.directory)
    try:
        knowledge = load_knowledge(directory)
    except MissingKnowledgeDirError:
        print(f"{directory}: knowledge directory not found", file=sys.stderr)
        return 2
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) found in {directory}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{n} {kind}" for kind, n in knowledge.counts().items())
    print(f"{directory}: OK (version {knowledge.version}): {counts}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with one sub-command per task."""
    parser = argparse.ArgumentParser(
        prog="finops-bot",
        description="FinOps certification guidance for Slack, Teams and the terminal.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = sub.add_parser("validate", help="check a knowledge directory for problems")
    validate.add_argument("directory", nargs="?", default=str(BUNDLED_KNOWLEDGE), metavar="DIR")
    validate.set_defaults(func=_cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
