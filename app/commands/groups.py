"""`scim-assistant groups`: the organization's groups (what Okta pushed) and who is in each.

With the Public API key (a profile that has it, or `--url … --client-id … --client-secret-env …`)
each group comes with its members' e-mail addresses; with only the SCIM key (a SCIM-only profile or
`--url … --key-env VAR`) through SCIM: names and external ids, members unknown (null), because
Bitwarden's SCIM does not return group members. Exit 0 = listed, 1 = could not, 2 = usage error.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from app.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CannotRunError,
    UsageError,
    api_key_from_args,
    env_secret,
    report_failure,
    saved_profile,
    write_scrubbed,
)
from app.core import spreadsheet
from app.core.endpoints import Endpoints, parse_scim_url
from app.core.errors import ClientError
from app.core.groups import GroupSource, OrgGroup, read_groups, read_scim_groups
from app.core.keys import check_scim_key
from app.core.outside_text import printable
from app.core.public_api import PublicApiClient
from app.core.redaction import install_log_redaction
from app.core.scim_client import ScimClient
from app.core.spreadsheet import safe_cell as csv_cell

_PROG = "scim-assistant groups"
#: The CSV header: one row per group; `members` joins the e-mail addresses with "; ".
CSV_COLUMNS = ("id", "name", "external_id", "member_count", "members")
SCIM_NOTE = (
    "Read through SCIM (no Public API key): Bitwarden's SCIM does not return group members, so "
    "they are unknown here. Add the Public API key to the profile to see them."
)


@dataclass(frozen=True)
class _Target:
    source: GroupSource
    secret: SecretStr
    scim_url: str
    endpoints: Endpoints | None = None
    client_id: str | None = None
    ca_file: Path | None = None


def run(args: argparse.Namespace) -> int:
    try:
        target = _target(args)
    except UsageError as exc:
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CannotRunError as exc:
        print(f"{_PROG}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    install_log_redaction(target.secret)
    try:
        groups, email_of = _read(target)
    except (ClientError, KeyboardInterrupt) as exc:
        return report_failure(_PROG, exc, target.secret)
    if args.json:
        text = json.dumps([g.as_json(email_of) for g in groups], ensure_ascii=False)
    elif args.csv:
        text = to_csv(groups, email_of).rstrip("\r\n")
    else:
        text = render(groups, email_of, target.source)
    write_scrubbed(sys.stdout, text, target.secret)
    return EXIT_OK


def _read(target: _Target) -> tuple[list[OrgGroup], dict[str, str]]:
    if target.source is GroupSource.SCIM:
        with ScimClient(target.scim_url, target.secret, ca_file=target.ca_file) as scim:
            return read_scim_groups(scim), {}
    assert target.endpoints is not None
    assert target.client_id is not None
    with PublicApiClient(
        target.endpoints, target.client_id, target.secret, ca_file=target.ca_file
    ) as client:
        groups = read_groups(client)
        email_of = {m.id: m.email for m in client.list_member_summaries()}
    return groups, email_of


def _target(args: argparse.Namespace) -> _Target:
    ca_file = Path(args.ca_file).expanduser() if args.ca_file else None
    if args.profile:
        if args.client_id or args.client_secret_env or args.key_env:
            raise UsageError(
                "--client-id, --client-secret-env and --key-env go with --url, not --profile."
            )
        return _from_profile(str(args.profile), ca_file)
    check = parse_scim_url(str(args.url))
    if check.endpoints is None:
        raise UsageError(check.error or "the SCIM URL cannot be used.")
    if args.key_env:
        if args.client_id or args.client_secret_env:
            raise UsageError(
                "give either the SCIM key (--key-env) or the Public API key "
                "(--client-id, --client-secret-env), not both."
            )
        key = check_scim_key(env_secret(args.key_env, "the SCIM API key"))
        if key.value is None:
            raise UsageError(key.error or "the SCIM key cannot be used.")
        return _Target(GroupSource.SCIM, key.value, str(args.url), ca_file=ca_file)
    if not args.client_id or not args.client_secret_env:
        raise UsageError(
            "with --url, give the Public API key (--client-id ID --client-secret-env VAR) or "
            "the SCIM key (--key-env VAR)."
        )
    client_id, secret, _ = api_key_from_args(args, check.endpoints.organization_id)
    return _Target(
        GroupSource.PUBLIC_API, secret, str(args.url), check.endpoints, client_id, ca_file
    )


def _from_profile(name: str, ca_file: Path | None) -> _Target:
    profile, secrets = saved_profile(name)
    if secrets is None:
        raise CannotRunError(
            f"the profile {profile.name!r} has no secrets in the keyring; save it again with "
            "`scim-assistant profile save`."
        )
    if ca_file is None and profile.ca_file:
        ca_file = Path(profile.ca_file)
    if secrets.client_id is None or secrets.client_secret is None:
        return _Target(GroupSource.SCIM, secrets.scim_key, secrets.scim_url, ca_file=ca_file)
    check = parse_scim_url(secrets.scim_url)
    if check.endpoints is None:
        raise CannotRunError(check.error or "the saved SCIM URL cannot be used.")
    return _Target(
        GroupSource.PUBLIC_API,
        secrets.client_secret,
        secrets.scim_url,
        check.endpoints,
        secrets.client_id,
        ca_file,
    )


def to_csv(groups: list[OrgGroup], email_of: dict[str, str]) -> str:
    """One row per group, the columns of CSV_COLUMNS; unknown members (SCIM) leave both blank."""
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(CSV_COLUMNS)
    for group in groups:
        members = group.as_json(email_of)["members"]
        emails = members if isinstance(members, list) else None
        writer.writerow(
            [
                csv_cell(group.id),
                csv_cell(group.name),
                csv_cell(group.external_id or ""),
                "" if emails is None else str(len(emails)),
                "" if emails is None else csv_cell("; ".join(str(e) for e in emails)),
            ]
        )
    return out.getvalue()


def render(groups: list[OrgGroup], email_of: dict[str, str], source: GroupSource) -> str:
    """Each group with its external id and members, readable in a terminal."""
    lines: list[str] = []
    if not groups:
        lines.append("No groups: Okta has pushed none (Push Groups in the Okta app).")
    for group in groups:
        external = f"  external id {printable(group.external_id)}" if group.external_id else ""
        size = "" if group.size is None else f"  ({group.size} members)"
        lines.append(f"{printable(group.name)}{size}{external}")
        for member_id in group.member_ids or ():
            lines.append("    " + printable(email_of.get(member_id, member_id)))
    if source is GroupSource.SCIM:
        lines += ["", SCIM_NOTE]
    else:
        lines += ["", f"{len(groups)} groups."]
    return "\n".join(lines)
