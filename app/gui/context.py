"""`AppContext`: what every window needs, passed explicitly instead of reached through globals.

One context per GUI session: the profile store, the secret store, the history, the worker pool,
whether this is the demo (and then the sandbox's connection info), and factories that build the
core's clients for a profile. The factories read the keyring and open connections, so they are meant
to be called *inside* a background task (`app.gui.tasks.run_task`), never on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QThreadPool

if TYPE_CHECKING:
    from app.core.bw_serve import BwServeClient, BwServeProcess
    from app.core.endpoints import Endpoints
    from app.core.history import History
    from app.core.profiles import Profile, ProfileStore
    from app.core.public_api import PublicApiClient
    from app.core.scim_client import ScimClient
    from app.core.secrets import ProfileSecrets, SecretStore


class MissingSecrets(Exception):  # noqa: N818 - reads as a sentence where it is caught
    """The profile's secrets are neither in the keyring nor remembered for this session."""


@dataclass(frozen=True)
class Stores:
    """The three stores a session reads and writes; built together, on first use."""

    secrets: SecretStore
    profiles: ProfileStore
    history: History


class AppContext:
    """Shared state of one GUI session. Create with `AppContext.for_desktop()` or `app.gui.demo`.

    The stores (`profiles`, `secrets`, `history`) are built on first use: importing the keyring and
    the API clients costs more than painting the first wizard page, so it waits until needed.
    """

    def __init__(
        self,
        stores: Stores | Callable[[], Stores],
        *,
        demo: bool = False,
        sandbox_info: dict[str, str] | None = None,
        pool: QThreadPool | None = None,
        ca_file: Path | None = None,
    ) -> None:
        self._stores: Stores | None = stores if isinstance(stores, Stores) else None
        self._build = None if isinstance(stores, Stores) else stores
        self.demo = demo
        #: The sandbox's JSON-line info (interfaces.md) in the demo, else None.
        self.sandbox_info = sandbox_info
        #: The demo's sandbox Okta org seeds a fault by name (blocking: it provisions over HTTP);
        #: None outside the demo and until its sandbox runs.
        self.seed_okta_fault: Callable[[str], object] | None = None
        self.pool = pool or QThreadPool.globalInstance()
        #: An extra CA certificate for every server of this session (a profile's own comes first).
        self.ca_file = ca_file
        #: Secrets kept in memory for this session only (not saved, or no keyring).
        self._session_secrets: dict[str, ProfileSecrets] = {}
        self._lock = threading.RLock()
        self._bw_process: BwServeProcess | None = None

    def __repr__(self) -> str:
        return f"AppContext(demo={self.demo})"

    @classmethod
    def for_desktop(cls) -> AppContext:
        """The real program: the OS keyring, profiles and history in the user's directories."""

        def build() -> Stores:
            from app.core.history import History
            from app.core.profiles import ProfileStore
            from app.core.secrets import SecretStore

            secrets, history = SecretStore(), History()
            return Stores(secrets, ProfileStore(secrets=secrets, history=history), history)

        return cls(build)

    @property
    def stores(self) -> Stores:
        with self._lock:
            if self._stores is None:
                assert self._build is not None
                self._stores = self._build()
            return self._stores

    @property
    def profiles(self) -> ProfileStore:
        return self.stores.profiles

    @property
    def secrets(self) -> SecretStore:
        return self.stores.secrets

    @property
    def history(self) -> History:
        return self.stores.history

    # -- secrets -----------------------------------------------------------------------------------
    def file_locations(self) -> list[tuple[str, str]]:
        """Where this program keeps what, for Help → About (the demo's are throwaway)."""
        from PySide6.QtCore import QCoreApplication, QSettings

        from app.core.secrets import SERVICE

        keyring = self.secrets.info().name
        if self.demo:  # no OS keyring: "the OS keyring (In-memory keyring…)" said both at once
            secrets = QCoreApplication.translate(
                "AppContext", "{0}; nothing reaches the OS keyring"
            ).format(keyring)
        else:
            secrets = QCoreApplication.translate(
                "AppContext", "the OS keyring ({0}), service “{1}”, one entry per profile"
            ).format(keyring, SERVICE)
        where = [
            (
                QCoreApplication.translate("AppContext", "Profiles (no secrets)"),
                str(self.profiles.path),
            ),
            (
                QCoreApplication.translate("AppContext", "Member status history"),
                str(self.history.path),
            ),
            (QCoreApplication.translate("AppContext", "Window settings"), QSettings().fileName()),
            (QCoreApplication.translate("AppContext", "Secrets"), secrets),
        ]
        if self.demo:
            where.append(
                (
                    QCoreApplication.translate("AppContext", "Demo"),
                    QCoreApplication.translate(
                        "AppContext", "all of these are temporary and removed when the demo ends"
                    ),
                )
            )
        return where

    def remember(self, profile: str, secrets: ProfileSecrets) -> None:
        """Keep `secrets` for this session (used when they are not, or cannot be, saved)."""
        with self._lock:
            self._session_secrets[profile] = secrets

    def update_secrets(self, profile: str, secrets: ProfileSecrets) -> None:
        """Replace the profile's secrets where they live: this session's memory if they were kept
        only for the session (never written to the keyring behind the admin's back), else the
        keyring. Blocking: call in a task."""
        with self._lock:
            if profile in self._session_secrets:
                self._session_secrets[profile] = secrets
                return
        self.secrets.save(profile, secrets)

    def forget(self, profile: str) -> None:
        with self._lock:
            self._session_secrets.pop(profile, None)

    def secrets_for(self, profile: str) -> ProfileSecrets:
        """This session's secrets for `profile`, else the keyring's. Blocking: call in a task."""
        with self._lock:
            remembered = self._session_secrets.get(profile)
        if remembered is not None:
            return remembered
        loaded = self.secrets.load(profile)
        if loaded is None:
            raise MissingSecrets(
                f"The SCIM key of profile “{profile}” is not saved. "
                "Run the setup again to enter it."
            )
        return loaded

    # -- clients -----------------------------------------------------------------------------------
    def ca_file_for(self, profile: str) -> Path | None:
        """The extra CA the profile's server needs (saved by the wizard), else the session's."""
        found = self.profiles.get(profile)
        if found is not None and found.ca_file:
            return Path(found.ca_file)
        return self.ca_file

    def profile(self, name: str) -> Profile:
        found = self.profiles.get(name)
        if found is None:
            raise MissingSecrets(f"There is no profile named “{name}”.")
        return found

    def endpoints_for(self, profile: str) -> Endpoints:
        """The profile's URLs, derived by the core from its saved SCIM URL."""
        from app.core.endpoints import parse_scim_url

        check = parse_scim_url(self.secrets_for(profile).scim_url)
        if check.endpoints is None:
            raise MissingSecrets(check.error or "The saved SCIM URL cannot be used.")
        return check.endpoints

    def public_api(self, profile: str) -> PublicApiClient:
        """A Public API client for `profile`; `MissingSecrets` when no client secret is saved."""
        from app.core.public_api import PublicApiClient

        secrets = self.secrets_for(profile)
        if secrets.client_id is None or secrets.client_secret is None:
            raise MissingSecrets(
                "The organization's Public API key is not saved, so member statuses and confirming "
                "are unavailable. Add it in the setup's Public API page."
            )
        return PublicApiClient(
            self.endpoints_for(profile),
            secrets.client_id,
            secrets.client_secret,
            ca_file=self.ca_file_for(profile),
        )

    def scim_client(self, profile: str) -> ScimClient:
        from app.core.scim_client import ScimClient

        secrets = self.secrets_for(profile)
        return ScimClient(secrets.scim_url, secrets.scim_key, ca_file=self.ca_file_for(profile))

    def bw_serve(self) -> BwServeClient:
        """A `bw serve` client: the sandbox's emulation in the demo, else a local `bw serve`.

        The process is started once (off the GUI thread, since this is called in a task) and stopped
        when the program exits.
        """
        from app.core.bw_serve import BwServeClient, BwServeError, BwServeProcess, find_bw

        if self.sandbox_info is not None:
            return BwServeClient(self.sandbox_info["bw_serve_url"])
        with self._lock:
            process = self._bw_process
            if process is None:
                bw = find_bw()
                if bw is None:
                    raise BwServeError(
                        "The Bitwarden CLI (bw) is not installed; it is needed to confirm members."
                    )
                process = BwServeProcess.start(bw)
                self._bw_process = process
        return BwServeClient(process.base_url, unix_socket=process.unix_socket)

    def close(self) -> None:
        """Stop what the session started (a `bw serve` process)."""
        with self._lock:
            process, self._bw_process = self._bw_process, None
        if process is not None:
            process.stop()
