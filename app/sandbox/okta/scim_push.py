"""Okta's SCIM client: the requests Okta sends to a SCIM app, with Okta's headers and bodies.

For each assigned person Okta first looks the user up by `userName`, then creates it when
nothing matched (okta-scim.md §2.2):
`GET {base}/Users?filter=userName eq "<email>"&startIndex=1&count=100`, then
`POST {base}/Users` with Okta's create body. A found user is linked, not created again.

Qt-free and independent of `app.core` (the emulator must not share the client's understanding of
SCIM); the stdlib's HTTP client is enough for loopback. Used by the sandbox Okta org's provisioning
(`provisioning.py`) and, directly, by tests that only need users pushed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import string
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

#: Okta's headers (okta-scim.md §1.3).
_HEADERS = {
    "User-Agent": "Okta SCIM Client 1.0.0",
    "Accept": "application/scim+json",
    "Accept-Charset": "utf-8",
}
_BODY_TYPE = "application/scim+json; charset=utf-8"


@dataclass(frozen=True)
class Person:
    """An Okta user assigned to the Bitwarden app."""

    given_name: str
    family_name: str
    email: str

    @property
    def okta_id(self) -> str:
        """A stable Okta-style user id (`00u…`), used as `externalId`."""
        digest = int(hashlib.sha256(self.email.encode()).hexdigest(), 16)
        alphabet = string.ascii_lowercase + string.digits
        chars = []
        for _ in range(17):
            digest, rest = divmod(digest, 36)
            chars.append(alphabet[rest])
        return "00u" + "".join(chars)


@dataclass(frozen=True)
class Provisioned:
    """What Okta did for one person: `created` (POST 201), `linked` (found) or `failed`."""

    email: str
    outcome: str
    user_id: str | None
    status: int


#: The demo's people: what an admin typically assigns first.
DEMO_PEOPLE = (
    Person("Ada", "Lovelace", "ada.lovelace@example.com"),
    Person("Grace", "Hopper", "grace.hopper@example.com"),
    Person("Alan", "Turing", "alan.turing@example.com"),
    Person("Katherine", "Johnson", "katherine.johnson@example.com"),
    Person("Edsger", "Dijkstra", "edsger.dijkstra@example.com"),
)


def provision_users(
    scim_url: str, key: str, people: tuple[Person, ...] | list[Person], *, timeout: float = 10.0
) -> list[Provisioned]:
    """Push `people` to `scim_url` (the base URL, no `/Users`) as Okta does; one result each."""
    base = scim_url.rstrip("/")
    results: list[Provisioned] = []
    for person in people:
        query = urllib.parse.urlencode(
            {"filter": f'userName eq "{person.email}"', "startIndex": "1", "count": "100"},
            quote_via=urllib.parse.quote,
        )
        status, found = request("GET", f"{base}/Users?{query}", key, None, timeout)
        resources = found.get("Resources") if isinstance(found, dict) else None
        if status == 200 and resources:
            results.append(Provisioned(person.email, "linked", str(resources[0].get("id")), status))
            continue
        status, created = request("POST", f"{base}/Users", key, create_body(person), timeout)
        user_id = created.get("id") if isinstance(created, dict) else None
        outcome = "created" if status == 201 else "failed"
        results.append(
            Provisioned(person.email, outcome, str(user_id) if user_id else None, status)
        )
    return results


def accept_invitation(control_url: str, member_id: str, *, timeout: float = 10.0) -> bool:
    """Make a provisioned member accept the invitation, as the person would (control API)."""
    url = f"{control_url.rstrip('/')}/members/{urllib.parse.quote(member_id)}/accept"
    status, _ = request("POST", url, None, {}, timeout)
    return 200 <= status < 300


def create_body(
    person: Person, user_name: str | None = None, okta_id: str | None = None
) -> dict[str, Any]:
    """Okta's default create body (okta-scim.md §2.2), including its placeholder password."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name or person.email,
        "name": {"givenName": person.given_name, "familyName": person.family_name},
        "emails": [{"primary": True, "value": person.email, "type": "work"}],
        "displayName": f"{person.given_name} {person.family_name}",
        "locale": "en-US",
        "externalId": okta_id or person.okta_id,
        "groups": [],
        "password": secrets.token_urlsafe(6),
        "active": True,
    }


def request(
    method: str, url: str, key: str | None, body: dict[str, Any] | None, timeout: float
) -> tuple[int, Any]:
    """One request as Okta sends it: `(status, parsed JSON or None)`; status 0 = unreachable."""
    headers = dict(_HEADERS)
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = _BODY_TYPE
    # Loopback sandbox URLs only (S310: no file:// or remote schemes reach here).
    prepared = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except OSError:
        return 0, None
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None
