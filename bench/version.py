"""`version_seconds`: `scim-assistant --version` as a subprocess, and proof that it loads no Qt."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

from bench.figures import Figure, median
from bench.procs import ROOT, child_env, entry_point

TARGET_SECONDS = 0.15
RUNS = 9
_QT_MODULES = ("PySide6", "shiboken6")


def run_once() -> float:
    started = time.monotonic()
    done = subprocess.run(
        [*entry_point(), "--version"], capture_output=True, text=True, env=child_env(), cwd=ROOT
    )
    elapsed = time.monotonic() - started
    if done.returncode != 0 or not done.stdout.startswith("scim-assistant "):
        raise RuntimeError(f"--version failed: {done.returncode} {done.stdout!r} {done.stderr!r}")
    return elapsed


def qt_modules_imported() -> list[str]:
    """The Qt modules `--version` imports, from the interpreter's own import log (-X importtime)."""
    script = entry_point()
    command = (
        [sys.executable, "-X", "importtime", *script[1:]]
        if script[0] == sys.executable
        else [sys.executable, "-X", "importtime", script[0]]
    )
    done = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, env=child_env(), cwd=ROOT
    )
    modules = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line]
    if "app.cli" not in modules:  # the log did not come from our entry point: measure nothing
        raise RuntimeError(f"no import log for --version: {done.stderr[-500:]!r}")
    return [m for m in modules if m.split(".", 1)[0] in _QT_MODULES]


def figures() -> Iterator[Figure]:
    run_once()  # warm the page cache, as any second launch finds it
    yield Figure("version_seconds", median([run_once() for _ in range(RUNS)]), "s", TARGET_SECONDS)
    yield Figure("version_qt_modules_imported", len(qt_modules_imported()), "modules", 0)
