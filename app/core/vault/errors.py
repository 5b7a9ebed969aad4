"""The native client's errors: one hierarchy, each `str()` a plain sentence with what to do."""

from __future__ import annotations

from app.core.errors import ClientError

WEB_VAULT_HINT = "Confirm the members in the Bitwarden web vault (Admin Console → Members) instead."


class VaultError(ClientError):
    """Anything that stops a native confirmation run; `str()` is for the user, without secrets."""


class UnsupportedAccount(VaultError):  # noqa: N818 - a refusal, not a fault
    """An account this client cannot unlock or does not implement (never guessed at)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} This program cannot unlock it. {WEB_VAULT_HINT}")


class CryptoError(VaultError):
    """A key or EncString that does not decrypt or parse (a wrong password, corrupted data)."""


class LoginFailed(VaultError):  # noqa: N818 - reads as the event
    """The server refused the login (wrong password, expired API key, ...)."""


class WrongPassword(LoginFailed):
    """The master password is wrong: the caller may ask again."""


class CodeRequired(VaultError):  # noqa: N818 - a question, not a fault
    """The server asks for a code before it logs in (two-step login or new-device verification)."""

    def __init__(self, message: str, *, kind: str, providers: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        #: "two_step" or "new_device".
        self.kind = kind
        #: For two-step: the providers this client can answer (0 authenticator, 1 email).
        self.providers = providers


class WrongCode(CodeRequired):
    """The code was wrong or expired; the caller may ask for another."""


class ServerError(VaultError):
    """The server answered in a way that stops the run (5xx, unexpected shape, network error)."""
