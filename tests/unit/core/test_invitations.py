"""Invitation expiry driven through the history, across restarts (time injected, never slept)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.history import History
from app.core.invitations import (
    InvitationState,
    age,
    check_expiry_hours,
    describe,
    invitation,
    invitations,
)
from app.core.public_api import MemberStatus, MemberSummary, MemberType

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _invited(member_id: str, email: str) -> MemberSummary:
    return MemberSummary(
        member_id, email, None, MemberStatus.INVITED, MemberType.USER, None, False, None
    )


def _states(history: History, ids: list[str], hours: int = 120) -> dict[str, InvitationState]:
    seen = history.first_seen_all("p", MemberStatus.INVITED)
    found = invitations(seen, history.last_reinvites("p"), ids, NOW, hours)
    return {member_id: item.state for member_id, item in found.items()}


def test_expiry_follows_first_sightings_and_reinvites_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    old, reinvited, fresh = (
        _invited("a", "old@x.example"),
        _invited("b", "reinvited@x.example"),
        _invited("c", "fresh@x.example"),
    )
    History(path).record("p", [old, reinvited], now=NOW - timedelta(days=6))
    History(path).record("p", [old, reinvited, fresh], now=NOW - timedelta(hours=2))
    History(path).record_reinvite("p", "b", "reinvited@x.example", now=NOW - timedelta(days=1))

    history = History(path)  # a restart: a new History on the same file
    history.record("p", [old, reinvited, fresh], now=NOW)
    seen = history.first_seen_all("p", MemberStatus.INVITED)
    found = invitations(seen, history.last_reinvites("p"), ["a", "b", "c"], NOW)
    assert found["a"].state is InvitationState.PROBABLY_EXPIRED
    assert describe(found["a"], NOW) == "probably expired"
    assert age(found["a"], NOW) == "invited 6 days ago (first seen)"
    assert found["b"].state is InvitationState.VALID
    assert describe(found["b"], NOW) == "expires in about 4 days"
    assert age(found["b"], NOW) == "reinvited 24 hours ago"
    assert found["b"].first_seen == NOW - timedelta(days=6)
    assert found["c"].expires_at == NOW - timedelta(hours=2) + timedelta(hours=120)
    assert history.reinvites("p", "b") == [NOW - timedelta(days=1)]


def test_a_self_hosted_expiry_of_48_hours_is_honoured(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    history.record("p", [_invited("a", "a@x.example")], now=NOW - timedelta(hours=30))
    history.record("p", [_invited("b", "b@x.example")], now=NOW - timedelta(hours=50))
    assert _states(history, ["a", "b"], hours=48) == {
        "a": InvitationState.EXPIRING,
        "b": InvitationState.PROBABLY_EXPIRED,
    }
    assert _states(history, ["a", "b"]) == {"a": InvitationState.VALID, "b": InvitationState.VALID}


def test_a_reinvite_older_than_the_first_sighting_does_not_count() -> None:
    """A reinvite recorded before a later first sighting (the member was re-added) is stale."""
    item = invitation(NOW - timedelta(days=1), NOW - timedelta(days=9), NOW)
    assert item.since == NOW - timedelta(days=1)
    assert not item.reinvited
    assert item.as_json() == {
        "first_seen": (NOW - timedelta(days=1)).isoformat(),
        "expires_at": (NOW + timedelta(days=4)).isoformat(),
        "state": "valid",
    }


def test_deleting_the_profile_forgets_its_reinvites(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    history.record_reinvite("p", "a", "a@x.example", now=NOW)
    history.record_reinvite("q", "a", "a@x.example", now=NOW)
    history.delete_profile("p")
    assert history.last_reinvites("p") == {}
    assert history.last_reinvites("q") == {"a": NOW}


@pytest.mark.parametrize("hours", [0, -5, 10_000])
def test_absurd_expiries_are_refused(hours: int) -> None:
    with pytest.raises(ValueError, match="from 1 to"):
        check_expiry_hours(hours)
