"""The emulated `bw serve`: reference bw-cli-and-directory-connector.md A1, A3, A4, A5."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from app.sandbox.bw_serve import (
    CONFIRM_REFUSALS,
    NOT_CONFIRMABLE,
    UNLOCK_DECRYPTION_FAILED,
    UNLOCK_NEEDS_INPUT,
)
from app.sandbox.fingerprint import fingerprint_phrase
from app.sandbox.server import Sandbox
from tests.unit.sandbox.helpers import bw, members_with_status, state

UNKNOWN = "5d421196-8c59-485b-8926-2d6d0101e05f"


def test_status_is_not_lock_guarded(sandbox: Sandbox) -> None:
    """A4: `GET /status` answers locked or unlocked, with the template fields."""
    with bw(sandbox, unlocked=False) as client:
        locked = client.get("/status").json()
        client.post("/unlock", json={"password": sandbox.info["bw_password"]})
        unlocked = client.get("/status").json()
    assert locked["success"] is True
    template = locked["data"]["template"]
    assert set(template) == {"serverUrl", "lastSync", "userEmail", "userId", "status"}
    assert template["status"] == "locked"
    assert template["userEmail"] == sandbox.info["admin_email"]
    assert template["serverUrl"] == sandbox.info["bw_server_url"]  # the HTTPS server bw logs in to
    assert template["serverUrl"].startswith("https://")
    assert unlocked["data"]["template"]["status"] == "unlocked"


def test_locked_vault_refuses_with_400(sandbox: Sandbox) -> None:
    """A4: guarded routes → `{"success":false,"message":"Vault is locked."}` and HTTP 400."""
    org = sandbox.info["organization_id"]
    with bw(sandbox, unlocked=False) as client:
        response = client.get("/list/object/org-members", params={"organizationId": org})
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": "Vault is locked."}


def test_unlock_returns_a_session_key_and_refuses_a_wrong_password(sandbox: Sandbox) -> None:
    """A4: `POST /unlock {"password"}` → data.raw = session key; wrong → 400 with the SDK's
    decryption error; missing, empty or not text → the non-interactive CLI's message."""
    with bw(sandbox, unlocked=False) as client:
        wrong = client.post("/unlock", json={"password": "nope"})
        missing = [
            client.post("/unlock", json=body).json()["message"]
            for body in ({}, {"password": ""}, {"password": 123})
        ]
        still_locked = client.get("/status").json()["data"]["template"]["status"]
        right = client.post("/unlock", json={"password": sandbox.info["bw_password"]})
    assert wrong.status_code == 400
    assert wrong.json() == {
        "success": False,
        "message": "Cryptography error, The decryption operation failed",
    }
    assert wrong.json()["message"] == UNLOCK_DECRYPTION_FAILED
    assert missing == [UNLOCK_NEEDS_INPUT] * 3
    assert missing[0].startswith("Master password is required. Try again in interactive mode")
    assert still_locked == "locked"
    data = right.json()["data"]
    assert data["object"] == "message"
    assert data["title"] == "Your vault is now unlocked!"
    assert len(base64.b64decode(data["raw"])) == 64


def test_a_wrong_password_leaves_an_unlocked_vault_unlocked(sandbox: Sandbox) -> None:
    """As the real CLI: the failed unlock is refused and the earlier unlock still holds."""
    with bw(sandbox) as client:
        refused = client.post("/unlock", json={"password": "nope"})
        after = client.get("/object/fingerprint/me")
    assert refused.status_code == 400
    assert after.json()["success"] is True


def test_lock_locks_again(sandbox: Sandbox) -> None:
    """A4: `POST /lock`; then the guarded routes refuse again."""
    with bw(sandbox) as client:
        locked = client.post("/lock")
        after = client.get("/object/fingerprint/me")
    assert locked.json()["data"]["title"] == "Your vault is locked."
    assert after.json()["message"] == "Vault is locked."


def test_origin_header_is_forbidden(sandbox: Sandbox) -> None:
    """A4: origin protection: any `Origin` header → 403 (CSRF fix of cli-v2022.9.0)."""
    with bw(sandbox, unlocked=False) as client:
        response = client.get("/status", headers={"Origin": "http://127.0.0.1"})
    assert response.status_code == 403
    assert response.text == "Forbidden"


def test_foreign_host_header_is_forbidden(sandbox: Sandbox) -> None:
    """A4: the Host allowlist (localhost / 127.0.0.1 / [::1] with the port)."""
    with bw(sandbox, unlocked=False) as client:
        response = client.get("/status", headers={"Host": "evil.example:8087"})
    assert response.status_code == 403


