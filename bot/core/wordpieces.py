"""The bundled model's BPE tokenizer, for the words the matcher embeds, in a few MB.

The `tokenizers` library held the whole Llama vocabulary and merge table in 15 MB (11 once the
heap was trimmed) and cost 6 MB to import, a sixth of the server's 150 MB budget. What is
embedded is only ever folded words (lower-case letters, digits and dots, from text.words()),
so only the pieces and merges made of those characters are kept: 17,271 of 32,000 pieces and
39,485 of 61,249 merges, about 4 MB. The library stays the reference: tests/test_semantic.py
checks that both tokenize every knowledge and evaluation text, and random words, the same.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from pathlib import Path

# What a folded word is made of, and SentencePiece's mark for the start of a word.
WORD_START = "\u2581"
_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz0123456789." + WORD_START)


class WordPieces:
    """Splits one word into the model's token ids, as its byte-pair encoding does."""

    def __init__(self, config: Path) -> None:
        """Read the pieces and merges the alphabet can reach from the tokenizer's *config*."""
        with config.open(encoding="utf-8") as f:
            model = json.load(f)["model"]
        if model.get("type") != "BPE" or model.get("continuing_subword_prefix"):
            raise ValueError(f"{config.name}: not the byte-pair model this reader knows")
        # The kept entries go through two flat strings, and the parsed file is freed
        # before the tables are built: built while it was alive, they were scattered
        # among its ~100,000 freed objects and kept their memory from going back.
        pieces = "\n".join(
            f"{piece}\t{at}"
            for piece, at in model["vocab"].items()
            if _ALPHABET.issuperset(piece) or _is_byte(piece)
        )
        # A merge's rank is its place in the file: lower merges first. "a b" joins a and b.
        merges = "\n".join(
            f"{merge}\t{rank}"
            for rank, merge in enumerate(_merges(model["merges"]))
            if _ALPHABET.issuperset(merge.replace(" ", ""))
        )
        del model
        self._ids: dict[str, int] = dict(_pairs(pieces))
        self._ranks: dict[str, int] = dict(_pairs(merges))

    def is_piece(self, piece: str) -> bool:
        """Return True when *piece* ("▁trying") is one token of the vocabulary."""
        return piece in self._ids

    def encode(self, word: str) -> tuple[int, ...]:
        """Return the token ids of *word* as it starts a text or follows a space."""
        symbols = _merged_pairs(list(WORD_START + word), self._ranks)
        out: list[int] = []
        for symbol in symbols:
            found = self._ids.get(symbol)
            if found is not None:
                out.append(found)
            else:  # byte fallback, as the model's own tokenizer does for unknown characters
                out += [self._ids[f"<0x{b:02X}>"] for b in symbol.encode("utf-8")]
        return tuple(out)


def _merged_pairs(symbols: list[str], ranks: dict[str, int]) -> list[str]:
    """Merge adjacent *symbols* lowest rank first, the leftmost among equals, as the
    library's BPE does: a heap of candidate pairs over a linked list, so a stranger's
    2,000-letter "word" costs milliseconds, not a rescan of every pair per merge."""
    count = len(symbols)
    after = [*range(1, count), -1]
    before = list(range(-1, count - 1))
    heap: list[tuple[int, int, str]] = []

    def offer(at: int) -> None:
        # The pair starting at *at*, if it merges: (rank, position, what it becomes).
        nxt = after[at]
        if nxt >= 0 and (rank := ranks.get(f"{symbols[at]} {symbols[nxt]}")) is not None:
            heapq.heappush(heap, (rank, at, symbols[at] + symbols[nxt]))

    for at in range(count - 1):
        offer(at)
    while heap:
        _, at, joined = heapq.heappop(heap)
        nxt = after[at]
        # Stale when a merge since changed this pair: it no longer makes *joined*.
        if not symbols[at] or nxt < 0 or symbols[at] + symbols[nxt] != joined:
            continue
        symbols[at], symbols[nxt] = joined, ""
        after[at] = after[nxt]
        if after[at] >= 0:
            before[after[at]] = at
        if before[at] >= 0:
            offer(before[at])
        offer(at)
    return [symbol for symbol in symbols if symbol]


def _merges(merges: list[str] | list[list[str]]) -> list[str]:
    # Newer tokenizer files write a merge as a pair, older ones as "a b".
    return [m if isinstance(m, str) else " ".join(m) for m in merges]


def _is_byte(piece: str) -> bool:
    return len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">")


def _pairs(lines: str) -> Iterator[tuple[str, int]]:
    for line in lines.split("\n"):
        key, value = line.rsplit("\t", 1)
        yield key, int(value)
