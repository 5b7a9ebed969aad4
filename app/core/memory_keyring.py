"""An in-memory keyring backend: the demo's keyring, and the one unit and GUI tests use.

It is a real `keyring` backend, so the code under test runs the same calls it makes against the OS keyring,
but nothing leaves the process. The save page names it honestly ("in-memory keyring of the demo").
"""

from __future__ import annotations

import threading

from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """Secrets kept in a dict for the life of the process; forgotten on exit."""

    priority = 0  # never chosen by keyring's automatic selection, only when set explicitly

    #: A human name, as `app.core.secrets` shows it for the OS backends.
    display_name = "In-memory keyring (demo: forgotten when the program exits)"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        with self._lock:
            if (service, username) not in self._items:
                raise PasswordDeleteError("no such item")
            del self._items[(service, username)]

    def items(self) -> dict[tuple[str, str], str]:
        """A copy of everything stored (tests use it to prove where secrets went)."""
        with self._lock:
            return dict(self._items)
