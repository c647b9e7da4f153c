"""Fuzzy FAQ matching: an index built once per snapshot, scored with rapidfuzz."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.core.models import CloudTopic, Faq, Language
from bot.core.scope import Scope
from bot.core.semantic import Embedder, shared_embedder
from bot.core.text import Markers, Normaliser, rewrite_words, stem, words

if TYPE_CHECKING:
    from bot.core.knowledge import Knowledge

Band = Literal["answer", "suggest", "decline"]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]


@dataclass(frozen=True)
class MatchSettings:
    """Score bands; the composition root may override them from the environment."""

    # Chosen on tests/data/eval.yaml with bench/eval_matching.py (see docs/matching.md).
    answer_threshold: float = 51.0
    suggest_threshold: float = 36.0
    # Two FAQs closer than this are "too close to call": offer both instead of guessing.
    ambiguity_margin: float = 1.0
    max_suggestions: int = 3
    # Below the answer line, a top FAQ at least lead_threshold and lead_margin ahead of the
    # runner-up is answered anyway, with the runners-up offered ("Not what you asked?").
    lead_threshold: float = 45.0
    lead_margin: float = 8.0
    scorer: str = "blend"
    # Share of the score that comes from query words found in the FAQ's answer text.
    answer_weight: float = 0.15
    # Share that comes from a naive Bayes posterior trained on all phrasings: it pools the
    # evidence of every alternate, and its confidence separates clear from ambiguous questions.
    bayes_weight: float = 0.3
    # Share that comes from the cosine of the question's and the FAQ's nearest phrasing's
    # embeddings (bot/core/semantic.py), mapped from [semantic_floor, 1] onto [0, 100]:
    # it knows "retake" and "resit" are near without a synonym list.
    semantic_weight: float = 0.3
    semantic_floor: float = 0.5


@dataclass(frozen=True)
class Candidate:
    """One FAQ with its best score over its phrasings and the phrasing that scored it."""

    faq: Faq
    score: float
    phrasing: str


@dataclass(frozen=True)
class Match:
    """The outcome of matching one question: a band and the ranked candidates."""

    band: Band
    candidates: tuple[Candidate, ...]
    tokens: tuple[str, ...] = field(default=())
    # An answer given below the answer line because the top FAQ is clearly ahead: the
    # runners-up are worth offering next to it.
    tentative: bool = False
    # A cloud-operations how-to (declined): the topic, and where FinOps covers it.
    cloud_topic: CloudTopic | None = None
    # Another vendor's certification (declined): said so, not "I don't know".
    other_certification: bool = False

    @property
    def best(self) -> Candidate | None:
        """Return the top candidate, if any."""
        return self.candidates[0] if self.candidates else None

    @property
    def runners_up(self) -> tuple[Candidate, ...]:
        """Return the other choices to offer with a tentative answer (none otherwise)."""
        return self.candidates[1:3] if self.tentative else ()


@dataclass(frozen=True)
class _Phrasing:
    faq: int
    text: str
    joined: str
    tokens: frozenset[str]
    weight: float
    sorted_joined: str  # what token_sort_ratio compares: the tokens in order, spaced


def _language_phrases(lang: Language) -> Iterator[str]:
    """Yield every phrase of *lang* that a question is compared with."""
    yield from lang.out_of_scope
    yield from lang.other_certifications
    yield from lang.own_names
    yield from lang.certification_cues
    yield from lang.followup_words
    yield from lang.prerequisite_markers
    yield from lang.requirement_words
    yield from lang.definition_words
    yield from lang.cloud_vendor_words
    yield from (n.name for n in lang.followup_names)
    for topic in lang.cloud_howto:
        yield from topic.cues
    for kind in lang.concept_kinds:
        yield from kind.cues
    for entry in lang.attributes:
        yield from entry.cues
        yield from entry.not_with


class FaqIndex:
    """Everything matching needs, precomputed from one knowledge snapshot."""

    def __init__(
        self, knowledge: Knowledge, embedder: Embedder | None = None, *, semantic: bool = True
    ) -> None:
        """Normalise every FAQ phrasing of *knowledge* and build the token indexes.

        With *semantic*, phrasings are also embedded with *embedder* (default: the process's
        shared model); when no model is available matching uses words alone.
        """
        self.normaliser = Normaliser(knowledge.language)
        self.faqs: tuple[Faq, ...] = tuple(knowledge.faqs.values())
        self.scope = Scope(knowledge)
        lang = knowledge.language
        self._build_cloud(lang)
        self._definition = frozenset(w for p in lang.definition_words for w in words(p))
        self._vendor = Markers(words(p) for p in lang.cloud_vendor_words)
        raw_vocab: set[str] = set()
        entries: list[tuple[int, str, list[str]]] = []
        # What each phrasing embeds (folded, filler dropped, synonyms expanded): its tokens
        # are the same text with stopwords dropped and stems taken, so it is read once.
        self._semantic_texts: list[str] = []
        for i, faq in enumerate(self.faqs):
            for text in (faq.question, *faq.alternates):
                raw_vocab.update(words(text))
                expanded = self.semantic_text(text)
                self._semantic_texts.append(expanded)
                entries.append((i, text, self.normaliser.finish(expanded)))
        for term, means in self.normaliser.synonyms.items():
            raw_vocab.update(term.split())
            raw_vocab.update(means.split())
        raw_vocab.update(self.normaliser.stopwords)
        # The language's own phrases are words too: spelling must not "mend" a cue or an
        # out-of-scope name ("instructions" in "ignore all previous instructions") away.
        raw_vocab.update(w for phrase in _language_phrases(lang) for w in words(phrase))
        self.vocab: tuple[str, ...] = tuple(sorted(w for w in raw_vocab if w.isalpha()))
        self._vocab_set = frozenset(raw_vocab)
        by_initial: dict[str, list[str]] = defaultdict(list)
        for w in self.vocab:
            by_initial[w[0]].append(w)
        self._vocab_by_initial = {k: tuple(v) for k, v in by_initial.items()}
        df: dict[str, set[int]] = defaultdict(set)
        for i, _, toks in entries:
            for t in toks:
                df[t].add(i)
        n = len(self.faqs) or 1
        self.idf = {t: math.log((n + 1) / (len(ids) + 0.5)) for t, ids in df.items()}
        self.unknown_weight = math.log((n + 1) / 0.5)
        self.answer_tokens = tuple(
            frozenset(self.normaliser.tokens(f.answer + " " + " ".join(f.tags))) for f in self.faqs
        )
        self.phrasings: tuple[_Phrasing, ...] = tuple(
            _Phrasing(
                i,
                text,
                " ".join(toks),
                frozenset(toks),
                self.weight(frozenset(toks)),
                " ".join(sorted(toks)),
            )
            for i, text, toks in entries
        )
        postings: dict[str, list[int]] = defaultdict(list)
        for pi, ph in enumerate(self.phrasings):
            for t in ph.tokens:
                postings[t].append(pi)
        self.postings = {t: tuple(v) for t, v in postings.items()}
        # The same postings as index arrays: a question's words touch hundreds of phrasings
        # ("exam", "focp"), and summing their weights in numpy is a tenth of a Python loop's
        # time, which is most of what answering a mention costs (bench/slack_load.py).
        self._posting_arrays = {t: np.array(v, dtype=np.intp) for t, v in postings.items()}
        self._phrasing_weights: Floats = np.array([ph.weight for ph in self.phrasings])
        self._phrasing_faq: Ints = np.array([ph.faq for ph in self.phrasings], dtype=np.intp)
        self._sorted_joined = [ph.sorted_joined for ph in self.phrasings]
        answer_postings: dict[str, list[int]] = defaultdict(list)
        for i, answer in enumerate(self.answer_tokens):
            for t in answer:
                answer_postings[t].append(i)
        self._answer_postings = {t: np.array(v, dtype=np.intp) for t, v in answer_postings.items()}
        # Per FAQ, every word its phrasings use: what it is asked with.
        phrased: list[set[str]] = [set() for _ in self.faqs]
        for ph in self.phrasings:
            phrased[ph.faq].update(ph.tokens)
        self._phrased = tuple(frozenset(w) for w in phrased)
        self._position = {faq.id: i for i, faq in enumerate(self.faqs)}
        self._build_exact()
        # Texts the knowledge or the code fixes, tokenized once; and the last messages
        # mended, since the path check and the answer read the same message.
        self._fixed_tokens, self._spelled = dict[str, frozenset[str]](), dict[str, str]()
        self._build_bayes()
        self.embedder = (embedder or shared_embedder()) if semantic else None
        self._build_semantic()

    def _build_exact(self) -> None:
        """Map each set of phrasing words that only one FAQ uses to that FAQ: a question with
        exactly those words ("what is roi in finops") is its own, however near another FAQ's
        meaning comes."""
        owners: dict[frozenset[str], set[int]] = defaultdict(set)
        for ph in self.phrasings:
            if len(ph.tokens) >= _EXACT_WORDS:
                owners[ph.tokens].add(ph.faq)
        self._exact = {toks: next(iter(o)) for toks, o in owners.items() if len(o) == 1}

    def _build_cloud(self, lang: Language) -> None:
        """Prepare the cloud how-to check's cues and the certification cues that lift it."""
        self._cloud_cues = tuple(
            (topic, _stemmed(cue)) for topic in lang.cloud_howto for cue in topic.cues
        )
        self._cloud_cue_index = _by_a_word([cue for _, cue in self._cloud_cues])
        # Every word of a topic's cues: "how do X and Y work?" may name several of them.
        self._topic_words = {
            topic.topic: frozenset().union(*(_stemmed(cue) for cue in topic.cues))
            for topic in lang.cloud_howto
        }
        self._cert_cues = tuple(_stemmed(cue) for cue in lang.certification_cues)
        self._comparing = frozenset(_root(w) for w in _COMPARING_WORDS)
        # "Who owns rightsizing?" asks a persona (the concept kinds' persona cues), never how
        # to do it.
        self._persona_cues = Markers(
            words(cue) for kind in lang.concept_kinds if kind.kind == "persona" for cue in kind.cues
        )

    def _build_semantic(self) -> None:
        """Embed every phrasing once per snapshot; rows are grouped by FAQ, in FAQ order."""
        self._faq_starts: Ints = np.zeros(0, dtype=np.intp)
        self._vectors: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        if self.embedder is None or not self.phrasings:
            return
        texts = self._semantic_texts
        # float32, not float16: numpy has no fast float16 product, and at 10,000 FAQs the
        # float16 matrix-vector product alone took ~10 ms; float32 costs 12.8 MB there.
        self._vectors = self.embedder.embed(texts)
        faq_of = self._phrasing_faq
        self._faq_starts = np.flatnonzero(np.r_[True, faq_of[1:] != faq_of[:-1]])
        self._faq_of_start = faq_of[self._faq_starts]

    def semantic_text(self, text: str) -> str:
        """Return what gets embedded: folded words, filler dropped, synonyms expanded."""
        return self.normaliser.expand(" ".join(words(text)))

    def semantic_scores(self, text: str) -> Floats | None:
        """Return every FAQ's best phrasing cosine with *text*, or None without a model."""
        if self.embedder is None or not self._vectors.size:
            return None
        query = self.embedder.embed_one(self.semantic_text(text))
        # Each FAQ's best phrasing, taken in float32: a maximum is exact in either width,
        # and only one value per FAQ is widened.
        best = np.maximum.reduceat(self._vectors @ query, self._faq_starts)
        out: Floats = np.zeros(len(self.faqs))
        out[self._faq_of_start] = best
        return out

    def _build_bayes(self) -> None:
        """Precompute a multinomial naive Bayes model: one class per FAQ, words as features."""
        counts: list[dict[str, float]] = [defaultdict(float) for _ in self.faqs]
        for ph in self.phrasings:
            for t in ph.tokens:
                counts[ph.faq][t] += 1.0
        for i, toks in enumerate(self.answer_tokens):
            for t in toks:  # answers are evidence too, but weaker than phrasings
                counts[i][t] += _ANSWER_COUNT
        vocab = {t for c in counts for t in c}
        alpha = _BAYES_ALPHA
        self._bayes_denominator: Floats = np.array(
            [math.log(sum(c.values()) + alpha * len(vocab)) for c in counts]
        )
        bonus: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, c in enumerate(counts):
            for t, n in c.items():
                bonus[t].append((i, math.log((n + alpha) / alpha)))
        # Per word: the FAQs it occurs in, and what it adds to their log-likelihood.
        self._bayes_bonus: dict[str, tuple[Ints, Floats]] = {
            t: (np.array([i for i, _ in v], dtype=np.intp), np.array([b for _, b in v]))
            for t, v in bonus.items()
        }

    def bayes(self, tokens: frozenset[str]) -> Floats:
        """Return the naive Bayes posterior of every FAQ for *tokens* (unknown words ignored)."""
        known = [t for t in sorted(tokens) if t in self._bayes_bonus]  # a fixed order, as above
        if not known:
            return np.zeros(len(self.faqs))
        logp = -len(known) * self._bayes_denominator
        for t in known:
            faqs, bonus = self._bayes_bonus[t]
            logp[faqs] += bonus  # each FAQ at most once per word, so += is a plain add
        exps = np.exp(logp - logp.max())
        posterior: Floats = exps / exps.sum()
        return posterior

    def answer_overlap(self, tokens: frozenset[str]) -> Floats:
        """Return, per FAQ, the summed weight of *tokens* its answer (or tags) contains.

        The same sums as weight(tokens & answer_tokens[i]), added in the same word order,
        for every FAQ at once through postings instead of one set per candidate.
        """
        shared = np.zeros(len(self.faqs))
        for t in sorted(tokens):
            faqs = self._answer_postings.get(t)
            if faqs is not None:
                shared[faqs] += self.idf.get(t, self.unknown_weight)
        return shared

    def weight(self, tokens: frozenset[str]) -> float:
        """Return the summed rarity weight of *tokens*; unknown words weigh the most."""
        # Summed in word order: float addition is not associative, and a set's order changes
        # with each process's hash seed (ties would otherwise break differently per run).
        return sum(self.idf.get(t, self.unknown_weight) for t in sorted(tokens))

    def spell(self, text: str) -> str:
        """Return *text* folded, with each misspelt word replaced by the known word it meant.

        Facts and matching both read the result: "hwo long is teh focp exma" asks the same
        as "how long is the focp exam".
        """
        text = text[:MAX_QUESTION]
        mended = self._spelled.get(text)
        if mended is None:
            if len(self._spelled) >= _SPELLED_KEPT:
                self._spelled.clear()  # a bound, not a policy: one message spells twice
            mended = self._spelled[text] = rewrite_words(text, self._correct)
        return mended

    def _correct(self, word: str) -> str:
        """Map a misspelt word to the closest known word; leave short or known words alone."""
        if word in self._vocab_set or not word.isalpha():
            return word
        if len(word) < 3:
            return _DROPPED_LETTER.get(word, word)  # "hw many questions"
        if self.embedder is not None and self.embedder.is_word(word):
            return word  # a real word ("trying"), not a misspelt knowledge word ("tying")
        if len(word) < 6:
            # Short words: only two neighbouring letters typed in the wrong order ("exma",
            # "teh", "hwo"). Any wider search turns real words into others ("cost"/"most").
            for i in range(1, len(word) - 1):
                swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                if swapped in self._vocab_set:
                    return swapped
            # ...or a question word with a letter dropped ("whch", "wat"): the few words
            # every question starts with, which no real short word is one letter short of.
            return _DROPPED_LETTER.get(word, word)
        # Typos keep the first letter and are one edit away (two in long words); real words
        # that happen to be near a domain word ("leading"/"reading", "expense"/"expensive",
        # "lunch"/"launch") are further apart or shorter, and must not be rewritten.
        limit = 1 if len(word) < 9 else 2
        hit = process.extractOne(
            word,
            self._vocab_by_initial.get(word[0], ()),
            scorer=OSA.distance,
            score_cutoff=limit,
        )
        return hit[0] if hit else word

    def fixed_tokens(self, text: str) -> frozenset[str]:
        """Return the tokens of a text the knowledge or the code fixes (a list item, a word
        list), computed once per index: matching runs on every message."""
        found = self._fixed_tokens.get(text)
        if found is None:
            found = self._fixed_tokens[text] = frozenset(self.query_tokens(text))
        return found

    def query_tokens(self, text: str) -> list[str]:
        """Return the canonical tokens of a user's *text*, typos corrected."""
        raw = words(text)
        if self.scope.outside(raw):
            # Another vendor's certification: answering from our FAQs would mislead.
            return [_OUT_OF_SCOPE]
        corrected = " ".join(self._correct(w) for w in raw)
        toks = self.normaliser.finish(self.normaliser.expand(corrected))
        if others := self.scope.others_named(raw):
            # "is the FOCP harder than the PMP?": "pmp" is no word of our FAQs, and an unknown
            # word weighs the most; a name they use ("aws cloud practitioner") stays, since
            # comparing with it is what some FAQs answer.
            unknown = {t for t in self.normaliser.finish(" ".join(others)) if t not in self.idf}
            toks = [t for t in toks if t not in unknown]
        return toks

    def cloud_topic(self, text: str) -> CloudTopic | None:
        """Return the cloud how-to topic *text* asks about, unless it is about certifications."""
        if not self._cloud_cues:
            return None
        # Read without filler: "different question, what's rightsizing?" asks a definition.
        raw = words(self.normaliser.drop_filler(" ".join(words(text))))
        if not raw:
            return None
        have = frozenset(_root(w) for w in raw)
        index, cues = self._cloud_cue_index, self._cloud_cues
        said = [at for w in have if w in index for at in index[w] if cues[at][1] <= have]
        if not said:
            return None
        if raw[0] in _WHO and self._persona_cues.said(set(raw)):
            return None  # "who owns rightsizing?" asks a FinOps persona, not how to do it
        topic, cue = cues[min(said)]
        named = {_root(w) for w in raw if w not in self._definition and w not in _NAMING_FILLER}
        if not self._vendor.said(set(raw)) and (
            named <= cue
            # "what are savings plans / reserved instances?" names several of its terms
            or (raw[0] in _DEFINITION_ASKS and named <= self._topic_words[topic.topic])
            # "what's the difference between reserved instances and savings plans?" too
            or (
                raw[0] in _DEFINITION_ASKS
                and not named.isdisjoint(self._comparing)
                and named - self._comparing <= self._topic_words[topic.topic]
            )
            or self._defines(raw, cue)
            or self._works(raw, topic)
            or _is_stem(text)
        ):
            return None  # "what is rightsizing?" asks a FinOps term, not how to do it
        expanded = have | _stemmed(self.normaliser.expand(" ".join(raw)))
        # A certification cue inside a cloud cue said is that cue's word: the "module" of
        # "a terraform module" is not a course's.
        cues_said = [cues[at][1] for at in said]
        if any(k <= expanded and not any(k <= c for c in cues_said) for k in self._cert_cues):
            return None  # "does the FOCP cover reserved instances?" is a certification question
        return topic

    def names_cloud(self, text: str) -> bool:
        """Return True when *text* names a cloud or one of its services ("on AWS", "EC2")."""
        return self._vendor.said(set(words(text)))

    def _defines(self, raw: list[str], cue: frozenset[str]) -> bool:
        """Return True when *raw* opens by asking what the cue means ("what is rightsizing,
        and what risk..."), not how to do something ("what is the best way to rightsize")."""
        lead = 0
        while lead < len(raw) and raw[lead] in self._definition:
            lead += 1
        opening = {_root(w) for w in raw[lead : lead + len(cue)]}
        asks = not _DEFINITION_ASKS.isdisjoint(raw[:lead])  # "is gcp cheaper than" asks no term
        return asks and lead <= _DEFINITION_LEAD and cue <= opening

    def _works(self, raw: list[str], topic: CloudTopic) -> bool:
        """Return True when *raw* asks how the topic's things work in general ("how do
        reserved instances and savings plans work?"), naming nothing but them."""
        if len(raw) < 4 or raw[0] != "how" or raw[1] not in ("do", "does"):
            return False
        if raw[-1] not in ("work", "works"):
            return False
        named = {_root(w) for w in raw[2:-1] if w not in _WORKS_FILLER}
        return bool(named) and named <= self._topic_words[topic.topic]

    def match(
        self,
        text: str,
        settings: MatchSettings,
        *,
        cloud_checked: bool = False,
        leave_out: frozenset[str] = frozenset(),
    ) -> Match:
        """Score *text* by words and meaning against every FAQ and band the result.

        With *cloud_checked*, the caller has already ruled out a cloud how-to; FAQs whose ids
        are in *leave_out* are not candidates (a follow-up asks beyond the answer given).
        """
        text = text[:MAX_QUESTION]
        # Out of scope outright ("ignore your instructions and write a poem about
        # kubernetes") is declined plainly, not pointed to a cloud capability.
        outside = self.scope.outside(words(text))
        topic = None if cloud_checked or outside else self.cloud_topic(text)
        if topic is not None:
            # Never present a certification FAQ as the answer to a cloud how-to.
            return Match("decline", (), (), cloud_topic=topic)
        toks, best = self.lexical(text, settings)
        if outside and toks == [_OUT_OF_SCOPE]:
            other = self.scope.another_certification(words(text))
            return Match("decline", (), (), other_certification=other)
        semantic = None
        if settings.semantic_weight and toks != [_OUT_OF_SCOPE]:
            semantic = self.semantic_scores(text)
        if semantic is not None:
            best = self.fuse(best, semantic, settings)
        if leave_out:
            best = {i: v for i, v in best.items() if self.faqs[i].id not in leave_out}
        if (own := self._exact.get(frozenset(toks))) is not None and own in best:
            others = max((v[0] for i, v in best.items() if i != own), default=0.0)
            score = max(best[own][0], others + settings.ambiguity_margin + 0.1)
            best[own] = (score, best[own][1])
        return self.ranked(best, settings, toks)

    def ranked(
        self, best: dict[int, tuple[float, str]], settings: MatchSettings, toks: list[str]
    ) -> Match:
        """Turn per-FAQ scores into the ranked, banded Match."""
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
        cands = tuple(Candidate(self.faqs[i], round(s, 1), p) for i, (s, p) in ranked[:5])
        band, tentative = _band(cands, settings)
        return Match(band, cands, tuple(toks), tentative)

    def lexical(
        self, text: str, settings: MatchSettings
    ) -> tuple[list[str], dict[int, tuple[float, str]]]:
        """Return the question's tokens and the word-based score and phrasing of every FAQ
        that shares a word with it."""
        toks = self.query_tokens(text)
        qset = frozenset(toks)
        qweight = self.weight(qset)
        if settings.scorer == "blend":
            picked, scores = self._blend(toks, qset, qweight)
        else:  # the other scorers exist to be compared in bench/eval_matching.py
            score = SCORERS[settings.scorer]
            joined = " ".join(toks)
            candidates = list({pi for t in qset for pi in self.postings.get(t, ())})
            picked = np.array(candidates, dtype=np.intp)
            scores = np.array(
                [score(joined, qset, qweight, self.phrasings[pi], self) for pi in candidates]
            )
        if not picked.size:
            return toks, {}
        # Each FAQ's best phrasing: the first of its highest scores in scored order (a stable
        # sort keeps that order among equals), found in arrays instead of a loop per phrasing.
        order = np.argsort(-scores, kind="stable")
        faqs, first = np.unique(self._phrasing_faq[picked[order]], return_index=True)
        kept = order[first]
        fused = scores[kept]
        if settings.answer_weight:
            # Answers name things questions ask about ("zoom", "badge") that no phrasing has.
            k = settings.answer_weight
            fused = (1 - k) * fused + k * 100 * self.answer_overlap(qset)[faqs] / qweight
        if settings.bayes_weight:
            k = settings.bayes_weight
            fused = (1 - k) * fused + k * 100 * self.bayes(qset)[faqs]
        texts = [self.phrasings[pi].text for pi in picked[kept].tolist()]
        return toks, dict(zip(faqs.tolist(), zip(fused.tolist(), texts, strict=True), strict=True))

    def asked_with(self, faq_id: str) -> frozenset[str]:
        """Return the words FAQ *faq_id*'s phrasings use (none for an unknown id)."""
        at = self._position.get(faq_id)
        return self._phrased[at] if at is not None else frozenset()

    def answer_tokens_of(self, faq_id: str) -> frozenset[str]:
        """Return the words FAQ *faq_id*'s answer says (none for an unknown id)."""
        at = self._position.get(faq_id)
        return self.answer_tokens[at] if at is not None else frozenset()

    def speaks_of(self, faq_id: str) -> frozenset[str]:
        """Return the words FAQ *faq_id* is asked or answered with (none for an unknown id)."""
        at = self._position.get(faq_id)
        return self._phrased[at] | self.answer_tokens[at] if at is not None else frozenset()

    def rank_among(
        self, text: str, settings: MatchSettings, faq_ids: Collection[str]
    ) -> tuple[Candidate, ...]:
        """Return the FAQs *faq_ids* ranked for *text* by match()'s fused score, each of them
        scored even when it shares no word with *text* ("which one pays the bills?" among
        the personas)."""
        wanted = {i for i, faq in enumerate(self.faqs) if faq.id in faq_ids}
        toks, best = self.lexical(text[:MAX_QUESTION], settings)
        semantic = self.semantic_scores(text[:MAX_QUESTION]) if settings.semantic_weight else None
        if semantic is not None:
            best = self.fuse(best, semantic, settings, also=wanted)
        scored = {i: best.get(i, (0.0, self.faqs[i].question)) for i in wanted}
        return self.ranked(scored, settings, toks).candidates

    def fuse(
        self,
        best: dict[int, tuple[float, str]],
        semantic: Floats,
        settings: MatchSettings,
        also: Collection[int] = (),
    ) -> dict[int, tuple[float, str]]:
        """Blend the semantic score into the lexical one, adding the semantically nearest FAQs
        that share no word with the question (and the FAQs *also* names)."""
        k = settings.semantic_weight
        floor = settings.semantic_floor
        scaled = (100.0 * np.clip((semantic - floor) / (1.0 - floor), 0.0, 1.0)).tolist()
        nearest = np.argpartition(-semantic, min(_SEMANTIC_EXTRA, len(semantic) - 1))
        fused: dict[int, tuple[float, str]] = {}
        for i in {*best, *nearest[:_SEMANTIC_EXTRA].tolist(), *also}:
            lexical, phrasing = best.get(i, (0.0, self.faqs[i].question))
            fused[i] = ((1 - k) * lexical + k * scaled[i], phrasing)
        return fused

    def _blend(self, toks: list[str], qset: frozenset[str], qweight: float) -> tuple[Ints, Floats]:
        """Score phrasings like _blend, fast: accumulate shared weight through the postings,
        then run the fuzzy comparison only on the best-overlapping shortlist."""
        shared = np.zeros(len(self.phrasings))
        for t in sorted(qset):  # a fixed order, as in weight()
            w = self.idf.get(t)
            if w is not None:
                shared[self._posting_arrays[t]] += w  # (every idf is > 0)
        touched = np.flatnonzero(shared)
        if not touched.size:
            return touched, shared[touched]
        # F-beta of q_cov = s/Q and p_cov = s/P simplifies to (1 + b2) * s / (b2 * Q + P).
        scale = 100.0 * (1 + _BETA2)
        overlap = scale * shared[touched] / (_BETA2 * qweight + self._phrasing_weights[touched])
        # Best first; a stable sort keeps equal scores in phrasing order, so ties at the
        # shortlist's edge are cut the same way every time. Only the candidates scoring at
        # least the shortlist's last score are sorted (a partition finds it): the same
        # order as sorting them all, for a fraction of the work on common words.
        negated = -overlap
        if negated.size > _SHORTLIST:
            edge = np.partition(negated, _SHORTLIST - 1)[_SHORTLIST - 1]
            near = np.flatnonzero(negated <= edge)
            order = near[np.argsort(negated[near], kind="stable")][:_SHORTLIST]
        else:
            order = np.argsort(negated, kind="stable")
        picked = touched[order]
        query = " ".join(sorted(toks))  # token_sort_ratio's view of the question
        # One cdist call compares the shortlist in C: the same ratios as a fuzz.ratio per
        # phrasing (float64 keeps them exact), for a third of the time.
        ratios = process.cdist(
            [query],
            [self._sorted_joined[pi] for pi in picked.tolist()],
            scorer=fuzz.ratio,
            dtype=np.float64,
        )[0]
        scores: Floats = 0.4 * ratios + 0.6 * overlap[order]
        return picked, scores


