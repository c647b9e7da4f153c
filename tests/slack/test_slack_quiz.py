"""/finops-quiz end to end: questions with buttons, right and wrong answers, progress, Home tab."""

from __future__ import annotations

import json
from typing import Any

from bot.core.knowledge import Knowledge
from tests.slack.conftest import Harness, StartServer
from tests.slack.fakes import block_action, buttons, texts

USER = "U0QUIZ"


def _quiz_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in buttons(blocks) if b["action_id"].startswith("quiz_")]


def _answer_buttons(blocks: list[dict[str, Any]], knowledge: Knowledge) -> tuple[dict, dict]:
    """Return the (right, wrong) answer buttons of the question in *blocks*."""
    answers = [b for b in _quiz_buttons(blocks) if b["action_id"].startswith("quiz_quiz_answer")]
    assert len(answers) >= 3
    question_id = answers[0]["value"].split(":")[0]
    right_index = next(
        q.answer for b in knowledge.quiz.values() for q in b.questions if q.id == question_id
    )
    right = next(b for b in answers if b["value"] == f"{question_id}:{right_index}")
    wrong = next(b for b in answers if b is not right)
    return right, wrong


async def _click(slack: Harness, button: dict[str, Any], user: str = USER) -> None:
    payload = block_action(
        button["action_id"],
        button["value"],
        slack.fake.webhook_url,
        block_id=button["block_id"],
        ephemeral=True,
        user=user,
    )
    status, _ = await slack.slack.interaction(payload)
    assert status == 200


async def _command(slack: Harness, text: str, user: str = USER) -> None:
    status, _ = await slack.slack.command(
        "/finops-quiz", text, slack.fake.webhook_url, user_id=user
    )
    assert status == 200


class _Next:
    """The next response_url post, counted now and waited for later."""

    def __init__(self, slack: Harness) -> None:
        self.slack = slack
        self.count = len(slack.fake.named("webhook")) + 1

    def __await__(self) -> Any:
        return self._body().__await__()

    async def _body(self) -> dict[str, Any]:
        return (await self.slack.fake.wait_for("webhook", self.count))[self.count - 1].body


def _next_webhook(slack: Harness) -> _Next:
    """Return the next response_url post to await, counted before the request is sent."""
    return _Next(slack)


async def test_a_quiz_round_answered_right_and_wrong_then_progress(slack: Harness) -> None:
    knowledge = slack.bot.store.current.knowledge
    asked = _next_webhook(slack)
    await _command(slack, "focp")
    question = await asked
    assert question["response_type"] == "ephemeral"
    shown = texts(question["blocks"])
    assert "FinOps Certified Practitioner (FOCP)" in shown
    assert "Pick the number of your answer." in shown
    right, _ = _answer_buttons(question["blocks"], knowledge)

    graded = _next_webhook(slack)
    await _click(slack, right)
    body = await graded
    shown = texts(body["blocks"])
    assert "Right!" in shown
    assert "Why" in shown
    assert "Source:" in shown
    labels = {b["text"]["text"]: b for b in _quiz_buttons(body["blocks"])}
    assert set(labels) == {"Next question", "My progress"}

    asked = _next_webhook(slack)
    await _click(slack, labels["Next question"])
    question = await asked
    _, wrong = _answer_buttons(question["blocks"], knowledge)
    graded = _next_webhook(slack)
    await _click(slack, wrong)
    shown = texts((await graded)["blocks"])
    assert "Not quite." in shown
    assert "The answer is" in shown

    shown_progress = _next_webhook(slack)
    await _command(slack, "progress")
    shown = texts((await shown_progress)["blocks"])
    total = len(knowledge.quiz["focp"].questions)
    assert f"2 of {total}" in shown  # questions seen
    assert "2 (1 right, 50%)" in shown
    assert "1 day" in shown  # the streak
    assert "Readiness estimate" in shown
    assert "2020 curriculum" in shown  # what the estimate's weights rest on


async def test_unknown_program_gets_the_usage(slack: Harness) -> None:
    answered = _next_webhook(slack)
    await _command(slack, "kubernetes wizard")
    shown = texts((await answered)["blocks"])
    assert "I have no practice questions for 'kubernetes wizard'" in shown
    assert "/finops-quiz progress" in shown


async def test_progress_follows_the_person_to_another_instance(
    start_server: StartServer,
) -> None:
    first = await start_server()
    second = await start_server()  # same database file, as two instances behind one balancer
    knowledge = first.bot.store.current.knowledge
    asked = _next_webhook(first)
    await _command(first, "architect")
    right, _ = _answer_buttons((await asked)["blocks"], knowledge)
    graded = _next_webhook(first)
    await _click(first, right)
    assert "Right!" in texts((await graded)["blocks"])

    shown_progress = _next_webhook(second)
    await _command(second, "progress")
    shown = texts((await shown_progress)["blocks"])
    assert "Certified FinOps Architect" in shown  # the program practised last
    assert "1 (1 right, 100%)" in shown

    event = {"type": "app_home_opened", "user": USER, "channel": "D0QUIZ", "tab": "home"}
    assert (await second.slack.event(event, event_id="EvQuizHome"))[0] == 200
    (published,) = await second.fake.wait_for("views.publish")
    view = published.body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert "1 (1 right, 100%)" in texts(view["blocks"])
    practice = [b for b in buttons(view["blocks"]) if b["block_id"] == "home_quiz"]
    assert [b["value"] for b in practice] == ["architect"]


async def test_the_home_tab_practice_button_asks_in_the_dm(slack: Harness) -> None:
    event = {"type": "app_home_opened", "user": USER, "channel": "D0QUIZ", "tab": "home"}
    assert (await slack.slack.event(event, event_id="EvQuizHome2"))[0] == 200
    (published,) = await slack.fake.wait_for("views.publish")
    view = published.body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert "/finops-quiz" in texts(view["blocks"])  # no practice yet: how to start
    (practice,) = [b for b in buttons(view["blocks"]) if b["block_id"] == "home_quiz"]
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": USER},
        "api_app_id": "A1",
        "trigger_id": "1.2.3",
        "container": {"type": "view", "view_id": "V1"},
        "view": {"id": "V1", "type": "home"},
        "actions": [
            {
                "type": "button",
                "action_id": practice["action_id"],
                "block_id": "home_quiz",
                "value": practice["value"],
                "action_ts": "1700000001.000001",
            }
        ],
    }
    assert (await slack.slack.interaction(payload))[0] == 200
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    assert posted.body["channel"] == USER
    assert "Pick the number of your answer." in texts(posted.body["blocks"])
