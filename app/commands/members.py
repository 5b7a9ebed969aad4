"""`scim-assistant members`: the organization's members with their status, from the Public API.

The client id and secret come from a saved profile (the OS keyring) or from `--client-id` and an
environment variable (never the command line, where other users could read it). Output is a
readable table by default, a JSON list with `--json` (stable machine values: `accepted`, `user`,
booleans), CSV with `--csv` (the members window's export, byte for byte: `app.core.members_csv`;
the text and the CSV use the window's words, `app.core.vocabulary`). With `--profile`, each
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
    EXIT_OK,
    CannotRunError,
    UsageError,
    api_key_from_args,
    report,
    report_failure,
    saved_profile,
    write_scrubbed,
)
from app.core import members_csv, vocabulary
from app.core.endpoints import Endpoints, parse_scim_url
from app.core.history import History
from app.core.invitations import DEFAULT_EXPIRY_HOURS, Invitation, describe, invitations
from app.core.outside_text import printable
from app.core.public_api import Member, MemberStatus, PublicApiClient, PublicApiError
from app.core.redaction import install_log_redaction
from app.core.vocabulary import STATUS_ORDER, Field, Status

_PROG = "scim-assistant members"


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
    except (PublicApiError, KeyboardInterrupt) as exc:
        return report_failure(_PROG, exc, target.secret)

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
    elif args.csv:  # the window's export, byte for byte: CRLF line ends, the last one too
        write_scrubbed(sys.stdout, to_csv(members, since, pending), target.secret, end="")
        return EXIT_OK
    else:
        text = render(members, since, filtered=bool(args.status), pending=pending)
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
    client_id, secret, _ = api_key_from_args(args, check.endpoints.organization_id)
    return _Target(check.endpoints, client_id, secret, ca_file, None)


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


def to_csv(
    members: list[Member],
    since: dict[str, datetime] | None = None,
    pending: dict[str, Invitation] | None = None,
) -> str:
    """The members as CSV: the members window's export, byte for byte (`app.core.members_csv`),
    by status (who needs the admin first), then e-mail."""
    since, pending = since or {}, pending or {}
    out = io.StringIO(newline="")
    members_csv.write(out, (_record(m, since, pending) for m in _in_order(members)))
    return out.getvalue()


def _record(
    member: Member, since: dict[str, datetime], pending: dict[str, Invitation]
) -> members_csv.MemberRecord:
    return members_csv.MemberRecord(
        member_id=member.id,
        email=member.email,
        name=member.name or "",
        status=Status(member.status.label),
        role=int(member.type),
        external_id=member.external_id or "",
        two_step=member.two_factor_enabled,
        user_id=member.user_id,
        waiting_since=since.get(member.id),
        invitation=pending.get(member.id),
    )


def _in_order(members: list[Member]) -> list[Member]:
    return sorted(members, key=lambda m: (_ORDER[m.status], m.email.casefold()))


#: The text table's columns: the CSV's, less the ids and the expiry date (the Invitation column
#: gives its state); names and external ids are capped.
_TEXT_FIELDS = tuple(
    f
    for f in vocabulary.CSV_FIELDS
    if f not in (Field.INVITATION_EXPIRES, Field.MEMBER_ID, Field.USER_ID)
)
_TEXT_CAPS = {Field.NAME: 30, Field.EXTERNAL_ID: 20}
_ALWAYS = frozenset({Field.NAME, Field.EMAIL, Field.STATUS, Field.ROLE})


def render(
    members: list[Member],
    since: dict[str, datetime] | None = None,
    *,
    filtered: bool = False,
    pending: dict[str, Invitation] | None = None,
    now: datetime | None = None,
) -> str:
    """A readable table in the members window's words, with a count per status."""
    since, pending = since or {}, pending or {}
    now = now or datetime.now(UTC)
    if not members:
        return "No members" + (" with this status." if filtered else ".")
    rows = [_text_row(m, since, pending, now) for m in _in_order(members)]
    # A column nobody has a value in (no history without --profile: no waits) is left out.
    keep = [i for i, f in enumerate(_TEXT_FIELDS) if f in _ALWAYS or any(r[i] for r in rows)]
    fields = [_TEXT_FIELDS[i] for i in keep]
    rows = [[r[i] for i in keep] for r in rows]
    headers = [vocabulary.title(f) for f in fields]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    for i, field in enumerate(fields):
        if field in _TEXT_CAPS:
            widths[i] = min(widths[i], max(_TEXT_CAPS[field], len(headers[i])))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        cells = [c if len(c) <= w else c[: w - 1] + "…" for c, w in zip(row, widths, strict=True)]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    counts = Counter(m.status for m in members)
    parts = [f"{vocabulary.status_label(s.label)} {counts[s]}" for s in _ORDER if counts[s]]
    lines += ["", f"{len(members)} members: " + ", ".join(parts) + "."]
    if counts[MemberStatus.ACCEPTED]:
        lines.append(
            f"{vocabulary.status_label(Status.ACCEPTED)}: {counts[MemberStatus.ACCEPTED]} "
            "accepted the invitation and wait for you to confirm them (the members window, or "
            "`scim-assistant confirm`)."
        )
    if since:
        lines.append(
            f"{vocabulary.WAITING_SINCE}: when this computer first saw the member in this status "
            "(Bitwarden reports no invitation dates)."
        )
    return "\n".join(lines)


def _text_row(
    member: Member, since: dict[str, datetime], pending: dict[str, Invitation], now: datetime
) -> list[str]:
    status = Status(member.status.label)
    seen = since.get(member.id) if status in vocabulary.WAITING_STATUSES else None
    item = pending.get(member.id) if status is Status.INVITED else None
    values = {
        Field.NAME: printable(member.name or ""),
        Field.EMAIL: printable(member.email),
        Field.STATUS: vocabulary.status_label(status),
        Field.ROLE: vocabulary.role_label(int(member.type)),
        Field.EXTERNAL_ID: printable(member.external_id or ""),
        Field.TWO_STEP: vocabulary.on_off(member.two_factor_enabled),
        Field.WAITING: seen.astimezone().strftime("%Y-%m-%d %H:%M") if seen else "",
        Field.INVITATION: describe(item, now) if item else "",
    }
    return [values[f] for f in _TEXT_FIELDS]


#: Display order: who needs something first (`app.core.vocabulary.STATUS_ORDER`).
_ORDER = {
    status: position
    for position, status in enumerate(
        MemberStatus.from_label(s.value) for s in STATUS_ORDER if s is not Status.PROVISIONED
    )
}
