"""The command line: ask (single and batch JSON), chat, and the knowledge schema file."""

from __future__ import annotations

import io
import json
import platform
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

from bot import heap
from bot.__main__ import _whole
from bot.adapters.terminal import run_chat
from bot.conversation.access import AccessRules
from bot.conversation.admin import KnowledgeAdmin
from bot.conversation.service import ConversationService
from bot.core.bot import Bot
from bot.core.loading import knowledge_files
from bot.core.replies import split_answer
from bot.core.reply import Message
from bot.core.schema import SCHEMA_COMMENT, SCHEMA_FILE, knowledge_schema_text
from bot.core.store import KnowledgeStore
from bot.render.text import render_text
from tests.conftest import BUNDLED

ASK_KEYS = {
    "answered",
    "answer",
    "faq_id",
    "matched_question",
    "score",
    "suggestions",
    "source",
    "program",
    "attribute",
}


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ask_json_answers_with_source() -> None:
    """`ask --json` answers a clear question with the FAQ, its question and its source."""
    result = _cli("ask", "--json", "what do I get when I pass the FOCP?")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert set(data) == ASK_KEYS
    assert data["answered"] is True
    assert "badge" in data["answer"]
    assert data["faq_id"]
    assert data["matched_question"]
    assert "FinOps Foundation FOCP training page" in data["source"]
    assert data["program"] is None
    assert data["attribute"] is None
    assert 0 <= data["score"] <= 100


def test_ask_json_answers_attribute_questions_from_program_facts() -> None:
    """An attribute question is answered from the named program's facts, with both keys set."""
    result = _cli("ask", "--json", "how long is the FOCP exam?")
    data = json.loads(result.stdout)
    assert data["answered"] is True
    assert (data["program"], data["attribute"]) == ("focp", "exam_length")
    assert data["answer"].splitlines()[1].startswith("60 minutes")
    assert "Third-party prep sites, 2026" in data["source"]
    assert data["faq_id"] is None


