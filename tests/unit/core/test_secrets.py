"""The secret store: the OS keyring only, typed errors with plain sentences, bounded calls."""

from __future__ import annotations

import threading

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.backends.chainer import ChainerBackend
from pydantic import SecretStr

from app.core.memory_keyring import MemoryKeyring
from app.core.secrets import (
    MAX_BLOB_BYTES,
    SERVICE,
    KeyringDenied,
    KeyringLocked,
    KeyringTimeout,
    KeyringUnavailable,
    ProfileSecrets,
    SecretsTooLarge,
    SecretStore,
    SecretStoreError,
)

KEY = "Zx9QwErTyUiOp1234AsDfGhJkL5678"
CLIENT_SECRET = "Cs7vB2nM4kL9pO1iU3yT6rE8wQ0aSd"
URL = "https://bw.example.com/scim/v2/0d9b6a3e-8f7c-4b1d-9a2e-3c4d5e6f7a8b"
CLIENT_ID = "organization.0d9b6a3e-8f7c-4b1d-9a2e-3c4d5e6f7a8b"


def _secrets(key: str = KEY, url: str = URL) -> ProfileSecrets:
    return ProfileSecrets(
        scim_url=url,
        scim_key=SecretStr(key),
        client_id=CLIENT_ID,
        client_secret=SecretStr(CLIENT_SECRET),
    )


def _make(backend_class: type[KeyringBackend]) -> KeyringBackend:
    return backend_class()


class PlaintextKeyring(KeyringBackend):
    """Stands in for keyrings.alt's PlaintextKeyring (not installed): same module and priority."""

    priority = 0.5

    def get_password(self, service: str, username: str) -> str | None:
        raise AssertionError("a plaintext keyring must never be read")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("a plaintext keyring must never be written")

    def delete_password(self, service: str, username: str) -> None:
        raise AssertionError("a plaintext keyring must never be touched")


PlaintextKeyring.__module__ = "keyrings.alt.file"


