"""The C heap of a long-running server: fewer malloc arenas, freed pages handed back (glibc)."""

from __future__ import annotations

import ctypes
import logging

logger = logging.getLogger(__name__)

# glibc's mallopt parameter for the arena limit (malloc.h: #define M_ARENA_MAX -8).
_M_ARENA_MAX = -8
# Two arenas: the event loop's thread and one shared by the worker threads (store writes, the
# knowledge reload). glibc's default (8 per core) let each worker thread keep its own
# half-empty heap: about 6 MiB more resident after the Slack load bench (docs/slack.md).
ARENAS = 2


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas (call before any thread starts); False where not applied."""
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is None:  # not glibc (musl, macOS)
        return False
    if not mallopt(_M_ARENA_MAX, arenas):
        logger.debug("mallopt(M_ARENA_MAX) refused; keeping the default arenas")
        return False
    return True


def trim() -> None:
    """Hand the C heap's free pages back to the system (glibc; elsewhere nothing happens).

    Loading the semantic model's tokenizer and the knowledge leaves several MB of freed
    parse buffers that glibc keeps for reuse; no later allocation needs that much at once.
    """
    release = getattr(_libc(), "malloc_trim", None)
    if release is not None:
        release(0)
