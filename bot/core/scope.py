"""What we do not cover: other certifications and look-alikes, read one way everywhere."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.knowledge import Knowledge
from bot.core.text import Markers, words


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
        return self._others.said(said) and not self._own.said(said)

    def others_named(self, said: Iterable[str]) -> frozenset[str]:
        """Return the words of the other certifications *said* names ("cka", "az", "104")."""
        return self._others.words_said(set(said))
