"""Give the memory a refresh freed back to the system (glibc only; elsewhere a no-op).

A 100,000-member refresh allocates and frees about 100 MB on a worker thread. glibc keeps freed
chunks in its arenas, so the window's resident size crept up refresh after refresh (bench:
301 -> 427 MB over 20 refreshes) although Python held no more objects. `malloc_trim(0)` returns
the free pages of every arena. ctypes releases the GIL for the call, so the GUI thread runs on.

Large blocks get their own mappings (`map_large_blocks`): glibc raises its mmap threshold each
time a mapped block is freed (up to 32 MB), so after the first 40 MB body the lists, dicts and
bodies of the next refreshes were carved from the heap, and the freed ones stayed resident
between live blocks. With the threshold held at 1 MiB they go back to the system when freed
(bench: members_100000_peak_rss_mb 318-327 -> 296-297 MB under load 2; the resident size
crept ~30 MB over five refreshes before).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from functools import cache

#: glibc's `mallopt` parameter number for the mmap threshold (malloc.h).
_M_MMAP_THRESHOLD = -3
#: Blocks at least this large are mapped on their own (glibc's default starts at 128 KiB).
LARGE_BLOCK = 1 << 20


@cache
def _libc_function(name: str) -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    library = ctypes.util.find_library("c")
    if library is None:
        return None
    try:
        function: Callable[..., int] = getattr(ctypes.CDLL(library), name)
    except (OSError, AttributeError):  # musl and other C libraries have neither
        return None
    return function


@cache
def map_large_blocks() -> bool:
    """Hold glibc's mmap threshold at `LARGE_BLOCK` for the process; False where it cannot.

    Once per process (the first members window): it only changes where later blocks come from.
    """
    mallopt = _libc_function("mallopt")
    return mallopt is not None and mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK) == 1


def release_free_memory() -> bool:
    """Trim the C heap; False where the C library cannot."""
    trim = _libc_function("malloc_trim")
    if trim is None:
        return False
    trim(0)
    return True
