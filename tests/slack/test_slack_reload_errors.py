"""Knowledge files that cannot be read, met by an admin reload and by the other instances."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from bot.core.store import KnowledgeStore
from tests.conftest import BUNDLED
from tests.polling import until
from tests.slack.conftest import ADMIN, Harness, StartServer
from tests.slack.fakes import texts

NEW_FAQ = """\
faqs:
  - id: zz-new-faq
    question: Is there a new FAQ for the unreadable-file test?
    answer: Yes, added by the unreadable-file test.
    sources: [seed-foundation-focp]
"""


def _unreadable(directory: Path) -> Path:
    """Add x.yaml that raises EIO when read, even for root (a link to /proc/self/mem)."""
    link = directory / "x.yaml"
    link.symlink_to("/proc/self/mem")
    return link


async def _admin(h: Harness, command: str, count: int) -> str:
    """Run `/finops-admin COMMAND` as the admin; return the text of the *count*-th reply."""
    await h.slack.command("/finops-admin", command, h.fake.webhook_url, user_id=ADMIN)
    replies = await h.fake.wait_for("webhook", count, within=10)
    body: dict[str, Any] = replies[count - 1].body
    return texts(body["blocks"])


async def test_an_admin_reload_over_an_unreadable_file_is_answered(
    start_server: StartServer, tmp_path: Path
) -> None:
    """The admin hears that the reload failed, that the old knowledge serves, and why."""
    kb = tmp_path / "kb"
    shutil.copytree(BUNDLED, kb)
    h = await start_server(KnowledgeStore.open(kb))
    old = h.bot.store.current.version
    _unreadable(kb)
    reply = await _admin(h, "reload", 1)
    assert "Reload failed; old knowledge still serving" in reply
    assert f"still serving version {old}" in reply
    assert f"{kb}/x.yaml:1: cannot read the file: Input/output error" in reply
    assert h.bot.store.current.version == old


async def test_another_instance_reports_an_unreadable_file_and_keeps_polling(
    start_server: StartServer, tmp_path: Path
) -> None:
    """B cannot read its files when A reloads: /healthz says so, and B catches up once fixed."""
    dirs = [tmp_path / "kb-a", tmp_path / "kb-b"]
    for d in dirs:
        shutil.copytree(BUNDLED, d)
    a = await start_server(KnowledgeStore.open(dirs[0]), poll_interval=0.05)
    b = await start_server(KnowledgeStore.open(dirs[1]), poll_interval=0.05)
    old = b.bot.store.current.version
    link = _unreadable(dirs[1])
    assert "Knowledge reloaded" in await _admin(a, "reload", 1)

    async def b_reports_it() -> bool:
        return not (await b.health())["store"]["knowledge_in_sync"]

    await until(b_reports_it, within=5.0)
    assert (await b.health())["knowledge_version"] == old
    status = await _admin(b, "status", 2)
    assert "Sync problem: generation 1: the knowledge in" in status

    # Fixed on B; the next reload announced by A must still reach B's poller.
    link.unlink()
    for d in dirs:
        (d / "faqs-zz-new.yaml").write_text(NEW_FAQ)
    assert "Knowledge reloaded" in await _admin(a, "reload", 3)
    new = a.bot.store.current.version

    async def b_caught_up() -> bool:
        health = await b.health()
        return bool(health["knowledge_version"] == new and health["store"]["knowledge_in_sync"])

    await until(b_caught_up, within=5.0)
    assert (await b.health())["store"]["knowledge_generation"] == 2
