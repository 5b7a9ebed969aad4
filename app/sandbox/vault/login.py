"""User logins at the token endpoint, checked in the server's order (reference 2.1–2.4).

- Password grant (`grant_type=password`): client (`web`, `browser`, `desktop`, `cli`, `mobile`,
  `connector`), credentials, `Bitwarden-Client-Version`, two-step login, device fields, new-device
  verification; each failure is the server's 400 body.
- Personal API key (`grant_type=client_credentials`, `client_id=user.<id>`, the key as secret,
  scope `api`): the client, then the version header and the device fields; never two-step or
  new-device verification; scope `api`, one hour, no refresh token.
- `POST /api/two-factor/send-email-login` mails the e-mail code; `POST
  /api/accounts/resend-new-device-otp` mails a new-device code again (always 200).
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from app.sandbox.router import BadJsonError, Request, Response, Router
from app.sandbox.state import Account, utcnow
from app.sandbox.vault import two_step
from app.sandbox.vault.accounts import ACCESS_TOKEN_LIFETIME, VaultAccounts, error_response
from app.sandbox.vault.crypto import MasterPasswordKeys
from app.sandbox.vault.responses import grant_error, keyless_token_body, token_body

#: `StaticClientStore`: the public clients a password grant may name.
STATIC_CLIENTS = frozenset({"web", "browser", "desktop", "cli", "mobile", "connector"})
BAD_CREDENTIALS = "Username or password is incorrect. Try again."
BAD_TWO_STEP_TOKEN = "Two-step token is invalid. Try again."  # noqa: S105 (a message)
VERSION_MISSING = (
    "No client version header found, required to prevent encryption errors. Please confirm "
    'your client is supplying the header: "Bitwarden-Client-Version"'
)
NO_DEVICE = "no device information provided"
UPDATE_YOUR_APP = "Please update your app to continue using Bitwarden"
#: `Constants.MinimumClientVersionForV2Encryption`.
V2_MINIMUM_VERSION = (2025, 11, 0)
#: `TwoFactorProviderType.Remember`, and how long a remember token lasts.
REMEMBER = 5
REMEMBER_LIFETIME = 30 * 24 * 3600.0
#: New-device verification spares accounts younger than this.
NEW_ACCOUNT_AGE = timedelta(hours=24)
_VERSION = re.compile(r"^\d+(\.\d+){1,3}$")  # what .NET's Version.TryParse accepts
_PROVIDER_NAMES = {
    "authenticator": 0,
    "email": 1,
    "duo": 2,
    "yubikey": 3,
    "u2f": 4,
    "remember": 5,
    "organizationduo": 6,
    "webauthn": 7,
    "recoverycode": 8,
}


def register(router: Router, vault: VaultAccounts) -> None:
    def send_email_login(request: Request) -> Response:
        body = _json_object(request)
        email = _field(body, "email")
        device = _field(body, "deviceIdentifier")
        account = vault.account_by_email(email) if email else None
        if account is not None and not device:
            return error_response("A valid device identifier is required.")
        if account is not None and (
            _secret_matches(vault, account, _field(body, "masterPasswordHash"))
            or vault.factors(account).sso_session_valid(_field(body, "ssoEmail2FaSessionToken"))
        ):
            vault.factors(account).new_email_code(mail=True)
            return Response.empty(200)
        return error_response("Cannot send two-factor email.")

    def resend_new_device_otp(request: Request) -> Response:
        body = _json_object(request)
        email = _field(body, "email")
        account = vault.account_by_email(email) if email else None
        if account is not None and _secret_matches(
            vault, account, _field(body, "masterPasswordHash")
        ):
            vault.factors(account).new_device_code()
        return Response.empty(200)  # the same answer either way: no account enumeration

    router.post("/api/two-factor/send-email-login", send_email_login)
    router.post("/api/accounts/resend-new-device-otp", resend_new_device_otp)


def password_grant(vault: VaultAccounts, request: Request, form: dict[str, str]) -> Response:
    if form.get("client_id", "") not in STATIC_CLIENTS:
        return grant_error("invalid_client", None)
    if form.get("scope", "").split() != ["api", "offline_access"]:
        return grant_error("invalid_scope", None)
    for name in ("username", "password"):
        if not form.get(name):
            return grant_error("invalid_request", None)
    account = vault.account_by_email(form["username"])
    keys = vault.master_password_keys(account) if account else None
    if account is None or keys is None or not keys.password_matches(form["password"]):
        return grant_error("invalid_grant", BAD_CREDENTIALS)
    refused = _client_version_refusal(request, keys)
    if refused is not None:
        return refused
    factors = vault.factors(account)
    remember_token: str | None = None
    if factors.providers:
        outcome = _two_step(vault, account, form)
        if isinstance(outcome, Response):
            return outcome
        remember_token = outcome
    device = _device_fields(form)
    if device is None:
        return grant_error("device_error", NO_DEVICE, NO_DEVICE)
    if not factors.providers and _needs_new_device_check(vault, account, device):
        otp = form.get("newDeviceOtp", "")
        if not otp:
            factors.new_device_code()
            return grant_error(
                "device_error",
                "new device verification required",
                "New device verification required",
            )
        if not factors.verify_device(otp):
            return grant_error("device_error", "invalid new device otp", "Invalid New Device OTP")
    vault.remember_device(account, device)
    access, refresh = vault.issue(account, form["client_id"])
    body = token_body(account, keys, access, refresh)
    if remember_token is not None:
        body["TwoFactorToken"] = remember_token
    return Response.json(200, body)


def api_key_grant(vault: VaultAccounts, request: Request, form: dict[str, str]) -> Response:
    """`UserClientProvider` + the validators a `client_credentials` user login passes."""
    account = _api_key_account(vault, form)
    if account is None or not vault.api_key_matches(account, form.get("client_secret", "")):
        return grant_error("invalid_client", None)
    if any(scope != "api" for scope in form.get("scope", "api").split()):
        return grant_error("invalid_scope", None)
    keys = vault.master_password_keys(account)
    refused = _client_version_refusal(request, keys)
    if refused is not None:
        return refused
    device = _device_fields(form)
    if device is None:
        return grant_error("device_error", NO_DEVICE, NO_DEVICE)
    vault.remember_device(account, device)  # a new device is still mailed about, never challenged
    access = vault.issue_api_key_token(account)
    if keys is not None:
        return Response.json(200, token_body(account, keys, access, None))
    keyless = vault.keyless_keys(account)
    if keyless is None:  # no password and no other unlock: nothing to hand out but the token
        return Response.json(200, _keyless_body(access))
    kind = vault.kind_of(account)
    return Response.json(
        200, keyless_token_body(account, keyless, kind, access, vault.kdf_for(account))
    )


def _api_key_account(vault: VaultAccounts, form: dict[str, str]) -> Account | None:
    _, _, id_part = form.get("client_id", "").partition(".")
    try:
        account_id = str(uuid.UUID(id_part))
    except ValueError:
        return None
    with vault.state.lock:
        return vault.state.accounts.get(account_id)


def _keyless_body(access: str) -> dict[str, Any]:
    return {
        "access_token": access,
        "expires_in": ACCESS_TOKEN_LIFETIME,
        "token_type": "Bearer",
        "scope": "api",
    }


def _client_version_refusal(request: Request, keys: MasterPasswordKeys | None) -> Response | None:
    """`ClientVersionValidator`: a missing (or unparsable) `Bitwarden-Client-Version` is refused,
    and a v2 account needs at least 2025.11.0 (older clients would break its keys)."""
    version = (request.header("Bitwarden-Client-Version") or "").strip()
    if not _VERSION.match(version):
        return grant_error("version_header_missing", VERSION_MISSING, VERSION_MISSING)
    parts = tuple(int(p) for p in version.split("."))
    if keys is not None and keys.is_v2 and parts < V2_MINIMUM_VERSION:
        return grant_error("invalid_client_version", UPDATE_YOUR_APP, UPDATE_YOUR_APP)
    return None


def _two_step(
    vault: VaultAccounts, account: Account, form: dict[str, str]
) -> Response | str | None:
    """The two-step check: a challenge or a refusal (a Response), else the remember token to
    hand out (`twoFactorRemember=1`) or None."""
    factors = vault.factors(account)
    token = form.get("twoFactorToken", "").strip()
    provider = _provider(form.get("twoFactorProvider", ""))
    if not token or provider is None:
        return _challenge(vault, account)
    if provider == REMEMBER:
        return None if factors.remember_valid(token) else _challenge(vault, account)
    if not factors.verify(provider, token):
        return grant_error("invalid_grant", BAD_TWO_STEP_TOKEN)
    if form.get("twoFactorRemember", "") == "1":
        return factors.new_remember_token(REMEMBER_LIFETIME)
    return None


def _challenge(vault: VaultAccounts, account: Account) -> Response:
    """400 `Two factor required.` with the enabled providers (`TwoFactorProviders2`); for the
    e-mail provider the code is made anew (not mailed) and an SSO e-mail session token given."""
    factors = vault.factors(account)
    providers2: dict[str, Any] = {}
    body: dict[str, Any] = {
        "error": "invalid_grant",
        "error_description": "Two factor required.",
        "TwoFactorProviders": [str(p) for p in factors.providers],
        "TwoFactorProviders2": providers2,
    }
    for provider in factors.providers:
        providers2[str(provider)] = None
        if provider == two_step.EMAIL:
            providers2[str(provider)] = {"Email": redact_email(account.email)}
            factors.new_email_code(mail=False)
    if two_step.EMAIL in factors.providers:
        body["SsoEmail2faSessionToken"] = factors.new_sso_session()
        body["Email"] = account.email
    body["MasterPasswordPolicy"] = {"Object": "masterPasswordPolicy"}
    return Response.json(400, body)


def redact_email(email: str) -> str:
    """`CoreHelpers.RedactEmailAddress`: a few first characters, then stars, then the domain."""
    local, _, domain = email.partition("@")
    if len(local) > 4:
        shown = local[:2]
    elif len(local) > 2:
        shown = local[:1]
    else:
        shown = ""
    return f"{shown}{'*' * (len(local) - len(shown))}@{domain}"


def _provider(value: str) -> int | None:
    """`twoFactorProvider` as a number or an enum name (the server parses both)."""
    text = value.strip()
    if text.isdigit():
        return int(text)
    return _PROVIDER_NAMES.get(text.lower())


def _device_fields(form: dict[str, str]) -> str | None:
    """The device identifier, when `deviceType` (an integer), `deviceIdentifier` and
    `deviceName` are all there (`DeviceValidator`); else None."""
    identifier = form.get("deviceIdentifier", "").strip()
    name = form.get("deviceName", "").strip()
    kind = form.get("deviceType", "").strip()
    if not identifier or not name or not kind.isdigit():
        return None
    return identifier


def _needs_new_device_check(vault: VaultAccounts, account: Account, device: str) -> bool:
    """`DeviceValidator`: the switch is on, the device unknown, the account at least a day old
    and already holding a device (a first login is never challenged)."""
    return (
        vault.new_device_verification
        and not vault.knows_device(account, device)
        and utcnow() - account.created >= NEW_ACCOUNT_AGE
        and vault.device_count(account) >= 1
    )


def _secret_matches(vault: VaultAccounts, account: Account, presented: str) -> bool:
    keys = vault.master_password_keys(account)
    return bool(presented) and keys is not None and keys.password_matches(presented)


def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = request.json()
    except BadJsonError:
        return {}
    return body if isinstance(body, dict) else {}


def _field(body: dict[str, Any], name: str) -> str:
    """A string field matched case-insensitively, as ASP.NET binds JSON ("" when absent)."""
    for key, value in body.items():
        if key.lower() == name.lower() and isinstance(value, str):
            return value.strip()
    return ""
