"""The password grant's challenges, the two anonymous endpoints that mail codes, and the control
endpoints that switch them (and swap a member's key pair, give a member's credentials).

See `logins.py` for what is faithful to which reference section. Control endpoints (sandbox only):

- `POST /_sandbox/admin/login` `{"two_step": [0, 1], "new_device_verification": true,
  "kdf": "argon2id" | "pbkdf2"}` (each optional) switches the admin's login; answers the settings
  with `totp_secret` (base32, for an authenticator) and the KDF in use.
- `GET /_sandbox/admin/mailbox`: the codes the sandbox "mailed" the admin last,
  `{"two_step": "123456" | null, "new_device": … | null}`.
- `GET /_sandbox/members/{id}/credentials`: an account-holding member's `{"email",
  "master_password"}` (a master password is given to the account on first ask).
- `POST /_sandbox/members/{id}/swap-key`: a new key pair for the member's account, as a malicious
  server would hand out (the fingerprint phrase changes).
"""

from __future__ import annotations

import secrets
from typing import Any

from pydantic import SecretStr

from app.sandbox.router import BadJsonError, Request, Response, Router
from app.sandbox.state import Account, KeyPair, random_key
from app.sandbox.vault import crypto
from app.sandbox.vault.accounts import VaultAccounts, error_response
from app.sandbox.vault.logins import AUTHENTICATOR, EMAIL, Logins

CONTROL = "/_sandbox"
_INVALID_TWO_STEP = "Two-step token is invalid. Try again."


def check(logins: Logins, account: Account, form: dict[str, str]) -> Response | None:
    """After the password matched: the two-step, then the new-device check (validator order,
    §2.2); None when the login may go on."""
    settings = logins.settings(account.id)
    device = form.get("deviceIdentifier", "")
    if settings.two_step:
        token = form.get("twoFactorToken", "").strip()
        if not token:
            if EMAIL in settings.two_step:
                logins.new_code(account.id, "two_step", mail=False)  # regenerated, not mailed
            return _two_step_required(account, settings.two_step)
        provider = form.get("twoFactorProvider", "")
        ok = (
            provider == str(AUTHENTICATOR)
            and AUTHENTICATOR in settings.two_step
            and logins.totp_matches(account.id, token)
        ) or (
            provider == str(EMAIL)
            and EMAIL in settings.two_step
            and logins.code_matches(account.id, "two_step", token)
        )
        if not ok:
            return _grant_error("invalid_grant", _INVALID_TWO_STEP)
    elif settings.new_device_verification and device not in settings.known_devices:
        otp = form.get("newDeviceOtp", "").strip()
        if not otp:
            logins.new_code(account.id, "new_device", mail=True)  # the server mails the OTP
            return _device_error("New device verification required")
        if not logins.code_matches(account.id, "new_device", otp):
            return _device_error("Invalid New Device OTP")
    if device:
        settings.known_devices.add(device)
    return None


def _two_step_required(account: Account, providers: tuple[int, ...]) -> Response:
    """§2.3: 400 with `TwoFactorProviders2` (the e-mail provider's entry shows a masked e-mail)."""
    local, _, domain = account.email.partition("@")
    masked = f"{local[:1]}***@{domain}"
    body: dict[str, Any] = {
        "error": "invalid_grant",
        "error_description": "Two factor required.",
        "TwoFactorProviders": [str(p) for p in providers],
        "TwoFactorProviders2": {
            str(p): ({"Email": masked} if p == EMAIL else None) for p in providers
        },
        "MasterPasswordPolicy": {"Object": "masterPasswordPolicy"},
    }
    if EMAIL in providers:
        body["SsoEmail2faSessionToken"] = secrets.token_urlsafe(32)
        body["Email"] = account.email
    return Response.json(400, body)


def _device_error(description: str) -> Response:
    return Response.json(
        400,
        {
            "error": "device_error",
            "error_description": description,
            "ErrorModel": {"Message": description.lower(), "Object": "error"},
        },
    )


def _grant_error(error: str, message: str) -> Response:
    return Response.json(
        400,
        {
            "error": error,
            "error_description": "invalid_username_or_password",
            "ErrorModel": {"Message": message, "Object": "error"},
        },
    )


