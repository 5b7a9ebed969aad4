"""The members table's data, Qt-free, so that it can be built and diffed on a worker thread.

A refresh produces a list of `MemberRow`s. `plan_update` compares it with what the table shows and
returns an `UpdatePlan`: the removals, changes and additions the model applies as `rowsRemoved`,
`dataChanged` and `rowsInserted` (never a full reset), plus the search keys and the sort order the
filter needs, all computed off the GUI thread so that 100,000 members never stall it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING, NamedTuple

from app.core import vocabulary
from app.gui.members.search_index import SearchIndex

if TYPE_CHECKING:
    from app.gui.members.okta_index import OktaIndex


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


#: The order of the status filter buttons: what needs the admin first (`app.core.vocabulary`).
STATUS_ORDER: tuple[RowStatus, ...] = tuple(RowStatus[s.name] for s in vocabulary.STATUS_ORDER)


class Column(IntEnum):
    """The table's columns, in order."""

    NAME = 0
    EMAIL = 1
    STATUS = 2
    ROLE = 3
    SCIM = 4
    TWO_STEP = 5
    WAITING = 6
    INVITATION = 7
    GROUPS = 8
    #: The member's state in Okta (shown only when the profile has an Okta token).
    OKTA = 9


class MemberRow(NamedTuple):
    """One member as shown. Equality (all fields) decides whether a refresh changed the row.

    A named tuple rather than a dataclass: 100,000 of them are built and compared per refresh, and
    tuple construction and equality run in C.
    """

    id: str
    email: str
    name: str = ""
    status: RowStatus = RowStatus.INVITED
    role: int | None = None
    external_id: str = ""
    two_step: bool | None = None
    user_id: str | None = None
    #: When this program first saw the member in their current waiting status (invited or
    #: accepted), from the local history. No Bitwarden API gives an invitation date: never guessed.
    first_seen_waiting: datetime | None = None
    #: When this program last reinvited the member (invited members only): the link's new start.
    last_reinvite: datetime | None = None

    @property
    def invitation_since(self) -> datetime | None:
        """Where the invitation's age counts from: the first sighting or the last reinvite."""
        if self.status is not RowStatus.INVITED or self.first_seen_waiting is None:
            return None
        if self.last_reinvite is not None and self.last_reinvite > self.first_seen_waiting:
            return self.last_reinvite
        return self.first_seen_waiting

    @property
    def search_key(self) -> str:
        """What the search box matches: name, email and external id, lower-cased, tab-separated."""
        return f"{self.name}\t{self.email}\t{self.external_id}".lower().replace("\n", " ")

    @property
    def can_confirm(self) -> bool:
        """Accepted, with a linked account: the only members the server lets anyone confirm."""
        return self.status is RowStatus.ACCEPTED and bool(self.user_id)


#: `RowStatus` by its integer value (a dict lookup is much cheaper than calling the enum).
STATUS_BY_VALUE: dict[int, RowStatus] = {int(status): status for status in RowStatus}
_STATUS_RANK = {status: f"{STATUS_ORDER.index(status)}" for status in RowStatus}
_TWO_STEP_RANK = {True: "0", False: "1", None: "2"}


def _column_keys(
    rows: Sequence[MemberRow],
    column: Column,
    groups: Mapping[str, tuple[str, ...]],
    okta: OktaIndex | None = None,
) -> list[str] | list[float]:
    """Sort keys as flat strings (or numbers), built in one comprehension per column.

    Text sorts case-insensitively with blanks last; ties sort by email. Groups sort by how many
    (members in no group first, ascending), then by the group names, then by email. The Okta
    column sorts by state (failures first), from `okta`; without a reading, by email.
    """
    if column is Column.OKTA:
        return okta.sort_keys(rows) if okta is not None else [r.email.casefold() for r in rows]
    if column is Column.NAME:
        return [("0" if r.name else "1") + r.name.casefold() for r in rows]
    if column is Column.GROUPS:
        none: tuple[str, ...] = ()
        return [_groups_key(groups.get(r.id, none), r.email) for r in rows]
    if column is Column.EMAIL:
        return [r.email.casefold() for r in rows]
    if column is Column.STATUS:
        return [_STATUS_RANK[r.status] + r.email.casefold() for r in rows]
    if column is Column.ROLE:
        return [f"{99 if r.role is None else r.role:02d}{r.email.casefold()}" for r in rows]
    if column is Column.SCIM:
        return [("0" if r.external_id else "1") + r.external_id.casefold() for r in rows]
    if column is Column.TWO_STEP:
        return [_TWO_STEP_RANK[r.two_step] + r.email.casefold() for r in rows]
    never = float("inf")
    if column is Column.INVITATION:  # the oldest invitation (the first to expire) first
        return [since.timestamp() if (since := r.invitation_since) else never for r in rows]
    return [
        r.first_seen_waiting.timestamp() if r.first_seen_waiting is not None else never
        for r in rows
    ]


