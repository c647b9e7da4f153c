"""Block Kit rendering: a neutral reply as Slack blocks plus a plain-text fallback."""

from __future__ import annotations

from typing import Any

from bot.core.reply import QUIZ_ACTIONS, Action, Link, Reply
from bot.render.text import NOT_WHAT_YOU_ASKED, ask_choices, render_text, source_text

# Slack's documented limits (see docs/slack.md): exceed one and Slack rejects the message.
MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BUTTON = 75
MAX_FALLBACK = 3000

# action_ids the Slack listeners are registered for; one place so they cannot drift apart.
ACTION_FAQ = "faq_open"
ACTION_FEEDBACK = "feedback"
ACTION_SHARE = "share_path"
ACTION_PATH_FORM = "open_path_form"
# A "which program?" choice (its value is the question to ask) and "More" (its value an FAQ id).
ACTION_ASK = "ask_choice"
ACTION_MORE = "faq_more"
# Teaching (issue 14): open the teach form, open the suggestion form, a thumbs-down's reason.
ACTION_TEACH = "teach_open"
ACTION_SUGGEST = "suggest_open"
ACTION_REASON = "feedback_reason"
# Practice questions: every quiz button's action_id starts with this (one Slack listener).
ACTION_QUIZ = "quiz"
BLOCK_QUIZ = "quiz_actions"
MAX_ACTIONS = 25
# block_ids telling a "did you mean" click (replace the question) from a follow-up (post anew).
BLOCK_SUGGESTIONS = "faq_suggestions"
BLOCK_FOLLOWUPS = "faq_followups"
BLOCK_ASK = "ask_choices"

Block = dict[str, Any]


def escape(text: str) -> str:
    """Escape &, < and > so user or knowledge text can never form a mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plain(text: str, limit: int) -> dict[str, Any]:
    # plain_text is never parsed for mentions, but &<> still render literally there.
    return {"type": "plain_text", "text": _clip(text, limit), "emoji": True}


def _chunks(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Split *text* on line boundaries into pieces Slack accepts as one section each."""
    if len(text) <= limit:  # nearly always: the loop below would rejoin the same lines
        return [text] if text.strip() else []
    pieces: list[str] = []
    for line in text.split("\n"):
        pieces.extend(line[i : i + limit] for i in range(0, max(len(line), 1), limit))
    out: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) > limit:
            out.append(current)
            current = piece
        else:
            current = candidate
    out.append(current)
    return [c for c in out if c.strip()]


def _mrkdwn(text: str) -> str:
    lines = []
    for line in escape(text).split("\n"):
        lines.append("• " + line[2:] if line.startswith("- ") else line)
    return "\n".join(lines)


def _link(link: Link) -> str:
    # Titles are escaped; addresses come from the knowledge files, never from users.
    title = escape(link.title)
    if not link.url or any(c in link.url for c in "<>| "):
        return title
    return f"<{link.url}|{title}>"


def _button(action: Action, action_id: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": _plain(action.label, MAX_BUTTON),
        "action_id": action_id,
        "value": action.value[:2000],
    }
    if style:
        button["style"] = style
    return button


def _action_blocks(reply: Reply) -> list[Block]:
    blocks: list[Block] = []
    if reply.kind == "answer" and reply.suggestions:
        # Runners-up of a tentative answer: a click replaces the answer, like "did you mean".
        offset = len(reply.actions)  # action ids stay unique across the message
        runners = [
            _button(Action("faq", s.question, s.faq_id), f"{ACTION_FAQ}_{offset + n}")
            for n, s in enumerate(reply.suggestions)
        ]
        heading = {"type": "mrkdwn", "text": NOT_WHAT_YOU_ASKED}
        blocks.append({"type": "context", "elements": [heading]})
        blocks.append({"type": "actions", "block_id": BLOCK_SUGGESTIONS, "elements": runners[:5]})
    faq_buttons = [
        _button(a, f"{ACTION_FAQ}_{n}") for n, a in enumerate(reply.actions) if a.kind == "faq"
    ]
    if faq_buttons:
        suggest = reply.kind == "suggest"
        label = "Did you mean:" if suggest else "Related questions:"
        block_id = BLOCK_SUGGESTIONS if suggest else BLOCK_FOLLOWUPS
        # Every choice of a "did you mean" (the six personas, say); five related questions.
        shown = faq_buttons[:MAX_ACTIONS] if suggest else faq_buttons[:5]
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": label}]})
        blocks.append({"type": "actions", "block_id": block_id, "elements": shown})
    choices = [_button(a, f"{ACTION_ASK}_{n}") for n, a in enumerate(ask_choices(reply))]
    if choices:
        block = {"type": "actions", "block_id": BLOCK_ASK, "elements": choices[:MAX_ACTIONS]}
        blocks.append(block)
    quiz = [
        _button(
            a, f"{ACTION_QUIZ}_{a.kind}_{n}", style="primary" if a.kind == "quiz_next" else None
        )
        for n, a in enumerate(reply.actions)
        if a.kind in QUIZ_ACTIONS
    ]
    if quiz:
        blocks.append({"type": "actions", "block_id": BLOCK_QUIZ, "elements": quiz[:MAX_ACTIONS]})
    others: list[Block] = []
    for n, a in enumerate(reply.actions):
        if a.kind == "more":
            others.append(_button(a, f"{ACTION_MORE}_{n}"))
        elif a.kind == "feedback":
            emoji = "👍" if a.value.startswith("up:") else "👎"
            others.append(
                _button(Action(a.kind, f"{emoji} {a.label}", a.value), f"{ACTION_FEEDBACK}_{n}")
            )
        elif a.kind == "share":
            others.append(_button(a, ACTION_SHARE, style="primary"))
        elif a.kind == "path_form":
            others.append(_button(a, ACTION_PATH_FORM))
        elif a.kind in _TEACHING:
            others.append(_button(a, f"{_TEACHING[a.kind]}_{n}"))
    if others:
        blocks.append({"type": "actions", "block_id": "reply_actions", "elements": others})
    return blocks


_TEACHING = {"teach": ACTION_TEACH, "suggest": ACTION_SUGGEST, "reason": ACTION_REASON}


def render_blocks(reply: Reply) -> list[Block]:
    """Return *reply* as at most 50 Block Kit blocks, each within Slack's size limits."""
    blocks: list[Block] = []
    if reply.title:
        blocks.append({"type": "header", "text": _plain(reply.title, MAX_HEADER)})
    if reply.facts:
        fields = [
            {"type": "mrkdwn", "text": _clip(f"*{escape(f.label)}*\n{escape(f.value)}", 2000)}
            for f in reply.facts[:10]
        ]
        blocks.append({"type": "section", "fields": fields})
    for section in reply.sections:
        text = _mrkdwn(section.text)
        if section.heading:
            text = f"*{escape(section.heading)}*\n{text}"
        blocks.extend(
            {"type": "section", "text": {"type": "mrkdwn", "text": c}} for c in _chunks(text)
        )
    source_line = source_text(reply, _link, escape)
    if source_line:
        source = _clip(f"Source: {source_line}", MAX_SECTION)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": source}]})
    tail = _action_blocks(reply)
    room = MAX_BLOCKS - len(tail)
    if len(blocks) > room:
        note = (
            "_Reply shortened to fit Slack; ask about one program with "
            "/finops-path ROLE --program NAME._"
        )
        blocks = blocks[: room - 1]
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return blocks + tail


def render_fallback(reply: Reply) -> str:
    """Return the notification/fallback text: escaped plain text, clipped."""
    return _clip(escape(render_text(reply)), MAX_FALLBACK)
