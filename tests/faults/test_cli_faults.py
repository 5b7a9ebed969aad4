"""The headless commands under faults: each ends with its documented exit code and one plain
sentence on stderr (or the `check --json` object), never a traceback, never a secret."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backends import fail

from app.cli import main
from app.core.memory_keyring import MemoryKeyring
from tests.faults.support import CLIENT_SECRET, MEMBERS_PATH, ORG, SCIM_KEY, TOKEN_PATH, token
from tests.fixtures.hostile_server import Behaviour, HostileServer, behaviours

CHECK_FAULTS: dict[str, tuple[Behaviour, str]] = {
    "unauthorized": (behaviours.respond(401), "unauthorized"),
    "forbidden": (behaviours.respond(403), "forbidden"),
    "not_found": (behaviours.respond(404), "not_found"),
    "rate_limited": (behaviours.rate_limited("30"), "rate_limited"),
    "server_error": (behaviours.server_error(502), "server_error"),
    "redirect": (behaviours.redirect("https://login.example.com/"), "redirect"),
    "html": (behaviours.html_login_page(), "not_scim"),
    "gzip_bomb": (behaviours.gzip_bomb(), "not_scim"),
    "reset": (behaviours.reset_mid_body(), "connect"),
    "hang": (behaviours.hang(), "timeout"),
}


def _no_leak(*texts: str) -> None:
    for text in texts:
        assert SCIM_KEY not in text
        assert CLIENT_SECRET not in text
        assert "Traceback" not in text


@pytest.mark.timeout(30)
@pytest.mark.parametrize("fault", sorted(CHECK_FAULTS))
def test_check_json_under_fault(
    fault: str,
    hostile_server: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    behaviour, category = CHECK_FAULTS[fault]
    hostile_server.serve(behaviour)
    monkeypatch.setenv("FAULT_KEY", SCIM_KEY)
    url = f"{hostile_server.url}/scim/v2/{ORG}"
    code = main(["check", "--url", url, "--key-env", "FAULT_KEY", "--json", "--timeout", "2"])
    out, err = capsys.readouterr()
    assert code == 1
    result = json.loads(out)
    assert result["category"] == category
    assert result["message"]
    assert result["request"]["headers"]["Authorization"] == "Bearer ***"
    _no_leak(out, err)


MEMBERS_FAULTS: dict[str, tuple[Behaviour, Behaviour, str]] = {
    "rate_limited_long": (token(), behaviours.rate_limited("500"), "500 s"),
    "token_refused": (
        behaviours.respond(400, '{"error":"invalid_client"}', "application/json"),
        behaviours.respond(500),
        "invalid_client",
    ),
    "revoked_token": (token(), behaviours.respond(401), "api key"),
    "html": (token(), behaviours.html_login_page(), "not what bitwarden"),
    "gzip_bomb": (token(), behaviours.gzip_bomb(), "not what bitwarden"),
    "reset": (token(), behaviours.reset_mid_body(), "connection"),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("fault", sorted(MEMBERS_FAULTS))
def test_members_under_fault(
    fault: str,
    hostile_server: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    token_answer, members_answer, words = MEMBERS_FAULTS[fault]
    hostile_server.route(TOKEN_PATH, token_answer)
    hostile_server.route(MEMBERS_PATH, members_answer)
    monkeypatch.setenv("FAULT_SECRET", CLIENT_SECRET)
    url = f"{hostile_server.url}/scim/v2/{ORG}"
    client = ["--client-id", f"organization.{ORG}", "--client-secret-env", "FAULT_SECRET"]
    code = main(["members", "--url", url, *client, "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert words in err.lower(), err
    assert len(err.strip().splitlines()) == 1, err
    _no_leak(out, err)


def _save_args(url: str) -> list[str]:
    return ["profile", "save", "prod", "--url", url, "--key-env", "FAULT_KEY"]


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("state", "words"), [("locked", "unlock"), ("denied", "refused")])
def test_profile_save_with_a_broken_keyring(
    state: str,
    words: str,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    setattr(memory_keyring, state, True)
    monkeypatch.setenv("FAULT_KEY", SCIM_KEY)
    code = main(_save_args(f"https://bw.example.com/scim/v2/{ORG}"))
    out, err = capsys.readouterr()
    assert code == 1
    assert words in err.lower(), err
    _no_leak(out, err)
    assert main(["profile", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert "prod" not in json.dumps(listed)


@pytest.mark.timeout(30)
def test_profile_save_without_a_keyring(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import keyring

    # The conftest's keyring fixture restores the previous backend afterwards.
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    monkeypatch.setenv("FAULT_KEY", SCIM_KEY)
    code = main(_save_args(f"https://bw.example.com/scim/v2/{ORG}"))
    out, err = capsys.readouterr()
    assert code == 1
    assert "keyring" in err.lower()
    _no_leak(out, err)


@pytest.mark.timeout(60)
def test_profile_save_on_a_desktop_without_any_keyring(tmp_path: Path) -> None:
    # The real process, no in-memory keyring: no D-Bus session (a server, a container, SSH).
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/scim-assistant-faults",
        "FAULT_KEY": SCIM_KEY,
    }
    done = subprocess.run(
        [sys.executable, "-m", "app", *_save_args(f"https://bw.example.com/scim/v2/{ORG}")],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "keyring" in done.stderr.lower()
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    _no_leak(done.stdout, done.stderr)
    written = [p for p in home.rglob("*") if p.is_file()]
    assert all(SCIM_KEY.encode() not in p.read_bytes() for p in written)
    assert not any(p.name == "profiles.json" for p in written)


@pytest.mark.timeout(30)
def test_member_names_cannot_write_to_the_terminal_or_run_in_a_spreadsheet(
    hostile_server: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Any invited person chooses their own name: escapes once reached the admin's terminal.
    from tests.faults.support import member_json, members_body

    eve = member_json(1) | {"name": "Eve\x1b]0;pwned\x07\x1b[2J\u202e", "email": "eve@example.com"}
    formula = member_json(2) | {"name": '=HYPERLINK("http://evil.example/","x")'}
    tabbed = member_json(3) | {"name": "\t=1+1"}
    hostile_server.route(TOKEN_PATH, token())
    hostile_server.route(MEMBERS_PATH, members_body(eve, formula, tabbed))
    monkeypatch.setenv("FAULT_SECRET", CLIENT_SECRET)
    url = f"{hostile_server.url}/scim/v2/{ORG}"
    client = ["--client-id", f"organization.{ORG}", "--client-secret-env", "FAULT_SECRET"]
    assert main(["members", "--url", url, *client]) == 0
    table = capsys.readouterr().out
    assert "Eve" in table
    assert all(line.isprintable() for line in table.splitlines()), repr(table)
    assert main(["members", "--url", url, *client, "--csv"]) == 0
    csv_text = capsys.readouterr().out
    assert "'=HYPERLINK" in csv_text
    assert ",=HYPERLINK" not in csv_text
    # The tab at the start and the `=` after it (a separator to a spreadsheet) are both neutralised.
    assert "'\t'=1+1" in csv_text
    assert "\t=1+1" not in csv_text
