"""Reinviting against the sandbox (real HTTP, the cloud's rate limits on): a 429 in the middle is
waited out, a member who accepted meanwhile is skipped, each reinvite sent is in the history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
from pydantic import SecretStr

from app.core.cancel import CancelToken
from app.core.endpoints import parse_scim_url
from app.core.history import History
from app.core.public_api import PublicApiClient
from app.core.reinvite import ReinviteResult, reinvite_members
from app.sandbox.server import Sandbox
from tests.fixtures.sandbox import SandboxFactory

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _client(box: Sandbox) -> PublicApiClient:
    endpoints = parse_scim_url(box.info["scim_url"]).endpoints
    assert endpoints is not None
    return PublicApiClient(
        endpoints, box.info["client_id"], SecretStr(box.info["client_secret"]), timeout=10
    )


def _token(box: Sandbox) -> str:
    answer = httpx.post(
        box.info["identity_url"] + "/connect/token",
        data={
            "grant_type": "client_credentials",
            "scope": "api.organization",
            "client_id": box.info["client_id"],
            "client_secret": box.info["client_secret"],
        },
    )
    value: str = answer.json()["access_token"]
    return value


def _invite(box: Sandbox, *emails: str) -> None:
    """Invite these people through the Public API, as the Admin Console would."""
    headers = {"Authorization": f"Bearer {_token(box)}"}
    for email in emails:
        body = {"email": email, "type": 2}
        answer = httpx.post(box.info["api_url"] + "/public/members", json=body, headers=headers)
        assert answer.status_code == 200, answer.text


def _exhaust_post_window(box: Sandbox, member_id: str) -> None:
    """POST this member's reinvite until the sandbox answers 429 (5 a second per path)."""
    token = _token(box)
    url = f"{box.info['api_url']}/public/members/{member_id}/reinvite"
    for _ in range(20):
        answer = httpx.post(url, headers={"Authorization": f"Bearer {token}"})
        if answer.status_code == 429:
            return
    raise AssertionError("the sandbox never rate-limited")


def test_reinvite_waits_out_a_429_and_skips_who_accepted(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    box = sandbox_factory(members=5, rate_limits=True)
    emails = ["first@x.example", "limited@x.example", "accepted@x.example"]
    _invite(box, *emails)
    history = History(tmp_path / "h.sqlite3")
    with _client(box) as client:
        by_email = {m.email: m for m in client.list_members()}
        first, limited, accepted = (by_email[e] for e in emails)
        assert httpx.post(f"{box.info['control_url']}/members/{accepted.id}/accept").is_success
        reinvited_before = box.state.members[first.id].invited_at

        def just_before_limited(done: int, _outcome: object) -> None:
            if done == 1:  # right before `limited` goes out: its per-second window is full
                _exhaust_post_window(box, limited.id)

        outcomes = reinvite_members(
            client,
            [first, limited, accepted],
            history=history,
            profile="p",
            interval=0,
            clock=lambda: NOW,
            progress=just_before_limited,
        )
        assert client.rate_limit_waits >= 1  # the 429 in the middle was waited out, not failed
    assert [(o.email, o.result) for o in outcomes] == [
        (first.email, ReinviteResult.REINVITED),
        (limited.email, ReinviteResult.REINVITED),
        (accepted.email, ReinviteResult.SKIPPED),
    ]
    assert outcomes[2].reason == "accepted meanwhile, no longer invited"
    assert box.state.members[first.id].invited_at > reinvited_before
    assert history.last_reinvites("p") == {first.id: NOW, limited.id: NOW}


def test_a_cancel_marks_the_rest_skipped(sandbox_factory: SandboxFactory) -> None:
    box = sandbox_factory(members=5)
    _invite(box, "a@x.example", "b@x.example", "c@x.example")
    cancel = CancelToken()
    with _client(box) as client:
        invited = [m for m in client.list_members() if m.email.endswith("@x.example")]
        seen: list[str] = []

        def progress(done: int, outcome: object) -> None:
            seen.append(str(done))
            cancel.cancel()

        outcomes = reinvite_members(client, invited, cancel=cancel, interval=0, progress=progress)
    assert seen == ["1"]
    assert [o.result for o in outcomes] == [
        ReinviteResult.REINVITED,
        ReinviteResult.SKIPPED,
        ReinviteResult.SKIPPED,
    ]
    assert outcomes[1].reason == "cancelled before this member"
