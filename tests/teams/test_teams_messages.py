"""Teams end to end: activities POSTed to the real server, replies caught by a fake connector."""

from __future__ import annotations

import json
import logging
import re

import pytest

from bot.adapters.teams.handlers import WELCOME_TITLE
from bot.conversation.service import THANKS_FOR_FEEDBACK
from bot.core.reply import Message
from bot.render.cards import escape_markdown
from tests.slack.fakes import vague_question
from tests.teams.conftest import StartTeams, TeamsHarness
from tests.teams.fakes import ADMIN_AAD, BOT_ID, USER_AAD, card_text, inputs, submit_actions

# An FAQ question (it asks two things, so structured program facts leave it to the FAQs).
QUESTION = "How long is the FOCP exam and what is the format?"


def shown(text: str) -> str:
    """How *text* appears in a card's TextBlock (markdown-escaped)."""
    return escape_markdown(text)


async def test_faq_answer_is_a_card_with_source_follow_ups_and_feedback(
    teams: TeamsHarness,
) -> None:
    """A question in a 1:1 chat is answered in reply, as a card with everything Slack shows."""
    expected = teams.bot.handle(Message(QUESTION))
    assert expected.kind == "answer"
    incoming = teams.teams.message(QUESTION)
    await teams.teams.send(incoming)
    posted = teams.connector.only()
    assert (posted.conversation_id, posted.reply_to_id) == ("a:personal-chat", incoming["id"])
    assert posted.authorization is None  # anonymous mode sends replies without a token
    card = posted.card
    assert card["version"] == "1.5"
    text = card_text(card)
    assert shown(expected.title or "") in text
    first_line = expected.sections[0].text.split("\n")[0]
    assert shown(first_line) in text
    # Sources by title (linked when the knowledge has an address), never by seed file name.
    assert f"Source: {shown(expected.links[0].title)}" in text
    assert ".txt" not in text
    source = next(e for e in card["body"] if e.get("text", "").startswith("Source: "))
    assert (source["isSubtle"], source["size"]) == (True, "small")
    datas = [a["data"] for a in submit_actions(card)]
    follow_ups = [a.value for a in expected.actions if a.kind == "faq"]
    assert follow_ups
    assert [d["faq_id"] for d in datas if d["action"] == "faq"] == follow_ups
    assert {"action": "feedback", "vote": "up", "faq_id": expected.faq_id} in datas
    assert {"action": "feedback", "vote": "down", "faq_id": expected.faq_id} in datas
    titles = [a["title"] for a in submit_actions(card)]
    assert any(t.startswith("👍") for t in titles)
    assert any(t.startswith("👎") for t in titles)
    assert posted.activity["summary"] == expected.title


async def test_a_number_in_a_chat_says_there_is_no_list_to_pick_from(
    teams: TeamsHarness,
) -> None:
    """Typing '2' in a 1:1 chat explains the buttons and how to ask, not 'I don't know'."""
    await teams.teams.send(teams.teams.message("2"))
    text = card_text(teams.connector.only().card)
    assert shown("There's no list to pick a number from right now.") in text
    assert shown("how long is the FOCP exam?") in text
    assert "Sorry" not in text


async def test_a_mention_in_a_channel_is_answered_without_the_mention(
    teams: TeamsHarness,
) -> None:
    """In a channel the bot hears @mentions only; the mention text is removed before matching."""
    expected = teams.bot.handle(Message(QUESTION))
    incoming = teams.teams.mention(QUESTION)
    await teams.teams.send(incoming)
    posted = teams.connector.only()
    assert posted.conversation_id == incoming["conversation"]["id"]
    assert posted.reply_to_id == incoming["id"]
    assert shown(expected.title or "") in posted.text


async def test_mentions_of_other_people_are_dropped(teams: TeamsHarness) -> None:
    """Other <at> tags in the text (no entity for them) never reach the matcher or the card."""
    await teams.teams.send(teams.teams.mention(f"<at>Bob Smith</at> {QUESTION}"))
    expected = teams.bot.handle(Message(QUESTION))
    text = teams.connector.only().text
    assert shown(expected.title or "") in text
    assert "Bob" not in text
    assert "<at>" not in text


async def test_did_you_mean_buttons_answer_the_chosen_faq(teams: TeamsHarness) -> None:
    """A vague question gets "did you mean" buttons; clicking one answers that FAQ."""
    question, expected = vague_question(teams.bot)
    await teams.teams.send(teams.teams.message(question))
    card = teams.connector.only().card
    choices = [a for a in submit_actions(card) if a["data"]["action"] == "faq"]
    assert [a["data"]["faq_id"] for a in choices] == [s.faq_id for s in expected.suggestions]
    assert [a["title"] for a in choices] == [s.question[:80] for s in expected.suggestions]
    assert "Did you mean" in card_text(card)
    # Each choice is its own ActionSet, so long questions stack instead of being cut.
    assert all(len(e["actions"]) == 1 for e in card["body"] if e["type"] == "ActionSet")

    teams.connector.clear()
    chosen = choices[-1]["data"]
    await teams.teams.send(teams.teams.submit(chosen))
    answer = teams.bot.faq(chosen["faq_id"])
    assert shown(answer.title or "") in teams.connector.only().text
    assert answer.kind == "answer"


