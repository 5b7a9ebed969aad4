"""`MemberFilter`: search, status filter and sort over `MembersModel`, fast at 100,000 rows.

A `QSortFilterProxyModel` would call Python once per row on every keystroke. This proxy instead
keeps a `SearchIndex` (keys in display order, searched in C) and exposes its result, a list of
source rows, as the proxy's rows. A new search or filter resets the proxy (the window restores the
selection by member id); sorting is a `layoutChanged` with the persistent indexes moved, as Qt's
own proxies do. A header click on a large list sorts on a worker (100-150 ms at 100,000 rows would
freeze the window) and applies the order when it arrives, unless a refresh or another click came
first.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple, TypeAlias, overload

from PySide6.QtCore import (
    QAbstractProxyModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.gui.members.model import HANDLED_ROLES, ROW_FLAGS, MembersModel
from app.gui.members.rows import Column, MemberRow, UpdatePlan, sort_permutation
from app.gui.members.search_index import SearchIndex
from app.gui.tasks import SingleFlight, Task, TaskControl, run_task
from app.gui.worker_hold import WorkerHold

_Index: TypeAlias = QModelIndex | QPersistentModelIndex
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
#: Row lookups answered by scanning before the inverse map is worth building.
_LOOKUPS_BEFORE_INVERSE = 16


#: Starts a header click's worker (`MemberFilter.customEvent`).
_START_SORT = QEvent.Type(QEvent.registerEventType())
#: Below Qt's repaint requests (`LowEventPriority`), so the click's repaint is done first.
_AFTER_REPAINTS = Qt.EventPriority.LowEventPriority.value - 1


class _Sorted(NamedTuple):
    """A worker's sort: the index for one column, order and generation of the rows."""

    generation: int
    column: Column
    descending: bool
    search_index: SearchIndex


