"""`MembersModel`: the organization's members as a flat Qt table, updated incrementally.

A refresh never resets the model: `apply` turns an `UpdatePlan` (diffed by member id on a
worker thread) into `rowsRemoved`, `dataChanged` and `rowsInserted`, so a selection, the scroll
position and an open editor survive a refresh. Rows changed by the last refresh are highlighted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeAlias

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from app.core import vocabulary
from app.core.invitations import DEFAULT_EXPIRY_HOURS, Invitation, age, describe, invitation
from app.core.outside_text import clean, printable, shorten
from app.gui.members.okta_index import OktaIndex, OktaState
from app.gui.members.rows import Column, MemberRow, RowStatus, UpdatePlan
from app.gui.members.text import plural
from app.gui.widgets.plain_text import plain_tooltip
from app.gui.widgets.vocabulary import translated

#: The `MemberRow` of an index (for the window and the filter).
ROW_ROLE = int(Qt.ItemDataRole.UserRole) + 1

#: Past this many separate runs of removed rows, one reset is cheaper than many signals.
_MAX_REMOVAL_RUNS = 256
#: Past this many runs of changed rows, one `dataChanged` spanning them all is emitted instead.
_MAX_CHANGE_RUNS = 64

_HIGHLIGHT = QColor(255, 214, 102, 110)

# Roles as plain ints: `data()` runs for every visible cell and role, so comparisons must be cheap.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_DESCRIPTION = int(Qt.ItemDataRole.AccessibleDescriptionRole)
#: The roles `cell` answers; every other role is empty.
HANDLED_ROLES = frozenset({_DISPLAY, _TOOLTIP, _BACKGROUND, _DESCRIPTION, ROW_ROLE})
_COLUMNS = tuple(Column)
#: Each column's vocabulary entry (its title).
_FIELDS = {
    column: vocabulary.Field[column.name]
    for column in Column
    if column.name in vocabulary.Field.__members__
}
_FIELDS[Column.SCIM] = vocabulary.Field.EXTERNAL_ID


def shown_order() -> list[Column]:
    """The columns left to right as the table shows them (`vocabulary.TABLE_ORDER`); a column
    the vocabulary does not place keeps its place after those."""
    by_field = {field: column for column, field in _FIELDS.items()}
    placed = [by_field[f] for f in vocabulary.TABLE_ORDER if f in by_field]
    return placed + [c for c in Column if c not in placed]


#: Every row's flags, combined once (`flags()` runs per visible cell per repaint; each `|` of
#: Qt's flag enums is a Python call).
ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)

_Index: TypeAlias = QModelIndex | QPersistentModelIndex

#: The most of a member's name, email or externalId a cell shows (the view elides the rest; the
#: tooltip shows more): a 10,000-character name is not laid out on every repaint.
CELL_LIMIT = 300


def shown(text: str) -> str:
    """Member-chosen text as a cell shows it: one line, no control or bidi characters, capped.

    Item views paint display text as plain text; newlines would still make a second line and
    U+202E would still reverse what follows, so those become spaces.
    """
    if len(text) <= CELL_LIMIT and text.isprintable():  # nearly every cell, at C speed
        return text
    return printable(shorten(text, CELL_LIMIT))


@cache
def status_label(status: RowStatus) -> str:
    """The status as the admin reads it (`app.core.vocabulary`: the CSV and the CLI's words)."""
    return translated(vocabulary.status_label(status.name.lower()))


@cache
def status_explanation(status: RowStatus) -> str:
    explanations = {
        RowStatus.ACCEPTED: QCoreApplication.translate(
            "Members",
            "Accepted the invitation. Until you confirm them, they cannot see any of the "
            "organization's items.",
        ),
        RowStatus.INVITED: QCoreApplication.translate(
            "Members", "Invited by email; has not accepted the invitation yet."
        ),
        RowStatus.STAGED: QCoreApplication.translate(
            "Members",
            "Provisioned but not invited yet (Bitwarden sends the invitation when a seat is free "
            "or the organization allows it).",
        ),
        RowStatus.CONFIRMED: QCoreApplication.translate(
            "Members", "A full member: has the organization's key."
        ),
        RowStatus.REVOKED: QCoreApplication.translate(
            "Members", "Access revoked (deactivated in Okta, or revoked by an admin)."
        ),
        RowStatus.PROVISIONED: QCoreApplication.translate(
            "Members",
            "Active in the organization, as SCIM reports it. Whether they have accepted or been "
            "confirmed needs the Public API key (add it to this profile).",
        ),
    }
    return explanations[status]


@cache
def role_label(role: int | None) -> str:
    return translated(vocabulary.role_label(role)) or "—"


@cache
def _two_step_label(enabled: bool | None) -> str:
    return translated(vocabulary.on_off(enabled)) or "—"


#: The statuses whose "first seen in this status" the Waiting column shows.
_SINCE_SHOWN = frozenset(RowStatus[s.name] for s in vocabulary.WAITING_STATUSES)

#: Said wherever an invitation's age appears: where it counts from, and why.
INVITATION_NOTE = (
    "Bitwarden reports no invitation dates, so an invitation's age counts from when this program "
    "first saw it (or last reinvited the member); the real invitation may be older. A link is "
    "valid for the organization's invitation expiry (5 days unless a self-hosted server changed "
    "it; set it in the profile)."
)


def waited_text(since: datetime, now: datetime) -> str:
    """'3 days', '5 hours', 'under a minute': how long since this program first saw the status."""
    seconds = max(0.0, (now - since).total_seconds())
    if seconds >= 2 * 86400:
        return plural(
            int(seconds // 86400),
            QCoreApplication.translate("Members", "{0} day"),
            QCoreApplication.translate("Members", "{0} days"),
        )
    if seconds >= 3600:
        return plural(
            int(seconds // 3600),
            QCoreApplication.translate("Members", "{0} hour"),
            QCoreApplication.translate("Members", "{0} hours"),
        )
    if seconds >= 60:
        return plural(
            int(seconds // 60),
            QCoreApplication.translate("Members", "{0} minute"),
            QCoreApplication.translate("Members", "{0} minutes"),
        )
    return QCoreApplication.translate("Members", "under a minute")


class MembersModel(QAbstractTableModel):
    """The members, in server order; sorting and filtering are `MemberFilter`'s job."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[MemberRow] = []
        self._keys: list[str] = []
        self._positions: dict[str, int] = {}
        self._touched: frozenset[str] = frozenset()
        self._now = datetime.now(UTC)
        #: The organization's invitation lifetime in hours (the profile's setting).
        self.expiry_hours = DEFAULT_EXPIRY_HOURS
        #: Member id -> the names of the groups they are in (groups_source.py; empty until read).
        self.member_groups: dict[str, tuple[str, ...]] = {}
        #: Counts refreshes applied: a sort made off the GUI thread is for one generation only.
        self.generation = 0
        #: The last reading of Okta (okta_side.py), None without an Okta token.
        self.okta: OktaIndex | None = None

    # ---------------------------------------------------------------- what the filter reads
    @property
    def rows(self) -> list[MemberRow]:
        return self._rows

    @property
    def search_keys(self) -> list[str]:
        return self._keys

    @property
    def positions(self) -> Mapping[str, int]:
        """Member id -> row; replaced (never changed) by each update, so a worker may read it."""
        return self._positions

    def position_of(self, member_id: str) -> int | None:
        return self._positions.get(member_id)

    def row_at(self, row: int) -> MemberRow:
        return self._rows[row]

    @property
    def touched(self) -> frozenset[str]:
        """Ids of the rows that changed or appeared in the last refresh."""
        return self._touched

    # ---------------------------------------------------------------- updates
    def apply(self, plan: UpdatePlan, now: datetime | None = None) -> None:
        """Apply a refresh with the finest signals that stay cheap at 100,000 rows."""
        self.generation += 1
        self._now = now or datetime.now(UTC)
        previously_touched = bool(self._touched)
        if len(plan.removed) > _MAX_REMOVAL_RUNS:
            self.beginResetModel()
            self._rows, self._keys = plan.kept + plan.added, plan.kept_keys + plan.added_keys
            self._positions, self._touched = plan.positions, plan.touched
            self.endResetModel()
            return
        root = QModelIndex()
        for first, last in plan.removed:
            self.beginRemoveRows(root, first, last)
            del self._rows[first : last + 1]
            del self._keys[first : last + 1]
            self.endRemoveRows()
        self._rows, self._keys = list(plan.kept), list(plan.kept_keys)
        self._positions, self._touched = plan.positions, plan.touched
        last_column = len(Column) - 1
        if previously_touched or len(plan.changed) > _MAX_CHANGE_RUNS:
            # The old highlights fade and the new ones appear: one signal over every row.
            if self._rows:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(self._rows) - 1, last_column)
                )
        else:
            for first, last in plan.changed:
                self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))
        if plan.added:
            start = len(self._rows)
            self.beginInsertRows(root, start, start + len(plan.added) - 1)
            self._rows.extend(plan.added)
            self._keys.extend(plan.added_keys)
            self.endInsertRows()

    # ---------------------------------------------------------------- QAbstractTableModel
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(Column)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if column is Column.OKTA:  # the window's own column, in no file or terminal
                return (
                    self.tr("Okta (stale)")
                    if self.okta is not None and self.okta.stale
                    else self.tr("Okta")
                )
            field = _FIELDS.get(column)
            return translated(vocabulary.title(field, table=True)) if field is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return {
                Column.SCIM: self.tr(
                    "The externalId Okta gave the member; blank if not provisioned by SCIM."
                ),
                Column.WAITING: self.tr(
                    "How long an invited or accepted member has waited (and since when a revoked "
                    "one is revoked), counted from when this program first saw them in that "
                    "status. Bitwarden does not report invitation "
                    "dates, so this is never earlier than your first refresh."
                ),
                Column.INVITATION: INVITATION_NOTE,
                Column.GROUPS: self.tr(
                    "The groups the member is in (pushed by Okta or made in Bitwarden), from the "
                    "Public API; refreshed every few minutes."
                ),
                Column.OKTA: self._okta_header_tip(),
            }.get(column)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return ROW_FLAGS

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if role not in HANDLED_ROLES or not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, number: int, column_number: int, role: int) -> Any:
        """`data()` without a QModelIndex (the filter calls this for every visible cell)."""
        if not 0 <= number < len(self._rows) or not 0 <= column_number < len(_COLUMNS):
            return None
        row = self._rows[number]
        column = _COLUMNS[column_number]
        if role == _DISPLAY:
            return self._display(row, column)
        if role == ROW_ROLE:
            return row
        if role == _TOOLTIP:
            return self._tooltip(row, column)
        if role == _BACKGROUND:
            return QBrush(_HIGHLIGHT) if row.id in self._touched else None
        if role == _DESCRIPTION and column is Column.STATUS:
            return status_explanation(row.status)
        return None

    def invitation_of(self, row: MemberRow) -> Invitation | None:
        """The row's invitation age and expiry at the last refresh; None unless invited and seen."""
        if row.status is not RowStatus.INVITED or row.first_seen_waiting is None:
            return None
        return invitation(row.first_seen_waiting, row.last_reinvite, self._now, self.expiry_hours)

    def set_member_groups(self, member_groups: dict[str, tuple[str, ...]]) -> None:
        """New group memberships: one `dataChanged` over the Groups column."""
        self.member_groups = member_groups
        if self._rows:
            column = int(Column.GROUPS)
            self.dataChanged.emit(
                self.index(0, column), self.index(len(self._rows) - 1, column), [_DISPLAY]
            )

    def set_okta(self, okta: OktaIndex | None) -> None:
        """A new reading of Okta (or its mark as stale): one `dataChanged` over the Okta column,
        whatever the number of members (cells look their member up when painted)."""
        self.okta = okta
        column = int(Column.OKTA)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, column), self.index(len(self._rows) - 1, column), [_DISPLAY]
            )

    def _okta_header_tip(self) -> str | None:
        okta = self.okta
        if okta is None:
            return None
        tip = self.tr(
            "The member in Okta's app “{0}”, as Okta was read at {1} (at most once a "
            "minute, with the members; “Check Okta now” reads it at once)."
        ).format(shown(okta.app_label), _clock(okta.read_at))
        if okta.stale:
            tip += "\n" + stale_sentence(okta)
        return plain_tooltip(tip)

    @property
    def now(self) -> datetime:
        """The time of the refresh the rows came from (ages count to it)."""
        return self._now

    def _display(self, row: MemberRow, column: Column) -> str:
        if column is Column.NAME:
            return shown(row.name)
        if column is Column.EMAIL:
            return shown(row.email)
        if column is Column.STATUS:
            return status_label(row.status)
        if column is Column.ROLE:
            return role_label(row.role)
        if column is Column.SCIM:
            return shown(row.external_id) or self.tr("—")
        if column is Column.TWO_STEP:
            return _two_step_label(row.two_step)
        if column is Column.INVITATION:
            item = self.invitation_of(row)
            return describe(item, self._now) if item is not None else ""
        if column is Column.GROUPS:
            return shown(", ".join(self.member_groups.get(row.id, ())))
        if column is Column.OKTA:
            return okta_text(self.okta, row) if self.okta is not None else ""
        if row.first_seen_waiting is None or row.status not in _SINCE_SHOWN:
            return ""
        return waited_text(row.first_seen_waiting, self._now)

    def _tooltip(self, row: MemberRow, column: Column) -> str | None:
        outside = {Column.NAME: row.name, Column.EMAIL: row.email, Column.SCIM: row.external_id}
        if column is Column.GROUPS:
            outside[column] = ", ".join(self.member_groups.get(row.id, ()))
        value = outside.get(column)
        if value:
            # The whole value (a cell elides it), as plain characters: a member named
            # `<img src="file:///…">` is shown that way, never rendered.
            if row.id in self._touched:
                value += " — " + self.tr("Changed in the last refresh.")
            return plain_tooltip(value)
        if column is Column.STATUS:
            return status_explanation(row.status)
        if column is Column.OKTA and self.okta is not None:
            return plain_tooltip(okta_tooltip(self.okta, row))
        if column is Column.WAITING and row.first_seen_waiting is not None:
            seen = row.first_seen_waiting.astimezone().strftime("%Y-%m-%d %H:%M")
            if row.status is RowStatus.ACCEPTED:
                return self.tr("First seen accepted on {0} (by this program).").format(seen)
            if row.status is RowStatus.REVOKED:
                return self.tr(
                    "First seen revoked on {0} (by this program). To restore: assign them to the "
                    "Bitwarden app in Okta again (SCIM then restores their prior status)."
                ).format(seen)
            return self.tr("First seen invited on {0} (by this program).").format(seen)
        if column is Column.INVITATION:
            item = self.invitation_of(row)
            if item is not None:
                until = item.expires_at.astimezone().strftime("%Y-%m-%d %H:%M")
                return (
                    age(item, self._now)
                    + "; "
                    + self.tr("valid until about {0}.").format(until)
                    + "\n"
                    + INVITATION_NOTE
                )
        if row.id in self._touched:
            return self.tr("Changed in the last refresh.")
        return None


def _clock(at: datetime) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


def okta_time(published: str) -> str:
    """A System Log time (ISO 8601, UTC) in local time, as the window shows times; as sent when
    it is not one."""
    try:
        return _clock(datetime.fromisoformat(published))
    except ValueError:
        return shown(published)


def stale_sentence(okta: OktaIndex) -> str:
    """Why the Okta column's values are old (the last read failed)."""
    at = _clock(okta.stale_at) if okta.stale_at is not None else ""
    return (
        QCoreApplication.translate("Members", "{0} (at {1}).").format(
            clean(okta.stale or "", 500).rstrip("."), at
        )
        + " "
        + QCoreApplication.translate("Members", "Shown: Okta as read at {0} (stale).").format(
            _clock(okta.read_at)
        )
    )


def okta_text(okta: OktaIndex, row: MemberRow) -> str:
    """The Okta cell: the member's state in Okta, in the window's words (plain, one line)."""
    state = okta.state_of(row)
    if state is OktaState.FAILED:
        failure = okta.failure_of(row)
        reason = failure.reason if failure is not None else ""
        text = QCoreApplication.translate("Members", "Okta failed: {0}").format(shown(reason))
    elif state is OktaState.USERNAME_MISMATCH:
        text = QCoreApplication.translate("Members", "App username ≠ email ({0})").format(
            shown(okta.username_of(row) or "")
        )
    else:
        text = _OKTA_WORDS[state]()
    return text + QCoreApplication.translate("Members", " (stale)") if okta.stale else text


_OKTA_WORDS = {
    OktaState.ASSIGNED: lambda: QCoreApplication.translate("Members", "Assigned"),
    OktaState.NOT_ASSIGNED: lambda: QCoreApplication.translate("Members", "Not assigned in Okta"),
    OktaState.REVOKED_UNASSIGNED: lambda: QCoreApplication.translate(
        "Members", "Not assigned (revoked)"
    ),
}


def okta_tooltip(okta: OktaIndex, row: MemberRow) -> str:
    """What the Okta cell means and what to do, with the System Log's reason and time."""
    state = okta.state_of(row)
    label = shown(okta.app_label)
    if state is OktaState.FAILED:
        failure = okta.failure_of(row)
        assert failure is not None
        reason = clean(failure.reason, 1000)
        lines = [
            QCoreApplication.translate("Members", "Okta could not provision them: {0}").format(
                reason
            )
        ]
        if failure.email.lower() != row.email.lower():
            lines.append(
                QCoreApplication.translate(
                    "Members",
                    "Okta's failure is for {0}, whose e-mail or Okta id this member holds.",
                ).format(shown(failure.email))
            )
        if failure.at:
            lines.append(
                QCoreApplication.translate("Members", "Logged by Okta's System Log at {0}.").format(
                    okta_time(failure.at)
                )
            )
    elif state is OktaState.USERNAME_MISMATCH:
        lines = [
            QCoreApplication.translate(
                "Members",
                "Okta's app username for them is “{0}”, not their e-mail. Bitwarden matches "
                "existing users only by a userName with an @, so Okta may get a conflict. Fix: "
                "in Okta, set the app's Application username format to Email.",
            ).format(shown(okta.username_of(row) or ""))
        ]
    elif state is OktaState.ASSIGNED:
        lines = [
            QCoreApplication.translate("Members", "Assigned to the app “{0}” in Okta.").format(
                label
            )
        ]
    elif state is OktaState.NOT_ASSIGNED:
        lines = [
            QCoreApplication.translate(
                "Members",
                "Bitwarden has them, but Okta does not assign them to the app “{0}”: added in "
                "Bitwarden by hand, or unassigned in Okta while Deactivate Users was off. "
                "Assign them in Okta, or remove them in Bitwarden.",
            ).format(label)
        ]
    else:
        lines = [
            QCoreApplication.translate(
                "Members",
                "Revoked in Bitwarden and not assigned in Okta: as Okta's deactivation leaves "
                "them. To restore them, assign them to the app “{0}” again.",
            ).format(label)
        ]
    lines.append(
        QCoreApplication.translate("Members", "Okta read at {0}.").format(_clock(okta.read_at))
    )
    if okta.stale:
        lines.append(stale_sentence(okta))
    return "\n".join(lines)
