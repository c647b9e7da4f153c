"""Plain-text rendering: the terminal chat, CLI output and every platform's fallback text."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.reply import Action, Link, Reply

MORE_HINT = "Say 'more' for details."
QUIZ_HINT = "Say 'next' for another question, or 'progress' for your progress."


def _plain_link(link: Link) -> str:
    return f"{link.title} ({link.url})" if link.url else link.title


def source_text(
    reply: Reply,
    link: Callable[[Link], str] = _plain_link,
    escape: Callable[[str], str] = str,
) -> str | None:
    """Return the source line's text: linked titles (drawn by *link*), else the escaped label."""
    if not reply.links:
        return escape(reply.source) if reply.source else None
    shown = reply.links[: len(reply.links) - reply.more_sources] or reply.links
    text = "; ".join(link(item) for item in shown)
    if len(shown) < len(reply.links):
        text += f" and {reply.more_sources} more"
    return text


def ask_choices(reply: Reply) -> list[Action]:
    """Return the re-ask choices of a 'which program?' reply, in the order they are numbered."""
    return [a for a in reply.actions if a.kind == "ask"]


def has_more(reply: Reply) -> bool:
    """Return True when the reply has a 'More' part to show on request."""
    return any(a.kind == "more" for a in reply.actions)


# Heads the runners-up offered next to an answer given below the answer line.
NOT_WHAT_YOU_ASKED = "Not what you asked? You may have meant:"


def _hints(reply: Reply) -> list[str]:
    """Return what to type for the reply's buttons: 'more', or the quiz's 'next'."""
    hints = [MORE_HINT] if has_more(reply) else []
    if any(a.kind == "quiz_next" for a in reply.actions):
        hints.append(QUIZ_HINT)
    return hints


def render_text(reply: Reply, *, width_rule: int = 0) -> str:
    """Return *reply* as tidy plain text."""
    out: list[str] = []
    if reply.title:
        out.append(reply.title)
        if width_rule:
            out.append("-" * min(len(reply.title), width_rule))
    for fact in reply.facts:
        out.append(f"{fact.label}: {fact.value}")
    if reply.facts:
        out.append("")
    for section in reply.sections:
        if section.heading:
            out.append(f"== {section.heading}")
        out.append(section.text)
        out.append("")
    if reply.suggestions:
        if reply.kind == "answer":
            out.append(NOT_WHAT_YOU_ASKED)
        out.extend(f"  {n}. {s.question}" for n, s in enumerate(reply.suggestions, 1))
        out.append("")
    elif choices := ask_choices(reply):
        out.extend(f"  {n}. {a.label}" for n, a in enumerate(choices, 1))
        out.append("")
    out.extend(_hints(reply))
    # A "did you mean" numbers its FAQ buttons above; an answer or a decline lists them.
    follow_ups = [a.label for a in reply.actions if a.kind == "faq" and reply.kind != "suggest"]
    if follow_ups:
        out.append("Related: " + " | ".join(follow_ups))
    source = source_text(reply)
    if source:
        out.append(f"Source: {source}")
    return "\n".join(out).strip() + "\n"
