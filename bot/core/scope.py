"""What we do not cover: other certifications and look-alikes, read one way everywhere."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.knowledge import Knowledge
from bot.core.models import Faq
from bot.core.text import Markers, words

# FAQ tags of what is not a question about certifications themselves (the Framework, its
# terms, roles and providers): "is the FCP acronym FOCF?" is not asking what FOCUS is.
_NOT_ABOUT_CERTIFICATIONS = frozenset(
    {"framework", "concepts", "capabilities", "terminology", "personas", "principles",
     "domains", "maturity", "focus", "history", "definition", "cloud-bill", "lifecycle",
     "scopes", "providers", "paths", "roles"}
)  # fmt: skip


def about_certifications(faq: Faq) -> bool:
    """Return True unless *faq* is about the Framework, its terms, roles or providers."""
    return _NOT_ABOUT_CERTIFICATIONS.isdisjoint(faq.tags)


class Scope:
    """Tells whether a question's words are about something we do not cover."""

    def __init__(self, knowledge: Knowledge) -> None:
        """Read the out-of-scope and other-certification lists of *knowledge*'s language."""
        lang = knowledge.language
        self._never = Markers(words(p) for p in lang.out_of_scope)
        self._others = Markers(words(p) for p in lang.other_certifications)
        # Our programs by the names that say "finops": "finops certified practitioner vs aws
        # certified cloud practitioner" compares ours with another vendor's, which an FAQ
        # answers. Acronyms don't count here: the Fiber Optic Association has a FOCP too.
        self._finops_named = Markers(
            said
            for program in knowledge.programs.values()
            for name in (program.name, *program.aliases)
            if "finops" in (said := words(name))
        )
        self._own = Markers(words(p) for p in lang.own_names)

    def outside(self, said: Iterable[str]) -> bool:
        """Return True when the words *said* ask about something we do not cover."""
        said = set(said)
        if self._never.said(said):
            return not self._finops_named.said(said)
        # Holding or comparing another certification is common among the people who ask us
        # ("I have the CKA, which FinOps cert next?", "is the FOCP harder than the PMP?"):
        # only a question that names none of ours is about the other one.
        return self.another_certification(said)

    def another_certification(self, said: Iterable[str]) -> bool:
        """Return True when the words *said* ask about another vendor's certification only."""
        said = set(said)
        return self._others.said(said) and not self._own.said(said)

    def others_named(self, said: Iterable[str]) -> frozenset[str]:
        """Return the words of the other certifications *said* names ("cka", "az", "104")."""
        return self._others.words_said(set(said))
