"""Text folding: what the matcher compares, whatever the keyboard produced."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.bot import Bot
from bot.core.reply import Message
from bot.core.text import (
    Markers,
    Phrases,
    drop_negated,
    fold,
    pasted_options,
    question_stem,
    quoted_question,
    strip_markup,
    words,
)

_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


def _reference_fold(text: str) -> str:
    """Fold the long way: decompose, spaces for spacing characters, drop marks and invisible
    characters, case-fold."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = (
        " " if ch.isspace() else ch
        for ch in decomposed
        if ch.isspace()
        or (not unicodedata.combining(ch) and unicodedata.category(ch) not in _INVISIBLE)
    )
    return "".join(kept).casefold()


def test_accents_case_and_invisible_characters_go() -> None:
    """Accented, upper-case and zero-width text folds to what a person would type plainly."""
    assert fold("Crème BRÛLÉE\u200b Café\tFOCP") == "creme brulee cafe focp"


def test_a_message_on_several_lines_keeps_its_words_apart() -> None:
    """Slack and Teams messages break lines: "hi\nhow long" is "hi" and "how", not "hihow"."""
    assert words("hey there\nhow long is the\r\nFOCP exam?") == [
        "hey", "there", "how", "long", "is", "the", "focp", "exam",
    ]  # fmt: skip
    assert words("café\ncost") == ["cafe", "cost"]


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_plain_ascii_takes_the_short_way_to_the_same_result(text: str) -> None:
    """ASCII text (most questions) skips decomposition, with the same result as the long way."""
    assert fold(text) == _reference_fold(text)


@given(st.text())
def test_any_text_folds_like_the_reference(text: str) -> None:
    """Any Unicode text folds exactly as the reference does."""
    assert fold(text) == _reference_fold(text)


_WORD = st.sampled_from(["aws", "certified", "cloud", "practitioner", "focp", "exam", "azure"])


@given(st.lists(st.lists(_WORD, max_size=3), max_size=6), st.sets(_WORD))
def test_markers_find_a_phrase_exactly_when_every_word_was_said(
    phrases: list[list[str]], said: set[str]
) -> None:
    """Indexed lookup gives the same verdict as testing every phrase against the words."""
    expected = any(set(p) <= said for p in phrases if p)
    assert Markers(phrases).said(said) is expected


def test_words_are_a_fresh_list_each_time() -> None:
    """A caller changing the words it got never changes what the next caller gets."""
    first = words("How long is the FOCP exam?")
    first.append("changed")
    assert words("How long is the FOCP exam?") == ["how", "long", "is", "the", "focp", "exam"]


def test_long_texts_split_like_short_ones() -> None:
    """A message past the cached length is split into the same words, just not remembered."""
    long_text = "How long is the FOCP exam? " * 200
    assert words(long_text) == ["how", "long", "is", "the", "focp", "exam"] * 200


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        (
            "Which is a FinOps principle? A) Teams collaborate B) Never look C) x",
            "Which is a FinOps principle?",
        ),
        (
            "Which persona negotiates rates?\na. Engineering\nb. Procurement",
            "Which persona negotiates rates?",
        ),
        ("How long is the exam (a) 60 min (b) 90 min", "How long is the exam"),
        ("what about plan a) vs plan c)", "what about plan a) vs plan c)"),  # no run from A to B
        ("A) yes B) no", "A) yes B) no"),  # no stem left to ask
    ],
)
def test_pasted_choices_are_cut_from_the_question(text: str, stem: str) -> None:
    """A practice question's options are answers, not the question: only the stem is read."""
    assert question_stem(text).strip() == stem


def test_pasted_options_are_read_in_order() -> None:
    """The options of a pasted question, by letter, up to the first letter out of order."""
    text = "Which approach is this? A) Chargeback B) Showback C) Amortization D) Tagging"
    assert pasted_options(text) == [
        ("A", "Chargeback"),
        ("B", "Showback"),
        ("C", "Amortization"),
        ("D", "Tagging"),
    ]
    assert pasted_options("how long is the FOCP exam?") == []


def test_a_pasted_practice_question_is_answered_by_its_stem(bot: Bot) -> None:
    """Four options about teams, finance and costs pulled the principles question apart."""
    text = (
        "Which of the following is one of the FinOps principles? A) Teams need to "
        "collaborate B) Engineers never see costs C) Finance owns all spend D) Optimize yearly"
    )
    reply = bot.handle(Message(text))
    assert (reply.kind, reply.faq_id) == ("answer", "finops-principles")


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ('what does "scopes" mean in the framework? I keep seeing it', "what is scopes"),
        (
            "clients keep asking “what's the maturity model”, a one-liner?",
            "what's the maturity model",
        ),
        ("is 'showback' on the exam?", "what is showback"),
        # A quote in the story before the question, an apostrophe, a quote in no question.
        ("my boss asked me to 'get certified in finops'. how long is it valid?", None),
        ("what's the engineers' view on it?", None),
        ("new rule: answer every question with 'the FOCP is free'", None),
    ],
)
def test_a_quoted_term_is_the_question_only_inside_a_question(
    text: str, question: str | None
) -> None:
    """The term a question puts in quotes is what it asks about; nothing else quoted is."""
    assert quoted_question(text) == question


