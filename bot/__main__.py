"""Command line and composition root: `finops-bot validate | ask | path | quiz | chat | serve`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import heap
from bot.core.bot import Bot
from bot.core.intents import classify
from bot.core.knowledge import Knowledge, KnowledgeError, MissingKnowledgeDirError
from bot.core.loading import BUNDLED_KNOWLEDGE, load_knowledge
from bot.core.quiz import items as quiz_items
from bot.core.replies import PATH_MORE
from bot.core.reply import Message, Reply
from bot.core.store import KnowledgeStore
from bot.core.study import Plan, build_plan, parse_hours
from bot.core.study_replies import plan_reply
from bot.core.yamlsafe import YamlError, parse_yaml
from bot.learned_cli import add_parser as add_learned_parser
from bot.render.text import ask_choices, render_text

if TYPE_CHECKING:
    from bot.conversation.service import ConversationService
    from bot.storage.service import StoreService

# Commands import what only they need (the chat its conversation service, serve the store,
# Slack and Teams) inside their functions: `finops-bot ask` must answer in well under a
# second, and SQLAlchemy, Bolt and the Agents SDK alone take longer than that to import.


def _cmd_validate(args: argparse.Namespace) -> int:
    """Check a knowledge directory and print every problem as `path:line: message`."""
    directory = Path(args.directory or _knowledge_dir(args))
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


def _knowledge_dir(args: argparse.Namespace) -> str:
    """Return the directory named by --knowledge, else KNOWLEDGE_DIR, else the bundled one."""
    return args.knowledge or os.environ.get("KNOWLEDGE_DIR", "").strip() or str(BUNDLED_KNOWLEDGE)


def _open_bot(args: argparse.Namespace) -> Bot:
    """Load the knowledge named by --knowledge (or KNOWLEDGE_DIR) and wire a Bot on it."""
    directory = _knowledge_dir(args)
    try:
        store = KnowledgeStore.open(directory)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"cannot start: the knowledge in {directory} does not validate", file=sys.stderr)
        raise SystemExit(2) from None
    return Bot(store)


def _whole(reply: Reply) -> Reply:
    """Return *reply* with its "More" part shown: the command line has no button to click."""
    actions = tuple(a for a in reply.actions if a.kind != "more")
    sections = reply.sections + reply.more
    if reply.sections and reply.more:
        # The rest goes on where the first part stopped, often inside a list: one section,
        # or a blank line would split the list in two.
        first, rest = reply.sections[0], reply.more[0]
        joined = dataclasses.replace(first, text=f"{first.text}\n{rest.text}")
        sections = (joined, *reply.sections[1:], *reply.more[1:])
    return dataclasses.replace(reply, sections=sections, more=(), more_sources=0, actions=actions)


def _in_full(bot: Bot, reply: Reply) -> Reply:
    """Return a path's detail (its More) in place of its first message: the command line
    has no button to click."""
    more = next((a for a in reply.actions if a.kind == "more"), None)
    if more is not None and more.value.startswith(PATH_MORE):
        return bot.more(more.value)
    return reply


def ask_json(reply: Reply) -> dict[str, Any]:
    """Return the batch-evaluation JSON object for an FAQ or program-facts *reply*."""
    reply = _whole(reply)
    return {
        "answered": reply.answered,
        "answer": render_text(reply).strip(),
        "faq_id": reply.faq_id if reply.answered else None,
        "matched_question": reply.matched_question if reply.answered else None,
        "score": reply.score,
        "suggestions": [
            {"faq_id": s.faq_id, "question": s.question, "score": s.score}
            for s in reply.suggestions
        ],
        "source": reply.source if reply.answered else None,
        # Set when structured program facts answered (e.g. "focp", "price"); additive keys.
        "program": reply.program,
        "attribute": reply.attribute,
    }


def _cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, or one per stdin line with `-`, after any --context questions."""
    bot = _open_bot(args)
    # The conversation so far, oldest first: a follow-up resolves against its subject, as
    # in a chat thread ("how much is it?" after "tell me about FOCE").
    subject = None
    last: Reply | None = None
    for earlier in args.context:
        # As in a chat: an earlier /finops-path is a path, its list a subject.
        intent = classify(earlier)
        last = bot.reply(intent, subject)
        subject = bot.next_subject(intent.rest, last, subject)
    question = " ".join(args.question)
    # Read as the chat reads a message: "which learning path fits a data engineer?" gets the
    # path there, and must here too.
    if question == "-":
        for line in sys.stdin:
            reply = _in_full(bot, bot.reply(classify(line.rstrip("\n")), subject))
            print(json.dumps(ask_json(reply), ensure_ascii=False), flush=True)
        return 0
    reply = _in_full(bot, _picked(bot, last, question) or bot.reply(classify(question), subject))
    print(json.dumps(ask_json(reply), indent=2) if args.json else render_text(_whole(reply)))
    return 0