async def test_a_follow_up_button_answers_that_faq(teams: TeamsHarness) -> None:
    """Follow-up buttons under an answer send {"action": "faq"} and get that answer."""
    await teams.teams.send(teams.teams.message(QUESTION))
    follow_up = next(
        a["data"]
        for a in submit_actions(teams.connector.only().card)
        if a["data"]["action"] == "faq"
    )
    teams.connector.clear()
    await teams.teams.send(teams.teams.submit(follow_up))
    expected = teams.bot.faq(follow_up["faq_id"])
    assert shown(expected.title or "") in teams.connector.only().text


async def test_feedback_is_acknowledged_and_logged(
    teams: TeamsHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """👍/👎 gets a thank-you; the vote is logged with the FAQ and the person."""
    caplog.set_level(logging.INFO, logger="bot.conversation.service")
    vote = {"action": "feedback", "vote": "down", "faq_id": "focp-exam-format"}
    await teams.teams.send(teams.teams.submit(vote))
    assert teams.connector.only().activity["text"] == THANKS_FOR_FEEDBACK
    assert any("feedback down on faq focp-exam-format" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "data",
    [
        {"action": "feedback", "vote": "sideways", "faq_id": "focp-exam-format"},
        {"action": "feedback", "vote": "up", "faq_id": "<at>x</at>"},
        {"action": "faq", "faq_id": ["not", "a", "string"]},
        {"action": "faq", "faq_id": "../../etc"},
        {"action": "no-such-action"},
        {"no": "action"},
    ],
)
async def test_malformed_submissions_are_ignored(
    teams: TeamsHarness, data: dict[str, object]
) -> None:
    """Card data is untrusted: anything malformed is accepted (202) and answered with nothing."""
    await teams.teams.send(teams.teams.submit(data))
    assert teams.connector.posted == []


async def test_a_faq_that_no_longer_exists_declines(teams: TeamsHarness) -> None:
    """A button on an old card whose FAQ was removed since then gets the plain decline."""
    await teams.teams.send(teams.teams.submit({"action": "faq", "faq_id": "no-such-faq"}))
    assert "I don't know that one" in teams.connector.only().text


@pytest.mark.parametrize("command", ["finops-path sre 3 years", "/finops-path sre 3 years"])
async def test_path_command_shows_the_role_and_a_level(teams: TeamsHarness, command: str) -> None:
    """`finops-path TEXT` typed in a message answers with the path as a card."""
    expected = teams.bot.path("sre 3 years")
    assert expected.data is not None
    level = expected.data["programs"][0]["steps"][0]["name"]
    await teams.teams.send(teams.teams.message(command))
    card = teams.connector.only().card
    text = card_text(card)
    assert shown("Site Reliability Engineer (SRE)") in text
    assert shown(level) in text
    facts = next(e for e in card["body"] if e["type"] == "FactSet")["facts"]
    assert {"title": "Experience", "value": "3 year(s)"} in facts
    # Slack's "Share in channel" has no meaning in Teams: the reply is already in the chat.
    assert not any("Share" in a["title"] for a in submit_actions(card))


async def test_path_in_a_channel_mention(teams: TeamsHarness) -> None:
    """@finops-bot finops-path data engineer 18 months works in a channel too."""
    await teams.teams.send(teams.teams.mention("finops-path data engineer 18 months"))
    assert shown("Data Engineer") in teams.connector.only().text


async def test_empty_path_command_sends_the_form(teams: TeamsHarness) -> None:
    """`finops-path` alone gets a form: role, experience, program (from the knowledge), goal."""
    await teams.teams.send(teams.teams.message("finops-path"))
    card = teams.connector.only().card
    fields = inputs(card)
    assert list(fields) == ["role", "experience", "program", "goal"]
    assert fields["role"]["type"] == "Input.Text"
    assert fields["role"]["isRequired"] is True
    assert fields["experience"]["type"] == "Input.Text"
    assert fields["goal"]["type"] == "Input.Text"
    assert fields["program"]["type"] == "Input.ChoiceSet"
    programs = teams.bot.store.current.knowledge.programs
    assert {c["value"] for c in fields["program"]["choices"]} == set(programs)
    assert [a["data"] for a in submit_actions(card)] == [{"action": "path_form"}]


async def test_submitting_the_form_returns_the_path(teams: TeamsHarness) -> None:
    """Role and experience from the form give the same path as the typed command."""
    expected = teams.bot.path("sre 3 years")
    assert expected.data is not None
    form = {
        "action": "path_form",
        "role": "sre",
        "experience": "3 years",
        "program": "",
        "goal": "",
    }
    await teams.teams.send(teams.teams.submit(form))
    text = teams.connector.only().text
    assert shown("Certification path for Site Reliability Engineer (SRE)") in text
    assert shown(expected.data["programs"][0]["steps"][0]["name"]) in text


async def test_the_form_program_and_goal_are_used(teams: TeamsHarness) -> None:
    """A program chosen in the form narrows the path; the goal is shown as a fact."""
    form = {
        "action": "path_form",
        "role": "devops",
        "experience": "2 years",
        "program": "architect",
        "goal": "lead our FinOps practice",
    }
    await teams.teams.send(teams.teams.submit(form))
    card = teams.connector.only().card
    fact_set = next(e for e in card["body"] if e["type"] == "FactSet")
    facts = {f["title"]: f["value"] for f in fact_set["facts"]}
    assert facts["Program"] == shown(teams.bot.store.current.knowledge.programs["architect"].name)
    assert facts["Goal"].lower() == "lead our finops practice"


async def test_an_unknown_role_in_the_form_lists_the_known_roles(teams: TeamsHarness) -> None:
    """The form cannot validate a free-text role client-side: the answer says which exist."""
    form = {"action": "path_form", "role": "astronaut", "experience": "3 years"}
    await teams.teams.send(teams.teams.submit(form))
    card = teams.connector.only().card
    text = card_text(card)
    assert "I don't know the role 'astronaut'." in text
    for role in teams.bot.store.current.knowledge.roles.values():
        assert shown(role.name) in text
    assert {"action": "open_path_form"} in [a["data"] for a in submit_actions(card)]


async def test_get_my_path_button_sends_the_form(teams: TeamsHarness) -> None:
    """The "Get my path" button under help/decline/clarify cards opens the form."""
    await teams.teams.send(teams.teams.message("help"))
    help_card = teams.connector.only().card
    assert "finops-path" in card_text(help_card)
    button = next(a for a in submit_actions(help_card) if a["title"] == "Get my path")
    teams.connector.clear()
    await teams.teams.send(teams.teams.submit(button["data"]))
    assert list(inputs(teams.connector.only().card)) == ["role", "experience", "program", "goal"]


async def test_path_help(teams: TeamsHarness) -> None:
    """`finops-path help` explains the command."""
    await teams.teams.send(teams.teams.message("finops-path help"))
    assert "Usage: /finops-path ROLE" in teams.connector.only().text


async def test_admin_reload_by_an_admin(teams: TeamsHarness) -> None:
    """An admin (TEAMS_ADMINS, any case) reloads the knowledge from a 1:1 chat."""
    await teams.teams.send(teams.teams.message("admin reload", user=ADMIN_AAD))
    assert "Knowledge reloaded" in teams.connector.only().text


async def test_admin_status_by_an_admin(teams: TeamsHarness) -> None:
    """`admin status` names the knowledge version being served."""
    await teams.teams.send(teams.teams.message("admin status", user=ADMIN_AAD))
    assert teams.bot.store.current.version in teams.connector.only().text


async def test_admin_is_refused_for_others(teams: TeamsHarness) -> None:
    """Anyone not on the allow-list is refused, and nothing is reloaded."""
    version = teams.bot.store.current
    await teams.teams.send(teams.teams.message("admin reload"))
    assert "only for the bot's admins" in teams.connector.only().text
    assert teams.bot.store.current is version


async def test_admin_in_a_channel_points_to_the_chat(teams: TeamsHarness) -> None:
    """Reload reports are not for a whole channel: admin commands work in 1:1 chats only."""
    await teams.teams.send(teams.teams.mention("admin reload", user=ADMIN_AAD))
    assert "Admin commands work in a 1:1 chat with me." in teams.connector.only().text


async def test_welcome_card_when_the_bot_is_added(teams: TeamsHarness) -> None:
    """conversationUpdate with the bot among membersAdded gets the welcome card, once."""
    update = teams.teams.activity(
        "conversationUpdate",
        conversation="19:general@thread.tacv2",
        conversation_type="channel",
        membersAdded=[{"id": BOT_ID}],
    )
    await teams.teams.send(update)
    posted = teams.connector.only()
    text = posted.text
    assert WELCOME_TITLE in text
    assert "finops-path" in text
    assert posted.reply_to_id is None or posted.reply_to_id == update["id"]


async def test_no_welcome_when_someone_else_joins(teams: TeamsHarness) -> None:
    """A person joining a team the bot is in is not greeted in the channel."""
    update = teams.teams.activity(
        "conversationUpdate",
        conversation_type="channel",
        membersAdded=[{"id": "29:newcomer", "aadObjectId": "0a1b2c3d-0000-4000-8000-000000000777"}],
    )
    await teams.teams.send(update)
    assert teams.connector.posted == []


@pytest.mark.parametrize("kind", ["typing", "messageReaction", "installationUpdate", "event"])
async def test_other_activities_are_accepted_quietly(teams: TeamsHarness, kind: str) -> None:
    """Typing, reactions, installs and events get 202 and no reply."""
    await teams.teams.send(teams.teams.activity(kind))
    assert teams.connector.posted == []


async def test_expect_replies_returns_the_card_in_the_response(teams: TeamsHarness) -> None:
    """deliveryMode expectReplies: the replies come back in the HTTP body, none is posted."""
    activity = teams.teams.message(QUESTION, deliveryMode="expectReplies")
    status, body = await teams.teams.post(activity)
    assert status == 200
    replies = json.loads(body)["activities"]
    assert len(replies) == 1
    card = replies[0]["attachments"][0]["content"]
    expected = teams.bot.handle(Message(QUESTION))
    assert shown(expected.title or "") in card_text(card)
    assert teams.connector.posted == []


async def test_user_text_cannot_inject_markup(teams: TeamsHarness) -> None:
    """Text a person typed and the bot echoes (an unknown role) is shown literally."""
    evil = "**x** [click](https://evil.example) <at>Bob</at> {{DATE(2017-02-14T06:08:39Z, SHORT)}}"
    await teams.teams.send(teams.teams.submit({"action": "path_form", "role": evil}))
    text = teams.connector.only().text
    assert "I don't know the role" in text
    assert "\\*\\*x\\*\\*" in text
    assert "\\[click\\](https://evil.example)" in text
    assert "](" not in text.replace("\\](", "")
    assert "<at>" not in text
    assert "{{DATE" not in text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{not json", 400),
        ("[1, 2]", 400),
        (json.dumps({"type": "message", "text": "hi"}), 400),  # no conversation
        (json.dumps({"type": "message", "conversation": "not-an-object"}), 400),
    ],
)
async def test_malformed_requests_get_400(teams: TeamsHarness, body: str, status: int) -> None:
    """Bodies that are not activities are refused before any handler runs."""
    got, _ = await teams.teams.post(body)
    assert got == status
    assert teams.connector.posted == []


