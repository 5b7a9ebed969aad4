"""`scim-assistant members`: the organization's members with their status, from the Public API.

The client id and secret come from a saved profile (the OS keyring) or from `--client-id` and an
environment variable (never the command line, where other users could read it). Output is a
readable table by default, a JSON list with `--json`, CSV with `--csv`. With `--profile`, each
refresh is also noted in the local history, so "first seen in this status" is shown. Exit codes:
0 listed, 1 could not list (keyring, network, Bitwarden refused), 2 usage error.
"""

from __future__ import annotations

import argparse
import io
import json
import sqlite3
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from app.commands.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    CannotRunError,
    UsageError,
    env_secret,
    report,
    saved_profile,
    write_scrubbed,
)
from app.core import spreadsheet
from app.core.endpoints import Endpoints, parse_scim_url
from app.core.history import History
from app.core.invitations import DEFAULT_EXPIRY_HOURS, Invitation, invitations
from app.core.keys import check_client_id, check_client_secret
from app.core.outside_text import printable
from app.core.public_api import Member, MemberStatus, PublicApiClient, PublicApiError
from app.core.redaction import install_log_redaction
from app.core.spreadsheet import safe_cell

_PROG = "scim-assistant members"
#: The CSV header; each is a key of the `--json` objects.
CSV_COLUMNS = (
    "id",
    "email",
    "name",
    "status",
    "role",
    "external_id",
    "two_step_login",
    "user_id",
    "first_seen_in_status",
)


class _Target:
    def __init__(
        self,
        endpoints: Endpoints,
        client_id: str,
        secret: SecretStr,
        ca_file: Path | None,
        profile: str | None,
        expiry_hours: int = DEFAULT_EXPIRY_HOURS,
    ) -> None:
        self.endpoints = endpoints
        self.client_id = client_id
        self.secret = secret
        self.ca_file = ca_file
        self.profile = profile
        self.expiry_hours = expiry_hours


def run(args: argparse.Namespace) -> int:
    try:
        target = _target(args)
    except (UsageError, CannotRunError) as exc:
        return report(_PROG, exc)

    install_log_redaction(target.secret)
    try:
        with PublicApiClient(
            target.endpoints, target.client_id, target.secret, ca_file=target.ca_file
        ) as client:
            members = client.list_members()
    except PublicApiError as exc:
        write_scrubbed(sys.stderr, f"{_PROG}: {exc}", target.secret)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED

    since: dict[str, datetime] = {}
    pending: dict[str, Invitation] = {}
    if target.profile is not None:
        try:
            since, pending = _remember(target.profile, members, target.expiry_hours)
        except sqlite3.Error as exc:  # the list is still worth printing
            print(
                f"{_PROG}: warning: the local history could not be updated ({exc}).",
                file=sys.stderr,
            )
    if args.status:
        wanted = MemberStatus.from_label(args.status)
        members = [m for m in members if m.status is wanted]
    if args.json:
        text = json.dumps(
            [_with_invitation(_as_json(m, since.get(m.id)), m, pending) for m in members],
            ensure_ascii=False,
        )
    elif args.csv:
        text = to_csv(members, since).rstrip("\r\n")
    else:
        text = render(members, since, filtered=bool(args.status))
    write_scrubbed(sys.stdout, text, target.secret)
    return EXIT_OK


def resolve_target(args: argparse.Namespace) -> _Target:
    """The organization and API key from `--profile` or `--url` (shared with `reinvite`)."""
    return _target(args)


def remember(
    profile: str, members: list[Member], expiry_hours: int = DEFAULT_EXPIRY_HOURS
) -> tuple[dict[str, datetime], dict[str, Invitation]]:
    """`_remember`, shared with `reinvite --expired`."""
    return _remember(profile, members, expiry_hours)


def _target(args: argparse.Namespace) -> _Target:
    ca_file = Path(args.ca_file).expanduser() if args.ca_file else None
    if args.profile:
        if args.client_id or args.client_secret_env:
            raise UsageError("--client-id and --client-secret-env go with --url, not --profile.")
        return _from_profile(str(args.profile), ca_file)
    if not args.client_id or not args.client_secret_env:
        raise UsageError(
            "with --url, give the organization's API key: --client-id ID --client-secret-env VAR."
        )
    check = parse_scim_url(str(args.url))
    if check.endpoints is None:
        raise UsageError(check.error or "the SCIM URL cannot be used.")
    client_id, error = check_client_id(str(args.client_id), check.endpoints.organization_id)
    if client_id is None:
        raise UsageError(error or "the client id cannot be used.")
    secret = check_client_secret(env_secret(args.client_secret_env))
    if secret.value is None:
        raise UsageError(secret.error or "the client secret cannot be used.")
    return _Target(check.endpoints, client_id, secret.value, ca_file, None)


