"""`finops-bot validate`: every kind of problem reported as `path:line: message`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.conftest import BUNDLED, DATA

# One broken fixture directory per kind of problem: its files are laid over the good fixture.
EXPECTED = {
    "yaml-syntax": [
        "kb/faqs.yaml:4: YAML syntax error at column 26: "
        "mapping values are not allowed in this context"
    ],
    "unknown-key": ["kb/roles.yaml:4: roles[0] (sre): unknown key 'nickname'"],
    "missing-key": ["kb/roles.yaml:2: roles[0] (sre): missing key 'name'"],
    "wrong-type": [
        "kb/roles.yaml:4: roles[0] (sre).aliases: expected a list",
        "kb/roles.yaml:5: roles[0] (sre).path: expected text",
    ],
    "duplicate-id": [
        "kb/more-faqs.yaml:2: duplicate id 'exam-price' (first defined at kb/faqs.yaml:9)"
    ],
    "unknown-level": [
        "kb/roles-table.yaml:15: role 'sre' recommends unknown level 'other-two' in program 'other'"
    ],
    "bad-take-after": [
        "kb/order.yaml:7: program 'later' is to be taken after itself",
        "kb/order.yaml:7: program 'later' take_after refers to unknown program 'no-such-program'",
    ],
    "unknown-followup": [
        "kb/more-faqs.yaml:5: faq 'exam-online' follow-up refers to unknown faq 'exam-retakes'"
    ],
    "bad-items": [
        "kb/more-faqs.yaml:5: faq 'exam-online' item refers to unknown faq 'exam-at-home'",
        "kb/more-faqs.yaml:5: faq 'exam-online' lists itself among its items",
    ],
    "empty-answer": ["kb/more-faqs.yaml:4: faqs[0] (exam-online): empty answer"],
    "shared-alternate": [
        "kb/more-faqs.yaml:4: phrasing 'Exam Fee!' of faq 'exam-online' is also used by "
        "faq 'exam-price' (kb/faqs.yaml:11)"
    ],
    "bad-facts": [
        "kb/facts.yaml:17: program 'facts-program' has two current 'price' facts",
        "kb/facts.yaml:19: program 'facts-program' fact refers to unknown source 'nowhere'",
        "kb/facts.yaml:20: program 'facts-program' has 'pass_mark' facts but none is current",
    ],
    "bad-domains": [
        "kb/domains.yaml:13: program 'domains-program' exam domain weights add up to 90, not 100",
        "kb/domains.yaml:17: program 'domains-program' exam domain 'first' refers to unknown faq "
        "'no-such-faq'",
        "kb/domains.yaml:22: program 'domains-program' exam domain 'second' refers to unknown "
        "source 'nowhere'",
    ],
    "bad-language-programs": [
        "kb/language.yaml:2: usual_program: unknown program 'no-such-program'",
        "kb/language.yaml:4: followup_names: unknown program 'missing-program'",
        "kb/language.yaml:8: cloud topic 'budgets' refers to unknown faq 'no-such-faq'",
        "kb/language.yaml:12: concept kind 'persona' refers to unknown faq 'no-such-persona'",
    ],
    "synonym-chain": [
        "kb/language.yaml:4: synonym 'principals' means 'principles', itself a synonym of "
        "'principle': point it at 'principle'"
    ],
    "shared-cue": ["kb/language.yaml:8: cue 'Fee' is used by attributes 'price' and 'exam_length'"],
    "duplicate-key": ["kb/more-faqs.yaml:5: duplicate key 'answer'"],
    "alias-bomb": [
        "kb/bomb.yaml:1: document expands to more than 200000 nodes (YAML alias bomb?); refused"
    ],
    "not-a-mapping": [
        "kb/list.yaml:1: top level must be a mapping with sections: "
        "sources, programs, roles, providers, faqs, language, quiz"
    ],
    "bad-quiz": [
        "kb/quiz.yaml:3: quiz 'prog' domain weights must be given for all and sum to 100",
        "kb/quiz.yaml:10: quiz question 'q-one' repeats the choice '60 Minutes!'",
        "kb/quiz.yaml:11: quiz question 'q-one' answer 3 is out of range (0-2)",
        "kb/quiz.yaml:15: duplicate id 'q-one' (first defined at kb/quiz.yaml:7)",
        "kb/quiz.yaml:16: quiz question 'q-one' refers to unknown domain 'history' of quiz 'prog'",
        "kb/quiz.yaml:21: quiz question 'q-one' refers to unknown source 'nowhere'",
        "kb/quiz.yaml:22: quiz question 'q-one' refers to unknown faq 'exam-cost'",
        "kb/quiz.yaml:23: quiz refers to unknown program 'missing-program'",
    ],
    "quiz-two-choices": [
        "kb/quiz.yaml:9: quiz[0].questions[0] (q-two).choices: "
        "list should have at least 3 items, not 2"
    ],
}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


@pytest.fixture(name="in_tmp")
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in *tmp_path* with a copy of the good fixture at ./kb."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(DATA / "good", tmp_path / "kb")
    return tmp_path


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_problem_kind_is_reported_exactly(
    kind: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken fixture prints exactly its problems as path:line: message and exits 1."""
    for broken in (DATA / "broken" / kind).iterdir():
        shutil.copy(broken, in_tmp / "kb" / broken.name)
    code, lines, err = _run(capsys, "kb")
    assert lines == EXPECTED[kind]
    assert code == 1
    assert f"{len(EXPECTED[kind])} problem(s) found in kb" in err
    assert "Traceback" not in err