_OUT_OF_SCOPE = "\x00out-of-scope"

# Characters of a message that are read; a chat message longer than this is not a question.
MAX_QUESTION = 2000


# At most this many definition words before the term ("what is the meaning of rightsizing").
_DEFINITION_LEAD = 6
# Words that join the terms a definition names ("what are reserved instances and savings
# plans?"); "or" asks to choose between them, which is advice, not a definition.
_NAMING_FILLER = frozenset({"and", "the", "a", "an"})
_WORKS_FILLER = frozenset({"and", "or", "actually", "really", "exactly", "the", "a", "an"})
_DEFINITION_ASKS = frozenset({"what", "whats", "define", "definition", "meaning", "explain"})
# Words that set two of a topic's terms side by side, as a definition may ("the difference
# between X and Y"), stemmed as the words they are compared with.
_COMPARING_WORDS = ("difference", "differences", "between", "vs", "versus", "compared")


# A question opening so asks who does a thing (a persona), never how to do it.
_WHO = frozenset({"who", "whose", "whos"})
# The fewest words a phrasing needs for a question with exactly its words to be its own.
_EXACT_WORDS = 2


# Question words by each of their one-letter-short misspellings ("whch" -> "which"), but
# those that are words of their own ("were", "may", "log").
_DROPPED_LETTER = {
    short: asking
    for asking in ("how", "which", "what", "where", "when", "does", "much", "many", "long", "exam")
    for i in range(1, len(asking))
    if (short := asking[:i] + asking[i + 1 :])
    not in {"ho", "were", "may", "man", "log", "lon", "dos", "des", "doe", "whee", "exa"}
}


