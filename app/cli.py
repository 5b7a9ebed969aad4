"""Command-line entry point: `scim-assistant` and `python -m app`.

Arguments are parsed before anything heavy is imported, so `--version` and the headless commands
never load Qt. Each command lives in its own module under `app.commands` (headless) or `app.gui`
(windows) and is imported only when it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from app import __version__

#: Exit codes of the contract (docs/interfaces.md).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors, as the contract wants; messages stay short and plain."""


#: More organizations than this on one loopback sandbox is a typo, not a test.
MAX_SANDBOX_ORGANIZATIONS = 50


#: More members than this is a typo (the benchmarks seed 100,000).
MAX_SANDBOX_MEMBERS = 1_000_000


def _bounded(kind: type[int] | type[float], low: float, high: float) -> Any:
    """An argparse type: a number of `kind` from `low` to `high` (else exit 2, plainly said)."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not low <= value <= high:  # also refuses nan
            raise argparse.ArgumentTypeError(f"must be from {low:,g} to {high:,.0f}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _organization_count(text: str) -> int:
    """`--organizations`: a whole number from 1 to MAX_SANDBOX_ORGANIZATIONS (else exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_SANDBOX_ORGANIZATIONS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_SANDBOX_ORGANIZATIONS}")
    return value


def _add_sandbox_organizations(sandbox: argparse.ArgumentParser) -> None:
    sandbox.add_argument(
        "--organizations",
        type=_organization_count,
        default=1,
        metavar="N",
        help="serve N organizations, each with its own keys (default 1)",
    )


def _add_sandbox_admin_kdf(sandbox: argparse.ArgumentParser) -> None:
    sandbox.add_argument(
        "--admin-kdf",
        choices=("pbkdf2", "argon2id"),
        default="pbkdf2",
        help="the admin's KDF: PBKDF2 600,000 (default) or Argon2id with the server's defaults",
    )


def _add_invite_expiry(psave: argparse.ArgumentParser) -> None:
    psave.add_argument(
        "--invite-expiry-hours",
        type=int,
        default=None,
        metavar="H",
        help="how long the server's invitation links stay valid (default 120, the cloud's; "
        "a self-hosted server's OrganizationInviteExpirationHours)",
    )


def _add_reinvite_parser(sub: Any) -> None:
    reinvite = sub.add_parser(
        "reinvite", help="send invitations again, paced within the cloud's limits"
    )
    rtarget = reinvite.add_mutually_exclusive_group(required=True)
    rtarget.add_argument("--profile")
    rtarget.add_argument("--url", help="the SCIM URL (gives the organization and the server)")
    reinvite.add_argument("--client-id")
    reinvite.add_argument("--client-secret-env", metavar="VAR")
    which = reinvite.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--member", nargs="+", metavar="EMAIL", help="the invited members to reinvite"
    )
    which.add_argument(
        "--expired",
        action="store_true",
        help="every invitation older than the organization's expiry (from the first sighting "
        "or the last reinvite this program sent)",
    )
    reinvite.add_argument("--json", action="store_true")
    reinvite.add_argument("--ca-file", help="an extra CA certificate file for a self-hosted server")