def test_org_members_have_exactly_the_cli_fields(sandbox: Sandbox) -> None:
    """A3: `{object:"org-member", email, name, id, status, type, twoFactorEnabled}`; no userId."""
    org = sandbox.info["organization_id"]
    with bw(sandbox) as client:
        response = client.get("/list/object/org-members", params={"organizationId": org})
    body = response.json()
    assert body["success"] is True
    assert body["data"]["object"] == "list"
    rows = body["data"]["data"]
    assert len(rows) == len(state(sandbox)["members"])
    for row in rows:
        assert list(row) == [
            "object",
            "email",
            "name",
            "id",
            "status",
            "type",
            "twoFactorEnabled",
        ]
        assert row["object"] == "org-member"
    assert {r["status"] for r in rows} == {-1, 0, 1, 2, 3}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "`organizationid` option is required."),
        ({"organizationId": ""}, "`organizationid` option is required."),
        ({"organizationId": "abc"}, "`abc` is not a GUID."),
        ({"organizationid": "abc", "organizationId": "{org}"}, "`abc` is not a GUID."),
        ({"organizationId": UNKNOWN}, "Organization not found."),
        ({"organizationId": "{ORG}"}, "Organization not found."),
    ],
)
def test_org_members_argument_errors(sandbox: Sandbox, query: dict[str, str], message: str) -> None:
    """A3: the CLI's own messages for a missing, malformed or foreign organization id; the
    lower-case option wins, and the id is compared as given (in capitals it is not found)."""
    org = sandbox.info["organization_id"]
    params = {k: v.replace("{org}", org).replace("{ORG}", org.upper()) for k, v in query.items()}
    with bw(sandbox) as client:
        response = client.get("/list/object/org-members", params=params)
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": message}


def test_confirm_an_accepted_member_encrypts_the_org_key(sandbox: Sandbox) -> None:
    """A1/A2/4.1: Accepted → Confirmed; the key is the org key, RSA-OAEP-SHA1 for the member."""
    org = sandbox.info["organization_id"]
    member = members_with_status(sandbox, 1)[0]
    with bw(sandbox) as client:
        response = client.post(
            f"/confirm/org-member/{member['id']}", params={"organizationId": org}
        )
    assert response.status_code == 200
    assert response.json() == {"success": True}
    stored = sandbox.state.members[member["id"]]
    assert stored.status == 2
    assert stored.key is not None
    assert stored.key.startswith("4.")
    private_key = sandbox.state.accounts[member["userId"]].key_pair.private_key
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303
    plain = private_key.decrypt(base64.b64decode(stored.key[2:]), oaep)
    assert plain == sandbox.state.organization.symmetric_key


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (0, "Error: User must accept the invitation before they can be confirmed."),
        (2, "Error: User is already confirmed."),
        (-1, "Error: User is revoked and cannot be confirmed."),
        (3, "Error: User is not in a valid state to be confirmed."),
    ],
)
def test_confirm_refuses_every_other_status(sandbox: Sandbox, status: int, message: str) -> None:
    """4.1: only Accepted (1) can be confirmed; the CLI refuses the others itself, each with its
    own reason (`validateOrganizationUserStatus`), before asking the server."""
    org = sandbox.info["organization_id"]
    member = members_with_status(sandbox, status)[0]
    with bw(sandbox) as client:
        response = client.post(
            f"/confirm/org-member/{member['id']}", params={"organizationId": org}
        )
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": message}
    assert message in (*CONFIRM_REFUSALS.values(), NOT_CONFIRMABLE)
    assert sandbox.state.members[member["id"]].status == status


def test_confirm_unknown_member_or_organization(sandbox: Sandbox) -> None:
    """A1: no org key → `Error: No encryption key for this organization.` (the CLI's own Error);
    unknown member → the server's `Resource not found.`, passed on bare."""
    org = sandbox.info["organization_id"]
    member = members_with_status(sandbox, 1)[0]
    with bw(sandbox) as client:
        foreign = client.post(
            f"/confirm/org-member/{member['id']}", params={"organizationId": UNKNOWN}
        )
        unknown = client.post(f"/confirm/org-member/{UNKNOWN}", params={"organizationId": org})
    assert foreign.json()["message"] == "Error: No encryption key for this organization."
    assert unknown.json()["message"] == "Resource not found."
    assert sandbox.state.members[member["id"]].status == 1


