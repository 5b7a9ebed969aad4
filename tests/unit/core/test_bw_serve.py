"""The `bw serve` client against the sandbox's emulated `bw serve` (real HTTP), the batch
confirmation's safety rules, and `BwServeProcess`'s process management.

`BwServeProcess` and `diagnose_cli` are exercised here with a small fake `bw` script that only
serves `GET /status` and prints canned `status`/`config server` output: these tests cover starting,
waiting for, and stopping the child process and reading the CLI's output, NOT the real CLI's
behaviour. The real `@bitwarden/cli` is tested elsewhere (the `real_bw` marker).
"""

from __future__ import annotations

import json
import stat
import sys
import textwrap
import uuid
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.core import bw_cli_messages
from app.core.bw_serve import (
    BwServeClient,
    BwServeError,
    BwServeProcess,
    ConfirmOutcome,
    confirm_members,
    diagnose_cli,
    find_bw,
    fingerprints,
    same_server,
)
from app.core.cancel import CancelToken
from app.core.endpoints import parse_scim_url
from app.core.public_api import Member, MemberStatus, MemberType, PublicApiClient
from app.sandbox.server import Sandbox
from tests.fixtures.hostile_server import Behaviour, HostileServer, behaviours


def _bw(box: Sandbox) -> BwServeClient:
    return BwServeClient(box.info["bw_serve_url"], timeout=10)


def _password(box: Sandbox) -> SecretStr:
    return SecretStr(box.info["bw_password"])


def _members(box: Sandbox) -> list[Member]:
    endpoints = parse_scim_url(box.info["scim_url"]).endpoints
    assert endpoints is not None
    secret = SecretStr(box.info["client_secret"])
    with PublicApiClient(endpoints, box.info["client_id"], secret) as api:
        return api.list_members()


# ---------------------------------------------------------------- the client


def test_status_unlock_and_lock(sandbox: Sandbox) -> None:
    with _bw(sandbox) as bw:
        assert bw.status()["status"] == "locked"
        bw.unlock(_password(sandbox))
        assert bw.status()["status"] == "unlocked"
        bw.lock()
        assert bw.status()["status"] == "locked"


def test_a_wrong_password_is_a_plain_error_without_the_password(sandbox: Sandbox) -> None:
    wrong = "not-the-password-123"
    with _bw(sandbox) as bw, pytest.raises(BwServeError) as caught:
        bw.unlock(SecretStr(wrong))
    assert str(caught.value).startswith("The master password is wrong (bw could not decrypt")
    assert caught.value.cli_message == "Cryptography error, The decryption operation failed"
    assert not caught.value.locked
    assert not caught.value.unsure
    assert wrong not in repr(caught.value)
    assert wrong not in str(caught.value)


def test_an_empty_password_says_so(sandbox: Sandbox) -> None:
    with _bw(sandbox) as bw, pytest.raises(BwServeError) as caught:
        bw.unlock(SecretStr(""))
    assert str(caught.value) == bw_cli_messages.UNLOCK_EMPTY
    assert caught.value.cli_message is not None
    assert caught.value.cli_message.startswith("Master password is required.")


@pytest.mark.parametrize(
    ("status", "reason", "cli_message"),
    [
        (
            MemberStatus.INVITED,
            "has not accepted the invitation yet",
            "Error: User must accept the invitation before they can be confirmed.",
        ),
        (MemberStatus.CONFIRMED, "is already confirmed", "Error: User is already confirmed."),
        (MemberStatus.REVOKED, "is revoked", "Error: User is revoked and cannot be confirmed."),
    ],
)
def test_a_refused_confirm_names_the_member_s_state(
    sandbox: Sandbox, status: MemberStatus, reason: str, cli_message: str
) -> None:
    member = next(m for m in _members(sandbox) if m.status is status)
    with _bw(sandbox) as bw:
        bw.unlock(_password(sandbox))
        with pytest.raises(BwServeError) as caught:
            bw.confirm(member.id, sandbox.info["organization_id"])
    assert str(caught.value) == f"This person {reason}, so bw did not confirm them."
    assert caught.value.cli_message == cli_message
    assert bw_cli_messages.member_refusal(cli_message) == reason


