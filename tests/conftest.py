"""Fixtures shared by every test.

Every test runs with a throwaway HOME and XDG dirs and an in-memory keyring, so no test can touch
the developer's own keyring, profiles or settings. Tests of the real Secret Service use the
`secret_service` fixture (tests/fixtures/secret_service.py), which starts a private D-Bus session
and GNOME Keyring.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from app.core import public_api
from app.core.memory_keyring import MemoryKeyring

# Tests never open windows on the developer's screen (and work without one): Qt renders offscreen
# unless the caller chose a platform. Set before anything creates the QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: Threads whose names start with one of these belong to session-wide fixtures (the sandbox servers)
#: or are process-wide by design (okta_check's one deadline thread, started on first use).
_LONG_LIVED_THREAD_PREFIXES = (
    "sandbox",
    "secret-service",
    "pydevd",
    "asyncio",
    "ThreadPoolExecutor",
    "okta-check-deadlines",
)


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A throwaway HOME and XDG dirs: config, data and cache land there, never in the real ones."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_RUNTIME_DIR", "run"),
    ):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    os.chmod(home / "run", 0o700)
    # The desktop's session bus must never be reached from a test: a keyring call would hit the real
    # login keyring. Tests of the real Secret Service set their own private bus address.
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/scim-assistant-tests")
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets a fresh in-memory keyring as the process-wide `keyring` backend."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def fresh_token_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with the Public API sign-in pacing and tokens of a fresh process.

    The pacer counts sign-ins per token URL for the whole process. Loopback test servers get a
    random port, and the kernel hands a port out again soon after, so without this a test could
    inherit another test's sign-ins within the same minute and be refused (a CI failure we saw).
    """
    monkeypatch.setattr(
        public_api, "_PACER", public_api._TokenPacer(public_api.TOKEN_REQUESTS_PER_MINUTE)
    )
    # The same for the tokens shared by the process's clients: a test whose server got an
    # earlier test's port (and the same test API key) was handed that test's token, and its
    # server saw no sign-in at all (test_the_token_request_is_bitwarden_s, seen in CI).
    monkeypatch.setattr(public_api, "_TOKENS", public_api._TokenCache())


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail a test that leaves a Python thread running (napari does the same for Qt threads)."""
    before = set(threading.enumerate())
    yield
    leaked: list[threading.Thread] = []
    for thread in set(threading.enumerate()) - before:
        if thread.name.startswith(_LONG_LIVED_THREAD_PREFIXES) or not thread.is_alive():
            continue
        if isinstance(thread, threading._DummyThread):
            # A Qt thread (QThreadPool) that ran Python; tests/gui/conftest.py checks those.
            continue
        thread.join(timeout=2.0)
        if thread.is_alive():
            leaked.append(thread)
    assert not leaked, f"test left threads running: {[t.name for t in leaked]}"


# Fixture plugins, one module per area, so that work on one area does not edit this file.
pytest_plugins = [
    "tests.fixtures.sandbox",  # `sandbox`: an in-process sandbox server on port 0
    "tests.fixtures.secret_service",  # `secret_service`: a private D-Bus session and GNOME Keyring
    "tests.fixtures.hostile_server",  # `hostile_server`: a loopback server misbehaving on demand
    "tests.fixtures.bw_cli",  # `bw_cli`: the official Bitwarden CLI installed into a cache folder
]
