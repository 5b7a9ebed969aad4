"""The Bitwarden CLI on this computer: finding `bw`, and what it needs before confirming works.

A desktop app's PATH is often shorter than the shell's, so the usual install places are searched
too. The diagnosis reads `bw --version`, `bw status` and `bw config server` non-interactively and
names the exact commands to copy.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from app.core import messages as msg


def _candidate_paths() -> Iterator[Path]:
    """Where `bw` usually lives when a desktop app's PATH is shorter than the shell's."""
    home = Path.home()
    if sys.platform == "win32":
        appdata = os.environ.get("APPDATA")
        if appdata:
            yield Path(appdata) / "npm" / "bw.cmd"
        return
    yield from (
        Path("/opt/homebrew/bin/bw"),
        Path("/usr/local/bin/bw"),
        Path("/snap/bin/bw"),
        home / ".npm-global" / "bin" / "bw",
        home / ".local" / "bin" / "bw",
    )


def find_bw() -> Path | None:
    """The Bitwarden CLI: $SCIM_ASSISTANT_BW, then PATH, then the usual install places."""
    override = os.environ.get("SCIM_ASSISTANT_BW")
    if override:
        path = Path(override)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    found = shutil.which("bw")
    if found:
        return Path(found)
    return next((p for p in _candidate_paths() if p.is_file() and os.access(p, os.X_OK)), None)


class CliDiagnosis(BaseModel):
    """What the admin must do before confirming works; `commands` are exact, to copy."""

    installed: bool
    version: str | None = None
    logged_in: bool = False
    server_url: str | None = None
    locked: bool | None = None
    problems: list[str] = Field(default_factory=list)
    commands: list[str] = Field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


_CLOUD_ALIASES = {
    "bitwarden.com": "https://vault.bitwarden.com",
    "vault.bitwarden.com": "https://vault.bitwarden.com",
    "bitwarden.eu": "https://vault.bitwarden.eu",
    "vault.bitwarden.eu": "https://vault.bitwarden.eu",
}


def same_server(a: str | None, b: str | None) -> bool:
    """Whether two server URLs name the same Bitwarden server (cloud aliases folded)."""
    return _server_key(a) == _server_key(b)


def _server_key(url: str | None) -> str:
    if not url:
        return "https://vault.bitwarden.com"  # the CLI's default server is the US cloud
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if host in _CLOUD_ALIASES:
        return _CLOUD_ALIASES[host]
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme.lower()}://{host}{port}{parts.path.rstrip('/')}"


def diagnose_cli(expected_server: str, bw: Path | None = None) -> CliDiagnosis:
    """Read `bw --version`, `bw status` and `bw config server`; say what is missing and how to fix.

    `expected_server` is the profile's server: its self-hosted URL, or the cloud's vault URL.
    """
    executable = bw or find_bw()
    if executable is None:
        return CliDiagnosis(
            installed=False,
            problems=[msg.BW_CLI_NOT_INSTALLED],
            commands=["npm install -g @bitwarden/cli"],
        )
    version = _run(executable, "--version")
    status_text = _run(executable, "status")
    configured = _run(executable, "config", "server")
    status: dict[str, Any] = {}
    if status_text:
        with contextlib.suppress(ValueError):
            parsed = json.loads(status_text)
            if isinstance(parsed, dict):
                inner = parsed.get("data", {}).get("template") if "data" in parsed else parsed
                status = inner if isinstance(inner, dict) else {}
    state = status.get("status")
    server = status.get("serverUrl") or (configured.strip() if configured else None)
    diagnosis = CliDiagnosis(
        installed=True,
        version=version.strip() if version else None,
        logged_in=state in ("locked", "unlocked"),
        server_url=server,
        locked=None if state not in ("locked", "unlocked") else state == "locked",
    )
    wanted = _server_key(expected_server)
    on_other_server = not same_server(server, expected_server)
    if not status:
        diagnosis.problems.append(msg.BW_CLI_NO_STATUS)
    if on_other_server:
        diagnosis.problems.append(
            msg.BW_CLI_OTHER_SERVER.format(current=_server_key(server), wanted=wanted)
        )
        if diagnosis.logged_in:
            diagnosis.commands.append("bw logout")
        diagnosis.commands.append(f"bw config server {wanted}")
    if not diagnosis.logged_in or on_other_server:
        if not on_other_server:
            diagnosis.problems.append(msg.BW_CLI_NOT_LOGGED_IN)
        diagnosis.commands += ["bw login", "(or, for single sign-on: bw login --sso)"]
    return diagnosis


def _run(bw: Path, *args: str) -> str | None:
    """Run the CLI non-interactively; None when it fails or takes too long."""
    env = dict(os.environ, BW_NOINTERACTION="true")
    try:
        done = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
            [str(bw), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
