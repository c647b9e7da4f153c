"""Plain-text rendering: the terminal chat, CLI output and every platform's fallback text."""

from __future__ import annotations

from bot.core.reply import Reply

# Heads the runners-up offered next to an answer given below the answer line.
NOT_WHAT_YOU_ASKED = "Not what you asked? You may have meant:"


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
    follow_ups = [a.label for a in reply.actions if a.kind == "faq" and reply.kind == "answer"]
    if follow_ups:
        out.append("Related: " + " | ".join(follow_ups))
    if reply.source:
        out.append(f"Source: {reply.source}")
    return "\n".join(out).strip() + "\n"