async def test_anonymous_mode_logs_a_warning(
    start_teams: StartTeams, caplog: pytest.LogCaptureFixture
) -> None:
    """TEAMS_ANONYMOUS=true is loud about itself at start-up."""
    with caplog.at_level(logging.WARNING, logger="bot.server"):
        await start_teams()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any(re.search(r"TEAMS_ANONYMOUS is on", r.getMessage()) for r in warnings)


async def test_teams_only_serves_no_slack_route(teams: TeamsHarness) -> None:
    """Without Slack settings the server has no /slack/events; /healthz still answers."""
    assert teams.settings.slack_bot_token is None
    async with teams.session.post(teams.base_url + "/slack/events", data=b"{}") as resp:
        assert resp.status in (404, 405)
    async with teams.session.get(teams.base_url + "/healthz") as resp:
        assert resp.status == 200
        assert (await resp.json())["status"] == "ok"


async def test_questions_clicks_votes_and_admin_use_are_recorded(start_teams: StartTeams) -> None:
    """With the store, Teams use lands in it like Slack's: platform teams, users hashed."""
    teams = await start_teams(with_store=True)
    assert teams.service is not None
    question, _ = vague_question(teams.bot)
    await teams.teams.send(teams.teams.message(QUESTION))
    await teams.teams.send(teams.teams.mention(question))
    choice = next(
        a["data"]
        for a in submit_actions(teams.connector.posted[-1].card)
        if a["data"]["action"] == "faq"
    )
    await teams.teams.send(teams.teams.submit(choice))
    vote = {"action": "feedback", "vote": "down", "faq_id": "focp-exam-format"}
    await teams.teams.send(teams.teams.submit(vote))
    await teams.teams.send(teams.teams.message("admin stats", user=ADMIN_AAD))
    assert "Did-you-mean clicks" in teams.connector.posted[-1].text  # the stats card
    storage = teams.service.storage
    await storage.flush()
    stats = await storage.stats(days=1)
    assert (stats.answered, stats.suggested) == (1, 1)
    assert (stats.votes_down, stats.suggestion_clicks) == (1, 1)
    assert dict(stats.platforms) == {"teams": 2}
    rows = await storage.export_rows(days=1)
    assert sorted(r.via for r in rows) == ["dm", "mention"]
    assert all(r.platform == "teams" and USER_AAD not in r.user_hash for r in rows)
