"""Fixtures for the integration tests: a sandbox reached over its HTTPS front, as `bw` needs it."""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP

from app.sandbox.server import Sandbox
from app.sandbox.state import Member, MemberStatus
from tests.fixtures.bw_cli import BwRunner
from tests.unit.sandbox.helpers import public_api


@pytest.fixture
def vault_sandbox() -> Iterator[Sandbox]:
    """A seeded sandbox with a mix of statuses (at least one accepted and one invited member)."""
    with Sandbox.start(members=12, seed=9) as sandbox:
        yield sandbox


def member_with(sandbox: Sandbox, status: MemberStatus) -> Member:
    """The first member in `status` (the seed always makes one of each)."""
    with sandbox.state.lock:
        for member in sandbox.state.members.values():
            if member.status == status:
                return member
    raise AssertionError(f"the seeded sandbox has no {status.name.lower()} member")


def public_api_status(sandbox: Sandbox, member_id: str) -> int:
    """The member's status as the organization's Public API reports it (plain HTTP, no core)."""
    with public_api(sandbox) as http:
        answer = http.get(f"/public/members/{member_id}")
    assert answer.status_code == 200, answer.text
    status: int = answer.json()["status"]
    return status


def opens_to_org_key(sandbox: Sandbox, member: Member) -> bool:
    """The member's stored key, opened with the member's own private key, is the org key."""
    account = sandbox.state.account_for(member)
    assert account is not None
    assert member.key is not None
    assert member.key.startswith("4.")
    oaep = OAEP(mgf=MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303
    opened = account.key_pair.private_key.decrypt(base64.b64decode(member.key[2:]), oaep)
    return opened == sandbox.state.organization.symmetric_key


@pytest.fixture
def admin_bw(bw: BwRunner, vault_sandbox: Sandbox) -> BwRunner:
    """`bw`, trusting the sandbox's CA, logged in as the organization's owner and unlocked."""
    bw.ca_file = Path(vault_sandbox.info["ca_file"])
    bw.log_in(
        vault_sandbox.info["bw_server_url"],
        vault_sandbox.info["admin_email"],
        vault_sandbox.info["bw_password"],
    )
    return bw


def take_admin_environment(admin_bw: BwRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give this process the admin's environment: their logged-in CLI profile and their server's
    CA, but no BW_SESSION (the CLI is locked, as between uses)."""
    for name, value in admin_bw.env().items():
        if name != "BW_SESSION":
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("BW_SESSION", raising=False)


@pytest.fixture
def socket_path() -> Iterator[Path]:
    """A short path for `bw serve`'s Unix socket (tmp_path can exceed the 107-byte limit)."""
    with tempfile.TemporaryDirectory(prefix="bw-") as folder:
        yield Path(folder) / "serve.sock"