def _from_profile(name: str, ca_file: Path | None) -> _Target:
    profile, secrets = saved_profile(name)
    if secrets is None:
        raise CannotRunError(
            f"the profile {profile.name!r} has no secrets in the keyring; save it again with "
            "`scim-assistant profile save`."
        )
    if secrets.client_id is None or secrets.client_secret is None:
        raise CannotRunError(
            f"the profile {profile.name!r} has no Public API key, which member statuses need. "
            "Add it with `scim-assistant profile save "
            f"{profile.name} --url … --key-env … --client-id … --client-secret-env …` "
            "(Admin Console → Settings → Organization info → API key)."
        )
    check = parse_scim_url(secrets.scim_url)
    if check.endpoints is None:
        raise CannotRunError(check.error or "the saved SCIM URL cannot be used.")
    if ca_file is None and profile.ca_file:
        ca_file = Path(profile.ca_file)
    return _Target(
        check.endpoints,
        secrets.client_id,
        secrets.client_secret,
        ca_file,
        profile.name,
        profile.invite_expiry_hours,
    )


def _remember(
    profile: str, members: list[Member], expiry_hours: int = DEFAULT_EXPIRY_HOURS
) -> tuple[dict[str, datetime], dict[str, Invitation]]:
    """Note this refresh in the history; returns when each member was first seen in its status,
    and each pending invitation's age against the organization's expiry."""
    history = History()
    now = datetime.now(UTC)
    history.record(profile, members, now=now)
    since: dict[str, datetime] = {}
    for status in {m.status for m in members}:
        seen = history.first_seen_all(profile, status)
        since.update({m.id: seen[m.id] for m in members if m.status is status and m.id in seen})
    invited = [m.id for m in members if m.status is MemberStatus.INVITED]
    pending = invitations(since, history.last_reinvites(profile), invited, now, expiry_hours)
    return since, pending


def _with_invitation(
    row: dict[str, Any], member: Member, pending: dict[str, Invitation]
) -> dict[str, Any]:
    """An invited member's `invitation` object (null when this computer has no sighting)."""
    if member.status is MemberStatus.INVITED:
        item = pending.get(member.id)
        row["invitation"] = item.as_json() if item is not None else None
    return row


def _as_json(member: Member, since: datetime | None) -> dict[str, Any]:
    return {
        "id": member.id,
        "user_id": member.user_id,
        "email": member.email,
        "name": member.name,
        "status": member.status.label,
        "role": member.type.label,
        "external_id": member.external_id,
        "two_step_login": member.two_factor_enabled,
        "reset_password_enrolled": member.reset_password_enrolled,
        "first_seen_in_status": since.isoformat() if since else None,
    }


def to_csv(members: list[Member], since: dict[str, datetime] | None = None) -> str:
    """The members as CSV (header row first), the columns of CSV_COLUMNS."""
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(CSV_COLUMNS)
    for member in members:
        row = _as_json(member, (since or {}).get(member.id))
        writer.writerow(["" if row[c] is None else _cell(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: object) -> str:
    text = "yes" if value is True else "no" if value is False else str(value)
    # Never a formula in a spreadsheet, whatever its list separator: the window's export's rule.
    return safe_cell(text)


def render(
    members: list[Member], since: dict[str, datetime] | None = None, *, filtered: bool = False
) -> str:
    """A readable table with a count per status."""
    since = since or {}
    if not members:
        return "No members" + (" with this status." if filtered else ".")
    headers = ("STATUS", "ROLE", "EMAIL", "NAME", "2FA", "SCIM", "FIRST SEEN")
    rows = [
        (
            m.status.label,
            m.type.label,
            printable(m.email),
            printable(m.name or ""),
            "yes" if m.two_factor_enabled else "no",
            "yes" if m.external_id else "no",
            since[m.id].strftime("%Y-%m-%d %H:%M") if m.id in since else "",
        )
        for m in sorted(members, key=lambda m: (_ORDER[m.status], m.email.lower()))
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    widths[3] = min(widths[3], 30)
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        cells = [c if len(c) <= w else c[: w - 1] + "…" for c, w in zip(row, widths, strict=True)]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    counts = Counter(m.status for m in members)
    parts = [f"{counts[s]} {s.label}" for s in _ORDER if counts[s]]
    lines += ["", f"{len(members)} members: " + ", ".join(parts) + "."]
    if counts[MemberStatus.ACCEPTED]:
        lines.append(
            f"{counts[MemberStatus.ACCEPTED]} accepted and waiting to be confirmed "
            "(the Admin Console's Members page, or the program's members window)."
        )
    if since:
        lines.append("FIRST SEEN: when this computer first saw the member in this status.")
    return "\n".join(lines)


#: Display order: who needs something first.
_ORDER = {
    MemberStatus.ACCEPTED: 0,
    MemberStatus.INVITED: 1,
    MemberStatus.STAGED: 2,
    MemberStatus.CONFIRMED: 3,
    MemberStatus.REVOKED: 4,
}
