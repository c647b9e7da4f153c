"""finops-quiz in Teams: card actions answer, grade and move on; progress is kept in the store."""

from __future__ import annotations

from typing import Any

from bot.core.knowledge import Knowledge
from tests.teams.conftest import StartTeams, TeamsHarness
from tests.teams.fakes import card_text, submit_actions


def _quiz_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in submit_actions(card) if a["data"].get("action") == "quiz"]


def _right_and_wrong(card: dict[str, Any], knowledge: Knowledge) -> tuple[dict, dict]:
    answers = [a for a in _quiz_actions(card) if a["data"]["kind"] == "quiz_answer"]
    assert len(answers) >= 3
    question_id = answers[0]["data"]["value"].split(":")[0]
    right_index = next(
        q.answer for b in knowledge.quiz.values() for q in b.questions if q.id == question_id
    )
    right = next(a for a in answers if a["data"]["value"] == f"{question_id}:{right_index}")
    return right, next(a for a in answers if a is not right)


async def _send(teams: TeamsHarness, activity: dict[str, Any]) -> dict[str, Any]:
    teams.connector.clear()
    await teams.teams.send(activity)
    card: dict[str, Any] = teams.connector.only().card
    return card


async def test_a_quiz_round_in_teams(start_teams: StartTeams) -> None:
    teams = await start_teams(with_store=True)
    knowledge = teams.bot.store.current.knowledge
    card = await _send(teams, teams.teams.message("finops-quiz focp"))
    assert "Pick the number of your answer." in card_text(card)
    right, _ = _right_and_wrong(card, knowledge)

    card = await _send(teams, teams.teams.submit(right["data"]))
    text = card_text(card)
    assert "Right!" in text
    assert "Source:" in text
    titles = {a["title"]: a for a in _quiz_actions(card)}
    assert set(titles) == {"Next question", "My progress"}

    card = await _send(teams, teams.teams.submit(titles["Next question"]["data"]))
    _, wrong = _right_and_wrong(card, knowledge)
    card = await _send(teams, teams.teams.submit(wrong["data"]))
    assert "Not quite." in card_text(card)

    card = await _send(teams, teams.teams.submit(titles["My progress"]["data"]))
    text = card_text(card)
    total = len(knowledge.quiz["focp"].questions)
    assert f"2 of {total}" in text
    assert "2 (1 right, 50%)" in text
    assert "Readiness estimate" in text

    # A second instance on the same store sees the same progress.
    other = await start_teams(with_store=True)
    card = await _send(other, other.teams.message("finops-quiz progress focp"))
    assert "2 (1 right, 50%)" in card_text(card)


async def test_malformed_quiz_clicks_are_handled_politely(teams: TeamsHarness) -> None:
    teams.connector.clear()
    await teams.teams.send(teams.teams.submit({"action": "quiz", "kind": "delete-all"}))
    assert teams.connector.posted == []
    card = await _send(
        teams, teams.teams.submit({"action": "quiz", "kind": "quiz_answer", "value": "x:9"})
    )
    assert "no longer in the question bank" in card_text(card)
