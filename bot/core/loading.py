"""Load a knowledge directory: parse every file, validate it, check cross-references."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from yaml.nodes import Node

from bot.core.knowledge import Knowledge, KnowledgeError, MissingKnowledgeDirError, Problem
from bot.core.models import Faq, KnowledgeFile, Language, Program, QuizBank
from bot.core.yamlsafe import MAX_FILE_BYTES, YamlError, line_of, parse_yaml

SECTIONS = tuple(KnowledgeFile.model_fields)
# The knowledge that ships with the bot: every command's default directory.
BUNDLED_KNOWLEDGE = Path(__file__).resolve().parent.parent.parent / "knowledge"


@dataclass(frozen=True)
class _Loaded:
    """One file that parsed and validated, with its node tree for line numbers."""

    path: str
    model: KnowledgeFile
    node: Node | None

    def line(self, *loc: int | str) -> int:
        """Return the line of the value at *loc* in this file."""
        return line_of(self.node, loc)


def knowledge_files(directory: Path) -> list[Path]:
    """Return the knowledge files of *directory* in a stable order.

    Every entry named *.yaml/*.yml is listed, files or not: one that is not a readable
    regular file is reported by load_knowledge rather than silently left out.
    """
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))


def load_knowledge(directory: Path | str, *, max_file_bytes: int = MAX_FILE_BYTES) -> Knowledge:
    """Load and validate *directory*; raise KnowledgeError listing every problem found."""
    directory = Path(directory)
    if not directory.is_dir():
        raise MissingKnowledgeDirError(
            (Problem(str(directory), 0, "knowledge directory not found"),)
        )
    problems: list[Problem] = []
    loaded: list[_Loaded] = []
    digest = hashlib.sha256()
    try:
        files = knowledge_files(directory)
    except OSError as exc:
        files = []
        problems.append(Problem(str(directory), 0, f"cannot list the directory: {_why(exc)}"))
    if not files and not problems:
        problems.append(Problem(str(directory), 0, "no .yaml files in the knowledge directory"))
    for path in files:
        shown = str(path)
        raw = _read(path, shown, max_file_bytes, problems)
        if raw is None:
            continue
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        item = _parse_file(shown, raw, problems)
        if item is not None:
            loaded.append(item)
    if not problems:
        problems.extend(_cross_check(loaded))
    if problems:
        raise KnowledgeError(tuple(sorted(set(problems))))
    return _assemble(loaded, digest.hexdigest()[:12])


def _read(path: Path, shown: str, limit: int, problems: list[Problem]) -> bytes | None:
    """Return the bytes of *path*, or None with a problem when it cannot or must not be read."""
    try:
        # Non-blocking, so a FIFO named x.yaml is opened without waiting for a writer; the
        # type is then checked on the open descriptor (no swap between check and read).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        if path.is_dir():
            problems.append(Problem(shown, 1, "not a regular file (a directory); remove it"))
        else:
            problems.append(Problem(shown, 1, f"cannot read the file: {_why(exc)}"))
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "a special file")
            problems.append(Problem(shown, 1, f"not a regular file ({kind}); remove it"))
            return None
        if info.st_size > limit:
            message = f"file is {info.st_size} bytes, over the {limit}-byte limit"
            problems.append(Problem(shown, 1, message))
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            # One byte past the limit: a file that grows after fstat is still refused.
            raw = handle.read(limit + 1)
    except OSError as exc:
        problems.append(Problem(shown, 1, f"cannot read the file: {_why(exc)}"))
        return None
    finally:
        os.close(fd)
    if len(raw) > limit:
        problems.append(Problem(shown, 1, f"file is over the {limit}-byte limit"))
        return None
    return raw


_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def _why(exc: OSError) -> str:
    """Return the system's reason (e.g. "Permission denied") without repeating the path."""
    return exc.strerror or type(exc).__name__


def _parse_file(shown: str, raw: bytes, problems: list[Problem]) -> _Loaded | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(shown, line, "not valid UTF-8 text"))
        return None
    try:
        parsed = parse_yaml(text)
    except YamlError as exc:
        problems.append(Problem(shown, exc.line, exc.message))
        return None
    for line, key in parsed.duplicate_keys:
        problems.append(Problem(shown, line, f"duplicate key '{key}'"))
    data: Any = parsed.data if parsed.data is not None else {}
    if not isinstance(data, dict):
        problems.append(
            Problem(shown, 1, f"top level must be a mapping with sections: {', '.join(SECTIONS)}")
        )
        return None
    try:
        model = KnowledgeFile.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            problems.append(
                Problem(
                    shown, line_of(parsed.node, loc), _describe(err["type"], loc, err["msg"], data)
                )
            )
        return None
    return _Loaded(shown, model, parsed.node)


def _describe(kind: str, loc: tuple[int | str, ...], msg: str, data: Any) -> str:
    """Turn one pydantic error into a sentence an admin editing YAML understands."""
    where = _where(loc[:-1], data) if loc else "top level"
    last = loc[-1] if loc else ""
    if kind == "missing":
        return f"{where}: missing key '{last}'"
    if kind == "extra_forbidden":
        return f"{where}: unknown key '{last}'"
    if kind == "string_too_short":
        return f"{where}: empty {last}" if isinstance(last, str) else f"{_where(loc, data)}: empty"
    if kind in _TYPE_WORDS:
        return f"{_where(loc, data)}: expected {_TYPE_WORDS[kind]}"
    if kind in ("too_short", "too_long"):
        msg = msg.replace("Tuple", "List").replace(" after validation", "")
    return f"{_where(loc, data)}: {msg[:1].lower() + msg[1:]}"


# pydantic names Python types; an admin editing YAML thinks in lists, text and numbers.
_TYPE_WORDS = {
    "tuple_type": "a list",
    "list_type": "a list",
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "model_type": "a mapping (key: value pairs)",
    "dict_type": "a mapping (key: value pairs)",
    "bool_type": "true or false",
}


def _where(loc: Sequence[int | str], data: Any) -> str:
    """Render *loc* as `faqs[3] (id)`-style text, naming the entry's id when it has one."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
        node = _step(node, part)
        if isinstance(part, int) and isinstance(node, dict) and isinstance(node.get("id"), str):
            out += f" ({node['id']})"
    return out or "top level"


def _step(node: Any, part: int | str) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


_PUNCT = re.compile(r"[^\w\s]")


def normalise_phrase(text: str) -> str:
    """Lower-case *text*, drop punctuation and fold spaces: how phrasings are compared."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def _cross_check(files: list[_Loaded]) -> Iterator[Problem]:
    """Yield problems that only show across files: duplicate ids and dangling references."""
    kinds = ("sources", "programs", "roles", "providers", "faqs", "levels")
    ids: dict[str, dict[str, tuple[str, int]]] = {k: {} for k in kinds}

    def define(kind: str, ident: str, f: _Loaded, loc: tuple[int | str, ...]) -> Iterator[Problem]:
        line = f.line(*loc, "id")
        if ident in ids[kind]:
            first_path, first_line = ids[kind][ident]
            yield Problem(
                f.path, line, f"duplicate id '{ident}' (first defined at {first_path}:{first_line})"
            )
        else:
            ids[kind][ident] = (f.path, line)

    for f in files:
        m = f.model
        for kind in ("sources", "roles", "providers", "faqs"):
            for i, entry in enumerate(getattr(m, kind)):
                yield from define(kind, entry.id, f, (kind, i))
        for i, prog in enumerate(m.programs):
            yield from define("programs", prog.id, f, ("programs", i))
            for j, level in enumerate(prog.levels):
                yield from define("levels", level.id, f, ("programs", i, "levels", j))

    path_kinds = {
        kind
        for f in files
        for p in f.model.programs
        for lp in p.paths
        for kind in (lp.id, *lp.covers)
    }
    phrasings: dict[str, tuple[str, str, int]] = {}
    yield from _check_quiz(files, ids)
    for f in files:
        yield from _check_refs(f, ids, path_kinds)
        yield from _check_phrasings(f, phrasings)
        if f.model.language is not None:
            yield from _check_language(f, f.model.language)
            yield from _check_language_refs(f, f.model.language, ids)


def _check_language_refs(
    f: _Loaded, lang: Language, ids: dict[str, dict[str, tuple[str, int]]]
) -> Iterator[Problem]:
    """The programs and FAQs the language section names exist."""
    for i, program in enumerate(lang.usual_program):
        if program not in ids["programs"]:
            where = f.line("language", "usual_program", i)
            yield Problem(f.path, where, f"usual_program: unknown program '{program}'")
    for key in ("followup_names", "exam_names"):
        for i, entry in enumerate(getattr(lang, key)):
            if entry.program not in ids["programs"]:
                where = f.line("language", key, i, "program")
                yield Problem(f.path, where, f"{key}: unknown program '{entry.program}'")
    # The FAQ lists of the language section: what a cloud decline offers, a concept's kinds.
    faq_lists = (
        (
            "cloud_howto",
            "see_also",
            "cloud topic",
            [(t.topic, t.see_also) for t in lang.cloud_howto],
        ),
        ("concept_kinds", "faqs", "concept kind", [(k.kind, k.faqs) for k in lang.concept_kinds]),
    )
    for section, field, what, entries in faq_lists:
        for i, (name, faq_ids) in enumerate(entries):
            for j, faq_id in enumerate(faq_ids):
                if faq_id not in ids["faqs"]:
                    where = f.line("language", section, i, field, j)
                    message = f"{what} '{name}' refers to unknown faq '{faq_id}'"
                    yield Problem(f.path, where, message)


_Missing = Callable[..., Iterator[Problem]]


def _check_refs(
    f: _Loaded, ids: dict[str, dict[str, tuple[str, int]]], path_kinds: set[str]
) -> Iterator[Problem]:
    """Yield a problem for every reference in *f* to an id that does not exist."""

    def missing(kind: str, ident: str, what: str, *loc: int | str) -> Iterator[Problem]:
        if ident not in ids[kind]:
            yield Problem(f.path, f.line(*loc), f"{what} refers to unknown {kind[:-1]} '{ident}'")

    m = f.model
    for i, prog in enumerate(m.programs):
        yield from _check_program(f, i, prog, missing)
    for i, role in enumerate(m.roles):
        if role.path and role.path not in path_kinds:
            yield Problem(
                f.path,
                f.line("roles", i, "path"),
                f"role '{role.id}' refers to unknown learning path '{role.path}'",
            )
    for i, prov in enumerate(m.providers):
        for j, desc in enumerate(prov.descriptions):
            where = ("providers", i, "descriptions", j, "source")
            yield from missing("sources", desc.source, f"provider '{prov.id}'", *where)
    for i, faq in enumerate(m.faqs):
        yield from _check_faq(f, i, faq, missing)


def _check_program(f: _Loaded, i: int, prog: Program, missing: _Missing) -> Iterator[Problem]:
    here = ("programs", i)
    yield from missing("sources", prog.source, f"program '{prog.id}'", *here, "source")
    orders: set[int] = set()
    for j, level in enumerate(prog.levels):
        lv = (*here, "levels", j)
        if level.order in orders:
            message = f"level '{level.id}' repeats order {level.order}"
            yield Problem(f.path, f.line(*lv, "order"), message)
        orders.add(level.order)
        for k, pre in enumerate(level.prerequisites):
            if pre.requires_level:
                where = (*lv, "prerequisites", k, "requires_level")
                yield from missing("levels", pre.requires_level, f"level '{level.id}'", *where)
        for k, nxt in enumerate(level.next):
            if nxt.level:
                where = (*lv, "next", k, "level")
                yield from missing("levels", nxt.level, f"level '{level.id}' next step", *where)
    yield from _check_take_after(f, here, prog, missing)
    seen_paths: set[str] = set()
    for j, lp in enumerate(prog.paths):
        if lp.id in seen_paths:
            message = f"program '{prog.id}' has learning path '{lp.id}' twice"
            yield Problem(f.path, f.line(*here, "paths", j, "id"), message)
        seen_paths.add(lp.id)
    yield from _check_facts(f, here, prog, missing)
    yield from _check_domains(f, here, prog, missing)
    own_levels = {lv.id for lv in prog.levels}
    for j, rec in enumerate(prog.roles):
        rl = (*here, "roles", j)
        yield from missing("roles", rec.role, f"program '{prog.id}' role table", *rl, "role")
        for k, level_id in enumerate(rec.levels):
            if level_id not in own_levels:
                message = (
                    f"role '{rec.role}' recommends unknown level '{level_id}' "
                    f"in program '{prog.id}'"
                )
                yield Problem(f.path, f.line(*rl, "levels", k), message)


def _check_take_after(
    f: _Loaded, here: tuple[str, int], prog: Program, missing: _Missing
) -> Iterator[Problem]:
    """Yield a problem for each program *prog* is to be taken after that is unknown or itself."""
    for j, before in enumerate(prog.take_after):
        where = (*here, "take_after", j)
        if before == prog.id:
            message = f"program '{prog.id}' is to be taken after itself"
            yield Problem(f.path, f.line(*where), message)
        else:
            yield from missing("programs", before, f"program '{prog.id}' take_after", *where)


def _check_facts(
    f: _Loaded, here: tuple[int | str, ...], prog: Program, missing: _Missing
) -> Iterator[Problem]:
    """Each fact cites a known source; each attribute with facts has exactly one current one."""
    current: dict[str, int] = {}
    for j, fact in enumerate(prog.facts):
        where = (*here, "facts", j)
        yield from missing("sources", fact.source, f"program '{prog.id}' fact", *where, "source")
        if fact.status != "current":
            continue
        if fact.attribute in current:
            message = f"program '{prog.id}' has two current '{fact.attribute}' facts"
            yield Problem(f.path, f.line(*where, "status"), message)
        current[fact.attribute] = j
    for j, fact in enumerate(prog.facts):
        if fact.attribute not in current:
            message = f"program '{prog.id}' has '{fact.attribute}' facts but none is current"
            yield Problem(f.path, f.line(*here, "facts", j, "attribute"), message)
            current[fact.attribute] = j  # report each attribute once


def _check_domains(
    f: _Loaded, here: tuple[int | str, ...], prog: Program, missing: _Missing
) -> Iterator[Problem]:
    """Exam domains cite known sources and FAQs, and their weights add up to 100."""
    for j, dom in enumerate(prog.exam_domains):
        where = (*here, "exam_domains", j)
        what = f"program '{prog.id}' exam domain '{dom.id}'"
        for k, sid in enumerate(dom.sources):
            yield from missing("sources", sid, what, *where, "sources", k)
        for k, fid in enumerate(dom.reading):
            yield from missing("faqs", fid, what, *where, "reading", k)
    total = sum(dom.weight for dom in prog.exam_domains)
    if prog.exam_domains and total != 100:
        message = f"program '{prog.id}' exam domain weights add up to {total}, not 100"
        yield Problem(f.path, f.line(*here, "exam_domains"), message)


def _check_faq(f: _Loaded, i: int, faq: Faq, missing: _Missing) -> Iterator[Problem]:
    here = ("faqs", i)
    for j, sid in enumerate(faq.sources):
        yield from missing("sources", sid, f"faq '{faq.id}'", *here, "sources", j)
    # Follow-ups and list items both name other FAQs; neither may name the FAQ itself.
    refs = (("related", "as related", "follow-up"), ("items", "among its items", "item"))
    for key, itself, kind in refs:
        for j, other in enumerate(getattr(faq, key)):
            if other == faq.id:
                message = f"faq '{faq.id}' lists itself {itself}"
                yield Problem(f.path, f.line(*here, key, j), message)
            else:
                yield from missing("faqs", other, f"faq '{faq.id}' {kind}", *here, key, j)
    if faq.program:
        yield from missing("programs", faq.program, f"faq '{faq.id}'", *here, "program")


def _check_quiz(
    files: list[_Loaded], ids: dict[str, dict[str, tuple[str, int]]]
) -> Iterator[Problem]:
    """Each program has one bank; question ids are unique; every reference and answer holds."""
    banks: dict[str, tuple[str, int]] = {}
    questions: dict[str, tuple[str, int]] = {}
    for f in files:
        for i, bank in enumerate(f.model.quiz):
            here: tuple[int | str, ...] = ("quiz", i)
            line = f.line(*here, "program")
            if bank.program not in ids["programs"]:
                message = f"quiz refers to unknown program '{bank.program}'"
                yield Problem(f.path, line, message)
            if bank.program in banks:
                first = "{}:{}".format(*banks[bank.program])
                message = f"program '{bank.program}' has a second quiz bank (first at {first})"
                yield Problem(f.path, line, message)
            banks.setdefault(bank.program, (f.path, line))
            yield from _check_bank(f, here, bank, ids, questions)


def _check_bank(
    f: _Loaded,
    here: tuple[int | str, ...],
    bank: QuizBank,
    ids: dict[str, dict[str, tuple[str, int]]],
    seen: dict[str, tuple[str, int]],
) -> Iterator[Problem]:
    domains = [d.id for d in bank.domains]
    for j, domain in enumerate(domains):
        if domain in domains[:j]:
            message = f"quiz '{bank.program}' lists domain '{domain}' twice"
            yield Problem(f.path, f.line(*here, "domains", j, "id"), message)
    weights = [d.weight for d in bank.domains if d.weight is not None]
    if weights and (len(weights) != len(domains) or sum(weights) != 100):
        message = f"quiz '{bank.program}' domain weights must be given for all and sum to 100"
        yield Problem(f.path, f.line(*here, "domains"), message)
    for j, q in enumerate(bank.questions):
        at = (*here, "questions", j)
        name = f"quiz question '{q.id}'"
        if q.id in seen:
            first = "{}:{}".format(*seen[q.id])
            message = f"duplicate id '{q.id}' (first defined at {first})"
            yield Problem(f.path, f.line(*at, "id"), message)
        seen.setdefault(q.id, (f.path, f.line(*at, "id")))
        if q.domain not in domains:
            message = f"{name} refers to unknown domain '{q.domain}' of quiz '{bank.program}'"
            yield Problem(f.path, f.line(*at, "domain"), message)
        if q.answer >= len(q.choices):
            message = f"{name} answer {q.answer} is out of range (0-{len(q.choices) - 1})"
            yield Problem(f.path, f.line(*at, "answer"), message)
        plain = [normalise_phrase(c) for c in q.choices]
        for k, choice in enumerate(plain):
            if choice in plain[:k]:
                message = f"{name} repeats the choice '{q.choices[k]}'"
                yield Problem(f.path, f.line(*at, "choices", k), message)
        if q.source not in ids["sources"]:
            message = f"{name} refers to unknown source '{q.source}'"
            yield Problem(f.path, f.line(*at, "source"), message)
        if q.faq is not None and q.faq not in ids["faqs"]:
            message = f"{name} refers to unknown faq '{q.faq}'"
            yield Problem(f.path, f.line(*at, "faq"), message)


def _check_phrasings(f: _Loaded, seen: dict[str, tuple[str, str, int]]) -> Iterator[Problem]:
    """One phrasing (question or alternate) may belong to one FAQ only."""
    for i, faq in enumerate(f.model.faqs):
        mine: set[str] = set()
        phrasings: list[tuple[str, tuple[int | str, ...]]] = [
            (faq.question, ("faqs", i, "question"))
        ]
        phrasings += [(alt, ("faqs", i, "alternates", j)) for j, alt in enumerate(faq.alternates)]
        for text, loc in phrasings:
            key = normalise_phrase(text)
            if key in mine:
                continue
            mine.add(key)
            line = f.line(*loc)
            if key in seen and seen[key][0] != faq.id:
                other, other_path, other_line = seen[key]
                yield Problem(
                    f.path,
                    line,
                    f"phrasing '{text}' of faq '{faq.id}' is also used by faq '{other}' "
                    f"({other_path}:{other_line})",
                )
            else:
                seen[key] = (faq.id, f.path, line)


def _check_language(f: _Loaded, lang: Language) -> Iterator[Problem]:
    terms: dict[str, str] = {}
    for i, syn in enumerate(lang.synonyms):
        term = normalise_phrase(syn.term)
        if term in terms and terms[term] != syn.means:
            yield Problem(
                f.path,
                f.line("language", "synonyms", i, "term"),
                f"synonym '{syn.term}' is defined twice with different meanings",
            )
        terms[term] = syn.means
    for i, syn in enumerate(lang.synonyms):
        means = normalise_phrase(syn.means)
        if means in terms and normalise_phrase(terms[means]) != means:
            # Synonyms are replaced once: a chain leaves the middle word unreplaced.
            yield Problem(
                f.path,
                f.line("language", "synonyms", i, "means"),
                f"synonym '{syn.term}' means '{syn.means}', itself a synonym of "
                f"'{terms[means]}': point it at '{terms[means]}'",
            )
    attributes: set[str] = set()
    cues: dict[str, str] = {}
    for i, entry in enumerate(lang.attributes):
        if entry.attribute in attributes:
            where = f.line("language", "attributes", i, "attribute")
            yield Problem(f.path, where, f"attribute '{entry.attribute}' is listed twice")
        attributes.add(entry.attribute)
        for j, cue in enumerate(entry.cues):
            key = normalise_phrase(cue)
            if cues.get(key, entry.attribute) != entry.attribute:
                where = f.line("language", "attributes", i, "cues", j)
                message = f"cue '{cue}' is used by attributes '{cues[key]}' and '{entry.attribute}'"
                yield Problem(f.path, where, message)
            cues.setdefault(key, entry.attribute)


def _assemble(files: list[_Loaded], version: str) -> Knowledge:
    def collect(kind: str) -> dict[str, Any]:
        return {e.id: e for f in files for e in getattr(f.model, kind)}

    merged: dict[str, list[Any]] = {k: [] for k in Language.model_fields}
    for f in files:
        if f.model.language is not None:
            for key, items in merged.items():
                items.extend(getattr(f.model.language, key))
    return Knowledge(
        version=version,
        sources=collect("sources"),
        programs=collect("programs"),
        roles=collect("roles"),
        providers=collect("providers"),
        faqs=collect("faqs"),
        language=Language(**{k: tuple(v) for k, v in merged.items()}),
        quiz={b.program: b for f in files for b in f.model.quiz},
    )
