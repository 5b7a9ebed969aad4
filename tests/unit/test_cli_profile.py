"""`scim-assistant profile save|list|delete`, run in-process with the conftest's in-memory keyring,
and end to end in subprocesses against a private GNOME Keyring and the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from app.cli import main
from app.core.memory_keyring import MemoryKeyring
from app.core.profiles import ProfileStore, SetupStep
from app.core.secrets import SERVICE, SecretStore
from app.sandbox.server import Sandbox

ORG = "0d9b6a3e-8f7c-4b1d-9a2e-3c4d5e6f7a8b"
URL = f"https://bw.example.com/scim/v2/{ORG}"
KEY = "Zx9QwErTyUiOp1234AsDfGhJkL5678"
SECRET = "Cs7vB2nM4kL9pO1iU3yT6rE8wQ0aSd"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SCIM_KEY", KEY)
    monkeypatch.setenv("TEST_CLIENT_SECRET", SECRET)


def _save(
    capsys: pytest.CaptureFixture[str], name: str = "Acme", *extra: str
) -> tuple[int, str, str]:
    return _run(capsys, "profile", "save", name, "--url", URL, "--key-env", "TEST_SCIM_KEY", *extra)


def _everything_written(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


@pytest.mark.usefixtures("env")
def test_save_list_delete(
    capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring, isolated_home: Path
) -> None:
    code, out, err = _save(
        capsys,
        "Acme",
        "--client-id",
        f"organization.{ORG}",
        "--client-secret-env",
        "TEST_CLIENT_SECRET",
    )
    assert (code, err) == (0, "")
    assert "Saved profile 'Acme'" in out
    assert MemoryKeyring.display_name in out
    assert list(memory_keyring.items()) == [(SERVICE, "profile/Acme")]
    profile = ProfileStore().get("Acme")
    assert profile is not None
    assert profile.organization_id == ORG
    assert profile.server_url == "https://bw.example.com"
    assert profile.has_public_api
    # As the wizard's Save step leaves it: the GUI resumes the setup, not the members window.
    assert profile.setup_step is SetupStep.TEST
    assert ProfileStore().unfinished() == profile
    assert "Run scim-assistant to finish the setup" in out

    code, out, _ = _run(capsys, "profile", "list")
    assert code == 0
    assert "* Acme" in out
    assert "https://bw.example.com" in out
    code, out, _ = _run(capsys, "profile", "list", "--json")
    rows = json.loads(out)
    assert [(r["name"], r["last_used"], r["has_public_api"]) for r in rows] == [
        ("Acme", True, True)
    ]

    written = _everything_written(isolated_home)
    assert KEY.encode() not in written
    assert SECRET.encode() not in written

    code, out, _ = _run(capsys, "profile", "delete", "Acme")
    assert code == 0
    assert memory_keyring.items() == {}
    assert ProfileStore().list() == []
    code, _, err = _run(capsys, "profile", "delete", "Acme")
    assert code == 1
    assert "no profile named 'Acme'" in err


@pytest.mark.usefixtures("env")
def test_updating_a_profile_replaces_its_secrets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        _save(
            capsys,
            "Acme",
            "--client-id",
            f"organization.{ORG}",
            "--client-secret-env",
            "TEST_CLIENT_SECRET",
        )[0]
        == 0
    )
    rotated = "Rt" * 15
    monkeypatch.setenv("TEST_SCIM_KEY", f"Bearer {rotated}\n")
    code, out, err = _save(capsys)
    assert code == 0
    assert "Updated profile 'Acme'" in out
    assert "warning:" in err  # the pasted "Bearer " was removed, with a warning
    loaded = SecretStore().load("Acme")
    assert loaded is not None
    assert loaded.scim_key.get_secret_value() == rotated
    assert loaded.client_secret is None


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--url", "http://bw.example.com/scim/v2/" + ORG, "--key-env", "TEST_SCIM_KEY"], "https"),
        (["--url", URL, "--key-env", "NOT_SET_ANYWHERE"], "NOT_SET_ANYWHERE"),
        (
            ["--url", URL, "--key-env", "TEST_CLIENT_SECRET", "--client-id", "organization.x"],
            "both",
        ),
        (
            [
                "--url",
                URL,
                "--key-env",
                "TEST_SCIM_KEY",
                "--client-id",
                "organization.x",
                "--client-secret-env",
                "TEST_CLIENT_SECRET",
            ],
            "client",
        ),
    ],
)
def test_bad_input_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring, argv: list[str], message: str
) -> None:
    code, out, err = _run(capsys, "profile", "save", "Acme", *argv)
    assert code == 2
    assert message.lower() in err.lower()
    assert memory_keyring.items() == {}
    assert KEY not in out + err
    assert SECRET not in out + err


def test_a_short_key_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_SCIM_KEY", "tooshort")
    code, _, err = _save(capsys)
    assert code == 2
    assert "30" in err
    assert "tooshort" not in err


@pytest.mark.usefixtures("env")
def test_a_locked_keyring_fails_with_what_to_do(
    capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.locked = True
    code, _, err = _save(capsys)
    assert code == 1
    assert "locked" in err
    assert "Unlock" in err
    assert ProfileStore().list() == []


def test_list_with_no_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "profile", "list")
    assert code == 0
    assert "No profiles saved yet" in out
    assert _run(capsys, "profile", "list", "--json")[1].strip() == "[]"


def test_save_then_check_profile_against_the_sandbox(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox
) -> None:
    info = sandbox.info
    monkeypatch.setenv("SANDBOX_KEY", info["scim_key"])
    code, _, err = _run(
        capsys, "profile", "save", "Sandbox", "--url", info["scim_url"], "--key-env", "SANDBOX_KEY"
    )
    assert code == 0, err
    code, out, err = _run(capsys, "check", "--profile", "Sandbox", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["ok"] is True
    assert result["category"] == "ok"
    assert info["scim_key"] not in out + err


# ---------------------------------------------------------------- end to end, real keyring


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("PYTHON_KEYRING_BACKEND", None)
    return subprocess.run(
        [sys.executable, "-m", "app", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.mark.secret_service
@pytest.mark.slow
def test_end_to_end_through_gnome_keyring_leaves_no_secret_outside_it(
    secret_service: KeyringBackend,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
) -> None:
    """`profile save`, `check --profile`, `members --profile`, `profile list`, `profile delete`
    as separate processes: the OS keyring (a private GNOME Keyring) is the only place secrets go."""
    info = sandbox.info
    monkeypatch.setenv("SANDBOX_KEY", info["scim_key"])
    monkeypatch.setenv("SANDBOX_SECRET", info["client_secret"])
    outputs: list[str] = []

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        done = _cli(*argv)
        outputs.extend([done.stdout, done.stderr])
        return done

    saved = cli(
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
    assert saved.returncode == 0, saved.stderr
    assert "GNOME Keyring (Secret Service)" in saved.stdout
    loaded = SecretStore(secret_service).load("Sandbox")
    assert loaded is not None
    assert loaded.scim_key.get_secret_value() == info["scim_key"]

    assert cli("check", "--profile", "Sandbox").returncode == 0
    members = cli("members", "--profile", "Sandbox", "--json")
    assert members.returncode == 0, members.stderr
    assert len(json.loads(members.stdout)) == 25
    assert cli("profile", "list").returncode == 0

    written = _everything_written(isolated_home)
    for secret in (info["scim_key"], info["client_secret"]):
        assert secret.encode() not in written
        assert not [o for o in outputs if secret in o]

    assert cli("profile", "delete", "Sandbox").returncode == 0
    assert SecretStore(secret_service).load("Sandbox") is None


@pytest.mark.usefixtures("env")
def test_the_key_can_come_from_standard_input(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(f"Bearer {KEY}\n"))
    code, out, err = _run(capsys, "profile", "save", "Acme", "--url", URL, "--key-stdin")
    assert code == 0, err
    assert KEY not in out + err
    secrets = SecretStore().load("Acme")
    assert secrets is not None
    assert secrets.scim_key.get_secret_value() == KEY

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = _run(capsys, "profile", "save", "Other", "--url", URL, "--key-stdin")
    assert code == 2
    assert "standard input" in err


def test_profile_save_help_describes_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["profile", "save", "--help"])
    out = capsys.readouterr().out
    for option, words in {
        "--url URL": "SCIM URL",
        "--key-env VAR": "SCIM API key",
        "--key-stdin": "standard input",
        "--client-id ID": "client_id",
        "--client-secret-env VAR": "client_secret",
    }.items():
        line = out[out.index(f"  {option}") :].split("\n  -", 1)[0]
        assert words in line, (option, line)


@pytest.mark.usefixtures("env")
def test_a_second_profile_for_the_same_organization_warns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _save(capsys, "Acme")[0] == 0
    code, _, err = _save(capsys, "Acme again")
    assert code == 0
    assert "the profile 'Acme' is for the same organization" in err
    code, _, err = _save(capsys, "Acme")  # updating the same profile is no twin of itself
    assert "same organization" in err  # 'Acme again' still is
    assert "'Acme again' is for the same organization" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--members", "-5"],
        ["--members", "many"],
        ["--members", "100000000"],
        ["--port", "-1"],
        ["--port", "70000"],
        ["--accept-after", "-1"],
        ["--accept-after", "nan"],
    ],
)
def test_the_sandbox_refuses_negative_or_absurd_numbers(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sandbox", *argv])
    assert exit_info.value.code == 2
    assert argv[0] in capsys.readouterr().err
