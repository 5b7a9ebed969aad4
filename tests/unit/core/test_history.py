"""Member history: first seen, status changes, restarts, deletion, and 100k members."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.core.history import History, default_path
from app.core.public_api import Member, MemberStatus, MemberType

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _member(n: int, status: MemberStatus = MemberStatus.INVITED) -> Member:
    return Member(
        id=f"00000000-0000-0000-0000-{n:012d}",
        email=f"person{n}@example.com",
        status=status,
        type=MemberType.USER,
    )


def test_lives_in_the_user_data_dir(isolated_home: Path) -> None:
    history = History()
    assert history.path == default_path()
    assert history.path.is_relative_to(Path(os.environ["XDG_DATA_HOME"]))
    assert history.path.exists()
    assert stat.S_IMODE(history.path.stat().st_mode) == 0o600


def test_first_sighting_and_status_changes(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    alice, bob = _member(1), _member(2, MemberStatus.CONFIRMED)

    first = history.record("acme", [alice, bob], now=T0)
    assert [(c.member_id, c.old, c.new) for c in first] == [
        (alice.id, None, MemberStatus.INVITED),
        (bob.id, None, MemberStatus.CONFIRMED),
    ]
    assert history.record("acme", [alice, bob], now=T0 + timedelta(minutes=1)) == []

    accepted = alice.model_copy(update={"status": MemberStatus.ACCEPTED})
    later = T0 + timedelta(days=2)
    changes = history.record("acme", [accepted, bob], now=later)
    assert len(changes) == 1
    assert changes[0].old is MemberStatus.INVITED
    assert changes[0].new is MemberStatus.ACCEPTED
    assert changes[0].at == later

    assert history.first_seen("acme", alice.id) == T0
    assert history.first_seen("acme", alice.id, MemberStatus.INVITED) == T0
    assert history.first_seen("acme", alice.id, MemberStatus.ACCEPTED) == later
    assert history.first_seen("acme", alice.id, MemberStatus.CONFIRMED) is None
    assert history.first_seen("acme", "no-such-member") is None
    assert history.first_seen_all("acme", MemberStatus.ACCEPTED) == {alice.id: later}
    assert [c.new for c in history.changes("acme", alice.id)] == [
        MemberStatus.INVITED,
        MemberStatus.ACCEPTED,
    ]


def test_naive_times_are_taken_as_utc(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    history.record("acme", [_member(1)], now=datetime(2026, 11, 1, 9, 0))
    assert history.first_seen("acme", _member(1).id) == T0


def test_history_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    History(path).record("acme", [_member(1)], now=T0)
    reopened = History(path)
    assert reopened.first_seen("acme", _member(1).id, MemberStatus.INVITED) == T0
    assert reopened.record("acme", [_member(1)], now=T0 + timedelta(hours=1)) == []


def test_profiles_are_separate_and_deleting_one_keeps_the_other(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    history.record("acme", [_member(1)], now=T0)
    history.record("globex", [_member(1)], now=T0 + timedelta(days=1))
    assert history.first_seen("globex", _member(1).id) == T0 + timedelta(days=1)

    history.delete_profile("acme")
    assert history.first_seen("acme", _member(1).id) is None
    assert history.changes("acme") == []
    assert history.first_seen("globex", _member(1).id) == T0 + timedelta(days=1)
    # A deleted profile's members are new again when it is recreated.
    assert len(history.record("acme", [_member(1)], now=T0)) == 1


def test_one_hundred_thousand_members(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    members = [_member(n) for n in range(100_000)]
    assert len(history.record("big", members, now=T0)) == 100_000
    members[5] = members[5].model_copy(update={"status": MemberStatus.ACCEPTED})
    changes = history.record("big", members, now=T0 + timedelta(hours=1))
    assert [(c.member_id, c.new) for c in changes] == [(members[5].id, MemberStatus.ACCEPTED)]
    invited_since = history.first_seen_all("big", MemberStatus.INVITED)
    assert len(invited_since) == 100_000
    with sqlite3.connect(history.path) as db:
        assert db.execute("SELECT COUNT(*) FROM changes").fetchone() == (100_001,)
