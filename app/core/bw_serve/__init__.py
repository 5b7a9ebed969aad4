"""Confirming members through the Bitwarden CLI's `bw serve` (the Vault Management API).

No Public API or SCIM endpoint confirms a member: confirmation encrypts the organization key for the
member, which only an unlocked admin client can do (shared/reference/bitwarden-api.md §4). So the
program drives `bw serve` — the sandbox's emulation in the demo, else one it starts itself on a
Unix socket in a private directory.

One module per concern, each importing only those above it in this list:
- `client`: `BwServeClient`, the blocking client of one `bw serve`, and `BwServeError`;
- `confirm`: `confirm_members` and `fingerprints`, the batch run over a client;
- `process`: `BwServeProcess`, a `bw serve` child this program starts;
- `discovery`: `find_bw` and `diagnose_cli`, the CLI on this computer (no HTTP).
"""

from __future__ import annotations

from app.core.bw_serve.client import BwServeClient, BwServeError, OrgMember
from app.core.bw_serve.confirm import ConfirmOutcome, ConfirmResult, confirm_members, fingerprints
from app.core.bw_serve.discovery import CliDiagnosis, diagnose_cli, find_bw, same_server
from app.core.bw_serve.process import BwServeProcess

__all__ = [
    "BwServeClient",
    "BwServeError",
    "BwServeProcess",
    "CliDiagnosis",
    "ConfirmOutcome",
    "ConfirmResult",
    "OrgMember",
    "confirm_members",
    "diagnose_cli",
    "find_bw",
    "fingerprints",
    "same_server",
]
