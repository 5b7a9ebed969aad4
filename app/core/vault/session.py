"""One native confirmation run against a Bitwarden server: log in, unlock, fetch keys, confirm.

The admin logs in (personal API key, or e-mail + master password with a two-step or new-device
code when asked), unlocks locally, and gets each selected member's public key with its
fingerprint phrase as a `MemberKey`. `confirm` then encrypts the organization key to exactly the
bytes of those `MemberKey` objects, in one bulk request. `close()` (also on error and cancel,
through the with-statement) forgets every token, key and password hash.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from app import __version__
from app.core.cancel import Cancelled, CancelToken
from app.core.closing import Closing
from app.core.http import build_client, read_body
from app.core.hygiene import harden_process
from app.core.redaction import install_log_redaction
from app.core.vault.crypto import (
    KdfParams,
    KdfType,
    derive_master_key,
    encrypt_text,
    encrypt_to_public_key,
    master_password_hash,
)
from app.core.vault.device import DEVICE_NAME, device_type
from app.core.vault.errors import (
    WEB_VAULT_HINT,
    CodeRequired,
    LoginFailed,
    ServerError,
    UnsupportedAccount,
    VaultError,
    WrongCode,
    WrongPassword,
)
from app.core.vault.fingerprint import fingerprint_phrase
from app.core.vault.keys import SymmetricKey, wipe
from app.core.vault.text import plain_text as clean_text
from app.core.vault.unlock import UnlockedAccount, field, unlock, unlock_material

log = logging.getLogger(__name__)

#: Sent as `Bitwarden-Client-Version`: the server refuses a token request without one, and v2
#: accounts need at least 2025.11.0 (reference §1).
CLIENT_VERSION = "2026.6.0"
#: The static public client the desktop apps use for the password grant.
CLIENT_ID = "desktop"
#: The "My items" collection name the web vault sends with a confirm (reference §5.4).
DEFAULT_COLLECTION_NAME = "My items"
#: Two-step providers this program can answer: 0 authenticator app, 1 e-mail.
AUTHENTICATOR, EMAIL = 0, 1
BODY_LIMIT = 16 * 1024 * 1024
ACCEPTED, CONFIRMED = 1, 2


@dataclass(frozen=True)
class MemberKey:
    """A member's public key exactly as fetched, with the phrase computed from those bytes."""

    member_id: str
    user_id: str
    email: str
    spki: bytes
    phrase: str


@dataclass(frozen=True)
class MemberOutcome:
    """One member's result: confirmed, already_confirmed, skipped, mismatch or failed."""

    member_id: str
    email: str
    result: str
    reason: str = ""
    fingerprint: str | None = None