class MemberFilter(QAbstractProxyModel):
    """The rows the table shows: those matching the search text and the status filter, sorted."""

    #: Emitted after the visible rows changed (search, status filter, refresh), with their count.
    visible_changed = Signal(int)
    #: True while a header click's sort runs on a worker, False once it is shown (or superseded).
    sorting = Signal(bool)

    #: From this many rows on, a header click sorts off the GUI thread.
    background_sort_rows = 20_000

    def __init__(self, source: MembersModel, parent: Any = None) -> None:
        super().__init__(parent)
        self._source = source
        self.setSourceModel(source)
        self._query = ""
        self._statuses: frozenset[int] | None = None
        #: Only these member ids (a filter beyond status: "Expired invitations", a group).
        self._only: frozenset[str] | None = None
        self._sort_column = Column.NAME
        self._descending = False
        self._index = SearchIndex([], [], [])
        #: Replaced indexes, for a worker to free (`take_retired`).
        self._retired: list[SearchIndex] = []
        self._visible: list[int] = []
        self._inverse: list[int] | None = None
        self._lookups = 0
        #: The header click's sort on a worker: a newer click replaces a running one.
        self._sorts = SingleFlight(self, self._start_sort_worker, replace=True)
        self._sort_queued = False
        #: While a sort runs: no collection (it would stall the GUI thread for longer than the
        #: sort saves) and a short GIL switch interval (see worker_hold).
        self._worker_hold = WorkerHold()

    # ---------------------------------------------------------------- what the window sets
    @property
    def query(self) -> str:
        return self._query

    @property
    def statuses(self) -> frozenset[int] | None:
        return self._statuses

    @property
    def sort_column(self) -> Column:
        return self._sort_column

    @property
    def descending(self) -> bool:
        return self._descending

    def set_query(self, text: str) -> None:
        """Search name, email and external id, case-insensitively (search as you type)."""
        if text == self._query:
            return
        self._query = text
        self._refilter()

    @property
    def only(self) -> frozenset[str] | None:
        return self._only

    def set_statuses(
        self, statuses: Collection[int] | None, only: Collection[str] | None = None
    ) -> None:
        """Show only these statuses (`None`: all), and of them only the members `only` names
        (`None`: no such limit). One refilter for both."""
        wanted = frozenset(statuses) if statuses is not None else None
        ids = frozenset(only) if only is not None else None
        if wanted == self._statuses and ids == self._only:
            return
        self._statuses, self._only = wanted, ids
        self._refilter()

    def replace_only(self, only: Collection[str] | None) -> None:
        """A new `only` set for the next `apply` (a refresh recomputed it), without a refilter."""
        self._only = frozenset(only) if only is not None else None

    def apply(self, plan: UpdatePlan, now: datetime | None = None) -> None:
        """Apply a refresh to the source and the visible rows together.

        When only data changed and the same rows stay visible in the same order, the views get a
        `dataChanged`; otherwise one reset of this proxy (never of the source model).
        """
        structural = bool(plan.removed or plan.added)
        index = plan.index
        if (
            index is None
            or plan.sort_column is not self._sort_column
            or plan.sort_descending != self._descending
        ):  # the admin re-sorted while the refresh ran
            index = None
        if structural:
            self.beginResetModel()
            self._source.apply(plan, now)
            self._rebuild(index)
            self.endResetModel()
        else:
            self._source.apply(plan, now)
            before = self._visible
            self._rebuild(index)
            if self._visible == before:
                if self._visible:
                    self.dataChanged.emit(
                        self.index(0, 0), self.index(len(self._visible) - 1, len(Column) - 1)
                    )
                return
            self.beginResetModel()
            self.endResetModel()
        self.visible_changed.emit(len(self._visible))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (the header's click): a layout change that keeps the selection."""
        if not 0 <= column < len(Column):
            return
        self._sort_column = Column(column)
        self._descending = order == Qt.SortOrder.DescendingOrder
        was_pending = self._drop_background_sort()
        if self._source.rowCount() < self.background_sort_rows:
            self._show_sorted(None)
            if was_pending:
                self._end_background()
            return
        if not was_pending:
            self.sorting.emit(True)
            self._worker_hold.acquire()
        # The worker starts once the click's repaint is done (posted below Qt's repaint
        # requests): a paint while it runs waits for the GIL at every cell (worker_hold).
        self._sort_queued = True
        QCoreApplication.postEvent(self, QEvent(_START_SORT), _AFTER_REPAINTS)

    def cancel_sort(self) -> None:
        """Drop a header click's sort still running (the window is closing)."""
        if self._drop_background_sort():
            self._end_background(notify=False)

    @property
    def sort_pending(self) -> bool:
        """A header click's sort is queued or running on a worker."""
        return self._sort_queued or self._sorts.running

    def customEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == _START_SORT and self._sort_queued:
            self._sort_queued = False
            self._sorts.request()

    def _start_sort_worker(self) -> Task[_Sorted]:
        # Snapshots: a refresh may change the source's lists while the worker reads them.
        rows = list(self._source.rows)
        keys = list(self._source.search_keys)
        generation, column = self._source.generation, self._sort_column
        descending, groups = self._descending, self._source.member_groups
        okta = self._source.okta
        # Indexes replaced by earlier clicks are freed here first: clicking through the headers
        # would otherwise keep one whole index (~25 MB at 100,000 rows) per click until the next
        # refresh (bench: members_100000_peak_rss_mb peaked in the sort clicks).
        retired = self.take_retired()

        def work(_ctl: TaskControl) -> _Sorted:
            for old in retired:
                old.release()
            order = sort_permutation(rows, column, descending, groups, okta)
            index = SearchIndex(keys, [int(r.status) for r in rows], order)
            return _Sorted(generation, column, descending, index)

        return run_task(self, work, on_success=self._sorted, on_failure=self._sort_failed)

    def _drop_background_sort(self) -> bool:
        """Forget a queued or running sort (its result would be dropped); whether there was one."""
        was_pending = self.sort_pending
        self._sort_queued = False
        self._sorts.cancel()
        return was_pending

    def _end_background(self, *, freeze: bool = False, notify: bool = True) -> None:
        self._worker_hold.release(freeze=freeze)
        if notify:
            self.sorting.emit(False)

    def _sorted(self, result: _Sorted) -> None:
        current = (self._source.generation, self._sort_column, self._descending)
        if (result.generation, result.column, result.descending) != current:
            # A refresh came first and already shows the right order.
            self._retired.append(result.search_index)
        else:
            self._show_sorted(result.search_index)
        # The new index's objects live as long as the order is shown: freeze them, as a
        # refresh does, so later collections skip them.
        self._end_background(freeze=True)

    def _sort_failed(self, _error: BaseException) -> None:
        self._show_sorted(None)  # cannot fail the same way twice: sort here, as small lists do
        self._end_background()

    def _show_sorted(self, index: SearchIndex | None) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [self.mapToSource(p) for p in persistent]
        self._rebuild(index)
        self.changePersistentIndexList(persistent, [self.mapFromSource(s) for s in sources])
        self.layoutChanged.emit()

    # ---------------------------------------------------------------- for the window
    def column_changed(self, column: Column) -> None:
        """The source changed one column's data for every row (e.g. group memberships)."""
        if self._visible:
            self.dataChanged.emit(
                self.index(0, int(column)), self.index(len(self._visible) - 1, int(column))
            )

    def take_retired(self) -> list[SearchIndex]:
        """The indexes replaced since the last call: the caller frees them off the GUI thread."""
        retired, self._retired = self._retired, []
        return retired

    def row_at(self, row: int) -> MemberRow:
        return self._source.row_at(self._visible[row])

    def visible_rows(self) -> list[MemberRow]:
        """The members the table shows, in its order (what "Export" writes)."""
        rows = self._source.rows
        return [rows[i] for i in self._visible]

    def proxy_row_of(self, member_id: str) -> int | None:
        position = self._source.position_of(member_id)
        if position is None:
            return None
        if self._inverse is None and self._lookups < _LOOKUPS_BEFORE_INVERSE:
            # A few lookups (the current row, a small selection) scan the list in C; building
            # the inverse map would cost more than that on the GUI thread.
            self._lookups += 1
            try:
                return self._visible.index(position)
            except ValueError:
                return None
        found = self._inverse_map()[position]
        return found if found >= 0 else None

    # ---------------------------------------------------------------- internals
    def _match(self) -> list[int]:
        if self._only is None:
            return self._index.match(self._query, self._statuses)
        position_of = self._source.position_of
        allowed = [p for p in map(position_of, self._only) if p is not None]
        return self._index.subset(allowed, self._query, self._statuses)

    def _refilter(self) -> None:
        self.beginResetModel()
        self._visible = self._match()
        self._inverse = None
        self._lookups = 0
        self.endResetModel()
        self.visible_changed.emit(len(self._visible))

    def _rebuild(self, index: SearchIndex | None) -> None:
        """Use a refresh's prebuilt index, or build one for the current sort (a header click)."""
        if index is None:
            rows = self._source.rows
            order = sort_permutation(
                rows,
                self._sort_column,
                self._descending,
                self._source.member_groups,
                self._source.okta,
            )
            index = SearchIndex(self._source.search_keys, [int(r.status) for r in rows], order)
        self._retired.append(self._index)  # freed by the next refresh's worker, not here
        self._index = index
        self._visible = self._match()
        self._inverse = None
        self._lookups = 0

    def _inverse_map(self) -> list[int]:
        if self._inverse is None:
            inverse = [-1] * self._source.rowCount()
            for proxy_row, source_row in enumerate(self._visible):
                inverse[source_row] = proxy_row
            self._inverse = inverse
        return self._inverse

    # ---------------------------------------------------------------- QAbstractProxyModel
    def mapToSource(self, proxy_index: _Index) -> QModelIndex:  # noqa: N802
        if not proxy_index.isValid() or not 0 <= proxy_index.row() < len(self._visible):
            return QModelIndex()
        return self._source.index(self._visible[proxy_index.row()], proxy_index.column())

    def mapFromSource(self, source_index: _Index) -> QModelIndex:  # noqa: N802
        if not source_index.isValid():
            return QModelIndex()
        inverse = self._inverse_map()
        if not 0 <= source_index.row() < len(inverse) or inverse[source_index.row()] < 0:
            return QModelIndex()
        return self.index(inverse[source_index.row()], source_index.column())

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (0 <= row < len(self._visible) and 0 <= column < len(Column)):
            return QModelIndex()
        return self.createIndex(row, column)

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: _Index) -> QModelIndex: ...
    def parent(self, child: _Index | None = None) -> QObject | QModelIndex | None:
        """A flat table: no index has a parent. Without an argument, the QObject parent, as
        the other overload of Qt's own models."""
        if child is None:
            return super().parent()
        return QModelIndex()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(Column)

    def hasChildren(self, parent: _Index = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and bool(self._visible)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if role not in HANDLED_ROLES or not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self._visible):
            return None
        return self._source.cell(self._visible[row], index.column(), role)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return None
        return self._source.headerData(section, orientation, role)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        # The source's flags are the same for every row: no mapping per visible cell.
        if not index.isValid() or not 0 <= index.row() < len(self._visible):
            return Qt.ItemFlag.NoItemFlags
        return ROW_FLAGS

    def sibling(self, row: int, column: int, idx: _Index) -> QModelIndex:
        return self.index(row, column)
