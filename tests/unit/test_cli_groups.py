"""`scim-assistant groups` against the sandbox (real HTTP), run in-process.

Groups are pushed through the sandbox's SCIM endpoint as Okta's Push Groups does (POST /Groups,
then PATCH add members), and the command's answer is compared with the server's own state.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.cli import main
from app.sandbox.server import Sandbox


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _state(box: Sandbox) -> dict[str, Any]:
    answer = httpx.get(box.info["control_url"] + "/state", timeout=10)
    answer.raise_for_status()
    state: dict[str, Any] = answer.json()
    return state


def push_group(box: Sandbox, name: str, external_id: str, member_ids: list[str]) -> str:
    """Okta's Push Groups: create the group, then PATCH its members in (okta-scim.md §2.9)."""
    headers = {"Authorization": f"Bearer {box.info['scim_key']}"}
    scim = box.info["scim_url"]
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": name,
        "externalId": external_id,
        "members": [],
    }
    created = httpx.post(f"{scim}/Groups", json=body, headers=headers, timeout=10)
    assert created.status_code == 201, created.text
    group_id: str = created.json()["id"]
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "add", "path": "members", "value": [{"value": i} for i in member_ids]}
        ],
    }
    patched = httpx.patch(f"{scim}/Groups/{group_id}", json=patch, headers=headers, timeout=10)
    assert patched.status_code == 204, patched.text
    return group_id


@pytest.fixture
def pushed(
    capsys: pytest.CaptureFixture[str],
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
) -> Sandbox:
    """A saved profile with both keys, and two groups Okta pushed (names with hostile text)."""
    info = sandbox.info
    monkeypatch.setenv("SANDBOX_SECRET", info["client_secret"])
    monkeypatch.setenv("SANDBOX_KEY", info["scim_key"])
    saved = _run(
        capsys,
        *("profile", "save", "Sandbox", "--url", info["scim_url"], "--key-env", "SANDBOX_KEY"),
        *("--client-id", info["client_id"], "--client-secret-env", "SANDBOX_SECRET"),
    )
    assert saved[0] == 0, saved[2]
    members = [m["id"] for m in _state(sandbox)["members"]]
    push_group(sandbox, "Platform Team", "00gPLATFORM", members[:3])
    push_group(sandbox, "=Sales\u202e\x1b[2J", "00gSALES", members[3:4])
    return sandbox


def test_groups_json_agrees_with_the_server(
    capsys: pytest.CaptureFixture[str], pushed: Sandbox
) -> None:
    code, out, err = _run(capsys, "groups", "--profile", "Sandbox", "--json")
    assert code == 0, err
    listed = json.loads(out)
    state = _state(pushed)
    email_of = {m["id"]: m["email"] for m in state["members"]}
    expected = {
        g["id"]: {
            "id": g["id"],
            "name": g["name"],
            "external_id": g["externalId"],
            "members": sorted(email_of[i] for i in g["memberIds"]),
        }
        for g in state["groups"]
    }
    got = {g["id"]: {**g, "members": sorted(g["members"])} for g in listed}
    assert got == expected
    platform = next(g for g in listed if g["name"] == "Platform Team")
    assert platform["external_id"] == "00gPLATFORM"
    assert len(platform["members"]) == 3
    names = [g["name"].casefold() for g in listed]
    assert names == sorted(names)  # by name
    assert pushed.info["client_secret"] not in out + err


def test_groups_text_and_csv_are_plain(capsys: pytest.CaptureFixture[str], pushed: Sandbox) -> None:
    code, out, err = _run(capsys, "groups", "--profile", "Sandbox")
    assert code == 0, err
    assert "Platform Team  (3 members)  external id 00gPLATFORM" in out
    assert "\x1b" not in out
    assert "\u202e" not in out
    code, out, err = _run(capsys, "groups", "--profile", "Sandbox", "--csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    sales = next(r for r in rows if r["external_id"] == "00gSALES")
    assert sales["name"].startswith("'=")  # a formula-looking name is never run by a spreadsheet
    assert sales["member_count"] == "1"
    platform = next(r for r in rows if r["name"] == "Platform Team")
    assert len(platform["members"].split("; ")) == 3


def test_through_scim_the_members_are_unknown_and_it_says_so(
    capsys: pytest.CaptureFixture[str], pushed: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = pushed.info
    code, out, err = _run(
        capsys, "groups", "--url", info["scim_url"], "--key-env", "SANDBOX_KEY", "--json"
    )
    assert code == 0, err
    listed = json.loads(out)
    assert {g["external_id"] for g in listed} >= {"00gPLATFORM", "00gSALES"}
    assert all(g["members"] is None for g in listed)
    assert info["scim_key"] not in out + err
    code, out, err = _run(capsys, "groups", "--url", info["scim_url"], "--key-env", "SANDBOX_KEY")
    assert code == 0, err
    assert "does not return group members" in out
    # A SCIM-only profile reads through SCIM by itself.
    saved = _run(
        capsys,
        *("profile", "save", "ScimOnly", "--url", info["scim_url"], "--key-env", "SANDBOX_KEY"),
    )
    assert saved[0] == 0, saved[2]
    code, out, err = _run(capsys, "groups", "--profile", "ScimOnly", "--json")
    assert code == 0, err
    assert all(g["members"] is None for g in json.loads(out))


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], pushed: Sandbox) -> None:
    info = pushed.info
    code, _out, err = _run(capsys, "groups", "--url", info["scim_url"])
    assert code == 2
    assert "--key-env" in err
    code, _out, err = _run(
        capsys,
        *("groups", "--url", info["scim_url"], "--key-env", "SANDBOX_KEY"),
        *("--client-id", info["client_id"], "--client-secret-env", "SANDBOX_SECRET"),
    )
    assert code == 2
    code, _out, err = _run(capsys, "groups", "--profile", "Nope")
    assert code == 2
    assert "no profile named" in err
