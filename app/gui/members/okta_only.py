"""The "In Okta, not in Bitwarden" view: people Okta assigned who are not Bitwarden members.

They are not members, so they never join the members model: its counts, its confirm and
reinvite actions and its CSV export stay about members. The window shows this small table in
the members table's place while the filter is chosen, and says what it shows.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, TypeAlias

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from app.core.okta.verify import NotProvisioned
from app.gui.members.model import okta_time, shown
from app.gui.widgets.plain_text import plain_tooltip

_Index: TypeAlias = QModelIndex | QPersistentModelIndex


class OktaOnlyColumn(IntEnum):
    EMAIL = 0
    STATUS = 1
    OKTA = 2
    LOGGED = 3


class OktaOnlyModel(QAbstractTableModel):
    """People in Okta who are not Bitwarden members, with Okta's reason (plain text)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.people: tuple[NotProvisioned, ...] = ()

    def set_people(self, people: tuple[NotProvisioned, ...]) -> None:
        if people == self.people:
            return
        self.beginResetModel()
        self.people = people
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.people)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(OktaOnlyColumn)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(OktaOnlyColumn):
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            OktaOnlyColumn.EMAIL: self.tr("Email (in Okta)"),
            OktaOnlyColumn.STATUS: self.tr("Status"),
            OktaOnlyColumn.OKTA: self.tr("Okta"),
            OktaOnlyColumn.LOGGED: self.tr("Logged by Okta"),
        }[OktaOnlyColumn(section)]

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.people):
            return None
        if not 0 <= index.column() < len(OktaOnlyColumn):
            return None
        person = self.people[index.row()]
        column = OktaOnlyColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                OktaOnlyColumn.EMAIL: shown(person.email),
                OktaOnlyColumn.STATUS: self.tr("Not in Bitwarden"),
                OktaOnlyColumn.OKTA: shown(person.reason),
                OktaOnlyColumn.LOGGED: okta_time(person.at) if person.at else "—",
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is OktaOnlyColumn.STATUS:
                return plain_tooltip(
                    self.tr(
                        "Assigned to the app in Okta, but Bitwarden has no member with this "
                        "e-mail. Not counted among the members, and not in their export."
                    )
                )
            text = person.reason
            if person.bitwarden_member:
                text += " " + self.tr("Bitwarden's member holding them: {0}.").format(
                    person.bitwarden_member
                )
            if person.at:
                text += " " + self.tr("Logged by Okta's System Log at {0}.").format(
                    okta_time(person.at)
                )
            return plain_tooltip(text, 2000)
        return None


def sorted_view(model: OktaOnlyModel, parent: Any = None) -> QSortFilterProxyModel:
    """Sortable, and searched by the window's search box (a few hundred rows at most)."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return proxy
