"""`scim-assistant confirm`: confirm accepted members natively, bound to the verified key.

Logs in as the admin (personal API key, or e-mail + master password), fetches each member's public
key, and encrypts the organization key to exactly that key. Each phrase is verified first: given
as `EMAIL=PHRASE` (checked with the member beforehand), or shown on a terminal with a yes/no
question. There is no blind mode: with no terminal and no phrase the command refuses (exit 2).
Exit 0 = every named member confirmed or already confirmed, 1 = any failed, mismatched or skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
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
)
from app.core.cancel import Cancelled
from app.core.endpoints import Endpoints, parse_scim_url
from app.core.redaction import install_log_redaction
from app.core.vault.errors import CodeRequired, VaultError
from app.core.vault.fingerprint import same_phrase
from app.core.vault.session import AUTHENTICATOR, EMAIL, MemberKey, MemberOutcome, VaultSession
from app.core.vault.text import plain_text

_PROG = "scim-assistant confirm"
ACCEPTED, CONFIRMED = 1, 2


@dataclass
class _Plan:
    endpoints: Endpoints
    ca_file: Path | None
    device: str
    password: SecretStr
    api_key: tuple[str, SecretStr] | None
    email: str | None
    code: str | None
    wanted: dict[str, str | None] | None  # lower-case e-mail -> phrase; None = all accepted
    device_key: str = ""


def run(
    args: argparse.Namespace, *, ask: Callable[[str], str] = input, tty: bool | None = None
) -> int:
    interactive = sys.stdin.isatty() if tty is None else tty
    try:
        plan = _plan(args)
        if not interactive and (plan.wanted is None or None in plan.wanted.values()):
            raise UsageError(
                "no terminal to verify fingerprint phrases on: give each member as EMAIL=PHRASE "
                "(the phrase verified with the member beforehand). There is no blind mode."
            )
    except (UsageError, CannotRunError) as exc:
        return report(_PROG, exc)
    try:
        outcomes = _confirm(plan, ask, interactive)
    except VaultError as exc:
        print(f"{_PROG}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (KeyboardInterrupt, Cancelled, EOFError):
        print(f"{_PROG}: interrupted; nothing more was sent.", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.json:
        print(json.dumps([_as_json(o) for o in outcomes], ensure_ascii=False))
    else:
        for o in outcomes:
            reason = f" — {o.reason}" if o.reason else ""
            print(f"{o.result:17} {plain_text(o.email)}{reason}")
    good = all(o.result in ("confirmed", "already_confirmed") for o in outcomes)
    return EXIT_OK if good else EXIT_FAILED


def _as_json(o: MemberOutcome) -> dict[str, Any]:
    return {
        "email": o.email,
        "member_id": o.member_id or None,
        "result": o.result,
        "fingerprint": o.fingerprint,
        "reason": o.reason,
    }


def _plan(args: argparse.Namespace) -> _Plan:
    from app.core.profiles import ProfileStore
    from app.core.vault.device import device_identifier

    ca_file = Path(args.ca_file).expanduser() if args.ca_file else None
    if args.profile:
        profile, secrets = saved_profile(str(args.profile))
        if secrets is None:
            raise CannotRunError(f"the profile {profile.name!r} has no SCIM URL in the keyring.")
        check = parse_scim_url(secrets.scim_url)
        device_key = profile.name
        if ca_file is None and profile.ca_file:
            ca_file = Path(profile.ca_file)
    else:
        check = parse_scim_url(str(args.url))
        device_key = f"url:{check.endpoints.organization_id}" if check.endpoints else ""
    if check.endpoints is None:
        raise UsageError(check.error or "the SCIM URL cannot be used.")
    password = SecretStr(env_secret(args.master_password_env, "the master password"))
    install_log_redaction(password)
    api_key = None
    if args.api_key_id:
        if not args.api_key_secret_env:
            raise UsageError("--api-key-id needs --api-key-secret-env VAR (the key's secret).")
        api_key = (str(args.api_key_id), SecretStr(env_secret(args.api_key_secret_env)))
    code = env_secret(args.two_step_code_env) if args.two_step_code_env else None
    wanted: dict[str, str | None] | None = None
    if args.member:
        wanted = {}
        for item in args.member:
            email, _, phrase = str(item).partition("=")
            if not email.strip():
                raise UsageError(f"{item!r} is not EMAIL or EMAIL=PHRASE.")
            wanted[email.strip().lower()] = phrase.strip() or None
    return _Plan(
        check.endpoints,
        ca_file,
        device_identifier(ProfileStore(), device_key),
        password,
        api_key,
        args.email,
        code,
        wanted,
        device_key,
    )


def _log_in(session: VaultSession, plan: _Plan, ask: Callable[[str], str], tty: bool) -> None:
    """Log in, answering codes. A code given in the environment goes with the very first request,
    as the kind of challenge the last run met (remembered with the profile's preferences): asking
    for a fresh challenge first would make the server regenerate the e-mailed code."""
    if plan.api_key is not None:
        session.login_with_api_key(plan.api_key[0], plan.api_key[1])
        return
    assert plan.email is not None
    code: str | None = None
    provider: int | None = None
    device_code: str | None = None
    if plan.code is not None:
        kind, _, number = _last_challenge(plan).partition(":")
        if kind == "new_device":
            device_code = plan.code
        else:
            code, provider = plan.code, int(number) if number.isdigit() else AUTHENTICATOR
    for _ in range(4):
        try:
            session.login_with_password(
                plan.email,
                plan.password,
                two_step_code=code,
                two_step_provider=provider,
                new_device_code=device_code,
            )
            return
        except CodeRequired as question:
            if question.kind == "two_step":
                provider = (
                    AUTHENTICATOR if AUTHENTICATOR in question.providers else question.providers[0]
                )
            _remember_challenge(plan, f"{question.kind}:{provider if provider is not None else ''}")
            if question.kind == "two_step" and provider == EMAIL:
                session.send_email_code(plan.email, plan.password)
            if not tty:
                emailed = question.kind == "new_device" or provider == EMAIL
                hint = "Bitwarden e-mailed you the code." if emailed else "Use your authenticator."
                raise VaultError(
                    f"{question} {hint} Run the command again within 5 minutes with the code in "
                    "the variable named by --two-step-code-env."
                ) from None
            answer = ask(f"{question} Code: ").strip()
            if question.kind == "two_step":
                code, device_code = answer, None
            else:
                device_code = answer
    raise VaultError("Too many wrong codes. Start again with a fresh code.")


def _last_challenge(plan: _Plan) -> str:
    from app.core.profiles import ProfileStore

    value = ProfileStore().preferences().get(f"vault_last_challenge:{plan.device_key}")
    return value if isinstance(value, str) else ""


def _remember_challenge(plan: _Plan, value: str) -> None:
    from app.core.profiles import ProfileStore

    ProfileStore().set_preference(f"vault_last_challenge:{plan.device_key}", value)


def _confirm(plan: _Plan, ask: Callable[[str], str], tty: bool) -> list[MemberOutcome]:
    org = plan.endpoints.organization_id
    with VaultSession(
        plan.endpoints.identity_url,
        plan.endpoints.api_url,
        device_identifier=plan.device,
        ca_file=plan.ca_file,
    ) as session:
        _log_in(session, plan, ask, tty)
        session.unlock(plan.password)
        session.organization_key(org)
        rows = session.member_rows(org)
        by_email = {str(r.get("email") or "").lower(): r for r in rows}
        outcomes: dict[str, MemberOutcome] = {}
        order: list[str] = []
        candidates = []
        names = list(plan.wanted) if plan.wanted is not None else []
        if plan.wanted is None:
            candidates = [r for r in rows if r.get("status") == ACCEPTED]
            order = [str(r.get("email") or "").lower() for r in candidates]
        for email in names:
            order.append(email)
            row = by_email.get(email)
            if row is None:
                outcomes[email] = MemberOutcome("", email, "failed", "No member has this e-mail.")
            elif row.get("status") == CONFIRMED:
                outcomes[email] = MemberOutcome(str(row["id"]), email, "already_confirmed")
            elif row.get("status") != ACCEPTED:
                outcomes[email] = MemberOutcome(
                    str(row["id"]), email, "skipped", "This member has not accepted the invitation."
                )
            else:
                candidates.append(row)
        keys = session.member_keys(org, candidates)
        approved: list[MemberKey] = []
        for row in candidates:
            email = str(row.get("email") or "").lower()
            key = keys.get(str(row["id"]).lower())
            if key is None:
                outcomes[email] = MemberOutcome(
                    str(row["id"]),
                    email,
                    "skipped",
                    "This member is no longer waiting to be confirmed.",
                )
                continue
            expected = plan.wanted.get(email) if plan.wanted is not None else None
            if expected is not None:
                if same_phrase(expected, key.phrase):
                    approved.append(key)
                else:
                    outcomes[email] = MemberOutcome(
                        key.member_id,
                        email,
                        "mismatch",
                        "The phrase of the key the server gave is not the phrase you gave. "
                        "Nothing was sent for this member; check with them.",
                        key.phrase,
                    )
                continue
            print(f"\n{plain_text(key.email)}\n  fingerprint phrase: {key.phrase}", file=sys.stderr)
            reply = ask("  Does the member see exactly this phrase? [y/N] ").strip().lower()
            if reply in ("y", "yes"):
                approved.append(key)
            else:
                outcomes[email] = MemberOutcome(
                    key.member_id, email, "skipped", "You did not confirm the phrase.", key.phrase
                )
        for outcome in session.confirm(org, approved):
            outcomes[outcome.email.lower()] = outcome
    return [outcomes[email] for email in order if email in outcomes]