def test_another_organization_means_the_cli_is_in_the_wrong_account(sandbox: Sandbox) -> None:
    """`No encryption key for this organization.` (confirm) and `Organization not found.` (list):
    the CLI's account is not in this organization, or its vault copy is stale (`bw sync`)."""
    member = next(m for m in _members(sandbox) if m.status is MemberStatus.ACCEPTED)
    elsewhere = str(uuid.uuid4())
    with _bw(sandbox) as bw:
        bw.unlock(_password(sandbox))
        with pytest.raises(BwServeError) as confirming:
            bw.confirm(member.id, elsewhere)
        with pytest.raises(BwServeError) as listing:
            bw.list_org_members(elsewhere)
    for caught in (confirming, listing):
        assert str(caught.value) == bw_cli_messages.NOT_IN_ORGANIZATION
        assert "not a member of this organization" in str(caught.value)
        assert "`bw sync`" in str(caught.value)
    assert confirming.value.cli_message == "Error: No encryption key for this organization."
    assert listing.value.cli_message == "Organization not found."
    assert member.status is MemberStatus.ACCEPTED


def test_an_unknown_user_has_no_fingerprint(sandbox: Sandbox) -> None:
    with _bw(sandbox) as bw:
        bw.unlock(_password(sandbox))
        with pytest.raises(BwServeError) as caught:
            bw.fingerprint(str(uuid.uuid4()))
    assert str(caught.value) == bw_cli_messages.NO_FINGERPRINT
    assert caught.value.cli_message == "Not found."


def test_locked_vault_says_so(sandbox: Sandbox) -> None:
    with _bw(sandbox) as bw, pytest.raises(BwServeError) as caught:
        bw.list_org_members(sandbox.info["organization_id"])
    assert caught.value.locked
    assert str(caught.value) == bw_cli_messages.VAULT_LOCKED
    assert caught.value.cli_message == "Vault is locked."


def test_org_members_agree_with_the_public_api(sandbox: Sandbox) -> None:
    members = _members(sandbox)
    with _bw(sandbox) as bw:
        bw.unlock(_password(sandbox))
        rows = bw.list_org_members(sandbox.info["organization_id"])
        accepted = next(m for m in members if m.status is MemberStatus.ACCEPTED)
        assert accepted.user_id is not None
        phrase = bw.fingerprint(accepted.user_id)
        bw.lock()
    assert {(r.id, r.status) for r in rows} == {(m.id, int(m.status)) for m in members}
    assert len(phrase.split("-")) >= 5
    assert phrase == phrase.lower()


def test_fingerprints_helper_locks_again(sandbox: Sandbox) -> None:
    members = [m for m in _members(sandbox) if m.status is MemberStatus.ACCEPTED]
    with _bw(sandbox) as bw:
        phrases = fingerprints(bw, members, _password(sandbox))
        assert bw.status()["status"] == "locked"
    assert set(phrases) == {m.id for m in members}
    assert all(p and len(p.split("-")) >= 5 for p in phrases.values())


@pytest.mark.parametrize(
    ("action", "cli_message", "plain"),
    [
        ("unlock", "Invalid master password.", bw_cli_messages.UNLOCK_WRONG),  # older CLIs
        ("confirm", "User not valid.", "This person is no longer accepted"),  # the server's
        ("confirm", "Resource not found.", "This person is no longer a member"),
        ("confirm", "User is already confirmed.", "This person is already confirmed"),  # no prefix
        ("list", "Error: Vault is locked.", bw_cli_messages.VAULT_LOCKED),
        ("status", "You are not logged in.", bw_cli_messages.NOT_LOGGED_IN),
        ("fingerprint", "Cryptography error, The decryption operation failed", "bw serve said: "),
        ("unlock", "Something new.", "bw serve said: Something new."),
    ],
)
def test_cli_messages_in_plain_words(
    action: bw_cli_messages.Action, cli_message: str, plain: str
) -> None:
    """The same words mean different things per request; unknown words are passed on, marked."""
    assert bw_cli_messages.explain(action, cli_message).startswith(plain)


def test_only_loopback_is_accepted() -> None:
    with pytest.raises(BwServeError, match="not a local address"):
        BwServeClient("http://bw.example.com:8087")


# ---------------------------------------------------------------- confirming a batch


