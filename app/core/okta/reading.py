"""One read of the Okta side as the wizard and `okta verify` make it: the app, every step, and
Bitwarden's members beside them (so a conflict names the member holding the e-mail).

Blocking; run it off the GUI thread. Raises `AppChoiceNeededError` when Okta has several apps
that may be Bitwarden's and none was picked, `OktaError` (a sentence with the fix) or `Cancelled`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from app.core.cancel import CancelToken
from app.core.endpoints import parse_scim_url
from app.core.okta.client import OktaClient, OktaCredential
from app.core.okta.service_app import ServiceApp
from app.core.okta.verify import BitwardenMember, Verification, pick_app, verify
from app.core.public_api import PublicApiClient, PublicApiError
from app.core.scim_client import ScimClient, ScimError
from app.core.secrets import ProfileSecrets


@dataclass(frozen=True)
class BitwardenSide:
    """What reading Bitwarden's members needs (the profile's secrets, or the wizard's entries)."""

    scim_url: str
    scim_key: SecretStr
    client_id: str | None = None
    client_secret: SecretStr | None = None
    ca_file: Path | None = None


@dataclass(frozen=True)
class OktaReading:
    """A verification, when it was read, and (when Bitwarden's members could not be read) a note
    saying so."""

    verification: Verification
    read_at: dt.datetime
    note: str | None = None


def profile_credential(secrets: ProfileSecrets | None) -> OktaCredential | None:
    """The Okta credential saved with a profile: its API token, or its service app."""
    if secrets is None or secrets.okta_url is None:
        return None
    if secrets.okta_token is not None:
        return secrets.okta_token
    if secrets.okta_client_id and secrets.okta_private_key is not None:
        return ServiceApp(secrets.okta_client_id, secrets.okta_private_key, secrets.okta_key_id)
    return None


def credential_secrets(credential: OktaCredential) -> tuple[SecretStr, ...]:
    """What of a credential must never be shown."""
    return (credential,) if isinstance(credential, SecretStr) else credential.secrets


def bitwarden_members(
    side: BitwardenSide, cancel: CancelToken | None = None
) -> tuple[list[BitwardenMember] | None, str | None]:
    """The organization's members (Public API, else SCIM); None with a note when unreadable."""
    try:
        if side.client_id and side.client_secret:
            check = parse_scim_url(side.scim_url)
            if check.endpoints is not None:
                with PublicApiClient(
                    check.endpoints, side.client_id, side.client_secret, ca_file=side.ca_file
                ) as api:
                    return [
                        BitwardenMember(m.email, m.status.label, m.external_id)
                        for m in api.list_member_summaries(cancel=cancel)
                    ], None
        with ScimClient(side.scim_url, side.scim_key, ca_file=side.ca_file) as scim:
            return [
                BitwardenMember(u.email, "active" if u.active else "revoked", u.external_id)
                for u in scim.list_users(cancel=cancel)
            ], None
    except (PublicApiError, ScimError) as exc:
        return None, f"Bitwarden's members could not be read ({exc}); conflicts are not matched."


def read_okta(
    org_url: str,
    token: OktaCredential,
    *,
    app_id: str | None = None,
    bitwarden: BitwardenSide | None = None,
    members: Sequence[BitwardenMember] | None = None,
    since: dt.datetime | None = None,
    cancel: CancelToken | None = None,
    people_only: bool = False,
) -> OktaReading:
    """Find the app (or take `app_id`), read Bitwarden's members (when given, unless `members`
    are already known), verify (`people_only`: see `verify`)."""
    with OktaClient(org_url, token) as okta:
        app = pick_app(okta, app_id, cancel)
        note = None
        if members is None and bitwarden is not None:
            members, note = bitwarden_members(bitwarden, cancel)
        result = verify(
            okta,
            app.id,
            members=members,
            since=since,
            scim_url=bitwarden.scim_url if bitwarden else None,
            cancel=cancel,
            people_only=people_only,
        )
    return OktaReading(result, dt.datetime.now(dt.UTC), note)
