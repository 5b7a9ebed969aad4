"""Every run of the program writes no core file, nor do its children (issue 12, finding 6).

A child process starts with `RLIMIT_CORE` unlimited, runs the program's entry point
(`app.cli.main`, here `--version`: the GUI and every command start there), starts a grandchild
as the program starts `bw serve`, and both crash with SIGABRT. Neither leaves a core file. The
control, the same crash without the entry point, does leave one where the kernel writes cores
into the working directory (`core_pattern` a plain name), so the test can fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no RLIMIT_CORE on Windows")

ROOT = Path(__file__).resolve().parents[2]

RUN = """
import os, resource, subprocess, sys
# Cores as large as they come (as a developer's shell may allow), before the program starts.
_soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
try:
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
except (ValueError, OSError):  # not privileged: as large as this process may allow
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
print("start", *resource.getrlimit(resource.RLIMIT_CORE), flush=True)
{start}
grandchild = subprocess.run(
    [sys.executable, "-c",
     "import os, resource; print('grandchild', *resource.getrlimit(resource.RLIMIT_CORE), "
     "flush=True); os.abort()"],
    check=False,
)
print("child", *resource.getrlimit(resource.RLIMIT_CORE), grandchild.returncode, flush=True)
os.abort()
"""
PROGRAM = RUN.format(start="from app.cli import main\nmain(['--version'])\nsys.stdout.flush()")
CONTROL = RUN.format(start="")


def crash(script: str, cwd: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        check=False,
    )
    assert done.returncode < 0, done.stderr  # it crashed (SIGABRT)
    return done.stdout.splitlines()


def cores(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("core"))


def test_a_crash_after_the_program_started_leaves_no_core_in_it_or_its_children(
    tmp_path: Path,
) -> None:
    program = tmp_path / "program"
    program.mkdir()
    lines = crash(PROGRAM, program)
    assert lines.pop(0).split()[1] != "0", "the child did not start with cores allowed"
    assert lines[0].startswith("scim-assistant ")
    assert lines[1].startswith("grandchild 0 ")  # RLIMIT_CORE inherited across fork and exec
    assert lines[2].startswith("child 0 ")
    assert cores(program) == []

    control = tmp_path / "control"
    control.mkdir()
    lines = crash(CONTROL, control)
    assert lines[0].split()[1] != "0", "the control did not start with cores allowed"
    assert lines[1].split()[1] != "0"  # its grandchild may write a core too
    pattern = Path("/proc/sys/kernel/core_pattern")
    if sys.platform.startswith("linux") and pattern.read_text().strip() in ("core", "core.%p"):
        assert cores(control), "the kernel wrote no core for the control: the test proves nothing"
