"""What a conversation is about so far: the subject a follow-up is read against."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    """What a conversation has been about so far: the program and attribute last discussed."""

    program: str | None
    attribute: str | None = None
    # The programs a certification path listed, in order: "the second one" picks from them.
    choices: tuple[str, ...] = ()
    # The concept FAQ (about no program) last answered: "is there a cert for it?" after "what
    # is FOCUS?" asks about it.
    faq: str | None = None
    # The concept FAQ answered before `faq`: "how is it different from the other one?"
    # after "what is amortized cost?" and "what is blended cost?" sets the two side by side.
    before: str | None = None

    def after(self, earlier: Subject | None) -> Subject:
        """Return this subject completed by *earlier* where this message left a part open.

        A new program starts a new topic (its attribute, if any, replaces the old one); a
        message about an attribute only ("and the price?") keeps the earlier program. A new
        path's list replaces the old topic; otherwise the last list is kept, so "the second
        one" still resolves after a question about the first.
        """
        if earlier is None or self.choices:
            return self
        before = self._before(earlier)
        if self.program is not None:
            return Subject(self.program, self.attribute, earlier.choices, self.faq, before)
        return Subject(
            earlier.program,
            self.attribute or earlier.attribute,
            earlier.choices,
            self.faq,
            before,
        )

    def _before(self, earlier: Subject) -> str | None:
        """Return the concept answered before this one: the earlier subject's when this
        message moved to another concept, its own earlier one when it stayed on the same."""
        if self.faq is None or earlier.faq is None:
            return None
        return earlier.before if earlier.faq == self.faq else earlier.faq
