"""The sandbox's client API, driven as a Bitwarden client drives it, over its HTTPS front.

The client side here is written out with hashlib and `cryptography` directly (not the sandbox's
own crypto module), so a mistake in the sandbox cannot be mirrored by the test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from app.sandbox.server import Sandbox
from app.sandbox.state import MemberStatus
from tests.integration.conftest import member_with
from tests.unit.sandbox.helpers import token_form

OAEP_SHA1 = OAEP(mgf=MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303


@pytest.fixture
def client(vault_sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An HTTPS client that trusts only the sandbox's throwaway CA."""
    context = ssl.create_default_context(cafile=vault_sandbox.info["ca_file"])
    with httpx.Client(base_url=vault_sandbox.info["bw_server_url"], verify=context) as http:
        yield http


def _password_hash(password: str, email: str, iterations: int) -> tuple[bytes, str]:
    master_key = hashlib.pbkdf2_hmac("sha256", password.encode(), email.encode(), iterations, 32)
    hashed = hashlib.pbkdf2_hmac("sha256", master_key, password.encode(), 1, 32)
    return master_key, base64.b64encode(hashed).decode()


def _open_type_2(enc: str, key: bytes) -> bytes:
    kind, _, body = enc.partition(".")
    assert kind == "2"
    iv, ciphertext, mac = (base64.b64decode(part) for part in body.split("|"))
    assert hmac.compare_digest(mac, hmac.new(key[32:], iv + ciphertext, hashlib.sha256).digest())
    decryptor = Cipher(algorithms.AES(key[:32]), modes.CBC(iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    return unpadder.update(padded) + unpadder.finalize()


def _status(sandbox: Sandbox, member_id: str) -> MemberStatus:
    with sandbox.state.lock:
        return sandbox.state.members[member_id].status


#: The server refuses a user login without `Bitwarden-Client-Version` (reference 1).
CLIENT_VERSION = {"Bitwarden-Client-Version": "2026.6.0"}


def _token_form(email: str, password_hash: str) -> dict[str, str]:
    return {
        "grant_type": "password",
        "username": email,
        "password": password_hash,
        "scope": "api offline_access",
        "client_id": "cli",
        "deviceType": "25",
        "deviceIdentifier": "3f1c7f4e-1111-4a4a-9d9d-000000000001",
        "deviceName": "linux",
    }


def _log_in(client: httpx.Client, sandbox: Sandbox) -> tuple[dict[str, Any], bytes]:
    """Prelogin and the password grant; returns the token response and the master key."""
    email, password = sandbox.info["admin_email"], sandbox.info["bw_password"]
    prelogin = client.post("/identity/accounts/prelogin/password", json={"email": email}).json()
    assert prelogin["kdf"] == 0
    assert prelogin["kdfIterations"] == 600_000
    master_key, hashed = _password_hash(password, email, prelogin["kdfIterations"])
    token = client.post(
        "/identity/connect/token", data=_token_form(email, hashed), headers=CLIENT_VERSION
    )
    assert token.status_code == 200, token.text
    return token.json(), master_key


def test_a_client_logs_in_and_opens_every_key_it_is_given(
    vault_sandbox: Sandbox, client: httpx.Client
) -> None:
    token, master_key = _log_in(client, vault_sandbox)
    stretched = HKDFExpand(hashes.SHA256(), 32, b"enc").derive(master_key) + HKDFExpand(
        hashes.SHA256(), 32, b"mac"
    ).derive(master_key)
    user_key = _open_type_2(token["Key"], stretched)
    assert len(user_key) == 64
    private_der = _open_type_2(token["PrivateKey"], user_key)
    private_key = serialization.load_der_private_key(private_der, password=None)
    assert isinstance(private_key, rsa.RSAPrivateKey)
    public_der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pair = token["AccountKeys"]["publicKeyEncryptionKeyPair"]
    assert base64.b64decode(pair["publicKey"]) == public_der
    unlock = token["UserDecryptionOptions"]["MasterPasswordUnlock"]
    assert unlock["MasterKeyEncryptedUserKey"] == token["Key"]
    assert unlock["Salt"] == vault_sandbox.info["admin_email"]

    headers = {"Authorization": f"Bearer {token['access_token']}"}
    sync = client.get("/api/sync", params={"excludeDomains": "true"}, headers=headers).json()
    (organization,) = sync["profile"]["organizations"]
    assert organization["id"] == vault_sandbox.info["organization_id"]
    assert organization["key"].startswith("4.")
    org_key = private_key.decrypt(base64.b64decode(organization["key"][2:]), OAEP_SHA1)
    assert org_key == vault_sandbox.state.organization.symmetric_key

    refreshed = client.post(
        "/identity/connect/token",
        data={
            "grant_type": "refresh_token",
            "client_id": "cli",
            "refresh_token": token["refresh_token"],
        },
    ).json()
    again = {"Authorization": f"Bearer {refreshed['access_token']}"}
    assert (
        client.get("/api/accounts/profile", headers=again).json()["email"]
        == (vault_sandbox.info["admin_email"])
    )


def test_prelogin_without_an_email_is_a_model_state_error(client: httpx.Client) -> None:
    """The identity server's model validation: 400 with `validationErrors` keyed by the field."""
    for body in ({}, {"email": "  "}):
        refused = client.post("/identity/accounts/prelogin/password", json=body)
        assert refused.status_code == 400
        assert refused.json() == {
            "message": "The model state is invalid.",
            "validationErrors": {"Email": ["The Email field is required."]},
            "exceptionMessage": None,
            "exceptionStackTrace": None,
            "innerExceptionMessage": None,
            "object": "error",
        }


def test_a_wrong_password_and_a_missing_or_foreign_token_are_refused(
    vault_sandbox: Sandbox, client: httpx.Client
) -> None:
    email = vault_sandbox.info["admin_email"]
    _, wrong = _password_hash("not the password", email, 600_000)
    refused = client.post("/identity/connect/token", data=_token_form(email, wrong))
    assert refused.status_code == 400
    assert refused.json()["ErrorModel"]["Message"] == (
        "Username or password is incorrect. Try again."
    )
    assert client.get("/api/sync").status_code == 401
    org_token = client.post(
        "/identity/connect/token",
        data=token_form(vault_sandbox),
    ).json()["access_token"]
    foreign = {"Authorization": f"Bearer {org_token}"}
    assert client.get("/api/sync", headers=foreign).status_code == 401
    users = f"/api/organizations/{vault_sandbox.info['organization_id']}/users"
    assert client.get(users, headers=foreign).status_code == 401


def test_confirm_accepts_only_a_key_the_member_can_open(
    vault_sandbox: Sandbox, client: httpx.Client
) -> None:
    token, _ = _log_in(client, vault_sandbox)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    org_id = vault_sandbox.info["organization_id"]
    org_key = vault_sandbox.state.organization.symmetric_key
    accepted = member_with(vault_sandbox, MemberStatus.ACCEPTED)
    invited = member_with(vault_sandbox, MemberStatus.INVITED)

    details = client.get(f"/api/organizations/{org_id}/users/{accepted.id}", headers=headers)
    user_id = details.json()["userId"]
    answer = client.get(f"/api/users/{user_id}/public-key", headers=headers).json()
    public_key = serialization.load_der_public_key(base64.b64decode(answer["publicKey"]))
    assert isinstance(public_key, rsa.RSAPublicKey)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()

    def wrapped(secret: bytes, key: rsa.RSAPublicKey) -> str:
        return "4." + base64.b64encode(key.encrypt(secret, OAEP_SHA1)).decode()

    confirm = f"/api/organizations/{org_id}/users/{accepted.id}/confirm"
    for bad in (wrapped(org_key, stranger), wrapped(bytes(64), public_key), "4.AAAA"):
        refused = client.post(confirm, json={"key": bad}, headers=headers)
        assert refused.status_code == 400
        assert refused.json()["message"].startswith("Sandbox check:")
    assert accepted.status == MemberStatus.ACCEPTED

    good = wrapped(org_key, public_key)
    invited_url = f"/api/organizations/{org_id}/users/{invited.id}/confirm"
    not_valid = client.post(invited_url, json={"key": good}, headers=headers)
    assert not_valid.status_code == 400
    assert not_valid.json()["message"] == "User not valid."
    assert invited.status == MemberStatus.INVITED

    assert client.post(confirm, json={"key": good}, headers=headers).status_code == 200
    assert _status(vault_sandbox, accepted.id) == MemberStatus.CONFIRMED
    assert accepted.key == good
    again = client.post(confirm, json={"key": good}, headers=headers)
    assert again.json()["message"] == "User not valid."


def test_bulk_confirm_reports_each_member_and_skips_the_unconfirmable(
    vault_sandbox: Sandbox, client: httpx.Client
) -> None:
    token, _ = _log_in(client, vault_sandbox)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    org_id = vault_sandbox.info["organization_id"]
    org_key = vault_sandbox.state.organization.symmetric_key
    with vault_sandbox.state.lock:
        accepted = [
            m for m in vault_sandbox.state.members.values() if m.status == MemberStatus.ACCEPTED
        ]
    assert len(accepted) >= 2, "the seed makes several accepted members"
    invited = member_with(vault_sandbox, MemberStatus.INVITED)
    ids = [m.id for m in accepted[:2]] + [invited.id]
    keys = client.post(
        f"/api/organizations/{org_id}/users/public-keys", json={"ids": ids}, headers=headers
    ).json()["data"]
    assert [row["id"] for row in keys] == ids[:2]
    public = {
        row["id"]: serialization.load_der_public_key(base64.b64decode(row["key"])) for row in keys
    }
    first, second = accepted[0], accepted[1]
    key_first = public[first.id]
    assert isinstance(key_first, rsa.RSAPublicKey)
    for_first = "4." + base64.b64encode(key_first.encrypt(org_key, OAEP_SHA1)).decode()
    body = {
        "keys": [
            {"id": first.id, "key": for_first},
            {"id": second.id, "key": for_first},  # the first member's key: cannot open
            {"id": invited.id, "key": "4.AAAA"},
        ]
    }
    rows = client.post(
        f"/api/organizations/{org_id}/users/confirm", json=body, headers=headers
    ).json()["data"]
    assert {row["id"]: row["error"] == "" for row in rows} == {first.id: True, second.id: False}
    assert _status(vault_sandbox, first.id) == MemberStatus.CONFIRMED
    assert _status(vault_sandbox, second.id) == MemberStatus.ACCEPTED