_SPELLED_KEPT = 64


def _is_stem(text: str) -> bool:
    """Return True when *text* is a practice-exam stem to complete ("tag compliance in a
    FinOps programme measures:"): a how-to never ends waiting for its answer."""
    return text.rstrip().endswith(":")


@lru_cache(maxsize=65_536)  # pure; called for every word of every question
def _root(word: str) -> str:
    # stem() leaves "instance" but makes "instances" "instanc": drop a final e so they meet.
    base = stem(word)
    return base[:-1] if len(base) > 3 and base.endswith("e") else base


def _stemmed(phrase: str) -> frozenset[str]:
    return frozenset(_root(w) for w in words(phrase))


# FAQs that share no word with a question still compete when they are this close in meaning.
_SEMANTIC_EXTRA = 3

# Naive Bayes smoothing, and how much an answer's words count next to a phrasing's.
_BAYES_ALPHA = 0.1
_ANSWER_COUNT = 0.3

# The fuzzy part is only 40% of the score: widening this shortlist to every phrasing changed
# no top answer on the 354-question evaluation set, and it bounds the cost at 10k FAQs.
_SHORTLIST = 60


def _by_a_word(cues: Sequence[frozenset[str]]) -> dict[str, list[int]]:
    """File each cue's place in *cues* under one of its words (the smallest): a question's
    words then find the few cues worth testing, and the first cue said is the lowest place."""
    index: dict[str, list[int]] = defaultdict(list)
    for at, cue in enumerate(cues):
        if cue:  # a cue always has words; an empty one would be said by every question
            index[min(cue)].append(at)
    return dict(index)


