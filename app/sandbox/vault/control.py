"""The vault's control endpoints (sandbox only): play the member, the mailbox, a hostile server.

- `GET {control}/members/{id}/credentials`: an account holder's `{"email", "master_password"}`,
  so a test can log in as that member with the real `bw` CLI (404 for a member without account).
- `POST {control}/members/{id}/swap-key`: the server hands out a new key pair for the member, as
  a malicious server would (the fingerprint phrase and the public-keys answers change).
- `GET|POST {control}/admin/login`: the admin's login checks, all off by default:
  `{"two_step": [0, 1] (0 / "authenticator", 1 / "email"), "new_device_verification": bool,
  "kdf": "pbkdf2" | "argon2id" | {"kdf", "iterations", "memory", "parallelism"}, "account":
  "master_password" | "key_connector" | "trusted_device" | "v2"}` (each optional); answers them with
  `totp_secret` (base32, what an authenticator app is given). A key-connector or trusted-device
  admin has no master password: the password grant fails, the API key works and says so; a
  `v2` admin has COSE keys (`cose.py`).
- `GET {control}/admin/mailbox`: what the admin could read now: the last e-mailed two-step and
  new-device codes (`two_step`, `new_device`, null until sent) and the authenticator's code.
- `POST {control}/admin/rotate-api-key`: a new personal API key for the admin; the old one fails.
- `POST {control}/expire-tokens`: every user access token expires now.
- `POST {control}/vault/faults` `{"bulk_confirm_fails_after": N}`: the next bulk confirm confirms
  N members, then crashes (500, "An error has occurred."); `null` takes the fault back.
"""

from __future__ import annotations

from typing import Any

from app.sandbox.control import PREFIX
from app.sandbox.fingerprint import fingerprint_phrase
from app.sandbox.router import BadJsonError, Request, Response, Router
from app.sandbox.state import Account, Member
from app.sandbox.vault import crypto, two_step
from app.sandbox.vault.accounts import ACCOUNT_KINDS, VaultAccounts

_KDF_NAMES = {"pbkdf2": crypto.KDF_PBKDF2_SHA256, "argon2id": crypto.KDF_ARGON2ID}


class SettingsError(ValueError):
    """A settings body the control endpoint cannot apply; the message says what to send."""


def register(router: Router, vault: VaultAccounts) -> None:
    state = vault.state

    def holder(request: Request) -> tuple[Member, Account] | None:
        with state.lock:
            member = state.members.get(request.params["member_id"].lower())
            account = state.account_for(member) if member is not None else None
        return (member, account) if member is not None and account is not None else None

    def credentials(request: Request) -> Response:
        found = holder(request)
        password = found[1].master_password if found is not None else None
        if found is None or password is None:
            return Response.json(404, {"error": "no such member with an account"})
        return Response.json(
            200, {"email": found[1].email, "master_password": password.get_secret_value()}
        )

    def swap_key(request: Request) -> Response:
        found = holder(request)
        if found is None:
            return Response.json(404, {"error": "no such member with an account"})
        member, account = found
        vault.swap_key_pair(account)
        public_key = account.key_pair.public_key_der
        return Response.json(
            200,
            {
                "id": member.id,
                "userId": account.id,
                "publicKey": crypto.b64(public_key),
                "fingerprint": fingerprint_phrase(account.id, public_key),
            },
        )

    def admin_login(request: Request) -> Response:
        if request.method == "POST":
            try:
                body = request.json()
            except BadJsonError:
                return Response.json(400, {"error": "the body is not JSON"})
            try:
                apply_settings(vault, body)
            except SettingsError as error:
                return Response.json(400, {"error": str(error)})
        return Response.json(200, settings_dump(vault))

    def mailbox(request: Request) -> Response:
        factors = vault.factors(state.admin)
        return Response.json(
            200,
            {
                "two_step": factors.inbox.get("email"),
                "new_device": factors.inbox.get("new_device"),
                "authenticator": factors.current_totp(),
            },
        )

    def rotate_api_key(request: Request) -> Response:
        secret = vault.rotate_api_key(state.admin)
        return Response.json(200, {"client_id": f"user.{state.admin.id}", "client_secret": secret})

    def expire_tokens(request: Request) -> Response:
        return Response.json(200, {"expired": vault.expire_tokens()})

    def faults(request: Request) -> Response:
        try:
            body = request.json()
        except BadJsonError:
            return Response.json(400, {"error": "the body is not JSON"})
        after = body.get("bulk_confirm_fails_after") if isinstance(body, dict) else None
        if (
            not isinstance(body, dict)
            or set(body) != {"bulk_confirm_fails_after"}
            or (after is not None and (type(after) is not int or after < 0))
        ):
            return Response.json(
                400, {"error": 'send {"bulk_confirm_fails_after": N} (N >= 0) or null'}
            )
        vault.fail_next_bulk_confirm(after)
        return Response.json(200, {"bulk_confirm_fails_after": after})

    router.get(PREFIX + "/members/{member_id}/credentials", credentials)
    router.post(PREFIX + "/members/{member_id}/swap-key", swap_key)
    router.get(PREFIX + "/admin/login", admin_login)
    router.post(PREFIX + "/admin/login", admin_login)
    router.get(PREFIX + "/admin/mailbox", mailbox)
    router.post(PREFIX + "/admin/rotate-api-key", rotate_api_key)
    router.post(PREFIX + "/expire-tokens", expire_tokens)
    router.post(PREFIX + "/vault/faults", faults)


