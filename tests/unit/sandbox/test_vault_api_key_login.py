"""The personal API key grant and the checks every user login passes (real HTTP).

reference bitwarden-native-confirm.md 1 (`Bitwarden-Client-Version`, device fields), 2.1
(`client_credentials` with `user.<id>`: scope `api`, one hour, no refresh token, no two-step).
"""

from __future__ import annotations

from typing import Any

import httpx

from app.sandbox.server import Sandbox
from tests.unit.sandbox import vault_client as vc


def _api_key_form(box: Sandbox, **overrides: str) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_id": box.info["admin_api_key_client_id"],
        "client_secret": box.info["admin_api_key_client_secret"],
        "scope": "api",
        "deviceType": "8",
        "deviceIdentifier": vc.DEVICE,
        "deviceName": "linux",
    }
    form.update(overrides)
    return form


def _grant(
    box: Sandbox, form: dict[str, str], headers: dict[str, str] | None = None
) -> httpx.Response:
    with vc.http(box) as client:
        return vc.token_request(client, form, headers)


def test_the_api_key_logs_in_without_a_refresh_token_and_the_keys_still_need_the_password(
    sandbox: Sandbox,
) -> None:
    answer = _grant(sandbox, _api_key_form(sandbox))
    assert answer.status_code == 200, answer.text
    token: dict[str, Any] = answer.json()
    assert token["scope"] == "api"
    assert token["expires_in"] == 3600
    assert token["token_type"] == "Bearer"
    assert "refresh_token" not in token
    email, password = sandbox.info["admin_email"], sandbox.info["bw_password"]
    with vc.http(sandbox) as client:
        key = vc.master_key(password, email, vc.prelogin(client, email))
        profile = client.get("/api/accounts/profile", headers=vc.bearer(token))
    private = vc.unlock(token, key)  # the master password opens what the API key login gave
    assert profile.status_code == 200
    (organization,) = profile.json()["organizations"]
    assert len(vc.open_type_4(organization["key"], private)) == 64
    assert token["UserDecryptionOptions"]["MasterPasswordUnlock"]["Salt"] == email


def test_a_wrong_unknown_or_rotated_api_key_is_an_invalid_client(sandbox: Sandbox) -> None:
    wrong = _grant(sandbox, _api_key_form(sandbox, client_secret="x" * 30))
    unknown = _grant(
        sandbox, _api_key_form(sandbox, client_id="user.00000000-0000-4000-8000-000000000000")
    )
    not_a_guid = _grant(sandbox, _api_key_form(sandbox, client_id="user.admin"))
    for refused in (wrong, unknown, not_a_guid):
        assert refused.status_code == 400
        assert refused.json() == {"error": "invalid_client"}
    rotated = vc.control(sandbox, "POST", "/admin/rotate-api-key").json()
    assert rotated["client_id"] == sandbox.info["admin_api_key_client_id"]
    old = _grant(sandbox, _api_key_form(sandbox))
    assert old.json() == {"error": "invalid_client"}
    new = _grant(sandbox, _api_key_form(sandbox, client_secret=rotated["client_secret"]))
    assert new.status_code == 200, new.text


def test_the_api_key_takes_scope_api_only(sandbox: Sandbox) -> None:
    refused = _grant(sandbox, _api_key_form(sandbox, scope="api offline_access"))
    assert refused.json() == {"error": "invalid_scope"}


def test_every_user_login_needs_the_client_version_header(sandbox: Sandbox) -> None:
    email, password = sandbox.info["admin_email"], sandbox.info["bw_password"]
    with vc.http(sandbox) as client:
        _, hashed = vc.hashed_password(client, email, password)
        _, wrong = vc.hashed_password(client, email, "not it")
        no_header = vc.token_request(client, vc.password_form(email, hashed), headers={})
        junk = vc.token_request(
            client, vc.password_form(email, hashed), {"Bitwarden-Client-Version": "latest"}
        )
        # the credentials are checked first: a wrong password says so, header or not
        wrong_first = vc.token_request(client, vc.password_form(email, wrong), headers={})
    api_key = _grant(sandbox, _api_key_form(sandbox), headers={})
    for refused in (no_header, junk, api_key):
        assert refused.status_code == 400
        body = refused.json()
        assert body["error"] == "version_header_missing"
        assert "Bitwarden-Client-Version" in body["ErrorModel"]["Message"]
    assert wrong_first.json()["error"] == "invalid_grant"


def test_a_login_without_device_fields_is_a_device_error(sandbox: Sandbox) -> None:
    email, password = sandbox.info["admin_email"], sandbox.info["bw_password"]
    with vc.http(sandbox) as client:
        _, hashed = vc.hashed_password(client, email, password)
        for field in ("deviceType", "deviceIdentifier", "deviceName"):
            form = vc.password_form(email, hashed)
            del form[field]
            refused = vc.token_request(client, form)
            assert refused.status_code == 400
            assert refused.json()["error"] == "device_error"
            assert refused.json()["error_description"] == "no device information provided"
    api_key = _grant(sandbox, _api_key_form(sandbox, deviceType="a laptop"))
    assert api_key.json()["error"] == "device_error"


def test_the_password_grant_names_one_of_the_static_clients(sandbox: Sandbox) -> None:
    email, password = sandbox.info["admin_email"], sandbox.info["bw_password"]
    with vc.http(sandbox) as client:
        _, hashed = vc.hashed_password(client, email, password)
        refused = vc.token_request(client, vc.password_form(email, hashed, client_id="scim-tool"))
        accepted = vc.token_request(client, vc.password_form(email, hashed, client_id="cli"))
    assert refused.json() == {"error": "invalid_client"}
    assert accepted.status_code == 200


def test_expired_tokens_are_refused_until_the_client_logs_in_again(sandbox: Sandbox) -> None:
    token = _grant(sandbox, _api_key_form(sandbox)).json()
    with vc.http(sandbox) as client:
        assert client.get("/api/sync", headers=vc.bearer(token)).status_code == 200
        assert vc.control(sandbox, "POST", "/expire-tokens").json()["expired"] >= 1
        assert client.get("/api/sync", headers=vc.bearer(token)).status_code == 401
    again = _grant(sandbox, _api_key_form(sandbox)).json()
    with vc.http(sandbox) as client:
        assert client.get("/api/sync", headers=vc.bearer(again)).status_code == 200
