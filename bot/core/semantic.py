"""Offline semantic similarity: static word embeddings shipped inside the wordllama wheel."""

from __future__ import annotations

import importlib.util
import logging
import math
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from bot.core.wordpieces import WORD_START, WordPieces

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

# Matryoshka truncation of the 256-dim model: measured in docs/matching.md (quality, speed and
# memory); 64 dims keep the matrix at 8 MB in memory.
DIMS = 64
# Set FINOPS_SEMANTIC=off to match on words alone (e.g. on a box too small for the model).
ENV_SWITCH = "FINOPS_SEMANTIC"


class Embedder(Protocol):
    """Turns texts into unit-length vectors whose dot product is their cosine similarity."""

    def is_word(self, word: str) -> bool:
        """Return True when *word* is a real word the model knows whole (not a typo)."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return one unit row per text."""
        ...

    def embed_one(self, text: str) -> Vectors:
        """Return *text*'s unit vector: embed([text])[0], for one question at a time."""
        ...


class WordLlamaEmbedder:
    """wordllama's l2_supercat model read from the files its wheel ships, never downloaded.

    The model is a token embedding table averaged over a text's tokens, which is all
    wordllama's own embed() does; reading the two files directly skips importing the
    package (its config and download code cost a quarter of a second at start) and can
    never reach the network.
    """

    def __init__(self, dims: int = DIMS) -> None:
        """Load the bundled tokenizer and the first *dims* columns of the weights."""
        from safetensors import safe_open  # noqa: PLC0415 - optional: missing means words only

        spec = importlib.util.find_spec("wordllama")
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError("wordllama is not installed")
        bundled = Path(spec.origin).parent
        self._pieces = WordPieces(bundled / "tokenizers" / _TOKENIZER)
        with safe_open(str(bundled / "weights" / _WEIGHTS), framework="np") as f:
            # Matryoshka-trained: the leading columns are a smaller model of their own. Only
            # they are read, and kept as float16 (a question gathers a few dozen rows and
            # averages them in float32): 4 MB resident instead of the file's 16.
            table = f.get_slice("embedding.weight")[:, :dims]
        self._table: npt.NDArray[np.float16] = np.ascontiguousarray(table, dtype=np.float16)
        # Bounded: a stranger's made-up words must not grow the process (~250 bytes each).
        self._word_ids = lru_cache(maxsize=_CACHED_WORDS)(self._encode_word)

    def _encode_word(self, word: str) -> tuple[int, ...]:
        return self._pieces.encode(word)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return unit vectors for *texts*: mean token vector, normalised (empty: zeros)."""
        # Word by word, as embed_one() does. The arithmetic is one pass over all the texts'
        # tokens: a snapshot's 3,000 phrasings took 0.1 s in per-text numpy calls, and a
        # question pays for a few calls, not for array sizes.
        rows = [[i for word in text.split() for i in self._word_ids(word)] for text in texts]
        counts = np.array([len(ids) for ids in rows], dtype=np.intp)
        out: Vectors = np.zeros((len(texts), self._table.shape[1]), dtype=np.float32)
        filled = counts > 0
        if not filled.any():
            return out
        tokens = np.fromiter(chain.from_iterable(rows), dtype=np.intp, count=int(counts.sum()))
        starts = (np.cumsum(counts) - counts)[filled]
        totals = np.add.reduceat(self._table[tokens].astype(np.float32), starts, axis=0)
        means = totals / counts[filled, None].astype(np.float32)
        norms = np.sqrt(np.einsum("ij,ij->i", means, means))
        out[filled] = means / np.maximum(norms, np.float32(1e-9))[:, None]
        return out

    def embed_one(self, text: str) -> Vectors:
        """Return *text*'s unit vector (zeros when it has no token), as embed() would."""
        # Every question pays this: bare ufunc calls, where embed()'s batch bookkeeping
        # and np.linalg.norm cost more in argument handling than in arithmetic.
        # Word by word through a small cache: the model's tokenizer splits only at spaces
        # (no token has a ▁ inside), so a text's tokens are its words' tokens in order.
        ids = [i for word in text.split() for i in self._word_ids(word)]
        if not ids:
            return np.zeros(self._table.shape[1], dtype=np.float32)
        mean = np.add.reduce(self._table[ids].astype(np.float32), axis=0) / np.float32(len(ids))
        unit: Vectors = mean / np.float32(max(math.sqrt(float(np.dot(mean, mean))), 1e-9))
        return unit

    def is_word(self, word: str) -> bool:
        """Return True when *word* is one whole token of the vocabulary: common English."""
        # Llama's vocabulary holds about 16,000 whole words ("trying"); typos ("exma",
        # "scroe") are split into pieces.
        return self._pieces.is_piece(WORD_START + word)


_CACHED_WORDS = 4096
_TOKENIZER = "l2_supercat_tokenizer_config.json"
_WEIGHTS = "l2_supercat_256.safetensors"

_lock = threading.Lock()
_state: dict[str, Embedder | None] = {}


def shared_embedder() -> Embedder | None:
    """Return the process's one embedder, loading it on first use; None when unavailable.

    Thread-safe: a reload building an index in another thread waits for the first load
    instead of loading a second copy. A failure is logged once and remembered.
    """
    with _lock:
        if "model" not in _state:
            _state["model"] = _load()
        return _state["model"]


def _load() -> Embedder | None:
    if os.environ.get(ENV_SWITCH, "").strip().lower() in ("off", "0", "false", "no"):
        logger.info("semantic matching switched off by %s; matching on words alone", ENV_SWITCH)
        return None
    try:
        return WordLlamaEmbedder()
    except Exception as exc:  # any failure to load means words-only matching
        logger.warning(
            "semantic model unavailable (%s: %s); matching on words alone",
            type(exc).__name__,
            str(exc)[:200],
        )
        return None


def reset_shared_embedder() -> None:
    """Forget the loaded embedder (tests use it to exercise a failed load)."""
    with _lock:
        _state.clear()
