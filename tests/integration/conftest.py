"""Fixtures for the integration tests: a sandbox reached over its HTTPS front, as `bw` needs it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.sandbox.server import Sandbox
from app.sandbox.state import Member, MemberStatus


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