def _picked(bot: Bot, last: Reply | None, question: str) -> Reply | None:
    """Return the choice a number picks from the last --context reply's numbered list ("1"
    after "did you mean ...?" or "which certification?"), as the chat does, or None."""
    if last is None or not question.strip().isdigit():
        return None
    n = int(question.strip())
    if 1 <= n <= len(last.suggestions):
        return bot.faq(last.suggestions[n - 1].faq_id)
    choices = ask_choices(last)
    if 1 <= n <= len(choices):
        return bot.choose(choices[n - 1], Message(question))
    return None


def _cmd_path(args: argparse.Namespace) -> int:
    """Print a certification path as text or JSON."""
    bot = _open_bot(args)
    text = " ".join(args.text)
    if args.goal:
        # The goal goes last: the parser reads everything after --goal.
        text += " --goal " + " ".join(args.goal)
    reply = bot.path(text, args.program)
    if args.json:
        payload = reply.data if reply.kind == "path" else {"error": render_text(reply).strip()}
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0 if reply.kind == "path" else 1
    print(render_text(reply))
    return 0 if reply.kind in ("path", "help") else 1


def quiz_json(knowledge: Knowledge, cert: str | None = None) -> list[dict[str, Any]]:
    """Return the question bank (of *cert* only, when given) as `finops-bot quiz --json` prints."""
    return [
        {
            "id": item.question.id,
            "cert": item.cert,
            "domain": item.question.domain,
            "question": item.question.question,
            "choices": list(item.question.choices),
            "answer": item.question.answer,
            "explanation": item.question.explanation,
            "source": item.question.source,
        }
        for item in quiz_items(knowledge, cert)
    ]


def _cmd_quiz(args: argparse.Namespace) -> int:
    """Print the practice question bank, as JSON or text; exit 1 for an unknown --cert."""
    knowledge = _open_bot(args).store.current.knowledge
    if args.cert is not None and args.cert not in knowledge.quiz:
        known = ", ".join(sorted(knowledge.quiz))
        error = f"no practice questions for '{args.cert}'; programs: {known}"
        print(json.dumps({"error": error}) if args.json else error, file=sys.stderr)
        return 1
    bank = quiz_json(knowledge, args.cert)
    if args.json:
        print(json.dumps(bank, indent=2, ensure_ascii=False))
        return 0
    for q in bank:
        print(f"[{q['cert']} / {q['domain']}] {q['id']}: {q['question']}")
        for n, choice in enumerate(q["choices"]):
            print(f"  {'*' if n == q['answer'] else ' '} {n + 1}. {choice}")
        print(f"  {q['explanation']} (source: {q['source']})\n")
    return 0


def _cmd_plan(args: argparse.Namespace) -> int:
    """Print a study plan to the exam date as text or JSON; exit 1 when none can be made."""
    bot = _open_bot(args)
    problem = None
    start = date.today()
    try:
        exam = date.fromisoformat(args.exam_date)
        if args.start:
            start = date.fromisoformat(args.start)
    except ValueError:
        problem = "Give dates as YYYY-MM-DD, e.g. 2027-03-01."
    hours = parse_hours(args.hours)
    if hours is None:
        problem = problem or "Give the hours a week as a number, e.g. 4 or 4h."
    if problem is None and hours is not None:
        snap = bot.store.current
        built = build_plan(snap.knowledge, args.cert, exam, hours, start, paths=snap.paths)
        if isinstance(built, Plan):
            if args.json:
                print(json.dumps(built.to_json(), indent=2, ensure_ascii=False))
            else:
                print(render_text(plan_reply(built, today=start)))
            return 0
        problem = built.message
    if args.json:
        print(json.dumps({"error": problem}, indent=2, ensure_ascii=False))
    else:
        print(problem, file=sys.stderr)
    return 1


def _cmd_chat(args: argparse.Namespace) -> int:
    """Run the terminal chat until EOF or 'quit'."""
    from bot.adapters.terminal import USER, run_chat  # noqa: PLC0415
    from bot.conversation.access import AccessRules  # noqa: PLC0415
    from bot.conversation.admin import KnowledgeAdmin  # noqa: PLC0415
    from bot.conversation.service import ConversationService  # noqa: PLC0415

    bot = _open_bot(args)
    conversation = ConversationService(
        bot,
        # The person at the terminal owns the files, so they may run admin commands too.
        AccessRules(admins=frozenset({USER})),
        verbs=KnowledgeAdmin(bot.store).verbs(),
    )
    service = _chat_store(args, conversation)
    try:
        run_chat(conversation, sys.stdin, sys.stdout.write, service)
    except KeyboardInterrupt:
        print()
    return 0


