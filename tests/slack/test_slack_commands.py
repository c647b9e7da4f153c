"""Slash commands, the path modal and Share, end to end through our server and a fake Slack."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from bot.core.store import KnowledgeStore
from tests.conftest import BUNDLED
from tests.slack.conftest import ADMIN, Harness, StartServer
from tests.slack.fakes import block_action, buttons, channel_message, texts

SRE = "Site Reliability Engineer"


def _level_names(harness: Harness) -> list[str]:
    return [lv.name for lv in harness.bot.store.current.knowledge.levels.values()]


def _view(call_body: dict[str, Any]) -> dict[str, Any]:
    view = call_body["view"]
    return json.loads(view) if isinstance(view, str) else dict(view)


def _submission(view: dict[str, Any], values: dict[str, str | None]) -> dict[str, Any]:
    """Return a view_submission payload for *view* with the person's *values* filled in."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        value = values.get(block["block_id"])
        element = block["element"]
        if element["type"] == "static_select":
            chosen = next((o for o in element["options"] if o["value"] == value), None)
            state[block["block_id"]] = {
                "value": {"type": "static_select", "selected_option": chosen}
            }
        else:
            state[block["block_id"]] = {"value": {"type": "plain_text_input", "value": value}}
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U0USER", "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "1337.42.ijkl",
        "view": {**view, "id": "V1", "state": {"values": state}},
    }


async def test_path_command_answers_in_the_ack_with_a_share_button(slack: Harness) -> None:
    """`/finops-path sre 3 years` comes back privately at once: role, levels and Share."""
    status, raw = await slack.slack.command("/finops-path", "sre 3 years", slack.fake.webhook_url)
    assert status == 200
    body = json.loads(raw)
    assert body["response_type"] == "ephemeral"
    shown = texts(body["blocks"])
    assert SRE in shown
    assert any(name in shown for name in _level_names(slack))
    assert "3 year(s)" in shown
    assert SRE in body["text"]  # the plain-text fallback
    assert len(body["blocks"]) <= 50
    share = [b for b in buttons(body["blocks"]) if b["action_id"] == "share_path"]
    assert len(share) == 1
    assert share[0]["value"] == "sre 3 years"
    # Nothing was posted besides the start-up auth.test: the ack itself carried the answer.
    assert [c.method for c in slack.fake.calls] == ["auth.test"]

    # Clicking Share posts the same path for the whole channel, without another Share button.
    status, _ = await slack.slack.interaction(
        block_action("share_path", share[0]["value"], slack.fake.webhook_url, ephemeral=True)
    )
    assert status == 200
    (shared,) = await slack.fake.wait_for("webhook")
    assert shared.body["response_type"] == "in_channel"
    assert shared.body["replace_original"] is False
    assert SRE in texts(shared.body["blocks"])
    assert not [b for b in buttons(shared.body["blocks"]) if b["action_id"] == "share_path"]


async def test_a_paths_more_button_shows_the_detail_privately(slack: Harness) -> None:
    """The path lists the levels; its More button answers, privately as the path was, with
    why each level, the prep plans and the mistakes to avoid."""
    _, raw = await slack.slack.command("/finops-path", "sre 3 years", slack.fake.webhook_url)
    body = json.loads(raw)
    assert "Prep, 7 days" not in texts(body["blocks"])
    (more,) = [b for b in buttons(body["blocks"]) if b["action_id"].startswith("faq_more")]
    click = block_action(more["action_id"], more["value"], slack.fake.webhook_url, ephemeral=True)
    status, _ = await slack.slack.interaction(click)
    assert status == 200
    (detail,) = await slack.fake.wait_for("webhook")
    assert detail.body["response_type"] == "ephemeral"
    shown = texts(detail.body["blocks"])
    assert SRE in shown
    assert "Prep, 7 days" in shown
    assert "Avoid:" in shown
    assert "chat.postMessage" not in [c.method for c in slack.fake.calls]


async def test_a_role_near_what_was_typed_is_a_private_choice(slack: Harness) -> None:
    """ "/finops-path frontend ninja 3y" names no role: the near roles are buttons, and a click
    answers with that role's path privately, where the question was asked."""
    status, raw = await slack.slack.command(
        "/finops-path", "frontend ninja 3y", slack.fake.webhook_url
    )
    body = json.loads(raw)
    assert (status, body["response_type"]) == (200, "ephemeral")
    assert "I don't know that role. Is it one of these?" in texts(body["blocks"])
    choices = [b for b in buttons(body["blocks"]) if b["block_id"] == "ask_choices"]
    assert choices[0]["text"]["text"] == "Software Engineer or Developer"
    click = block_action(
        choices[0]["action_id"],
        choices[0]["value"],
        slack.fake.webhook_url,
        block_id="ask_choices",
        ephemeral=True,
    )
    status, _ = await slack.slack.interaction(click)
    assert status == 200
    (answer,) = await slack.fake.wait_for("webhook")
    assert answer.body["response_type"] == "ephemeral"
    shown = texts(answer.body["blocks"])
    assert "Certification path for Software Engineer or Developer" in shown
    assert "3 year(s)" in shown
    assert "chat.postMessage" not in [c.method for c in slack.fake.calls]


