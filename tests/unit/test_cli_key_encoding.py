"""A key with control characters is refused when read, and never shown (issue 12, finding 2).

PowerShell's `>` saves a file as UTF-16: piped to `check --key-stdin`, the key arrived with a NUL
after every character, failed httpx's header validation, and the exception text, quoting the
whole `Authorization` value with its NULs escaped, reached the output past the redaction. Now the
key is refused as it is read, with a sentence naming UTF-16 and the encoding to use, before any
connection, and no spelling of it reaches stdout or stderr.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.cli import main
from app.core.http import exception_detail
from app.core.keys import check_client_secret, check_scim_key
from app.core.okta_check import check_credentials
from tests.fixtures.hostile_server import HostileServer, behaviours

KEY = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy"
KEY_VAR = "SCIM_ASSISTANT_TEST_KEY"
ORG = "8f0e6c1a-1b2c-4d5e-9f00-123456789abc"


def assert_no_trace_of_key(text: str) -> None:
    """No eight characters of the key in a row, however escaped (raw, `\\x00`-interleaved, hex)."""
    flat = text.replace("\\x00", "").replace("\x00", "").replace("\\", "")
    for start in range(len(KEY) - 7):
        assert KEY[start : start + 8] not in flat
    assert KEY.encode().hex()[:16] not in text


def stdin_bytes(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """Standard input as a real one is: a text stream over bytes."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


UTF16_FILES = {
    "utf-16 (PowerShell >, BOM, little-endian)": (KEY + "\r\n").encode("utf-16"),
    "utf-16-le without BOM": (KEY + "\r\n").encode("utf-16-le"),
    "utf-16-be with BOM": b"\xfe\xff" + (KEY + "\n").encode("utf-16-be"),
}


@pytest.mark.parametrize("data", UTF16_FILES.values(), ids=UTF16_FILES.keys())
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_utf16_key_on_stdin_is_refused_before_any_request(
    data: bytes,
    as_json: bool,
    hostile_server: HostileServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hostile_server.serve(behaviours.respond(401))
    stdin_bytes(monkeypatch, data)
    argv = ["check", "--url", f"{hostile_server.url}/scim/v2/{ORG}", "--key-stdin"]
    code = main(argv + (["--json"] if as_json else []))
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "UTF-16" in err
    assert "UTF-8" in err
    assert_no_trace_of_key(out + err)
    assert hostile_server.connections == 0  # refused as read: nothing was sent anywhere


@pytest.mark.parametrize(
    "value", [KEY[:10] + "\x1b[2J" + KEY[10:], KEY + "\x00", "\x7f" + KEY], ids=repr
)
def test_a_key_env_with_control_characters_is_refused(
    value: str,
    hostile_server: HostileServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if "\x00" in value:  # an environment variable cannot hold a NUL: the core check instead
        assert check_scim_key(value).error is not None
        return
    monkeypatch.setenv(KEY_VAR, value)
    code = main(
        ["check", "--url", f"{hostile_server.url}/scim/v2/{ORG}", "--key-env", KEY_VAR, "--json"]
    )
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "control characters" in err
    assert_no_trace_of_key(out + err)
    assert hostile_server.connections == 0


def test_profile_save_refuses_a_utf16_key_and_saves_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin_bytes(monkeypatch, (KEY + "\r\n").encode("utf-16"))
    code = main(
        [
            "profile",
            "save",
            "Acme",
            "--url",
            f"https://scim.bitwarden.com/v2/{ORG}",
            "--key-stdin",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 2
    assert "UTF-16" in err
    assert_no_trace_of_key(out + err)
    assert main(["profile", "list", "--json"]) == 0
    listed = capsys.readouterr().out
    assert "Acme" not in listed


def test_a_key_that_is_not_utf8_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin_bytes(monkeypatch, b"\xe9" + KEY.encode() + b"\n")
    code = main(["check", "--url", f"https://scim.bitwarden.com/v2/{ORG}", "--key-stdin"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "not UTF-8" in err


def test_the_installed_entry_point_refuses_a_utf16_key_from_a_pipe(
    hostile_server: HostileServer, tmp_path: Path
) -> None:
    """As an admin runs it: `Get-Content key.txt | scim-assistant check … --key-stdin --json`."""
    hostile_server.serve(behaviours.respond(401))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "check",
            "--url",
            f"{hostile_server.url}/scim/v2/{ORG}",
            "--key-stdin",
            "--json",
        ],
        input=(KEY + "\r\n").encode("utf-16"),
        env={**os.environ, "PYTHONUTF8": "1"},
        capture_output=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 2, err
    assert out == ""
    assert "UTF-16" in err
    assert_no_trace_of_key(out + err)
    assert hostile_server.connections == 0


def test_the_gui_fields_check_refuses_control_characters_too() -> None:
    """The wizard's key and client_secret fields use these checks as the admin types."""
    pasted = "\ufeff" + "\x00".join(KEY)
    for checked in (check_scim_key(pasted), check_client_secret(pasted)):
        assert checked.value is None
        assert checked.error is not None
        assert "UTF-16" in checked.error
        assert_no_trace_of_key(checked.error + checked.cleaned.get_secret_value())
    escape = check_scim_key(KEY[:15] + "\x1b" + KEY[15:])
    assert escape.error is not None
    assert "control characters" in escape.error


def test_a_header_validation_error_never_shows_its_text(hostile_server: HostileServer) -> None:
    """Library use past the command line's check: the core's message holds no trace either."""
    hostile_server.serve(behaviours.respond(401))
    result = check_credentials(
        f"{hostile_server.url}/scim/v2/{ORG}", "\x00".join(KEY) + "\x00", timeout=5
    )
    assert not result.ok
    assert "could not be sent" in result.message
    assert_no_trace_of_key(json.dumps(result.to_json()) + result.message)
    with pytest.raises(httpx.LocalProtocolError) as raised:
        httpx.get(hostile_server.url, headers={"Authorization": f"Bearer {KEY}\x00"})
    assert KEY in str(raised.value)  # what httpx says, and what must never be shown
    assert_no_trace_of_key(exception_detail(raised.value))
