"""The profiles' secrets in the OS keyring, and nowhere else.

One keyring item per profile (service `scim-assistant`, user `profile/<name>`) holds a small JSON
object with the SCIM URL, the SCIM key and the Public API client id and secret, so that saving a
profile replaces all of them at once. The item stays far below Windows Credential Manager's limit of
2560 bytes per blob (stored as UTF-16); a larger one is refused before anything is written.

A keyring that is missing (keyring's `fail`), discards secrets (`null`), writes them to a plain file
(`keyrings.alt`) or is a chainer with nothing secure in it is *not usable*: the store refuses to
save and says why. It never falls back to plaintext (a chainer is replaced by its first secure
member). Every keyring call runs in a daemon worker thread named `secret-service-…` and is abandoned
after `timeout` seconds: a Secret Service waiting on an unlock prompt, or a D-Bus that never
answers, must not freeze the GUI or a command.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import keyring
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyring.errors import (
    InitError,
    NoKeyringError,
    PasswordDeleteError,
    PasswordSetError,
)
from keyring.errors import KeyringLocked as _KeyringLibLocked
from pydantic import BaseModel, ConfigDict, SecretStr

from app.core import messages as msg
from app.core.redaction import install_log_redaction

#: The keyring service name of every item this program stores.
SERVICE = "scim-assistant"

#: Windows Credential Manager's CRED_MAX_CREDENTIAL_BLOB_SIZE; keyring stores the text as UTF-16-LE.
MAX_BLOB_BYTES = 2560

_T = TypeVar("_T")


class SecretStoreError(Exception):
    """A keyring problem; `str()` is a plain sentence that says what to do."""


class KeyringUnavailable(SecretStoreError):  # noqa: N818 - the contract's name (docs/core-api.md)
    """No secure keyring: missing, plaintext or discarding everything."""


class KeyringLocked(SecretStoreError):  # noqa: N818 - the contract's name
    """The keyring is locked and was not unlocked."""


class KeyringDenied(SecretStoreError):  # noqa: N818 - the contract's name
    """The keyring refused this program access."""


class KeyringTimeout(SecretStoreError):  # noqa: N818 - the contract's name
    """The keyring did not answer in time (a hung D-Bus call or an unanswered unlock prompt)."""


class SecretsTooLarge(SecretStoreError):  # noqa: N818 - reads as what happened
    """The item would exceed Windows Credential Manager's blob limit."""


class KeyringInfo(BaseModel):
    """What the save page and `profile list` show about where secrets go."""

    model_config = ConfigDict(frozen=True)

    name: str
    usable: bool
    problem: str | None = None
    #: Locked right now: saving will ask to unlock it, or fail where no prompt can show.
    locked: bool = False


