"""The members table's data, Qt-free, so that it can be built and diffed on a worker thread.

A refresh produces a list of `MemberRow`s. `plan_update` compares it with what the table shows and
returns an `UpdatePlan`: the removals, changes and additions the model applies as `rowsRemoved`,
`dataChanged` and `rowsInserted` (never a full reset), plus the search keys and the sort order the
filter needs, all computed off the GUI thread so that 100,000 members never stall it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum


class RowStatus(IntEnum):
    """A member's status as the table shows it.

    The first five are Bitwarden's own (`OrganizationUserStatusType`, the Public API's `status`).
    `PROVISIONED` is what the SCIM-only view knows of an active user: without the Public API the
    status (invited, accepted or confirmed) cannot be read.
    """

    REVOKED = -1
    INVITED = 0
    ACCEPTED = 1
    CONFIRMED = 2
    STAGED = 3
    PROVISIONED = 10


#: The order of the status filter buttons: what needs the admin first.
STATUS_ORDER: tuple[RowStatus, ...] = (
    RowStatus.ACCEPTED,
    RowStatus.INVITED,
    RowStatus.STAGED,
    RowStatus.CONFIRMED,
    RowStatus.REVOKED,
    RowStatus.PROVISIONED,
)

#: Roles (`OrganizationUserType`); 3 is the old Manager role, still possible in old organizations.
ROLE_NAMES: dict[int, str] = {0: "Owner", 1: "Admin", 2: "User", 3: "Manager", 4: "Custom"}


class Column(IntEnum):
    """The table's columns, in order."""

    NAME = 0
    EMAIL = 1
    STATUS = 2
    ROLE = 3
    SCIM = 4
    TWO_STEP = 5
    WAITING = 6


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One member as shown. Equality (all fields) decides whether a refresh changed the row."""

    id: str
    email: str
    name: str = ""
    status: RowStatus = RowStatus.INVITED
    role: int | None = None
    external_id: str = ""
    two_step: bool | None = None
    user_id: str | None = None
    #: When this program first saw the member in their current waiting status (invited or accepted),
    #: from the local history. No Bitwarden API gives an invitation date, so this is never guessed.
    first_seen_waiting: datetime | None = None

    @property
    def search_key(self) -> str:
        """What the search box matches: name, email and external id, lower-cased, tab-separated."""
        return f"{self.name}\t{self.email}\t{self.external_id}".lower()

    @property
    def can_confirm(self) -> bool:
        """Only accepted members with a linked account can be confirmed (the server refuses
        others)."""
        return self.status is RowStatus.ACCEPTED and bool(self.user_id)


def sort_key(row: MemberRow, column: Column) -> tuple[int, str] | tuple[int, float]:
    """A key that sorts the column in a human order: text case-insensitively, blanks last."""
    if column is Column.NAME:
        return (0 if row.name else 1, row.name.casefold())
    if column is Column.EMAIL:
        return (0, row.email.casefold())
    if column is Column.STATUS:
        return (STATUS_ORDER.index(row.status), row.email.casefold())
    if column is Column.ROLE:
        return (row.role if row.role is not None else 99, row.email.casefold())
    if column is Column.SCIM:
        return (0 if row.external_id else 1, row.external_id.casefold())
    if column is Column.TWO_STEP:
        return ({True: 0, False: 1, None: 2}[row.two_step], row.email.casefold())
    waited = row.first_seen_waiting
    return (0, waited.timestamp()) if waited is not None else (1, 0.0)


def sort_permutation(rows: Sequence[MemberRow], column: Column, descending: bool) -> list[int]:
    """Row positions in display order for one column (stable, so equal keys keep server order)."""
    keys = [sort_key(row, column) for row in rows]
    return sorted(range(len(rows)), key=keys.__getitem__, reverse=descending)


def contiguous_ranges(positions: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted positions grouped into inclusive (first, last) runs: one model signal per run."""
    ranges: list[tuple[int, int]] = []
    for pos in positions:
        if ranges and ranges[-1][1] == pos - 1:
            ranges[-1] = (ranges[-1][0], pos)
        else:
            ranges.append((pos, pos))
    return ranges


@dataclass(frozen=True, slots=True)
class UpdatePlan:
    """How to turn the rows shown into the rows fetched, with the signals a Qt model must emit."""

    #: Inclusive runs of old positions to remove, last run first (so earlier positions stay valid).
    removed: list[tuple[int, int]]
    #: The rows after removals, with changed rows replaced in place; additions come after these.
    kept: list[MemberRow]
    kept_keys: list[str]
    #: Inclusive runs of positions in `kept` whose data changed.
    changed: list[tuple[int, int]]
    added: list[MemberRow]
    added_keys: list[str]
    #: Ids of rows that changed or appeared in this refresh (highlighted until the next one).
    touched: frozenset[str]
    #: Members who became accepted in this refresh: they need confirming (the notification).
    newly_accepted: list[MemberRow]
    #: The final rows' display order for `sort_column`, precomputed off the GUI thread.
    sort_column: Column
    sort_descending: bool
    order: list[int] = field(repr=False)
    #: Member id -> position in the final rows (for restoring the selection after an update).
    positions: dict[str, int] = field(repr=False, default_factory=dict)

    @property
    def rows(self) -> list[MemberRow]:
        return self.kept + self.added

    @property
    def is_noop(self) -> bool:
        return not (self.removed or self.changed or self.added)


def plan_update(
    old: Sequence[MemberRow],
    old_keys: Sequence[str],
    new: Iterable[MemberRow],
    *,
    sort_column: Column = Column.NAME,
    sort_descending: bool = False,
    initial: bool = False,
) -> UpdatePlan:
    """Diff by member id. `initial` (the first load) highlights nothing and notifies of no one."""
    fetched: dict[str, MemberRow] = {}
    for row in new:
        fetched[row.id] = row  # a duplicate id keeps the last one, as a dict-based server would
    kept: list[MemberRow] = []
    kept_keys: list[str] = []
    removed_positions: list[int] = []
    changed_positions: list[int] = []
    newly_accepted: list[MemberRow] = []
    for pos, row in enumerate(old):
        now = fetched.get(row.id)
        if now is None:
            removed_positions.append(pos)
            continue
        if now == row:
            kept_keys.append(old_keys[pos])
        else:
            changed_positions.append(len(kept))
            kept_keys.append(now.search_key)
            if now.status is RowStatus.ACCEPTED and row.status is not RowStatus.ACCEPTED:
                newly_accepted.append(now)
        kept.append(now)
    old_ids = {row.id for row in old}
    added = [row for row in fetched.values() if row.id not in old_ids]
    if not initial:
        newly_accepted.extend(row for row in added if row.status is RowStatus.ACCEPTED)
    touched = (
        frozenset()
        if initial
        else frozenset([kept[pos].id for pos in changed_positions] + [row.id for row in added])
    )
    final = kept + added
    return UpdatePlan(
        removed=contiguous_ranges(removed_positions)[::-1],
        kept=kept,
        kept_keys=kept_keys,
        changed=contiguous_ranges(changed_positions),
        added=added,
        added_keys=[row.search_key for row in added],
        touched=touched,
        newly_accepted=newly_accepted,
        sort_column=sort_column,
        sort_descending=sort_descending,
        order=sort_permutation(final, sort_column, sort_descending),
        positions={row.id: pos for pos, row in enumerate(final)},
    )


def count_by_status(rows: Iterable[MemberRow]) -> dict[RowStatus, int]:
    counts = dict.fromkeys(RowStatus, 0)
    for row in rows:
        counts[row.status] += 1
    return counts
