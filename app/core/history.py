"""What this computer has seen of each member over time (SQLite in the user data dir, no secrets).

No Bitwarden API says when someone was invited or accepted, so the members window's "waiting since"
can only be "first seen in this status by this program". That is recorded here at every refresh:
when each member was first seen and every status change, per profile, so it survives restarts;
and every reinvite this program sent (an invitation's expiry counts from the later of the two).
Nothing else is stored: member ids, e-mail addresses, statuses and times.

`record` is two halves a caller may hold apart: `sight` reads what is known and returns the
changes (holding this file's turn, so another sighting waits and never reads a state about to
change), and `Sighting.save` writes them. The members window shows a refresh between the two, so a
first sighting of 100,000 members is written after the first paint, not before it. The write goes
through a temporary table, inserted in member id order by SQLite (no GIL held): random-order
inserts into the primary key and the `changes` indexes took 1.8 s for 100,000 new members, sorted
ones 0.9 s. The database is opened per call, so any thread may use one `History`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import platformdirs

from app.core.public_api import MemberStatus

APP_NAME = "scim-assistant"
FILE_NAME = "history.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS members (
    profile     TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    email       TEXT NOT NULL,
    status      INTEGER NOT NULL,
    first_seen  TEXT NOT NULL,
    PRIMARY KEY (profile, member_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changes (
    profile     TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    email       TEXT NOT NULL,
    old         INTEGER,
    new         INTEGER NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_by_member ON changes (profile, member_id, new);
CREATE INDEX IF NOT EXISTS changes_by_status ON changes (profile, new);
CREATE TABLE IF NOT EXISTS reinvites (
    profile     TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    email       TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reinvites_by_member ON reinvites (profile, member_id);
"""


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A member seen for the first time (`old` is None) or in a new status.

    A slotted dataclass, not a pydantic model: a first sighting of 100,000 members builds 100,000
    of them from our own values, which pydantic's `model_construct` made 0.6 s of the first load."""

    member_id: str
    email: str
    old: MemberStatus | None
    new: MemberStatus
    at: datetime