class FixedChainer(ChainerBackend):
    """keyring's chainer over a given list of backends (instead of every installed one)."""

    def __init__(self, members: list[KeyringBackend]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._members = members

    @property
    def backends(self) -> list[KeyringBackend]:
        return self._members


def test_round_trip_replace_and_delete(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()  # the process-wide keyring: the conftest's in-memory one
    assert store.load("acme") is None
    store.save("acme", _secrets())
    loaded = store.load("acme")
    assert loaded is not None
    assert loaded.scim_key.get_secret_value() == KEY
    assert loaded.client_secret is not None
    assert loaded.client_secret.get_secret_value() == CLIENT_SECRET
    assert loaded.client_id == CLIENT_ID
    assert loaded.scim_url == URL
    assert list(memory_keyring.items()) == [(SERVICE, "profile/acme")]

    rotated = "Ab1" * 10
    store.save("acme", ProfileSecrets(scim_url=URL, scim_key=SecretStr(rotated)))
    again = store.load("acme")
    assert again is not None
    assert again.scim_key.get_secret_value() == rotated
    assert again.client_secret is None  # replaced, not merged
    assert KEY not in str(memory_keyring.items())

    store.delete("acme")
    assert store.load("acme") is None
    assert memory_keyring.items() == {}
    store.delete("acme")  # deleting nothing is fine


def test_the_admin_s_personal_api_key_round_trips_only_when_saved(
    memory_keyring: MemoryKeyring,
) -> None:
    store = SecretStore()
    api_secret = "Zy9" * 10
    with_key = _secrets().model_copy(
        update={"admin_api_key_id": "user.abc", "admin_api_key_secret": SecretStr(api_secret)}
    )
    store.save("acme", with_key)
    loaded = store.load("acme")
    assert loaded is not None
    assert loaded.admin_api_key_id == "user.abc"
    assert loaded.admin_api_key_secret is not None
    assert loaded.admin_api_key_secret.get_secret_value() == api_secret
    assert api_secret not in repr(loaded)
    assert "admin_api_key" not in _secrets().to_blob()  # absent from the blob when unset


def test_secrets_never_in_repr_or_str() -> None:
    secrets = _secrets()
    for text in (repr(secrets), str(secrets), repr(SecretStore()), str(secrets.model_dump())):
        assert KEY not in text
        assert CLIENT_SECRET not in text


def test_info_names_the_memory_keyring() -> None:
    info = SecretStore(MemoryKeyring()).info()
    assert info.usable
    assert info.problem is None
    assert info.name == MemoryKeyring.display_name


def test_a_realistic_profile_fits_windows_credential_manager() -> None:
    # A long self-hosted URL behind a path prefix, with the longest host label DNS allows.
    host = f"{'h' * 63}.{'example' * 8}.com"
    url = f"https://{host}/some/reverse/proxy/prefix/bitwarden/scim/v2/{URL[-36:]}"
    blob = _secrets(url=url).to_blob()
    assert len(blob.encode("utf-16-le")) < MAX_BLOB_BYTES // 2
    backend = MemoryKeyring()
    SecretStore(backend).save("long", _secrets(url=url))
    assert backend.items()


def test_an_oversized_item_is_refused_before_writing() -> None:
    backend = MemoryKeyring()
    url = URL + "/" + "x" * 1200  # 1200+ UTF-16 characters: over 2560 bytes
    with pytest.raises(SecretsTooLarge) as caught:
        SecretStore(backend).save("huge", _secrets(url=url))
    assert "2560" in str(caught.value)
    assert backend.items() == {}


@pytest.mark.parametrize("backend_class", [fail.Keyring, null.Keyring, PlaintextKeyring])
def test_missing_or_insecure_backends_are_refused(backend_class: type[KeyringBackend]) -> None:
    store = SecretStore(_make(backend_class))
    info = store.info()
    assert not info.usable
    assert info.problem
    assert "keyring" in info.problem.lower()
    with pytest.raises(KeyringUnavailable) as caught:
        store.save("acme", _secrets())
    assert str(caught.value) == info.problem
    with pytest.raises(KeyringUnavailable):
        store.load("acme")


def test_plaintext_is_named_as_such() -> None:
    info = SecretStore(_make(PlaintextKeyring)).info()
    assert info.problem is not None
    assert "plain file" in info.problem
    assert "keyrings.alt" in info.name


def test_process_keyring_set_to_fail_is_refused() -> None:
    keyring.set_keyring(_make(fail.Keyring))  # the conftest restores its own afterwards
    with pytest.raises(KeyringUnavailable):
        SecretStore().save("acme", _secrets())


def test_a_chainer_uses_its_secure_member_and_never_the_plaintext_one() -> None:
    memory = MemoryKeyring()
    store = SecretStore(FixedChainer([_make(PlaintextKeyring), memory]))
    assert store.info().name == MemoryKeyring.display_name
    store.save("acme", _secrets())
    assert list(memory.items()) == [(SERVICE, "profile/acme")]


def test_a_chainer_with_nothing_usable_is_refused() -> None:
    store = SecretStore(FixedChainer([_make(PlaintextKeyring), _make(null.Keyring)]))
    info = store.info()
    assert not info.usable
    with pytest.raises(KeyringUnavailable):
        store.save("acme", _secrets())


def test_locked_keyring_raises_locked_with_what_to_do() -> None:
    backend = MemoryKeyring()
    backend.locked = True
    with pytest.raises(KeyringLocked) as caught:
        SecretStore(backend).save("acme", _secrets())
    assert "locked" in str(caught.value)
    assert "Unlock" in str(caught.value)
    with pytest.raises(KeyringLocked):
        SecretStore(backend).load("acme")


def test_denied_keyring_raises_denied() -> None:
    backend = MemoryKeyring()
    backend.denied = True
    with pytest.raises(KeyringDenied) as caught:
        SecretStore(backend).save("acme", _secrets())
    assert "refused" in str(caught.value)


def test_a_keyring_that_does_not_answer_times_out() -> None:
    backend = MemoryKeyring()
    backend.hold = threading.Event()
    store = SecretStore(backend, timeout=0.2)
    try:
        with pytest.raises(KeyringTimeout) as caught:
            store.save("acme", _secrets())
        assert "0.2 seconds" in str(caught.value)
        stuck = [t for t in threading.enumerate() if t.name.startswith("secret-service-save")]
        assert stuck, "the keyring call runs in a named daemon worker"
        assert all(t.daemon for t in stuck)
    finally:
        backend.hold.set()


def test_damaged_item_is_a_plain_error() -> None:
    backend = MemoryKeyring()
    backend.set_password(SERVICE, "profile/acme", "{not json")
    with pytest.raises(SecretStoreError) as caught:
        SecretStore(backend).load("acme")
    assert "Save the profile again" in str(caught.value)


def test_no_session_bus_means_unavailable() -> None:
    """The conftest points D-Bus at a path that does not exist: the Secret Service cannot answer."""
    from keyring.backends.SecretService import Keyring

    store = SecretStore(_make(Keyring))
    info = store.info()
    assert info.name == "GNOME Keyring (Secret Service)"
    assert not info.usable
    with pytest.raises(KeyringUnavailable) as caught:
        store.save("acme", _secrets())
    assert "not running" in str(caught.value)


# ---------------------------------------------------------------- the real Secret Service


@pytest.mark.secret_service
def test_round_trip_through_gnome_keyring(secret_service: KeyringBackend) -> None:
    store = SecretStore(secret_service)
    info = store.info()
    assert info.name == "GNOME Keyring (Secret Service)"
    assert info.usable
    assert not info.locked
    store.save("real", _secrets())
    loaded = store.load("real")
    assert loaded is not None
    assert loaded.scim_key.get_secret_value() == KEY
    store.save("real", ProfileSecrets(scim_url=URL, scim_key=SecretStr("Q" * 30)))
    replaced = store.load("real")
    assert replaced is not None
    assert replaced.scim_key.get_secret_value() == "Q" * 30
    assert replaced.client_secret is None
    store.delete("real")
    assert store.load("real") is None


@pytest.fixture
def locked_keyring(
    fresh_secret_service: tuple[KeyringBackend, object],
) -> KeyringBackend:
    import secretstorage

    backend, _service = fresh_secret_service
    SecretStore(backend).save("before-lock", _secrets())
    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        collection.lock()
        assert collection.is_locked()
    finally:
        connection.close()
    return backend


@pytest.mark.secret_service
def test_a_locked_gnome_keyring_gives_the_typed_error_within_the_timeout(
    locked_keyring: KeyringBackend,
) -> None:
    store = SecretStore(locked_keyring, timeout=10.0)
    info = store.info()
    assert info.usable
    assert info.locked
    assert info.problem is not None
    assert "locked" in info.problem
    # With no desktop to show the unlock prompt, GNOME Keyring dismisses it; either way the call
    # returns (locked or timed out) instead of hanging.
    with pytest.raises((KeyringLocked, KeyringTimeout)) as caught:
        store.load("before-lock")
    assert isinstance(caught.value, KeyringLocked), str(caught.value)
    with pytest.raises(KeyringLocked):
        store.save("after-lock", _secrets())
