"""`scim-assistant reinvite`: send invitations again, paced within the cloud's limits.

`--member EMAIL…` names invited members; `--expired` takes every invitation older than the
organization's expiry, counted from the first sighting or this program's last reinvite (that needs
the history, so `--profile`). Each reinvite sent is recorded, so its expiry restarts. Exit 0 = every
named member reinvited or skipped (accepted meanwhile), 1 = any failed, 2 = usage error.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys

from app.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    CannotRunError,
    UsageError,
    report,
    report_failure,
    write_scrubbed,
)
from app.commands.members import remember, resolve_target
from app.core.history import History
from app.core.invitations import InvitationState
from app.core.outside_text import clean, printable
from app.core.public_api import Member, MemberStatus, PublicApiClient, PublicApiError
from app.core.redaction import install_log_redaction
from app.core.reinvite import ReinviteOutcome, ReinviteResult, reinvite_members

_PROG = "scim-assistant reinvite"


def run(args: argparse.Namespace) -> int:
    try:
        target = resolve_target(args)
        if args.expired and target.profile is None:
            raise UsageError(
                "--expired needs --profile: invitation ages come from this computer's history."
            )
    except (UsageError, CannotRunError) as exc:
        return report(_PROG, exc)

    install_log_redaction(target.secret)
    history = History() if target.profile is not None else None
    try:
        with PublicApiClient(
            target.endpoints, target.client_id, target.secret, ca_file=target.ca_file
        ) as client:
            members = client.list_members()
            try:
                chosen, missing = _choose(args, members, target.profile, target.expiry_hours)
            except sqlite3.Error as exc:
                print(f"{_PROG}: the local history cannot be read ({exc}).", file=sys.stderr)
                return EXIT_FAILED
            outcomes = reinvite_members(client, chosen, history=history, profile=target.profile)
    except (PublicApiError, KeyboardInterrupt) as exc:
        return report_failure(_PROG, exc, target.secret)
    outcomes = missing + outcomes
    if args.json:
        text = json.dumps([o.as_json() for o in outcomes], ensure_ascii=False)
    else:
        text = _render(outcomes, expired=bool(args.expired))
    write_scrubbed(sys.stdout, text, target.secret)
    return EXIT_FAILED if any(o.result is ReinviteResult.FAILED for o in outcomes) else EXIT_OK


def _choose(
    args: argparse.Namespace, members: list[Member], profile: str | None, expiry_hours: int
) -> tuple[list[Member], list[ReinviteOutcome]]:
    """The members to reinvite, and an outcome for each named e-mail that cannot be."""
    if args.expired and profile is not None:
        _, pending = remember(profile, members, expiry_hours)
        return [
            m
            for m in members
            if m.status is MemberStatus.INVITED
            and m.id in pending
            and pending[m.id].state is InvitationState.PROBABLY_EXPIRED
        ], []
    by_email = {m.email.lower(): m for m in members}
    chosen: list[Member] = []
    refused: list[ReinviteOutcome] = []
    for email in dict.fromkeys(e.strip().lower() for e in args.member):
        member = by_email.get(email)
        if member is None:
            refused.append(_refusal(email, "", "not a member of the organization"))
        elif member.status is not MemberStatus.INVITED:
            refused.append(
                _refusal(email, member.id, f"{member.status.label}, not invited", skipped=True)
            )
        else:
            chosen.append(member)
    return chosen, refused


def _refusal(email: str, member_id: str, reason: str, *, skipped: bool = False) -> ReinviteOutcome:
    result = ReinviteResult.SKIPPED if skipped else ReinviteResult.FAILED
    return ReinviteOutcome(email=email, member_id=member_id, result=result, reason=reason)


def _render(outcomes: list[ReinviteOutcome], *, expired: bool) -> str:
    if not outcomes:
        return "No expired invitations." if expired else "Nobody to reinvite."
    lines = []
    for outcome in outcomes:
        email = printable(outcome.email)
        reason = f" ({clean(outcome.reason)})" if outcome.reason else ""
        lines.append(f"{outcome.result.value:<10} {email}{reason}")
    done = sum(1 for o in outcomes if o.result is ReinviteResult.REINVITED)
    lines += ["", f"{done} of {len(outcomes)} reinvited; each new link is valid from now."]
    return "\n".join(lines)
