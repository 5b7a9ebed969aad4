"""Member history: first seen, status changes, restarts, deletion, and 100k members."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

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


def test_a_sighting_is_written_only_when_saved_and_the_next_one_waits_for_it(
    tmp_path: Path,
) -> None:
    """`sight` gives the changes at once; another sighting of the file (any `History` on it)
    waits until they are saved, so it never reads them as unseen and records them twice."""
    path = tmp_path / "h.sqlite3"
    history = History(path)
    members = [_member(1), _member(2)]
    sighting = history.sight("acme", members, now=T0)
    assert [c.member_id for c in sighting.changes] == [m.id for m in members]
    assert history.first_seen("acme", members[0].id) is None  # not written yet
    second: list[list[object]] = []
    started = threading.Event()

    def sight_again() -> None:
        started.set()
        again = History(path).sight("acme", members, now=T0 + timedelta(hours=1))
        again.save()
        second.append(list(again.changes))

    other = threading.Thread(target=sight_again)
    other.start()
    started.wait(5)
    other.join(0.2)
    assert other.is_alive()  # waiting for the first sighting's turn
    sighting.save()
    other.join(5)
    assert second == [[]]  # it read the saved state: nobody new
    assert history.first_seen("acme", members[0].id) == T0
    sighting.save()  # a second save writes nothing more
    assert len(history.changes("acme")) == 2


def test_deleting_a_profile_waits_for_its_sighting_and_nothing_comes_back(
    tmp_path: Path,
) -> None:
    history = History(tmp_path / "h.sqlite3")
    sighting = history.sight("acme", [_member(1)], now=T0)
    deleter = threading.Thread(target=history.delete_profile, args=("acme",))
    deleter.start()
    deleter.join(0.2)
    assert deleter.is_alive()
    sighting.save()
    deleter.join(5)
    assert not deleter.is_alive()
    assert history.changes("acme") == []
    assert history.first_seen("acme", _member(1).id) is None


def test_a_sighting_that_cannot_read_ends_its_turn(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    history = History(path)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE members")
    with pytest.raises(sqlite3.OperationalError):
        history.sight("acme", [_member(1)], now=T0)
    History(path)  # the schema again
    assert len(history.record("acme", [_member(1)], now=T0)) == 1  # not blocked


def test_a_duplicate_member_id_keeps_its_last_status_as_before(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    invited, accepted = _member(1), _member(1, MemberStatus.ACCEPTED)
    changes = history.record("acme", [invited, accepted], now=T0)
    assert [c.new for c in changes] == [MemberStatus.INVITED, MemberStatus.ACCEPTED]
    assert history.record("acme", [accepted], now=T0 + timedelta(hours=1)) == []
    assert history.first_seen("acme", invited.id, MemberStatus.INVITED) == T0
