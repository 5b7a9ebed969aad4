"""Secret hygiene, end to end: run the demo smoke test and every command that handles a secret, in
subprocesses with a throwaway HOME, XDG dirs, TMPDIR and working dir, then scan everything they
printed and left behind for every secret they were given: zero hits.

The commands run against a sandbox subprocess (`scim-assistant sandbox --port 0`) and keep their
secrets in a private GNOME Keyring (its files live outside the scanned dirs: the keyring is the one
place secrets may be). The demo's secrets are made inside its process, so the demo runs through
`recording_demo.py`, which writes them down as they are made. Each test then proves the scanned run
really handled the secrets (exit codes, outputs), so zero hits cannot come from a run that did
nothing; the scanner's own controls are in test_scanner.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fixtures.keys import new_rsa_pem
from tests.fixtures.secret_service import private_secret_service
from tests.secrets_scan.scanner import Scanner

REPO = Path(__file__).resolve().parents[2]
WRONG_KEY = "Wr0ngKeyWr0ngKeyWr0ngKeyWr0ng1"[:30]
WRONG_SECRET = "N0tTheSecretN0tTheSecretN0tThe"[:30]
WRONG_OKTA_TOKEN = "00WrongOktaTokenWrongOktaTokenWrongOkta00"
#: What the scan reports, for the issue's note (printed with -s).
COUNTS: dict[str, int] = {}


@dataclass
class Run:
    """One command: what it was, its exit code and its two streams."""

    label: str
    code: int
    stdout: str
    stderr: str


@dataclass
class Session:
    """A throwaway machine: the dirs a run may write to, and the runs made in it."""

    root: Path
    runs: list[Run] = field(default_factory=list)

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def scanned_dirs(self) -> list[Path]:
        return [self.root / "home", self.root / "tmp", self.root / "cwd"]

    def env(self, **extra: str) -> dict[str, str]:
        home = self.home
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_RUNTIME_DIR": str(self.root / "run"),
            "TMPDIR": str(self.root / "tmp"),
            "PYTHONPATH": str(REPO),
            "PYTHONFAULTHANDLER": "1",  # a crash dumps its traceback to stderr, which is scanned
            "QT_QPA_PLATFORM": "offscreen",
            "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/scim-assistant-scan",
        }
        env.update(extra)
        return env

    def run(
        self, label: str, args: list[str], env: dict[str, str], stdin: str | None = None
    ) -> Run:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=self.root / "cwd",
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        run = Run(label, done.returncode, done.stdout, done.stderr)
        self.runs.append(run)
        return run


def _session(root: Path) -> Session:
    session = Session(root)
    for path in (*session.scanned_dirs, root / "run"):
        path.mkdir(parents=True, exist_ok=True)
    (root / "run").chmod(0o700)
    for sub in (".config", ".local/share", ".cache", ".local/state"):
        (session.home / sub).mkdir(parents=True, exist_ok=True)
    return session


def _scan(
    session: Session, secrets: dict[str, str], kind: str, *, writes_files: bool = True
) -> Scanner:
    """Scan every output and file of `session`; `writes_files` says whether the run must have
    left files to scan (the commands do; the demo writes none that outlive it)."""
    scanner = Scanner(secrets)
    for run in session.runs:
        scanner.scan_stream(f"{run.label}: stdout", run.stdout)
        scanner.scan_stream(f"{run.label}: stderr", run.stderr)
    scanner.scan_trees(session.scanned_dirs)
    COUNTS[f"{kind}_files_scanned"] = scanner.files_scanned
    COUNTS[f"{kind}_streams_scanned"] = scanner.streams_scanned
    COUNTS[f"{kind}_bytes_scanned"] = scanner.bytes_scanned
    COUNTS[f"{kind}_secrets"] = len(secrets)
    # A scan that read nothing proves nothing: each part must have been there to read.
    assert secrets, f"{kind}: no secret to look for"
    assert scanner.streams_scanned > 0, f"{kind}: no output scanned"
    if writes_files:
        assert scanner.files_scanned > 0, f"{kind}: no file scanned"
    assert scanner.bytes_scanned > 0, f"{kind}: nothing read"
    print(json.dumps({"secret_scan": {k: v for k, v in COUNTS.items() if k.startswith(kind)}}))
    return scanner


# ---------------------------------------------------------------- the commands


@dataclass
class Sandboxed:
    info: dict[str, str]
    process: subprocess.Popen[str]


@pytest.fixture(scope="module")
def sandbox_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandboxed]:
    """`scim-assistant sandbox --port 0`, the server side (its stdout carries its secrets by
    contract, so it is not scanned)."""
    root = tmp_path_factory.mktemp("sandbox-process")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "TMPDIR": str(root),
        "PYTHONPATH": str(REPO),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "sandbox", "--port", "0", "--members", "25", "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        yield Sandboxed(info, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(scope="module")
def cli_session(
    tmp_path_factory: pytest.TempPathFactory, sandbox_process: Sandboxed
) -> Iterator[tuple[Session, dict[str, str]]]:
    info = sandbox_process.info
    session = _session(tmp_path_factory.mktemp("cli-scan"))
    secrets = {
        "scim_key": info["scim_key"],
        "client_secret": info["client_secret"],
        "master_password": info["bw_password"],
        "wrong_key": WRONG_KEY,
        "wrong_secret": WRONG_SECRET,
        "okta_token": info["okta_token"],
        "wrong_okta_token": WRONG_OKTA_TOKEN,
    }
    with private_secret_service(tmp_path_factory.mktemp("keyring")) as keyring_service:
        env = session.env(
            DBUS_SESSION_BUS_ADDRESS=keyring_service.address,
            SCAN_SCIM_KEY=info["scim_key"],
            SCAN_CLIENT_SECRET=info["client_secret"],
            SCAN_WRONG_KEY=WRONG_KEY,
            SCAN_WRONG_SECRET=WRONG_SECRET,
            SCAN_OKTA_TOKEN=info["okta_token"],
            SCAN_WRONG_OKTA_TOKEN=WRONG_OKTA_TOKEN,
        )
        url, client_id = info["scim_url"], info["client_id"]
        app = ["-m", "app"]
        key = ["--key-env", "SCAN_SCIM_KEY"]
        api = ["--client-id", client_id, "--client-secret-env", "SCAN_CLIENT_SECRET"]
        okta = ["--okta-url", info["okta_url"], "--okta-token-env", "SCAN_OKTA_TOKEN"]
        wrong_okta = ["--okta-url", info["okta_url"], "--okta-token-env", "SCAN_WRONG_OKTA_TOKEN"]
        steps: list[tuple[str, list[str], str | None]] = [
            ("profile save", ["profile", "save", "scan", "--url", url, *key, *api], None),
            ("profile list", ["profile", "list"], None),
            (
                "profile save --okta",
                ["profile", "save", "scan", "--url", url, *key, *api, *okta],
                None,
            ),
            ("okta verify", ["okta", "verify", "--profile", "scan"], None),
            ("okta verify --json", ["okta", "verify", "--profile", "scan", "--json"], None),
            (
                "profile save wrong okta token",
                ["profile", "save", "scan-okta", "--url", url, *key, *wrong_okta],
                None,
            ),
            ("okta verify wrong token", ["okta", "verify", "--profile", "scan-okta"], None),
            ("profile delete okta", ["profile", "delete", "scan-okta"], None),
            ("profile list --json", ["profile", "list", "--json"], None),
            ("check --url", ["check", "--url", url, *key], None),
            ("check --url --json", ["check", "--url", url, *key, "--json"], None),
            ("check --key-stdin", ["check", "--url", url, "--key-stdin"], info["scim_key"] + "\n"),
            (
                "check --profile --groups",
                ["check", "--profile", "scan", "--groups", "--json"],
                None,
            ),
            ("check wrong key", ["check", "--url", url, "--key-env", "SCAN_WRONG_KEY"], None),
            (
                "check wrong key --json",
                ["check", "--url", url, "--key-env", "SCAN_WRONG_KEY", "--json"],
                None,
            ),
            ("members --profile", ["members", "--profile", "scan"], None),
            ("members --json", ["members", "--profile", "scan", "--json"], None),
            ("members --csv", ["members", "--profile", "scan", "--csv"], None),
            ("members --url", ["members", "--url", url, *api, "--status", "accepted"], None),
            ("groups --json", ["groups", "--profile", "scan", "--json"], None),
            ("groups --url --key-env", ["groups", "--url", url, *key, "--csv"], None),
            (
                "members wrong secret",
                [
                    "members",
                    "--url",
                    url,
                    "--client-id",
                    client_id,
                    "--client-secret-env",
                    "SCAN_WRONG_SECRET",
                ],
                None,
            ),
            ("profile delete", ["profile", "delete", "scan"], None),
            ("check deleted profile", ["check", "--profile", "scan"], None),
        ]
        for label, args, stdin in steps:
            session.run(label, [*app, *args], env, stdin)
        yield session, secrets


def _by_label(session: Session) -> dict[str, Run]:
    return {run.label: run for run in session.runs}


@pytest.mark.secret_service
@pytest.mark.timeout(300)
def test_the_commands_really_handled_the_secrets(
    cli_session: tuple[Session, dict[str, str]], sandbox_process: Sandboxed
) -> None:
    session, _secrets = cli_session
    runs = _by_label(session)
    expected = {
        "profile save": 0,
        "profile list": 0,
        "profile list --json": 0,
        "profile save --okta": 0,
        "okta verify": 1,  # nobody is assigned in this sandbox's Okta org: that step fails
        "okta verify --json": 1,
        "profile save wrong okta token": 0,
        "okta verify wrong token": 1,
        "profile delete okta": 0,
        "check --url": 0,
        "check --url --json": 0,
        "check --key-stdin": 0,
        "check --profile --groups": 0,
        "check wrong key": 1,
        "check wrong key --json": 1,
        "members --profile": 0,
        "members --json": 0,
        "members --csv": 0,
        "members --url": 0,
        "members wrong secret": 1,
        "groups --json": 0,
        "groups --url --key-env": 0,
        "profile delete": 0,
    }
    codes = {label: runs[label].code for label in expected}
    assert codes == expected, {label: runs[label].stderr[-300:] for label in expected}
    assert runs["check deleted profile"].code != 0
    assert json.loads(runs["check --url --json"].stdout)["category"] == "ok"
    assert json.loads(runs["check wrong key --json"].stdout)["category"] == "unauthorized"
    assert "@" in runs["members --csv"].stdout
    assert "scan" in runs["profile list"].stdout
    verified = json.loads(runs["okta verify --json"].stdout)
    assert verified["app"]["id"] == sandbox_process.info["okta_app_id"]
    assert "refused the API token" in runs["okta verify wrong token"].stderr


@pytest.mark.secret_service
@pytest.mark.timeout(300)
def test_no_secret_in_any_output_or_file_of_the_commands(
    cli_session: tuple[Session, dict[str, str]],
) -> None:
    session, secrets = cli_session
    scanner = _scan(session, secrets, "cli")
    assert scanner.hits == []
    assert scanner.streams_scanned == 2 * len(session.runs)
    assert scanner.files_scanned >= 1  # at least the profile file was written and scanned


# ---------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo_session(tmp_path_factory: pytest.TempPathFactory) -> tuple[Session, dict[str, str]]:
    session = _session(tmp_path_factory.mktemp("demo-scan"))
    recorded = tmp_path_factory.mktemp("demo-secrets") / "secrets.json"
    env = session.env(SCAN_SECRETS_OUT=str(recorded))
    session.run("demo smoke test", [str(Path(__file__).with_name("recording_demo.py"))], env)
    values: dict[str, list[str]] = json.loads(recorded.read_text()) if recorded.exists() else {}
    secrets = {f"{name}_{i}": v for name, vs in values.items() for i, v in enumerate(vs)}
    return session, secrets


@pytest.mark.timeout(180)
def test_the_demo_smoke_test_passed_and_used_every_secret(
    demo_session: tuple[Session, dict[str, str]],
) -> None:
    session, secrets = demo_session
    [run] = session.runs
    assert run.code == 0, run.stderr[-2000:]
    kinds = {name.rsplit("_", 1)[0] for name in secrets}
    # The native confirm logged in (vault tokens) and unlocked with the master password.
    assert kinds == {
        "scim_key",
        "client_secret",
        "bw_password",
        "okta_token",
        "vault_access_token",
        "vault_refresh_token",
    }
    leftovers = list((session.root / "tmp").glob("scim-assistant-demo-*"))
    assert leftovers == [], "the demo removes its throwaway profile and history folder on exit"


@pytest.mark.timeout(180)
def test_no_secret_in_any_output_or_file_of_the_demo(
    demo_session: tuple[Session, dict[str, str]],
) -> None:
    session, secrets = demo_session
    assert secrets
    scanner = _scan(session, secrets, "demo", writes_files=False)
    assert scanner.hits == []
    # The demo keeps its settings in a throwaway folder it removes (README): nothing is left.
    assert scanner.files_scanned == 0, "the demo left files in the home or the data folders"


# ---------------------------------------------------------------- the Okta service app


@dataclass
class ServiceAppScan:
    session: Session
    secrets: dict[str, str]
    info: dict[str, str]
    issued_before: int
    issued_after: int


def _key_secrets(name: str, pem: str) -> dict[str, str]:
    """A private key as it could leak: its PEM body (whole, and each line), its compact form as
    the keyring keeps it, and each of the compact form's numbers."""
    from app.core.okta.private_key import load_private_key

    lines = [line for line in pem.strip().splitlines() if not line.startswith("-----")]
    compact = load_private_key(pem).compact().get_secret_value()
    secrets = {f"{name} PEM body": "".join(lines)}
    secrets |= {f"{name} PEM line {i}": line for i, line in enumerate(lines) if len(line) >= 16}
    secrets[f"{name} compact"] = compact
    # okta-key-v1.rsa.<e>.<p>.<q>: the primes are the key (e is public, and short).
    secrets |= {f"{name} compact part {i}": part for i, part in enumerate(compact.split(".")[3:])}
    return secrets


