"""What the headless commands share: their exit codes and errors, secrets read from environment
variables (never the command line, where other users of the machine could read them), saved
profiles, and output scrubbed of the secret once more before it is written."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

from pydantic import SecretStr

if TYPE_CHECKING:
    from app.core.profiles import Profile
    from app.core.secrets import ProfileSecrets

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
#: `check --strict`: the endpoint answers as Okta needs, but Okta could not reach this address.
EXIT_OKTA_CANNOT_REACH = 3
EXIT_INTERRUPTED = 130  # the shell's convention for Ctrl-C


class UsageError(Exception):
    """A problem with the arguments (exit 2); `str()` is a plain sentence."""


class CannotRunError(Exception):
    """The command could not do its work, e.g. the keyring is locked (exit 1); `str()` is a plain
    sentence."""


def report(prog: str, problem: UsageError | CannotRunError) -> int:
    """Say `problem` on stderr as every command does, and return its exit code (2 for usage)."""
    if isinstance(problem, UsageError):
        print(f"{prog}: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{prog}: {problem}", file=sys.stderr)
    return EXIT_FAILED


def env_secret(variable: str, what: str | None = None) -> str:
    """The value of `variable`; a `UsageError` naming it (and `what` it should hold) when unset or
    blank."""
    value = os.environ.get(variable)
    if not value or not value.strip():
        about = f" ({what})" if what else ""
        raise UsageError(f"the environment variable {variable}{about} is not set or is empty.")
    return value


def saved_profile(name: str) -> tuple[Profile, ProfileSecrets | None]:
    """The saved profile `name` and its secrets in the keyring (None when it holds none).

    The keyring is imported on use, so a command given everything on its command line does not
    load it."""
    from app.core.profiles import ProfileStore
    from app.core.secrets import SecretStoreError

    store = ProfileStore()
    profile = store.get(name)
    if profile is None:
        names = ", ".join(p.name for p in store.list()) or "none saved yet"
        raise UsageError(f"there is no profile named {name!r} (profiles: {names}).")
    try:
        return profile, store.secrets.load(profile.name)
    except SecretStoreError as exc:
        raise CannotRunError(str(exc)) from None


def write_scrubbed(stream: TextIO, text: str, secret: SecretStr) -> None:
    """Write `text` and a newline with the secret (if 6+ characters) replaced by `***`."""
    value = secret.get_secret_value().strip()
    if len(value) >= 6:
        text = text.replace(value, "***")
    stream.write(text + "\n")
    stream.flush()
