"""Members who can log in, the collection they read, and the hostile key swap (real HTTP).

reference bitwarden-native-confirm.md 4.2 (a collection name proves the org key), 5.1 (bulk
public keys: Accepted members only), 5.5 (confirm); interfaces.md "Sandbox server" (control).
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.sandbox.fingerprint import fingerprint_phrase
from app.sandbox.server import Sandbox
from tests.unit.sandbox import vault_client as vc

ACCEPTED, CONFIRMED = 1, 2


def _member(box: Sandbox, status: int) -> dict[str, Any]:
    """A member (not the admin) of that status with an account."""
    answer = vc.control(box, "GET", "/state")
    return next(
        m
        for m in answer.json()["members"]
        if m["status"] == status and m["userId"] and m["email"] != box.info["admin_email"]
    )


def _log_in(box: Sandbox, email: str, password: str) -> tuple[dict[str, Any], bytes]:
    with vc.http(box) as client:
        key, hashed = vc.hashed_password(client, email, password)
        answer = vc.token_request(client, vc.password_form(email, hashed))
    assert answer.status_code == 200, answer.text
    token: dict[str, Any] = answer.json()
    return token, key


def _admin_token(box: Sandbox) -> dict[str, Any]:
    return _log_in(box, box.info["admin_email"], box.info["bw_password"])[0]


def test_the_json_line_names_the_admin_api_key_and_the_shared_collection(sandbox: Sandbox) -> None:
    info = sandbox.info
    assert info["admin_api_key_client_id"] == f"user.{info_admin_id(sandbox)}"
    assert len(info["admin_api_key_client_secret"]) == 30
    assert info["admin_api_key_client_secret"].isalnum()
    assert info["collection_name"] == "Shared with everyone"


def info_admin_id(box: Sandbox) -> str:
    return str(vc.control(box, "GET", "/state").json()["admin"]["userId"])


def test_every_account_holder_has_credentials_and_others_have_none(sandbox: Sandbox) -> None:
    members = vc.control(sandbox, "GET", "/state").json()["members"]
    for member in members:
        answer = vc.control(sandbox, "GET", f"/members/{member['id']}/credentials")
        if member["userId"] is None:
            assert answer.status_code == 404
        else:
            assert answer.status_code == 200
            assert answer.json()["email"] == member["email"]
            assert len(answer.json()["master_password"]) >= 12
    assert vc.control(sandbox, "GET", "/members/not-a-member/credentials").status_code == 404


def test_an_accepted_member_logs_in_with_the_credentials(sandbox: Sandbox) -> None:
    member = _member(sandbox, ACCEPTED)
    creds = vc.control(sandbox, "GET", f"/members/{member['id']}/credentials").json()
    token, key = _log_in(sandbox, creds["email"], creds["master_password"])
    private = vc.unlock(token, key)
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert base64.b64decode(token["AccountKeys"]["publicKeyEncryptionKeyPair"]["publicKey"]) == (
        public
    )
    with vc.http(sandbox) as client:
        sync = client.get("/api/sync", headers=vc.bearer(token)).json()
    # Accepted, not confirmed: no organization key and no collection yet
    assert sync["profile"]["organizations"] == []
    assert sync["collections"] == []


def test_a_confirmed_member_reads_the_shared_collection_with_the_key_stored_for_them(
    sandbox: Sandbox,
) -> None:
    member = _member(sandbox, CONFIRMED)
    creds = vc.control(sandbox, "GET", f"/members/{member['id']}/credentials").json()
    token, key = _log_in(sandbox, creds["email"], creds["master_password"])
    private = vc.unlock(token, key)
    with vc.http(sandbox) as client:
        sync = client.get("/api/sync", headers=vc.bearer(token)).json()
        listed = client.get("/api/collections", headers=vc.bearer(token)).json()
    (organization,) = sync["profile"]["organizations"]
    org_key = vc.open_type_4(organization["key"], private)
    assert len(org_key) == 64
    names = {vc.open_type_2(c["name"], org_key).decode() for c in sync["collections"]}
    assert sandbox.info["collection_name"] in names
    assert {c["id"] for c in listed["data"]} == {c["id"] for c in sync["collections"]}
    shared = next(
        c
        for c in listed["data"]
        if vc.open_type_2(c["name"], org_key).decode() == sandbox.info["collection_name"]
    )
    assert shared["object"] == "collectionDetails"
    assert shared["organizationId"] == sandbox.info["organization_id"]
    assert shared["readOnly"] is True
    assert shared["name"].startswith("2.")  # stored encrypted: the plain name is not on the wire


def test_the_admin_lists_every_collection_of_the_organization(sandbox: Sandbox) -> None:
    token = _admin_token(sandbox)
    org = sandbox.info["organization_id"]
    with vc.http(sandbox) as client:
        answer = client.get(f"/api/organizations/{org}/collections", headers=vc.bearer(token))
        anonymous = client.get(f"/api/organizations/{org}/collections")
    assert anonymous.status_code == 401
    assert answer.status_code == 200
    rows = answer.json()["data"]
    assert len(rows) == 5  # the shared one and the four the seed gives access to
    assert all(row["object"] == "collection" and row["name"].startswith("2.") for row in rows)


def test_a_collection_name_is_stored_once_and_served_unchanged(sandbox: Sandbox) -> None:
    token = _admin_token(sandbox)
    with vc.http(sandbox) as client:
        first = client.get("/api/sync", headers=vc.bearer(token)).json()["collections"]
        second = client.get("/api/sync", headers=vc.bearer(token)).json()["collections"]
    assert first == second


def test_swap_key_changes_the_public_key_and_the_phrase_everywhere(sandbox: Sandbox) -> None:
    member = _member(sandbox, ACCEPTED)
    token = _admin_token(sandbox)
    org = sandbox.info["organization_id"]
    headers = vc.bearer(token)
    with vc.http(sandbox) as client:
        before = client.get(f"/api/users/{member['userId']}/public-key", headers=headers).json()
        swapped = vc.control(sandbox, "POST", f"/members/{member['id']}/swap-key")
        after = client.get(f"/api/users/{member['userId']}/public-key", headers=headers).json()
        bulk = client.post(
            f"/api/organizations/{org}/users/public-keys",
            json={"ids": [member["id"]]},
            headers=headers,
        ).json()["data"]
    assert swapped.status_code == 200
    assert after["publicKey"] != before["publicKey"]
    assert swapped.json()["publicKey"] == after["publicKey"] == bulk[0]["key"]
    new_phrase = fingerprint_phrase(member["userId"], base64.b64decode(after["publicKey"]))
    old_phrase = fingerprint_phrase(member["userId"], base64.b64decode(before["publicKey"]))
    assert swapped.json()["fingerprint"] == new_phrase != old_phrase
    # the member still logs in and opens the new private key
    creds = vc.control(sandbox, "GET", f"/members/{member['id']}/credentials").json()
    member_token, key = _log_in(sandbox, creds["email"], creds["master_password"])
    private = vc.unlock(member_token, key)
    assert isinstance(private, rsa.RSAPrivateKey)
    assert (
        base64.b64encode(
            private.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        ).decode()
        == after["publicKey"]
    )
    assert vc.control(sandbox, "POST", "/members/nobody/swap-key").status_code == 404


def test_bulk_public_keys_lists_accepted_members_only(sandbox: Sandbox) -> None:
    token = _admin_token(sandbox)
    org = sandbox.info["organization_id"]
    members = vc.control(sandbox, "GET", "/state").json()["members"]
    with vc.http(sandbox) as client:
        rows = client.post(
            f"/api/organizations/{org}/users/public-keys",
            json={"ids": [m["id"] for m in members]},
            headers=vc.bearer(token),
        ).json()["data"]
    accepted = {m["id"] for m in members if m["status"] == ACCEPTED}
    assert accepted
    assert {row["id"] for row in rows} == accepted


def test_a_bulk_confirm_fault_crashes_midway_once_and_leaves_the_rest_accepted(
    sandbox: Sandbox,
) -> None:
    """`POST {control_url}/vault/faults`: the server error mid-bulk a native client must survive."""
    email, password = sandbox.info["admin_email"], sandbox.info["bw_password"]
    token, key = _log_in(sandbox, email, password)
    private = vc.unlock(token, key)
    org = sandbox.info["organization_id"]
    headers = vc.bearer(token)
    members = vc.control(sandbox, "GET", "/state").json()["members"]
    accepted = [m["id"] for m in members if m["status"] == ACCEPTED][:2]
    assert len(accepted) == 2
    bad = vc.control(sandbox, "POST", "/vault/faults", json={"bulk_confirm_fails_after": -1})
    assert bad.status_code == 400
    assert vc.control(
        sandbox, "POST", "/vault/faults", json={"bulk_confirm_fails_after": 1}
    ).json() == {"bulk_confirm_fails_after": 1}
    with vc.http(sandbox) as client:
        sync = client.get("/api/sync", headers=headers).json()
        org_key = vc.open_type_4(sync["profile"]["organizations"][0]["key"], private)
        rows = client.post(
            f"/api/organizations/{org}/users/public-keys", json={"ids": accepted}, headers=headers
        ).json()["data"]
        keys = [
            {"id": row["id"], "key": vc.encrypt_type_4(org_key, base64.b64decode(row["key"]))}
            for row in rows
        ]
        crashed = client.post(
            f"/api/organizations/{org}/users/confirm", json={"keys": keys}, headers=headers
        )
        statuses = {
            m["id"]: m["status"] for m in vc.control(sandbox, "GET", "/state").json()["members"]
        }
        again = client.post(
            f"/api/organizations/{org}/users/confirm", json={"keys": keys}, headers=headers
        )
    assert crashed.status_code == 500
    assert crashed.json()["message"] == "An error has occurred."
    assert sorted(statuses[i] for i in accepted) == [ACCEPTED, CONFIRMED]
    # the fault was one-shot: the rerun confirms the one left (the confirmed one is dropped)
    assert again.status_code == 200
    assert [(row["id"], row["error"]) for row in again.json()["data"]] == [
        (next(i for i in accepted if statuses[i] == ACCEPTED), "")
    ]
