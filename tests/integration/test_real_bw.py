"""The official Bitwarden CLI against the sandbox: log in, unlock, list, fingerprint, confirm.

Every `bw` invocation starts Node (about a second), so each test does its whole story with as few
invocations as it can, and the `bw serve` test does its many calls over one served socket.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from app.sandbox.server import Sandbox
from app.sandbox.state import MemberStatus
from tests.fixtures.bw_cli import PASSWORD_ENV, BwRunner
from tests.integration.conftest import member_with, opens_to_org_key, public_api_status

pytestmark = [pytest.mark.real_bw, pytest.mark.slow]


def test_login_unlock_status_and_lists(bw: BwRunner, vault_sandbox: Sandbox) -> None:
    info = vault_sandbox.info
    bw.ca_file = Path(info["ca_file"])
    bw.run("config", "server", info["bw_server_url"])
    bw.run(
        "login", info["admin_email"], "--passwordenv", PASSWORD_ENV, password=info["bw_password"]
    )
    locked = bw.run("status").json()
    assert locked["status"] == "locked"
    assert locked["serverUrl"] == info["bw_server_url"]
    assert locked["userEmail"] == info["admin_email"]
    assert locked["userId"] == vault_sandbox.state.admin.id

    session = bw.run("unlock", "--passwordenv", PASSWORD_ENV, "--raw", password=info["bw_password"])
    bw.session = session.stdout.strip()
    assert bw.run("status").json()["status"] == "unlocked"
    assert "Syncing complete." in bw.run("sync").stdout

    organizations = bw.run("list", "organizations").json()
    assert organizations == [
        {
            "object": "organization",
            "id": info["organization_id"],
            "name": vault_sandbox.state.organization.name,
            "status": 2,
            "type": 0,
            "enabled": True,
        }
    ]
    listed = bw.run("list", "org-members", "--organizationid", info["organization_id"]).json()
    state = vault_sandbox.state
    with state.lock:
        expected = {
            m.id: {
                "object": "org-member",
                "email": state.member_email(m),
                "name": state.member_name(m),
                "id": m.id,
                "status": int(m.status),
                "type": int(m.type),
                "twoFactorEnabled": state.two_factor_enabled(m),
            }
            for m in state.members.values()
        }
    assert {row["id"]: row for row in listed} == expected


def test_a_wrong_master_password_is_refused(bw: BwRunner, vault_sandbox: Sandbox) -> None:
    info = vault_sandbox.info
    bw.ca_file = Path(info["ca_file"])
    bw.run("config", "server", info["bw_server_url"])
    refused = bw.run(
        "login", info["admin_email"], "--passwordenv", PASSWORD_ENV, password="wrong", check=False
    )
    assert refused.returncode != 0
    # The CLI says this only when the server's ErrorModel says "Username or password is incorrect."
    host = info["bw_server_url"].removeprefix("https://")
    assert refused.stderr.strip() == (
        "Invalid master password. Confirm your email is correct and your account was created "
        f"on {host}."
    )


def test_confirm_an_accepted_member_and_refuse_an_invited_one(
    admin_bw: BwRunner, vault_sandbox: Sandbox
) -> None:
    org_id = vault_sandbox.info["organization_id"]
    accepted = member_with(vault_sandbox, MemberStatus.ACCEPTED)
    invited = member_with(vault_sandbox, MemberStatus.INVITED)

    admin_bw.run("confirm", "org-member", accepted.id, "--organizationid", org_id)
    assert accepted.status == MemberStatus.CONFIRMED
    assert opens_to_org_key(vault_sandbox, accepted)
    assert public_api_status(vault_sandbox, accepted.id) == int(MemberStatus.CONFIRMED)

    refused = admin_bw.run(
        "confirm", "org-member", invited.id, "--organizationid", org_id, check=False
    )
    assert refused.returncode != 0
    assert "User must accept the invitation before they can be confirmed." in (
        refused.stdout + refused.stderr
    )
    assert invited.status == MemberStatus.INVITED
    assert invited.key is None
    assert public_api_status(vault_sandbox, invited.id) == int(MemberStatus.INVITED)


ANOTHER_GUID = "11111111-2222-4333-8444-555555555555"


def _answer(response: httpx.Response) -> tuple[int, str, Any]:
    """Status, media type and body (JSON when it is JSON), with the random session key masked."""
    media = response.headers.get("content-type", "")
    body: Any = response.json() if "json" in media else response.text
    if isinstance(body, dict) and isinstance(body.get("data"), dict) and "raw" in body["data"]:
        raw = body["data"]["raw"]
        body["data"]["raw"] = "<session>"
        body["data"]["message"] = body["data"]["message"].replace(raw, "<session>")
    return response.status_code, media, body


def _compare(
    real: httpx.Client, fake: httpx.Client, cases: list[tuple[str, str, str, dict[str, Any]]]
) -> dict[str, tuple[Any, Any]]:
    """Send each case to both servers; the cases whose answers differ, with both answers."""
    differences = {}
    for name, method, path, kwargs in cases:
        real_answer = _answer(real.request(method, path, **kwargs))
        fake_answer = _answer(fake.request(method, path, **kwargs))
        if real_answer != fake_answer:
            differences[name] = (real_answer, fake_answer)
    return differences


def test_real_bw_serve_agrees_with_the_emulated_one(
    admin_bw: BwRunner, vault_sandbox: Sandbox, socket_path: Path
) -> None:
    """Same sandbox, same requests: the emulation answers as the real `bw serve`, field by field."""
    info = vault_sandbox.info
    org_id = info["organization_id"]
    org: dict[str, Any] = {"params": {"organizationId": org_id}}
    accepted = member_with(vault_sandbox, MemberStatus.ACCEPTED)
    assert accepted.user_id is not None
    unlock = {"json": {"password": info["bw_password"]}}
    with admin_bw.serve(socket_path) as real, httpx.Client(base_url=info["bw_serve_url"]) as fake:
        differences = _compare(
            real,
            fake,
            [
                ("locked list", "GET", "/list/object/org-members", org),
                ("unlock", "POST", "/unlock", unlock),
                ("org-members", "GET", "/list/object/org-members", org),
                (
                    "org-members, lower-case parameter",
                    "GET",
                    "/list/object/org-members",
                    {"params": {"organizationid": org_id}},
                ),
                (
                    "org-members, not a GUID",
                    "GET",
                    "/list/object/org-members",
                    {"params": {"organizationId": "nope"}},
                ),
                (
                    "org-members, another organization",
                    "GET",
                    "/list/object/org-members",
                    {"params": {"organizationId": ANOTHER_GUID}},
                ),
                ("fingerprint", "GET", f"/object/fingerprint/{accepted.user_id}", {}),
                ("my fingerprint", "GET", "/object/fingerprint/me", {}),
                ("confirm, unknown member", "POST", f"/confirm/org-member/{ANOTHER_GUID}", org),
                ("confirm, no organization", "POST", f"/confirm/org-member/{accepted.id}", {}),
                ("confirm, not a GUID", "POST", "/confirm/org-member/nope", org),
                (
                    "an Origin header",
                    "GET",
                    "/list/object/org-members",
                    {**org, "headers": {"Origin": "http://page.example"}},
                ),
                ("an unknown route", "GET", "/nothing/here", {}),
                ("lock", "POST", "/lock", {}),
                ("list after lock", "GET", "/list/object/org-members", org),
                ("unlock again", "POST", "/unlock", unlock),
            ],
        )
        assert differences == {}
        listed = real.get("/list/object/org-members", **org).json()["data"]["data"]
        assert {row["id"] for row in listed} == set(vault_sandbox.state.members)
        phrase = real.get(f"/object/fingerprint/{accepted.user_id}").json()["data"]["data"]
        assert len(phrase.split("-")) >= 5

        confirmed = real.post(f"/confirm/org-member/{accepted.id}", **org)
        assert (confirmed.status_code, confirmed.json()) == (200, {"success": True})
    assert accepted.status == MemberStatus.CONFIRMED
    assert opens_to_org_key(vault_sandbox, accepted)


def _status_template(client: httpx.Client) -> dict[str, Any]:
    """`GET /status`'s template less `lastSync` (when each last synced differs by nature)."""
    template: dict[str, Any] = client.get("/status").json()["data"]["template"]
    template.pop("lastSync")
    return template


