"""Text normalisation shared by the matcher, the path parser and the router."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from bot.core.models import Language

_EMOJI_CODE = re.compile(r":[a-z0-9_+'-]+(?:::skin-tone-\d)?:", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
# Control and format characters (RTL marks, zero-width joiners) carry no words.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


# A handle typed as text ("hey @finops-bot"), not turned into a mention: no question's word.
_HANDLE = re.compile(r"(?<![\w.])@[\w.-]+")
# A pasted address, bare or as a link with its label ("<https://x.example|the page>"): its
# host and path are no words of a question, and an unknown word weighs the most.
_URL = re.compile(r"<?(?:https?|mailto):[^\s|>]+(?:\|([^>]*))?>?", re.IGNORECASE)


def strip_markup(text: str) -> str:
    """Decode HTML entities and drop emoji codes (`:tada:`), which every chat app sends,
    handles typed as plain text ("@finops-bot") and pasted addresses (a link keeps its label).

    Platform markup (Slack's `<@U123>`, Teams' `<at>`) is the adapters' to remove.
    """
    unlinked = _URL.sub(lambda m: f" {m.group(1) or ''} ", html.unescape(text))
    return _HANDLE.sub(" ", _EMOJI_CODE.sub(" ", unlinked))


def fold(text: str) -> str:
    """Case-fold *text*, drop accents and invisible characters, and make line breaks and
    tabs spaces ("hi\nhow long is the exam" is two lines, not the word "hihow")."""
    if text.isascii():
        # Most questions: nothing to decompose, no accent; ASCII's only invisible
        # characters are the control characters, which are not printable.
        return (text if text.isprintable() else text.translate(_ASCII_CONTROLS)).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    kept = (
        " " if ch.isspace() else ch
        for ch in decomposed
        if ch.isspace()
        or (not unicodedata.combining(ch) and unicodedata.category(ch) not in _INVISIBLE)
    )
    return "".join(kept).casefold()


# ASCII control characters: the spacing ones (tab, line feed...) become spaces, the rest go.
_ASCII_CONTROLS = {c: (" " if chr(c).isspace() else None) for c in (*range(32), 127)}


def words(text: str) -> list[str]:
    """Return the lower-case words of *text* after markup stripping and folding."""
    if len(text) > _CACHED_LENGTH:  # a stranger's megabyte must not sit in the cache
        return _WORD.findall(fold(strip_markup(text)))
    return list(_words(text))


_CACHED_LENGTH = 2000


def rewrite_words(text: str, rewrite: Callable[[str], str]) -> str:
    """Return *text* markup-stripped and folded, each of its words replaced by rewrite(word)."""
    return _WORD.sub(lambda m: rewrite(m.group(0)), fold(strip_markup(text)))


@lru_cache(maxsize=256)  # a question is split into words by the facts, the router and matcher
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(strip_markup(text))))


class Markers:
    """Phrases (as word sets) of which a text must contain every word to count as saying one."""

    def __init__(self, phrases: Iterable[Iterable[str]]) -> None:
        """Index each non-empty phrase under one of its words (its first in sorted order)."""
        self._by_word: dict[str, list[frozenset[str]]] = {}
        for phrase in phrases:
            marker = frozenset(phrase)
            if marker:
                self._by_word.setdefault(min(marker), []).append(marker)

    def said(self, said: set[str] | frozenset[str]) -> bool:
        """Return True when *said* (a text's words) contains every word of some phrase."""
        # Only phrases filed under a word that was said can match: a question's dozen words
        # are looked up instead of every phrase being tested against them.
        by_word = self._by_word
        return any(m <= said for w in said if w in by_word for m in by_word[w])

    def words_said(self, said: set[str] | frozenset[str]) -> frozenset[str]:
        """Return the words of every phrase *said* contains."""
        by_word = self._by_word
        return frozenset(
            x for w in said if w in by_word for m in by_word[w] if m <= said for x in m
        )


class Phrases:
    """Phrases found in space-joined words, leftmost first and longest first, as a regular
    expression alternating them as whole words would find them.

    Looked up by each word instead of tried at every position: a question's dozen words
    cost a dozen dictionary lookups, where an alternation of hundreds of phrases tried each
    of them at every word.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        """Index *phrases* (each made of words() and joined by single spaces) by first word."""
        split = {tuple(words(p)) for p in phrases} - {()}
        lengths: dict[str, set[int]] = {}
        for phrase in split:
            lengths.setdefault(phrase[0], set()).add(len(phrase))
        self._phrases = frozenset(split)
        # Per first word, the lengths its phrases have, longest first: a word is tested
        # once per length, not once per phrase ("what" starts dozens).
        self._by_first = {w: sorted(n, reverse=True) for w, n in lengths.items()}

    def spans(self, split: Sequence[str]) -> list[tuple[int, int]]:
        """Return the (start, end) word positions of the phrases in *split*, in order."""
        by_first, phrases = self._by_first, self._phrases
        if by_first.keys().isdisjoint(split):
            return []  # most texts start no phrase: one set operation in C says so
        found: list[tuple[int, int]] = []
        count = len(split)
        at = 0
        # Only the words that start a phrase are tried; most texts have none or one.
        for start in [i for i, word in enumerate(split) if word in by_first]:
            if start < at:
                continue  # inside the phrase found before
            for length in by_first[split[start]]:
                end = start + length
                if end <= count and (length == 1 or tuple(split[start:end]) in phrases):
                    found.append((start, end))
                    at = end
                    break
        return found

    @staticmethod
    def outside(split: Sequence[str], spans: Iterable[tuple[int, int]]) -> list[str]:
        """Return the words of *split* that are in none of *spans* (from spans())."""
        kept: list[str] = []
        last = 0
        for start, end in spans:
            kept += split[last:start]
            last = end
        return kept + list(split[last:])

    def replace(self, joined: str, by: Callable[[str], str]) -> str:
        """Return *joined* with each phrase found replaced by by(phrase), spaces tidied."""
        split = joined.split()
        spans = self.spans(split)
        if not spans:
            return " ".join(split)
        out: list[str] = []
        last = 0
        for start, end in spans:
            out += split[last:start]
            out.append(by(" ".join(split[start:end])))
            last = end
        out += split[last:]
        return " ".join(" ".join(out).split())


# Light suffix stripping so "levels"/"level" and "studying"/"study" meet; applied to both
# questions and FAQ phrasings, so the stems only need to be consistent, not real words.
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "es", "ed", "er", "s")
_KEEP = frozenset({"focus", "aws", "gcp", "kpis", "news", "less", "process", "access", "class"})


@lru_cache(maxsize=65_536)  # pure, and the same few thousand words come back all day
def stem(word: str) -> str:
    """Strip one common English suffix from *word* when a stem of 3+ letters remains."""
    if len(word) <= 3 or word in _KEEP or not word.isalpha() or word.endswith("ss"):
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base + "y" if suffix in ("ies", "ied") else base
    return word


def _nothing(_: str) -> str:
    return ""


class Normaliser:
    """Turns raw chat text into the canonical words the matcher compares."""

    def __init__(self, language: Language) -> None:
        """Prepare the filler, synonym and stopword tables of *language*."""
        self.synonyms = {
            " ".join(words(s.term)): " ".join(words(s.means)) for s in language.synonyms
        }
        self._synonym_phrases = Phrases(self.synonyms)
        self._filler_phrases = Phrases(language.filler)
        self.stopwords = frozenset(w for s in language.stopwords for w in words(s))

    def drop_filler(self, joined: str) -> str:
        """Drop filler ("different question", "please") from already-folded, joined words."""
        return self._filler_phrases.replace(joined, _nothing)

    def expand(self, joined: str) -> str:
        """Drop filler and replace synonyms in already-folded, space-joined words."""
        return self._synonym_phrases.replace(self.drop_filler(joined), self.synonyms.__getitem__)

    def tokens(self, text: str, *, keep_stopwords: bool = False) -> list[str]:
        """Return the canonical tokens of *text*: folded, expanded, without stopwords."""
        return self.finish(self.expand(" ".join(words(text))), keep_stopwords=keep_stopwords)

    def finish(self, expanded: str, *, keep_stopwords: bool = False) -> list[str]:
        """Drop stopwords from already-expanded text and stem what remains, each word once.

        Once: a name written out beside its abbreviation ("FinOps Certified Practitioner
        (FOCP)") expands to the same word twice, and the fuzzy ratio would count it twice.
        """
        stems = (stem(t) for t in expanded.split() if keep_stopwords or t not in self.stopwords)
        return list(dict.fromkeys(stems))


def mostly_other_script(text: str) -> bool:
    """Return True when *text* is written mostly in a non-Latin script ("FinOpsチームとは"):
    the knowledge and the matcher are English, so it would only match by accident.

    Latin words are weighed against other letters one for one: a kana or a hanzi carries
    about as much as a word, so "FinOpsチームとは" (one word, five kana) is Japanese.
    """
    if text.isascii():  # most messages: no letter of another script, and no name lookups
        return False
    latin_words = other = 0
    in_word = False
    for ch in strip_markup(text[:2000]):
        latin = ch.isalpha() and "LATIN" in unicodedata.name(ch, "")
        if latin and not in_word:
            latin_words += 1
        elif ch.isalpha() and not latin:
            other += 1
        in_word = latin
    return other > latin_words


# A pasted practice question's choices: "A) ...", "(b) ...", "C. ..." at the start or after a
# space or line break, the first one "a". Their words are answers, not the question's.
_CHOICE = re.compile(r"(?:^|(?<=\s))[(\[]?([a-eA-E])[).\]:]\s")


def question_stem(text: str) -> str:
    """Return *text* without the multiple-choice options pasted after it ("Which of these is
    a FinOps principle? A) ... B) ..."), or *text* itself when it has none.

    Options count only as a run that starts at A and goes on in order (A, B at least), so
    "plan a) or b)" in passing and a lone "C." are left alone; a stem of fewer than three
    words is no question to match, and the whole text stays.
    """
    run = _option_run(text)
    if not run:
        return text
    stem = text[: run[0].start()]
    return stem if len(stem.split()) >= _STEM_WORDS else text


def _option_run(text: str) -> list[re.Match[str]]:
    """Return the marks of the first run of option letters in order from A ("A) B) C)"),
    or none when *text* has no A followed by B."""
    marks = list(_CHOICE.finditer(text))
    letters = [m.group(1).lower() for m in marks]
    for i, letter in enumerate(letters):
        if letter == "a" and letters[i + 1 : i + 2] == ["b"]:
            run = [marks[i]]
            for mark in marks[i + 1 :]:
                if ord(mark.group(1).lower()) != ord(run[-1].group(1).lower()) + 1:
                    break
                run.append(mark)
            return run
    return []


_STEM_WORDS = 3


def pasted_options(text: str) -> list[tuple[str, str]]:
    """Return the multiple-choice options pasted after a question ("A) Inform B) Optimize"),
    as (letter, text) in order, or none when question_stem() finds no run of them."""
    run = _option_run(text)
    ends = [m.start() for m in run[1:]] + [len(text)] if run else []
    return [
        (m.group(1).upper(), text[m.end() : end].strip()) for m, end in zip(run, ends, strict=True)
    ]


# Where a sentence of the knowledge's prose ends: the next one starts with a capital, a
# digit, a quote or a bracket ("e.g. a budget" goes on).
PROSE_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"(])")
# Where a sentence of chat ends: people do not capitalise ("whats focus? studying for it").
_SENTENCE = re.compile(r"(?<=[.!?])\s+")

# A term put in quotes: "what does "scopes" mean?", 'what's a "commitment discount"?'. Single
# quotes count only around words, never as an apostrophe ("what's", "engineers'").
_QUOTED = re.compile(r"[\"“”]([^\"“”]{2,80})[\"“”]|(?<![a-z0-9])'([^']{2,80})'(?![a-z0-9])", re.I)
_QUOTED_WORDS = 8
_ASKS_ALREADY = frozenset({"what", "whats", "who", "how", "why", "which", "when", "where", "is"})
# ", not the cert" closing a sentence names what is not asked ("What is FOCUS? like the spec,
# not the cert"); a bare "not" ("why is it not working?") is left alone.
_NOT_THIS = re.compile(
    r"\s*(?:,|;|\s-+)\s*(?:and\s+|but\s+)?not\s+(?:the\s+|a\s+|an\s+|about\s+)?"
    r"[\w'-]+(?:\s+[\w'-]+){0,2}\s*(?=[?.!]|$)"
    # ...or a last sentence of its own: "whats FOCUS in finops? not the verb lol"
    r"|(?<=[?.!])\s+(?:but\s+)?not\s+(?:the\s+|a\s+|an\s+|about\s+)?"
    r"[\w'-]+(?:\s+[\w'-]+){0,2}\s*[?.!]*\s*$"
    # ...or put in brackets anywhere: "the finopsschool professional (not the foundation one)"
    r"|\s*\(\s*(?:but\s+)?not\s+(?:the\s+|a\s+|an\s+|about\s+)?[\w'-]+(?:\s+[\w'-]+){0,3}\s*\)",
    re.IGNORECASE,
)


def drop_negated(text: str) -> str:
    """Return *text* without a closing ", not the X" (what the person does not ask about)."""
    return _NOT_THIS.sub("", text)


def asking_sentences(text: str) -> list[str]:
    """Return the sentences of *text* that ask ("?") when it says more than one sentence
    ("whats a persona? the term keeps coming up"), else an empty list."""
    sentences = [s for s in _SENTENCE.split(text.strip()) if s]
    if len(sentences) < 2:
        return []
    return [s for s in sentences if s.rstrip().endswith("?")]


def quoted_question(text: str) -> str | None:
    """Return the question a quoted term of *text* asks ("what is scopes" for 'what does
    "scopes" mean in the framework? I keep seeing it'), or None.

    Only a short quote inside a sentence that asks ("?") counts: a quote earlier in the
    story ("my boss asked me to 'get certified in finops'. How long ...?") is not the
    question."""
    for sentence in _SENTENCE.split(text):
        if not sentence.rstrip().endswith("?"):
            continue
        for found in _QUOTED.finditer(sentence):
            quoted = found.group(1) or found.group(2)
            said = words(quoted)
            if 0 < len(said) <= _QUOTED_WORDS:
                return quoted if said[0] in _ASKS_ALREADY else f"what is {quoted}"
    return None
