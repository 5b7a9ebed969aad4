"""`scim-assistant members` against the sandbox (real HTTP), run in-process."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
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


def _by_url(box: Sandbox, *extra: str) -> list[str]:
    return [
        "members",
        "--url",
        box.info["scim_url"],
        "--client-id",
        box.info["client_id"],
        "--client-secret-env",
        "SANDBOX_SECRET",
        *extra,
    ]


def _truth(box: Sandbox) -> Counter[str]:
    state = httpx.get(box.info["control_url"] + "/state", timeout=10).json()
    return Counter(MemberStatus(m["status"]).label for m in state["members"])


@pytest.fixture
def secret_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("SANDBOX_SECRET", sandbox.info["client_secret"])
    monkeypatch.setenv("SANDBOX_KEY", sandbox.info["scim_key"])
    return sandbox


def test_json_agrees_with_the_server_status_by_status(
    capsys: pytest.CaptureFixture[str], secret_env: Sandbox
) -> None:
    code, out, err = _run(capsys, *_by_url(secret_env, "--json"))
    assert code == 0, err
    rows = json.loads(out)
    assert Counter(r["status"] for r in rows) == _truth(secret_env)
    assert {r["role"] for r in rows} <= {"owner", "admin", "user", "manager", "custom"}
    assert all(r["first_seen_in_status"] is None for r in rows)  # no profile, no history
    assert secret_env.info["client_secret"] not in out + err


def test_table_lists_everyone_with_counts(
    capsys: pytest.CaptureFixture[str], secret_env: Sandbox
) -> None:
    code, out, _ = _run(capsys, *_by_url(secret_env))
    assert code == 0
    truth = _truth(secret_env)
    state = httpx.get(secret_env.info["control_url"] + "/state", timeout=10).json()
    for member in state["members"]:
        assert member["email"] in out
    assert f"{sum(truth.values())} members: " in out
    # The members window's words, not the machine values of --json.
    assert f"Needs confirmation {truth['accepted']}" in out
    assert f"Needs confirmation: {truth['accepted']} accepted the invitation" in out
    header = [w.strip() for w in out.splitlines()[0].split("  ") if w.strip()]
    assert header == ["Name", "Email", "Status", "Role", "SCIM external id", "Two-step login"]
    # (no history without --profile: the Invitation and Waiting columns have nothing to show)
    lines = out.splitlines()[1 : 1 + sum(truth.values())]
    words = {"Needs confirmation", "Invited", "Staged (not yet invited)", "Confirmed", "Revoked"}
    assert all(any(w in line for w in words) for line in lines)
    assert not any(" accepted " in f" {line} " for line in lines)
    roles = (" Owner ", " Admin ", " User ", " Manager ", " Custom ")
    assert all(any(role in line for role in roles) for line in lines)


def test_status_filter_and_csv(capsys: pytest.CaptureFixture[str], secret_env: Sandbox) -> None:
    code, out, _ = _run(capsys, *_by_url(secret_env, "--status", "accepted", "--csv"))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == _truth(secret_env)["accepted"] > 0
    assert {r["Status"] for r in rows} == {"Needs confirmation"}
    assert all(r["User id"] for r in rows)
    assert {r["Role"] for r in rows} <= {"Owner", "Admin", "User", "Manager", "Custom"}
    assert {r["Two-step login"] for r in rows} <= {"On", "Off"}
    assert out.endswith("\r\n")
    assert "\r\r" not in out
    assert out.count("\n") == out.count("\r\n")


def test_profile_records_history(
    capsys: pytest.CaptureFixture[str], secret_env: Sandbox, isolated_home: Path
) -> None:
    info = secret_env.info
    saved = _run(
        capsys,
        "profile",
        "save",
        "Sandbox",
        "--url",
        info["scim_url"],
        "--key-env",
        "SANDBOX_KEY",
        "--client-id",
        info["client_id"],
        "--client-secret-env",
        "SANDBOX_SECRET",
    )
    assert saved[0] == 0, saved[2]
    code, out, err = _run(capsys, "members", "--profile", "Sandbox", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert all(r["first_seen_in_status"] for r in rows)
    some = rows[0]
    assert History().first_seen("Sandbox", some["id"]) is not None
    for secret in (info["scim_key"], info["client_secret"]):
        assert not [
            p for p in isolated_home.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()
        ]


def test_a_profile_without_public_api_key_says_what_to_add(
    capsys: pytest.CaptureFixture[str], secret_env: Sandbox
) -> None:
    info = secret_env.info
    assert (
        _run(
            capsys, "profile", "save", "Scim", "--url", info["scim_url"], "--key-env", "SANDBOX_KEY"
        )[0]
        == 0
    )
    code, _, err = _run(capsys, "members", "--profile", "Scim")
    assert code == 1
    assert "no Public API key" in err


def test_a_wrong_secret_fails_plainly(
    capsys: pytest.CaptureFixture[str], secret_env: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "W" * 30
    monkeypatch.setenv("SANDBOX_SECRET", wrong)
    code, out, err = _run(capsys, *_by_url(secret_env))
    assert code == 1
    assert "invalid_client" in err
    assert wrong not in out + err


@pytest.mark.parametrize(
    "argv",
    [
        [
            "members",
            "--url",
            "https://scim.bitwarden.com/v2/not-a-guid",
            "--client-id",
            "x",
            "--client-secret-env",
            "SANDBOX_SECRET",
        ],
        ["members", "--url", "https://scim.bitwarden.com/v2/0d9b6a3e-8f7c-4b1d-9a2e-3c4d5e6f7a8b"],
        ["members", "--profile", "nobody"],
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], secret_env: Sandbox, argv: list[str]
) -> None:
    assert _run(capsys, *argv)[0] == 2


def test_a_missing_secret_variable_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], sandbox: Sandbox
) -> None:
    code, _, err = _run(capsys, *_by_url(sandbox))
    assert code == 2
    assert "SANDBOX_SECRET" in err


def test_json_gives_each_invitation_its_age_from_the_history(
    capsys: pytest.CaptureFixture[str], secret_env: Sandbox, isolated_home: Path
) -> None:
    """interfaces.md: invited members carry `invitation` {first_seen, expires_at, state}; a
    self-hosted expiry saved with the profile is used."""
    info = secret_env.info
    saved = _run(
        capsys,
        *("profile", "save", "Sandbox", "--url", info["scim_url"], "--key-env", "SANDBOX_KEY"),
        *("--client-id", info["client_id"], "--client-secret-env", "SANDBOX_SECRET"),
        *("--invite-expiry-hours", "48"),
    )
    assert saved[0] == 0, saved[2]
    state = httpx.get(info["control_url"] + "/state", timeout=10).json()
    invited = [m for m in state["members"] if m["status"] == 0]
    assert len(invited) >= 2
    old, reinvited = invited[0], invited[1]
    history = History()
    long_ago = datetime.now(UTC) - timedelta(days=6)
    history.record(
        "Sandbox",
        [_Seen(m["id"], m["email"], MemberStatus.INVITED) for m in (old, reinvited)],
        now=long_ago,
    )
    history.record_reinvite("Sandbox", reinvited["id"], reinvited["email"])

    code, out, err = _run(capsys, "members", "--profile", "Sandbox", "--json")
    assert code == 0, err
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows[old["id"]]["invitation"]["state"] == "probably_expired"
    assert datetime.fromisoformat(rows[old["id"]]["invitation"]["first_seen"]) == long_ago
    assert rows[reinvited["id"]]["invitation"]["state"] == "valid"
    expires = datetime.fromisoformat(rows[reinvited["id"]]["invitation"]["expires_at"])
    assert timedelta(hours=47) < expires - datetime.now(UTC) <= timedelta(hours=48)
    assert all("invitation" not in r for r in rows.values() if r["status"] != "invited")
    assert all(r["invitation"] for r in rows.values() if r["status"] == "invited")


def test_csv_and_text_give_invitations_and_waits_in_the_windows_words(
    capsys: pytest.CaptureFixture[str], secret_env: Sandbox, isolated_home: Path
) -> None:
    """The CSV carries what the window's Waiting and Invitation columns show; the text too."""
    info = secret_env.info
    saved = _run(
        capsys,
        *("profile", "save", "Sandbox", "--url", info["scim_url"], "--key-env", "SANDBOX_KEY"),
        *("--client-id", info["client_id"], "--client-secret-env", "SANDBOX_SECRET"),
    )
    assert saved[0] == 0, saved[2]
    state = httpx.get(info["control_url"] + "/state", timeout=10).json()
    old = next(m for m in state["members"] if m["status"] == 0)
    long_ago = (datetime.now(UTC) - timedelta(days=6)).replace(microsecond=0)
    History().record(
        "Sandbox", [_Seen(old["id"], old["email"], MemberStatus.INVITED)], now=long_ago
    )

    code, out, err = _run(capsys, "members", "--profile", "Sandbox", "--csv")
    assert code == 0, err
    rows = {r["Member id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows[old["id"]]["Invitation"] == "Probably expired"
    assert rows[old["id"]]["Waiting since (first seen)"] == long_ago.isoformat()
    expires = datetime.fromisoformat(rows[old["id"]]["Invitation expires (about)"])
    assert expires == long_ago + timedelta(hours=120)
    for row in rows.values():
        if row["Status"] == "Invited":
            assert row["Invitation"] in {"Valid", "Expires within a day", "Probably expired"}
        else:
            assert row["Invitation"] == row["Invitation expires (about)"] == ""
        waits = row["Status"] in {"Invited", "Needs confirmation", "Revoked"}
        assert bool(row["Waiting since (first seen)"]) is waits, row
    # The rows come by status, who needs the admin first, then by e-mail.
    order = ["Needs confirmation", "Invited", "Staged (not yet invited)", "Confirmed", "Revoked"]
    keys = [(order.index(r["Status"]), r["Email"].casefold()) for r in rows.values()]
    assert keys == sorted(keys)

    code, text, err = _run(capsys, "members", "--profile", "Sandbox")
    assert code == 0, err
    line = next(x for x in text.splitlines() if old["email"] in x)
    assert "Invited" in line
    assert "probably expired" in line
    assert long_ago.astimezone().strftime("%Y-%m-%d %H:%M") in line
    assert "Waiting since (first seen)" in text.splitlines()[0]
