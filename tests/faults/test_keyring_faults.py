"""A keyring that is locked, denies access, hangs, is missing or stores plaintext: saving or
loading a profile ends in the typed error with a plain sentence, within the store's timeout, and
leaves nothing half-done (no profile in the file without its secrets, no secret anywhere else)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from pydantic import SecretStr

from app.core.memory_keyring import MemoryKeyring
from app.core.profiles import Profile, ProfileStore
from app.core.secrets import (
    KeyringDenied,
    KeyringLocked,
    KeyringTimeout,
    KeyringUnavailable,
    ProfileSecrets,
    SecretStore,
    SecretStoreError,
)
from tests.faults.support import CLIENT_SECRET, ORG, SCIM_KEY

URL = f"https://bw.example.com/scim/v2/{ORG}"


def _secrets() -> ProfileSecrets:
    return ProfileSecrets(
        scim_url=URL,
        scim_key=SecretStr(SCIM_KEY),
        client_id=f"organization.{ORG}",
        client_secret=SecretStr(CLIENT_SECRET),
    )


def _profile(name: str = "prod") -> Profile:
    return Profile(name=name, deployment="self_hosted", server_url="https://bw.example.com")


def _store(tmp_path: Path, backend: KeyringBackend, timeout: float = 5.0) -> ProfileStore:
    return ProfileStore(config_dir=tmp_path / "config", secrets=SecretStore(backend, timeout))


def _assert_plain(error: SecretStoreError, *words: str) -> None:
    text = str(error)
    assert text.endswith("."), text
    for secret in (SCIM_KEY, CLIENT_SECRET):
        assert secret not in text
        assert secret not in repr(error)
    for word in words:
        assert word in text.lower(), text


def _files_hold_no_secret(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SCIM_KEY.encode() not in data, path
            assert CLIENT_SECRET.encode() not in data, path


@pytest.fixture
def hold() -> Iterator[threading.Event]:
    """An event a hanging keyring waits on; set at teardown so its worker thread ends."""
    event = threading.Event()
    yield event
    event.set()


@pytest.mark.timeout(30)
def test_locked_keyring_on_save_leaves_no_profile(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    backend.locked = True
    store = _store(tmp_path, backend)
    with pytest.raises(KeyringLocked) as caught:
        store.save(_profile(), _secrets())
    _assert_plain(caught.value, "locked", "unlock")
    assert store.list() == []
    assert backend.items() == {}
    _files_hold_no_secret(tmp_path)


@pytest.mark.timeout(30)
def test_locked_keyring_on_load_keeps_the_profile(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = _store(tmp_path, backend)
    store.save(_profile(), _secrets())
    backend.locked = True
    with pytest.raises(KeyringLocked):
        store.secrets.load("prod")
    backend.locked = False
    loaded = store.secrets.load("prod")  # nothing was lost while it was locked
    assert loaded is not None
    assert loaded.scim_key.get_secret_value() == SCIM_KEY
    assert [p.name for p in store.list()] == ["prod"]


@pytest.mark.timeout(30)
def test_denied_keyring_on_save_leaves_no_profile(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    backend.denied = True
    store = _store(tmp_path, backend)
    with pytest.raises(KeyringDenied) as caught:
        store.save(_profile(), _secrets())
    _assert_plain(caught.value, "refused", "allow")
    assert store.list() == []
    _files_hold_no_secret(tmp_path)


@pytest.mark.timeout(30)
def test_denied_keyring_on_delete_keeps_the_profile(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = _store(tmp_path, backend)
    store.save(_profile(), _secrets())
    backend.denied = True
    with pytest.raises(KeyringDenied):
        store.delete("prod")
    # The secrets could not be removed, so the profile stays listed: nothing is orphaned unseen.
    assert [p.name for p in store.list()] == ["prod"]
    assert len(backend.items()) == 1


@pytest.mark.timeout(30)
def test_hanging_keyring_times_out(tmp_path: Path, hold: threading.Event) -> None:
    backend = MemoryKeyring()
    backend.hold = hold
    store = _store(tmp_path, backend, timeout=0.5)
    with pytest.raises(KeyringTimeout) as caught:
        store.save(_profile(), _secrets())
    _assert_plain(caught.value, "did not answer", "0.5 seconds")
    assert store.list() == []
    with pytest.raises(KeyringTimeout):
        store.secrets.load("prod")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("backend_class", [fail.Keyring, null.Keyring], ids=["missing", "null"])
def test_missing_keyring_refuses_to_save(
    backend_class: type[KeyringBackend], tmp_path: Path
) -> None:
    store = _store(tmp_path, backend_class())
    info = store.secrets.info()
    assert not info.usable
    assert info.problem
    with pytest.raises(KeyringUnavailable) as caught:
        store.save(_profile(), _secrets())
    _assert_plain(caught.value, "keyring")
    assert store.list() == []
    _files_hold_no_secret(tmp_path)


class _PlaintextFileKeyring(KeyringBackend):
    """Stands in for keyrings.alt's PlaintextKeyring (same module name): writes a plain file."""

    __module__ = "keyrings.alt.file"
    priority = 1

    def __init__(self, path: Path) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.path = path

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.path.write_text(password)

    def delete_password(self, service: str, username: str) -> None:
        self.path.unlink()


@pytest.mark.timeout(30)
def test_plaintext_keyring_is_refused(tmp_path: Path) -> None:
    plain = _PlaintextFileKeyring(tmp_path / "keyring_pass.cfg")
    store = _store(tmp_path, plain)
    with pytest.raises(KeyringUnavailable) as caught:
        store.save(_profile(), _secrets())
    _assert_plain(caught.value, "plain file")
    assert not plain.path.exists()
    assert store.list() == []
    _files_hold_no_secret(tmp_path)


@pytest.mark.timeout(30)
def test_damaged_keyring_item_is_a_plain_error(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    backend.set_password("scim-assistant", "profile/prod", '{"scim_key": ' + '"x' * 50)
    with pytest.raises(SecretStoreError) as caught:
        SecretStore(backend).load("prod")
    _assert_plain(caught.value, "cannot be read")


@pytest.mark.secret_service
@pytest.mark.timeout(60)
def test_a_locked_gnome_keyring_leaves_no_profile(
    fresh_secret_service: tuple[KeyringBackend, object], tmp_path: Path
) -> None:
    import secretstorage

    backend, _service = fresh_secret_service
    store = _store(tmp_path, backend, timeout=10.0)
    store.save(_profile("before"), _secrets())
    connection = secretstorage.dbus_init()
    try:
        secretstorage.get_default_collection(connection).lock()
    finally:
        connection.close()
    with pytest.raises((KeyringLocked, KeyringTimeout)) as caught:
        store.save(_profile("after"), _secrets())
    _assert_plain(caught.value)
    assert [p.name for p in store.list()] == ["before"]
    _files_hold_no_secret(tmp_path)