def register(router: Router, vault: VaultAccounts) -> None:
    state, logins = vault.state, vault.logins

    def checked_account(request: Request) -> Account | None:
        """The account named by the body's e-mail whose `masterPasswordHash` matches."""
        try:
            body = request.json()
        except BadJsonError:
            return None
        if not isinstance(body, dict):
            return None
        account = vault.account_by_email(str(body.get("email") or ""))
        keys = vault.master_password_keys(account) if account else None
        hash_ = str(body.get("masterPasswordHash") or "")
        if account is None or keys is None or not keys.password_matches(hash_):
            return None
        return account

    def send_email_login(request: Request) -> Response:
        """`TwoFactorController.SendEmailLoginAsync` (§2.4): mails the two-step code."""
        account = checked_account(request)
        if account is None or EMAIL not in logins.settings(account.id).two_step:
            return error_response("Cannot send two-factor email.")
        logins.new_code(account.id, "two_step", mail=True)
        return Response.empty(200)

    def resend_new_device_otp(request: Request) -> Response:
        """`AccountsController.ResendNewDeviceOtpAsync` (§2.4): always 200 (no enumeration)."""
        account = checked_account(request)
        if account is not None:
            logins.new_code(account.id, "new_device", mail=True)
        return Response.empty(200)

    def admin_login(request: Request) -> Response:
        admin = state.admin
        settings = logins.settings(admin.id)
        if request.method == "POST":
            try:
                body = request.json()
            except BadJsonError:
                return Response.json(400, {"error": "the body is not JSON"})
            if not isinstance(body, dict):
                return Response.json(400, {"error": "the body must be a JSON object"})
            if "two_step" in body:
                providers = body["two_step"]
                if not isinstance(providers, list) or not all(
                    p in (AUTHENTICATOR, EMAIL) for p in providers
                ):
                    return Response.json(400, {"error": "two_step: a list of 0 and 1"})
                settings.two_step = tuple(sorted(set(providers)))
            if "new_device_verification" in body:
                settings.new_device_verification = bool(body["new_device_verification"])
                settings.known_devices.clear()
            kdf = body.get("kdf")
            if kdf not in (None, "pbkdf2", "argon2id"):
                return Response.json(400, {"error": "kdf: pbkdf2 or argon2id"})
            if kdf is not None:
                vault.use_argon2id(admin, crypto.ARGON2_DEFAULTS if kdf == "argon2id" else None)
        keys = vault.master_password_keys(admin)
        return Response.json(
            200,
            {
                "two_step": list(settings.two_step),
                "totp_secret": settings.totp_secret_base32,
                "new_device_verification": settings.new_device_verification,
                "kdf": "argon2id" if keys and keys.kdf == crypto.KDF_ARGON2ID else "pbkdf2",
            },
        )

    def mailbox(request: Request) -> Response:
        box = logins.settings(state.admin.id).mailbox
        return Response.json(
            200, {"two_step": box.get("two_step"), "new_device": box.get("new_device")}
        )

    def member_account(request: Request) -> Account | None:
        with state.lock:
            member = state.members.get(request.params["member_id"].lower())
            return state.account_for(member) if member is not None else None

    def credentials(request: Request) -> Response:
        account = member_account(request)
        if account is None:
            return Response.json(404, {"error": "no such member with an account"})
        with state.lock:
            if account.master_password is None:
                account.master_password = SecretStr(random_key(20))
            password = account.master_password.get_secret_value()
        return Response.json(200, {"email": account.email, "master_password": password})

    def swap_key(request: Request) -> Response:
        account = member_account(request)
        if account is None:
            return Response.json(404, {"error": "no such member with an account"})
        with state.lock:
            account.key_pair = KeyPair()
            state.touch()
        vault.forget_keys(account)
        return Response.json(200, {"user_id": account.id})

    router.post("/api/two-factor/send-email-login", send_email_login)
    router.post("/api/accounts/resend-new-device-otp", resend_new_device_otp)
    router.get(CONTROL + "/admin/login", admin_login)
    router.post(CONTROL + "/admin/login", admin_login)
    router.get(CONTROL + "/admin/mailbox", mailbox)
    router.get(CONTROL + "/members/{member_id}/credentials", credentials)
    router.post(CONTROL + "/members/{member_id}/swap-key", swap_key)