def apply_settings(vault: VaultAccounts, body: object) -> None:
    """Check the whole body first, then apply it (a bad field changes nothing)."""
    if not isinstance(body, dict):
        raise SettingsError("the body must be a JSON object")
    unknown = set(body) - {"two_step", "new_device_verification", "kdf", "account"}
    if unknown:
        raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
    providers = _providers(body["two_step"]) if "two_step" in body else None
    verification = body.get("new_device_verification")
    if verification is not None and not isinstance(verification, bool):
        raise SettingsError("new_device_verification: true or false")
    kdf = parse_kdf(body["kdf"]) if body.get("kdf") is not None else None
    kind = body.get("account")
    if kind is not None and kind not in ACCOUNT_KINDS:
        raise SettingsError(f"account: one of {', '.join(ACCOUNT_KINDS)}")
    admin = vault.state.admin
    if providers is not None:
        vault.factors(admin).providers = providers
    if verification is not None:
        vault.new_device_verification = verification
    if kdf is not None and kdf != vault.kdf_for(admin):
        vault.set_kdf(admin, kdf)
    if isinstance(kind, str) and kind != vault.kind_of(admin):
        vault.set_kind(admin, kind)


def parse_kdf(value: object) -> crypto.Kdf:
    """`"pbkdf2"` / `"argon2id"` (the server's defaults) or an object with the parameters."""
    if isinstance(value, str):
        if value.lower() == "argon2id":
            return crypto.Kdf.argon2id()
        if value.lower() == "pbkdf2":
            return crypto.Kdf()
        raise SettingsError('kdf: "pbkdf2" or "argon2id"')
    if not isinstance(value, dict) or str(value.get("kdf", "")).lower() not in _KDF_NAMES:
        raise SettingsError('kdf: "pbkdf2", "argon2id" or {"kdf": …, "iterations": …}')
    kind = _KDF_NAMES[str(value["kdf"]).lower()]
    numbers = {k: value.get(k) for k in ("iterations", "memory", "parallelism")}
    if any(v is not None and type(v) is not int for v in numbers.values()):
        raise SettingsError("kdf: iterations, memory and parallelism are integers")
    try:
        if kind == crypto.KDF_ARGON2ID:
            return crypto.Kdf.argon2id(
                numbers["iterations"] or crypto.DEFAULT_ARGON2_ITERATIONS,
                numbers["memory"] or crypto.DEFAULT_ARGON2_MEMORY_MIB,
                numbers["parallelism"] or crypto.DEFAULT_ARGON2_PARALLELISM,
            )
        return crypto.Kdf(iterations=numbers["iterations"] or crypto.DEFAULT_KDF_ITERATIONS)
    except ValueError as error:
        raise SettingsError(f"kdf: {error}") from error


def _providers(value: object) -> tuple[int, ...]:
    """A list of providers, each 0 / "authenticator" or 1 / "email" (a single one, or null)."""
    items = [] if value is None else value if isinstance(value, list) else [value]
    numbers = set()
    for item in items:
        if isinstance(item, str) and item.lower() in two_step.PROVIDERS:
            numbers.add(two_step.PROVIDERS[item.lower()])
        elif type(item) is int and item in two_step.PROVIDERS.values():
            numbers.add(item)
        else:
            raise SettingsError('two_step: a list of 0 ("authenticator") and 1 ("email"), or []')
    return tuple(sorted(numbers))


def settings_dump(vault: VaultAccounts) -> dict[str, Any]:
    admin = vault.state.admin
    factors = vault.factors(admin)
    kdf = vault.kdf_for(admin)
    return {
        "two_step": list(factors.providers),
        "totp_secret": factors.authenticator_key,
        "new_device_verification": vault.new_device_verification,
        "account": vault.kind_of(admin),
        "kdf": "argon2id" if kdf.kind == crypto.KDF_ARGON2ID else "pbkdf2",
        "kdf_settings": {
            "iterations": kdf.iterations,
            "memory": kdf.memory,
            "parallelism": kdf.parallelism,
        },
    }