def _add_groups_parser(sub: Any) -> None:
    groups = sub.add_parser("groups", help="list the organization's groups and their members")
    gtarget = groups.add_mutually_exclusive_group(required=True)
    gtarget.add_argument("--profile")
    gtarget.add_argument("--url", help="the SCIM URL (gives the organization and the server)")
    groups.add_argument("--client-id")
    groups.add_argument("--client-secret-env", metavar="VAR")
    groups.add_argument(
        "--key-env",
        metavar="VAR",
        help="the SCIM API key's variable: read groups through SCIM (members unknown)",
    )
    gfmt = groups.add_mutually_exclusive_group()
    gfmt.add_argument("--json", action="store_true")
    gfmt.add_argument("--csv", action="store_true")
    groups.add_argument("--ca-file", help="an extra CA certificate file for a self-hosted server")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="scim-assistant",
        description="Connect a Bitwarden organization to Okta through SCIM, guided and verified.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the GUI against an embedded sandbox organization (touches no real keyring)",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="with --demo: walk every page automatically, confirm one member, exit 0 on success",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sandbox = sub.add_parser("sandbox", help="run the Bitwarden sandbox server until interrupted")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument(
        "--port", type=_bounded(int, 0, 65535), default=0, help="port (default 0: any free one)"
    )
    sandbox.add_argument(
        "--members",
        type=_bounded(int, 0, MAX_SANDBOX_MEMBERS),
        default=25,
        metavar="N",
        help="members to seed (default 25)",
    )
    sandbox.add_argument("--seed", type=int, default=None, help="make the seeding reproducible")
    sandbox.add_argument(
        "--accept-after",
        type=_bounded(float, 0, 86_400),
        default=None,
        metavar="SECONDS",
        help="each new invitation is accepted by itself this many seconds later",
    )
    sandbox.add_argument(
        "--rate-limits",
        action="store_true",
        help="enforce the cloud's rate limits (429 with Retry-After)",
    )
    _add_sandbox_organizations(sandbox)
    _add_sandbox_admin_kdf(sandbox)

    check = sub.add_parser(
        "check", help="test the SCIM URL and key exactly as Okta's Test API Credentials"
    )
    target = check.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="the SCIM URL from the Admin Console")
    target.add_argument("--profile", help="a saved profile")
    key = check.add_mutually_exclusive_group()
    key.add_argument(
        "--key-env", metavar="VAR", help="read the SCIM API key from this environment variable"
    )
    key.add_argument(
        "--key-stdin", action="store_true", help="read the SCIM API key from standard input"
    )
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.add_argument("--timeout", type=float, default=60.0, help="seconds, as Okta (default 60)")
    check.add_argument(
        "--groups", action="store_true", help="also make the To App save's Groups request"
    )
    check.add_argument("--ca-file", help="an extra CA certificate file for a self-hosted server")
    check.add_argument(
        "--strict",
        action="store_true",
        help="exit 3 when the endpoint answers but Okta could not reach this address from its "
        "cloud (private, loopback or link-local address, private CA, plain http)",
    )

    _add_confirm_parser(sub)

    members = sub.add_parser("members", help="list organization members with their status")
    mtarget = members.add_mutually_exclusive_group(required=True)
    mtarget.add_argument("--profile")
    mtarget.add_argument("--url", help="the SCIM URL (gives the organization and the server)")
    members.add_argument("--client-id")
    members.add_argument("--client-secret-env", metavar="VAR")
    members.add_argument(
        "--status",
        choices=["invited", "accepted", "confirmed", "revoked", "staged"],
        default=None,
        help="only members with this status (accepted: the window's 'Needs confirmation')",
    )
    mfmt = members.add_mutually_exclusive_group()
    mfmt.add_argument("--json", action="store_true")
    mfmt.add_argument("--csv", action="store_true")
    members.add_argument("--ca-file", help="an extra CA certificate file for a self-hosted server")

    _add_reinvite_parser(sub)
    _add_groups_parser(sub)

    profile = sub.add_parser(
        "profile", help="save, list or delete profiles (secrets go to the OS keyring)"
    )
    psub = profile.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    psave = psub.add_parser("save", help="save a profile")
    psave.add_argument("name", help="the profile's name, e.g. the organization's")
    psave.add_argument("--url", required=True, help="the SCIM URL from the Admin Console")
    pkey = psave.add_mutually_exclusive_group(required=True)
    pkey.add_argument(
        "--key-env", metavar="VAR", help="environment variable holding the SCIM API key"
    )
    pkey.add_argument(
        "--key-stdin", action="store_true", help="read the SCIM API key from standard input"
    )
    psave.add_argument(
        "--client-id", metavar="ID", help="the Public API client_id (organization.…)"
    )
    psave.add_argument(
        "--client-secret-env",
        metavar="VAR",
        help="environment variable holding the Public API client_secret",
    )
    psave.add_argument("--ca-file", help="an extra CA certificate file for a self-hosted server")
    psave.add_argument("--okta-url", metavar="URL", help="the Okta org, e.g. https://x.okta.com")
    psave.add_argument("--okta-token-env", metavar="VAR", help="variable holding an Okta API token")
    _add_okta_service_app_options(psave)
    _add_invite_expiry(psave)
    plist = psub.add_parser("list", help="list saved profiles")
    plist.add_argument("--json", action="store_true")
    pdel = psub.add_parser("delete", help="delete a profile and its secrets")
    pdel.add_argument("name")

    _add_okta_parser(sub)

    shots = sub.add_parser(
        "screenshots", help="render every wizard page and the members window to PNG"
    )
    shots.add_argument("outdir")
    return parser


