"""`SetupState`: what the admin has entered and what was verified, shared by the wizard's pages.

Plain data, no Qt. Secrets are `SecretStr`, so a repr or a log line never shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from pydantic import SecretStr

    from app.core.endpoints import Deployment, Endpoints
    from app.core.okta.client import OktaCredential
    from app.core.okta.reading import OktaReading
    from app.core.okta.service_app import ServiceApp
    from app.core.okta_check import CheckResult
    from app.core.secrets import ProfileSecrets


@dataclass
class SetupState:
    deployment: Deployment | None = None
    #: Self-hosted only: the server's root URL.
    server_url: str | None = None
    #: Self-hosted only: an extra CA certificate (PEM) for a server with a private CA; not secret.
    ca_file: Path | None = None
    scim_url: str = ""
    endpoints: Endpoints | None = None
    scim_key: SecretStr | None = None
    profile_name: str = ""
    #: The profile exists in the store (its step is then kept up to date).
    profile_stored: bool = False
    #: The secrets are in the keyring (False: kept for this session only).
    secrets_saved: bool = False
    keyring_name: str = ""
    client_id: str | None = None
    client_secret: SecretStr | None = None
    public_api_verified: bool = False
    public_api_skipped: bool = False
    provisioned: list[str] = field(default_factory=list)
    #: The optional Okta side: the org's origin (checked by the core) and either an `SSWS` API
    #: token or an OAuth 2.0 service app (its key checked and compact); at most one is set.
    okta_url: str | None = None
    okta_token: SecretStr | None = None
    okta_service_app: ServiceApp | None = None
    #: The Bitwarden app instance the admin picked when Okta has several (else found by itself).
    okta_app_id: str | None = None
    #: Okta accepted the credential in a check: it is kept (and saved) with the profile's secrets.
    okta_verified: bool = False

    #: The last credential test and the inputs it was made with (see `check`).
    _check: CheckResult | None = field(default=None, repr=False)
    _check_inputs: tuple[object, ...] | None = field(default=None, repr=False)
    #: The last reading of Okta and the inputs it was made with (see `okta`).
    _okta: OktaReading | None = field(default=None, repr=False)
    _okta_inputs: tuple[object, ...] | None = field(default=None, repr=False)

    def check_inputs(self) -> tuple[object, ...]:
        """What the credential test depends on: the SCIM URL, the key, the CA file, the server."""
        return (self.scim_url, self.scim_key, self.ca_file, self.server_url, self.deployment)

    @property
    def check(self) -> CheckResult | None:
        """The last test's result, or None once any input it depends on has changed since: a
        result is never shown or trusted for inputs it was not made with."""
        if self._check is None or self._check_inputs != self.check_inputs():
            return None
        return self._check

    @check.setter
    def check(self, result: CheckResult | None) -> None:
        self._check = result
        self._check_inputs = self.check_inputs() if result is not None else None

    def set_check(self, result: CheckResult, inputs: tuple[object, ...]) -> None:
        """Record a result for the inputs it was started with (stale at once if they changed)."""
        self._check = result
        self._check_inputs = inputs

    def okta_inputs(self) -> tuple[object, ...]:
        """What a reading of Okta depends on: the org, the credential, the app, Bitwarden's side."""
        return (
            self.okta_url,
            self.okta_token,
            self.okta_service_app,
            self.okta_app_id,
            self.scim_url,
            self.scim_key,
            self.client_secret,
        )

    @property
    def okta(self) -> OktaReading | None:
        """The last reading of Okta, or None once an input it was made with has changed."""
        if self._okta is None or self._okta_inputs != self.okta_inputs():
            return None
        return self._okta

    def set_okta(self, reading: OktaReading | None, inputs: tuple[object, ...]) -> None:
        """Record a reading for the inputs it was started with (stale at once if they changed)."""
        self._okta = reading
        self._okta_inputs = inputs if reading is not None else None

    @property
    def okta_credential(self) -> OktaCredential | None:
        """What Okta is read with: the API token, or the service app."""
        return self.okta_token if self.okta_token is not None else self.okta_service_app

    @property
    def has_okta(self) -> bool:
        return self.okta_url is not None and self.okta_credential is not None

    def okta_secrets(self) -> dict[str, object]:
        """The Okta fields of `ProfileSecrets` for the credential as it is now (the other kind's
        fields emptied: a profile holds a token or a service app, never both)."""
        app = self.okta_service_app if self.okta_token is None else None
        return {
            "okta_url": self.okta_url,
            "okta_token": self.okta_token,
            "okta_client_id": app.client_id if app is not None else None,
            "okta_private_key": app.private_key if app is not None else None,
            "okta_key_id": app.key_id if app is not None else None,
        }

    @property
    def check_passed(self) -> bool:
        check = self.check
        return check is not None and check.ok

    @property
    def organization_id(self) -> str | None:
        return self.endpoints.organization_id if self.endpoints is not None else None

    def profile_secrets(self) -> ProfileSecrets:
        """The secrets to save; requires the SCIM URL and key."""
        from app.core.secrets import ProfileSecrets

        if self.scim_key is None or self.endpoints is None:
            raise ValueError("the SCIM URL and key are not entered yet")
        with_api = self.public_api_verified and self.client_secret is not None
        secrets = ProfileSecrets(
            scim_url=self.endpoints.scim_url,
            scim_key=self.scim_key,
            client_id=self.client_id if with_api else None,
            client_secret=self.client_secret if with_api else None,
        )
        if self.okta_verified and self.has_okta:
            return secrets.model_copy(update=self.okta_secrets())
        return secrets

    def load(self, secrets: ProfileSecrets) -> None:
        """Fill in what a saved profile's secrets give (resume, key rotation)."""
        from app.core.endpoints import parse_scim_url
        from app.core.okta.reading import profile_credential
        from app.core.okta.service_app import ServiceApp

        self.scim_url = secrets.scim_url
        check = parse_scim_url(secrets.scim_url)
        self.endpoints = check.endpoints
        self.scim_key = secrets.scim_key
        self.client_id = secrets.client_id
        self.client_secret = secrets.client_secret
        self.public_api_verified = secrets.client_secret is not None
        credential = profile_credential(secrets)
        self.okta_url = secrets.okta_url
        self.okta_token = secrets.okta_token
        self.okta_service_app = credential if isinstance(credential, ServiceApp) else None
        self.okta_verified = credential is not None
