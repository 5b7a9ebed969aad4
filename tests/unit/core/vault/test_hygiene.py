"""A process that opened a vault session writes no core file and cannot be dumped (Linux)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux prctl")

CHILD = """
import os, resource, ctypes, sys
from app.core.vault.session import VaultSession
session = VaultSession("http://127.0.0.1:9/identity", "http://127.0.0.1:9/api",
                       device_identifier="x")
libc = ctypes.CDLL(None)
print(resource.getrlimit(resource.RLIMIT_CORE)[0], libc.prctl(3, 0, 0, 0, 0), flush=True)
os.abort()
"""


def test_a_crash_during_a_session_leaves_no_core_file(tmp_path: Path) -> None:
    before = {p.name for p in tmp_path.iterdir()}
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[4]), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode < 0, done.stderr  # it crashed (SIGABRT)
    assert done.stdout.split() == ["0", "0"]  # no core (soft limit 0), not dumpable
    assert {p.name for p in tmp_path.iterdir()} == before