def _add_confirm_parser(sub: Any) -> None:
    """`confirm`'s arguments (interfaces.md); the command itself is imported only when run."""
    confirm = sub.add_parser(
        "confirm", help="confirm accepted members natively, after checking their fingerprint phrase"
    )
    target = confirm.add_mutually_exclusive_group(required=True)
    target.add_argument("--profile")
    target.add_argument("--url", help="the SCIM URL (gives the organization and the server)")
    confirm.add_argument("--client-id", help="the organization's API key (not needed to confirm)")
    confirm.add_argument("--client-secret-env", metavar="VAR")
    confirm.add_argument("--master-password-env", metavar="VAR", required=True)
    login = confirm.add_mutually_exclusive_group(required=True)
    login.add_argument("--api-key-id", metavar="ID", help="your personal API key's client_id")
    login.add_argument("--email", help="your account's e-mail (to log in with the master password)")
    confirm.add_argument("--api-key-secret-env", metavar="VAR")
    confirm.add_argument("--two-step-code-env", metavar="VAR")
    members = confirm.add_mutually_exclusive_group(required=True)
    members.add_argument("--member", action="append", metavar="EMAIL[=PHRASE]")
    members.add_argument("--all-accepted", action="store_true")
    confirm.add_argument("--json", action="store_true")
    confirm.add_argument("--ca-file", help="an extra CA certificate file for a self-hosted server")


def _add_okta_service_app_options(psave: Any) -> None:
    """`profile save`'s OAuth 2.0 service app, the alternative to an Okta API token."""
    psave.add_argument(
        "--okta-client-id", metavar="ID", help="the client id of an Okta API Services app"
    )
    psave.add_argument(
        "--okta-private-key-file",
        metavar="PATH",
        help="the service app's private key (PEM or JWK); - reads it from standard input",
    )
    psave.add_argument(
        "--okta-key-id", metavar="KID", help="the key's id (kid) in Okta, when not in the JWK"
    )


def _add_okta_parser(sub: Any) -> None:
    okta = sub.add_parser("okta", help="read the Okta side back (needs an Okta API token)")
    osub = okta.add_subparsers(dest="okta_command", metavar="ACTION", required=True)
    verify = osub.add_parser("verify", help="verify each Okta step of the setup")
    verify.add_argument("--profile", required=True, metavar="NAME")
    verify.add_argument("--json", action="store_true")
    verify.add_argument("--app-id", help="the Bitwarden app's id, when Okta has several")
    _add_okta_apply_parser(osub)


def _add_okta_apply_parser(osub: Any) -> None:
    apply = osub.add_parser(
        "apply", help="assign groups to the Bitwarden app and push groups (shows the plan first)"
    )
    apply.add_argument("--profile", required=True, metavar="NAME")
    apply.add_argument("--assign-group", action="append", metavar="NAME", help="assign this group")
    apply.add_argument("--push-group", action="append", metavar="NAME", help="push this group")
    apply.add_argument("--yes", action="store_true", help="make the changes (else: the plan only)")
    apply.add_argument("--json", action="store_true")
    apply.add_argument("--app-id", help="the Bitwarden app's id, when Okta has several")


def main(argv: Sequence[str] | None = None) -> int:
    # Before any secret can arrive: no core file of this run or its children (app.core.hygiene).
    from app.core.hygiene import harden_process

    harden_process()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"scim-assistant {__version__}")
        return EXIT_OK
    if args.smoke_test and not args.demo:
        parser.error("--smoke-test needs --demo")

    command: str | None = args.command
    if command == "sandbox":
        from app.commands import sandbox as sandbox_command

        return sandbox_command.run(args)
    if command == "check":
        from app.commands import check as check_command

        return check_command.run(args)
    if command == "reinvite":
        from app.commands import reinvite as reinvite_command

        return reinvite_command.run(args)
    if command == "groups":
        from app.commands import groups as groups_command

        return groups_command.run(args)
    if command == "members":
        from app.commands import members as members_command

        return members_command.run(args)
    if command == "confirm":
        from app.commands import confirm as confirm_command

        return confirm_command.run(args)
    if command == "profile":
        from app.commands import profile as profile_command

        return profile_command.run(args)
    if command == "okta":
        from app.commands import okta as okta_command

        return okta_command.run(args)

    # Everything below shows windows: only now is Qt imported.
    if command == "screenshots":
        from app.gui.screenshots import render_all

        return render_all(args.outdir)
    from app.gui import launch

    return launch.run_gui(demo=args.demo, smoke_test=args.smoke_test)


if __name__ == "__main__":
    sys.exit(main())
