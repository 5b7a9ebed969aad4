"""An account's second factors and e-mailed codes, as the identity server keeps them.

- Authenticator (provider 0): RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) on a random secret; one
  step either side is accepted (Otp.NET's `RfcSpecifiedNetworkDelay` window).
- E-mail (provider 1): a 6-digit code that lives 5 minutes. Both the challenge and
  `send-email-login` generate it under the same cache key, but only the latter mails it, so a
  client that asks for a fresh challenge after the e-mail went out holds a dead code (reference
  2.4, "do not request a fresh challenge after sending the e-mail").
- New-device verification: a 6-digit one-time code mailed with the challenge, 5 minutes.

"Mailed" codes land in `inbox`, which the control endpoint `GET /_sandbox/vault/codes` reads,
as a person reads their mail.
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

AUTHENTICATOR = 0
EMAIL = 1
#: Provider names the settings endpoint takes, and their numbers (`TwoFactorProviderType`).
PROVIDERS = {"authenticator": AUTHENTICATOR, "email": EMAIL}
CODE_LIFETIME = 300.0
TOTP_STEP = 30


def totp(secret: bytes, at: float | None = None, offset: int = 0) -> str:
    """RFC 6238 with SHA-1 and 6 digits for the 30-second step `offset` steps from `at`."""
    counter = int((time.time() if at is None else at) // TOTP_STEP) + offset
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def _six_digits() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


@dataclass
class _Code:
    value: str
    expires_at: float

    def matches(self, presented: str) -> bool:
        return time.time() < self.expires_at and hmac.compare_digest(
            presented.strip().encode(), self.value.encode()
        )


@dataclass
class AccountFactors:
    """One account's enabled providers, authenticator secret, live codes and mailbox."""

    providers: tuple[int, ...] = ()
    authenticator_secret: bytes = field(default_factory=lambda: secrets.token_bytes(20))
    _email_code: _Code | None = None
    _device_code: _Code | None = None
    _sso_sessions: dict[str, float] = field(default_factory=dict)
    _remember: dict[str, float] = field(default_factory=dict)
    #: The last code of each kind that was e-mailed ("email", "new_device").
    inbox: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __repr__(self) -> str:
        return f"AccountFactors(providers={self.providers!r})"

    @property
    def authenticator_key(self) -> str:
        """The secret as an authenticator app is given it (base32, no padding)."""
        return base64.b32encode(self.authenticator_secret).decode().rstrip("=")

    def current_totp(self) -> str:
        return totp(self.authenticator_secret)

    def new_email_code(self, *, mail: bool) -> None:
        """The challenge (`mail=False`) and `send-email-login` (`mail=True`) both make a new one."""
        code = _six_digits()
        with self._lock:
            self._email_code = _Code(code, time.time() + CODE_LIFETIME)
            if mail:
                self.inbox["email"] = code

    def new_device_code(self) -> None:
        code = _six_digits()
        with self._lock:
            self._device_code = _Code(code, time.time() + CODE_LIFETIME)
            self.inbox["new_device"] = code

    def verify(self, provider: int, presented: str) -> bool:
        """Whether `presented` is a valid code of an enabled provider (an e-mail code is spent)."""
        if provider not in self.providers:
            return False
        if provider == AUTHENTICATOR:
            given = presented.strip().encode()
            return any(
                hmac.compare_digest(given, totp(self.authenticator_secret, offset=o).encode())
                for o in (-1, 0, 1)
            )
        with self._lock:
            code = self._email_code
            if code is not None and code.matches(presented):
                self._email_code = None
                return True
        return False

    def verify_device(self, presented: str) -> bool:
        with self._lock:
            code = self._device_code
            if code is not None and code.matches(presented):
                self._device_code = None
                return True
        return False

    def new_sso_session(self) -> str:
        """`SsoEmail2faSessionToken`: lets `send-email-login` mail the code without the hash."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._sso_sessions[token] = time.time() + CODE_LIFETIME
        return token

    def sso_session_valid(self, token: str) -> bool:
        with self._lock:
            return bool(token) and self._sso_sessions.get(token, 0.0) > time.time()

    def new_remember_token(self, lifetime: float) -> str:
        """The `TwoFactorToken` of a login made with `twoFactorRemember=1` (provider 5 later)."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._remember[token] = time.time() + lifetime
        return token

    def remember_valid(self, token: str) -> bool:
        with self._lock:
            return self._remember.get(token, 0.0) > time.time()