def _band(cands: tuple[Candidate, ...], settings: MatchSettings) -> tuple[Band, bool]:
    """Return the band and whether an answer is tentative (clearly ahead, below the line)."""
    top = cands[0].score if cands else 0.0
    second = cands[1].score if len(cands) > 1 else 0.0
    if top >= settings.answer_threshold and top - second >= settings.ambiguity_margin:
        return "answer", False
    if top >= settings.lead_threshold and top - second >= settings.lead_margin:
        return "answer", True
    if top >= settings.suggest_threshold:
        return "suggest", False
    return "decline", False


ScoreFn = Callable[[str, frozenset[str], float, _Phrasing, FaqIndex], float]


# F-beta with beta < 1 weighs "the phrasing's words all appear in the question" above "every
# question word appears in the phrasing": people wrap questions in words no FAQ has.
_BETA2 = 0.5**2


def _overlap(qset: frozenset[str], qweight: float, ph: _Phrasing, index: FaqIndex) -> float:
    """Rarity-weighted F0.5 of shared words: rare words (FOCP, recertification) count most."""
    shared = index.weight(qset & ph.tokens)
    if not shared:
        return 0.0
    q_cov = shared / qweight
    p_cov = shared / ph.weight if ph.weight else 0.0
    return 100.0 * (1 + _BETA2) * q_cov * p_cov / (_BETA2 * p_cov + q_cov)


def _blend(joined: str, qset: frozenset[str], qweight: float, ph: _Phrasing, ix: FaqIndex) -> float:
    # token_sort_ratio adds tolerance for near-misses the word overlap cannot see.
    return 0.4 * fuzz.token_sort_ratio(joined, ph.joined) + 0.6 * _overlap(qset, qweight, ph, ix)


SCORERS: dict[str, ScoreFn] = {
    "blend": _blend,
    "overlap": lambda j, q, w, ph, ix: _overlap(q, w, ph, ix),
    "token_set": lambda j, q, w, ph, ix: fuzz.token_set_ratio(j, ph.joined),
    "token_sort": lambda j, q, w, ph, ix: fuzz.token_sort_ratio(j, ph.joined),
    "wratio": lambda j, q, w, ph, ix: fuzz.WRatio(j, ph.joined),
    "ratio": lambda j, q, w, ph, ix: fuzz.ratio(j, ph.joined),
}