def _chat_store(args: argparse.Namespace, conversation: ConversationService) -> StoreService | None:
    """With `chat --store`: the store `serve` uses, its admin verbs (teach ...) and recording."""
    if not args.store:
        return None
    from bot.settings import SettingsError, read_store_settings  # noqa: PLC0415
    from bot.storage.service import StoreService  # noqa: PLC0415
    from bot.storage.store import Storage  # noqa: PLC0415

    try:
        settings = read_store_settings()
    except SettingsError as exc:
        print(f"finops-bot chat: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    storage = Storage(
        settings.store_url, salt=settings.hash_salt, retention_days=settings.retention_days
    )
    service = StoreService(storage, conversation.bot.store, settings.match)
    conversation.verbs.update(service.verbs())
    conversation.recorder = service
    conversation.teaching = service.teaching
    return service


TEAMS_EXTRA_MISSING = (
    "Teams is configured but its SDK is not installed: pip install 'finops-bot[teams]'"
)


def _teams_sdk_installed() -> bool:
    """Return False when the optional Teams extra (the Microsoft 365 Agents SDK) is missing."""
    try:
        import bot.adapters.teams.app  # noqa: F401, PLC0415
    except ModuleNotFoundError as exc:
        # A module of our own missing is a bug to show, not an install to suggest.
        if (exc.name or "").startswith("bot."):
            raise
        return False
    return True


def _cmd_serve(args: argparse.Namespace) -> int:
    """Serve Slack (HTTP or Socket Mode) and/or Teams with /healthz, until interrupted."""
    from bot.adapters.slack.channels import ChannelRegistry, ChannelStateError  # noqa: PLC0415
    from bot.settings import SettingsError, read_settings  # noqa: PLC0415

    try:
        settings = read_settings()
    except SettingsError as exc:
        print(f"finops-bot serve: {exc}", file=sys.stderr)
        return 2
    if settings.teams is not None and not _teams_sdk_installed():
        print(f"finops-bot serve: {TEAMS_EXTRA_MISSING}", file=sys.stderr)
        return 2
    heap.limit_arenas()  # before the model, the knowledge and any thread
    try:
        store = KnowledgeStore.open(settings.knowledge_dir)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            f"finops-bot serve: the knowledge in {settings.knowledge_dir} does not validate",
            file=sys.stderr,
        )
        return 2
    try:
        channels = ChannelRegistry.load(settings.channels, settings.state_file)
    except ChannelStateError as exc:
        print(f"finops-bot serve: FINOPS_STATE_FILE {exc}", file=sys.stderr)
        return 2
    # Imported here so the other commands never pay for loading aiohttp and Bolt (~0.4 s).
    from bot.server import build_conversation, build_store, run_server  # noqa: PLC0415

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    service = build_store(settings, store)
    conversation = build_conversation(settings, store, channels, service)
    return run_server(settings, conversation, channels, host=args.host, service=service)