def test_confirm_members_confirms_only_the_accepted_and_locks_again(sandbox: Sandbox) -> None:
    members = _members(sandbox)
    accepted = {m.id for m in members if m.status is MemberStatus.ACCEPTED}
    assert accepted
    seen: list[tuple[int, int, ConfirmOutcome]] = []
    with _bw(sandbox) as bw:
        outcomes = confirm_members(
            bw,
            sandbox.info["organization_id"],
            members,
            _password(sandbox),
            progress=lambda done, total, outcome: seen.append((done, total, outcome)),
        )
        assert bw.status()["status"] == "locked"
    assert [o.member_id for o in outcomes] == [m.id for m in members]
    assert {o.member_id for o in outcomes if o.result == "confirmed"} == accepted
    assert all(o.result == "skipped" and o.reason for o in outcomes if o.member_id not in accepted)
    assert [(d, t) for d, t, _ in seen] == [(n, len(members)) for n in range(1, len(members) + 1)]
    after = {m.id: m.status for m in _members(sandbox)}
    assert all(after[i] is MemberStatus.CONFIRMED for i in accepted)

    # Running the same batch again (after an interruption, say) confirms nothing twice.
    with _bw(sandbox) as bw:
        again = confirm_members(bw, sandbox.info["organization_id"], members, _password(sandbox))
    assert {o.result for o in again} == {"skipped"}
    reasons = {o.reason for o in again if o.member_id in accepted}
    assert reasons == {"is already confirmed"}


def test_a_phrase_that_differs_right_before_the_confirm_confirms_nobody(sandbox: Sandbox) -> None:
    """`expected`: each member's phrase is read again in the same unlocked session right before
    their confirm; a phrase that is not the one the admin verified confirms nobody."""
    members = [m for m in _members(sandbox) if m.status is MemberStatus.ACCEPTED][:2]
    assert len(members) == 2
    org = sandbox.info["organization_id"]
    with _bw(sandbox) as bw:
        shown = fingerprints(bw, members, _password(sandbox))
        expected = {m.id: str(shown[m.id]) for m in members}
        # What the admin verified for the first member is not what the server holds now.
        expected[members[0].id] = "alpha-bravo-charlie-delta-echo"
        outcomes = confirm_members(bw, org, members, _password(sandbox), expected=expected)
        assert bw.status()["status"] == "locked"
    by_id = {o.member_id: o for o in outcomes}
    assert by_id[members[0].id].result == "mismatch"
    assert "changed" in (by_id[members[0].id].reason or "")
    assert by_id[members[1].id].result == "confirmed"  # the phrase read again is the one shown
    after = {m.id: m.status for m in _members(sandbox)}
    assert after[members[0].id] is MemberStatus.ACCEPTED
    assert after[members[1].id] is MemberStatus.CONFIRMED


def test_a_stale_list_never_confirms_someone_not_accepted_now(sandbox: Sandbox) -> None:
    members = _members(sandbox)
    invited = next(m for m in members if m.status is MemberStatus.INVITED)
    stale = invited.model_copy(update={"status": MemberStatus.ACCEPTED})  # the caller's view
    stranger = Member(
        id=str(uuid.uuid4()),
        email="x@example.com",
        status=MemberStatus.ACCEPTED,
        type=MemberType.USER,
    )
    with _bw(sandbox) as bw:
        outcomes = confirm_members(
            bw, sandbox.info["organization_id"], [stale, stranger], _password(sandbox)
        )
    assert [(o.result, o.reason) for o in outcomes] == [
        ("skipped", "has not accepted the invitation yet"),
        ("skipped", "is no longer a member of the organization"),
    ]


def test_cancel_skips_the_rest_and_locks(sandbox: Sandbox) -> None:
    members = _members(sandbox)
    cancel = CancelToken()
    cancel.cancel()
    with _bw(sandbox) as bw:
        outcomes = confirm_members(
            bw, sandbox.info["organization_id"], members, _password(sandbox), cancel=cancel
        )
        assert bw.status()["status"] == "locked"
    assert {o.result for o in outcomes} == {"skipped"}
    assert {m.id: m.status for m in _members(sandbox)} == {m.id: m.status for m in members}


def test_an_error_reading_statuses_still_locks(sandbox: Sandbox) -> None:
    with _bw(sandbox) as bw:
        with pytest.raises(BwServeError, match="not a member of this organization"):
            confirm_members(bw, str(uuid.uuid4()), _members(sandbox), _password(sandbox))
        assert bw.status()["status"] == "locked"


def _bw_ok(data: object = None) -> Behaviour:
    body: dict[str, object] = {"success": True}
    if data is not None:
        body["data"] = data
    return behaviours.respond(200, json.dumps(body), "application/json; charset=utf-8")


