"""Control endpoints, seeding and `--accept-after` (interfaces.md "Sandbox server")."""

from __future__ import annotations

import httpx

from app.sandbox.seed import seed_state
from app.sandbox.server import Sandbox
from app.sandbox.state import MemberStatus
from tests.fixtures.sandbox import SandboxFactory
from tests.unit.sandbox.helpers import members_with_status, okta_user, scim, state


def test_accept_makes_an_invited_member_accepted_with_an_account(sandbox: Sandbox) -> None:
    """interfaces.md control: accepting creates the account (user id, RSA key) as a person does."""
    invited = members_with_status(sandbox, 0)[0]
    url = sandbox.info["control_url"] + f"/members/{invited['id']}/accept"
    response = httpx.post(url)
    again = httpx.post(url)
    assert response.status_code == 200
    accepted = response.json()
    assert accepted["status"] == 1
    assert accepted["userId"] is not None
    assert accepted["name"]
    account = sandbox.state.accounts[accepted["userId"]]
    assert len(account.key_pair.public_key_der) == 294
    assert again.status_code == 409
    assert httpx.post(sandbox.info["control_url"] + "/members/nope/accept").status_code == 404


def test_state_dump_has_no_secrets(sandbox: Sandbox) -> None:
    """interfaces.md control: `GET /state` dumps the organization, never a secret."""
    text = httpx.get(sandbox.info["control_url"] + "/state").text
    for secret in ("scim_key", "client_secret", "bw_password"):
        assert sandbox.info[secret] not in text
    assert sandbox.info["organization_id"] in text


def test_seed_is_deterministic_and_mixes_every_status() -> None:
    """interfaces.md: `--members N --seed S` realistic and reproducible, every status present."""
    first, second = seed_state(40, seed=11), seed_state(40, seed=11)
    other = seed_state(40, seed=12)
    emails = [m.email for m in first.members.values()]
    assert emails == [m.email for m in second.members.values()]
    assert list(first.members) == list(second.members)
    assert emails != [m.email for m in other.members.values()]
    assert len(first.members) == 40
    assert len(set(emails)) == 40
    assert {m.status for m in first.members.values()} == set(MemberStatus)
    for member in first.members.values():
        linked = member.status in (MemberStatus.ACCEPTED, MemberStatus.CONFIRMED)
        if linked:
            assert member.user_id in first.accounts
        if member.status in (MemberStatus.INVITED, MemberStatus.STAGED):
            assert member.user_id is None


def test_secrets_are_never_in_reprs() -> None:
    """Preamble: secrets never appear in reprs (SecretStr in the state)."""
    box_state = seed_state(3, seed=1)
    organization = box_state.organization
    text = repr(organization) + repr(box_state) + repr(box_state.admin)
    assert organization.scim_key.get_secret_value() not in text
    assert organization.api_key.get_secret_value() not in text
    assert box_state.admin_password.get_secret_value() not in text


def test_accept_after_accepts_new_invitations(sandbox_factory: SandboxFactory) -> None:
    """interfaces.md: `--accept-after S`: each new invitation accepts by itself S seconds later."""
    box = sandbox_factory(members=5, accept_after=0.05)
    with scim(box) as client:
        created = client.post("/Users", json=okta_user("late.comer@x.example")).json()
    member = box.state.members[created["id"]]
    assert box.state.wait_for(lambda: member.status == MemberStatus.ACCEPTED, timeout=10)
    assert member.user_id in box.state.accounts
    seeded_invited = [m for m in state(box)["members"] if m["status"] == 0]
    assert seeded_invited  # the seeded invitations are not touched
