"""Two-step login, new-device verification and Argon2id admins, beyond the basics of
test_vault_logins.py (real HTTP; the client side by hand, RFC 6238 written out here).

reference bitwarden-native-confirm.md 2.3 (bodies), 2.4 (answering: e-mail code trap, remember
token, new-device conditions), 3.1 (Argon2id).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from typing import Any

import httpx
import pytest

from app.sandbox.server import Sandbox
from tests.fixtures.sandbox import SandboxFactory
from tests.unit.sandbox import vault_client as vc


def _totp(secret_base32: str, at: float | None = None) -> str:
    """RFC 6238, SHA-1, 30 s, 6 digits, written from the RFC (not the sandbox's code)."""
    secret = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


def _switch(box: Sandbox, **settings: Any) -> dict[str, Any]:
    answer = vc.control(box, "POST", "/admin/login", json=settings)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _admin(box: Sandbox) -> tuple[httpx.Client, str, str]:
    """An unopened client, the admin's e-mail and master-password hash."""
    email = box.info["admin_email"]
    with vc.http(box) as once:
        _, hashed = vc.hashed_password(once, email, box.info["bw_password"])
    return vc.http(box), email, hashed


def test_an_authenticator_code_from_the_shared_secret_logs_in(sandbox: Sandbox) -> None:
    secret = _switch(sandbox, two_step=["authenticator"])["totp_secret"]
    client, email, hashed = _admin(sandbox)
    with client:
        challenge = vc.token_request(client, vc.password_form(email, hashed))
        assert challenge.status_code == 400
        body = challenge.json()
        assert body["TwoFactorProviders"] == ["0"]
        assert body["TwoFactorProviders2"] == {"0": None}
        assert "SsoEmail2faSessionToken" not in body  # only with the e-mail provider
        code = _totp(secret)
        wrong = f"{(int(code) + 500_000) % 10**6:06d}"
        refused = vc.token_request(
            client, vc.password_form(email, hashed, twoFactorToken=wrong, twoFactorProvider="0")
        )
        assert refused.json()["ErrorModel"]["Message"] == "Two-step token is invalid. Try again."
        # one 30-second step of clock skew is accepted, as Otp.NET's default window
        late = _totp(secret, time.time() - 30)
        accepted = vc.token_request(
            client,
            vc.password_form(email, hashed, twoFactorToken=late, twoFactorProvider="Authenticator"),
        )
    assert accepted.status_code == 200, accepted.text
    assert "TwoFactorToken" not in accepted.json()


def test_a_fresh_challenge_after_the_mail_went_out_kills_the_mailed_code(
    sandbox: Sandbox,
) -> None:
    """The trap the reference warns of: the challenge regenerates the e-mail code (not mailed)."""
    _switch(sandbox, two_step=[1])
    client, email, hashed = _admin(sandbox)
    with client:
        challenge = vc.token_request(client, vc.password_form(email, hashed)).json()
        assert challenge["TwoFactorProviders2"]["1"]["Email"] == "ad***@sandbox.example"
        assert challenge["Email"] == email
        sent = client.post(
            "/api/two-factor/send-email-login",
            json={"email": email, "masterPasswordHash": hashed, "deviceIdentifier": vc.DEVICE},
        )
        assert sent.status_code == 200
        mailed = vc.control(sandbox, "GET", "/admin/mailbox").json()["two_step"]
        vc.token_request(client, vc.password_form(email, hashed))  # a second challenge
        stale = vc.token_request(
            client, vc.password_form(email, hashed, twoFactorToken=mailed, twoFactorProvider="1")
        )
    assert stale.status_code == 400
    assert stale.json()["ErrorModel"]["Message"] == "Two-step token is invalid. Try again."


def test_send_email_login_needs_the_hash_or_the_session_token_and_a_device(
    sandbox: Sandbox,
) -> None:
    _switch(sandbox, two_step=[1])
    client, email, hashed = _admin(sandbox)
    with client:
        challenge = vc.token_request(client, vc.password_form(email, hashed)).json()
        no_device = client.post(
            "/api/two-factor/send-email-login", json={"email": email, "masterPasswordHash": hashed}
        )
        wrong = client.post(
            "/api/two-factor/send-email-login",
            json={"email": email, "masterPasswordHash": "bm90IGl0", "deviceIdentifier": vc.DEVICE},
        )
        by_session = client.post(
            "/api/two-factor/send-email-login",
            json={
                "email": email,
                "ssoEmail2FaSessionToken": challenge["SsoEmail2faSessionToken"],
                "deviceIdentifier": vc.DEVICE,
            },
        )
        code = vc.control(sandbox, "GET", "/admin/mailbox").json()["two_step"]
        good = vc.token_request(
            client, vc.password_form(email, hashed, twoFactorToken=code, twoFactorProvider="1")
        )
    assert no_device.status_code == 400
    assert no_device.json()["message"] == "A valid device identifier is required."
    assert wrong.status_code == 400
    assert wrong.json()["message"] == "Cannot send two-factor email."
    assert by_session.status_code == 200
    assert good.status_code == 200, good.text


def test_a_remembered_two_step_login_skips_the_code_next_time(sandbox: Sandbox) -> None:
    secret = _switch(sandbox, two_step=[0])["totp_secret"]
    client, email, hashed = _admin(sandbox)
    with client:
        first = vc.token_request(
            client,
            vc.password_form(
                email,
                hashed,
                twoFactorToken=_totp(secret),
                twoFactorProvider="0",
                twoFactorRemember="1",
            ),
        ).json()
        remember = first["TwoFactorToken"]
        again = vc.token_request(
            client, vc.password_form(email, hashed, twoFactorToken=remember, twoFactorProvider="5")
        )
        forged = vc.token_request(
            client, vc.password_form(email, hashed, twoFactorToken="forged", twoFactorProvider="5")
        )
    assert again.status_code == 200
    assert forged.json()["error_description"] == "Two factor required."  # the challenge again


def test_new_device_verification_spares_first_logins_api_keys_and_two_step_accounts(
    sandbox: Sandbox,
) -> None:
    _switch(sandbox, new_device_verification=True)
    members = vc.control(sandbox, "GET", "/state").json()["members"]
    member = next(m for m in members if m["status"] == 1 and m["userId"])
    creds = vc.control(sandbox, "GET", f"/members/{member['id']}/credentials").json()
    with vc.http(sandbox) as client:
        _, member_hash = vc.hashed_password(client, creds["email"], creds["master_password"])
        # a new account's first login: no device yet, less than a day old
        first = vc.token_request(client, vc.password_form(creds["email"], member_hash))
        assert first.status_code == 200, first.text
        api_key = vc.token_request(
            client,
            {
                "grant_type": "client_credentials",
                "client_id": sandbox.info["admin_api_key_client_id"],
                "client_secret": sandbox.info["admin_api_key_client_secret"],
                "scope": "api",
                "deviceType": "8",
                "deviceIdentifier": "11111111-0000-4000-8000-000000000001",
                "deviceName": "linux",
            },
        )
        assert api_key.status_code == 200
    # the admin (400 days old, one device) from a new device is asked; with two-step on, never
    client, email, hashed = _admin(sandbox)
    with client:
        other = vc.password_form(
            email, hashed, deviceIdentifier="22222222-0000-4000-8000-0000000002"
        )
        asked = vc.token_request(client, other)
        assert asked.json()["error_description"] == "New device verification required"
        secret = _switch(sandbox, two_step=[0])["totp_secret"]
        other["twoFactorToken"], other["twoFactorProvider"] = _totp(secret), "0"
        assert vc.token_request(client, other).status_code == 200


def test_a_device_that_logged_in_before_the_switch_stays_known(sandbox: Sandbox) -> None:
    client, email, hashed = _admin(sandbox)
    with client:
        assert vc.token_request(client, vc.password_form(email, hashed)).status_code == 200
        _switch(sandbox, new_device_verification=True)
        assert vc.token_request(client, vc.password_form(email, hashed)).status_code == 200


def test_an_argon2id_admin_from_the_start_unlocks_with_the_server_defaults(
    sandbox_factory: SandboxFactory,
) -> None:
    box = sandbox_factory(members=6, admin_kdf="argon2id")
    email, password = box.info["admin_email"], box.info["bw_password"]
    with vc.http(box) as client:
        prelogin = vc.prelogin(client, email)
        assert prelogin["kdfSettings"] == {
            "kdfType": 1,
            "iterations": 6,
            "memory": 32,
            "parallelism": 4,
        }
        key = vc.master_key(password, email, prelogin)
        answer = vc.token_request(client, vc.password_form(email, vc.password_hash(key, password)))
        assert answer.status_code == 200, answer.text
        token = answer.json()
        assert (token["Kdf"], token["KdfMemory"], token["KdfParallelism"]) == (1, 32, 4)
        private = vc.unlock(token, key)
        sync = client.get("/api/sync", headers=vc.bearer(token)).json()
    assert sync["userDecryption"]["masterPasswordUnlock"]["Kdf"]["KdfType"] == 1
    (organization,) = sync["profile"]["organizations"]
    assert vc.open_type_4(organization["key"], private) == box.state.organization.symmetric_key


def test_a_kdf_change_ends_the_sessions_and_a_bad_setting_changes_nothing(
    sandbox: Sandbox,
) -> None:
    client, email, hashed = _admin(sandbox)
    with client:
        token = vc.token_request(client, vc.password_form(email, hashed)).json()
        before = vc.control(sandbox, "GET", "/admin/login").json()
        for bad in (
            {"two_step": [7]},
            {"kdf": "scrypt"},
            {"colour": "red"},
            {"kdf": {"kdf": "argon2id", "memory": 8}},
        ):
            refused = vc.control(sandbox, "POST", "/admin/login", json=bad)
            assert refused.status_code == 400, bad
        assert vc.control(sandbox, "GET", "/admin/login").json() == before
        changed = _switch(sandbox, kdf={"kdf": "argon2id", "iterations": 3, "memory": 16})
        assert changed["kdf_settings"] == {"iterations": 3, "memory": 16, "parallelism": 4}
        assert client.get("/api/sync", headers=vc.bearer(token)).status_code == 401
        refresh = client.post(
            "/identity/connect/token",
            data={
                "grant_type": "refresh_token",
                "client_id": "desktop",
                "refresh_token": token["refresh_token"],
            },
        )
        assert refresh.status_code == 400
        assert vc.prelogin(client, email)["kdfIterations"] == 3


def _api_key_login(box: Sandbox) -> httpx.Response:
    with vc.http(box) as client:
        return vc.token_request(
            client,
            {
                "grant_type": "client_credentials",
                "client_id": box.info["admin_api_key_client_id"],
                "client_secret": box.info["admin_api_key_client_secret"],
                "scope": "api",
                "deviceType": "8",
                "deviceIdentifier": vc.DEVICE,
                "deviceName": "linux",
            },
        )


def test_a_key_connector_admin_has_no_master_password_and_the_api_key_says_so(
    sandbox: Sandbox,
) -> None:
    """reference 2.7: `HasMasterPassword: false`, `ApiUseKeyConnector: true`, a `Key` no
    password opens, `usesKeyConnector` in the profile; the password grant fails."""
    email, password = sandbox.info["admin_email"], sandbox.info["bw_password"]
    assert _switch(sandbox, account="key_connector")["account"] == "key_connector"
    client, _, hashed = _admin(sandbox)
    with client:
        refused = vc.token_request(client, vc.password_form(email, hashed))
        assert refused.json()["ErrorModel"]["Message"] == (
            "Username or password is incorrect. Try again."
        )
        key = vc.master_key(password, email, vc.prelogin(client, email))
        token = _api_key_login(sandbox).json()
        assert token["ApiUseKeyConnector"] is True
        assert token["UserDecryptionOptions"] == {
            "HasMasterPassword": False,
            "Object": "userDecryptionOptions",
        }
        with pytest.raises(AssertionError, match="MAC"):  # no password opens this user key
            vc.open_type_2(token["Key"], vc.stretch(key))
        sync = client.get("/api/sync", headers=vc.bearer(token)).json()
        org = sandbox.info["organization_id"]
        rows = client.get(f"/api/organizations/{org}/users", headers=vc.bearer(token)).json()
    assert sync["profile"]["usesKeyConnector"] is True
    assert sync["userDecryption"]["masterPasswordUnlock"] is None
    me = next(r for r in rows["data"] if r["email"] == email)
    assert (me["usesKeyConnector"], me["hasMasterPassword"]) == (True, False)


def test_a_trusted_device_admin_gets_no_key_and_switches_back(sandbox: Sandbox) -> None:
    _switch(sandbox, account="trusted_device")
    token = _api_key_login(sandbox).json()
    assert "Key" not in token
    assert "ApiUseKeyConnector" not in token
    assert token["UserDecryptionOptions"]["HasMasterPassword"] is False
    assert token["PrivateKey"].startswith("2.")
    _switch(sandbox, account="master_password")
    client, email, hashed = _admin(sandbox)
    with client:
        assert vc.token_request(client, vc.password_form(email, hashed)).status_code == 200
    assert vc.control(sandbox, "POST", "/admin/login", json={"account": "sso"}).status_code == 400
