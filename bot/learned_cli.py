"""`finops-bot learned export|clear`: what was taught in chat, written back as knowledge YAML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.knowledge import KnowledgeError
from bot.core.learned import Learned, export_files, fitting
from bot.core.loading import knowledge_files, load_knowledge

if TYPE_CHECKING:
    from bot.settings import StoreSettings
    from bot.storage.store import Storage

DEFAULT_OUT = "learned-export"


def cmd_learned(args: argparse.Namespace) -> int:
    """Run `learned export` or `learned clear` against the store `serve` uses."""
    # Imported here: every other command builds this parser, and SQLAlchemy, asyncio and the
    # settings' pydantic-settings are slow to load (`finops-bot ask` pays for what it imports).
    import asyncio  # noqa: PLC0415

    from bot.settings import SettingsError, read_store_settings  # noqa: PLC0415
    from bot.storage.store import StoreUnavailableError  # noqa: PLC0415

    try:
        settings = read_store_settings()
    except SettingsError as exc:
        print(f"finops-bot learned: {exc}", file=sys.stderr)
        return 2
    try:
        if args.action == "export":
            return asyncio.run(_export(settings, Path(args.out)))
        return asyncio.run(_clear(settings))
    except StoreUnavailableError as exc:
        print(f"finops-bot learned: the store is unavailable ({exc})", file=sys.stderr)
        return 1


async def _open(settings: StoreSettings) -> Storage:
    from bot.storage.store import Storage, StoreUnavailableError  # noqa: PLC0415

    storage = Storage(
        settings.store_url, salt=settings.hash_salt, retention_days=settings.retention_days
    )
    if not await storage.start():
        await storage.close()
        raise StoreUnavailableError(storage.last_error or "cannot connect")
    return storage


async def _export(settings: StoreSettings, out: Path) -> int:
    import asyncio  # noqa: PLC0415 - loaded already by the time this runs

    directory = settings.knowledge_dir
    try:
        knowledge = load_knowledge(directory)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"finops-bot learned: {directory} does not validate", file=sys.stderr)
        return 2
    storage = await _open(settings)
    try:
        # Only what still fits the files (the validator's rules) is written.
        kept = fitting(knowledge, await storage.learning.approved())
        changed = await asyncio.to_thread(_write, directory, out, kept)
        marked = await storage.learning.mark_exported()
    finally:
        await storage.close()
    print(
        f"Wrote {len(changed)} file(s) to {out}: {len(kept.phrases)} phrasing(s), "
        f"{len(kept.faqs)} new FAQ(s) ({marked} newly exported). Copy them over {directory}, "
        "review the diff, run `finops-bot validate`, commit; then `finops-bot learned clear`."
    )
    for name in changed:
        print(f"  {out / name}")
    return 0


def _write(directory: Path, out: Path, learned: Learned) -> list[str]:
    """Write the knowledge files *learned* changes into *out*; return their names."""
    files = {p.name: p.read_text(encoding="utf-8") for p in knowledge_files(directory)}
    changed = export_files(files, learned)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(changed.items()):
        (out / name).write_text(text, encoding="utf-8")
    return sorted(changed)


async def _clear(settings: StoreSettings) -> int:
    storage = await _open(settings)
    try:
        gone = await storage.learning.clear_exported()
    finally:
        await storage.close()
    print(f"Cleared {gone} exported item(s) from the store; the YAML now carries them.")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `learned export|clear` to the command line."""
    learned = sub.add_parser(
        "learned",
        help="write what was taught in chat as knowledge YAML (export), or drop it (clear)",
        description="Uses the store `serve` uses (DATABASE_URL or FINOPS_DB_PATH, .env).",
    )
    learned.add_argument("action", choices=("export", "clear"))
    learned.add_argument(
        "--out",
        metavar="DIR",
        default=DEFAULT_OUT,
        help=f"where export writes (default: {DEFAULT_OUT})",
    )
    learned.set_defaults(func=cmd_learned)
