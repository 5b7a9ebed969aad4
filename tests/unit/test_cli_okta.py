"""`scim-assistant okta verify` and `profile save --okta-url --okta-token-env`, in-process with
the conftest's in-memory keyring, against the purpose-built Okta org."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from app.cli import main
from app.core.memory_keyring import MemoryKeyring
from app.core.profiles import ProfileStore
from app.core.secrets import SecretStore
from app.sandbox.server import Sandbox
from tests.fixtures.hostile_server import HostileServer
from tests.fixtures.keys import new_rsa_pem
from tests.fixtures.okta_org import TOKEN, FakeOktaOrg

ORG = "0d9b6a3e-8f7c-4b1d-9a2e-3c4d5e6f7a8b"
KEY = "Zx9QwErTyUiOp1234AsDfGhJkL5678"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def saved(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    hostile_server: HostileServer,
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
) -> FakeOktaOrg:
    """A profile whose SCIM URL is unreachable (Bitwarden's side is optional) and Okta is ours."""
    monkeypatch.setenv("T_SCIM_KEY", KEY)
    monkeypatch.setenv("T_OKTA", f"SSWS {TOKEN}\n")
    scim = f"http://127.0.0.1:9/scim/v2/{ORG}"
    code, out, err = _run(
        capsys, "profile", "save", "Acme", "--url", scim, "--key-env", "T_SCIM_KEY",
        "--okta-url", hostile_server.url, "--okta-token-env", "T_OKTA",
    )  # fmt: skip
    assert code == 0, err
    assert "Okta API token" in out
    org = FakeOktaOrg()
    org.install(hostile_server)
    return org


def test_save_keeps_the_token_bare_in_the_keyring_only(
    saved: FakeOktaOrg, memory_keyring: MemoryKeyring, isolated_home: Path
) -> None:
    stored = SecretStore(memory_keyring).load("Acme")
    assert stored is not None
    assert stored.okta_token is not None
    assert stored.okta_token.get_secret_value() == TOKEN
    assert not any(
        TOKEN.encode() in p.read_bytes() for p in isolated_home.rglob("*") if p.is_file()
    )


def test_verify_json_good_state(saved: FakeOktaOrg, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "okta", "verify", "--profile", "Acme", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["app"]["label"] == "Bitwarden"
    assert {s["id"]: s["state"] for s in data["steps"]}["base_url"] == "unknown"
    assert all(set(s) == {"id", "state", "message", "fix"} for s in data["steps"])
    assert data["not_provisioned"] == []
    assert "conflicts are not matched" in err  # the SCIM side was unreachable: said, not fatal
    assert TOKEN not in out + err


def test_verify_fails_with_exit_1_and_the_fix(
    saved: FakeOktaOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    saved.app["features"] = ["PUSH_NEW_USERS"]
    code, out, _ = _run(capsys, "okta", "verify", "--profile", "Acme")
    assert code == 1
    assert "✘ deactivate_users" in out
    assert "fix: Provisioning → To App" in out


def test_several_apps_is_a_usage_error(
    saved: FakeOktaOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    saved.other_apps.append({"id": "0oa2", "name": "x", "label": "Bitwarden 2", "status": "ACTIVE"})
    code, _, err = _run(capsys, "okta", "verify", "--profile", "Acme")
    assert code == 2
    assert "--app-id" in err
    code, _, _ = _run(capsys, "okta", "verify", "--profile", "Acme", "--app-id", saved.app["id"])
    assert code == 0


def test_the_app_picked_in_the_setup_is_used(
    saved: FakeOktaOrg, capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring
) -> None:
    saved.other_apps.append({"id": "0oa2", "name": "x", "label": "Bitwarden 2", "status": "ACTIVE"})
    ProfileStore(secrets=SecretStore(memory_keyring)).set_okta_app("Acme", saved.app["id"])
    code, out, err = _run(capsys, "okta", "verify", "--profile", "Acme", "--json")
    assert code == 0, err
    assert json.loads(out)["app"]["id"] == saved.app["id"]


def test_a_profile_without_okta_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
) -> None:
    monkeypatch.setenv("T_SCIM_KEY", KEY)
    url = f"https://bw.example.com/scim/v2/{ORG}"
    assert _run(capsys, "profile", "save", "B", "--url", url, "--key-env", "T_SCIM_KEY")[0] == 0
    code, _, err = _run(capsys, "okta", "verify", "--profile", "B")
    assert code == 2
    assert "--okta-url" in err
    code, _, err = _run(
        capsys, "profile", "save", "B", "--url", url, "--key-env", "T_SCIM_KEY",
        "--okta-url", "http://acme.okta.com", "--okta-token-env", "T_SCIM_KEY",
    )  # fmt: skip
    assert code == 2
    assert "https://" in err


@pytest.mark.parametrize(
    "command", [("okta", "verify"), ("okta", "apply", "--assign-group", "Engineering")]
)
def test_a_profile_without_an_okta_token_is_a_usage_error_saying_how_to_save_one(
    command: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
) -> None:
    monkeypatch.setenv("T_SCIM_KEY", KEY)
    scim = f"http://127.0.0.1:9/scim/v2/{ORG}"
    code, _, err = _run(
        capsys, "profile", "save", "Plain", "--url", scim, "--key-env", "T_SCIM_KEY"
    )
    assert code == 0, err
    code, out, err = _run(capsys, *command, "--profile", "Plain")
    assert code == 2
    assert out == ""
    prog = " ".join(command[:2])
    assert err == (
        f"scim-assistant {prog}: error: the profile 'Plain' has no Okta credential. Save an API "
        "token with `scim-assistant profile save Plain … --okta-url URL --okta-token-env VAR`, "
        "or a service app with `--okta-url URL --okta-client-id ID --okta-private-key-file "
        "PATH`.\n"
    )


@pytest.mark.parametrize("require_dpop", [False, True], ids=["bearer", "dpop_required"])
def test_a_service_app_saved_from_a_file_verifies_and_never_shows_its_key(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
    tmp_path: Path,
    sandbox: Sandbox,
    require_dpop: bool,
) -> None:
    """With "Require DPoP" ticked (Okta's default for a new API Services app) too."""
    info = sandbox.info
    answer = httpx.post(
        info["control_url"] + "/okta/service-app", json={"require_dpop": require_dpop}
    )
    assert answer.status_code == 200
    key_file = tmp_path / "okta.pem"
    key_file.write_text(info["okta_private_key_pem"])
    monkeypatch.setenv("T_SCIM_KEY", info["scim_key"])
    code, out, err = _run(
        capsys, "profile", "save", "Svc", "--url", info["scim_url"], "--key-env", "T_SCIM_KEY",
        "--okta-url", info["okta_url"], "--okta-client-id", info["okta_client_id"],
        "--okta-private-key-file", str(key_file), "--okta-key-id", info["okta_key_id"],
    )  # fmt: skip
    assert code == 0, err
    assert "service app's private key" in out
    stored = SecretStore(memory_keyring).load("Svc")
    assert stored is not None
    assert stored.okta_token is None
    assert stored.okta_client_id == info["okta_client_id"]
    code, out, err = _run(capsys, "okta", "verify", "--profile", "Svc", "--json")
    assert json.loads(out)["app"]["id"] == info["okta_app_id"]
    assert sandbox.okta is not None
    assert sandbox.okta.api is not None
    oauth = sandbox.okta.api.oauth
    assert oauth.issued == 1  # it went as the service app, not as a token
    assert all((issued.jkt is not None) == require_dpop for issued in oauth._tokens.values())
    for token in oauth.issued_tokens():
        assert token not in out + err
    assert stored.okta_private_key is not None
    body = "".join(info["okta_private_key_pem"].splitlines()[1:-1])
    for text in (out, err):
        assert stored.okta_private_key.get_secret_value() not in text
        assert body[:40] not in text
    assert not any(
        stored.okta_private_key.get_secret_value().encode() in p.read_bytes()
        for p in isolated_home.rglob("*")
        if p.is_file()
    )


def test_a_token_and_a_service_app_together_are_a_usage_error(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
) -> None:
    monkeypatch.setenv("T_SCIM_KEY", KEY)
    monkeypatch.setenv("T_OKTA", TOKEN)
    code, _, err = _run(
        capsys, "profile", "save", "Both", "--url", f"http://127.0.0.1:9/scim/v2/{ORG}",
        "--key-env", "T_SCIM_KEY", "--okta-url", "https://x.okta.com", "--okta-token-env",
        "T_OKTA", "--okta-client-id", "0oa1", "--okta-private-key-file", "/nonexistent",
    )  # fmt: skip
    assert code == 2
    assert "not both" in err


def _save_service_app(capsys: pytest.CaptureFixture[str], key_file: Path) -> tuple[int, str, str]:
    return _run(
        capsys, "profile", "save", "Svc", "--url", f"http://127.0.0.1:9/scim/v2/{ORG}",
        "--key-env", "T_SCIM_KEY", "--okta-url", "https://acme.okta.com",
        "--okta-client-id", "0oa1client", "--okta-private-key-file", str(key_file),
    )  # fmt: skip


@pytest.mark.parametrize(("mode", "warned"), [(0o644, True), (0o640, True), (0o600, False)])
def test_a_key_file_others_can_read_is_saved_with_a_warning(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
    tmp_path: Path,
    mode: int,
    warned: bool,
) -> None:
    """The key is the service app's whole credential: a file other users can read is said, with
    what to do now that the key is in the keyring (an ssh-like refusal would only get in the way
    of a file just exported from Okta)."""
    monkeypatch.setenv("T_SCIM_KEY", KEY)
    key_file = tmp_path / "okta.pem"
    key_file.write_text(new_rsa_pem())
    key_file.chmod(mode)
    code, _, err = _save_service_app(capsys, key_file)
    assert code == 0, err
    assert ("other users of this computer" in err) is warned
    assert ("chmod 600" in err) is warned
    assert SecretStore(memory_keyring).load("Svc") is not None


@pytest.mark.timeout(20)
def test_a_fifo_as_the_key_file_is_refused_at_once(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
    tmp_path: Path,
) -> None:
    """A named pipe nobody writes to held `open()` for ever (the command hung); a device such as
    /dev/zero was read as a 'too large' key. Both are not a key file."""
    import os

    monkeypatch.setenv("T_SCIM_KEY", KEY)
    fifo = tmp_path / "okta.pem"
    os.mkfifo(fifo)
    code, _, err = _save_service_app(capsys, fifo)
    assert code == 2
    assert "not a regular file" in err
    code, _, err = _save_service_app(capsys, Path("/dev/zero"))
    assert code == 2
    assert "not a regular file" in err
    assert SecretStore(memory_keyring).load("Svc") is None


def test_a_key_file_that_is_not_utf8_is_one_sentence(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
    tmp_path: Path,
) -> None:
    """A DER key (binary) is said to be not text, not decoded with replacement characters into
    a 'damaged PEM' the admin cannot make sense of."""
    monkeypatch.setenv("T_SCIM_KEY", KEY)
    key_file = tmp_path / "okta.der"
    key_file.write_bytes(b"\x30\x82\x04\xbd\x02\x01\x00\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7")
    code, _, err = _save_service_app(capsys, key_file)
    assert code == 2
    assert "not UTF-8 text" in err


@pytest.mark.parametrize(
    ("given", "code", "says"),
    [
        ("pem", 0, ""),
        (b"\xff\xfe-----BEGIN", 2, "not UTF-8 text"),
        (b"A" * (64 * 1024 + 1), 2, "too much to be a private key"),
    ],
)
def test_the_key_on_standard_input_is_read_as_bytes_and_bounded(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
    given: bytes | str,
    code: int,
    says: str,
) -> None:
    """`--okta-private-key-file -`: UTF-16 or binary input is one sentence (was a decoding
    traceback, or replacement characters read as a damaged PEM); more than a key is refused."""
    import io
    import sys

    data = new_rsa_pem().encode() if given == "pem" else given
    assert isinstance(data, bytes)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    monkeypatch.setenv("T_SCIM_KEY", KEY)
    got, _, err = _run(
        capsys, "profile", "save", "Svc", "--url", f"http://127.0.0.1:9/scim/v2/{ORG}",
        "--key-env", "T_SCIM_KEY", "--okta-url", "https://acme.okta.com",
        "--okta-client-id", "0oa1client", "--okta-private-key-file", "-",
    )  # fmt: skip
    assert got == code, err
    assert says in err
    assert (SecretStore(memory_keyring).load("Svc") is not None) is (code == 0)
