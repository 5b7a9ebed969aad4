"""`scim-assistant okta verify --profile NAME [--json]`: each Okta step, read back from Okta.

The Okta org URL and credential come from the profile (saved with `profile save --okta-url URL
--okta-token-env VAR`, or with `--okta-client-id ID --okta-private-key-file PATH` for a service
app). Bitwarden's members are read too (Public API, else SCIM) so a conflict can
name the member holding the e-mail. Exit codes: 0 no step failed, 1 a step failed or Okta could not
be read, 2 usage error (no profile, no Okta token, several Bitwarden apps and no --app-id).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CannotRunError,
    UsageError,
    report,
    saved_okta_profile,
    write_scrubbed,
)
from app.core.okta.client import OktaError
from app.core.okta.reading import BitwardenSide, read_okta
from app.core.okta.verify import AppChoiceNeededError, Verification

_PROG = "scim-assistant okta verify"
_MARKS = {"ok": "✔", "fail": "✘", "unknown": "?"}


def run(args: argparse.Namespace) -> int:
    if getattr(args, "okta_command", None) == "apply":
        from app.commands import okta_apply

        return okta_apply.run(args)
    try:
        profile, secrets, okta_url, okta_token = saved_okta_profile(str(args.profile))
    except (UsageError, CannotRunError) as exc:
        return report(_PROG, exc)
    ca_file = Path(profile.ca_file) if profile.ca_file else None
    try:
        reading = read_okta(
            okta_url,
            okta_token,
            app_id=getattr(args, "app_id", None) or profile.okta_app_id,
            bitwarden=BitwardenSide(
                secrets.scim_url,
                secrets.scim_key,
                secrets.client_id,
                secrets.client_secret,
                ca_file,
            ),
            since=profile.created,
        )
    except AppChoiceNeededError as exc:
        print(f"{_PROG}: error: {exc} Pass --app-id ID.", file=sys.stderr)
        return EXIT_USAGE
    except OktaError as exc:
        print(f"{_PROG}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    result = reading.verification
    if reading.note:
        print(f"note: {reading.note}", file=sys.stderr)
    text = json.dumps(result.to_json(), ensure_ascii=False) if args.json else _text(result)
    write_scrubbed(sys.stdout, text, okta_token)
    return EXIT_OK if result.ok else EXIT_FAILED


def _text(result: Verification) -> str:
    lines = [f"Okta app {result.app.label!r} ({result.app.id})"]
    for step in result.steps:
        lines.append(f"{_MARKS[step.state.value]} {step.id}: {step.message}")
        if step.fix:
            lines.append(f"    fix: {step.fix}")
    if result.not_provisioned:
        lines.append(f"Assigned in Okta, not provisioned ({len(result.not_provisioned)}):")
        lines += [f"  {row.email}: {row.reason}" for row in result.not_provisioned]
    if result.username_mismatches:
        lines.append("App username ≠ e-mail:")
        lines += [f"  {m.email}: {m.app_username}" for m in result.username_mismatches]
    return "\n".join(lines)
