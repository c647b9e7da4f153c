"""Teaching from chat without a platform: the merge, the store, the export back into YAML."""

from __future__ import annotations

import asyncio
import io
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.conversation.service import ConversationService
from bot.core.bot import Bot
from bot.core.learned import Learned, TaughtFaq, TaughtPhrase, export_files, merge_learned
from bot.core.loading import knowledge_files, load_knowledge
from bot.core.reply import Message
from bot.core.store import KnowledgeStore
from bot.render.text import render_text
from bot.server import build_conversation, build_store
from bot.settings import load_settings
from bot.storage.service import StoreService
from tests.conftest import BUNDLED

ADMIN = "U0ADMIN"
PERSON = "U0PERSON"
DECLINED = "who is bringing donuts on friday"
FAQ_ID = "focp-exam-format"
NEW_QUESTION = "where do we keep the finops study group notes"
NEW_ANSWER = "In the shared study folder your team lead set up; ask them for the link."


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "FINOPS_ADMINS": ADMIN,
        "FINOPS_DB_PATH": str(tmp_path / "finops.db"),
        "FINOPS_STATE_FILE": str(tmp_path / "state.json"),
        "KNOWLEDGE_DIR": str(BUNDLED),
    }


@pytest.fixture(name="served")
async def _served(
    tmp_path: Path, bundled_store: KnowledgeStore
) -> AsyncIterator[tuple[ConversationService, StoreService]]:
    """A conversation service with its store, on its own copy of the bundled knowledge."""
    from bot.adapters.slack.channels import ChannelRegistry  # noqa: PLC0415

    settings = load_settings(_env(tmp_path))
    store = KnowledgeStore(BUNDLED, bundled_store.current)
    service = build_store(settings, store)
    conversation = build_conversation(
        settings, store, ChannelRegistry.load(frozenset(), settings.state_file), service
    )
    await service.start()
    yield conversation, service
    await service.close()


async def _say(conversation: ConversationService, text: str, user: str = ADMIN) -> str:
    reply = await conversation.respond(Message(text, user_id=user, platform="slack", private=True))
    assert reply is not None
    return render_text(reply)


def test_nothing_new_taught_rebuilds_nothing(bundled_store: KnowledgeStore) -> None:
    """The first poll after start finds nothing taught: the snapshot in service stays (a
    rebuild would compete with the start for the CPU); something new does rebuild, once."""
    store = KnowledgeStore(BUNDLED, bundled_store.current)
    served = store.current
    store.set_learned(Learned())
    assert store.current is served
    learned = Learned((TaughtPhrase(FAQ_ID, DECLINED),))
    store.set_learned(learned)
    rebuilt = store.current
    assert rebuilt is not served
    store.set_learned(Learned((TaughtPhrase(FAQ_ID, DECLINED),)))
    assert store.current is rebuilt
    assert Bot(store).ask(DECLINED).faq_id == FAQ_ID


def test_learned_phrasings_reach_the_matcher_as_data(bundled_store: KnowledgeStore) -> None:
    """A taught phrasing answers like a YAML alternate; a drafted FAQ answers with its source."""
    base = bundled_store.current.knowledge
    assert not Bot(KnowledgeStore(BUNDLED, bundled_store.current)).ask(DECLINED).answered
    source = next(iter(base.sources))
    learned = Learned(
        (TaughtPhrase(FAQ_ID, DECLINED),),
        (TaughtFaq("learned-notes", NEW_QUESTION, NEW_ANSWER, source),),
    )
    store = KnowledgeStore(BUNDLED, bundled_store.current)
    store.set_learned(learned)
    bot = Bot(store)
    assert bot.ask(DECLINED).faq_id == FAQ_ID
    reply = bot.ask(NEW_QUESTION)
    assert reply.faq_id == "learned-notes"
    assert NEW_ANSWER in render_text(reply)
    # A reload keeps what was taught; the files' own knowledge is untouched.
    assert store.reload().ok
    assert Bot(store).ask(DECLINED).faq_id == FAQ_ID
    assert DECLINED not in base.faqs[FAQ_ID].alternates
    # A phrasing another FAQ already has is skipped, so the validator's rule still holds.
    taken = base.faqs[FAQ_ID].question
    other = next(f for f in base.faqs if f != FAQ_ID)
    merged = merge_learned(base, Learned((TaughtPhrase(other, taken),)))
    assert merged.faqs[other].alternates == base.faqs[other].alternates


def test_every_bundled_faq_file_takes_an_exported_phrasing(tmp_path: Path) -> None:
    """Each bundled FAQ can get a learned alternate written into its file, and it validates."""
    knowledge = load_knowledge(BUNDLED)
    files = {p.name: p.read_text(encoding="utf-8") for p in knowledge_files(BUNDLED)}
    phrases = tuple(
        TaughtPhrase(faq_id, f'zz "quoted": taught {n} # not a comment')
        for n, faq_id in enumerate(knowledge.faqs)
    )
    changed = export_files(files, Learned(phrases))
    target = tmp_path / "kb"
    shutil.copytree(BUNDLED, target)
    for name, text in changed.items():
        (target / name).write_text(text, encoding="utf-8")
    reloaded = load_knowledge(target)
    for phrase in phrases:
        assert phrase.text in reloaded.faqs[phrase.faq_id].alternates


