"""Key facts from the five seed documents and the reference must be present in the knowledge."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.knowledge import Knowledge
from bot.core.loading import load_knowledge

KNOWLEDGE_DIR = Path(__file__).parent.parent / "knowledge"
FACTS_FILE = Path(__file__).parent / "data" / "key_facts.yaml"
SEEDS = ("000", "001", "002", "003", "004", "ref")
MIN_FACTS = 100
MIN_PER_SEED = 12
# "ref" is /work/shared/reference/finops-facts.md (FinOps Foundation catalog and Framework).
MIN_PER_SOURCE = {"ref": 40}
# Entity kinds a fact may name, in lookup order; levels live inside their programs' dumps.
KINDS = ("programs", "levels", "roles", "providers", "sources", "faqs")
# Kinds concatenated for `in: any` (levels are already part of the programs).
ANY_KINDS = ("sources", "programs", "roles", "providers", "faqs")
FORMS = ("in", "role_table", "level_order")
# Dashes people and writers use interchangeably in ranges such as 60–90 days.
DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})

FACTS: list[dict[str, Any]] = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))


def _fact_id(fact: dict[str, Any]) -> str:
    return f"{fact.get('seed')}-{fact.get('id')}"


def _normal(text: str) -> str:
    return text.translate(DASHES).lower()


@pytest.fixture(scope="module", name="knowledge")
def _knowledge() -> Knowledge:
    """Load the bundled knowledge once for this module."""
    return load_knowledge(KNOWLEDGE_DIR)


def _entity_text(knowledge: Knowledge, name: str) -> str | None:
    """Return the normalised JSON text of every entity called *name*, or None if none is."""
    kinds = ANY_KINDS if name == "any" else KINDS
    parts = [
        model.model_dump_json()
        for kind in kinds
        for key, model in getattr(knowledge, kind).items()
        if name in ("any", key)
    ]
    return _normal("\n".join(parts)) if parts else None


def _check_contains(knowledge: Knowledge, fact: dict[str, Any]) -> None:
    where = fact["in"]
    text = _entity_text(knowledge, where)
    label = f"{_fact_id(fact)} ({fact['fact']})"
    assert text is not None, f"{label}: no entity with id {where!r} in the knowledge"
    missing = [s for s in fact["contains"] if _normal(s) not in text]
    scope = "the whole knowledge" if where == "any" else f"entity {where!r}"
    assert not missing, f"{label}: {missing} not found in {scope}"


def _check_role_table(knowledge: Knowledge, fact: dict[str, Any]) -> None:
    spec = fact["role_table"]
    label = f"{_fact_id(fact)} ({fact['fact']})"
    program = knowledge.programs.get(spec["program"])
    assert program is not None, f"{label}: no program {spec['program']!r} in the knowledge"
    where = f"program {spec['program']!r} role table"
    rows = [row for row in program.roles if row.role == spec["role"]]
    assert len(rows) == 1, f"{label}: expected one row for role {spec['role']!r} in {where}"
    row = rows[0]
    assert list(row.levels) == spec["levels"], (
        f"{label}: {where} lists {list(row.levels)} for {spec['role']!r}, expected {spec['levels']}"
    )
    if "extras" in spec:
        got = [_normal(e) for e in row.extras]
        want = [_normal(e) for e in spec["extras"]]
        assert got == want, (
            f"{label}: {where} has extras {list(row.extras)} for {spec['role']!r}, "
            f"expected {spec['extras']}"
        )


def _check_level_order(knowledge: Knowledge, fact: dict[str, Any]) -> None:
    spec = fact["level_order"]
    label = f"{_fact_id(fact)} ({fact['fact']})"
    program = knowledge.programs.get(spec["program"])
    assert program is not None, f"{label}: no program {spec['program']!r} in the knowledge"
    got = [lv.id for lv in sorted(program.levels, key=lambda lv: lv.order)]
    assert got == spec["levels"], (
        f"{label}: program {spec['program']!r} levels in order are {got}, expected {spec['levels']}"
    )


def test_fact_list_is_large_and_covers_every_seed() -> None:
    """The fact list holds at least 100 facts, 12 from each seed and 40 from the reference."""
    per_seed = Counter(f.get("seed") for f in FACTS)
    assert len(FACTS) >= MIN_FACTS, f"only {len(FACTS)} facts in {FACTS_FILE}"
    thin = {s: per_seed[s] for s in SEEDS if per_seed[s] < MIN_PER_SOURCE.get(s, MIN_PER_SEED)}
    assert not thin, f"sources below their minimum fact count in {FACTS_FILE}: {thin}"


def test_fact_entries_are_well_formed() -> None:
    """Every fact names a known seed, a unique id, its text and exactly one kind of check."""
    problems = []
    ids = Counter(_fact_id(f) for f in FACTS)
    problems += [f"{fid}: duplicate id" for fid, n in ids.items() if n > 1]
    for fact in FACTS:
        fid = _fact_id(fact)
        forms = [k for k in FORMS if k in fact]
        if fact.get("seed") not in SEEDS:
            problems.append(f"{fid}: seed must be one of {SEEDS}")
        if not fact.get("id") or not fact.get("fact"):
            problems.append(f"{fid}: needs an id and a fact")
        if len(forms) != 1:
            problems.append(f"{fid}: needs exactly one of {FORMS}, has {forms}")
        if ("in" in fact) != ("contains" in fact):
            problems.append(f"{fid}: 'in' and 'contains' go together")
        contains = fact.get("contains", ["x"])
        if not contains or not all(isinstance(s, str) and s for s in contains):
            problems.append(f"{fid}: contains must be a non-empty list of strings")
    assert not problems, f"malformed entries in {FACTS_FILE}: " + "; ".join(problems)


@pytest.mark.parametrize("fact", [pytest.param(f, id=_fact_id(f)) for f in FACTS])
def test_key_fact_is_in_knowledge(knowledge: Knowledge, fact: dict[str, Any]) -> None:
    """The knowledge holds the seed fact where the fact list says it is."""
    if "role_table" in fact:
        _check_role_table(knowledge, fact)
    elif "level_order" in fact:
        _check_level_order(knowledge, fact)
    else:
        _check_contains(knowledge, fact)
