"""`scim-assistant check`: the credential test exactly as Okta's "Test API Credentials" makes it.

The key comes from an environment variable or standard input (never the command line, where other
users of the machine could read it), or from a saved profile in the OS keyring. Output is readable
text by default and one JSON object with `--json` (docs/interfaces.md). Exit codes: 0 the
endpoint answers as Okta needs, 1 it does not (or the profile's secrets cannot be read), 2 usage
error, 3 (`--strict` only) it answers but Okta could not reach this address from its cloud.
The key appears in no output: the result never contains it, and the printed text is scrubbed once
more before it is written.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from pydantic import SecretStr

from app.commands.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OKTA_CANNOT_REACH,
    CannotRunError,
    UsageError,
    env_secret,
    report,
    saved_profile,
    stdin_secret,
    write_scrubbed,
)
from app.core.okta_check import (
    Category,
    CheckResult,
    Verdict,
    check_credentials,
    verdict_headline,
)
from app.core.redaction import install_log_redaction

_PROG = "scim-assistant check"


def run(args: argparse.Namespace) -> int:
    try:
        url, key, ca_file = _target(args)
        timeout = float(args.timeout)
        if not timeout > 0:
            raise UsageError("--timeout must be a positive number of seconds.")
    except (UsageError, CannotRunError) as exc:
        return report(_PROG, exc)

    install_log_redaction(key)
    try:
        result = check_credentials(
            url, key, timeout=timeout, ca_file=ca_file, check_groups=bool(args.groups)
        )
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.url and result.category is Category.INVALID_URL:
        # Not a web address at all: a mistyped argument, not an answer of any endpoint. No
        # result object, so no request built from it (`GET garbage/Users`, an empty Host).
        return report(_PROG, UsageError(f"--url: {result.message}"))
    text = json.dumps(result.to_json()) if args.json else render(result)
    write_scrubbed(sys.stdout, text, key)
    return exit_code(result, strict=bool(args.strict))


def exit_code(result: CheckResult, *, strict: bool) -> int:
    """0 = the endpoint answers as Okta needs, 1 = it does not; with `--strict`, 3 = it answers,
    but Okta could not reach this address from its cloud."""
    if result.verdict is Verdict.OKTA_WOULD_FAIL:
        return EXIT_FAILED
    if strict and result.verdict is Verdict.OKTA_CANNOT_REACH:
        return EXIT_OKTA_CANNOT_REACH
    return EXIT_OK


def _target(args: argparse.Namespace) -> tuple[str, SecretStr, Path | None]:
    """The SCIM URL, the key and the extra CA file, from the arguments or the saved profile."""
    key = _key_from_args(args)
    ca_file = Path(args.ca_file).expanduser() if args.ca_file else None
    if args.url:
        if key is None:
            raise UsageError("give the SCIM API key with --key-env VAR or --key-stdin.")
        return str(args.url), key, ca_file
    return _from_profile(str(args.profile), key, ca_file)


def _key_from_args(args: argparse.Namespace) -> SecretStr | None:
    if args.key_env:
        return SecretStr(env_secret(args.key_env, "the SCIM API key"))
    if args.key_stdin:
        return SecretStr(stdin_secret("the SCIM API key"))
    return None


def _from_profile(
    name: str, key: SecretStr | None, ca_file: Path | None
) -> tuple[str, SecretStr, Path | None]:
    profile, secrets = saved_profile(name)
    if secrets is None:
        raise CannotRunError(
            f"the profile {profile.name!r} has no SCIM URL and key in the keyring; save them "
            "again with `scim-assistant profile save`."
        )
    if ca_file is None and profile.ca_file:
        ca_file = Path(profile.ca_file)
    return secrets.scim_url, key or secrets.scim_key, ca_file


def render(result: CheckResult) -> str:
    """The readable report: verdict, explanation, warnings, and the request as Okta sends it."""
    status = f" (HTTP {result.http_status})" if result.http_status is not None else ""
    verdict = {
        Verdict.OKTA_WOULD_SUCCEED: "OK: ",
        Verdict.OKTA_CANNOT_REACH: "OK HERE ONLY: ",
        Verdict.OKTA_WOULD_FAIL: "NOT OK: ",
    }[result.verdict]
    verdict += (
        f"{result.category.value}{status}" if not result.ok else verdict_headline(result.verdict)
    )
    lines = [verdict, *_wrap(result.message, "  ")]
    if result.category in (Category.INVALID_URL, Category.INSECURE_URL):
        # No request was made, and the one built from an unusable URL would mislead.
        lines += ["", f"Took {result.elapsed_ms:.0f} ms."]
        return "\n".join(lines)
    if result.warnings:
        lines += ["", "Warnings:"]
        for warning in result.warnings:
            lines += _wrap(warning, "  - ", "    ")
    lines += ["", "Request (as Okta sends it):", f"  {result.request.method} {result.request.url}"]
    lines += [f"  {name}: {value}" for name, value in result.request.headers.items()]
    lines += ["", f"Took {result.elapsed_ms:.0f} ms."]
    return "\n".join(lines)


def _wrap(text: str, first: str, rest: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=100,
        initial_indent=first,
        subsequent_indent=rest if rest is not None else first,
        break_on_hyphens=False,
        break_long_words=False,
    )