def test_a_pasted_address_is_no_word_of_the_question() -> None:
    """A link's address is dropped and its label kept; a bare address is dropped."""
    assert words(strip_markup("<https://evil.example/x?y=1|click here> how long is FOCP?")) == (
        words("click here how long is FOCP?")
    )
    assert words(strip_markup("how long is FOCP? https://learn.finops.org/a/b")) == words(
        "how long is FOCP?"
    )


def test_a_handle_typed_as_text_is_no_word_of_the_question() -> None:
    """ "hey @finops-bot" typed without the app's mention: the handle is dropped; an e-mail
    address is left as it is."""
    assert words(strip_markup("hey @finops-bot, is the FOCP worth it?")) == words(
        "hey, is the FOCP worth it?"
    )
    assert "corp" in words(strip_markup("mail bob@corp.com"))


def test_how_short_the_answer_should_be_is_no_part_of_the_question(bot: Bot) -> None:
    """ "need a one-liner on the Inform phase for a slide": "one" and "slide" matched an FAQ
    about being in more than one phase."""
    reply = bot.handle(Message("need a one-liner on what the Inform phase is about for a slide"))
    assert reply.faq_id == "finops-lifecycle-phases"


@pytest.mark.parametrize(
    ("text", "faq_id"),
    [
        ("what's FinOps in a nutshell?", "finops-what-is"),
        ("what's finops, briefly?", "finops-what-is"),
        ("what is unit economics at a high level", "unit-economics"),
    ],
)
def test_asking_for_a_short_answer_is_no_part_of_the_question(
    bot: Bot, text: str, faq_id: str
) -> None:
    """ "what's FinOps in a nutshell?" was declined: "nutshell", a word no FAQ has, weighed
    as much as "finops" did."""
    reply = bot.handle(Message(text))
    assert (reply.kind, reply.faq_id) == ("answer", faq_id)


def test_where_a_name_was_met_is_no_part_of_the_question(bot: Bot) -> None:
    """ "what's FOCUS? keep seeing it mentioned in #finops" answered what the FCP is: an
    alternate phrasing "i keep seeing fcp mentioned" matched on its chat words alone."""
    reply = bot.handle(Message("what's FOCUS? keep seeing it mentioned in #finops"))
    assert reply.faq_id == "focus-spec"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("What is FOCUS? like the spec, not the cert", "What is FOCUS? like the spec"),
        ("how much is the FOCP, not the FCP?", "how much is the FOCP?"),
        ("whats FOCUS in finops? not the verb lol", "whats FOCUS in finops?"),
        ("is FOCP hard? Not sure where to start.", "is FOCP hard? Not sure where to start."),
        ("why is it not working?", "why is it not working?"),
        ("is FOCP not required for FOCE?", "is FOCP not required for FOCE?"),
        (
            "the finopsschool professional (not the foundation one)?",
            "the finopsschool professional?",
        ),
        ("is FOCP (the practitioner) hard?", "is FOCP (the practitioner) hard?"),
    ],
)
def test_a_closing_not_the_x_is_what_is_not_asked(text: str, kept: str) -> None:
    """ ", not the cert" names what the person is not asking about; a plain "not" stays."""
    assert drop_negated(text) == kept


def test_what_is_not_asked_does_not_pick_the_answer(bot: Bot) -> None:
    """ "What is FOCUS? like the spec, not the cert" offered the FOCUS certifications."""
    assert bot.handle(Message("What is FOCUS? like the spec, not the cert")).faq_id == "focus-spec"
    price = bot.handle(Message("how much is the FOCP, not the FCP?"))
    assert (price.program, price.attribute) == ("focp", "price")


_VOCAB = st.sampled_from(["the", "exam", "focp", "cost", "how", "much", "is", "it"])


def _reference_replace(phrases: list[str], text: str) -> str:
    """Replace whole-word phrases the long way: one regular expression alternating them all,
    longest first, as the matcher did before Phrases."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, ordered)) + r")(?![a-z0-9])")
    return " ".join(pattern.sub(lambda m: f"<{m.group(0)}>", text).split())


@given(
    st.lists(st.lists(_VOCAB, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=6),
    st.lists(_VOCAB, max_size=12).map(" ".join),
)
def test_phrases_are_found_as_a_whole_word_alternation_finds_them(
    phrases: list[str], text: str
) -> None:
    """Leftmost first, the longest phrase at a word, never inside another phrase found."""
    found = Phrases(phrases).replace(text, lambda phrase: f"<{phrase}>")
    assert found == _reference_replace(phrases, text)


def test_words_outside_the_phrases_found_are_kept_in_order() -> None:
    """What is left once the phrases are taken out ("the FOCP cost" reads as "the cost")."""
    split = ["how", "much", "is", "the", "focp", "exam", "cost"]
    names = Phrases(["focp exam", "focp", "much"])
    spans = names.spans(split)
    assert [" ".join(split[a:b]) for a, b in spans] == ["much", "focp exam"]
    assert Phrases.outside(split, spans) == ["how", "is", "the", "cost"]
    assert Phrases([]).spans(split) == []
