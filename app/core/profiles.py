"""Named profiles: one per organization the admin manages.

The non-secret part — name, deployment, server, organization id, how far the setup got, whether a
Public API key is saved, preferences, which profile was used last — is a small JSON file in the
platform's user config dir. The secrets (SCIM URL, SCIM key, Public API client id and secret) go to
the OS keyring through `SecretStore`; nothing secret is ever written to this file. Writes are
atomic (a temporary file renamed over the old one), so a crash never leaves half a file.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import logging
import os
import tempfile
import threading
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.core.endpoints import Deployment
from app.core.history import History
from app.core.secrets import ProfileSecrets, SecretStore

APP_NAME = "scim-assistant"
FILE_NAME = "profiles.json"
MAX_NAME_LENGTH = 64

_log = logging.getLogger(__name__)


class SetupStep(StrEnum):
    """The wizard's pages, in order; a profile remembers the first one not yet completed."""

    WELCOME = "welcome"
    SELF_HOSTED = "self_hosted"
    ENABLE_SCIM = "enable_scim"
    SAVE = "save"
    TEST = "test"
    OKTA_APP = "okta_app"
    OKTA_API = "okta_api"
    OKTA_TO_APP = "okta_to_app"
    ASSIGNMENTS = "assignments"
    PUBLIC_API = "public_api"
    FINISH = "finish"
    DONE = "done"


class ProfileError(ValueError):
    """A profile name or file problem; `str()` is a plain sentence."""


class Profile(BaseModel):
    """The non-secret part of a profile."""

    model_config = ConfigDict(frozen=True)

    name: str
    deployment: Deployment
    server_url: str | None = None
    organization_id: str | None = None
    setup_step: SetupStep = SetupStep.WELCOME
    has_public_api: bool = False
    #: An extra CA certificate file for a self-hosted server with a private CA (a path, not secret).
    ca_file: str | None = None
    #: The server's `OrganizationInviteExpirationHours` (120 on the cloud; self-hosted may differ).
    invite_expiry_hours: int = 120
    #: The wizard's ticked boxes (the admin's own "done" marks for steps in Okta) and its few
    #: non-secret text fields, by "<step>/<widget>", so that a restart mid-setup loses none.
    wizard_fields: dict[str, bool | str] = Field(default_factory=dict)
    #: The Bitwarden app in Okta the admin picked where Okta has several that may be it (an id).
    okta_app_id: str | None = None
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))
    updated: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @property
    def finished(self) -> bool:
        return self.setup_step is SetupStep.DONE


