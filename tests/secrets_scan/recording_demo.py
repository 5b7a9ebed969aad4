"""Runs `scim-assistant --demo --smoke-test` and records the demo's secrets for the scan.

The demo's sandbox makes a fresh SCIM key, client secret, master password, Okta token and vault
access and refresh tokens (the native confirm's login) on every run, inside the process. To look
for them in what the run leaves behind, this wrapper writes each one, as it is made, to the file
named by SCAN_SECRETS_OUT (outside the scanned dirs). It changes nothing else: the program runs
exactly as `scim-assistant --demo --smoke-test`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from app.sandbox.server import Sandbox
from app.sandbox.vault.accounts import VaultAccounts

_OUT = Path(os.environ["SCAN_SECRETS_OUT"])
_RECORDED: dict[str, list[str]] = {}


def _record(name: str, value: str) -> None:
    _RECORDED.setdefault(name, []).append(value)
    _OUT.write_text(json.dumps(_RECORDED), encoding="utf-8")


_original_start = Sandbox.start.__func__  # type: ignore[attr-defined]
_original_issue = VaultAccounts.issue


def _start(cls: type[Sandbox], *args: Any, **kwargs: Any) -> Sandbox:
    box: Sandbox = _original_start(cls, *args, **kwargs)
    for name in ("scim_key", "client_secret", "bw_password", "okta_token"):
        _record(name, str(box.info[name]))
    return box


def _issue(self: VaultAccounts, *args: Any, **kwargs: Any) -> Any:
    access, refresh = _original_issue(self, *args, **kwargs)
    _record("vault_access_token", access)
    _record("vault_refresh_token", refresh)
    return access, refresh


Sandbox.start = classmethod(_start)  # type: ignore[method-assign,assignment]
VaultAccounts.issue = _issue  # type: ignore[method-assign]

if __name__ == "__main__":
    from app.cli import main

    sys.exit(main(["--demo", "--smoke-test"]))
