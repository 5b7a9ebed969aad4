"""`scim-assistant check` end to end: against the sandbox, a hostile server, and saved profiles.

The key must appear in no output (stdout, stderr) and in no file of the config dir.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from app.cli import main
from app.core.endpoints import Deployment
from app.core.okta_check import USER_AGENT
from app.core.profiles import Profile, ProfileStore
from app.core.secrets import ProfileSecrets
from app.sandbox.server import Sandbox
from tests.fixtures.hostile_server import HostileServer, behaviours

KEY_VAR = "SCIM_ASSISTANT_TEST_KEY"
ORG = "8f0e6c1a-1b2c-4d5e-9f00-123456789abc"
OKTA_HEADERS = {
    "Accept": "application/scim+json",
    "Accept-Charset": "utf-8",
    "User-Agent": USER_AGENT,
    "Authorization": "Bearer ***",
    "Connection": "Keep-Alive",
    "Accept-Encoding": "gzip,deflate",
}


@pytest.fixture
def sandbox_org() -> Iterator[Sandbox]:
    """A small sandbox organization on 127.0.0.1 (started here: no dependency on other plugins)."""
    with Sandbox.start(members=5, seed=7) as box:
        yield box


def check(
    capsys: pytest.CaptureFixture[str], *argv: str, secret: str | None = None
) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    if secret:
        assert secret not in out
        assert secret not in err
    return code, out, err


def test_sandbox_ok_with_the_exact_okta_request(
    sandbox_org: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    info = sandbox_org.info
    monkeypatch.setenv(KEY_VAR, info["scim_key"])
    code, out, _ = check(
        capsys, "--url", info["scim_url"], "--key-env", KEY_VAR, "--json", secret=info["scim_key"]
    )
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    assert data["ok"] is True
    assert data["category"] == "ok"
    assert data["http_status"] == 200
    assert data["request"]["method"] == "GET"
    assert data["request"]["url"] == info["scim_url"] + "/Users?startIndex=1&count=2"
    headers = dict(data["request"]["headers"])
    assert headers.pop("Host") == info["scim_url"].split("/")[2]
    assert headers == OKTA_HEADERS
    assert out.count("\n") == 1  # one JSON object, one line


def test_loopback_answers_but_okta_cannot_reach_it(
    sandbox_org: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The third outcome: the sandbox answers as Okta needs on http://127.0.0.1, where Okta's
    cloud cannot connect. Never a bare OK; exit 0 (the contract), `--strict` exits 3."""
    info = sandbox_org.info
    monkeypatch.setenv(KEY_VAR, info["scim_key"])
    args = ("--url", info["scim_url"], "--key-env", KEY_VAR)
    code, out, _ = check(capsys, *args, "--json", secret=info["scim_key"])
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    assert data["ok"] is True
    assert data["verdict"] == "okta_cannot_reach"
    assert any("loopback" in b for b in data["okta_blockers"])
    assert any("not https" in b for b in data["okta_blockers"])
    assert set(data["okta_blockers"]) <= set(data["warnings"])
    assert "would succeed" not in data["message"]
    assert "Okta cannot reach this address from its cloud" in data["message"]

    code, out, _ = check(capsys, *args, secret=info["scim_key"])
    assert code == 0
    first = out.splitlines()[0]
    assert first == (
        "OK HERE ONLY: The endpoint answers as Okta needs, but Okta cannot reach this address "
        "from its cloud"
    )
    code, _, _ = check(capsys, *args, "--strict", secret=info["scim_key"])
    assert code == 3