@pytest.fixture(scope="module")
def service_app_scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceAppScan]:
    """`profile save` with a service app (the key from a file, then from standard input, then a
    key Okta does not know) and `okta verify` with each, against a sandbox whose Okta org has the
    service app registered. In process, so the access tokens it issued can be looked for too."""

    from app.sandbox.server import Sandbox

    sandbox = Sandbox.start(members=25, seed=3)
    try:
        info = sandbox.info
        assert sandbox.okta is not None
        assert sandbox.okta.api is not None
        oauth = sandbox.okta.api.oauth
        # "Require DPoP" ticked, as Okta does by default: the commands go with DPoP proofs.
        oauth.app.require_dpop = True
        pem = info["okta_private_key_pem"]
        wrong_pem = new_rsa_pem()
        # The admin's key files live outside the scanned dirs: they are the input, not a leak.
        keys = tmp_path_factory.mktemp("okta-keys")
        (keys / "okta.pem").write_text(pem)
        (keys / "other.pem").write_text(wrong_pem)
        session = _session(tmp_path_factory.mktemp("service-app-scan"))
        with private_secret_service(tmp_path_factory.mktemp("keyring-svc")) as keyring_service:
            env = session.env(
                DBUS_SESSION_BUS_ADDRESS=keyring_service.address, SCAN_SCIM_KEY=info["scim_key"]
            )
            url = info["scim_url"]
            base = ["-m", "app", "profile", "save"]
            verify = ["-m", "app", "okta", "verify", "--profile"]
            scim = ["--url", url, "--key-env", "SCAN_SCIM_KEY"]
            okta = ["--okta-url", info["okta_url"], "--okta-client-id", info["okta_client_id"]]
            before = oauth.issued
            runs: list[tuple[str, list[str], str | None]] = [
                (
                    "profile save service app (file)",
                    [*base, "svc", *scim, *okta, "--okta-private-key-file", str(keys / "okta.pem"),
                     "--okta-key-id", info["okta_key_id"]],
                    None,
                ),
                ("okta verify service app", [*verify, "svc"], None),
                (
                    "okta verify service app --json",
                    [*verify, "svc", "--json"],
                    None,
                ),
                (
                    "profile save service app (stdin)",
                    [*base, "svc-stdin", *scim, *okta, "--okta-private-key-file", "-"],
                    pem,
                ),
                (
                    "okta verify service app (stdin) --json",
                    [*verify, "svc-stdin", "--json"],
                    None,
                ),
                (
                    "profile save unknown key",
                    [*base, "svc-wrong", *scim, *okta,
                     "--okta-private-key-file", str(keys / "other.pem")],
                    None,
                ),
                (
                    "okta verify unknown key",
                    [*verify, "svc-wrong"],
                    None,
                ),
                ("profile list --json", ["-m", "app", "profile", "list", "--json"], None),
            ]  # fmt: skip
            for label, args, stdin in runs:
                session.run(label, args, env, stdin)
            secrets = _key_secrets("service app key", pem) | _key_secrets("unknown key", wrong_pem)
            secrets |= {f"access token {i}": t for i, t in enumerate(oauth.issued_tokens())}
            yield ServiceAppScan(session, secrets, info, before, oauth.issued)
    finally:
        sandbox.stop()


