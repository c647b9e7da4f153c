"""The validated, indexed, immutable knowledge base and the problems that stop one loading."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from bot.core.models import Faq, Language, Level, Program, Provider, QuizBank, Role, Source
from bot.core.reply import Link


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a knowledge directory, printed as `path:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        """Return the `path:line: message` form editors and CI logs understand."""
        return f"{self.path}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """A knowledge directory that failed validation; carries every problem found."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the knowledge")
        self.problems = problems


class MissingKnowledgeDirError(KnowledgeError):
    """The knowledge directory does not exist or is not a directory."""


K = TypeVar("K")
V = TypeVar("V")


def _frozen(items: Mapping[K, V]) -> Mapping[K, V]:
    return MappingProxyType(dict(items))


@dataclass(frozen=True)
class Knowledge:
    """Everything the bot knows, indexed by id; never mutated after loading."""

    version: str
    sources: Mapping[str, Source]
    programs: Mapping[str, Program]
    roles: Mapping[str, Role]
    providers: Mapping[str, Provider]
    faqs: Mapping[str, Faq]
    language: Language
    # Practice question banks by program id.
    quiz: Mapping[str, QuizBank] = field(default_factory=dict)
    levels: Mapping[str, Level] = field(init=False)
    program_of_level: Mapping[str, str] = field(init=False)
    # The FAQ whose answer lists each listed item ("principle-ownership" -> "finops-principles"):
    # after "the third one?" the item is the topic, and "and the fourth?" still finds its list.
    list_of: Mapping[str, str] = field(init=False)
    # source_links() answers per source list, computed once: every answer cites its sources.
    _links: dict[tuple[str, ...], tuple[Link, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        """Freeze the mappings and derive the level indexes."""
        levels = {lv.id: lv for p in self.programs.values() for lv in p.levels}
        owner = {lv.id: p.id for p in self.programs.values() for lv in p.levels}
        for name in ("sources", "programs", "roles", "providers", "faqs", "quiz"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "levels", _frozen(levels))
        object.__setattr__(self, "program_of_level", _frozen(owner))
        listed: dict[str, str] = {}
        for faq in self.faqs.values():
            for item in faq.items:
                listed.setdefault(item, faq.id)  # the first list that names it
        object.__setattr__(self, "list_of", _frozen(listed))

    def counts(self) -> dict[str, int]:
        """Return how many entries of each kind there are."""
        return {
            "sources": len(self.sources),
            "programs": len(self.programs),
            "levels": len(self.levels),
            "roles": len(self.roles),
            "providers": len(self.providers),
            "faqs": len(self.faqs),
            "synonyms": len(self.language.synonyms),
            "quiz questions": sum(len(b.questions) for b in self.quiz.values()),
        }

    def source_label(self, source_ids: tuple[str, ...] | list[str]) -> str:
        """Return a human label for *source_ids*: their titles, never internal file names."""
        return "; ".join(link.title for link in self.source_links(source_ids))

    def source_links(self, source_ids: tuple[str, ...] | list[str]) -> tuple[Link, ...]:
        """Return each distinct source of *source_ids* as its title and, if known, its address."""
        key = tuple(source_ids)
        known = self._links.get(key)
        if known is not None:
            return known
        links: dict[str, Link] = {}
        for sid in key:
            src = self.sources.get(sid)
            link = Link(sid) if src is None else Link(src.cite or src.title, src.url)
            links.setdefault(link.title, link)
        # Several threads may fill the same entry at once; they compute the same value.
        found = self._links[key] = tuple(links.values())
        return found
