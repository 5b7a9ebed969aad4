"""`map_large_blocks`: a freed large block goes back to the system even after glibc has seen a
larger one (its dynamic mmap threshold then carved such blocks from the heap, where the freed
ones stayed resident between live blocks; bench: members_100000_peak_rss_mb)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.gui.members.heap_trim import LARGE_BLOCK, map_large_blocks

# In a fresh interpreter: this process's heap has a history of its own.
_PROBE = """
import os, sys
from app.gui.members.heap_trim import map_large_blocks
if sys.argv[1] == "fixed":
    assert map_large_blocks()
page = os.sysconf("SC_PAGE_SIZE")
def resident():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * page
first = b"x" * (8 << 20)  # mapped; glibc's default then raises its threshold to 8 MiB
del first
before = resident()
large, pins = [], []
for _ in range(20):
    large.append(b"x" * (2 << 20))  # 2 MiB, below the raised threshold: from the heap
    pins.append(b"x" * (200 << 10))  # a live block after it, so the heap cannot shrink
del large
print(resident() - before)
"""


def _kept_after_free(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip())


@pytest.mark.skipif(not map_large_blocks(), reason="needs glibc's mallopt (Linux)")
def test_freed_large_blocks_are_given_back_after_a_larger_one_was_freed() -> None:
    freed = 20 * (2 << 20)
    # The pins themselves (4 MB) stay; the 40 MiB of large blocks must not.
    assert _kept_after_free("fixed") < freed // 4
    assert LARGE_BLOCK <= 2 << 20


def test_without_it_the_same_blocks_stay_resident() -> None:
    """The probe can fail: with glibc's own threshold the freed blocks are kept."""
    if not sys.platform.startswith("linux") or not map_large_blocks():
        pytest.skip("needs glibc")
    assert _kept_after_free("default") > 20 * (2 << 20) // 2
