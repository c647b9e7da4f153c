"""Shared fixtures: the bundled knowledge, a tiny fixture knowledge and bots on both."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.bot import Bot, BotSettings
from bot.core.store import KnowledgeStore

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "knowledge"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session", name="bundled_store")
def _bundled_store() -> KnowledgeStore:
    """Load the bundled knowledge once per test session."""
    return KnowledgeStore.open(BUNDLED)


@pytest.fixture(name="bot")
def _bot(bundled_store: KnowledgeStore) -> Bot:
    """Return a bot on the bundled knowledge, with user U_ADMIN allowed admin commands."""
    return Bot(bundled_store, BotSettings(admins=frozenset({"U_ADMIN"})))


@pytest.fixture(name="kb_dir")
def _kb_dir(tmp_path: Path) -> Path:
    """Return a writable copy of the small, valid fixture knowledge."""
    target = tmp_path / "kb"
    shutil.copytree(DATA / "good", target)
    return target