class _File(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: int = 1
    last_used: str | None = None
    profiles: list[Profile] = Field(default_factory=list)
    preferences: dict[str, Any] = Field(default_factory=dict)


def default_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def check_name(name: str) -> str:
    """The profile name, trimmed; `ProfileError` when it cannot be used."""
    cleaned = name.strip()
    if not cleaned:
        raise ProfileError("Give the profile a name, e.g. the organization's name.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ProfileError(f"A profile name has at most {MAX_NAME_LENGTH} characters.")
    if not cleaned.isprintable():
        raise ProfileError("A profile name cannot contain line breaks or control characters.")
    return cleaned


class ProfileStore:
    """Profiles in `<config dir>/profiles.json`, their secrets in the keyring."""

    def __init__(
        self,
        config_dir: Path | None = None,
        secrets: SecretStore | None = None,
        *,
        history: History | None = None,
    ) -> None:
        self.config_dir = config_dir or default_config_dir()
        self.path = self.config_dir / FILE_NAME
        self.secrets = secrets or SecretStore()
        self._history = history
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"ProfileStore({str(self.path)!r})"

    # -- reading
    def list(self) -> list[Profile]:
        return list(self._read().profiles)

    def get(self, name: str) -> Profile | None:
        wanted = name.strip()
        return next((p for p in self._read().profiles if p.name == wanted), None)

    def last_used(self) -> Profile | None:
        data = self._read()
        return next((p for p in data.profiles if p.name == data.last_used), None)

    def unfinished(self) -> Profile | None:
        """The profile whose setup should resume: the last used if unfinished, else the newest."""
        data = self._read()
        pending = [p for p in data.profiles if not p.finished]
        for profile in pending:
            if profile.name == data.last_used:
                return profile
        return max(pending, key=lambda p: p.updated, default=None)

    def for_organization(
        self, organization_id: str | None, *, other_than: str = ""
    ) -> builtins.list[Profile]:
        """The profiles (other than `other_than`) of the organization `organization_id`: two
        profiles for one organization would each hold a SCIM key, and rotating one breaks the
        other."""
        if not organization_id:
            return []
        wanted = organization_id.strip().lower()
        return [
            p
            for p in self._read().profiles
            if p.name != other_than.strip() and (p.organization_id or "").lower() == wanted
        ]

    def preferences(self) -> dict[str, Any]:
        return dict(self._read().preferences)

    # -- writing
    def save(self, profile: Profile, secrets: ProfileSecrets | None = None) -> Profile:
        """Add or replace a profile; with `secrets`, replace its keyring item first.

        The secrets are saved before the file, so a profile listed in the file never points at
        secrets a failed keyring call did not store. Returns the profile as stored.
        """
        name = check_name(profile.name)
        if secrets is not None:
            self.secrets.save(name, secrets)
        with self._lock:
            data = self._read()
            existing = next((p for p in data.profiles if p.name == name), None)
            now = datetime.now(UTC)
            update: dict[str, Any] = {"name": name, "updated": now}
            if existing is not None:
                update["created"] = existing.created
            if secrets is not None:
                update["has_public_api"] = secrets.client_secret is not None
            stored = profile.model_copy(update=update)
            data.profiles = [p for p in data.profiles if p.name != name] + [stored]
            data.last_used = name
            self._write(data)
        return stored

    def set_step(self, name: str, step: SetupStep) -> None:
        self._update(name, setup_step=step)

    def set_okta_app(self, name: str, app_id: str | None) -> None:
        """Remember which of Okta's apps is this organization's Bitwarden app."""
        self._update(name, okta_app_id=app_id)

    def set_wizard_fields(self, name: str, fields: dict[str, bool | str]) -> None:
        """Replace what the wizard keeps of a profile's pages (see `Profile.wizard_fields`)."""
        self._update(name, wizard_fields=dict(fields))

    def set_last_used(self, name: str) -> None:
        with self._lock:
            data = self._read()
            if not any(p.name == name for p in data.profiles):
                raise ProfileError(f"There is no profile named '{name}'.")
            data.last_used = name
            self._write(data)

    def set_preference(self, key: str, value: Any) -> None:
        with self._lock:
            data = self._read()
            data.preferences[key] = value
            self._write(data)

    def delete(self, name: str) -> bool:
        """Delete the profile, its keyring secrets and its history; False when there was none."""
        wanted = name.strip()
        self.secrets.delete(wanted)
        (self._history or History()).delete_profile(wanted)
        with self._lock:
            data = self._read()
            kept = [p for p in data.profiles if p.name != wanted]
            found = len(kept) != len(data.profiles)
            data.profiles = kept
            if data.last_used == wanted:
                data.last_used = None
            self._write(data)
        return found

    # -- the file
    def _update(self, name: str, **changes: Any) -> None:
        with self._lock:
            data = self._read()
            for index, profile in enumerate(data.profiles):
                if profile.name == name:
                    changes["updated"] = datetime.now(UTC)
                    data.profiles[index] = profile.model_copy(update=changes)
                    self._write(data)
                    return
        raise ProfileError(f"There is no profile named '{name}'.")

    def _read(self) -> _File:
        with self._lock:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return _File()
            try:
                return _File.model_validate_json(raw)
            except ValidationError:
                aside = self.path.with_suffix(f".damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}")
                with contextlib.suppress(OSError):
                    os.replace(self.path, aside)
                _log.warning(
                    "The profile file %s was damaged and was moved to %s", self.path, aside
                )
                return _File()

    def _write(self, data: _File) -> None:
        self.config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = json.dumps(data.model_dump(mode="json"), indent=2, ensure_ascii=False)
        fd, temporary = tempfile.mkstemp(prefix=".profiles-", suffix=".tmp", dir=self.config_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
