"""The native client through every login the sandbox can demand, over real HTTP (issue 14's
"PBKDF2 and Argon2id admins, API key and password logins, with a two-step code and a new-device
code"), and its refusal of accounts no master password opens. The sandbox's switches are its
control endpoints (`admin/login`, `admin/mailbox`); the TOTP is computed here from the RFC."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
import uuid
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.core.vault.errors import CodeRequired, UnsupportedAccount, WrongCode
from app.core.vault.session import VaultSession
from app.sandbox.server import Sandbox
from tests.fixtures.sandbox import SandboxFactory

ACCEPTED = 1


def _session(box: Sandbox) -> VaultSession:
    return VaultSession(
        box.info["identity_url"], box.info["api_url"], device_identifier=str(uuid.UUID(int=11))
    )


def _switch(box: Sandbox, **settings: Any) -> dict[str, Any]:
    answer = httpx.post(box.info["control_url"] + "/admin/login", json=settings, timeout=10)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _mailbox(box: Sandbox) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(box.info["control_url"] + "/admin/mailbox", timeout=10).json()
    return body


def _totp(secret_base32: str) -> str:
    secret = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(secret, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


def _confirm_one(box: Sandbox, session: VaultSession) -> None:
    """Unlocked: confirm one accepted member and check the server now holds them confirmed."""
    org = box.info["organization_id"]
    rows = [r for r in session.member_rows(org) if r["status"] == ACCEPTED][:1]
    keys = list(session.member_keys(org, rows).values())
    assert [o.result for o in session.confirm(org, keys)] == ["confirmed"]
    with box.state.lock:
        assert box.state.members[keys[0].member_id].status == 2


def test_an_authenticator_code_answers_the_two_step_challenge(sandbox: Sandbox) -> None:
    secret = _switch(sandbox, two_step=[0])["totp_secret"]
    email, password = sandbox.info["admin_email"], SecretStr(sandbox.info["bw_password"])
    with _session(sandbox) as session:
        with pytest.raises(CodeRequired) as asked:
            session.login_with_password(email, password)
        assert asked.value.kind == "two_step"
        assert 0 in asked.value.providers
        with pytest.raises(WrongCode):
            session.login_with_password(
                email,
                password,
                two_step_code="000000" if _totp(secret) != "000000" else "1",
                two_step_provider=0,
            )
        session.login_with_password(
            email, password, two_step_code=_totp(secret), two_step_provider=0
        )
        session.unlock(password)
        _confirm_one(sandbox, session)


def test_an_emailed_code_sent_on_request_answers_the_challenge(sandbox: Sandbox) -> None:
    _switch(sandbox, two_step=[1])
    email, password = sandbox.info["admin_email"], SecretStr(sandbox.info["bw_password"])
    with _session(sandbox) as session:
        with pytest.raises(CodeRequired) as asked:
            session.login_with_password(email, password)
        assert asked.value.providers == (1,)
        assert _mailbox(sandbox)["two_step"] is None  # the challenge mails nothing
        session.send_email_code(email, password)
        code = _mailbox(sandbox)["two_step"]
        assert code is not None
        session.login_with_password(email, password, two_step_code=code, two_step_provider=1)
        session.unlock(password)
        _confirm_one(sandbox, session)


def test_a_new_device_code_then_the_device_is_known(sandbox: Sandbox) -> None:
    _switch(sandbox, new_device_verification=True)
    email, password = sandbox.info["admin_email"], SecretStr(sandbox.info["bw_password"])
    with _session(sandbox) as session:
        with pytest.raises(CodeRequired) as asked:
            session.login_with_password(email, password)
        assert asked.value.kind == "new_device"
        session.resend_new_device_code(email, password)
        code = _mailbox(sandbox)["new_device"]
        session.login_with_password(email, password, new_device_code=code)
        session.unlock(password)
        _confirm_one(sandbox, session)
    with _session(sandbox) as again:  # the same device identifier: no code this time
        again.login_with_password(email, password)


def test_an_argon2id_admin_logs_in_with_the_api_key_and_confirms(
    sandbox_factory: SandboxFactory,
) -> None:
    box = sandbox_factory(members=8, admin_kdf="argon2id")
    info = box.info
    with _session(box) as session:
        session.login_with_api_key(
            info["admin_api_key_client_id"], SecretStr(info["admin_api_key_client_secret"])
        )
        session.unlock(SecretStr(info["bw_password"]))
        _confirm_one(box, session)


@pytest.mark.parametrize("kind", ["key_connector", "trusted_device", "v2"])
def test_an_admin_no_master_password_opens_is_refused_and_told_of_the_web_vault(
    sandbox: Sandbox, kind: str
) -> None:
    _switch(sandbox, account=kind)
    info = sandbox.info
    with _session(sandbox) as session:
        session.login_with_api_key(
            info["admin_api_key_client_id"], SecretStr(info["admin_api_key_client_secret"])
        )
        with pytest.raises(UnsupportedAccount, match="web vault"):
            session.unlock(SecretStr(info["bw_password"]))
    with sandbox.state.lock:
        assert not any(m.status == 2 and m.key for m in sandbox.state.members.values())
