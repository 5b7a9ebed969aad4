"""An in-memory keyring backend: the demo's keyring, and the one unit and GUI tests use.

It is a real `keyring` backend, so the code under test runs the same calls it makes against the OS
keyring, but nothing leaves the process. The save page names it honestly ("in-memory keyring of the
demo").
"""

from __future__ import annotations

import threading

from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """Secrets kept in a dict for the life of the process; forgotten on exit."""

    priority = 0  # never chosen by keyring's automatic selection, only when set explicitly

    #: A human name, as `app.core.secrets` shows it for the OS backends.
    display_name = "In-memory keyring — demo only, forgotten when the program exits"

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._lock = threading.Lock()
        self._items: dict[tuple[str, str], str] = {}
        #: Simulations for tests and the demo: a locked keyring (every call raises keyring's
        #: KeyringLocked, as the Secret Service backend does when the unlock prompt is dismissed), a
        #: keyring that refuses writes, and a keyring that does not answer until `hold` is set.
        self.locked = False
        self.denied = False
        self.hold: threading.Event | None = None

    def _simulate(self, writing: bool) -> None:
        from keyring.errors import KeyringLocked, PasswordSetError

        if self.hold is not None:
            self.hold.wait()
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")
        if writing and self.denied:
            raise PasswordSetError("access denied")

    def get_password(self, service: str, username: str) -> str | None:
        self._simulate(writing=False)
        with self._lock:
            return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._simulate(writing=True)
        with self._lock:
            self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        self._simulate(writing=True)
        with self._lock:
            if (service, username) not in self._items:
                raise PasswordDeleteError("no such item")
            del self._items[(service, username)]

    def items(self) -> dict[tuple[str, str], str]:
        """A copy of everything stored (tests use it to prove where secrets went)."""
        with self._lock:
            return dict(self._items)
