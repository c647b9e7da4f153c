"""Teaching from Teams: the thumbs-down reason card, Suggest on a decline, Teach from a card."""

from __future__ import annotations

from bot.core.store import KnowledgeStore
from tests.conftest import BUNDLED
from tests.teams.conftest import StartTeams
from tests.teams.fakes import ADMIN_AAD, USER_AAD, card_text, inputs, submit_actions

FAQ_ID = "focp-exam-format"
DECLINED = "who is bringing donuts on friday"


def _fill(
    card: dict[str, object], values: dict[str, str], submit: dict[str, str]
) -> dict[str, str]:
    """Return what Teams sends for the card's submit: its data plus the typed inputs."""
    assert set(values) <= set(inputs(card))
    return {**submit, **values}


async def test_a_thumbs_down_reason_from_teams_is_listed(
    start_teams: StartTeams, bundled_store: KnowledgeStore
) -> None:
    """👎 in Teams brings a card of reasons; the admin's `admin feedback` lists the pick."""
    h = await start_teams(KnowledgeStore(BUNDLED, bundled_store.current), with_store=True)
    await h.teams.send(h.teams.submit({"action": "feedback", "vote": "down", "faq_id": FAQ_ID}))
    card = h.connector.only().card
    reasons = {a["title"]: a["data"] for a in submit_actions(card)}
    assert {"Wrong answer", "Out of date", "Too long", "Not what I asked", "Other"} <= set(reasons)
    h.connector.clear()
    await h.teams.send(h.teams.submit(reasons["Too long"]))
    assert "Thanks" in h.connector.only().text
    h.connector.clear()
    assert h.service is not None
    await h.service.storage.flush()
    await h.teams.send(h.teams.message("admin feedback", user=ADMIN_AAD))
    assert f"{FAQ_ID}: 1 👎 (Too long 1)" in card_text(h.connector.only().card)


async def test_suggest_and_teach_from_teams_cards(
    start_teams: StartTeams, bundled_store: KnowledgeStore
) -> None:
    """A decline offers Suggest (queued, unseen); the admin teaches it from a Teach card."""
    h = await start_teams(KnowledgeStore(BUNDLED, bundled_store.current), with_store=True)
    await h.teams.send(h.teams.message(DECLINED, user=USER_AAD))
    (suggest,) = [
        a for a in submit_actions(h.connector.only().card) if a["title"] == "Suggest an answer"
    ]
    h.connector.clear()
    await h.teams.send(h.teams.submit(suggest["data"], user=USER_AAD))
    form = h.connector.only().card
    assert "Your suggested answer" in card_text(form)
    (send,) = submit_actions(form)
    h.connector.clear()
    data = _fill(form, {"question": DECLINED, "answer": "The rota says."}, send["data"])
    await h.teams.send(h.teams.submit(data, user=USER_AAD))
    assert "waits for an admin" in h.connector.only().text
    h.connector.clear()
    # The admin's Teach card for the same question: linked to the FAQ, answered at once.
    await h.teams.send(h.teams.message(DECLINED, user=ADMIN_AAD))
    assert "The rota says." not in card_text(h.connector.only().card)
    (teach,) = [
        a for a in submit_actions(h.connector.only().card) if a["title"] == "Suggest an answer"
    ]
    h.connector.clear()
    await h.teams.send(h.teams.submit(teach["data"], user=ADMIN_AAD))
    form = h.connector.only().card
    assert "Teach finops-bot" in card_text(form)
    (send,) = submit_actions(form)
    h.connector.clear()
    data = _fill(form, {"question": DECLINED, "faq_id": FAQ_ID}, send["data"])
    await h.teams.send(h.teams.submit(data, user=ADMIN_AAD))
    assert "Taught" in card_text(h.connector.only().card)
    h.connector.clear()
    await h.teams.send(h.teams.message(DECLINED, user=USER_AAD))
    assert h.bot.store.current.knowledge.faqs[FAQ_ID].question in card_text(h.connector.only().card)
