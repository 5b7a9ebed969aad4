"""The program's own confirm flow (app.core) driving a real `bw serve` it started on a Unix socket.

The members come from the program's Public API client, read over the sandbox's HTTPS front with
its private CA; `BwServeProcess` starts the official CLI as it would start an admin's `bw`; the
sandbox then checks every key the CLI sent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.core import bw_cli_messages
from app.core.bw_serve import BwServeError, BwServeProcess, confirm_members
from app.core.endpoints import parse_scim_url
from app.core.public_api import MemberStatus as CoreStatus
from app.core.public_api import PublicApiClient
from app.sandbox.server import Sandbox
from app.sandbox.state import MemberStatus
from tests.fixtures.bw_cli import BwRunner
from tests.integration.conftest import member_with, opens_to_org_key, take_admin_environment

pytestmark = [pytest.mark.real_bw, pytest.mark.slow]


def _bw_executable(bw: BwRunner, folder: Path) -> Path:
    """A `bw` on disk, as npm's global install makes one (node + the CLI's script)."""
    path = folder / "bw"
    node, script = bw.installation.node, bw.installation.script
    path.write_text(f'#!/bin/sh\nexec "{node}" "{script}" "$@"\n', encoding="utf-8")
    path.chmod(0o755)
    return path


def test_the_program_confirms_accepted_members_through_a_real_bw_serve(
    admin_bw: BwRunner,
    vault_sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    info = vault_sandbox.info
    ca_file = Path(info["ca_file"])
    scim_url = f"{info['bw_server_url']}/scim/v2/{info['organization_id']}"
    check = parse_scim_url(scim_url)
    assert check.endpoints is not None, check.error
    with PublicApiClient(
        check.endpoints, info["client_id"], SecretStr(info["client_secret"]), ca_file=ca_file
    ) as public_api:
        members = public_api.list_members()
    accepted = [m.id for m in members if m.status == CoreStatus.ACCEPTED]
    assert accepted, "the seed makes accepted members"

    take_admin_environment(admin_bw, monkeypatch)
    assert "BW_SESSION" not in os.environ

    with BwServeProcess.start(_bw_executable(admin_bw, tmp_path)) as served:
        assert served.unix_socket is not None
        client = served.client()
        outcomes = confirm_members(
            client, info["organization_id"], members, SecretStr(info["bw_password"])
        )
        assert client.status()["status"] == "locked"  # locked again afterwards

    by_id = {outcome.member_id: outcome for outcome in outcomes}
    assert {m for m, o in by_id.items() if o.result == "confirmed"} == set(accepted)
    assert all(o.result == "skipped" for m, o in by_id.items() if m not in accepted)
    for member_id in accepted:
        member = vault_sandbox.state.members[member_id]
        assert member.status == MemberStatus.CONFIRMED
        assert opens_to_org_key(vault_sandbox, member)


def test_the_program_words_the_real_cli_s_refusals_plainly(
    admin_bw: BwRunner,
    vault_sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real CLI's refusals through the core's client: plain words, the CLI's own kept."""
    info = vault_sandbox.info
    org_id = info["organization_id"]
    invited = member_with(vault_sandbox, MemberStatus.INVITED)
    take_admin_environment(admin_bw, monkeypatch)

    with (
        BwServeProcess.start(_bw_executable(admin_bw, tmp_path)) as served,
        served.client() as client,
    ):
        with pytest.raises(BwServeError) as wrong:
            client.unlock(SecretStr("not-the-master-password"))
        client.unlock(SecretStr(info["bw_password"]))
        with pytest.raises(BwServeError) as refused:
            client.confirm(invited.id, org_id)
        with pytest.raises(BwServeError) as elsewhere:
            client.confirm(invited.id, "11111111-2222-4333-8444-555555555555")
        client.lock()

    assert str(wrong.value) == bw_cli_messages.UNLOCK_WRONG
    assert wrong.value.cli_message == "Cryptography error, The decryption operation failed"
    assert str(refused.value) == (
        "This person has not accepted the invitation yet, so bw did not confirm them."
    )
    assert refused.value.cli_message == (
        "Error: User must accept the invitation before they can be confirmed."
    )
    assert str(elsewhere.value) == bw_cli_messages.NOT_IN_ORGANIZATION
    assert invited.status == MemberStatus.INVITED