def test_sandbox_wrong_key_is_unauthorized(
    sandbox_org: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "Wr0ngKeyWr0ngKeyWr0ngKeyWr0ng1"
    monkeypatch.setenv(KEY_VAR, wrong)
    code, out, _ = check(
        capsys, "--url", sandbox_org.info["scim_url"], "--key-env", KEY_VAR, "--json", secret=wrong
    )
    assert code == 1
    data = json.loads(out)
    assert data["category"] == "unauthorized"
    assert data["http_status"] == 401
    assert sandbox_org.info["scim_key"] not in out


def test_sandbox_readable_output_and_groups(
    sandbox_org: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = sandbox_org.info["scim_key"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"Bearer {key}\n"))
    code, out, _ = check(
        capsys, "--url", sandbox_org.info["scim_url"], "--key-stdin", "--groups", secret=key
    )
    assert code == 0
    assert out.startswith("OK HERE ONLY: ")
    assert "Groups request Okta makes when you save To App succeeded" in out
    assert "Authorization: Bearer ***" in out
    assert "'Bearer '" in out  # the warning about the pasted prefix


def test_hostile_answers_exit_1(
    hostile_server: HostileServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hostile_server.serve(behaviours.html_login_page())
    key = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy"
    monkeypatch.setenv(KEY_VAR, key)
    url = f"{hostile_server.url}/scim/v2/{ORG}"
    code, out, _ = check(capsys, "--url", url, "--key-env", KEY_VAR, secret=key)
    assert code == 1
    assert out.startswith("NOT OK: not_scim (HTTP 200)")
    assert hostile_server.requests[0].header("Authorization") == f"Bearer {key}"


@pytest.mark.parametrize(
    ("argv", "env", "phrase"),
    [
        (["--url", f"https://scim.bitwarden.com/v2/{ORG}"], {}, "--key-env VAR or --key-stdin"),
        (
            ["--url", "x", "--key-env", "NOT_SET_ANYWHERE"],
            {},
            "NOT_SET_ANYWHERE (the SCIM API key) is not set",
        ),
        (["--url", "x", "--key-env", KEY_VAR], {KEY_VAR: "  "}, "is not set or is empty"),
        (["--url", "x", "--key-env", KEY_VAR, "--timeout", "0"], {KEY_VAR: "k"}, "--timeout"),
        (["--profile", "nobody", "--key-env", KEY_VAR], {KEY_VAR: "k"}, "no profile named"),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str],
    env: dict[str, str],
    phrase: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = check(capsys, *argv)
    assert code == 2
    assert out == ""
    assert phrase in err


def test_empty_stdin_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = check(capsys, "--url", f"https://scim.bitwarden.com/v2/{ORG}", "--key-stdin")
    assert code == 2
    assert "standard input" in err


def test_url_or_profile_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--key-stdin"])
    assert exit_info.value.code == 2


def test_an_invalid_url_is_a_failed_check_not_a_crash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_VAR, "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy")
    code, out, _ = check(
        capsys, "--url", "http://bw.example.com/scim/v2/x", "--key-env", KEY_VAR, "--json"
    )
    assert code == 1
    assert json.loads(out)["category"] == "insecure_url"


def test_profile_check_reads_the_keyring_and_nothing_secret_is_on_disk(
    sandbox_org: Sandbox,
    capsys: pytest.CaptureFixture[str],
    isolated_home: Path,
) -> None:
    info = sandbox_org.info
    store = ProfileStore()
    store.save(
        Profile(
            name="acme", deployment=Deployment.SELF_HOSTED, organization_id=info["organization_id"]
        ),
        ProfileSecrets(scim_url=info["scim_url"], scim_key=SecretStr(info["scim_key"])),
    )
    code, out, _ = check(capsys, "--profile", "acme", "--json", secret=info["scim_key"])
    assert code == 0, out
    assert json.loads(out)["ok"] is True
    for path in isolated_home.rglob("*"):
        if path.is_file():
            assert info["scim_key"].encode() not in path.read_bytes(), path


def test_profile_without_secrets_cannot_be_checked(capsys: pytest.CaptureFixture[str]) -> None:
    ProfileStore().save(Profile(name="bare", deployment=Deployment.CLOUD_US), None)
    code, out, err = check(capsys, "--profile", "bare")
    assert code == 1
    assert out == ""
    assert "profile save" in err


@pytest.mark.parametrize("as_json", [False, True])
def test_a_url_that_is_no_web_address_is_a_usage_error_with_no_request_block(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    monkeypatch.setenv(KEY_VAR, "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy")
    extra = ("--json",) if as_json else ()
    code, out, err = check(capsys, "--url", "garbage", "--key-env", KEY_VAR, *extra)
    assert code == 2
    assert out == ""
    assert err.startswith("scim-assistant check: error: --url: This is not a full web address")
    assert "Copy the SCIM URL from the Admin Console" in err
    assert "GET " not in err
    assert "Host" not in err


def test_the_installed_entry_point(sandbox_org: Sandbox) -> None:
    info = sandbox_org.info
    env = {**os.environ, KEY_VAR: info["scim_key"]}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "check",
            "--url",
            info["scim_url"],
            "--key-env",
            KEY_VAR,
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["category"] == "ok"
    assert info["scim_key"] not in done.stdout + done.stderr