def _groups_key(names: tuple[str, ...], email: str) -> str:
    # The count first (fixed width), then the names, each ended by a character below any printable
    # one, so "Eng" < "Eng, Sales" < "Engineering"; then the email.
    return (
        f"{len(names):06d}"
        + "".join(n.casefold() + "\x1f" for n in names)
        + "\x1e"
        + email.casefold()
    )


#: Sorts of more rows than this run in slices merged in Python (see `sort_permutation`).
_SORT_SLICE = 2048


def sort_permutation(
    rows: Sequence[MemberRow],
    column: Column,
    descending: bool,
    groups: Mapping[str, tuple[str, ...]] | None = None,
    okta: OktaIndex | None = None,
) -> list[int]:
    """Row positions in display order for one column (stable, so equal keys keep server order).

    One `sorted()` of 100,000 rows is a single C call that holds the GIL for 60-80 ms, and so
    freezes the GUI thread while a refresh sorts on a worker. Large sorts therefore sort slices
    (about 1 ms each at 100,000 rows) and merge them with `heapq.merge`, which yields the GIL as
    it goes.
    """
    keys = _column_keys(rows, column, groups or {}, okta)
    key = keys.__getitem__
    count = len(rows)
    if count <= _SORT_SLICE:
        return sorted(range(count), key=key, reverse=descending)
    slices = [
        sorted(range(start, min(start + _SORT_SLICE, count)), key=key, reverse=descending)
        for start in range(0, count, _SORT_SLICE)
    ]
    return list(heapq.merge(*slices, key=key, reverse=descending))


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
    #: The search index over the final rows in `order`, built off the GUI thread.
    index: SearchIndex | None = field(repr=False, default=None)
    #: Members who became revoked in this refresh (Okta deactivated them: the notification).
    newly_revoked: list[MemberRow] = field(default_factory=list)

    @property
    def rows(self) -> list[MemberRow]:
        return self.kept + self.added


def plan_update(
    old: Sequence[MemberRow],
    old_keys: Sequence[str],
    new: Iterable[MemberRow],
    *,
    sort_column: Column = Column.NAME,
    sort_descending: bool = False,
    initial: bool = False,
    groups: Mapping[str, tuple[str, ...]] | None = None,
    okta: OktaIndex | None = None,
) -> UpdatePlan:
    """Diff by member id. `initial` (the first load) highlights nothing and notifies of no one."""
    fetched: dict[str, MemberRow] = {row.id: row for row in new}  # a duplicate id: last wins
    kept: list[MemberRow] = []
    kept_keys: list[str] = []
    removed_positions: list[int] = []
    changed_positions: list[int] = []
    newly_accepted: list[MemberRow] = []
    newly_revoked: list[MemberRow] = []
    accepted, revoked = RowStatus.ACCEPTED, RowStatus.REVOKED
    get = fetched.get
    for pos, row in enumerate(old):
        now = get(row[0])
        if now is None:
            removed_positions.append(pos)
            continue
        if now == row:
            # Keep the old object: the equal new one then dies here on the worker thread, not
            # on the GUI thread when the model drops its previous rows.
            kept.append(row)
            kept_keys.append(old_keys[pos])
            continue
        changed_positions.append(len(kept))
        kept_keys.append(now.search_key)
        if now.status is not row.status:
            if now.status is accepted:
                newly_accepted.append(now)
            elif now.status is revoked and not initial:
                newly_revoked.append(now)
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
    final_keys = kept_keys + [row.search_key for row in added]
    order = sort_permutation(final, sort_column, sort_descending, groups, okta)
    index = SearchIndex(final_keys, [int(row.status) for row in final], order)
    # The model keeps the index's own copies of the keys, not a second set (10 MB at 100,000
    # rows; bench: members_100000_peak_rss_mb): the keys built here and the old ones die here.
    final_keys = index.keys_by_row
    return UpdatePlan(
        removed=contiguous_ranges(removed_positions)[::-1],
        kept=kept,
        kept_keys=final_keys[: len(kept)],
        changed=contiguous_ranges(changed_positions),
        added=added,
        added_keys=final_keys[len(kept) :],
        touched=touched,
        newly_accepted=newly_accepted,
        sort_column=sort_column,
        sort_descending=sort_descending,
        order=order,
        positions={row.id: pos for pos, row in enumerate(final)},
        index=index,
        newly_revoked=newly_revoked,
    )


def count_by_status(rows: Iterable[MemberRow]) -> dict[RowStatus, int]:
    counts = dict.fromkeys(RowStatus, 0)
    for row in rows:
        counts[row.status] += 1
    return counts
