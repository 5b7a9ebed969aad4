"""The Bitwarden CLI's `bw serve` refusals, said in plain words for an organization admin.

`bw serve` answers a refusal with the CLI's own text (checked against `@bitwarden/cli` 2026.6.0 in
`tests/integration/test_real_bw.py`): an SDK error for a wrong master password, `Error: …` for
what the CLI refuses itself, the server's bare text for what the server refuses. Those say what
went wrong inside the CLI, not what the admin should do; this module says that, per request kind
(the same words can mean different things on unlock and on confirm). The CLI's own text is kept
beside the plain sentence (`BwServeError.cli_message`) for support.
"""

from __future__ import annotations

from typing import Literal

from app.core import messages as msg

#: Which `bw serve` request was refused: the same text can mean different things per request.
Action = Literal["status", "unlock", "lock", "list", "fingerprint", "confirm"]

# The CLI's words (also older CLIs' words where they differ), without a leading "Error: ".
CLI_DECRYPTION_FAILED = "Cryptography error, The decryption operation failed"
CLI_UNLOCK_REFUSED_OLDER = "Invalid master password."
CLI_UNLOCK_NEEDS_INPUT = "Master password is required."
CLI_VAULT_LOCKED = "Vault is locked."
CLI_NOT_LOGGED_IN = "You are not logged in."
CLI_ORGANIZATION_NOT_FOUND = "Organization not found."
CLI_NO_ORGANIZATION_KEY = "No encryption key for this organization."
CLI_NOT_FOUND = "Not found."

#: Why the CLI (or the server behind it) would not confirm one member: the member's state,
#: worded as the rest of a sentence about the member ("<email> is already confirmed").
MEMBER_REFUSALS = {
    "User must accept the invitation before they can be confirmed.": msg.CONFIRM_SKIP_INVITED,
    "User is already confirmed.": msg.CONFIRM_SKIP_CONFIRMED,
    "User is revoked and cannot be confirmed.": msg.CONFIRM_SKIP_REVOKED,
    "User is not in a valid state to be confirmed.": "is not in a state that can be confirmed",
    # The server's words when the member changed after the CLI looked, or is gone.
    "User not valid.": "is no longer accepted (the server refused to confirm)",
    "Resource not found.": msg.CONFIRM_NO_LONGER_MEMBER,
}

UNLOCK_WRONG = (
    "The master password is wrong (bw could not decrypt the vault key with it). Check it, "
    "mind Caps Lock, and try again."
)
UNLOCK_EMPTY = "No master password was given. Enter it and try again."
VAULT_LOCKED = "The vault in bw serve is locked. Unlock it with your master password and try again."
NOT_LOGGED_IN = (
    "The Bitwarden CLI is not logged in. Log in once in a terminal (`bw login`), as an admin of "
    "this organization, and try again."
)
NOT_IN_ORGANIZATION = (
    "The Bitwarden CLI is logged in to an account that is not a member of this organization, or "
    "its copy of the vault is out of date. Run `bw sync` and try again; if that does not help, "
    "log the CLI in as an admin of this organization (`bw logout`, then `bw login`)."
)
NO_FINGERPRINT = "bw found no Bitwarden account with this user id, so it has no fingerprint phrase."
MEMBER_NOT_CONFIRMED = "This person {why}, so bw did not confirm them."
OTHER = "bw serve said: {cli}"


def without_error_prefix(cli_message: str) -> str:
    """The CLI reports an `Error` it threw as `String(error)`, so `Error: …`; older ones did not."""
    return cli_message.removeprefix("Error: ").strip()


def member_refusal(cli_message: str) -> str | None:
    """Why this one member was not confirmed, when the refusal is about the member's state."""
    return MEMBER_REFUSALS.get(without_error_prefix(cli_message))


def is_locked(cli_message: str) -> bool:
    """The vault is locked, or the CLI has no account: unlocking (or `bw login`) is the fix."""
    return without_error_prefix(cli_message) in (CLI_VAULT_LOCKED, CLI_NOT_LOGGED_IN)


def explain(action: Action, cli_message: str) -> str:
    """A plain sentence saying what is wrong and what to do, for the CLI's refusal of `action`."""
    text = without_error_prefix(cli_message)
    if text == CLI_VAULT_LOCKED:
        return VAULT_LOCKED
    if text == CLI_NOT_LOGGED_IN:
        return NOT_LOGGED_IN
    if action == "unlock":
        if text in (CLI_DECRYPTION_FAILED, CLI_UNLOCK_REFUSED_OLDER):
            return UNLOCK_WRONG
        if text.startswith(CLI_UNLOCK_NEEDS_INPUT):
            return UNLOCK_EMPTY
    if action in ("list", "confirm") and text in (
        CLI_ORGANIZATION_NOT_FOUND,
        CLI_NO_ORGANIZATION_KEY,
    ):
        return NOT_IN_ORGANIZATION
    if action == "confirm":
        why = member_refusal(text)
        if why is not None:
            return MEMBER_NOT_CONFIRMED.format(why=why)
    if action == "fingerprint" and text == CLI_NOT_FOUND:
        return NO_FINGERPRINT
    return OTHER.format(cli=cli_message)
