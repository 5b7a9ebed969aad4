"""`scim-assistant reinvite` against the sandbox (real HTTP), run in-process."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

from app.cli import main
from app.core.history import History
from app.core.public_api import MemberStatus
from app.sandbox.server import Sandbox


class _Seen(NamedTuple):
    id: str
    email: str
    status: MemberStatus


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def profile(
    capsys: pytest.CaptureFixture[str],
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
) -> Sandbox:
    info = sandbox.info
    monkeypatch.setenv("SANDBOX_SECRET", info["client_secret"])
    monkeypatch.setenv("SANDBOX_KEY", info["scim_key"])
    saved = _run(
        capsys,
        *("profile", "save", "Sandbox", "--url", info["scim_url"], "--key-env", "SANDBOX_KEY"),
        *("--client-id", info["client_id"], "--client-secret-env", "SANDBOX_SECRET"),
    )
    assert saved[0] == 0, saved[2]
    return sandbox


def _invited(box: Sandbox) -> list[dict[str, str]]:
    state = httpx.get(box.info["control_url"] + "/state", timeout=10).json()
    return [m for m in state["members"] if m["status"] == 0]


def test_expired_reinvites_only_the_old_invitations_and_records_them(
    capsys: pytest.CaptureFixture[str], profile: Sandbox
) -> None:
    old, *others = _invited(profile)
    assert others
    History().record(
        "Sandbox",
        [_Seen(old["id"], old["email"], MemberStatus.INVITED)],
        now=datetime.now(UTC) - timedelta(days=6),
    )
    code, out, err = _run(capsys, "reinvite", "--profile", "Sandbox", "--expired", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["email"], r["result"]) for r in rows] == [(old["email"], "reinvited")]
    assert old["id"] in History().last_reinvites("Sandbox")

    again = _run(capsys, "reinvite", "--profile", "Sandbox", "--expired")
    assert again[0] == 0
    assert "No expired invitations." in again[1]  # the reinvite restarted its expiry


def test_named_members_not_invited_are_reported(
    capsys: pytest.CaptureFixture[str], profile: Sandbox
) -> None:
    state = httpx.get(profile.info["control_url"] + "/state", timeout=10).json()
    confirmed = next(m for m in state["members"] if m["status"] == 2)
    invited = _invited(profile)[0]
    code, out, _ = _run(
        capsys,
        *("reinvite", "--profile", "Sandbox", "--json", "--member"),
        *(invited["email"], confirmed["email"], "nobody@x.example"),
    )
    rows = {r["email"]: r for r in json.loads(out)}
    assert rows[invited["email"]]["result"] == "reinvited"
    assert rows[confirmed["email"]]["result"] == "skipped"
    assert rows["nobody@x.example"]["result"] == "failed"
    assert code == 1


def test_expired_needs_a_profile(capsys: pytest.CaptureFixture[str], sandbox: Sandbox) -> None:
    code, _, err = _run(
        capsys,
        *("reinvite", "--url", sandbox.info["scim_url"], "--client-id", sandbox.info["client_id"]),
        *("--client-secret-env", "NOPE", "--expired"),
    )
    assert code == 2
    assert "error" in err
