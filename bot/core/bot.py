"""The one entry point adapters call: a message in, a neutral reply out."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.core import facts, replies
from bot.core.intents import PATH_CUE, classify
from bot.core.matching import MatchSettings
from bot.core.paths import Recommendation
from bot.core.reply import Action, Message, Reply, Section
from bot.core.store import KnowledgeStore, ReloadReport
from bot.core.text import fold

logger = logging.getLogger(__name__)

AdminCommand = Callable[[Message, str], Reply]
# Called after a successful admin reload (e.g. to tell other instances); returns a line for
# the admin, or None.
ReloadHook = Callable[[ReloadReport], str | None]
# Extra lines for `admin status` (e.g. the store's health).
StatusHook = Callable[[], Sequence[str]]


@dataclass(frozen=True)
class BotSettings:
    """Behaviour settings the composition root reads from the environment."""

    match: MatchSettings = field(default_factory=MatchSettings)
    # Access rules as data: user ids (any platform) allowed to run admin commands.
    admins: frozenset[str] = frozenset()


class Bot:
    """Routes every message to FAQ matching, the path recommender, small talk or admin."""

    def __init__(
        self,
        store: KnowledgeStore,
        settings: BotSettings | None = None,
        admin_commands: Mapping[str, AdminCommand] | None = None,
        *,
        on_reload: ReloadHook | None = None,
        status_lines: StatusHook | None = None,
    ) -> None:
        """Serve answers from *store*; *admin_commands* adds platform-specific admin verbs.

        *on_reload* runs after each successful admin reload and *status_lines* adds lines
        to `admin status`; both are plain callables, so the core stays free of I/O.
        """
        self.store = store
        self.settings = settings or BotSettings()
        self._on_reload = on_reload
        self._status_lines = status_lines
        self._admin_commands: dict[str, AdminCommand] = {
            "reload": self._admin_reload,
            "status": self._admin_status,
            "help": self._admin_help,
            **(admin_commands or {}),
        }

    def handle(self, message: Message) -> Reply:
        """Return the reply to *message*; never raises on any text."""
        intent = classify(message.text)
        if intent.kind == "empty":
            return replies.help_reply()
        if intent.kind == "help":
            return replies.help_reply()
        if intent.kind in ("greeting", "thanks"):
            return replies.small_talk_reply(intent.kind)
        if intent.kind == "path":
            return self.path(intent.rest)
        if intent.kind == "admin":
            return self.admin(message, intent.rest)
        snap = self.store.current
        if PATH_CUE.search(fold(message.text)):
            query = snap.paths.parse(message.text)
            if query.role is not None:
                return replies.path_reply(snap.knowledge, snap.paths.recommend(query))
        return self.ask(message.text)

    def ask(self, text: str, subject_program: str | None = None) -> Reply:
        """Answer an attribute question from program facts, else match *text* against the FAQs.

        *subject_program* is the program the conversation was about, for follow-ups that name
        none ("and how much does it cost?").
        """
        snap = self.store.current
        fact_reply = facts.answer(snap.knowledge, text, subject_program)
        if fact_reply is not None:
            return fact_reply
        match = snap.index.match(text, self.settings.match)
        return replies.match_reply(snap.knowledge, match, self.settings.match.max_suggestions)

    def faq(self, faq_id: str) -> Reply:
        """Answer the FAQ *faq_id* directly (a button click); decline if it no longer exists."""
        snap = self.store.current
        faq = snap.knowledge.faqs.get(faq_id)
        return replies.faq_reply(snap.knowledge, faq) if faq else replies.decline_reply()

    def more(self, faq_id: str) -> Reply:
        """Return the rest of FAQ *faq_id*'s answer (a "More" click); decline if it is gone."""
        snap = self.store.current
        faq = snap.knowledge.faqs.get(faq_id)
        return replies.more_reply(snap.knowledge, faq) if faq else replies.decline_reply()

    def choose(self, action: Action, message: Message) -> Reply:
        """Answer a clicked choice: a re-asked question as if typed, 'More' with the rest."""
        if action.kind == "more":
            return self.more(action.value)
        return self.handle(dataclasses.replace(message, text=action.value))

    def recommend(self, text: str, program: str | None = None) -> Recommendation:
        """Parse *text* and build the path recommendation (role may be missing)."""
        snap = self.store.current
        return snap.paths.recommend(snap.paths.parse(text, program))

    def path(self, text: str, program: str | None = None) -> Reply:
        """Reply to a /finops-path request: usage, a clarification, or the path."""
        if fold(text).strip() in ("help", "--help", "-h", "?"):
            return replies.path_help_reply()
        snap = self.store.current
        query = snap.paths.parse(text, program)
        if query.unknown_program:
            return replies.clarify_reply(snap.knowledge, query.unknown_program)
        if query.role is None:
            return replies.clarify_reply(snap.knowledge)
        return replies.path_reply(snap.knowledge, snap.paths.recommend(query))

    def is_admin(self, user_id: str) -> bool:
        """Return True when *user_id* is on the admin allow-list."""
        return user_id in self.settings.admins

    def admin(self, message: Message, text: str) -> Reply:
        """Run an admin command for an allow-listed user; refuse politely otherwise."""
        verb, _, args = text.strip().partition(" ")
        verb = verb.lower() or "help"
        if not self.is_admin(message.user_id):
            logger.warning("admin %r refused for user %s", verb, message.user_id)
            return _admin("Sorry, admin commands are only for the bot's admins.")
        command = self._admin_commands.get(verb)
        logger.info("admin %r by user %s on %s", verb, message.user_id, message.platform)
        if command is None:
            return _admin(f"Unknown admin command '{verb[:40]}'. " + self._admin_usage())
        return command(message, args)

    def _admin_usage(self) -> str:
        return "Admin commands: " + " | ".join(sorted(self._admin_commands)) + "."

    def _admin_help(self, message: Message, args: str) -> Reply:
        return _admin(self._admin_usage())

    def _admin_reload(self, message: Message, args: str) -> Reply:
        report = self.store.reload()
        logger.info("reload by %s: %s", message.user_id, report.lines()[0])
        title = "Knowledge reloaded" if report.ok else "Reload failed; old knowledge still serving"
        lines = report.lines()
        if report.ok and self._on_reload is not None:
            note = self._on_reload(report)
            if note:
                lines.append(note)
        return Reply(kind="admin", title=title, sections=(Section("\n".join(lines)),))

    def _admin_status(self, message: Message, args: str) -> Reply:
        snap = self.store.current
        counts = ", ".join(f"{n} {k}" for k, n in snap.knowledge.counts().items())
        text = f"Knowledge version {snap.version} from {self.store.directory}: {counts}."
        if self._status_lines is None:
            return _admin(text, title="Status")
        extra = Section("\n".join(self._status_lines()), heading="Store")
        return Reply(kind="admin", title="Status", sections=(Section(text), extra))


def _admin(text: str, title: str = "Admin") -> Reply:
    return Reply(kind="admin", title=title, sections=(Section(text),))
