"""`--organizations N`: each organization its own keys, members and tokens behind one server;
and the SCIM config switch that stages new members instead of inviting them."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from typing import Any

import httpx
import pytest

from app.sandbox.server import Sandbox
from tests.fixtures.sandbox import SandboxFactory
from tests.unit.sandbox.helpers import OKTA_HEADERS, okta_user

SANDBOX = [sys.executable, "-m", "app", "sandbox", "--port", "0"]


def _scim(entry: dict[str, str], key: str | None = None) -> httpx.Client:
    headers = dict(OKTA_HEADERS)
    headers["Authorization"] = f"Bearer {key or entry['scim_key']}"
    return httpx.Client(base_url=entry["scim_url"], headers=headers, timeout=10)


def _public_token(box: Sandbox, entry: dict[str, str]) -> str:
    answer = httpx.post(
        box.info["identity_url"] + "/connect/token",
        data={
            "grant_type": "client_credentials",
            "scope": "api.organization",
            "client_id": entry["client_id"],
            "client_secret": entry["client_secret"],
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    value: str = answer.json()["access_token"]
    return value


def _public_emails(box: Sandbox, bearer: str) -> set[str]:
    answer = httpx.get(
        box.info["api_url"] + "/public/members",
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=10,
    )
    assert answer.status_code == 200
    return {m["email"] for m in answer.json()["data"]}


def _control_state(entry: dict[str, str]) -> dict[str, Any]:
    answer = httpx.get(entry["control_url"] + "/state", timeout=10)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def test_two_organizations_have_their_own_keys_and_members(
    sandbox_factory: SandboxFactory,
) -> None:
    box = sandbox_factory(members=6, organizations=2)
    first, second = box.organizations
    assert first["organization_id"] == box.info["organization_id"]
    assert first["scim_key"] == box.info["scim_key"]
    assert first["client_secret"] == box.info["client_secret"]
    assert first["organization_id"] != second["organization_id"]
    assert first["scim_key"] != second["scim_key"]
    assert first["client_secret"] != second["client_secret"]

    with _scim(second) as client:
        created = client.post("/Users", json=okta_user("only.second@x.example"))
        assert created.status_code == 201
        assert client.get("/Users").json()["totalResults"] == 7
    with _scim(second, key=first["scim_key"]) as wrong_key:
        assert wrong_key.get("/Users").status_code == 401  # org 1's key opens only org 1
    with _scim(first) as client:
        assert client.get("/Users").json()["totalResults"] == 6

    first_emails = _public_emails(box, _public_token(box, first))
    second_emails = _public_emails(box, _public_token(box, second))
    assert "only.second@x.example" in second_emails
    assert "only.second@x.example" not in first_emails
    assert len(box.states[1].members) == 7
    assert len(box.state.members) == 6


def test_the_control_endpoints_of_another_organization(sandbox_factory: SandboxFactory) -> None:
    box = sandbox_factory(members=6, organizations=2)
    second = box.organizations[1]
    dump = _control_state(second)
    assert dump["organization"]["id"] == second["organization_id"]
    invited = next(m for m in dump["members"] if m["status"] == 0)
    accepted = httpx.post(f"{second['control_url']}/members/{invited['id']}/accept", timeout=10)
    assert accepted.status_code == 200
    assert box.states[1].members[invited["id"]].status == 1
    unknown = httpx.get(box.info["control_url"] + "/organizations/nope/state", timeout=10)
    assert unknown.status_code == 404


def test_scim_stages_new_members_when_invitations_are_off(sandbox_factory: SandboxFactory) -> None:
    """bitwarden-api 2.7 staged: `InviteUsersAfterProvisioning` off → Staged (3), no mail."""
    box = sandbox_factory(members=3)
    invitations: list[str] = []
    box.state.on_invite(lambda member: invitations.append(member.email))
    config_url = box.info["control_url"] + "/scim-config"
    assert httpx.get(config_url).json() == {"enabled": True, "inviteUsersAfterProvisioning": True}
    switched = httpx.post(config_url, json={"inviteUsersAfterProvisioning": False})
    assert switched.json()["inviteUsersAfterProvisioning"] is False
    assert httpx.post(config_url, json={"inviteUsersAfterProvisioning": "no"}).status_code == 400
    entry = box.organizations[0]
    with _scim(entry) as client:
        staged = client.post("/Users", json=okta_user("staged@x.example", external_id="00u1"))
        httpx.post(config_url, json={"inviteUsersAfterProvisioning": True})
        invited = client.post("/Users", json=okta_user("invited@x.example", external_id="00u2"))
    assert staged.status_code == 201
    assert invited.status_code == 201
    members = {m["email"]: m for m in _control_state(entry)["members"]}
    assert members["staged@x.example"]["status"] == 3
    assert members["staged@x.example"]["userId"] is None
    assert members["invited@x.example"]["status"] == 0
    assert invitations == ["invited@x.example"]  # no invitation e-mail for the staged member


def _run_sandbox(*extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SANDBOX, *extra],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("count", ["0", "-1", "1000", "two"])
def test_absurd_organization_counts_are_usage_errors(count: str) -> None:
    result = _run_sandbox("--organizations", count)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "--organizations" in result.stderr


def test_the_json_line_lists_every_organization() -> None:
    process = subprocess.Popen(
        [*SANDBOX, "--members", "3", "--organizations", "2", "--seed", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    first, second = info["organizations"]
    for key in ("organization_id", "scim_url", "scim_key", "client_id", "client_secret"):
        assert first[key] == info[key]
        assert second[key] != info[key]
    assert second["scim_url"].endswith("/scim/v2/" + second["organization_id"])
