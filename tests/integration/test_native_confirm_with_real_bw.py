"""Independent oracles for the native client: the official `bw` CLI, not our own code.

- As the admin, `bw get fingerprint <userId>` computes the phrase from the server's key: it must
  equal the phrase the native client showed.
- As the member (once the sandbox gives a member's credentials), `bw` logs in after the native
  confirm and decrypts the organization's collection: proof the key we stored for them is right.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.core.vault.session import MemberKey, VaultSession
from app.sandbox.server import Sandbox
from tests.fixtures.bw_cli import BwRunner

pytestmark = [pytest.mark.real_bw, pytest.mark.slow]
ACCEPTED = 1


def native_session(box: Sandbox) -> VaultSession:
    """The native client over the sandbox's HTTPS front, trusting its private CA."""
    base = box.info["bw_server_url"]
    session = VaultSession(
        f"{base}/identity",
        f"{base}/api",
        device_identifier="0b8a4f5e-0000-4000-8000-000000000001",
        ca_file=Path(box.info["ca_file"]),
    )
    password = SecretStr(box.info["bw_password"])
    session.login_with_password(box.info["admin_email"], password)
    session.unlock(password)
    return session


def accepted_keys(session: VaultSession, org: str) -> list[MemberKey]:
    rows = [row for row in session.member_rows(org) if row["status"] == ACCEPTED]
    return list(session.member_keys(org, rows).values())


def test_the_official_cli_computes_the_same_phrase_as_the_native_client(
    admin_bw: BwRunner, vault_sandbox: Sandbox
) -> None:
    org = vault_sandbox.info["organization_id"]
    with native_session(vault_sandbox) as session:
        keys = accepted_keys(session, org)
    assert keys
    for key in keys:
        phrase = admin_bw.run("get", "fingerprint", key.user_id).stdout.strip()
        assert phrase == key.phrase, key.email


def test_a_member_confirmed_natively_decrypts_the_organization_with_the_official_cli(
    bw: BwRunner, vault_sandbox: Sandbox
) -> None:
    info = vault_sandbox.info
    org = info["organization_id"]
    with native_session(vault_sandbox) as session:
        key = accepted_keys(session, org)[0]
        [outcome] = session.confirm(org, [key])
    assert outcome.result == "confirmed", outcome.reason

    answer = httpx.get(f"{info['control_url']}/members/{key.member_id}/credentials")
    assert answer.status_code == 200, answer.text
    credentials = answer.json()
    bw.ca_file = Path(info["ca_file"])
    bw.log_in(info["bw_server_url"], credentials["email"], credentials["master_password"])
    bw.run("sync")
    collections = bw.run("list", "org-collections", "--organizationid", org).json()
    names = [c["name"] for c in collections]
    assert info["collection_name"] in names
    assert all("[error: cannot decrypt]" not in name for name in names)
    assert bw.run("get", "fingerprint", "me").stdout.strip() == key.phrase