async def test_a_suggestion_is_not_shown_until_an_admin_approves_it(
    served: tuple[ConversationService, StoreService],
) -> None:
    """A non-admin's suggestion waits; only an admin sees it, and approving makes it answer."""
    conversation, _ = served
    said = await conversation.suggest(
        Message("", user_id=PERSON, platform="slack"), DECLINED, "Whoever is on the rota."
    )
    assert "waits for an admin" in said
    # Another person asking the same question still gets the decline, never the suggestion.
    reply = await conversation.respond(Message(DECLINED, user_id="U0OTHER", platform="slack"))
    assert reply is not None
    assert not reply.answered
    assert "Whoever is on the rota" not in render_text(reply)
    refused = await _say(conversation, "admin suggestions", PERSON)
    assert "only for the bot's admins" in refused
    listed = await _say(conversation, "admin suggestions")
    assert DECLINED in listed
    assert "Whoever is on the rota." in listed
    number = listed.split("#", 1)[1].split(" ", 1)[0]
    approved = await _say(conversation, f"admin approve {number} {FAQ_ID}")
    assert f"Approved #{number}" in approved
    assert conversation.bot.ask(DECLINED).faq_id == FAQ_ID
    assert "No suggestions are waiting." in await _say(conversation, "admin suggestions")


async def test_teach_export_and_clear_round_trip(
    served: tuple[ConversationService, StoreService],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Taught in chat, exported as YAML: merged into a copy of knowledge/ it validates and
    answers the taught questions with no store at all; `learned clear` drops what went out."""
    conversation, service = served
    source = next(iter(conversation.bot.store.current.knowledge.sources))
    assert "Taught:" in await _say(conversation, f"admin teach {FAQ_ID} {DECLINED}")
    said = await _say(conversation, f"admin teach-new {source} {NEW_QUESTION} | {NEW_ANSWER}")
    assert "New FAQ 'learned-" in said
    forgotten = "how do people usually feel after the focp"
    await _say(conversation, f"admin teach {FAQ_ID} {forgotten}")
    assert "Forgotten" in await _say(conversation, f"admin forget-phrase {FAQ_ID} {forgotten}")
    assert conversation.bot.ask(DECLINED).faq_id == FAQ_ID
    await service.storage.flush()

    monkeypatch.chdir(tmp_path)
    for key, value in _env(tmp_path).items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "out"
    assert await asyncio.to_thread(main, ["learned", "export", "--out", str(out)]) == 0
    copy = tmp_path / "kb"
    shutil.copytree(BUNDLED, copy)
    for exported in out.iterdir():
        shutil.copy(exported, copy / exported.name)
    assert main(["validate", str(copy)]) == 0
    plain = Bot(KnowledgeStore.open(copy))
    assert plain.ask(DECLINED).faq_id == FAQ_ID
    new = plain.ask(NEW_QUESTION)
    assert new.answered
    assert NEW_ANSWER in render_text(new)
    assert forgotten not in plain.store.current.knowledge.faqs[FAQ_ID].alternates
    capsys.readouterr()

    assert await asyncio.to_thread(main, ["learned", "clear"]) == 0
    assert "Cleared 2 exported item(s)" in capsys.readouterr().out
    assert not await service.storage.learning.approved()


async def test_teach_refuses_what_does_not_fit(
    served: tuple[ConversationService, StoreService],
) -> None:
    """Unknown FAQs, phrasings of another FAQ and empty text get a clear answer."""
    conversation, _ = served
    other = conversation.bot.store.current.knowledge.faqs[FAQ_ID].question
    assert "no FAQ 'nope'" in await _say(conversation, "admin teach nope what is this")
    assert "belongs to FAQ" in await _say(conversation, f"admin teach focp-what-is {other}")
    assert "Usage: teach" in await _say(conversation, "admin teach")
    assert "Usage: approve" in await _say(conversation, "admin approve x")
    assert "no learned phrasing" in await _say(
        conversation, f"admin forget-phrase {FAQ_ID} {other}"
    )


def test_the_terminal_chat_teaches_through_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`chat --store`: `admin teach` in the terminal, then the question is answered."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FINOPS_DB_PATH", str(tmp_path / "chat.db"))
    lines = f"{DECLINED}\nadmin teach {FAQ_ID} {DECLINED}\n{DECLINED}\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    assert main(["chat", "--store"]) == 0
    out = capsys.readouterr().out
    declined, taught = out.split("Taught:", 1)
    question = load_knowledge(BUNDLED).faqs[FAQ_ID].question
    assert question not in declined
    assert question in taught
