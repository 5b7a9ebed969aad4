"""`scim-assistant confirm` against the sandbox: EMAIL=PHRASE in scripts, yes/no on a terminal."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from pydantic import SecretStr

from app.cli import build_parser
from app.commands import confirm
from app.core.vault.session import VaultSession
from app.sandbox.server import Sandbox

ACCEPTED = 1


def accepted(box: Sandbox) -> list[tuple[str, str]]:
    """(email, phrase) of each accepted member, read through a session of the test's own."""
    org = box.info["organization_id"]
    with VaultSession(
        box.info["identity_url"], box.info["api_url"], device_identifier=str(uuid.uuid4())
    ) as session:
        password = SecretStr(box.info["bw_password"])
        session.login_with_password(box.info["admin_email"], password)
        session.unlock(password)
        rows = [r for r in session.member_rows(org) if r["status"] == ACCEPTED]
        keys = session.member_keys(org, rows)
    return [(str(r["email"]), keys[r["id"]].phrase) for r in rows]


def run(
    box: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    *extra: str,
    tty: bool = False,
    answers: list[str] | None = None,
) -> int:
    monkeypatch.setenv("MP", box.info["bw_password"])
    argv = ["confirm", "--url", box.info["scim_url"], "--master-password-env", "MP"]
    args = build_parser().parse_args([*argv, "--email", box.info["admin_email"], *extra])
    replies = list(answers or [])
    return confirm.run(args, ask=lambda _prompt: replies.pop(0), tty=tty)


def outcomes(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return result


def test_matching_phrases_confirm_and_a_wrong_one_is_a_mismatch(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (first, phrase), (second, _) = accepted(sandbox)[:2]
    code = run(
        sandbox,
        monkeypatch,
        "--member",
        f"{first}={phrase.upper().replace('-', ' ')}",
        "--member",
        f"{second}=abacus-abacus-abacus-abacus-abacus",
        "--json",
    )
    results = {o["email"].lower(): o for o in outcomes(capsys)}
    assert code == 1
    assert results[first.lower()]["result"] == "confirmed"
    assert results[first.lower()]["fingerprint"] == phrase
    assert results[second.lower()]["result"] == "mismatch"
    waiting = [e for e, _ in accepted(sandbox)]
    assert first not in waiting
    assert second in waiting


def test_running_again_reports_already_confirmed(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    email, phrase = accepted(sandbox)[0]
    assert run(sandbox, monkeypatch, "--member", f"{email}={phrase}", "--json") == 0
    capsys.readouterr()
    assert run(sandbox, monkeypatch, "--member", f"{email}={phrase}", "--json") == 0
    assert outcomes(capsys)[0]["result"] == "already_confirmed"


def test_without_a_terminal_and_without_phrases_it_refuses(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = accepted(sandbox)
    assert run(sandbox, monkeypatch, "--all-accepted") == 2
    assert "no blind mode" in capsys.readouterr().err
    assert accepted(sandbox) == before


def test_on_a_terminal_each_phrase_is_asked_yes_or_no(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    members = accepted(sandbox)
    answers = ["y"] + ["n"] * (len(members) - 1)
    code = run(sandbox, monkeypatch, "--all-accepted", "--json", tty=True, answers=answers)
    captured = capsys.readouterr()
    results = json.loads(captured.out)
    assert code == 1
    assert [r["result"] for r in results] == ["confirmed"] + ["skipped"] * (len(members) - 1)
    assert members[0][1] in captured.err
    assert sandbox.info["bw_password"] not in captured.out + captured.err


def test_a_wrong_master_password_says_so(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    email, phrase = accepted(sandbox)[0]
    monkeypatch.setenv("MP", "wrong")
    args = build_parser().parse_args(
        [
            "confirm",
            "--url",
            sandbox.info["scim_url"],
            "--master-password-env",
            "MP",
            "--email",
            sandbox.info["admin_email"],
            "--member",
            f"{email}={phrase}",
        ]
    )
    assert confirm.run(args, tty=False) == 1
    assert "not correct" in capsys.readouterr().err
