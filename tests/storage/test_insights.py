"""The pure admin views: stats, unanswered grouping, stale answers, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.insights import (
    AskedQuestion,
    ExportRow,
    FaqCount,
    FaqVotes,
    Stats,
    export_csv,
    export_reply,
    group_questions,
    outcome_of,
    parse_days,
    stale_faqs,
    stale_reply,
    stats_reply,
    unanswered_reply,
)
from bot.core.knowledge import KnowledgeError
from bot.core.matching import MatchSettings
from bot.core.replies import decline_reply
from bot.core.reply import Reply
from bot.core.store import KnowledgeStore
from bot.render.text import render_text

T0 = datetime(2026, 6, 1, 12, 0)


def test_outcome_and_days_parsing() -> None:
    """Only FAQ replies have an outcome; `[days]` is optional, clamped, and must be a number."""
    assert outcome_of(decline_reply()) == "declined"
    assert outcome_of(Reply(kind="path")) is None
    assert parse_days("") == 30
    assert parse_days(" 7 ") == 7
    assert parse_days("0") == 1
    assert parse_days("99999") == 3650
    assert parse_days("week") is None


def test_stats_reply_reads_like_a_report(bundled_store: KnowledgeStore) -> None:
    """Rates, top FAQs by their question, and the most 👎, in neutral text."""
    knowledge = bundled_store.current.knowledge
    faq_id = next(iter(knowledge.faqs))
    stats = Stats(
        days=7,
        answered=6,
        suggested=2,
        declined=2,
        top_faqs=(FaqCount(faq_id, 6),),
        most_down=(FaqVotes("gone-faq", 1, 3),),
        votes_up=1,
        votes_down=3,
        platforms=(("slack", 10),),
    )
    text = render_text(stats_reply(stats, knowledge))
    assert "Stats for the last 7 days" in text
    assert "6 (60%)" in text
    assert "2 (20%)" in text
    assert f"6× {knowledge.faqs[faq_id].question} ({faq_id})" in text
    assert "👎 3 / 👍 1: gone-faq (no longer in the knowledge)" in text
    assert "No questions" in render_text(stats_reply(Stats(days=1), knowledge))


def test_similar_questions_are_grouped_with_their_nearest_faq(
    bundled_store: KnowledgeStore,
) -> None:
    """Near-identical wordings fall together, most frequent group first, with the nearest FAQ."""
    snap = bundled_store.current
    asked = [
        AskedQuestion("can I take the FOCP exam on a tablet?", "declined", 30.0, T0),
        AskedQuestion("Can I take the FOCP exam on a tablet", "declined", 31.0, T0 + timedelta(1)),
        AskedQuestion("can i take the focp exam on my tablet??", "suggested", 50.0, T0),
        AskedQuestion("who is bringing donuts on friday", "declined", 0.0, T0),
    ]
    groups = group_questions(asked, snap.index, MatchSettings())
    assert [g.count for g in groups] == [3, 1]
    top = groups[0]
    assert top.text == "Can I take the FOCP exam on a tablet"  # the most recent wording
    assert dict(top.outcomes) == {"declined": 2, "suggested": 1}
    assert top.last_asked == T0 + timedelta(1)
    assert top.nearest is not None
    assert top.nearest.faq_id in snap.knowledge.faqs
    text = render_text(unanswered_reply(groups, 30))
    assert "4 question(s) in 2 group(s)" in text
    assert f"Nearest FAQ: {top.nearest.faq_id}" in text
    assert "No declined" in render_text(unanswered_reply([], 30))


def test_stale_faqs_never_reviewed_first_then_most_overdue(kb_dir: Path) -> None:
    """No date counts as overdue; review_days overrides the 90-day default."""
    faqs = kb_dir / "faqs.yaml"
    text = faqs.read_text()
    text = text.replace(
        "    question: How long is the exam?\n",
        "    question: How long is the exam?\n    last_reviewed: 2026-01-10\n",
    )
    text = text.replace(
        "    question: How much does the exam cost?\n",
        "    question: How much does the exam cost?\n"
        "    last_reviewed: '2026-05-01'\n    review_days: 365\n",
    )
    faqs.write_text(text)
    knowledge = KnowledgeStore.open(kb_dir).current.knowledge
    assert knowledge.faqs["exam-length"].last_reviewed == "2026-01-10"  # unquoted YAML date
    today = date(2026, 6, 1)
    stale = stale_faqs(knowledge, today)
    assert [s.faq_id for s in stale] == ["exam-length"]
    assert stale[0].days_overdue(today) == (today - date(2026, 4, 10)).days
    shown = render_text(stale_reply(stale, len(knowledge.faqs), today))
    assert "1 of 2 FAQs are due for review: 1 overdue, 0 never reviewed" in shown
    assert "exam-length: reviewed 2026-01-10" in shown
    assert stale_faqs(knowledge, date(2026, 4, 9)) == []
    assert "All 2 FAQs" in render_text(stale_reply([], 2, today))


def test_bad_review_dates_are_reported_with_their_line(kb_dir: Path) -> None:
    """2026-02-30 matches the pattern but is no date: the validator says where."""
    faqs = kb_dir / "faqs.yaml"
    faqs.write_text(
        faqs.read_text().replace(
            "    question: How long is the exam?\n",
            "    question: How long is the exam?\n    last_reviewed: '2026-02-30'\n",
        )
    )
    with pytest.raises(KnowledgeError) as caught:
        KnowledgeStore.open(kb_dir)
    problems = [str(p) for p in caught.value.problems]
    assert any("faqs.yaml:4" in p and "last_reviewed" in p for p in problems), problems


def test_export_csv_is_hashed_and_formula_safe() -> None:
    """Header plus one row per question; text that a spreadsheet would run is defused."""
    rows = [
        ExportRow(T0, "slack", "dm", "ab" * 32, "declined", None, 12.0, "v1", "=HYPERLINK(x)"),
        ExportRow(T0, "teams", "dm", "cd" * 32, "answered", "exam-length", 80.5, "v1", None),
    ]
    content = export_csv(rows)
    parsed = list(csv.reader(io.StringIO(content)))
    assert parsed[0][:3] == ["asked_at_utc", "platform", "via"]
    assert parsed[1][-1] == "'=HYPERLINK(x)"
    assert parsed[2][-1] == ""
    assert parsed[2][6] == "80.5"
    reply = export_reply(content, 2, 30, date(2026, 6, 1))
    assert reply.attachment is not None
    assert reply.attachment.filename == "finops-questions-2026-06-01-30d.csv"
    assert "2 recorded question(s)" in render_text(reply)