class VaultSession(Closing):
    """A logged-in (then unlocked) admin session for one run; use it in a with-statement."""

    def __init__(
        self,
        identity_url: str,
        api_url: str,
        *,
        device_identifier: str,
        ca_file: Path | None = None,
        timeout: float = 30.0,
        cancel: CancelToken | None = None,
    ) -> None:
        harden_process()
        self._identity = identity_url.rstrip("/")
        self._api = api_url.rstrip("/")
        self._device = device_identifier
        self._cancel = cancel or CancelToken()
        self._http = build_client(
            timeout=timeout,
            ca_file=ca_file,
            cancel=self._cancel,
            targets=[self._identity, self._api],
        )
        self._token: dict[str, Any] | None = None
        self._access: SecretStr | None = None
        self._email: str | None = None
        self._master_key: bytearray | None = None
        self._password_hash: SecretStr | None = None
        self._account: UnlockedAccount | None = None
        self._org_keys: dict[str, SymmetricKey] = {}
        self._profile_cache: Any = None

    def __repr__(self) -> str:
        return f"VaultSession({self._api!r}, logged_in={self.logged_in})"

    @property
    def logged_in(self) -> bool:
        return self._access is not None

    @property
    def unlocked(self) -> bool:
        return self._account is not None

    # ------------------------------------------------------------ login

    def login_with_password(
        self,
        email: str,
        password: SecretStr,
        *,
        two_step_code: str | None = None,
        two_step_provider: int | None = None,
        new_device_code: str | None = None,
    ) -> None:
        """The password grant. Raises `CodeRequired` when the server asks for a code (call again
        with it), `WrongCode`, `WrongPassword`, `LoginFailed`, `UnsupportedAccount`."""
        self._email = email.strip()
        password_hash = self._hash_for(self._email, password)
        form = {
            "grant_type": "password",
            "username": self._email.lower(),
            "password": password_hash.get_secret_value(),
            "scope": "api offline_access",
            "client_id": CLIENT_ID,
        }
        if two_step_code is not None:
            form["twoFactorToken"] = two_step_code.strip().replace(" ", "")
            form["twoFactorProvider"] = str(
                AUTHENTICATOR if two_step_provider is None else two_step_provider
            )
            form["twoFactorRemember"] = "0"
        if new_device_code is not None:
            form["newDeviceOtp"] = new_device_code.strip().replace(" ", "")
        try:
            self._token_request(
                form, answering=two_step_code is not None or new_device_code is not None
            )
        except WrongPassword:
            # The hash is kept for the code round-trips of *this* password only: a retyped
            # password must be hashed afresh, not answered with the wrong one's hash again.
            self._forget_password_hash()
            raise

    def login_with_api_key(self, client_id: str, client_secret: SecretStr) -> None:
        """The personal API key (`user.<id>` + secret): no two-step, but unlocking still needs the
        master password."""
        if not client_id.strip().startswith("user."):
            raise LoginFailed(
                "A personal API key's client_id starts with 'user.' (Account settings → Security → "
                "Keys → View API key). An organization's API key cannot confirm members."
            )
        install_log_redaction(client_secret)
        form = {
            "grant_type": "client_credentials",
            "client_id": client_id.strip(),
            "client_secret": client_secret.get_secret_value().strip(),
            "scope": "api",
        }
        self._token_request(form, answering=False, api_key=True)

    def send_email_code(self, email: str, password: SecretStr) -> None:
        """Ask the server to e-mail a two-step code (also "send the code again")."""
        password_hash = self._hash_for(email.strip(), password)
        body = {
            "email": email.strip(),
            "masterPasswordHash": password_hash.get_secret_value(),
            "deviceIdentifier": self._device,
        }
        self._api_call("POST", f"{self._api}/two-factor/send-email-login", body, auth=False)

    def resend_new_device_code(self, email: str, password: SecretStr) -> None:
        """Ask the server to e-mail the new-device verification code again."""
        password_hash = self._hash_for(email.strip(), password)
        body = {"email": email.strip(), "masterPasswordHash": password_hash.get_secret_value()}
        self._api_call("POST", f"{self._api}/accounts/resend-new-device-otp", body, auth=False)

    # ------------------------------------------------------------ unlock

    def unlock(self, password: SecretStr) -> None:
        """Derive the keys locally; `WrongPassword` leaves the session logged in to try again."""
        if self._token is None:
            raise VaultError("Log in before unlocking.")
        self._cancel.raise_if_cancelled()
        salt = field(
            field(field(self._token, "UserDecryptionOptions"), "MasterPasswordUnlock"), "Salt"
        )
        if self._email is None and not salt:
            # An API-key login names no e-mail, and an older server no salt: the profile has it.
            self._email = str(field(self._profile(), "email") or "") or None
        material = unlock_material(self._token, self._email)
        account = unlock(password.get_secret_value(), material)
        if self._account is not None:
            self._account.wipe()
        self._account = account

    def organization_key(self, organization_id: str) -> SymmetricKey:
        """The organization's key, decrypted from the admin's profile."""
        org_id = organization_id.lower()
        if org_id in self._org_keys:
            return self._org_keys[org_id]
        if self._account is None:
            raise VaultError("Unlock before reading the organization key.")
        rows = field(self._profile(), "organizations") or []
        for row in rows:
            if str(field(row, "id")).lower() != org_id:
                continue
            if field(row, "keyConnectorEnabled") is True:
                raise UnsupportedAccount("This organization uses a key connector.")
            encrypted = field(row, "key")
            if field(row, "status") != CONFIRMED or not isinstance(encrypted, str):
                break
            if (
                field(row, "type") not in (0, 1)
                and field(field(row, "permissions"), "manageUsers") is not True
            ):
                raise LoginFailed(
                    "This account cannot manage the organization's members. Log in as an owner, "
                    "an admin, or a custom role with the Manage users permission."
                )
            key = self._account.organization_key(encrypted)
            self._org_keys[org_id] = key
            return key
        raise LoginFailed(
            "This account is not a confirmed member of the organization, so it has no key to "
            "share. "
            "Log in as one of the organization's owners or admins."
        )

    # ------------------------------------------------------------ members and keys

    def member_rows(self, organization_id: str) -> list[dict[str, Any]]:
        """The organization's members as the admin sees them (`id`, `userId`, `email`, `status`)."""
        answer = self._api_call("GET", f"{self._api}/organizations/{organization_id}/users")
        rows = field(answer, "data")
        if not isinstance(rows, list):
            raise ServerError("The server's member list has an unexpected shape.")
        return [row for row in rows if isinstance(row, Mapping)]  # type: ignore[misc]

    def member_keys(
        self, organization_id: str, rows: Sequence[Mapping[str, Any]]
    ) -> dict[str, MemberKey]:
        """Accepted members' public keys, fetched in one bulk request, keyed by member id.

        The user id comes from the member list (self-hosted EF databases answer an empty GUID in
        the bulk answer); a member missing from the answer is no longer accepted.
        """
        wanted = {str(field(row, "id")).lower(): row for row in rows}
        if not wanted:
            return {}
        answer = self._api_call(
            "POST",
            f"{self._api}/organizations/{organization_id}/users/public-keys",
            {"ids": list(wanted)},
        )
        keys: dict[str, MemberKey] = {}
        for entry in field(answer, "data") or []:
            member_id = str(field(entry, "id")).lower()
            row = wanted.get(member_id)
            encoded = field(entry, "key")
            user_id = field(row, "userId")
            if row is None or not isinstance(encoded, str) or not isinstance(user_id, str):
                continue
            try:
                spki = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                continue
            user_id = user_id.lower()
            email = clean_text(str(field(row, "email") or ""))
            keys[member_id] = MemberKey(
                member_id, user_id, email, spki, fingerprint_phrase(user_id, spki)
            )
        return keys

    # ------------------------------------------------------------ confirm

    def confirm(
        self,
        organization_id: str,
        approved: Sequence[MemberKey],
        *,
        collection_name: str = DEFAULT_COLLECTION_NAME,
    ) -> list[MemberOutcome]:
        """Encrypt the organization key to each approved key object and confirm them in one bulk
        request.

        Right before, the keys are read once more, only to compare: if any member's key changed
        since its phrase was verified, nothing is sent and each changed member is `mismatch`.
        """
        if not approved:
            return []
        org_key = self.organization_key(organization_id)
        rows = [
            {"id": key.member_id, "userId": key.user_id, "email": key.email} for key in approved
        ]
        current = self.member_keys(organization_id, rows)
        changed = [
            key
            for key in approved
            if key.member_id in current and current[key.member_id].spki != key.spki
        ]
        if changed:
            reason = (
                "This member's public key changed after its fingerprint phrase was shown. Nothing "
                "was "
                "confirmed. Check with the member and with your server's administrator."
            )
            return [
                MemberOutcome(
                    k.member_id,
                    k.email,
                    "mismatch" if k in changed else "skipped",
                    reason if k in changed else "Not confirmed: another member's key changed.",
                    k.phrase,
                )
                for k in approved
            ]
        outcomes: dict[str, MemberOutcome] = {}
        to_send = []
        for key in approved:
            if key.member_id not in current:
                outcomes[key.member_id] = MemberOutcome(
                    key.member_id,
                    key.email,
                    "skipped",
                    "This member is no longer waiting for confirmation (their status changed).",
                    key.phrase,
                )
            else:
                to_send.append(key)
        if to_send:
            material = org_key.material
            try:
                body = {
                    "keys": [
                        {"id": k.member_id, "key": encrypt_to_public_key(material, k.spki)}
                        for k in to_send
                    ],
                    "defaultUserCollectionName": encrypt_text(collection_name, org_key),
                }
            finally:
                wipe(material)
            self._cancel.raise_if_cancelled()
            try:
                answer = self._api_call(
                    "POST", f"{self._api}/organizations/{organization_id}/users/confirm", body
                )
            except ServerError as exc:
                raise ServerError(
                    f"{exc} The server may have confirmed some of the members before it failed: "
                    "refresh the member list; running the confirmation again confirms only those "
                    "still waiting."
                ) from None
            results = {
                str(field(e, "id")).lower(): field(e, "error") for e in field(answer, "data") or []
            }
            for key in to_send:
                error = results.get(key.member_id)
                if error is None:
                    outcomes[key.member_id] = MemberOutcome(
                        key.member_id,
                        key.email,
                        "skipped",
                        "The server did not confirm this member (no longer accepted?). Refresh "
                        "and check.",
                        key.phrase,
                    )
                elif error == "":
                    outcomes[key.member_id] = MemberOutcome(
                        key.member_id, key.email, "confirmed", "", key.phrase
                    )
                else:
                    outcomes[key.member_id] = MemberOutcome(
                        key.member_id, key.email, "failed", clean_text(str(error)), key.phrase
                    )
        return [outcomes[key.member_id] for key in approved]

    # ------------------------------------------------------------ end

    def close(self) -> None:
        """Forget every token, key and hash; close the connections. Safe to call twice."""
        for key in self._org_keys.values():
            key.wipe()
        self._org_keys.clear()
        if self._account is not None:
            self._account.wipe()
            self._account = None
        wipe(self._master_key)
        self._master_key = None
        self._password_hash = None
        self._token = None
        self._access = None
        self._profile_cache = None
        self._http.close()

    # ------------------------------------------------------------ internals

    def _profile(self) -> Any:
        if self._profile_cache is None:
            self._profile_cache = self._api_call("GET", f"{self._api}/accounts/profile")
        return self._profile_cache

    def _headers(self) -> dict[str, str]:
        return {
            "Bitwarden-Client-Name": "desktop",
            "Bitwarden-Client-Version": CLIENT_VERSION,
            "Device-Type": str(device_type()),
            "Accept": "application/json",
            "User-Agent": f"scim-setup-assistant/{__version__}",
        }

    def _forget_password_hash(self) -> None:
        wipe(self._master_key)
        self._master_key = None
        self._password_hash = None

    def _hash_for(self, email: str, password: SecretStr) -> SecretStr:
        """The master-password hash (prelogin + KDF once per run; kept for the code round-trips)."""
        if self._password_hash is not None and self._email == email:
            return self._password_hash
        install_log_redaction(password)
        prelogin = self._api_call(
            "POST", f"{self._identity}/accounts/prelogin/password", {"email": email}, auth=False
        )
        kind = field(prelogin, "kdf")
        if kind not in (0, 1):
            raise UnsupportedAccount(f"This account uses a key derivation ({kind}) unknown here.")
        kdf = KdfParams(
            KdfType(kind),
            int(field(prelogin, "kdfIterations") or 0),
            field(prelogin, "kdfMemory"),
            field(prelogin, "kdfParallelism"),
        )
        salt = field(prelogin, "salt") or email
        self._cancel.raise_if_cancelled()
        wipe(self._master_key)
        self._master_key = derive_master_key(password.get_secret_value(), salt, kdf)
        self._email = email
        self._password_hash = SecretStr(
            master_password_hash(self._master_key, password.get_secret_value())
        )
        install_log_redaction(self._password_hash)
        return self._password_hash

    def _token_request(
        self, form: dict[str, str], *, answering: bool, api_key: bool = False
    ) -> None:
        form = {
            **form,
            "deviceType": str(device_type()),
            "deviceIdentifier": self._device,
            "deviceName": DEVICE_NAME,
        }
        response = self._send(
            "POST",
            f"{self._identity}/connect/token",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        status, body = response
        if (
            status == 200
            and isinstance(body, Mapping)
            and isinstance(body.get("access_token"), str)
        ):
            self._token = dict(body)
            self._access = SecretStr(body["access_token"])
            install_log_redaction(self._access)
            return
        raise _token_error(status, body, answering=answering, api_key=api_key)

    def _api_call(self, method: str, url: str, body: object = None, *, auth: bool = True) -> Any:
        headers = {}
        if auth:
            if self._access is None:
                raise VaultError("Log in first.")
            headers["Authorization"] = f"Bearer {self._access.get_secret_value()}"
        status, answer = self._send(method, url, json_body=body, headers=headers)
        if 200 <= status < 300:
            return answer
        message = clean_text(
            str(field(answer, "message") or field(field(answer, "ErrorModel"), "Message") or "")
        )
        if status == 401:
            raise LoginFailed("The server ended the session (401). Start the confirmation again.")
        if status in (403, 404):
            raise LoginFailed(
                "The server refused this account access to the organization's members "
                f"({status}). Log in as an owner or admin with the Manage users permission."
            )
        if status == 429:
            raise ServerError("The server is limiting requests (429). Wait a minute and try again.")
        if status >= 500:
            raise ServerError(f"The Bitwarden server had an error ({status}). Try again later.")
        raise ServerError(
            f"The server refused the request ({status}): {message or 'no reason given'}."
        )

    def _send(
        self,
        method: str,
        url: str,
        *,
        json_body: object = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        self._cancel.raise_if_cancelled()
        all_headers = {**self._headers(), **(headers or {})}
        try:
            request = self._http.build_request(
                method,
                url,
                headers=all_headers,
                data=data,
                content=None if json_body is None else json.dumps(json_body).encode("utf-8"),
            )
            if json_body is not None:
                request.headers["Content-Type"] = "application/json; charset=utf-8"
            response = self._http.send(request, stream=True)
            try:
                raw = read_body(response, BODY_LIMIT, deadline=time.monotonic() + 120).data
            finally:
                response.close()
        except Cancelled:
            raise
        except httpx.HTTPError as exc:
            if self._cancel.cancelled:
                raise Cancelled() from None
            raise ServerError(
                f"Could not reach the Bitwarden server ({exc.__class__.__name__}). Check the "
                "address "
                "and your network, then try again."
            ) from None
        if not raw.strip():
            return response.status_code, None
        try:
            return response.status_code, json.loads(raw)
        except ValueError:
            if response.status_code >= 500:
                return response.status_code, None
            raise ServerError(
                f"The server's answer ({response.status_code}) is not JSON: is this a Bitwarden "
                "server?"
            ) from None


def _token_error(status: int, body: Any, *, answering: bool, api_key: bool) -> VaultError:
    """The plain-sentence error for a refused token request (reference §2.3)."""
    error = str(field(body, "error") or "")
    description = str(field(body, "error_description") or "")
    message = str(field(field(body, "ErrorModel"), "Message") or "")
    providers2 = field(body, "TwoFactorProviders2")
    if status >= 500:
        return ServerError(f"The Bitwarden server had an error ({status}). Try again later.")
    if status == 429:
        return ServerError("Too many login attempts (429). Wait a minute, then try again.")
    if isinstance(providers2, Mapping) and providers2:
        offered = tuple(sorted(int(p) for p in providers2 if str(p).isdigit()))
        usable = tuple(p for p in offered if p in (AUTHENTICATOR, EMAIL))
        if not usable:
            return UnsupportedAccount(
                "This account's two-step login method (Duo, a security key or YubiKey) needs a "
                "browser."
            )
        if answering:
            return WrongCode(
                "The two-step login code is not correct or has expired. Type the newest code.",
                kind="two_step",
                providers=usable,
            )
        return CodeRequired(
            "Bitwarden asks for a two-step login code.", kind="two_step", providers=usable
        )
    lowered = message.lower()
    if "invalid new device otp" in lowered or "invalid new device otp" in description.lower():
        return WrongCode(
            "The new-device verification code is not correct or has expired. Check your e-mail "
            "for the newest one.",
            kind="new_device",
        )
    if "new device verification required" in lowered:
        return CodeRequired(
            "Bitwarden sent a verification code to your e-mail because this computer is a new "
            "device for "
            "your account. Type it here.",
            kind="new_device",
        )
    if "two-step token is invalid" in lowered:
        return WrongCode("The two-step login code is not correct or has expired.", kind="two_step")
    if "legacy encryption" in lowered:
        return UnsupportedAccount("This account still uses a legacy encryption key.")
    if "sso authentication is required" in description.lower() or "sso" in error.lower():
        return LoginFailed(
            "Your organization requires single sign-on for password logins. Use your personal "
            "API key (Account settings → Security → Keys) instead."
        )
    if error in ("version_header_missing", "invalid_client_version"):
        return ServerError("The server refused this program's client version. " + WEB_VAULT_HINT)
    if api_key or error == "invalid_client":
        return LoginFailed(
            "The server refused the personal API key: it may have been rotated or mistyped. "
            "View it again in the web vault (Account settings → Security → Keys)."
        )
    if "username or password is incorrect" in lowered or error == "invalid_grant":
        return WrongPassword(
            "The e-mail address or master password is not correct. Type them again."
        )
    return LoginFailed(f"The server refused the login ({status}{': ' + error if error else ''}).")
