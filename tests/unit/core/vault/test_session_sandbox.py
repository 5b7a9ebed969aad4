"""The native client against the sandbox over real HTTP: login, unlock, keys, bound bulk confirm."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import SecretStr

from app.core.cancel import Cancelled, CancelToken
from app.core.vault.errors import WrongPassword
from app.core.vault.fingerprint import same_phrase
from app.core.vault.session import VaultSession
from app.sandbox.server import Sandbox

ACCEPTED = 1


def open_session(box: Sandbox, cancel: CancelToken | None = None) -> VaultSession:
    return VaultSession(
        box.info["identity_url"],
        box.info["api_url"],
        device_identifier=str(uuid.UUID(int=7)),
        cancel=cancel,
    )


def logged_in(box: Sandbox) -> VaultSession:
    session = open_session(box)
    password = SecretStr(box.info["bw_password"])
    session.login_with_password(box.info["admin_email"], password)
    session.unlock(password)
    return session


def accepted_rows(session: VaultSession, org: str) -> list[dict[str, Any]]:
    return [row for row in session.member_rows(org) if row["status"] == ACCEPTED]


def control_state(box: Sandbox) -> dict[str, Any]:
    answer = httpx.get(f"{box.info['control_url']}/state")
    assert answer.status_code == 200
    state: dict[str, Any] = answer.json()
    return state


def test_a_password_login_confirms_accepted_members_in_one_bulk_request(sandbox: Sandbox) -> None:
    org = sandbox.info["organization_id"]
    with logged_in(sandbox) as session:
        rows = accepted_rows(session, org)
        assert rows, "the seed makes accepted members"
        keys = session.member_keys(org, rows)
        assert set(keys) == {row["id"] for row in rows}
        outcomes = session.confirm(org, list(keys.values()))
    assert [o.result for o in outcomes] == ["confirmed"] * len(rows)
    with logged_in(sandbox) as again:
        statuses = {row["id"]: row["status"] for row in again.member_rows(org)}
    assert all(statuses[row["id"]] == 2 for row in rows)


def test_the_phrase_is_computed_from_the_fetched_key_and_user_id(sandbox: Sandbox) -> None:
    org = sandbox.info["organization_id"]
    with logged_in(sandbox) as session:
        rows = accepted_rows(session, org)
        key = session.member_keys(org, rows[:1])[rows[0]["id"]]
    assert key.user_id == rows[0]["userId"]
    assert len(key.phrase.split("-")) >= 5
    assert same_phrase(key.phrase, key.phrase.upper())


def test_a_key_swapped_after_the_phrase_confirms_nobody_and_names_the_member(
    sandbox: Sandbox,
) -> None:
    org = sandbox.info["organization_id"]
    with logged_in(sandbox) as session:
        rows = accepted_rows(session, org)
        assert len(rows) >= 2
        keys = list(session.member_keys(org, rows).values())
        swapped = keys[0]
        answer = httpx.post(f"{sandbox.info['control_url']}/members/{swapped.member_id}/swap-key")
        assert answer.status_code == 200, answer.text
        outcomes = session.confirm(org, keys)
        statuses = {row["id"]: row["status"] for row in session.member_rows(org)}
    by_id = {o.member_id: o for o in outcomes}
    assert by_id[swapped.member_id].result == "mismatch"
    assert "changed" in by_id[swapped.member_id].reason
    assert all(o.result != "confirmed" for o in outcomes)
    assert all(statuses[k.member_id] == ACCEPTED for k in keys)


def test_a_wrong_master_password_is_a_wrong_password_error(sandbox: Sandbox) -> None:
    with open_session(sandbox) as session, pytest.raises(WrongPassword, match="not correct"):
        session.login_with_password(sandbox.info["admin_email"], SecretStr("not the password"))


def test_a_wrong_unlock_password_after_login_can_be_retried(sandbox: Sandbox) -> None:
    password = SecretStr(sandbox.info["bw_password"])
    with open_session(sandbox) as session:
        session.login_with_password(sandbox.info["admin_email"], password)
        with pytest.raises(WrongPassword):
            session.unlock(SecretStr("wrong"))
        assert not session.unlocked
        session.unlock(password)
        assert session.unlocked


def test_close_forgets_tokens_and_keys(sandbox: Sandbox) -> None:
    session = logged_in(sandbox)
    org_key = session.organization_key(sandbox.info["organization_id"])
    session.close()
    assert not session.logged_in
    assert not session.unlocked
    assert org_key.wiped
    assert "bw_password" not in repr(session)


def test_a_cancelled_run_sends_nothing_more(sandbox: Sandbox) -> None:
    cancel = CancelToken()
    with open_session(sandbox, cancel) as session:
        cancel.cancel()
        with pytest.raises(Cancelled):
            session.login_with_password(
                sandbox.info["admin_email"], SecretStr(sandbox.info["bw_password"])
            )


def test_a_key_that_differs_from_the_verified_one_confirms_nobody(sandbox: Sandbox) -> None:
    """The admin verified key A; the server now holds key B (the swap, seen from the client)."""
    org = sandbox.info["organization_id"]
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    spki = other.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    with logged_in(sandbox) as session:
        rows = accepted_rows(session, org)
        keys = list(session.member_keys(org, rows).values())
        verified = [replace(keys[0], spki=spki), *keys[1:]]
        outcomes = session.confirm(org, verified)
        statuses = {row["id"]: row["status"] for row in session.member_rows(org)}
    assert outcomes[0].result == "mismatch"
    assert {o.result for o in outcomes[1:]} <= {"skipped"}
    assert all(statuses[k.member_id] == ACCEPTED for k in keys)


def test_a_member_no_longer_accepted_is_skipped_and_the_rest_confirmed(sandbox: Sandbox) -> None:
    """Someone else confirmed member A between our phrase and our confirm: A is skipped with a
    reason (by our key re-read where the server lists only accepted members' keys, as the
    reference says; else because the bulk answer leaves A out), B is confirmed."""
    org = sandbox.info["organization_id"]
    with logged_in(sandbox) as ours, logged_in(sandbox) as theirs:
        rows = accepted_rows(ours, org)[:2]
        keys = ours.member_keys(org, rows)
        first, second = (keys[row["id"]] for row in rows)
        assert [o.result for o in theirs.confirm(org, [first])] == ["confirmed"]
        outcomes = ours.confirm(org, [first, second])
    assert [o.result for o in outcomes] == ["skipped", "confirmed"]
    assert "no longer" in outcomes[0].reason


def test_a_personal_api_key_login_unlocks_and_confirms(sandbox: Sandbox) -> None:
    """The admin's personal API key (interfaces.md: `admin_api_key_client_id`/`_secret`)."""
    info = sandbox.info
    org = info["organization_id"]
    with open_session(sandbox) as session:
        session.login_with_api_key(
            info["admin_api_key_client_id"], SecretStr(info["admin_api_key_client_secret"])
        )
        session.unlock(SecretStr(info["bw_password"]))
        rows = accepted_rows(session, org)[:1]
        keys = list(session.member_keys(org, rows).values())
        assert [o.result for o in session.confirm(org, keys)] == ["confirmed"]


def test_a_wrong_login_password_then_the_right_one_logs_in_in_the_same_session(
    sandbox: Sandbox,
) -> None:
    """The GUI asks again in the same session: the retyped password is hashed afresh (the hash
    kept for code round-trips must not be the wrong password's)."""
    password = SecretStr(sandbox.info["bw_password"])
    with open_session(sandbox) as session:
        with pytest.raises(WrongPassword):
            session.login_with_password(sandbox.info["admin_email"], SecretStr("wrong"))
        session.login_with_password(sandbox.info["admin_email"], password)
        session.unlock(password)
        assert session.unlocked
