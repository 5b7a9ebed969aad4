"""Challenges and refusals, against a scripted loopback server speaking the reference's shapes
(bitwarden-native-confirm.md §2.3-§2.7), until the sandbox serves them itself."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from app.core.vault import crypto
from app.core.vault.crypto import KdfParams, KdfType
from app.core.vault.errors import (
    CodeRequired,
    LoginFailed,
    ServerError,
    UnsupportedAccount,
    WrongCode,
)
from app.core.vault.keys import SymmetricKey
from app.core.vault.session import MemberKey, VaultSession
from tests.fixtures.hostile_server import HostileServer, RawRequest, behaviours

EMAIL, PASSWORD = "admin@example.com", "correct horse battery staple"
KDF = KdfParams(KdfType.PBKDF2_SHA256, 5000)
DEVICE = "5b9f3a52-7f0e-4d0c-9a7e-1b2c3d4e5f60"


def token_body(private: rsa.RSAPrivateKey | None = None, **changes: Any) -> dict[str, Any]:
    """A successful token answer for a v1 account made here."""
    master = crypto.derive_master_key(PASSWORD, EMAIL, KDF)
    user_key = SymmetricKey(bytes(range(64)))
    private = private or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    body: dict[str, Any] = {
        "access_token": "eyJ.token.sig",
        "expires_in": 3600,
        "token_type": "Bearer",
        "Key": crypto.encrypt_symmetric(user_key.material, crypto.stretch(master)),
        "PrivateKey": crypto.encrypt_symmetric(der, user_key),
        "Kdf": 0,
        "KdfIterations": 5000,
        "UserDecryptionOptions": {"HasMasterPassword": True},
    }
    body.update(changes)
    return body


def challenge(providers: dict[str, Any]) -> dict[str, Any]:
    return {
        "error": "invalid_grant",
        "error_description": "Two factor required.",
        "TwoFactorProviders": list(providers),
        "TwoFactorProviders2": providers,
    }


def error_model(message: str, error: str = "invalid_grant", description: str = "") -> Any:
    return {"error": error, "error_description": description, "ErrorModel": {"Message": message}}


@pytest.fixture
def server(hostile_server: HostileServer) -> HostileServer:
    hostile_server.route(
        "/identity/accounts/prelogin",
        behaviours.json({"kdf": 0, "kdfIterations": 5000, "salt": None}, 200, "application/json"),
    )
    hostile_server.route(
        "/api/accounts/profile",
        behaviours.json({"email": EMAIL, "organizations": []}, 200, "application/json"),
    )
    return hostile_server


def session(server: HostileServer) -> VaultSession:
    return VaultSession(f"{server.url}/identity", f"{server.url}/api", device_identifier=DEVICE)


def tokens(server: HostileServer, *answers: tuple[int, Any]) -> None:
    steps = [behaviours.json(body, status, "application/json") for status, body in answers]
    server.route("/identity/connect/token", behaviours.sequence(*steps))


def forms(server: HostileServer) -> list[dict[str, str]]:
    return [
        {k: v[0] for k, v in parse_qs(r.body.decode()).items()}
        for r in server.requests
        if r.path == "/identity/connect/token"
    ]


def token_requests(server: HostileServer) -> list[RawRequest]:
    return [r for r in server.requests if r.path == "/identity/connect/token"]


def test_an_authenticator_challenge_is_answered_with_the_code(server: HostileServer) -> None:
    tokens(server, (400, challenge({"0": None})), (200, token_body()))
    with session(server) as vault:
        with pytest.raises(CodeRequired) as asked:
            vault.login_with_password(EMAIL, SecretStr(PASSWORD))
        assert (asked.value.kind, asked.value.providers) == ("two_step", (0,))
        vault.login_with_password(EMAIL, SecretStr(PASSWORD), two_step_code="123 456")
        vault.unlock(SecretStr(PASSWORD))
        assert vault.unlocked
    first, second = forms(server)
    assert second["twoFactorToken"] == "123456"
    assert second["twoFactorProvider"] == "0"
    assert first["deviceIdentifier"] == second["deviceIdentifier"] == DEVICE
    assert first["password"] == second["password"] != PASSWORD
    for request in token_requests(server):
        assert request.header("Bitwarden-Client-Version") == "2026.6.0"
        assert request.header("Device-Type") in ("6", "7", "8")
    assert PASSWORD.encode() not in b"".join(r.body for r in server.requests)


def test_an_email_challenge_sends_the_code_with_the_device(server: HostileServer) -> None:
    tokens(server, (400, challenge({"1": {"Email": "a***@example.com"}})))
    server.route("/api/two-factor/send-email-login", behaviours.respond(200))
    with session(server) as vault:
        with pytest.raises(CodeRequired) as asked:
            vault.login_with_password(EMAIL, SecretStr(PASSWORD))
        assert asked.value.providers == (1,)
        vault.send_email_code(EMAIL, SecretStr(PASSWORD))
    [sent] = [r for r in server.requests if r.path == "/api/two-factor/send-email-login"]
    body = json.loads(sent.body)
    assert body["deviceIdentifier"] == DEVICE
    assert body["email"] == EMAIL
    assert body["masterPasswordHash"] == forms(server)[0]["password"]


def test_a_wrong_two_step_code_is_said_and_can_be_retried(server: HostileServer) -> None:
    tokens(server, (400, challenge({"0": None})))
    with session(server) as vault, pytest.raises(WrongCode, match="not correct"):
        vault.login_with_password(EMAIL, SecretStr(PASSWORD), two_step_code="000000")


def test_browser_only_two_step_methods_are_refused_with_the_web_vault(
    server: HostileServer,
) -> None:
    tokens(server, (400, challenge({"2": {"Host": "duo"}, "7": {}})))
    with session(server) as vault, pytest.raises(UnsupportedAccount, match="web vault"):
        vault.login_with_password(EMAIL, SecretStr(PASSWORD))


def test_new_device_verification_asks_for_the_code_then_sends_it(server: HostileServer) -> None:
    tokens(
        server,
        (400, error_model("new device verification required", "device_error")),
        (400, error_model("invalid new device otp", "device_error", "Invalid New Device OTP")),
        (200, token_body()),
    )
    with session(server) as vault:
        with pytest.raises(CodeRequired) as asked:
            vault.login_with_password(EMAIL, SecretStr(PASSWORD))
        assert asked.value.kind == "new_device"
        with pytest.raises(WrongCode):
            vault.login_with_password(EMAIL, SecretStr(PASSWORD), new_device_code="11111111")
        vault.login_with_password(EMAIL, SecretStr(PASSWORD), new_device_code="22222222")
    assert forms(server)[2]["newDeviceOtp"] == "22222222"


def test_an_expired_personal_api_key_says_where_to_view_it(server: HostileServer) -> None:
    tokens(server, (400, {"error": "invalid_client"}))
    with session(server) as vault, pytest.raises(LoginFailed, match="API key"):
        vault.login_with_api_key("user.5b9f3a52-7f0e-4d0c-9a7e-1b2c3d4e5f60", SecretStr("x" * 30))
    form = forms(server)[0]
    assert (form["grant_type"], form["scope"]) == ("client_credentials", "api")
    assert form["deviceIdentifier"] == DEVICE


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"ApiUseKeyConnector": True}, "key connector"),
        (
            {"UserDecryptionOptions": {"HasMasterPassword": False, "TrustedDeviceOption": {}}},
            "trusted devices",
        ),
        ({"UserDecryptionOptions": {"HasMasterPassword": False}}, "no master password"),
        ({"PrivateKey": "7.g1gcowE6AAERbwMYKgRQAAECAwQ="}, "newer Bitwarden key format"),
        ({"AccountKeys": {"signatureKeyPair": {"verifyingKey": "x"}}}, "newer Bitwarden key"),
        ({"Kdf": 9}, "key derivation"),
    ],
)
def test_accounts_a_master_password_cannot_unlock_are_refused(
    server: HostileServer, changes: dict[str, Any], words: str
) -> None:
    tokens(server, (200, token_body(**changes)))
    with session(server) as vault:
        vault.login_with_api_key("user.5b9f3a52-7f0e-4d0c-9a7e-1b2c3d4e5f60", SecretStr("x" * 30))
        with pytest.raises(UnsupportedAccount, match=words) as refused:
            vault.unlock(SecretStr(PASSWORD))
        assert not vault.unlocked
    assert "web vault" in str(refused.value)


def test_a_server_error_during_the_bulk_confirm_says_to_refresh_and_run_again(
    server: HostileServer,
) -> None:
    org = "11111111-2222-4333-8444-555555555555"
    admin = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    member = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    spki = member.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    admin_spki = admin.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    org_row = {"id": org, "status": 2, "type": 0}
    org_row["key"] = crypto.encrypt_to_public_key(bytes(range(64)), admin_spki)
    profile = {"email": EMAIL, "organizations": [org_row]}
    server.route("/api/accounts/profile", behaviours.json(profile, 200, "application/json"))
    tokens(server, (200, token_body(admin)))
    keys = {"data": [{"id": "m1", "userId": "u1", "key": base64.b64encode(spki).decode()}]}
    server.route(
        f"/api/organizations/{org}/users/public-keys",
        behaviours.json(keys, 200, "application/json"),
    )
    server.route(f"/api/organizations/{org}/users/confirm", behaviours.server_error(500))
    key = MemberKey("m1", "u1", "m@example.com", spki, "a-b-c-d-e")
    with session(server) as vault:
        vault.login_with_password(EMAIL, SecretStr(PASSWORD))
        vault.unlock(SecretStr(PASSWORD))
        with pytest.raises(ServerError, match="confirms only those still waiting"):
            vault.confirm(org, [key])
    [sent] = [r for r in server.requests if r.path.endswith("/users/confirm")]
    body = json.loads(sent.body)
    assert [k["id"] for k in body["keys"]] == ["m1"]
    opened = crypto.decrypt_asymmetric(body["keys"][0]["key"], member)
    assert bytes(opened) == bytes(range(64))
    collection = crypto.decrypt_symmetric(
        body["defaultUserCollectionName"], SymmetricKey(bytes(range(64)))
    )
    assert bytes(collection) == b"My items"


def test_the_command_sends_the_email_code_then_the_next_run_answers_with_it(
    server: HostileServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run 1 meets the e-mail challenge: the code is e-mailed, the command says to run again.
    Run 2 sends the code with its very first token request (a fresh challenge would regenerate
    the e-mailed code)."""
    from app.cli import build_parser
    from app.commands import confirm

    org = "11111111-2222-4333-8444-555555555555"
    tokens(server, (400, challenge({"1": {"Email": "a***@example.com"}})))
    server.route("/api/two-factor/send-email-login", behaviours.respond(200))
    server.route("/api/accounts/profile", behaviours.json({"organizations": []}, 200, "x/json"))
    monkeypatch.setenv("MP", PASSWORD)
    monkeypatch.setenv("CODE", "654321")
    argv = ["confirm", "--url", f"{server.url}/scim/v2/{org}", "--master-password-env", "MP"]
    argv += ["--email", EMAIL, "--member", "m@example.com=a-b-c-d-e"]
    assert confirm.run(build_parser().parse_args(argv), tty=False) == 1
    assert "e-mailed you the code" in capsys.readouterr().err
    assert [r.path for r in server.requests].count("/api/two-factor/send-email-login") == 1

    server.requests.clear()
    tokens(server, (200, token_body()))
    argv += ["--two-step-code-env", "CODE"]
    assert confirm.run(build_parser().parse_args(argv), tty=False) == 1  # in no organization
    assert "not a confirmed member of the organization" in capsys.readouterr().err
    [login] = forms(server)
    assert (login["twoFactorToken"], login["twoFactorProvider"]) == ("654321", "1")
    assert "/api/two-factor/send-email-login" not in [r.path for r in server.requests]
