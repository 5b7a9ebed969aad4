"""What the headless commands share: their exit codes and errors, secrets read from environment
variables (never the command line, where other users of the machine could read them), saved
profiles, and output scrubbed of the secret once more before it is written."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, TextIO

from pydantic import SecretStr

from app.core import messages as msg
from app.core.errors import ClientError
from app.core.keys import check_client_id, check_client_secret, control_character_problem

if TYPE_CHECKING:
    from app.core.okta.client import OktaCredential
    from app.core.okta.service_app import ServiceApp
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


def report_failure(prog: str, problem: ClientError | KeyboardInterrupt, secret: SecretStr) -> int:
    """Say a failed or interrupted call on stderr as every command does (the secret scrubbed once
    more), and return its exit code (130 for Ctrl-C)."""
    if isinstance(problem, KeyboardInterrupt):
        print(f"{prog}: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    write_scrubbed(sys.stderr, f"{prog}: {problem}", secret)
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


def api_key_from_args(
    args: argparse.Namespace, organization_id: str, *, what: str | None = None
) -> tuple[str, SecretStr, list[str]]:
    """The Public API key given on the command line: `--client-id`, and the secret read from the
    variable `--client-secret-env` names (`what` names it in the message when unset), checked
    against the organization. Returns the id, the secret and the secret's warnings; raises a
    `UsageError` with the core's sentence when either cannot be used."""
    client_id, error = check_client_id(str(args.client_id), organization_id)
    if client_id is None:
        raise UsageError(error or "the client id cannot be used.")
    secret = check_client_secret(env_secret(str(args.client_secret_env), what))
    if secret.value is None:
        raise UsageError(secret.error or "the client secret cannot be used.")
    return client_id, secret.value, list(secret.warnings)


def saved_okta_profile(name: str) -> tuple[Profile, ProfileSecrets, str, OktaCredential]:
    """The saved profile `name`, its secrets, and its Okta org URL and credential (an API token
    or a service app); a `UsageError` saying how to save them when the profile holds none."""
    from app.core.okta.reading import profile_credential

    profile, secrets = saved_profile(name)
    credential = profile_credential(secrets)
    if secrets is None or secrets.okta_url is None or credential is None:
        raise UsageError(
            f"the profile {profile.name!r} has no Okta credential. Save an API token with "
            f"`scim-assistant profile save {profile.name} … --okta-url URL --okta-token-env VAR`, "
            "or a service app with `--okta-url URL --okta-client-id ID --okta-private-key-file "
            "PATH`."
        )
    return profile, secrets, secrets.okta_url, credential


def write_scrubbed(
    stream: TextIO, text: str, secret: SecretStr | ServiceApp, *, end: str = "\n"
) -> None:
    """Write `text` and `end` with the secret (if 6+ characters) replaced by `***` (for a
    service app: its private key)."""
    secrets = (secret,) if isinstance(secret, SecretStr) else secret.secrets
    for each in secrets:
        value = each.get_secret_value().strip()
        if len(value) >= 6:
            text = text.replace(value, "***")
    stream.write(text + end)
    stream.flush()
