"""`okta verify` against the sandbox's Okta org (written independently, from the same reference):
the good state verifies every readable step; each seeded fault maps to the right failed step and
fix; the Okta token appears in no output or file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.cli import main
from app.core.memory_keyring import MemoryKeyring
from app.sandbox.server import Sandbox


@pytest.fixture
def okta_box(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
) -> Iterator[Sandbox]:
    with Sandbox.start(members=25, seed=7, okta_assigned=5) as box:
        info = box.info
        monkeypatch.setenv("T_SCIM", info["scim_key"])
        monkeypatch.setenv("T_SECRET", info["client_secret"])
        monkeypatch.setenv("T_OKTA", info["okta_token"])
        code = main(
            ["profile", "save", "Box", "--url", info["scim_url"], "--key-env", "T_SCIM",
             "--client-id", info["client_id"], "--client-secret-env", "T_SECRET",
             "--okta-url", info["okta_url"], "--okta-token-env", "T_OKTA"]
        )  # fmt: skip
        capsys.readouterr()
        assert code == 0
        yield box


def _verify(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["okta", "verify", "--profile", "Box", "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), out + err


def _fault(box: Sandbox, name: str) -> dict[str, Any]:
    answer = httpx.post(box.info["control_url"] + "/okta/faults", json={"fault": name})
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def _steps(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["id"]: step for step in data["steps"]}


def test_the_good_state_verifies_every_readable_step(
    okta_box: Sandbox, capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    code, data, text = _verify(capsys)
    assert code == 0, text
    assert data["app"]["id"] == okta_box.info["okta_app_id"]
    states = {k: v["state"] for k, v in _steps(data).items()}
    assert states.pop("base_url") == "unknown"
    assert set(states.values()) == {"ok"}
    assert data["not_provisioned"] == []
    token = okta_box.info["okta_token"]
    assert token not in text
    written = [p.read_bytes() for p in isolated_home.rglob("*") if p.is_file()]
    assert not any(token.encode() in blob for blob in written)


def test_deactivate_users_off(okta_box: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    _fault(okta_box, "deactivate_users_off")
    code, data, _ = _verify(capsys)
    step = _steps(data)["deactivate_users"]
    assert code == 1
    assert step["state"] == "fail"
    assert "Deactivate Users" in step["fix"]


def test_username_is_login(okta_box: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    fault = _fault(okta_box, "username_is_login")
    code, data, _ = _verify(capsys)
    steps = _steps(data)
    assert code == 1
    assert steps["username_is_email"]["state"] == "fail"
    assert "Application username format: Email" in steps["username_is_email"]["fix"]
    assert [m["email"] for m in data["username_mismatches"]] == [fault["email"]]
    assert [row["email"] for row in data["not_provisioned"]] == [fault["email"]]


def test_token_rotated(okta_box: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    fault = _fault(okta_box, "token_rotated")
    code, data, _ = _verify(capsys)
    steps = _steps(data)
    assert code == 1
    assert steps["api_integration"]["state"] == "fail"
    assert "API Token" in steps["api_integration"]["fix"]
    assert steps["provisioning_errors"]["state"] == "fail"
    assert "SCIM key was rotated" in steps["provisioning_errors"]["fix"]
    (row,) = data["not_provisioned"]
    assert row["email"] == fault["email"]


def test_revoked_member_conflict(okta_box: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    fault = _fault(okta_box, "revoked_member_conflict")
    code, data, _ = _verify(capsys)
    assert code == 1
    (row,) = data["not_provisioned"]
    assert row["email"] == fault["email"]
    assert fault["old_email"] in row["reason"]
    assert "revoked" in row["reason"]
    assert _steps(data)["provisioning_errors"]["state"] == "fail"


def test_group_assigned_and_pushed(okta_box: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    _fault(okta_box, "group_assigned_and_pushed")
    code, data, _ = _verify(capsys)
    step = _steps(data)["group_push"]
    assert code == 1
    assert step["state"] == "fail"
    assert "both assigned" in step["message"]


@pytest.mark.parametrize(
    "faults",
    [[], ["username_is_login", "token_rotated", "revoked_member_conflict"]],
    ids=["good", "faulty"],
)
def test_the_people_only_reading_says_the_same_of_people_in_fewer_requests(
    okta_box: Sandbox, faults: list[str]
) -> None:
    """The members window reads only what it shows of people, with every refresh that reads
    Okta: the same rows as the whole verification, with no steps and less of the rate limit."""
    from pydantic import SecretStr

    from app.core.okta.client import OktaClient
    from app.core.okta.verify import BitwardenMember, verify

    for name in faults:
        _fault(okta_box, name)
    info = okta_box.info
    members = [
        BitwardenMember(email=m.email, status=m.status.name.lower(), external_id=m.external_id)
        for m in okta_box.state.members.values()
    ]
    readings = {}
    for people_only in (False, True):
        with OktaClient(info["okta_url"], SecretStr(info["okta_token"])) as client:
            readings[people_only] = (
                verify(client, info["okta_app_id"], members=members, people_only=people_only),
                client.requests,
            )
    (whole, whole_requests), (people, people_requests) = readings[False], readings[True]
    assert whole.steps
    assert people.steps == []
    assert people.not_provisioned == whole.not_provisioned
    assert people.username_mismatches == whole.username_mismatches
    assert people.assigned_emails == whole.assigned_emails
    assert bool(people.not_provisioned) == bool(faults)
    assert people_requests == whole_requests - 4  # no groups, mappings, connection, features