def test_a_failed_confirm_is_reported_with_the_cli_s_reason(hostile_server: HostileServer) -> None:
    org = str(uuid.uuid4())
    member_id = str(uuid.uuid4())
    row = {
        "object": "org-member",
        "id": member_id,
        "email": "a@example.com",
        "name": "A",
        "status": 1,
        "type": 2,
        "twoFactorEnabled": False,
    }
    refusal = {"success": False, "message": "User does not have two-step login enabled."}
    hostile_server.route("/unlock", _bw_ok({"object": "message", "raw": "session"}))
    hostile_server.route("/lock", _bw_ok())
    hostile_server.route("/list/", _bw_ok({"object": "list", "data": [row]}))
    hostile_server.route(
        "/confirm/", behaviours.respond(400, json.dumps(refusal), "application/json")
    )
    member = Member(
        id=member_id, email="a@example.com", status=MemberStatus.ACCEPTED, type=MemberType.USER
    )
    with BwServeClient(hostile_server.url, timeout=10) as bw:
        outcomes = confirm_members(bw, org, [member], SecretStr("pw-123456"))
    assert outcomes == [
        ConfirmOutcome(
            member_id=member_id,
            email="a@example.com",
            result="failed",
            reason="bw serve said: User does not have two-step login enabled.",
            cli_message="User does not have two-step login enabled.",
        )
    ]
    assert [r.path for r in hostile_server.requests] == [
        "/unlock",
        "/list/object/org-members",
        f"/confirm/org-member/{member_id}",
        "/lock",
    ]
    assert hostile_server.requests[0].header("origin") is None
    assert json.loads(hostile_server.requests[0].body) == {"password": "pw-123456"}


def test_members_changed_after_the_list_are_skipped_with_the_cli_s_reason(
    hostile_server: HostileServer,
) -> None:
    """The list said accepted, then the CLI refused for the member's state (someone else confirmed
    or revoked them meanwhile): skipped with a per-member reason, the CLI's words kept; a refusal
    about the organization fails every member with the plain reason."""
    org = str(uuid.uuid4())
    refusals = [
        "Error: User is already confirmed.",
        "Error: User is revoked and cannot be confirmed.",
        "Error: User must accept the invitation before they can be confirmed.",
        "Error: No encryption key for this organization.",
    ]
    members = [
        Member(
            id=str(uuid.uuid4()),
            email=f"m{n}@example.com",
            status=MemberStatus.ACCEPTED,
            type=MemberType.USER,
        )
        for n in range(len(refusals))
    ]
    rows = [
        {"object": "org-member", "id": m.id, "email": m.email, "status": 1, "type": 2}
        for m in members
    ]
    hostile_server.route("/unlock", _bw_ok({"object": "message", "raw": "session"}))
    hostile_server.route("/lock", _bw_ok())
    hostile_server.route("/list/", _bw_ok({"object": "list", "data": rows}))
    for member, message in zip(members, refusals, strict=True):
        body = json.dumps({"success": False, "message": message})
        hostile_server.route(
            f"/confirm/org-member/{member.id}",
            behaviours.respond(400, body, "application/json; charset=utf-8"),
        )
    with BwServeClient(hostile_server.url, timeout=10) as bw:
        outcomes = confirm_members(bw, org, members, SecretStr("pw-123456"))
    assert [(o.result, o.reason, o.cli_message) for o in outcomes] == [
        ("skipped", "is already confirmed", refusals[0]),
        ("skipped", "is revoked", refusals[1]),
        ("skipped", "has not accepted the invitation yet", refusals[2]),
        ("failed", bw_cli_messages.NOT_IN_ORGANIZATION, refusals[3]),
    ]
    assert hostile_server.requests[-1].path == "/lock"


# ---------------------------------------------------------------- the CLI here (a fake bw)

FAKE_BW = textwrap.dedent(
    '''\
    #!{python}
    """A stand-in for `bw`: canned output, and `serve` answering GET /status only."""
    import http.server, json, os, socketserver, sys

    args = sys.argv[1:]
    if args == ["--version"]:
        print("2026.6.0")
    elif args == ["status"]:
        print(os.environ.get("FAKE_BW_STATUS", '{{"serverUrl":null,"status":"unauthenticated"}}'))
    elif args == ["config", "server"]:
        print(os.environ.get("FAKE_BW_SERVER", "https://bitwarden.com"))
    elif args[:1] == ["serve"]:
        if os.environ.get("FAKE_BW_FAIL"):
            sys.exit(3)
        host = args[args.index("--hostname") + 1]

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                template = {{"status": "locked", "host": self.headers.get("Host")}}
                data = {{"object": "template", "template": template}}
                body = json.dumps({{"success": True, "data": data}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

            def address_string(self):
                return "local"

        if host.startswith("unix://"):
            class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
                daemon_threads = True
            server = Server(host[len("unix://"):], Handler)
        else:
            port = int(args[args.index("--port") + 1])
            server = http.server.ThreadingHTTPServer((host, port), Handler)
        server.serve_forever()
    else:
        sys.exit(2)
    '''
)