def test_every_problem_is_listed_not_only_the_first(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Problems in several files are all reported in one run."""
    for kind in ("unknown-key", "empty-answer"):
        for broken in (DATA / "broken" / kind).iterdir():
            shutil.copy(broken, in_tmp / "kb" / broken.name)
    code, lines, _ = _run(capsys, "kb")
    assert code == 1
    assert lines == EXPECTED["empty-answer"] + EXPECTED["unknown-key"]


def test_clean_directory_exits_zero(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A valid directory prints OK with counts and exits 0."""
    code, lines, _ = _run(capsys, "kb")
    assert code == 0
    assert lines[0].startswith("kb: OK (version ")
    assert "2 faqs" in lines[0]


def test_validate_checks_the_directory_serve_would_load(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like every other command, validate reads --knowledge, else KNOWLEDGE_DIR: a pre-deploy
    check of a custom directory never passes on the bundled one instead."""
    shutil.copytree(DATA / "broken" / "empty-answer", in_tmp / "kb", dirs_exist_ok=True)
    monkeypatch.setenv("KNOWLEDGE_DIR", "kb")
    assert _run(capsys, "--knowledge", "kb")[:2] == (1, EXPECTED["empty-answer"])
    assert _run(capsys)[:2] == (1, EXPECTED["empty-answer"])
    monkeypatch.setenv("KNOWLEDGE_DIR", "")
    code, lines, _ = _run(capsys)
    assert code == 0
    assert lines[0].startswith(f"{BUNDLED}: OK (version ")


def test_missing_directory_exits_two(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A directory that does not exist is exit code 2 with a one-line message."""
    code, lines, err = _run(capsys, "nowhere")
    assert code == 2
    assert lines == []
    assert err.strip() == "nowhere: knowledge directory not found"


def test_oversized_file_is_refused_fast(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file over the 1 MiB limit is refused without being parsed."""
    (in_tmp / "kb" / "huge.yaml").write_text("faqs:\n" + "# padding\n" * 120_000)
    start = time.perf_counter()
    code, lines, _ = _run(capsys, "kb")
    assert time.perf_counter() - start < 2
    assert code == 1
    assert lines == ["kb/huge.yaml:1: file is 1200006 bytes, over the 1048576-byte limit"]


def test_alias_bomb_is_refused_fast(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A billion-laughs document is refused in well under a second."""
    shutil.copy(DATA / "broken" / "alias-bomb" / "bomb.yaml", in_tmp / "kb" / "bomb.yaml")
    start = time.perf_counter()
    code, _, _ = _run(capsys, "kb")
    assert code == 1
    assert time.perf_counter() - start < 1


def test_python_tags_are_not_constructed(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A !!python tag is a YAML error under the safe loader, never executed."""
    (in_tmp / "kb" / "evil.yaml").write_text("faqs: !!python/object/apply:os.system ['true']\n")
    code, lines, _ = _run(capsys, "kb")
    assert code == 1
    assert lines[0].startswith("kb/evil.yaml:1: YAML error: could not determine a constructor")


def test_binary_junk_is_a_problem_not_a_crash(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that is not UTF-8 text is reported with its line."""
    (in_tmp / "kb" / "junk.yaml").write_bytes(b"faqs:\n\xff\xfe\x00junk\n")
    code, lines, _ = _run(capsys, "kb")
    assert code == 1
    assert lines == ["kb/junk.yaml:2: not valid UTF-8 text"]


def test_bundled_knowledge_validates(capsys: pytest.CaptureFixture[str]) -> None:
    """The knowledge shipped with the bot is clean."""
    code, lines, err = _run(capsys, str(BUNDLED))
    assert code == 0, "\n".join(lines) + err


# A link to /proc/self/mem is a "regular file" that raises EIO on read, even for root (the
# tests run as root, so chmod 000 would not stop anything).
UNREADABLE = {
    "read-error": (
        lambda p: p.symlink_to("/proc/self/mem"),
        "kb/x.yaml:1: cannot read the file: Input/output error",
    ),
    "fifo": (os.mkfifo, "kb/x.yaml:1: not a regular file (a FIFO); remove it"),
    "directory": (lambda p: p.mkdir(), "kb/x.yaml:1: not a regular file (a directory); remove it"),
    "dangling-link": (
        lambda p: p.symlink_to("gone.yaml"),
        "kb/x.yaml:1: cannot read the file: No such file or directory",
    ),
}


@pytest.mark.parametrize("kind", sorted(UNREADABLE))
def test_a_file_that_cannot_be_read_is_a_problem_not_a_traceback(kind: str, in_tmp: Path) -> None:
    """Read errors and special files come back as `path:line: message`; a FIFO never hangs."""
    make, expected = UNREADABLE[kind]
    make(in_tmp / "kb" / "x.yaml")
    # A subprocess with a deadline: a loader that opened the FIFO would block forever.
    done = subprocess.run(
        [sys.executable, "-m", "bot", "validate", "kb"],
        cwd=in_tmp,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert done.stdout.splitlines() == [expected]
    assert done.returncode == 1
    assert "1 problem(s) found in kb" in done.stderr


def test_serve_with_an_unreadable_file_exits_two_without_a_traceback(in_tmp: Path) -> None:
    """`serve` on knowledge it cannot read lists the problem and stops (exit 2) at once."""
    (in_tmp / "kb" / "x.yaml").symlink_to("/proc/self/mem")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": "http://127.0.0.1:9/api",
        "KNOWLEDGE_DIR": "kb",
        "FINOPS_STATE_FILE": str(in_tmp / "state.json"),
        "FINOPS_DB_PATH": str(in_tmp / "finops.db"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"],
        cwd=in_tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert "kb/x.yaml:1: cannot read the file: Input/output error" in done.stderr
    assert done.returncode == 2
