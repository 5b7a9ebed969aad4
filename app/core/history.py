"""What this computer has seen of each member over time (SQLite in the user data dir, no secrets).

No Bitwarden API says when someone was invited or accepted, so the members window's "waiting since"
can only be "first seen in this status by this program". That is recorded here at every refresh:
when each member was first seen and every status change, per profile, so it survives restarts;
and every reinvite this program sent (an invitation's expiry counts from the later of the two).
Nothing else is stored: member ids, e-mail addresses, statuses and times.

A refresh of 100,000 members is one transaction and two `executemany` calls; the database is opened
per call, so any thread may use one `History`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
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
        at = _utc(now or datetime.now(UTC))
        stamp = at.isoformat()
        with self._connect() as db:
            known = dict(
                db.execute("SELECT member_id, status FROM members WHERE profile = ?", (profile,))
            )
            changes: list[StatusChange] = []
            upserts: list[tuple[str, str, str, int, str]] = []
            for member in members:
                old = known.get(member.id)
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
                upserts.append((profile, member.id, member.email, int(member.status), stamp))
            db.executemany(
                "INSERT INTO members (profile, member_id, email, status, first_seen) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (profile, member_id) "
                "DO UPDATE SET status = excluded.status, email = excluded.email",
                upserts,
            )
            db.executemany(
                "INSERT INTO changes (profile, member_id, email, old, new, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (
                        profile,
                        c.member_id,
                        c.email,
                        None if c.old is None else int(c.old),
                        int(c.new),
                        stamp,
                    )
                    for c in changes
                ),
            )
        return changes

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
        """Forget everything about a profile (deleting the profile deletes its history)."""
        with self._connect() as db:
            db.execute("DELETE FROM members WHERE profile = ?", (profile,))
            db.execute("DELETE FROM changes WHERE profile = ?", (profile,))
            db.execute("DELETE FROM reinvites WHERE profile = ?", (profile,))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection per call, one transaction: committed on success, rolled back on error."""
        with closing(sqlite3.connect(self.path, timeout=30.0)) as db, db:
            yield db


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