async def test_path_help_shows_usage(slack: Harness) -> None:
    """`/finops-path help` shows the usage privately, with a button to open the form."""
    status, raw = await slack.slack.command("/finops-path", "help", slack.fake.webhook_url)
    body = json.loads(raw)
    assert status == 200
    assert body["response_type"] == "ephemeral"
    shown = texts(body["blocks"])
    assert "Usage: /finops-path ROLE" in shown
    assert "/finops-path sre 3 years" in shown
    assert [b["action_id"] for b in buttons(body["blocks"])] == ["open_path_form"]


async def test_path_command_without_a_role_asks_which_role(slack: Harness) -> None:
    """Text naming no known role gets a clarification listing the roles, never a guess."""
    _, raw = await slack.slack.command("/finops-path", "astronaut", slack.fake.webhook_url)
    shown = texts(json.loads(raw)["blocks"])
    assert "Which role should I plan a path for?" in shown
    assert SRE in shown


async def test_empty_path_command_opens_the_modal_and_validates_it(slack: Harness) -> None:
    """No text: the modal opens; bad input gets field errors; good input posts the path."""
    status, raw = await slack.slack.command("/finops-path", "", slack.fake.webhook_url)
    assert status == 200
    assert raw == ""
    (opened,) = await slack.fake.wait_for("views.open")
    assert opened.body["trigger_id"] == "1337.42.abcd"
    view = _view(opened.body)
    assert view["callback_id"] == "finops_path_modal"
    assert json.loads(view["private_metadata"]) == {"channel_id": "C0GENERAL"}
    fields = [b["block_id"] for b in view["blocks"]]
    assert fields == ["role", "experience", "program", "goal"]
    programs = {o["value"] for o in view["blocks"][2]["element"]["options"]}
    assert programs == set(slack.bot.store.current.knowledge.programs)

    status, raw = await slack.slack.interaction(
        _submission(view, {"role": "astronaut", "experience": "lots"})
    )
    assert status == 200
    errors = json.loads(raw)
    assert errors["response_action"] == "errors"
    assert set(errors["errors"]) == {"role", "experience"}
    assert "I don't know that role" in errors["errors"]["role"]
    assert "3 years" in errors["errors"]["experience"]
    assert not slack.fake.named("chat.postEphemeral")

    status, raw = await slack.slack.interaction(
        _submission(
            view,
            {
                "role": "sre",
                "experience": "3 years",
                "program": "architect",
                "goal": "lead reviews",
            },
        )
    )
    assert status == 200
    assert raw == ""
    (posted,) = await slack.fake.wait_for("chat.postEphemeral")
    assert posted.body["channel"] == "C0GENERAL"
    assert posted.body["user"] == "U0USER"
    shown = texts(posted.body["blocks"])
    assert SRE in shown
    assert "Certified FinOps Architect" in shown
    assert "lead reviews" in shown
    share = [b for b in buttons(posted.body["blocks"]) if b["action_id"] == "share_path"]
    assert share[0]["value"] == "sre 3 years --program architect --goal lead reviews"


async def test_modal_path_falls_back_to_a_dm(slack: Harness) -> None:
    """When the bot cannot post in the channel, the path arrives as a DM instead."""
    slack.fake.failures["chat.postEphemeral"] = "not_in_channel"
    await slack.slack.command("/finops-path", "", slack.fake.webhook_url)
    (opened,) = await slack.fake.wait_for("views.open")
    await slack.slack.interaction(_submission(_view(opened.body), {"role": "data engineer"}))
    (dm,) = await slack.fake.wait_for("chat.postMessage")
    assert dm.body["channel"] == "U0USER"
    assert "Data Engineer" in texts(dm.body["blocks"])


async def test_get_my_path_button_opens_the_modal(slack: Harness) -> None:
    """The "Get my path" button (help, declines, App Home) opens the same modal."""
    payload = block_action("open_path_form", "open", slack.fake.webhook_url, ephemeral=True)
    status, _ = await slack.slack.interaction(payload)
    assert status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    view = _view(opened.body)
    assert view["callback_id"] == "finops_path_modal"
    assert json.loads(view["private_metadata"]) == {"channel_id": "C0GENERAL"}


async def test_user_text_is_never_echoed_as_a_mention(slack: Harness) -> None:
    """<!channel>, <!here> and <@U…> typed by a person never come back as live markup."""
    _, raw = await slack.slack.command(
        "/finops-path", "sre 3 years --goal <!channel> <@U0OTHER> & more", slack.fake.webhook_url
    )
    await slack.slack.command(
        "/finops-admin", "<!channel> <!here>", slack.fake.webhook_url, user_id=ADMIN
    )
    (admin_reply,) = await slack.fake.wait_for("webhook")
    await slack.slack.command("/finops-path", "", slack.fake.webhook_url)
    (opened,) = await slack.fake.wait_for("views.open")
    await slack.slack.interaction(
        _submission(_view(opened.body), {"role": "sre", "goal": "<!everyone> <@U0OTHER>"})
    )
    await slack.fake.wait_for("chat.postEphemeral")
    everything = raw + "".join(c.text() for c in slack.fake.calls)
    for markup in ("<!channel>", "<!here>", "<!everyone>", "<@U0OTHER>"):
        assert markup not in everything
    assert "&lt;!channel&gt;" in admin_reply.text()