class ProfileSecrets(BaseModel):
    """Everything about a profile that lives only in the keyring."""

    model_config = ConfigDict(frozen=True)

    scim_url: str
    scim_key: SecretStr
    client_id: str | None = None
    client_secret: SecretStr | None = None
    #: The optional Okta side: the org URL and either an `SSWS` API token or an OAuth 2.0
    #: service app (client id, private key in its compact form, optional key id).
    okta_url: str | None = None
    okta_token: SecretStr | None = None
    okta_client_id: str | None = None
    okta_private_key: SecretStr | None = None
    okta_key_id: str | None = None
    #: The admin's personal API key (`user.…` + secret), saved only when the admin ticks
    #: "remember" in the confirm dialog: it logs in without a two-step code.
    admin_api_key_id: str | None = None
    admin_api_key_secret: SecretStr | None = None

    def model_post_init(self, context: Any, /) -> None:
        # Secrets read from or saved to the keyring are masked in every log record from then on,
        # in the GUI as in the command line.
        install_log_redaction(
            self.scim_key,
            self.client_secret,
            self.okta_token,
            self.okta_private_key,
            self.admin_api_key_secret,
        )
        if self.okta_token is not None and self.okta_private_key is not None:
            raise ValueError("an Okta API token or a service app, not both")

    def to_blob(self) -> str:
        """The JSON text stored as the keyring item (the only place secret values are revealed)."""
        return json.dumps(
            {
                "v": 1,
                "scim_url": self.scim_url,
                "scim_key": self.scim_key.get_secret_value(),
                "client_id": self.client_id,
                "client_secret": (
                    self.client_secret.get_secret_value() if self.client_secret else None
                ),
                **(
                    {
                        "okta_url": self.okta_url,
                        "okta_token": self.okta_token.get_secret_value(),
                    }
                    if self.okta_token is not None
                    else {}
                ),
                **(
                    {
                        "okta_url": self.okta_url,
                        "okta_client_id": self.okta_client_id,
                        "okta_private_key": self.okta_private_key.get_secret_value(),
                        "okta_key_id": self.okta_key_id,
                    }
                    if self.okta_private_key is not None
                    else {}
                ),
                **(
                    {
                        "admin_api_key_id": self.admin_api_key_id,
                        "admin_api_key_secret": self.admin_api_key_secret.get_secret_value(),
                    }
                    if self.admin_api_key_secret is not None
                    else {}
                ),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_blob(cls, blob: str) -> ProfileSecrets:
        data = json.loads(blob)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        data.pop("v", None)
        return cls.model_validate(data)


# ---------------------------------------------------------------- backend classification
_HUMAN_NAMES = {
    "keyring.backends.SecretService.Keyring": "GNOME Keyring (Secret Service)",
    "keyring.backends.libsecret.Keyring": "GNOME Keyring (Secret Service)",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KWallet",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
}
_SECRET_SERVICE_CLASSES = {
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.libsecret.Keyring",
}


def _qualname(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__name__}"


def backend_name(backend: KeyringBackend) -> str:
    """A human name for a keyring backend."""
    display = getattr(backend, "display_name", None)
    if isinstance(display, str):
        return display
    known = _HUMAN_NAMES.get(_qualname(backend))
    if known:
        return known
    module = type(backend).__module__
    if module.startswith("keyring.backends.fail"):
        return "no keyring"
    if module.startswith("keyring.backends.null"):
        return "the null keyring"
    if module.startswith("keyrings.alt"):
        return f"{type(backend).__name__} (keyrings.alt)"
    return type(backend).__name__


def _insecurity(backend: KeyringBackend) -> str | None:
    """Why this backend must not hold secrets, or None when it may."""
    module = type(backend).__module__
    if module.startswith("keyring.backends.fail"):
        return "missing"
    if module.startswith("keyring.backends.null"):
        return "discard"
    if module.startswith("keyrings.alt"):
        return "plaintext"
    if getattr(backend, "display_name", None) is not None:
        return None  # our own MemoryKeyring, chosen explicitly (demo and tests)
    if _qualname(backend) in _HUMAN_NAMES:
        return None
    try:
        recommended = float(backend.priority) >= 1
    except Exception:  # a backend's priority raises when it is not viable here
        return "missing"
    return None if recommended else "plaintext"


def _chain_members(backend: KeyringBackend) -> list[KeyringBackend] | None:
    if isinstance(backend, ChainerBackend):
        return list(backend.backends)
    return None


class _Resolved:
    """The backend actually used: a chainer is replaced by its first secure member."""

    def __init__(self, backend: KeyringBackend | None, name: str, problem: str | None) -> None:
        self.backend = backend
        self.name = name
        self.problem = problem


def _resolve(backend: KeyringBackend) -> _Resolved:
    members = _chain_members(backend)
    if members is not None:
        for member in members:
            if _insecurity(member) is None:
                return _Resolved(member, backend_name(member), None)
        names = ", ".join(backend_name(m) for m in members) or "none"
        return _Resolved(
            None,
            "no keyring",
            msg.KEYRING_UNAVAILABLE.format(detail=f"only these were found: {names}"),
        )
    why = _insecurity(backend)
    name = backend_name(backend)
    if why is None:
        return _Resolved(backend, name, None)
    if why == "missing":
        return _Resolved(
            None, name, msg.KEYRING_UNAVAILABLE.format(detail="no keyring service answered")
        )
    how = "nowhere (they would be lost)" if why == "discard" else "in a plain file"
    return _Resolved(None, name, msg.KEYRING_INSECURE.format(name=name, how=how))


# ---------------------------------------------------------------- the store
class SecretStore:
    """Profiles' secrets in the OS keyring, every call bounded by `timeout` seconds."""

    def __init__(
        self,
        backend: KeyringBackend | None = None,
        timeout: float = 10.0,
        *,
        service: str = SERVICE,
    ) -> None:
        self._explicit = backend
        self._timeout = timeout
        self._service = service
        self._resolved: _Resolved | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SecretStore(service={self._service!r}, timeout={self._timeout!r})"

    # -- public API
    def info(self) -> KeyringInfo:
        """Where secrets would go, and whether that is possible. Never raises."""
        try:
            resolved = self._backend_resolved()
        except SecretStoreError as exc:
            return KeyringInfo(name="unknown", usable=False, problem=str(exc))
        if resolved.backend is None:
            return KeyringInfo(name=resolved.name, usable=False, problem=resolved.problem)
        if _qualname(resolved.backend) not in _SECRET_SERVICE_CLASSES:
            return KeyringInfo(name=resolved.name, usable=True)
        backend = resolved.backend
        try:
            locked = self._bounded("probe", lambda: _secret_service_locked(backend))
        except SecretStoreError as exc:
            return KeyringInfo(name=resolved.name, usable=False, problem=str(exc))
        if locked:
            return KeyringInfo(
                name=resolved.name,
                usable=True,
                locked=True,
                problem=msg.KEYRING_LOCKED.format(name=resolved.name),
            )
        return KeyringInfo(name=resolved.name, usable=True)

    def save(self, profile: str, secrets: ProfileSecrets) -> None:
        """Store (or replace) the profile's secrets."""
        blob = secrets.to_blob()
        size = len(blob.encode("utf-16-le"))
        if size > MAX_BLOB_BYTES:
            raise SecretsTooLarge(msg.KEYRING_TOO_LARGE.format(size=size, limit=MAX_BLOB_BYTES))
        backend = self._usable_backend()
        username = _username(profile)
        self._bounded("save", lambda: backend.set_password(self._service, username, blob))

    def load(self, profile: str) -> ProfileSecrets | None:
        """The profile's secrets, or None when none are saved."""
        backend = self._usable_backend()
        username = _username(profile)
        blob = self._bounded("load", lambda: backend.get_password(self._service, username))
        if blob is None:
            return None
        try:
            return ProfileSecrets.from_blob(str(blob))
        except ValueError:  # json and pydantic errors both derive from ValueError
            raise SecretStoreError(msg.KEYRING_DAMAGED.format(profile=profile)) from None

    def delete(self, profile: str) -> None:
        """Remove the profile's secrets (nothing happens when there are none)."""
        backend = self._usable_backend()
        username = _username(profile)

        def remove() -> None:
            if backend.get_password(self._service, username) is None:
                return
            backend.delete_password(self._service, username)

        self._bounded("delete", remove)

    # -- internals
    def _backend_resolved(self) -> _Resolved:
        with self._lock:
            if self._resolved is None:
                explicit = self._explicit
                backend = explicit or self._bounded("detect", keyring.get_keyring)
                self._resolved = self._bounded("detect", lambda: _resolve(backend))
            return self._resolved

    def _usable_backend(self) -> KeyringBackend:
        resolved = self._backend_resolved()
        if resolved.backend is None:
            raise KeyringUnavailable(
                resolved.problem or msg.KEYRING_UNAVAILABLE.format(detail="unknown")
            )
        return resolved.backend

    def _name(self) -> str:
        resolved = self._resolved
        return resolved.name if resolved else "the keyring"

    def _bounded(self, what: str, call: Callable[[], _T]) -> _T:
        """Run `call` in a daemon thread; give up after the timeout; translate keyring errors."""
        outcome: list[tuple[bool, Any]] = []
        done = threading.Event()

        def work() -> None:
            try:
                outcome.append((True, call()))
            except BaseException as exc:  # handed to the caller's thread below
                outcome.append((False, exc))
            finally:
                done.set()

        worker = threading.Thread(target=work, name=f"secret-service-{what}", daemon=True)
        worker.start()
        if not done.wait(self._timeout):
            raise KeyringTimeout(
                msg.KEYRING_TIMEOUT.format(name=self._name(), seconds=self._timeout)
            )
        ok, value = outcome[0]
        if ok:
            return value  # type: ignore[no-any-return]
        raise _translate(value, self._name()) from value


def _username(profile: str) -> str:
    return f"profile/{profile}"


def _translate(exc: BaseException, name: str) -> SecretStoreError:
    """Map keyring, secretstorage and D-Bus errors to the typed errors with plain sentences."""
    if isinstance(exc, SecretStoreError):
        return exc
    cls = type(exc).__name__
    module = type(exc).__module__
    if isinstance(exc, _KeyringLibLocked) or cls in {"LockedException", "PromptDismissedException"}:
        return KeyringLocked(msg.KEYRING_LOCKED.format(name=name))
    if isinstance(exc, (PasswordSetError, PasswordDeleteError)):
        return KeyringDenied(msg.KEYRING_DENIED.format(name=name))
    if module.startswith("jeepney") and "AccessDenied" in str(getattr(exc, "name", "")):
        return KeyringDenied(msg.KEYRING_DENIED.format(name=name))
    if isinstance(exc, (NoKeyringError, InitError, OSError)) or cls.endswith(
        "NotAvailableException"
    ):
        return KeyringUnavailable(msg.KEYRING_UNAVAILABLE.format(detail=f"{name} is not running"))
    return KeyringUnavailable(msg.KEYRING_UNAVAILABLE.format(detail=f"{name} failed: {cls}"))


def _secret_service_locked(backend: KeyringBackend) -> bool:
    """Whether the Secret Service collection is locked (asked without an unlock prompt)."""
    from contextlib import closing

    import secretstorage

    with closing(secretstorage.dbus_init()) as connection:
        path = getattr(backend, "preferred_collection", secretstorage.collection.DEFAULT_COLLECTION)
        try:
            collection = secretstorage.Collection(connection, path)
        except secretstorage.exceptions.ItemNotFoundException:
            return False  # no default collection yet: the first save creates it
        return bool(collection.is_locked())