def test_ask_batch_keeps_order_and_declines() -> None:
    """`ask --json -` writes one JSON object per stdin line, in order."""
    questions = ["how much does the focp exam cost", "who is bringing donuts on friday", ""]
    result = _cli("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    assert all(set(obj) == ASK_KEYS for obj in lines)
    assert lines[0]["answered"] is True
    assert "300" in lines[0]["answer"]
    assert lines[1]["answered"] is False
    assert lines[1]["faq_id"] is None
    assert "FinOps certifications" in lines[1]["answer"]
    assert lines[2]["answered"] is False


def test_ask_plain_text() -> None:
    """`ask` without --json prints the answer as readable text with its source."""
    result = _cli("ask", "what", "does", "the", "FOCP", "exam", "cost?")
    assert result.returncode == 0
    assert "300" in result.stdout
    assert "Source:" in result.stdout


def test_ask_prints_a_split_answer_whole(bundled_store: KnowledgeStore) -> None:
    """The command line shows an answer's first part and its "More" part as the one text
    they were, with no blank line where they were cut (often inside a list)."""
    bot = Bot(bundled_store)
    whole = 0
    for faq in bundled_store.current.knowledge.faqs.values():
        first, rest = split_answer(faq.answer)
        if faq.more or not rest or f"{first}\n{rest}" != faq.answer:
            continue  # not cut at a line: the parts were joined by a space
        assert faq.answer in render_text(_whole(bot.faq(faq.id))), faq.id
        whole += 1
    assert whole > 50


def test_ask_reads_a_message_as_the_chat_does() -> None:
    """A path asked in words gets the path, as in the chat; "help" gets the help."""
    path = _cli("ask", "hi! I do data engineering, which learning path fits me best?")
    assert path.returncode == 0
    assert "Certification path for Data Engineer" in path.stdout
    assert "FinOps certification guide" in _cli("ask", "help").stdout


def test_broken_knowledge_dir_exits_two_with_problems(tmp_path: Path) -> None:
    """Starting on broken knowledge prints the problems and exits 2, without a traceback."""
    kb = tmp_path
    (kb / "faqs.yaml").write_text("faqs: [\n")
    result = _cli("ask", "--knowledge", str(kb), "hello")
    assert result.returncode == 2
    assert "faqs.yaml:2: YAML syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_chat_session(bundled_store: KnowledgeStore) -> None:
    """The terminal chat answers, offers choices that a number picks, and quits."""
    conversation = ConversationService(
        Bot(bundled_store),
        AccessRules(admins=frozenset({"local"})),
        verbs=KnowledgeAdmin(bundled_store).verbs(),
    )
    out = io.StringIO()
    lines = [
        "how long is the focp exam?",
        "/finops-path sre 3 years --program architect",
        "admin status",
        "quit",
        "never read",
    ]
    run_chat(conversation, lines, out.write)
    text = out.getvalue()
    assert "60" in text
    assert "Certification path for Site Reliability Engineer" in text
    assert f"Knowledge version {bundled_store.current.version}" in text
    assert "never read" not in text


def test_chat_more_opens_a_paths_detail_once(bundled_store: KnowledgeStore) -> None:
    """'more' after a path shows why, the prep plans and the mistakes to avoid; 'more'
    again says that was all, instead of matching "more" as a question."""
    conversation = ConversationService(Bot(bundled_store), AccessRules(admins=frozenset()))
    out = io.StringIO()
    run_chat(conversation, ["/finops-path sre 3 years", "more", "more"], out.write)
    text = out.getvalue()
    assert text.count("Say 'more' for details.") == 1
    assert "Prep, 7 days" in text
    assert text.rstrip().endswith("That was the whole answer; ask me something else about it.")
    assert "Sorry, I don't know that one." not in text


def test_chat_numbers_without_a_list_say_so(bundled_store: KnowledgeStore) -> None:
    """A number with no list, or past the list's end, says so and how to ask; never 'Sorry'."""
    bot = Bot(bundled_store)
    conversation = ConversationService(bot, AccessRules())
    out = io.StringIO()
    run_chat(conversation, ["2"], out.write)
    assert "There's no list to pick a number from right now." in out.getvalue()
    assert "Sorry, I don't know that one." not in out.getvalue()
    suggest = bot.handle(Message("how much does recertification cost"))
    assert suggest.kind == "suggest"
    many = len(suggest.suggestions)
    out = io.StringIO()
    run_chat(conversation, ["how much does recertification cost", str(many + 1), "1"], out.write)
    text = out.getvalue()
    assert f"There are {many} choices: type a number from 1 to {many}." in text
    # The list is kept: "1" still picks its first choice.
    first = bot.faq(suggest.suggestions[0].faq_id)
    assert text.rstrip().endswith(render_text(first, width_rule=72).rstrip())


def test_chat_command_over_a_pipe() -> None:
    """`finops-bot chat` reads stdin to EOF and answers each line."""
    result = _cli("chat", stdin="hi\nhow often do I need to recertify?\n")
    assert result.returncode == 0
    assert "finops-bot terminal chat" in result.stdout
    assert "2 years" in result.stdout


def test_every_knowledge_file_points_at_the_schema() -> None:
    """Each knowledge file starts with the yaml-language-server schema line."""
    for path in knowledge_files(BUNDLED):
        assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_COMMENT, path.name


def test_committed_schema_is_current() -> None:
    """knowledge/knowledge.schema.json matches the models (regenerate it when they change)."""
    committed = (BUNDLED / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == knowledge_schema_text()


def test_bundled_files_validate_against_the_json_schema() -> None:
    """The JSON Schema editors use accepts every bundled file, so editors show no false errors."""
    schema = json.loads((BUNDLED / SCHEMA_FILE).read_text(encoding="utf-8"))
    for path in knowledge_files(BUNDLED):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


QUIZ_KEYS = {"id", "cert", "domain", "question", "choices", "answer", "explanation", "source"}


def test_quiz_json_prints_the_whole_bank(bundled_store: KnowledgeStore) -> None:
    """`quiz --json` lists every question with the 0-based index of its right choice."""
    result = _cli("quiz", "--json")
    assert result.returncode == 0, result.stderr
    bank = json.loads(result.stdout)
    knowledge = bundled_store.current.knowledge
    assert len(bank) == sum(len(b.questions) for b in knowledge.quiz.values())
    assert all(set(q) == QUIZ_KEYS for q in bank)
    first = next(q for q in bank if q["id"] == "focp-wf-01")
    assert first["choices"][first["answer"]] == "Six"
    assert first["cert"] == "focp"
    assert first["source"] in knowledge.sources


def test_quiz_json_for_one_cert_and_an_unknown_one() -> None:
    """--cert keeps one program's questions; an unknown program exits 1 with an error."""
    result = _cli("quiz", "--json", "--cert", "architect")
    bank = json.loads(result.stdout)
    assert len(bank) >= 15
    assert {q["cert"] for q in bank} == {"architect"}
    unknown = _cli("quiz", "--json", "--cert", "nope")
    assert unknown.returncode == 1
    assert "no practice questions for 'nope'" in json.loads(unknown.stderr)["error"]


def test_chat_quiz_round(bundled_store: KnowledgeStore) -> None:
    """In the terminal, numbers or letters answer a practice question and 'next' asks
    another."""
    conversation = ConversationService(Bot(bundled_store), AccessRules(admins=frozenset()))
    out = io.StringIO()
    first = bundled_store.current.knowledge.quiz["focp"].questions
    lines = ["/finops-quiz focp", "9", "1", "next", "z", "(b)", "progress"]
    run_chat(conversation, lines, out.write)
    text = out.getvalue()
    assert text.count("Type a number from 1 to 4 to answer.") == 2  # "9", then "z"
    assert text.count("Right!") + text.count("Not quite.") == 2  # "1", then "(b)"
    assert text.count("Pick the number of your answer.") == 2
    assert "Your practice: FinOps Certified Practitioner (FOCP)" in text
    assert f"2 of {len(first)}" in text


def test_ask_with_context_resolves_a_follow_up() -> None:
    """`--context` gives a follow-up its conversation: the price asked is FOCE's."""
    followed = _cli("ask", "--json", "--context", "tell me about FOCE", "how much is it?")
    alone = _cli("ask", "--json", "how much is it?")
    assert followed.returncode == 0
    answer = json.loads(followed.stdout)
    assert answer["answered"] is True
    assert answer["program"] == "foce"
    assert json.loads(alone.stdout).get("program") != "foce"


def test_ask_picks_a_number_from_the_last_context_replys_list() -> None:
    """ "1" after "how much is it?" (which certification?) picks the first choice, as the
    chat does; the command line had answered "there's no list to pick a number from"."""
    picked = _cli("ask", "--json", "--context", "how much is it?", "1")
    assert picked.returncode == 0
    answer = json.loads(picked.stdout)
    assert (answer["answered"], answer["program"], answer["attribute"]) == (True, "focp", "price")


def test_a_closed_pipe_ends_quietly() -> None:
    """`finops-bot quiz --json | head -1`: no traceback when the reader stops early."""
    root = Path(__file__).resolve().parent.parent
    command = f"{sys.executable} -m bot quiz --json | head -1"
    result = subprocess.run(  # noqa: S602 - a fixed command line: the pipe is the point
        command, shell=True, cwd=root, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "["
    assert "Traceback" not in result.stderr


def test_serve_caps_the_c_heap_arenas_where_glibc_allows_it() -> None:
    """On glibc the arena cap is applied (it saved 12 MiB under load); elsewhere it is a no-op."""
    assert heap.limit_arenas() is (platform.libc_ver()[0] == "glibc")
    heap.trim()  # hands free pages back, or does nothing: never raises


def test_ask_with_a_path_as_context_reads_a_position_in_its_list(
    bundled_store: KnowledgeStore,
) -> None:
    """`--context "/finops-path sre 3 years" "how much is the first one?"`: its first program."""
    listed = Bot(bundled_store).path("sre 3 years").listed
    followed = _cli(
        "ask", "--json", "--context", "/finops-path sre 3 years", "how much is the first one?"
    )
    answer = json.loads(followed.stdout)
    assert (answer["program"], answer["attribute"]) == (listed[0], "price")


def test_ask_says_where_plans_and_practice_run() -> None:
    """`ask "/finops-plan focp ..."` keeps nothing per person: it says where plans and
    practice questions run, instead of the usage alone as if the request were wrong."""
    for request in ("/finops-plan focp 2027-03-01 4h", "/finops-quiz focp"):
        result = _cli("ask", request)
        assert result.returncode == 0
        assert "kept per person, so they run in a conversation" in result.stdout
        assert "finops-bot chat" in result.stdout
