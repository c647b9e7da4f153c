"""Offline semantic similarity: static word embeddings shipped inside the wordllama wheel."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

# Matryoshka truncation of the 256-dim model: measured in docs/matching.md (quality, speed and
# memory); 64 dims keep the matrix at 8 MB in memory.
DIMS = 64
# Set FINOPS_SEMANTIC=off to match on words alone (e.g. on a box too small for the model).
ENV_SWITCH = "FINOPS_SEMANTIC"


class Embedder(Protocol):
    """Turns texts into unit-length vectors whose dot product is their cosine similarity."""

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return one unit row per text."""
        ...


class WordLlamaEmbedder:
    """wordllama's l2_supercat model loaded from the files its wheel ships, never downloaded."""

    def __init__(self, dims: int = DIMS) -> None:
        """Load the bundled weights and tokenizer truncated to *dims*; raise when missing."""
        import wordllama  # noqa: PLC0415 - optional at run time: a missing package means lexical only

        bundled = Path(wordllama.__file__).parent
        # The default lookup misses the wheel's tokenizers/ folder and would try to download;
        # pointing cache_dir at the package and disabling downloads makes a miss fail loudly.
        self._model: Any = wordllama.WordLlama.load(
            cache_dir=bundled, disable_download=True, trunc_dim=dims
        )

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return unit vectors for *texts* (an empty text gets a zero vector)."""
        vectors = np.asarray(self._model.embed(list(texts), norm=False), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit: Vectors = vectors / np.maximum(norms, 1e-9)
        return unit


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
