"""The last Okta reading, indexed by e-mail for the members table's Okta column and filters.

Qt-free, built on the Okta worker once per reading (at most once a minute). A members refresh
then costs the column nothing: a cell looks its member's e-mail up when it is painted or sorted,
and the model announces a new reading with one `dataChanged` over the column. Which members each
Okta filter selects (`OktaMatches`) is one pass of set lookups over the rows, on a worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import IntEnum

from app.core.okta.compare import GONE_FROM_BITWARDEN
from app.core.okta.verify import NotProvisioned, Verification
from app.gui.members.rows import MemberRow, RowStatus


class OktaState(IntEnum):
    """A Bitwarden member's state in Okta; the value is the sort rank (what needs the admin
    first)."""

    FAILED = 0
    USERNAME_MISMATCH = 1
    NOT_ASSIGNED = 2
    ASSIGNED = 3
    #: Revoked in Bitwarden and not assigned in Okta: what Okta's deactivation leaves.
    REVOKED_UNASSIGNED = 4


@dataclass(frozen=True, slots=True)
class OktaIndex:
    """One reading of Okta, by lower-cased e-mail."""

    app_label: str
    read_at: datetime
    assigned: frozenset[str]
    #: Okta's failure for the person with this e-mail, or for the person whose e-mail or id
    #: the Bitwarden member with this e-mail holds (a 409 on create).
    failures: dict[str, NotProvisioned] = field(repr=False)
    #: The app username, where it is not the e-mail.
    usernames: dict[str, str] = field(repr=False)
    #: Everyone Okta failed to provision, or shows provisioned, as Okta has them.
    not_provisioned: tuple[NotProvisioned, ...] = field(repr=False)
    #: Why the latest read failed (the values are then the last good reading's), and when.
    stale: str | None = None
    stale_at: datetime | None = None

    def state_of(self, row: MemberRow) -> OktaState:
        email = row.email.lower()
        if email in self.failures:
            return OktaState.FAILED
        if email in self.usernames:
            return OktaState.USERNAME_MISMATCH
        if email in self.assigned:
            return OktaState.ASSIGNED
        if row.status is RowStatus.REVOKED:
            return OktaState.REVOKED_UNASSIGNED
        return OktaState.NOT_ASSIGNED

    def failure_of(self, row: MemberRow) -> NotProvisioned | None:
        return self.failures.get(row.email.lower())

    def username_of(self, row: MemberRow) -> str | None:
        return self.usernames.get(row.email.lower())

    def sort_keys(self, rows: Sequence[MemberRow]) -> list[str]:
        """The Okta column's sort keys: the state's rank, then the e-mail."""
        state_of = self.state_of
        return [f"{int(state_of(r))}{r.email.casefold()}" for r in rows]

    def marked_stale(self, reason: str, at: datetime) -> OktaIndex:
        return replace(self, stale=reason, stale_at=at)


def build_index(verification: Verification, read_at: datetime) -> OktaIndex:
    """Index a verification (on the worker that read it)."""
    failures: dict[str, NotProvisioned] = {}
    for row in verification.not_provisioned:
        failures.setdefault(row.email.lower(), row)
        if row.bitwarden_member:
            failures.setdefault(row.bitwarden_member.lower(), row)
    return OktaIndex(
        app_label=verification.app.label,
        read_at=read_at,
        assigned=frozenset(e.lower() for e in verification.assigned_emails),
        failures=failures,
        usernames={m.email.lower(): m.app_username for m in verification.username_mismatches},
        not_provisioned=tuple(verification.not_provisioned),
    )


@dataclass(frozen=True, slots=True)
class OktaMatches:
    """What each Okta filter selects, for one reading and one generation of the rows."""

    index: OktaIndex
    generation: int
    #: Members (not revoked) whom Okta does not assign to the app.
    not_assigned: frozenset[str]
    #: Members whose app username in Okta is not their e-mail.
    username_mismatch: frozenset[str]
    #: People Okta assigned who are not Bitwarden members (with Okta's reason), never members.
    not_in_bitwarden: tuple[NotProvisioned, ...]


def match(index: OktaIndex, rows: Iterable[MemberRow], generation: int) -> OktaMatches:
    """One pass over the members (on a worker): the ids each filter shows, and whom Okta has
    that Bitwarden does not."""
    assigned, usernames, revoked = index.assigned, index.usernames, RowStatus.REVOKED
    emails: set[str] = set()
    not_assigned: list[str] = []
    mismatch: list[str] = []
    for row in rows:
        email = row.email.lower()
        emails.add(email)
        if email not in assigned and row.status is not revoked:
            not_assigned.append(row.id)
        if email in usernames:
            mismatch.append(row.id)
    missing = [r for r in index.not_provisioned if r.email.lower() not in emails]
    named = {r.email.lower() for r in index.not_provisioned}
    missing += [
        NotProvisioned(email=email, reason=GONE_FROM_BITWARDEN)
        for email in sorted(index.assigned - emails - named)
    ]
    return OktaMatches(
        index=index,
        generation=generation,
        not_assigned=frozenset(not_assigned),
        username_mismatch=frozenset(mismatch),
        not_in_bitwarden=tuple(missing),
    )
