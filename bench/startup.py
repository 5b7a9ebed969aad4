"""`startup_ratio_vs_bare_qt`: `--demo` start to its first wizard page painted, vs a bare QWizard.

Both run as child processes started the same way (`python -m bench.paint_probe demo|bare`), timed
from just before the spawn to the `PAINTED` time the child prints (CLOCK_MONOTONIC is system-wide,
so both clocks agree). Runs are interleaved, alternating which goes first; the ratio is the median
of the per-pair ratios, each pair run back to back, so a busy machine slows both alike.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

from bench.figures import Figure, median
from bench.paint_probe import MARK
from bench.procs import ROOT, child_env

TARGET_RATIO = 1.5
PAIRS = 9
TIMEOUT_S = 60.0


def time_to_paint(mode: str) -> float:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bench.paint_probe", mode],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=ROOT,
        timeout=TIMEOUT_S,
    )
    for line in done.stdout.splitlines():
        if line.startswith(MARK + " "):
            return float(line.split()[1]) - started
    detail = done.stderr[-800:]
    raise RuntimeError(f"{mode}: no first paint seen (exit {done.returncode}): {detail}")


def figures() -> Iterator[Figure]:
    time_to_paint("bare")  # warm the page cache for both (shared Qt libraries)
    time_to_paint("demo")
    demo: list[float] = []
    bare: list[float] = []
    for i in range(PAIRS):
        order = ("demo", "bare") if i % 2 == 0 else ("bare", "demo")
        for mode in order:
            (demo if mode == "demo" else bare).append(time_to_paint(mode))
    yield Figure("startup_demo_first_paint_seconds", median(demo), "s")
    yield Figure("startup_bare_qt_first_paint_seconds", median(bare), "s")
    ratios = [d / b for d, b in zip(demo, bare, strict=True)]
    yield Figure("startup_ratio_vs_bare_qt", median(ratios), "ratio", TARGET_RATIO)