def test_confirm_checks_the_organization_before_the_member(sandbox: Sandbox) -> None:
    """`ConfirmCommand`'s order: arguments, the organization's key, then the member's status —
    so an invited member in another organization (or one named in capitals) is refused for the
    organization; the lower-case `organizationid` wins over `organizationId`."""
    org = sandbox.info["organization_id"]
    invited = members_with_status(sandbox, 0)[0]["id"]
    cases = [
        ({"organizationId": UNKNOWN}, "Error: No encryption key for this organization."),
        ({"organizationId": org.upper()}, "Error: No encryption key for this organization."),
        (
            {"organizationid": UNKNOWN, "organizationId": org},
            "Error: No encryption key for this organization.",
        ),
        ({"organizationId": "nope"}, "`nope` is not a GUID."),
        ({}, "--organizationid <organizationid> required."),
    ]
    with bw(sandbox) as client:
        answers = [
            client.post(f"/confirm/org-member/{invited}", params=query).json()["message"]
            for query, _ in cases
        ]
        not_a_guid = client.post("/confirm/org-member/nope", params={"organizationId": "x"})
    assert answers == [message for _, message in cases]
    assert not_a_guid.json()["message"] == "`nope` is not a GUID."  # the member is checked first


def test_unknown_objects_are_refused_after_the_lock(sandbox: Sandbox) -> None:
    """`list`, `get` and `confirm` say `Unknown object.` — once the vault is unlocked; while it
    is locked the lock is what they report. Names are case-insensitive."""
    org = {"organizationId": sandbox.info["organization_id"]}
    requests = [
        ("GET", "/list/object/nothing"),
        ("GET", f"/object/nothing/{UNKNOWN}"),
        ("POST", f"/confirm/nothing/{UNKNOWN}"),
    ]
    with bw(sandbox, unlocked=False) as client:
        locked = [client.request(m, p, params=org).json()["message"] for m, p in requests]
        client.post("/unlock", json={"password": sandbox.info["bw_password"]})
        unlocked = [client.request(m, p, params=org).json()["message"] for m, p in requests]
        capitals = client.get("/list/object/ORG-MEMBERS", params=org).json()["success"]
        not_served = client.get("/list/object/items").json()["message"]
    assert locked == ["Vault is locked."] * 3
    assert unlocked == ["Unknown object."] * 3
    assert capitals is True
    assert "does not serve `list items`" in not_served


def test_fingerprint_of_a_member_uses_its_real_public_key(sandbox: Sandbox) -> None:
    """A5: `GET /object/fingerprint/{userId}` → the phrase of the account's SPKI public key."""
    member = members_with_status(sandbox, 1)[0]
    with bw(sandbox) as client:
        body = client.get(f"/object/fingerprint/{member['userId']}").json()
        missing = client.get(f"/object/fingerprint/{UNKNOWN}").json()
        not_guid = client.get("/object/fingerprint/nope").json()
    assert body["data"]["object"] == "string"
    account = sandbox.state.accounts[member["userId"]]
    expected = fingerprint_phrase(account.id, account.key_pair.public_key_der)
    assert body["data"]["data"] == expected
    assert len(expected.split("-")) >= 5
    assert missing == {"success": False, "message": "Not found."}
    assert not_guid == {"success": False, "message": "Not found."}


def test_unknown_route_is_koas_not_found(sandbox: Sandbox) -> None:
    """A4 (Koa): an unknown route → 404 `Not Found` in plain text."""
    response = httpx.get(sandbox.info["bw_serve_url"] + "/list/everything")
    assert response.status_code == 404
    assert response.text == "Not Found"


def test_org_members_list_follows_a_confirmation(sandbox: Sandbox) -> None:
    """A3: the list (cached between changes) shows the member Confirmed after `confirm`."""
    org = sandbox.info["organization_id"]
    member = members_with_status(sandbox, 1)[0]
    with bw(sandbox) as client:
        first = client.get("/list/object/org-members", params={"organizationId": org}).json()
        client.post(f"/confirm/org-member/{member['id']}", params={"organizationId": org})
        second = client.get("/list/object/org-members", params={"organizationId": org}).json()

    def status(body: dict[str, Any]) -> int:
        row = next(r for r in body["data"]["data"] if r["id"] == member["id"])
        value: int = row["status"]
        return value

    assert (status(first), status(second)) == (1, 2)


def test_malformed_json_is_koas_400_text(sandbox: Sandbox) -> None:
    """A4 (koa-bodyparser): an unparsable JSON body → 400 with a plain-text message, no crash."""
    response = httpx.post(
        sandbox.info["bw_serve_url"] + "/unlock",
        content=b"{bad",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "JSON" in response.text


def test_unlock_accepts_a_form_body(sandbox: Sandbox) -> None:
    """A4 (koa-bodyparser): form bodies are parsed too."""
    response = httpx.post(
        sandbox.info["bw_serve_url"] + "/unlock", data={"password": sandbox.info["bw_password"]}
    )
    assert response.status_code == 200
    assert response.json()["success"] is True