@pytest.mark.secret_service
@pytest.mark.timeout(300)
def test_the_service_app_commands_really_used_the_key(service_app_scan: ServiceAppScan) -> None:
    scan = service_app_scan
    runs = _by_label(scan.session)
    codes = {label: run.code for label, run in runs.items()}
    assert codes == {
        "profile save service app (file)": 0,
        "okta verify service app": 1,  # nobody is assigned in this sandbox's Okta org
        "okta verify service app --json": 1,
        "profile save service app (stdin)": 0,
        "okta verify service app (stdin) --json": 1,
        "profile save unknown key": 0,  # a well-formed key: only Okta can tell it is not the app's
        "okta verify unknown key": 1,
        "profile list --json": 0,
    }, {label: run.stderr[-300:] for label, run in runs.items()}
    for label in ("okta verify service app --json", "okta verify service app (stdin) --json"):
        assert json.loads(runs[label].stdout)["app"]["id"] == scan.info["okta_app_id"]
    assert "Okta refused the service app" in runs["okta verify unknown key"].stderr
    # Each good verify went as the service app: one access token per run (each a new process).
    assert scan.issued_after - scan.issued_before == 3
    assert sum(name.startswith("access token") for name in scan.secrets) == 3


@pytest.mark.secret_service
@pytest.mark.timeout(300)
def test_no_service_app_key_or_access_token_in_any_output_or_file(
    service_app_scan: ServiceAppScan,
) -> None:
    scan = service_app_scan
    scanner = _scan(scan.session, scan.secrets, "service_app")
    assert scanner.hits == []
    assert scanner.streams_scanned == 2 * len(scan.session.runs)
    assert scanner.files_scanned >= 1  # the profile file was written and scanned