async def test_admin_reload_reports_what_changed(start_server: StartServer, tmp_path: Path) -> None:
    """An admin's reload answers privately with versions and counts; DM `admin reload` works."""
    copy = tmp_path / "knowledge"
    shutil.copytree(BUNDLED, copy)
    slack = await start_server(KnowledgeStore.open(copy))
    status, raw = await slack.slack.command(
        "/finops-admin", "reload", slack.fake.webhook_url, user_id=ADMIN
    )
    assert (status, raw) == (200, "")
    (reply,) = await slack.fake.wait_for("webhook")
    assert reply.body["response_type"] == "ephemeral"
    shown = texts(reply.body["blocks"])
    assert "Knowledge reloaded" in shown
    assert "No FAQ changed." in shown

    await slack.slack.event(
        {
            "type": "message",
            "user": ADMIN,
            "text": "admin status",
            "ts": "1700000500.000100",
            "channel": "D0ADMIN",
            "channel_type": "im",
        },
        event_id="EvAdminDm",
    )
    (dm,) = await slack.fake.wait_for("chat.postMessage")
    assert dm.body["channel"] == "D0ADMIN"
    assert slack.bot.store.current.version in texts(dm.body["blocks"])


async def test_admin_reload_of_broken_knowledge_keeps_serving(
    start_server: StartServer, tmp_path: Path
) -> None:
    """A broken file is reported as `path:line: message`; the old version keeps serving."""
    copy = tmp_path / "knowledge"
    shutil.copytree(BUNDLED, copy)
    slack = await start_server(KnowledgeStore.open(copy))
    old = slack.bot.store.current.version
    (copy / "faqs-zz.yaml").write_text("faqs:\n  - id: x\n    question: [unclosed\n")
    await slack.slack.command("/finops-admin", "reload", slack.fake.webhook_url, user_id=ADMIN)
    (reply,) = await slack.fake.wait_for("webhook")
    shown = texts(reply.body["blocks"])
    assert "Reload failed; old knowledge still serving" in shown
    assert re.search(r"faqs-zz\.yaml:\d+: ", shown)
    async with slack.session.get(slack.base_url + "/healthz") as resp:
        assert (await resp.json())["knowledge_version"] == old


async def test_admin_commands_refuse_non_admins(slack: Harness) -> None:
    """Anyone not in FINOPS_ADMINS gets a polite refusal and nothing is reloaded."""
    before = slack.bot.store.current
    await slack.slack.command("/finops-admin", "reload", slack.fake.webhook_url, user_id="U0USER")
    (reply,) = await slack.fake.wait_for("webhook")
    assert reply.body["response_type"] == "ephemeral"
    assert "only for the bot's admins" in texts(reply.body["blocks"])
    assert slack.bot.store.current is before


async def test_admin_channels_opt_in_persists(slack: Harness) -> None:
    """`channels add <#C…|name>` opts a channel in, `remove` out; both kept in the store."""
    await slack.slack.command(
        "/finops-admin", "channels add <#C0NEW|new-channel>", slack.fake.webhook_url, user_id=ADMIN
    )
    await slack.fake.wait_for("webhook")
    await slack.slack.command(
        "/finops-admin", "channels remove C0FAQ", slack.fake.webhook_url, user_id=ADMIN
    )
    await slack.slack.command("/finops-admin", "channels", slack.fake.webhook_url, user_id=ADMIN)
    replies = await slack.fake.wait_for("webhook", 3)
    assert "Opted in C0NEW" in texts(replies[0].body["blocks"])
    assert "Opted out C0FAQ" in texts(replies[1].body["blocks"])
    assert "Opted-in channels (1): C0NEW." in texts(replies[2].body["blocks"])
    assert slack.channels.current == {"C0NEW"}
    # Kept in the shared store (not in a file of this instance's), for every instance.
    assert not slack.settings.state_file.exists()
    assert dict(await slack.storage.state.refresh_channels()) == {"C0NEW": True, "C0FAQ": False}


async def test_a_dm_follow_up_picks_from_the_path_the_command_listed(slack: Harness) -> None:
    """`/finops-path sre 3 years` in a DM, then "how much is the second one?": that program."""
    second = slack.bot.path("sre 3 years").listed[1]
    name = slack.bot.store.current.knowledge.programs[second].name
    status, _ = await slack.slack.command(
        "/finops-path", "sre 3 years", slack.fake.webhook_url, channel_id="D0USER"
    )
    assert status == 200
    await slack.slack.event(
        channel_message(
            "how much is the second one?", "1700000900.000100", channel="D0USER", channel_type="im"
        ),
        event_id="EvPathFollow",
    )
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    assert posted.body["channel"] == "D0USER"
    assert name in posted.body["text"]
    assert "price" in posted.body["text"].lower()
