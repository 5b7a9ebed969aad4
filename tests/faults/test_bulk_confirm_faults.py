"""A bulk confirm through `bw serve` that is interrupted: a 500, a reset, a hang, the vault locking
mid-batch, a cancel. Each run ends (pytest-timeout is the bound), reports exactly who was confirmed
(checked against the server's own state), locks the vault again, and a second run confirms only the
rest.

The faults come from a loopback proxy (the hostile server) in front of the sandbox's `bw serve`:
it forwards every request unchanged unless the test's rule answers instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest
from pydantic import SecretStr

from app.core.bw_serve import BwServeClient, ConfirmOutcome, confirm_members
from app.core.cancel import CancelToken
from app.core.endpoints import parse_scim_url
from app.core.public_api import Member, MemberStatus, PublicApiClient
from app.sandbox.server import Sandbox
from tests.fixtures.hostile_server import Connection, HostileServer, RawRequest, behaviours
from tests.fixtures.sandbox import SandboxFactory

#: A rule sees the request and how many confirms came before it; it answers or returns False.
Rule = Callable[[RawRequest, Connection, int], bool]


@dataclass
class BwProxy:
    """Forwards to the sandbox's `bw serve`; `rule` may answer a request itself instead."""

    box: Sandbox
    server: HostileServer
    rule: Rule | None = None
    confirms_seen: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/bw"

    def handle(self, request: RawRequest, conn: Connection) -> None:
        with self.lock:
            seen = self.confirms_seen
            if request.path.startswith("/bw/confirm/"):
                self.confirms_seen += 1
        if self.rule is not None and self.rule(request, conn, seen):
            return
        forward(self.box, request, conn)


def forward(box: Sandbox, request: RawRequest, conn: Connection) -> None:
    """Make the same request of the sandbox and send its answer back."""
    root = box.info["bw_serve_url"].removesuffix("/bw")
    headers = {k: v for k, v in request.headers if k.lower() == "content-type"}
    answer = httpx.request(
        request.method, root + request.target, content=request.body, headers=headers, timeout=10
    )
    content_type = answer.headers.get("content-type", "application/json")
    behaviours.respond(answer.status_code, answer.content, content_type)(request, conn)


def sandbox_lock(box: Sandbox) -> None:
    httpx.post(box.info["bw_serve_url"] + "/lock", timeout=10)


def vault_status(box: Sandbox) -> str:
    answer = httpx.get(box.info["bw_serve_url"] + "/status", timeout=10).json()
    status: str = answer["data"]["template"]["status"]
    return status


def server_statuses(box: Sandbox) -> dict[str, int]:
    state = httpx.get(box.info["control_url"] + "/state", timeout=10).json()
    return {m["id"]: m["status"] for m in state["members"]}


@pytest.fixture
def box(sandbox_factory: SandboxFactory) -> Sandbox:
    """A sandbox where every invited member has accepted: 8 members wait for confirmation."""
    sandbox = sandbox_factory(members=25)
    for member_id, status in server_statuses(sandbox).items():
        if status == MemberStatus.INVITED:
            httpx.post(f"{sandbox.info['control_url']}/members/{member_id}/accept", timeout=10)
    return sandbox


@pytest.fixture
def proxy(box: Sandbox, hostile_server: HostileServer) -> BwProxy:
    bw_proxy = BwProxy(box, hostile_server)
    hostile_server.serve(bw_proxy.handle)
    return bw_proxy


def accepted_members(box: Sandbox) -> list[Member]:
    endpoints = parse_scim_url(box.info["scim_url"]).endpoints
    assert endpoints is not None
    secret = SecretStr(box.info["client_secret"])
    with PublicApiClient(endpoints, box.info["client_id"], secret, timeout=10) as api:
        members = api.list_members()
    accepted = [m for m in members if m.status is MemberStatus.ACCEPTED]
    assert len(accepted) >= 6, "the scenario needs a batch"
    return sorted(accepted, key=lambda m: m.email)


def run_batch(
    base_url: str, box: Sandbox, members: list[Member], cancel: CancelToken | None = None
) -> list[ConfirmOutcome]:
    password = SecretStr(box.info["bw_password"])
    with BwServeClient(base_url, timeout=2.0) as client:
        return confirm_members(
            client, box.info["organization_id"], members, password, cancel=cancel
        )


def assert_report_is_exact(box: Sandbox, outcomes: list[ConfirmOutcome]) -> None:
    """Who the report says was confirmed is confirmed on the server, and only they."""
    statuses = server_statuses(box)
    for outcome in outcomes:
        if outcome.result == "confirmed":
            assert statuses[outcome.member_id] == MemberStatus.CONFIRMED, outcome
        else:
            assert outcome.reason, outcome
            assert box.info["bw_password"] not in outcome.reason


def assert_rerun_confirms_only_the_rest(
    box: Sandbox, members: list[Member], first: list[ConfirmOutcome]
) -> None:
    # Confirmed on the server: everyone the report says, plus any whose answer was lost.
    before = server_statuses(box)
    done = {m.id for m in members if before[m.id] == MemberStatus.CONFIRMED}
    assert {o.member_id for o in first if o.result == "confirmed"} <= done
    again = run_batch(box.info["bw_serve_url"], box, members)
    assert {o.member_id for o in again if o.result == "confirmed"} == {m.id for m in members} - done
    for outcome in again:
        if outcome.member_id in done:
            assert outcome.result == "skipped"
            assert outcome.reason is not None
            assert "already confirmed" in outcome.reason
    statuses = server_statuses(box)
    assert all(statuses[m.id] == MemberStatus.CONFIRMED for m in members)
    assert vault_status(box) == "locked"


