"""The sandbox's native-confirm logins over raw HTTP (bitwarden-native-confirm.md §2, §3.1).

The client side here is written from the reference (PBKDF2 / Argon2id by hand), not the program's
own vault client.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
from argon2.low_level import Type, hash_secret_raw

from app.sandbox.server import Sandbox

DEVICE = "6f1f0d1e-0000-4000-8000-00000000abcd"
#: Every user login must name the client's version (§1).
HEADERS = {"Bitwarden-Client-Version": "2026.6.0"}


def _hash(box: Sandbox, kdf: dict[str, Any]) -> str:
    password = box.info["bw_password"].encode()
    email = box.info["admin_email"].strip().lower().encode()
    if kdf["kdf"] == 1:
        master = hash_secret_raw(
            password,
            hashlib.sha256(email).digest(),
            kdf["kdfIterations"],
            kdf["kdfMemory"] * 1024,
            kdf["kdfParallelism"],
            32,
            Type.ID,
        )
    else:
        master = hashlib.pbkdf2_hmac("sha256", password, email, kdf["kdfIterations"], 32)
    return base64.b64encode(hashlib.pbkdf2_hmac("sha256", master, password, 1, 32)).decode()


def _prelogin(box: Sandbox) -> dict[str, Any]:
    answer = httpx.post(
        box.info["identity_url"] + "/accounts/prelogin/password",
        json={"email": box.info["admin_email"]},
    )
    body: dict[str, Any] = answer.json()
    return body


def _token(box: Sandbox, password_hash: str, **extra: str) -> httpx.Response:
    form = {
        "grant_type": "password",
        "username": box.info["admin_email"],
        "password": password_hash,
        "scope": "api offline_access",
        "client_id": "desktop",
        "deviceType": "8",
        "deviceIdentifier": DEVICE,
        "deviceName": "test",
        **extra,
    }
    return httpx.post(box.info["identity_url"] + "/connect/token", data=form, headers=HEADERS)


def _control(box: Sandbox, **settings: Any) -> dict[str, Any]:
    answer = httpx.post(box.info["control_url"] + "/admin/login", json=settings)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def _mailbox(box: Sandbox) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(box.info["control_url"] + "/admin/mailbox").json()
    return body


def test_the_personal_api_key_grant_has_no_refresh_token_and_refuses_a_wrong_secret(
    sandbox: Sandbox,
) -> None:
    """§2.1: client_credentials, `user.<id>`, scope `api`; access token 3600 s, no refresh."""
    info = sandbox.info
    form = {
        "grant_type": "client_credentials",
        "client_id": info["admin_api_key_client_id"],
        "client_secret": info["admin_api_key_client_secret"],
        "scope": "api",
        "deviceType": "8",
        "deviceIdentifier": DEVICE,
        "deviceName": "test",
    }
    _control(sandbox, two_step=[0], new_device_verification=True)  # neither applies (§2.1)
    answer = httpx.post(info["identity_url"] + "/connect/token", data=form, headers=HEADERS)
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == 3600
    assert "refresh_token" not in body
    assert body["Key"].startswith("2.")
    wrong = httpx.post(
        info["identity_url"] + "/connect/token",
        data={**form, "client_secret": "x"},
        headers=HEADERS,
    )
    assert (wrong.status_code, wrong.json()) == (400, {"error": "invalid_client"})


def test_two_step_challenge_email_code_and_wrong_token(sandbox: Sandbox) -> None:
    """§2.3/§2.4: the challenge names the providers; the e-mail code is mailed only when asked
    (send-email-login), is one-use; a wrong token is "Two-step token is invalid"."""
    _control(sandbox, two_step=[0, 1])
    password_hash = _hash(sandbox, _prelogin(sandbox))
    challenge = _token(sandbox, password_hash)
    assert challenge.status_code == 400
    body = challenge.json()
    assert body["error_description"] == "Two factor required."
    assert set(body["TwoFactorProviders2"]) == {"0", "1"}
    assert body["TwoFactorProviders2"]["0"] is None
    assert "***@" in body["TwoFactorProviders2"]["1"]["Email"]
    assert _mailbox(sandbox)["two_step"] is None  # the challenge mails nothing
    sent = httpx.post(
        sandbox.info["api_url"] + "/two-factor/send-email-login",
        json={
            "email": sandbox.info["admin_email"],
            "masterPasswordHash": password_hash,
            "deviceIdentifier": DEVICE,
        },
    )
    assert sent.status_code == 200
    code = _mailbox(sandbox)["two_step"]
    assert code is not None
    assert len(code) == 6
    wrong = _token(sandbox, password_hash, twoFactorToken="000000", twoFactorProvider="1")
    assert wrong.status_code == 400
    assert wrong.json()["ErrorModel"]["Message"] == "Two-step token is invalid. Try again."
    good = _token(sandbox, password_hash, twoFactorToken=code, twoFactorProvider="1")
    assert good.status_code == 200
    again = _token(sandbox, password_hash, twoFactorToken=code, twoFactorProvider="1")
    assert again.status_code == 400  # one use


def test_new_device_verification_and_resend(sandbox: Sandbox) -> None:
    """§2.3/§2.4: `device_error` and the mailed OTP; a wrong OTP; resend always 200; a verified
    device logs in without a code afterwards."""
    _control(sandbox, new_device_verification=True)
    password_hash = _hash(sandbox, _prelogin(sandbox))
    first = _token(sandbox, password_hash)
    assert first.status_code == 400
    assert first.json()["error"] == "device_error"
    assert first.json()["ErrorModel"]["Message"] == "new device verification required"
    mailed = _mailbox(sandbox)["new_device"]
    assert mailed is not None
    wrong = _token(sandbox, password_hash, newDeviceOtp="000000" if mailed != "000000" else "1")
    assert wrong.json()["ErrorModel"]["Message"] == "invalid new device otp"
    resend = httpx.post(
        sandbox.info["api_url"] + "/accounts/resend-new-device-otp",
        json={"email": "nobody@example.com", "masterPasswordHash": "x"},
    )
    assert resend.status_code == 200  # no enumeration
    code = _mailbox(sandbox)["new_device"]
    assert code is not None
    assert _token(sandbox, password_hash, newDeviceOtp=code).status_code == 200
    assert _token(sandbox, password_hash).status_code == 200  # the device is known now


def test_an_argon2id_account_in_prelogin_and_the_token_response(sandbox: Sandbox) -> None:
    """§3.1: Argon2id with SHA-256 of the salt; the server's defaults 6 / 32 MiB / 4."""
    assert _control(sandbox, kdf="argon2id")["kdf"] == "argon2id"
    kdf = _prelogin(sandbox)
    assert (kdf["kdf"], kdf["kdfIterations"], kdf["kdfMemory"], kdf["kdfParallelism"]) == (
        1,
        6,
        32,
        4,
    )
    answer = _token(sandbox, _hash(sandbox, kdf))
    assert answer.status_code == 200
    unlock = answer.json()["UserDecryptionOptions"]["MasterPasswordUnlock"]["Kdf"]
    assert unlock == {"KdfType": 1, "Iterations": 6, "Memory": 32, "Parallelism": 4}


def test_swap_key_changes_the_public_key_and_credentials_let_a_member_log_in(
    sandbox: Sandbox,
) -> None:
    members = httpx.get(sandbox.info["control_url"] + "/state").json()["members"]
    member = next(m for m in members if m["status"] == 1)
    control = sandbox.info["control_url"]
    before = sandbox.state.accounts[member["userId"]].key_pair.public_key_der
    assert httpx.post(f"{control}/members/{member['id']}/swap-key").status_code == 200
    assert sandbox.state.accounts[member["userId"]].key_pair.public_key_der != before
    credentials = httpx.get(f"{control}/members/{member['id']}/credentials").json()
    assert credentials["email"] == member["email"]
    assert len(credentials["master_password"]) >= 12
