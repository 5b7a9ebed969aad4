"""Profiles: the non-secret file in the config dir, secrets in the keyring, deletion of both."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from pydantic import SecretStr

from app.core.endpoints import Deployment
from app.core.history import History
from app.core.memory_keyring import MemoryKeyring
from app.core.profiles import Profile, ProfileError, ProfileStore, SetupStep, default_config_dir
from app.core.public_api import Member, MemberStatus, MemberType
from app.core.secrets import KeyringLocked, ProfileSecrets, SecretStore

ORG = "0d9b6a3e-8f7c-4b1d-9a2e-3c4d5e6f7a8b"
URL = f"https://bw.example.com/scim/v2/{ORG}"
KEY = "Zx9QwErTyUiOp1234AsDfGhJkL5678"
CLIENT_SECRET = "Cs7vB2nM4kL9pO1iU3yT6rE8wQ0aSd"


def _profile(name: str = "Acme", step: SetupStep = SetupStep.TEST) -> Profile:
    return Profile(
        name=name,
        deployment=Deployment.SELF_HOSTED,
        server_url="https://bw.example.com",
        organization_id=ORG,
        setup_step=step,
    )


def _secrets(key: str = KEY) -> ProfileSecrets:
    return ProfileSecrets(
        scim_url=URL,
        scim_key=SecretStr(key),
        client_id=f"organization.{ORG}",
        client_secret=SecretStr(CLIENT_SECRET),
    )


def _files_mention(root: Path, *needles: str) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path}: {n[:4]}…" for n in needles if n.encode() in data]
    return hits


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(
        tmp_path / "config",
        SecretStore(MemoryKeyring()),
        history=History(tmp_path / "data" / "history.sqlite3"),
    )


def test_default_location_is_the_user_config_dir() -> None:
    store = ProfileStore()
    assert store.config_dir == default_config_dir()
    assert store.config_dir.is_relative_to(Path(os.environ["XDG_CONFIG_HOME"]))


def test_save_and_read_back_with_secrets_only_in_the_keyring(
    store: ProfileStore, tmp_path: Path
) -> None:
    saved = store.save(_profile(), _secrets())
    assert saved.has_public_api
    assert store.get("Acme") == saved
    assert [p.name for p in store.list()] == ["Acme"]
    assert store.last_used() == saved
    loaded = store.secrets.load("Acme")
    assert loaded is not None
    assert loaded.scim_key.get_secret_value() == KEY

    assert store.path.exists()
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert [p.name for p in store.config_dir.iterdir()] == ["profiles.json"]  # no temp files left
    assert _files_mention(tmp_path, KEY, CLIENT_SECRET) == []


def test_updating_replaces_the_secrets_and_keeps_created(store: ProfileStore) -> None:
    first = store.save(_profile(), _secrets())
    rotated = "Rt" * 15
    second = store.save(_profile(), ProfileSecrets(scim_url=URL, scim_key=SecretStr(rotated)))
    assert second.created == first.created
    assert second.updated >= first.updated
    assert not second.has_public_api
    loaded = store.secrets.load("Acme")
    assert loaded is not None
    assert loaded.scim_key.get_secret_value() == rotated
    assert loaded.client_secret is None


def test_delete_removes_secrets_and_history(store: ProfileStore, tmp_path: Path) -> None:
    history = History(tmp_path / "data" / "history.sqlite3")
    store.save(_profile(), _secrets())
    store.save(_profile("Other"), _secrets("Ot" * 15))
    member = Member(
        id="m1", email="a@example.com", status=MemberStatus.INVITED, type=MemberType.USER
    )
    history.record("Acme", [member])
    history.record("Other", [member])

    assert store.delete("Acme")
    assert store.get("Acme") is None
    assert store.secrets.load("Acme") is None
    assert history.first_seen("Acme", "m1") is None
    assert store.get("Other") is not None
    assert store.secrets.load("Other") is not None
    assert history.first_seen("Other", "m1") is not None
    assert not store.delete("Acme")
    last = store.last_used()
    assert last is not None
    assert last.name == "Other"
    store.delete("Other")
    assert store.last_used() is None


def test_last_used_and_unfinished(store: ProfileStore) -> None:
    assert store.last_used() is None
    assert store.unfinished() is None
    store.save(_profile("Done", SetupStep.DONE))
    store.save(_profile("Half", SetupStep.OKTA_APP))
    store.set_last_used("Done")
    last = store.last_used()
    assert last is not None
    assert last.name == "Done"
    unfinished = store.unfinished()
    assert unfinished is not None
    assert unfinished.name == "Half"
    store.set_step("Half", SetupStep.DONE)
    assert store.unfinished() is None
    with pytest.raises(ProfileError):
        store.set_step("Nobody", SetupStep.DONE)
    with pytest.raises(ProfileError):
        store.set_last_used("Nobody")


def test_preferences_persist(store: ProfileStore, tmp_path: Path) -> None:
    store.set_preference("refresh_seconds", 45)
    reopened = ProfileStore(store.config_dir, store.secrets)
    assert reopened.preferences() == {"refresh_seconds": 45}


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "x" * 65])
def test_bad_names_are_refused(store: ProfileStore, name: str) -> None:
    with pytest.raises(ProfileError):
        store.save(_profile(name), _secrets())
    assert store.list() == []


def test_a_keyring_failure_saves_nothing(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    backend.locked = True
    store = ProfileStore(tmp_path / "config", SecretStore(backend))
    with pytest.raises(KeyringLocked):
        store.save(_profile(), _secrets())
    assert store.list() == []
    assert not store.path.exists()


def test_a_damaged_file_is_moved_aside(store: ProfileStore) -> None:
    store.save(_profile())
    store.path.write_text("{ this is not json", encoding="utf-8")
    assert store.list() == []
    assert any(p.name.startswith("profiles.damaged-") for p in store.config_dir.iterdir())
    store.save(_profile("Fresh"))
    assert [p.name for p in store.list()] == ["Fresh"]


@pytest.mark.secret_service
def test_profile_round_trip_through_gnome_keyring(
    secret_service: KeyringBackend, tmp_path: Path
) -> None:
    store = ProfileStore(tmp_path / "config", SecretStore(secret_service))
    store.save(_profile(), _secrets())
    reopened = ProfileStore(tmp_path / "config", SecretStore(secret_service))
    loaded = reopened.secrets.load("Acme")
    assert loaded is not None
    assert loaded.scim_key.get_secret_value() == KEY
    assert loaded.client_secret is not None
    assert loaded.client_secret.get_secret_value() == CLIENT_SECRET
    assert _files_mention(tmp_path / "config", KEY, CLIENT_SECRET) == []
    assert reopened.delete("Acme")
    assert SecretStore(secret_service).load("Acme") is None


def test_the_wizard_fields_are_kept_and_a_resave_keeps_them(tmp_path: Path) -> None:
    from app.core.endpoints import Deployment
    from app.core.profiles import Profile, ProfileStore

    store = ProfileStore(config_dir=tmp_path)
    store.save(Profile(name="Acme", deployment=Deployment.CLOUD_US))
    store.set_wizard_fields("Acme", {"okta_app/Assign": True, "okta_app/okta_app_label": "Bw"})
    again = ProfileStore(config_dir=tmp_path).get("Acme")
    assert again is not None
    assert again.wizard_fields == {"okta_app/Assign": True, "okta_app/okta_app_label": "Bw"}
    assert type(again.wizard_fields["okta_app/Assign"]) is bool
