"""`scim-assistant profile save|list|delete`: the wizard's save step, headless.

`save` reads the SCIM key and the Public API client secret from environment variables (never the
command line), checks the URL and the key formats, and stores every secret in the OS keyring only;
the profile file in the config dir gets the name, deployment, server and organization id. It never
falls back to a file: without a secure keyring it fails and says what to do. A profile saved here
counts as set up (`done`), so the GUI opens its members window; an existing profile keeps its step.

Exit codes: 0 done, 1 failed (keyring, unknown profile), 2 usage error (bad URL, key or arguments).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import SecretStr

from app.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    api_key_from_args,
    env_secret,
    stdin_secret,
)
from app.commands.key_file import read_key_file, read_key_stdin
from app.core.endpoints import deployment_name, parse_scim_url
from app.core.invitations import DEFAULT_EXPIRY_HOURS, check_expiry_hours
from app.core.keys import check_scim_key
from app.core.okta.org_url import check_org_url
from app.core.okta.private_key import PrivateKeyError
from app.core.okta.service_app import ServiceApp, normalized
from app.core.profiles import Profile, ProfileError, ProfileStore, SetupStep
from app.core.secrets import ProfileSecrets, SecretStoreError

_PROG = "scim-assistant profile"


def run(args: argparse.Namespace) -> int:
    action = str(args.profile_command)
    store = ProfileStore()
    try:
        if action == "save":
            return _save(store, args)
        if action == "list":
            return _list(store, json_output=bool(args.json))
        if action == "delete":
            return _delete(store, str(args.name))
    except UsageError as exc:
        print(f"{_PROG} {action}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (SecretStoreError, ProfileError) as exc:
        print(f"{_PROG} {action}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{_PROG}: error: unknown action {action!r}.", file=sys.stderr)
    return EXIT_USAGE


def _save(store: ProfileStore, args: argparse.Namespace) -> int:
    check = parse_scim_url(str(args.url))
    if check.endpoints is None:
        raise UsageError(check.error or "the SCIM URL cannot be used.")
    endpoints = check.endpoints
    key = check_scim_key(_key_text(args))
    if key.value is None:
        raise UsageError(key.error or "the SCIM API key cannot be used.")
    warnings = [*check.warnings, *key.warnings]

    client_id: str | None = None
    client_secret: SecretStr | None = None
    if bool(args.client_id) != bool(args.client_secret_env):
        raise UsageError("give both --client-id and --client-secret-env, or neither.")
    if args.client_id:
        client_id, client_secret, secret_warnings = api_key_from_args(
            args, endpoints.organization_id, what="the client secret"
        )
        warnings += secret_warnings
    okta_url, okta_token, okta_app = _okta_side(args)
    warnings += _okta_warnings(args)
    ca_file = getattr(args, "ca_file", None)
    if ca_file and not Path(ca_file).expanduser().is_file():
        raise UsageError(f"the CA file {ca_file} does not exist.")

    existing = store.get(str(args.name))
    if okta_token is None and okta_app is None and existing is not None:
        # A save without --okta-* keeps the Okta credential already saved with the profile.
        kept = store.secrets.load(existing.name)
        if kept is not None:
            okta_url, okta_token = kept.okta_url, kept.okta_token
            if kept.okta_client_id and kept.okta_private_key is not None:
                okta_app = ServiceApp(kept.okta_client_id, kept.okta_private_key, kept.okta_key_id)
    expiry = getattr(args, "invite_expiry_hours", None)
    if expiry is None:
        expiry = existing.invite_expiry_hours if existing else DEFAULT_EXPIRY_HOURS
    try:
        expiry = check_expiry_hours(int(expiry))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    profile = Profile(
        name=str(args.name),
        deployment=endpoints.deployment,
        server_url=endpoints.server_url,
        organization_id=endpoints.organization_id,
        # As the wizard's Save step leaves it: the GUI then resumes the setup at the Okta test
        # (the Okta side is not set up by saving a key).
        setup_step=existing.setup_step if existing else SetupStep.TEST,
        ca_file=str(Path(ca_file).expanduser().resolve()) if ca_file else None,
        invite_expiry_hours=expiry,
    )
    secrets = ProfileSecrets(
        scim_url=endpoints.scim_url,
        scim_key=key.value,
        client_id=client_id,
        client_secret=client_secret,
        okta_url=okta_url,
        okta_token=okta_token,
        okta_client_id=okta_app.client_id if okta_app else None,
        okta_private_key=okta_app.private_key if okta_app else None,
        okta_key_id=okta_app.key_id if okta_app else None,
    )
    for twin in store.for_organization(endpoints.organization_id, other_than=str(args.name)):
        warnings.append(
            f"the profile {twin.name!r} is for the same organization; each holds a SCIM key, and "
            "rotating the key for one breaks the other. Keep one (profile delete NAME)."
        )
    stored = store.save(profile, secrets)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    where = store.secrets.info().name
    what = "The SCIM URL and key" + (" and the Public API key" if client_secret else "")
    what += " and the Okta API token" if okta_token else ""
    what += " and the Okta service app's private key" if okta_app else ""
    verb = "Updated" if existing else "Saved"
    print(
        f"{verb} profile {stored.name!r} ({deployment_name(stored.deployment)}, organization "
        f"{stored.organization_id}). {what} are in {where}; {store.path} holds no secret."
    )
    if not stored.finished:
        print(
            "Run scim-assistant to finish the setup: it resumes at the test as Okta makes it, "
            "then the Okta steps."
        )
    return EXIT_OK


def _key_text(args: argparse.Namespace) -> str:
    """The SCIM API key from `--key-env VAR` or one line of standard input (`--key-stdin`)."""
    if getattr(args, "key_stdin", False):
        return stdin_secret("the SCIM API key")
    return env_secret(str(args.key_env), "the SCIM API key")


def _okta_side(
    args: argparse.Namespace,
) -> tuple[str | None, SecretStr | None, ServiceApp | None]:
    """`--okta-url URL` with `--okta-token-env VAR` or with `--okta-client-id ID
    --okta-private-key-file PATH|-`: the URL checked, the token bare, the key read and compact."""
    url_arg = getattr(args, "okta_url", None)
    env = getattr(args, "okta_token_env", None)
    client_id = getattr(args, "okta_client_id", None)
    key_file = getattr(args, "okta_private_key_file", None)
    key_id = getattr(args, "okta_key_id", None)
    if env and (client_id or key_file):
        raise UsageError(
            "give an Okta API token (--okta-token-env) or a service app (--okta-client-id "
            "with --okta-private-key-file), not both."
        )
    if bool(client_id) != bool(key_file):
        raise UsageError("give both --okta-client-id and --okta-private-key-file, or neither.")
    if key_id and not client_id:
        raise UsageError("--okta-key-id goes with --okta-client-id and --okta-private-key-file.")
    if bool(url_arg) != bool(env or client_id):
        raise UsageError(
            "give --okta-url with --okta-token-env (or with --okta-client-id and "
            "--okta-private-key-file), or none of them."
        )
    if not url_arg:
        return None, None, None
    check = check_org_url(str(url_arg))
    if check.url is None:
        raise UsageError(check.error or "the Okta org URL cannot be used.")
    if client_id:
        return check.url, None, _service_app(args, str(client_id), str(key_file), key_id)
    token = env_secret(str(env), "the Okta API token").strip()
    for prefix in ("SSWS ", "Bearer "):
        if token.lower().startswith(prefix.lower()):
            token = token[len(prefix) :].strip()
    if not token or any(ch.isspace() or not ch.isprintable() for ch in token):
        raise UsageError("the Okta API token cannot be used (empty, or spaces inside).")
    return check.url, SecretStr(token), None


def _service_app(
    args: argparse.Namespace, client_id: str, key_file: str, key_id: str | None
) -> ServiceApp:
    """The service app from its client id and the key read from a file or standard input."""
    client_id = client_id.strip()
    if not client_id or any(ch.isspace() or not ch.isprintable() for ch in client_id):
        raise UsageError("the Okta client id cannot be used (empty, or spaces inside).")
    if key_file == "-":
        if getattr(args, "key_stdin", False):
            raise UsageError(
                "standard input can hold the SCIM key or the private key, not both: give the "
                "private key as a file path."
            )
        text = read_key_stdin()
    else:
        text, warnings = read_key_file(key_file)
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
    try:
        return normalized(client_id, SecretStr(text), key_id)
    except PrivateKeyError as exc:
        raise UsageError(str(exc)) from None


def _okta_warnings(args: argparse.Namespace) -> list[str]:
    url_arg = getattr(args, "okta_url", None)
    return check_org_url(str(url_arg)).warnings if url_arg else []


def _list(store: ProfileStore, *, json_output: bool) -> int:
    profiles = store.list()
    last = store.last_used()
    last_name = last.name if last else None
    if json_output:
        rows = [{**p.model_dump(mode="json"), "last_used": p.name == last_name} for p in profiles]
        print(json.dumps(rows, ensure_ascii=False))
        return EXIT_OK
    if not profiles:
        print("No profiles saved yet. Save one with `scim-assistant profile save` or the wizard.")
        return EXIT_OK
    headers = ("NAME", "SERVER", "ORGANIZATION", "SETUP", "PUBLIC API")
    rows_text = [
        (
            ("* " if p.name == last_name else "  ") + p.name,
            p.server_url or deployment_name(p.deployment),
            p.organization_id or "",
            "done" if p.finished else f"at {p.setup_step.value}",
            "yes" if p.has_public_api else "no",
        )
        for p in profiles
    ]
    widths = [
        max(len(h) + 2 * (i == 0), *(len(r[i]) for r in rows_text)) for i, h in enumerate(headers)
    ]
    print("  ".join(h.ljust(w) for h, w in zip(("  NAME", *headers[1:]), widths, strict=True)))
    for row in rows_text:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print(f"\n* last used. Secrets are kept in {store.secrets.info().name}.")
    return EXIT_OK


def _delete(store: ProfileStore, name: str) -> int:
    if store.get(name) is None:
        print(f"{_PROG} delete: there is no profile named {name!r}.", file=sys.stderr)
        return EXIT_FAILED
    store.delete(name)
    print(f"Deleted profile {name!r}, its secrets in the keyring and its local history.")
    return EXIT_OK
