"""What the headless commands share: their exit codes and errors, secrets read from environment
variables (never the command line, where other users of the machine could read them), saved
profiles, and output scrubbed of the secret once more before it is written."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

from pydantic import SecretStr

from app.core import messages as msg
from app.core.keys import control_character_problem

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
    """The value of `variable`; a `UsageError` naming it (and `what` it should hold) when unset,
    blank, or holding control characters (never used: see `refuse_control_characters`)."""
    value = os.environ.get(variable)
    if not value or not value.strip():
        about = f" ({what})" if what else ""
        raise UsageError(f"the environment variable {variable}{about} is not set or is empty.")
    refuse_control_characters(value, what or f"the value of {variable}")
    return value


def stdin_secret(what: str) -> str:
    """One line of standard input holding `what` (a secret), checked as `env_secret` checks.

    Read as bytes where possible, so a file saved as UTF-16 (PowerShell's `>`) is recognised by its
    byte order mark or NULs and refused with the encoding to use, rather than decoded into
    something else; the value is never echoed.
    """
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text stream without bytes underneath (tests, embedding)
        text = sys.stdin.readline()
    else:
        raw: bytes = buffer.readline()
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
            raise _refused(msg.KEY_UTF16.format(what=_capital(what)))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _refused(msg.KEY_NOT_UTF8.format(what=_capital(what))) from None
    if not text.strip():
        raise UsageError(f"no {what} on standard input.")
    refuse_control_characters(text, what)
    return text


def refuse_control_characters(value: str, what: str) -> None:
    """A `UsageError` when the secret `value` holds control characters (a NUL from UTF-16, ESC):
    such a value cannot be right and cannot be sent in a header."""
    problem = control_character_problem(value, _capital(what))
    if problem is not None:
        raise _refused(problem)


def _refused(sentence: str) -> UsageError:
    """The core's sentence (about "The SCIM API key") after `error: `, as usage errors read."""
    return UsageError(sentence[:1].lower() + sentence[1:])


def _capital(what: str) -> str:
    return what[:1].upper() + what[1:]


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


def write_scrubbed(stream: TextIO, text: str, secret: SecretStr, *, end: str = "\n") -> None:
    """Write `text` and `end` with the secret (if 6+ characters) replaced by `***`."""
    value = secret.get_secret_value().strip()
    if len(value) >= 6:
        text = text.replace(value, "***")
    stream.write(text + end)
    stream.flush()
