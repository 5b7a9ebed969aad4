"""`scim-assistant okta apply --profile NAME [--assign-group NAME …] [--push-group NAME …]
[--yes] [--json]`: assign groups to the Bitwarden app and push groups, only when asked.

Without `--yes` it prints the plan (what will change, what is already done, what is refused and
why) and changes nothing. With `--yes` it makes the changes, reads each back from Okta, and
exits 0 only when every change is verified; 1 otherwise (a step failed, was refused or not read
back, or Okta could not be read); 2 on a usage error (no profile, no Okta token, no group named,
several Bitwarden apps and no --app-id).
"""

from __future__ import annotations

import argparse
import json
import sys

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
from app.core.okta.apply import ApplyResult, apply_plan, make_plan, writing
from app.core.okta.client import OktaClient, OktaError
from app.core.okta.verify import AppChoiceNeededError

_PROG = "scim-assistant okta apply"


def run(args: argparse.Namespace) -> int:
    assign = list(args.assign_group or [])
    push = list(args.push_group or [])
    if not assign and not push:
        print(
            f"{_PROG}: error: name at least one group with --assign-group NAME or "
            "--push-group NAME.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        profile, _, okta_url, okta_token = saved_okta_profile(str(args.profile))
    except (UsageError, CannotRunError) as exc:
        return report(_PROG, exc)
    app_id = args.app_id or profile.okta_app_id
    try:
        with OktaClient(okta_url, okta_token) as okta:
            plan = make_plan(okta, app_id, assign=assign, push=push)
        result = ApplyResult(plan=plan, steps=[])
        if args.yes and plan.changes:
            with OktaClient(okta_url, writing(okta_token)) as okta:
                result = apply_plan(okta, plan)
    except AppChoiceNeededError as exc:
        print(f"{_PROG}: error: {exc} Pass --app-id ID.", file=sys.stderr)
        return EXIT_USAGE
    except OktaError as exc:
        print(f"{_PROG}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    applied = bool(args.yes)
    if args.json:
        text = json.dumps(result.to_json(applied=applied), ensure_ascii=False)
    elif applied and plan.changes:
        headline = (
            "Done: Okta shows every change."
            if result.verified
            else "Not all done: run the same command again to do the rest."
        )
        text = "\n".join([headline, *result.lines()])
    else:
        lines = plan.lines()
        if not applied and plan.changes:
            lines.append("Nothing was changed. Run again with --yes to make these changes.")
        text = "\n".join(lines)
    write_scrubbed(sys.stdout, text, okta_token)
    if not applied:
        return EXIT_OK
    return EXIT_OK if result.verified else EXIT_FAILED