def test_emulated_bw_serve_messages_match_the_real_cli(
    admin_bw: BwRunner, vault_sandbox: Sandbox, socket_path: Path
) -> None:
    """Refusals, and the order of the checks behind them: where a request is wrong in two ways
    (an invited member in another organization, say) both must name the same one."""
    info = vault_sandbox.info
    org_id = info["organization_id"]
    org: dict[str, Any] = {"params": {"organizationId": org_id}}
    elsewhere: dict[str, Any] = {"params": {"organizationId": ANOTHER_GUID}}
    in_capitals: dict[str, Any] = {"params": {"organizationId": org_id.upper()}}
    # `organizationid` wins over `organizationId` when both are given.
    both_spellings: dict[str, Any] = {
        "params": {"organizationid": ANOTHER_GUID, "organizationId": org_id}
    }
    invited = member_with(vault_sandbox, MemberStatus.INVITED)
    confirmed = member_with(vault_sandbox, MemberStatus.CONFIRMED)
    revoked = member_with(vault_sandbox, MemberStatus.REVOKED)
    staged = member_with(vault_sandbox, MemberStatus.STAGED)
    accepted = member_with(vault_sandbox, MemberStatus.ACCEPTED)
    assert accepted.user_id is not None
    unlock = {"json": {"password": info["bw_password"]}}
    wrong = {"json": {"password": "wrong"}}
    with admin_bw.serve(socket_path) as real, httpx.Client(base_url=info["bw_serve_url"]) as fake:
        statuses = {"status, locked": (_status_template(real), _status_template(fake))}
        differences = _compare(
            real,
            fake,
            [
                ("list, unknown object, locked", "GET", "/list/object/nothing", {}),
                ("get, unknown object, locked", "GET", "/object/nothing/x", {}),
                ("confirm, unknown object, locked", "POST", f"/confirm/nothing/{invited.id}", {}),
                ("unlock, wrong password", "POST", "/unlock", wrong),
                ("unlock, no password", "POST", "/unlock", {"json": {}}),
                ("unlock, empty password", "POST", "/unlock", {"json": {"password": ""}}),
                ("unlock, password not text", "POST", "/unlock", {"json": {"password": 123}}),
                ("unlock", "POST", "/unlock", unlock),
                ("unlock, wrong password when unlocked", "POST", "/unlock", wrong),
                ("still unlocked", "GET", "/object/fingerprint/me", {}),
                ("org-members, no organization", "GET", "/list/object/org-members", {}),
                ("org-members, id in capitals", "GET", "/list/object/org-members", in_capitals),
                (
                    "org-members, both spellings",
                    "GET",
                    "/list/object/org-members",
                    {"params": {"organizationid": org_id, "organizationId": ANOTHER_GUID}},
                ),
                ("list, object in capitals", "GET", "/list/object/ORG-MEMBERS", org),
                ("list, unknown object", "GET", "/list/object/nothing", {}),
                ("get, unknown object", "GET", f"/object/nothing/{accepted.user_id}", {}),
                ("fingerprint, unknown user", "GET", f"/object/fingerprint/{ANOTHER_GUID}", {}),
                ("fingerprint, not a GUID", "GET", "/object/fingerprint/nope", {}),
                (
                    "fingerprint, in capitals",
                    "GET",
                    f"/object/FINGERPRINT/{accepted.user_id.upper()}",
                    {},
                ),
                ("confirm, unknown object", "POST", f"/confirm/nothing/{accepted.id}", org),
                ("confirm, invited member", "POST", f"/confirm/org-member/{invited.id}", org),
                ("confirm, confirmed member", "POST", f"/confirm/org-member/{confirmed.id}", org),
                ("confirm, revoked member", "POST", f"/confirm/org-member/{revoked.id}", org),
                ("confirm, staged member", "POST", f"/confirm/org-member/{staged.id}", org),
                (
                    "confirm, another organization",
                    "POST",
                    f"/confirm/org-member/{accepted.id}",
                    elsewhere,
                ),
                (
                    "confirm, invited member of another organization",
                    "POST",
                    f"/confirm/org-member/{invited.id}",
                    elsewhere,
                ),
                (
                    "confirm, invited member, organization id in capitals",
                    "POST",
                    f"/confirm/org-member/{invited.id}",
                    in_capitals,
                ),
                (
                    "confirm, revoked member, both spellings",
                    "POST",
                    f"/confirm/org-member/{revoked.id}",
                    both_spellings,
                ),
                (
                    "confirm, invited member, organization not a GUID",
                    "POST",
                    f"/confirm/org-member/{invited.id}",
                    {"params": {"organizationId": "nope"}},
                ),
                (
                    "confirm, member in capitals",
                    "POST",
                    f"/CONFIRM/ORG-MEMBER/{confirmed.id.upper()}",
                    org,
                ),
            ],
        )
        statuses["status, unlocked"] = (_status_template(real), _status_template(fake))
    assert statuses["status, unlocked"][0]["serverUrl"] == info["bw_server_url"]
    for name, (real_status, fake_status) in statuses.items():
        if real_status != fake_status:
            differences[name] = (real_status, fake_status)
    assert differences == {}, "\n".join(
        f"{name}: real {real_answer!r} / emulated {fake_answer!r}"
        for name, (real_answer, fake_answer) in differences.items()
    )
    # Nothing above changed a member.
    assert (invited.status, confirmed.status, revoked.status, staged.status, accepted.status) == (
        MemberStatus.INVITED,
        MemberStatus.CONFIRMED,
        MemberStatus.REVOKED,
        MemberStatus.STAGED,
        MemberStatus.ACCEPTED,
    )
