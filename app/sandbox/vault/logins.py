"""What the identity server checks beyond the password: two-step login, new-device verification,
the personal API key, and the account's KDF; plus the mailbox where the sandbox "sends" codes.

Faithful to bitwarden/server as the reference (bitwarden-native-confirm.md §2) describes it:

- Two-step (§2.3, §2.4): with providers enabled, a password grant without `twoFactorToken` is
  answered 400 with `TwoFactorProviders2`; the challenge regenerates the e-mail code without
  mailing it; `POST /api/two-factor/send-email-login` mails one (the same cache slot); a wrong
  token is "Two-step token is invalid. Try again."; codes are 6 digits and live 5 minutes.
  Authenticator codes are RFC 6238 TOTP (SHA-1, 30 s, 6 digits), one step of clock skew allowed.
- New device (§2.3, §2.4): only for the password grant, never when two-step is required; an
  unknown device identifier gets `device_error` "New device verification required" and the
  server mails the OTP; `newDeviceOtp` answers it; `POST /api/accounts/resend-new-device-otp`
  mails another and always answers 200.
- Personal API key (§2.1): `client_credentials`, `client_id=user.<id>`, scope `api`, no refresh
  token, no two-step, no new-device check.
- Argon2id (§3.1): the account's KDF switched by the control endpoint re-registers its keys.

The mailbox (`GET /_sandbox/mailbox`) is the sandbox's stand-in for the account holder's inbox.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import threading
import time
from dataclasses import dataclass, field

#: Two-step providers (TwoFactorProviderType.cs): 0 authenticator, 1 e-mail.
AUTHENTICATOR, EMAIL = 0, 1
CODE_LIFETIME = 300.0
TOTP_STEP = 30


def totp(secret: bytes, moment: float | None = None, step_offset: int = 0) -> str:
    """RFC 6238 TOTP, SHA-1, 30-second steps, 6 digits (what authenticator apps show)."""
    counter = int((time.time() if moment is None else moment) // TOTP_STEP) + step_offset
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def six_digits() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


@dataclass
class LoginSettings:
    """One account's login switches and pending codes (the server's user row and token cache)."""

    two_step: tuple[int, ...] = ()
    totp_secret: bytes = field(default_factory=lambda: secrets.token_bytes(20))
    new_device_verification: bool = False
    known_devices: set[str] = field(default_factory=set)
    #: purpose ("two_step" | "new_device") -> (code, expires at)
    codes: dict[str, tuple[str, float]] = field(default_factory=dict)
    #: What the sandbox "mailed" last, per purpose: what a test reads as the inbox.
    mailbox: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"LoginSettings(two_step={self.two_step}, new_device={self.new_device_verification})"

    @property
    def totp_secret_base32(self) -> str:
        return base64.b32encode(self.totp_secret).decode().rstrip("=")


class Logins:
    """Per-account `LoginSettings`, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings: dict[str, LoginSettings] = {}

    def settings(self, account_id: str) -> LoginSettings:
        with self._lock:
            found = self._settings.get(account_id)
            if found is None:
                found = self._settings[account_id] = LoginSettings()
            return found

    # ------------------------------------------------------------------ codes
    def new_code(self, account_id: str, purpose: str, *, mail: bool) -> str:
        """A fresh 6-digit code for `purpose`, replacing the pending one; `mail`: put it in the
        mailbox (the challenge itself regenerates without mailing, as the server's cache does)."""
        code = six_digits()
        with self._lock:
            settings = self._settings.setdefault(account_id, LoginSettings())
            settings.codes[purpose] = (code, time.monotonic() + CODE_LIFETIME)
            if mail:
                settings.mailbox[purpose] = code
        return code

    def code_matches(self, account_id: str, purpose: str, presented: str) -> bool:
        with self._lock:
            settings = self._settings.setdefault(account_id, LoginSettings())
            pending = settings.codes.get(purpose)
            if pending is None or pending[1] < time.monotonic():
                return False
            if hmac.compare_digest(pending[0].encode(), presented.strip().encode()):
                del settings.codes[purpose]  # one use
                return True
            return False

    def totp_matches(self, account_id: str, presented: str) -> bool:
        secret = self.settings(account_id).totp_secret
        given = presented.strip().encode()
        return any(
            hmac.compare_digest(totp(secret, step_offset=offset).encode(), given)
            for offset in (-1, 0, 1)
        )
