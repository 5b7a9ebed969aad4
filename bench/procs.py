"""Child processes the benchmarks start: the installed entry point, this interpreter, a sandbox."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.core.closing import Closing

#: The repository root (the children run from it, so `python -m bench.<probe>` imports this tree).
ROOT = Path(__file__).resolve().parent.parent


def entry_point() -> list[str]:
    """`scim-assistant` as installed next to this interpreter (the venv), else `python -m app`."""
    script = Path(sys.executable).parent / "scim-assistant"
    if script.exists():
        return [str(script)]
    found = shutil.which("scim-assistant")
    return [found] if found else [sys.executable, "-m", "app"]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


class SandboxProcess(Closing):
    """`scim-assistant sandbox` in its own process, so serving never competes for our GIL.

    Its one JSON line (interfaces.md) is `info`; `stop()` sends SIGINT as an admin's Ctrl-C would.
    """

    def __init__(self, members: int, seed: int = 1, timeout: float = 120.0) -> None:
        command = [
            *entry_point(),
            "sandbox",
            "--members",
            str(members),
            "--seed",
            str(seed),
        ]
        started = time.monotonic()
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, text=True, env=child_env(), cwd=ROOT
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError(f"the sandbox did not start: {' '.join(command)}")
        self.info: dict[str, str] = json.loads(line)
        self.startup_seconds = time.monotonic() - started
        if self.startup_seconds > timeout:
            self.stop()
            raise RuntimeError("the sandbox took too long to start")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def close(self) -> None:
        """`with SandboxProcess(...)` stops the sandbox at the end (`Closing`)."""
        self.stop()
