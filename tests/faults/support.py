"""Building blocks the fault tests share: scripted answers and Bitwarden-shaped bodies.

The hostile server (tests/fixtures/hostile_server.py) answers every request with one behaviour;
these helpers (with `behaviours.sequence`: fail, then succeed) compose behaviours into what a fault
needs (count the requests) and build the JSON bodies Bitwarden's servers send.
"""

from __future__ import annotations

import json
import uuid

from pydantic import SecretStr

from app.core.endpoints import Endpoints, parse_scim_url
from app.core.public_api import PublicApiClient
from tests.fixtures.hostile_server import (
    Behaviour,
    Connection,
    HostileServer,
    RawRequest,
    behaviours,
)

ORG = "0d9b6a3e-8f7c-4b1d-9a2e-3c4d5e6f7a8b"
SCIM_KEY = "Qm4pX7tR2wZ9vB1nL5kJ8hG3fD6sA0"
CLIENT_SECRET = "Cs7vB2nM4kL9pO1iU3yT6rE8wQ0aSd"
TOKEN_PATH = "/identity/connect/token"
MEMBERS_PATH = "/api/public/members"


def counting(behaviour: Behaviour, counter: list[int]) -> Behaviour:
    """`behaviour`, appending 1 to `counter` per request (a thread-safe tally)."""

    def run(request: RawRequest, conn: Connection) -> None:
        counter.append(1)
        behaviour(request, conn)

    return run


#: Answers no client can use, whatever it asked: each must end in a clear error, never a hang.
BROKEN_ANSWERS: dict[str, Behaviour] = {
    "reset_mid_body": behaviours.reset_mid_body(),
    "closed_without_answer": behaviours.close_without_answer(),
    "wrong_content_type": behaviours.wrong_content_type(),
    "html_login_page": behaviours.html_login_page(),
    "garbage_json": behaviours.garbage_json(),
    "invalid_utf8": behaviours.invalid_utf8(),
    "deeply_nested_json": behaviours.deeply_nested_json(),
    "huge_body_50mb": behaviours.huge_body(),
    "gzip_bomb": behaviours.gzip_bomb(),
    # httpx raises InvalidURL (not an HTTPError) building the next request of this redirect.
    "redirect_to_script": behaviours.redirect("javascript:alert(1)", 301),
}

#: Identity's client_credentials answer (shared with the unit tests).
token = behaviours.access_token


def member_json(n: int, status: int = 1) -> dict[str, object]:
    """One member as `GET /public/members` lists it."""
    return {
        "object": "member",
        "id": str(uuid.UUID(int=n)),
        "userId": None if status in (0, 3) else str(uuid.UUID(int=10**9 + n)),
        "name": f"Person {n}",
        "email": f"person{n}@example.com",
        "twoFactorEnabled": False,
        "status": status,
        "resetPasswordEnrolled": False,
        "type": 2,
        "externalId": f"00u{n}",
    }


def members_body(*items: dict[str, object]) -> Behaviour:
    return behaviours.respond(
        200, json.dumps({"object": "list", "data": list(items)}), "application/json"
    )


def endpoints_for(server: HostileServer) -> Endpoints:
    check = parse_scim_url(f"{server.url}/scim/v2/{ORG}")
    assert check.endpoints is not None, check.error
    return check.endpoints


def public_api_client(
    server: HostileServer, *, max_wait: float = 120.0, timeout: float = 5.0
) -> PublicApiClient:
    return PublicApiClient(
        endpoints_for(server),
        f"organization.{ORG}",
        SecretStr(CLIENT_SECRET),
        ca_file=server.ca_file,
        timeout=timeout,
        max_wait=max_wait,
    )


def paths(server: HostileServer) -> list[str]:
    return [request.path for request in server.requests]