@pytest.fixture
def fake_bw(tmp_path: Path) -> Path:
    path = tmp_path / "bin" / "bw"
    path.parent.mkdir()
    path.write_text(FAKE_BW.format(python=sys.executable), encoding="utf-8")
    path.chmod(0o755)
    return path


def test_bw_serve_process_on_a_private_unix_socket(fake_bw: Path) -> None:
    with BwServeProcess.start(fake_bw, timeout=30) as process:
        assert process.unix_socket is not None
        folder = Path(process.unix_socket).parent
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        with process.client() as client:
            status = client.status()
        assert status["status"] == "locked"
        assert status["host"] == "localhost:8087"
        alive = process.running
    assert alive
    assert not process.running
    assert not folder.exists()


def test_bw_serve_process_on_a_loopback_port(fake_bw: Path) -> None:
    process = BwServeProcess.start(fake_bw, prefer_unix_socket=False, timeout=30)
    try:
        assert process.unix_socket is None
        assert process.base_url.startswith("http://127.0.0.1:")
        assert httpx.get(process.base_url + "/status", timeout=5).json()["success"] is True
    finally:
        process.stop()
    assert not process.running
    process.stop()  # stopping twice is harmless


def test_bw_serve_that_exits_at_once_is_reported(
    fake_bw: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_BW_FAIL", "1")
    with pytest.raises(BwServeError, match="exit code 3"):
        BwServeProcess.start(fake_bw, timeout=30)


def test_find_bw_honours_the_override(fake_bw: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCIM_ASSISTANT_BW", str(fake_bw))
    assert find_bw() == fake_bw
    monkeypatch.setenv("SCIM_ASSISTANT_BW", str(fake_bw.parent / "missing"))
    assert find_bw() is None


def test_diagnosis_not_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SCIM_ASSISTANT_BW", str(tmp_path / "nothing"))
    diagnosis = diagnose_cli("https://bw.example.com")
    assert not diagnosis.installed
    assert not diagnosis.ready
    assert diagnosis.commands == ["npm install -g @bitwarden/cli"]


def test_diagnosis_not_logged_in(fake_bw: Path) -> None:
    diagnosis = diagnose_cli("https://vault.bitwarden.com", bw=fake_bw)
    assert diagnosis.installed
    assert diagnosis.version == "2026.6.0"
    assert not diagnosis.logged_in
    assert any("not logged in" in p for p in diagnosis.problems)
    assert "bw login" in diagnosis.commands


def test_diagnosis_other_server(fake_bw: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "FAKE_BW_STATUS",
        json.dumps({"serverUrl": "https://bitwarden.eu", "userEmail": "a@b.c", "status": "locked"}),
    )
    diagnosis = diagnose_cli("https://bw.example.com/", bw=fake_bw)
    assert diagnosis.logged_in
    assert diagnosis.locked
    assert diagnosis.commands[:3] == [
        "bw logout",
        "bw config server https://bw.example.com",
        "bw login",
    ]
    assert "https://vault.bitwarden.eu" in diagnosis.problems[0]


def test_diagnosis_ready(fake_bw: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "FAKE_BW_STATUS", json.dumps({"serverUrl": None, "userEmail": "a@b.c", "status": "locked"})
    )
    diagnosis = diagnose_cli("https://vault.bitwarden.com", bw=fake_bw)
    assert diagnosis.ready, diagnosis.problems
    assert diagnosis.locked
    assert diagnosis.commands == []


def test_same_server_folds_cloud_aliases() -> None:
    assert same_server(None, "https://vault.bitwarden.com")
    assert same_server("https://bitwarden.com", "https://vault.bitwarden.com/")
    assert same_server("bitwarden.eu", "https://vault.bitwarden.eu")
    assert not same_server("https://bitwarden.eu", "https://vault.bitwarden.com")
    assert same_server("https://BW.example.com/", "https://bw.example.com")
    assert not same_server("https://bw.example.com/a", "https://bw.example.com/b")


def test_a_trickling_bw_serve_ends_within_the_timeout(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.trickle(interval=0.05, total=100_000))
    bw = BwServeClient(hostile_server.url, timeout=0.5)
    with bw, pytest.raises(BwServeError, match="did not answer in time"):
        bw.status()