@pytest.mark.timeout(60)
def test_500s_during_a_bulk_confirm(box: Sandbox, proxy: BwProxy) -> None:
    def rule(request: RawRequest, conn: Connection, seen: int) -> bool:
        if request.path.startswith("/bw/confirm/") and seen in (2, 3):
            behaviours.respond(500, "Internal Server Error", "text/plain")(request, conn)
            return True
        return False

    proxy.rule = rule
    members = accepted_members(box)
    outcomes = run_batch(proxy.base_url, box, members)
    assert [o.result for o in outcomes] == ["confirmed"] * 2 + ["failed"] * 2 + ["confirmed"] * (
        len(members) - 4
    )
    assert all("500" in (o.reason or "") for o in outcomes if o.result == "failed")
    assert_report_is_exact(box, outcomes)
    assert vault_status(box) == "locked"
    assert_rerun_confirms_only_the_rest(box, members, outcomes)


@pytest.mark.timeout(60)
def test_the_vault_locks_mid_batch(box: Sandbox, proxy: BwProxy) -> None:
    def rule(request: RawRequest, conn: Connection, seen: int) -> bool:
        if request.path.startswith("/bw/confirm/") and seen == 3:
            sandbox_lock(box)  # `bw lock` in another terminal, or the vault timeout
        return False

    proxy.rule = rule
    members = accepted_members(box)
    outcomes = run_batch(proxy.base_url, box, members)
    assert [o.result for o in outcomes[:3]] == ["confirmed"] * 3
    assert all(o.result == "failed" for o in outcomes[3:])
    assert all("locked" in (o.reason or "").lower() for o in outcomes[3:])
    assert_report_is_exact(box, outcomes)
    assert vault_status(box) == "locked"
    assert_rerun_confirms_only_the_rest(box, members, outcomes)


@pytest.mark.timeout(60)
def test_a_reset_after_the_server_confirmed(box: Sandbox, proxy: BwProxy) -> None:
    # The worst case: bw serve confirmed, but the answer was lost. The report must still say
    # exactly who is confirmed, and a rerun must not confirm anyone twice.
    def rule(request: RawRequest, conn: Connection, seen: int) -> bool:
        if request.path.startswith("/bw/confirm/") and seen == 1:
            root = box.info["bw_serve_url"].removesuffix("/bw")
            httpx.post(root + request.target, timeout=10)
            conn.reset()
            return True
        if request.path.startswith("/bw/confirm/") and seen == 4:
            conn.reset()  # before forwarding: nothing was done
            return True
        return False

    proxy.rule = rule
    members = accepted_members(box)
    outcomes = run_batch(proxy.base_url, box, members)
    results = [o.result for o in outcomes]
    # The lost answer is settled by asking bw serve again; the reset before forwarding failed.
    assert results == ["confirmed"] * 4 + ["failed"] + ["confirmed"] * (len(members) - 5)
    assert outcomes[1].reason is not None
    assert "lost" in outcomes[1].reason
    assert_report_is_exact(box, outcomes)
    assert vault_status(box) == "locked"
    assert_rerun_confirms_only_the_rest(box, members, outcomes)


@pytest.mark.timeout(60)
def test_a_hanging_confirm_times_out_and_the_batch_goes_on(box: Sandbox, proxy: BwProxy) -> None:
    release = threading.Event()

    def rule(request: RawRequest, conn: Connection, seen: int) -> bool:
        if request.path.startswith("/bw/confirm/") and seen == 0:
            behaviours.hang(release)(request, conn)
            return True
        return False

    proxy.rule = rule
    members = accepted_members(box)
    try:
        outcomes = run_batch(proxy.base_url, box, members)
    finally:
        release.set()
    assert outcomes[0].result == "failed"
    assert all(o.result == "confirmed" for o in outcomes[1:])
    assert_report_is_exact(box, outcomes)
    assert_rerun_confirms_only_the_rest(box, members, outcomes)


@pytest.mark.timeout(60)
def test_a_cancel_mid_batch_reports_the_rest_as_skipped(box: Sandbox, proxy: BwProxy) -> None:
    cancel = CancelToken()

    def rule(request: RawRequest, conn: Connection, seen: int) -> bool:
        if request.path.startswith("/bw/confirm/") and seen == 2:
            cancel.cancel()  # the user presses Cancel while the third confirm is on the wire
        return False

    proxy.rule = rule
    members = accepted_members(box)
    outcomes = run_batch(proxy.base_url, box, members, cancel=cancel)
    assert [o.result for o in outcomes[:3]] == ["confirmed"] * 3
    assert all(o.result == "skipped" for o in outcomes[3:])
    assert_report_is_exact(box, outcomes)
    assert vault_status(box) == "locked"
    assert_rerun_confirms_only_the_rest(box, members, outcomes)


@pytest.mark.timeout(60)
def test_a_wrong_password_confirms_nobody(box: Sandbox, proxy: BwProxy) -> None:
    from app.core.bw_serve import BwServeError

    members = accepted_members(box)
    with (
        BwServeClient(proxy.base_url, timeout=2.0) as client,
        pytest.raises(BwServeError) as caught,
    ):
        confirm_members(client, box.info["organization_id"], members, SecretStr("wrong-pass"))
    assert "wrong-pass" not in str(caught.value)
    assert all(server_statuses(box)[m.id] == MemberStatus.ACCEPTED for m in members)
    assert vault_status(box) == "locked"