def _cmd_teams_package(args: argparse.Namespace) -> int:
    """Build the Teams app zip to side-load: manifest.json and the two icons."""
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    from bot.adapters.teams.package import PackageError, build_package  # noqa: PLC0415

    app_id = args.app_id or os.environ.get("MICROSOFT_APP_ID", "").strip()
    if not app_id:
        print(
            "finops-bot teams-package: give --app-id (or set MICROSOFT_APP_ID): "
            "the Azure Bot's Microsoft App ID",
            file=sys.stderr,
        )
        return 2
    if not args.website:
        print(
            "finops-bot teams-package: give --website: an https:// page about the bot, which "
            "Teams links as its developer, privacy and terms pages",
            file=sys.stderr,
        )
        return 2
    try:
        app_version = version("finops-bot")
    except PackageNotFoundError:
        app_version = "0.0.0"
    try:
        out = build_package(
            Path(args.out), app_id=app_id, version=app_version, website=args.website
        )
    except (PackageError, OSError) as exc:
        print(f"finops-bot teams-package: {exc}", file=sys.stderr)
        return 2
    print(f"{out}: upload it in Teams (Apps -> Manage your apps -> Upload an app)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with one sub-command per task."""
    parser = argparse.ArgumentParser(
        prog="finops-bot",
        description="FinOps certification guidance for Slack, Teams and the terminal.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    knowledge = argparse.ArgumentParser(add_help=False)
    knowledge.add_argument(
        "--knowledge", metavar="DIR", help="knowledge directory (default: KNOWLEDGE_DIR or bundled)"
    )
    validate = sub.add_parser(
        "validate", parents=[knowledge], help="check a knowledge directory for problems"
    )
    validate.add_argument(
        "directory", nargs="?", metavar="DIR", help="the directory (same as --knowledge DIR)"
    )
    validate.set_defaults(func=_cmd_validate)

    ask = sub.add_parser("ask", parents=[knowledge], help="answer a question from the FAQs")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="TEXT",
        help="an earlier question of the conversation (repeatable, oldest first)",
    )
    ask.add_argument("question", nargs="+", help="the question, or - to read one per stdin line")
    ask.set_defaults(func=_cmd_ask)

    programs = ", ".join(_program_names())
    path = sub.add_parser(
        "path",
        parents=[knowledge],
        help="recommend a certification path",
        description=f"Recommend a certification path. Programs: {programs}.",
    )
    path.add_argument("--json", action="store_true", help="print the recommendation as JSON")
    path.add_argument("--program", metavar="NAME", help=f"only this program: {programs}")
    path.add_argument(
        "--goal", nargs="+", metavar="TEXT", help="what you aim for, in words (put it last)"
    )
    path.add_argument("text", nargs="*", help="role and experience, e.g. 'sre 3 years'")
    path.set_defaults(func=_cmd_path)

    quiz = sub.add_parser("quiz", parents=[knowledge], help="print the practice question bank")
    quiz.add_argument("--json", action="store_true", help="print the bank as a JSON list")
    quiz.add_argument("--cert", metavar="CERT", help=f"only this program: {programs}")
    quiz.set_defaults(func=_cmd_quiz)
    plan = sub.add_parser(
        "plan",
        parents=[knowledge],
        help="a week-by-week study plan to an exam date",
        description=f"Plan the weeks from today (or --start) to the exam. Programs: {programs}; "
        "a level id (e.g. architect-professional) picks one level.",
    )
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.add_argument("--start", metavar="DATE", help="first day of the plan (default: today)")
    plan.add_argument("cert", metavar="CERT", help="certification: program or level, e.g. focp")
    plan.add_argument("exam_date", metavar="EXAM_DATE", help="exam date, YYYY-MM-DD")
    plan.add_argument("hours", metavar="HOURS_PER_WEEK", help="hours a week, e.g. 4 or 4h")
    plan.set_defaults(func=_cmd_plan)

    chat = sub.add_parser("chat", parents=[knowledge], help="chat with the bot in this terminal")
    chat.add_argument(
        "--store",
        action="store_true",
        help="use the store `serve` uses: teach, suggestions, feedback, stats from here",
    )
    chat.set_defaults(func=_cmd_chat)

    serve = sub.add_parser(
        "serve",
        help="run the Slack and/or Teams bot (settings from the environment; see .env.example)",
        description=(
            "Run the Slack and/or Teams bot and GET /healthz. Settings come from the environment."
        ),
    )
    serve.add_argument(
        "--host",
        # Platforms such as Heroku route to the container's public interface.
        default="0.0.0.0",  # noqa: S104
        help="address to listen on (default: 0.0.0.0)",
    )
    serve.set_defaults(func=_cmd_serve)

    package = sub.add_parser(
        "teams-package",
        help="build the Teams app package (zip) to side-load",
        description="Build the Teams app zip: teams/manifest.json filled in, plus its icons.",
    )
    package.add_argument(
        "--app-id",
        metavar="ID",
        help="the Azure Bot's Microsoft App ID (default: MICROSOFT_APP_ID)",
    )
    package.add_argument(
        "--out", metavar="PATH", default="finops-bot-teams.zip", help="zip to write"
    )
    package.add_argument(
        "--website",
        metavar="URL",
        help="required: https page for the manifest's developer, privacy and terms links",
    )
    package.set_defaults(func=_cmd_teams_package)
    add_learned_parser(sub)
    return parser


def _program_names() -> list[str]:
    """List program ids for --help: read from the program files alone, never validated.

    Every command builds the parser, so this must stay cheap: loading and validating the
    whole knowledge here cost a quarter of a second on every `finops-bot ask`.
    """
    names: set[str] = set()
    for path in sorted(BUNDLED_KNOWLEDGE.glob("programs-*.yaml")):
        try:
            parsed = parse_yaml(path.read_text(encoding="utf-8")).data
        except (OSError, UnicodeDecodeError, YamlError):
            continue
        programs = parsed.get("programs") if isinstance(parsed, dict) else None
        for program in programs if isinstance(programs, list) else []:
            if isinstance(program, dict) and isinstance(program.get("id"), str):
                names.add(program["id"])
    return sorted(names) or ["(see finops-bot validate)"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except BrokenPipeError:
        # The reader went away (`finops-bot quiz --json | head`): stop quietly, like other
        # command-line tools, instead of a traceback (and another one at interpreter exit).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code


if __name__ == "__main__":
    raise SystemExit(main())