class SeenMember(Protocol):
    """What `History.record` reads of a member: a `Member` or a `MemberSummary`."""

    @property
    def id(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def status(self) -> MemberStatus: ...


def default_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / FILE_NAME


class History:
    """Per-profile member history in one SQLite file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)
        # E-mail addresses are personal data: readable by this user only (where the OS has modes).
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)

    def __repr__(self) -> str:
        return f"History({str(self.path)!r})"

    def record(
        self, profile: str, members: Iterable[SeenMember], now: datetime | None = None
    ) -> list[StatusChange]:
        """Note who is new and whose status changed since the last call; returns those changes.

        Any iterable of members (`Member`s or `MemberSummary`s); only the changes are built."""
        sighting = self.sight(profile, members, now)
        sighting.save()
        return sighting.changes

    def sight(
        self, profile: str, members: Iterable[SeenMember], now: datetime | None = None
    ) -> Sighting:
        """`record`'s first half: the changes, not yet written. Until its `save`, this file's
        other sightings wait (`delete_profile` too), so none reads the state this one changes."""
        at = _utc(now or datetime.now(UTC))
        turn = _turn(self.path)
        turn.acquire()
        try:
            with self._connect() as db:
                known = dict(
                    db.execute(
                        "SELECT member_id, status FROM members WHERE profile = ?", (profile,)
                    )
                )
            changes: list[StatusChange] = []
            get = known.get
            for member in members:
                old = get(member.id)
                if old == member.status:
                    continue
                changes.append(
                    StatusChange(
                        member_id=member.id,
                        email=member.email,
                        old=None if old is None else MemberStatus(old),
                        new=member.status,
                        at=at,
                    )
                )
        except BaseException:
            turn.release()
            raise
        return Sighting(self, profile, changes, at, turn)

    def _write(self, profile: str, changes: list[StatusChange], at: datetime) -> None:
        """One transaction. The rows go through a temporary table and are inserted in member id
        order by SQLite itself: sorted B-tree inserts, and the GIL free while it sorts and inserts.
        (Within one refresh, `changes` rows are therefore stored in member id order; every
        reader orders by time, and one member never changes twice in a refresh.)"""
        if not changes:
            return
        stamp = at.isoformat()
        with self._connect() as db:
            db.execute(
                "CREATE TEMP TABLE sighted (member_id TEXT NOT NULL, email TEXT NOT NULL, "
                "old INTEGER, new INTEGER NOT NULL)"
            )
            db.executemany(
                "INSERT INTO temp.sighted (member_id, email, old, new) VALUES (?, ?, ?, ?)",
                (
                    (c.member_id, c.email, None if c.old is None else int(c.old), int(c.new))
                    for c in changes
                ),
            )
            # `WHERE true`: SQLite's parser needs it before ON CONFLICT in an INSERT ... SELECT.
            # `rowid` keeps a duplicate id's last status last, as the fetched order had it.
            db.execute(
                "INSERT INTO members (profile, member_id, email, status, first_seen) "
                "SELECT ?, member_id, email, new, ? FROM temp.sighted WHERE true "
                "ORDER BY member_id, rowid ON CONFLICT (profile, member_id) "
                "DO UPDATE SET status = excluded.status, email = excluded.email",
                (profile, stamp),
            )
            db.execute(
                "INSERT INTO changes (profile, member_id, email, old, new, at) "
                "SELECT ?, member_id, email, old, new, ? FROM temp.sighted "
                "ORDER BY member_id, rowid",
                (profile, stamp),
            )
            db.execute("DROP TABLE temp.sighted")

    def first_seen(
        self, profile: str, member_id: str, status: MemberStatus | None = None
    ) -> datetime | None:
        """When this member was first seen (in `status`, when given); None when never."""
        with self._connect() as db:
            if status is None:
                row = db.execute(
                    "SELECT first_seen FROM members WHERE profile = ? AND member_id = ?",
                    (profile, member_id),
                ).fetchone()
            else:
                row = db.execute(
                    "SELECT MIN(at) FROM changes WHERE profile = ? AND member_id = ? AND new = ?",
                    (profile, member_id, int(status)),
                ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def first_seen_all(self, profile: str, status: MemberStatus) -> dict[str, datetime]:
        """`first_seen` for every member ever seen in `status` (one query for the whole table)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT member_id, MIN(at) FROM changes WHERE profile = ? AND new = ? "
                "GROUP BY member_id",
                (profile, int(status)),
            ).fetchall()
        return {member_id: datetime.fromisoformat(at) for member_id, at in rows}

    def changes(self, profile: str, member_id: str | None = None) -> list[StatusChange]:
        """Every recorded change of the profile (or of one member), oldest first."""
        query = "SELECT member_id, email, old, new, at FROM changes WHERE profile = ?"
        params: tuple[str, ...] = (profile,)
        if member_id is not None:
            query += " AND member_id = ?"
            params += (member_id,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY at, rowid", params).fetchall()
        return [
            StatusChange(
                member_id=mid,
                email=email,
                old=None if old is None else MemberStatus(old),
                new=MemberStatus(new),
                at=datetime.fromisoformat(at),
            )
            for mid, email, old, new, at in rows
        ]

    def record_reinvite(
        self, profile: str, member_id: str, email: str, now: datetime | None = None
    ) -> datetime:
        """Note that this program reinvited the member (a new invitation link, a new expiry)."""
        at = _utc(now or datetime.now(UTC))
        with self._connect() as db:
            db.execute(
                "INSERT INTO reinvites (profile, member_id, email, at) VALUES (?, ?, ?, ?)",
                (profile, member_id, email, at.isoformat()),
            )
        return at

    def last_reinvites(self, profile: str) -> dict[str, datetime]:
        """When this program last reinvited each member it ever reinvited."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT member_id, MAX(at) FROM reinvites WHERE profile = ? GROUP BY member_id",
                (profile,),
            ).fetchall()
        return {member_id: datetime.fromisoformat(at) for member_id, at in rows}

    def reinvites(self, profile: str, member_id: str) -> list[datetime]:
        """Every reinvite of one member this program sent, oldest first (the details timeline)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT at FROM reinvites WHERE profile = ? AND member_id = ? ORDER BY at",
                (profile, member_id),
            ).fetchall()
        return [datetime.fromisoformat(at) for (at,) in rows]

    def delete_profile(self, profile: str) -> None:
        """Forget everything about a profile (deleting the profile deletes its history).

        Waits for a sighting being written, which would otherwise bring the profile back."""
        with _turn(self.path), self._connect() as db:
            db.execute("DELETE FROM members WHERE profile = ?", (profile,))
            db.execute("DELETE FROM changes WHERE profile = ?", (profile,))
            db.execute("DELETE FROM reinvites WHERE profile = ?", (profile,))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection per call, one transaction: committed on success, rolled back on error."""
        with closing(sqlite3.connect(self.path, timeout=30.0)) as db, db:
            yield db


class Sighting:
    """A refresh's changes, known but not yet written (`History.sight`); `save` writes them once.

    Holds its file's turn until saved: save it in a `finally`, or the next sighting waits for ever.
    """

    def __init__(
        self,
        history: History,
        profile: str,
        changes: list[StatusChange],
        at: datetime,
        turn: threading.Lock,
    ) -> None:
        self.profile = profile
        self.changes = changes
        self.at = at
        self._history: History | None = history
        self._turn = turn

    def __repr__(self) -> str:
        return f"Sighting({self.profile!r}, {len(self.changes)} changes)"

    @property
    def saved(self) -> bool:
        return self._history is None

    def save(self) -> None:
        """Write the changes (one transaction) and end the turn; raises `sqlite3.Error` or
        `OSError` when the write failed (nothing of it is then kept). Later calls do nothing."""
        history, self._history = self._history, None
        if history is None:
            return
        try:
            history._write(self.profile, self.changes, self.at)
        finally:
            self._turn.release()


_turns: dict[str, threading.Lock] = {}
_turns_lock = threading.Lock()


def _turn(path: Path) -> threading.Lock:
    """The lock one database file's sightings take turns with (every `History` of that file)."""
    key = os.path.realpath(path)
    with _turns_lock:
        return _turns.setdefault(key, threading.Lock())


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
