"""`MembersWindow`: the organization's members, live, by status, with confirming and reinviting.

Where the admin lives after setup: who still has not accepted, who accepted and awaits confirmation.
Network work runs in background tasks (`app.gui.tasks`); the GUI thread only applies precomputed
updates, so a 100,000-member organization stays smooth.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from PySide6.QtCore import (
    QByteArray,
    QItemSelection,
    QItemSelectionModel,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ClientError
from app.core.outside_text import clean
from app.core.profiles import ProfileError
from app.gui.members.badges import StatusBadgeDelegate
from app.gui.members.banners import Banner, Notifier
from app.gui.members.confirm_dialogs import OutcomeDialog, member_title
from app.gui.members.confirm_flow import ConfirmFlow, ConfirmJob, describe
from app.gui.members.details import MemberDetails
from app.gui.members.export import write_csv
from app.gui.members.groups_source import GroupsResult, fetch_groups, read_one_group
from app.gui.members.heap_trim import map_large_blocks
from app.gui.members.member_filter import MemberFilter
from app.gui.members.member_story import MemberStory, member_story
from app.gui.members.menus import MembersMenus
from app.gui.members.model import MembersModel, okta_text, shown_order, status_label
from app.gui.members.okta_only import OktaOnlyModel, sorted_view
from app.gui.members.okta_side import OktaSidePanel
from app.gui.members.refresh import RefreshSchedule
from app.gui.members.reinvite import ReinviteOutcome, results_dialog
from app.gui.members.reinvite import start_reinvite as _start_reinvite
from app.gui.members.rows import (
    STATUS_ORDER,
    Column,
    MemberRow,
    RowStatus,
    contiguous_ranges,
    count_by_status,
    plan_update,
)
from app.gui.members.source import FetchRequest, FetchResult, ViewMode, fetch
from app.gui.members.status_help import (
    EXPIRED,
    OKTA_NOT_ASSIGNED,
    OKTA_ONLY,
    OKTA_USERNAME,
    OKTA_VIEWS,
    FilterView,
    OktaView,
    filter_help,
)
from app.gui.members.text import plural
from app.gui.tasks import SingleFlight, Task, TaskControl, run_task
from app.gui.widgets.flow_layout import flow_row
from app.gui.widgets.plain_text import plain_message_box
from app.gui.widgets.window_title import center_on_screen
from app.gui.worker_hold import FREEZE_FROM_ROWS, WorkerHold

if TYPE_CHECKING:
    from app.core.endpoints import Endpoints
    from app.gui.context import AppContext
    from app.gui.members.menus import WizardOpener
    from app.gui.members.okta_index import OktaIndex

#: Seconds between two reads of the groups (each is a request per group).
GROUPS_EVERY = 120.0
#: Column widths and order, as the admin left them (v2: the Invitation column moved left; a layout
#: saved before gives way to it once).
_SETTINGS_HEADER = "members/header_state_v2"
#: Default widths: the columns up to Invitation fit beside the details panel at the default size.
_COLUMN_WIDTHS = {
    Column.NAME: 150,
    Column.EMAIL: 220,
    Column.STATUS: 170,
    Column.INVITATION: 170,
    Column.WAITING: 150,
    Column.ROLE: 70,
    Column.SCIM: 140,
    Column.TWO_STEP: 110,
    Column.GROUPS: 160,
}


class MembersWindow(QMainWindow):
    """One organization's members (a profile); the combo box switches to another profile."""

    refreshed = Signal()  # a refresh's rows are shown
    history_recorded = Signal()  # and then its sighting is written to the local history
    refresh_failed = Signal(str)
    confirm_finished = Signal(object)  # list[ConfirmOutcome]
    reinvite_finished = Signal(object)  # list[ReinviteOutcome]
    exported = Signal(str, int)  # path, members written
    notified = Signal(str, str)  # title, text
    details_shown = Signal(str)  # member id
    groups_loaded = Signal()  # the group list is shown (members may still be coming)
    groups_members_loaded = Signal()  # every group's members are in
    group_shown = Signal(object)  # the group id (or None) whose members the table now shows

    def __init__(
        self,
        ctx: AppContext,
        profile_name: str,
        parent: QWidget | None = None,
        *,
        open_wizard: WizardOpener | None = None,
    ) -> None:
        super().__init__(parent)
        map_large_blocks()  # the refreshes' large blocks go back to the system when freed
        self.ctx = ctx
        self.profile_name = profile_name
        self.mode: str | None = None
        self.endpoints: Endpoints | None = None
        self._confirmable: list[str] = []
        #: Invited members whose invitation has probably expired (the last refresh's answer).
        self._expired: list[str] = []
        #: Expired invitations already announced (each once, from the second refresh on).
        self._announced_expired: set[str] = set()
        #: What the notice banner's button shows (the last notification's members).
        self._confirm_notice = self._show_needing_confirmation
        self._notice_action: Any = self._confirm_notice
        #: First-seen times from the history, kept between refreshes (only the worker writes it).
        self._first_seen: dict[tuple[str, int], datetime] = {}
        self._loaded_once = False
        self._last_update: float | None = None
        self._closing = False
        self.outcome_dialog: OutcomeDialog | None = None
        self.reinvite_dialog: QMessageBox | None = None
        hold = self._worker_hold = WorkerHold()
        self.destroyed.connect(lambda *_: hold.release())

        #: When to refresh: on request, then every interval; one at a time (refresh.py).
        self.schedule = RefreshSchedule(self, self._start_refresh)
        self.schedule.settled.connect(self._refresh_done)
        #: The details panel's history read: one at a time, the latest selection wins.
        self._details_flight = SingleFlight(self, self._start_details)
        #: The organization's groups: read after the first refresh, then every few minutes.
        self._groups_flight = SingleFlight(self, self._start_groups)
        self._groups: GroupsResult | None = None
        self._groups_read_at: float | None = None
        self._group_id: str | None = None
        #: Group id -> member ids: every group's once read, and the ones read on demand before.
        self._group_members: dict[str, frozenset[str]] = {}
        self.model = MembersModel(self)
        self.filter = MemberFilter(self.model, self)
        self._build_ui()
        #: The Organization and Help menus: the wizard (new profile, again, Public API), delete.
        self.menus = MembersMenus(self, open_wizard)
        self.scim_banner.action_clicked.connect(self.menus.change_public_api_key)
        self.notifier = Notifier(self.notice_banner, self)
        self.notifier.notified.connect(self.notified.emit)
        self.confirm_flow = ConfirmFlow(self)
        self.confirm_flow.finished.connect(self._on_confirm_finished)

        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._update_age)
        self._clock.start()
        self._set_title()
        QTimer.singleShot(0, self, self.refresh_now)

    # ================================================================ building
    def _build_ui(self) -> None:
        self.resize(1100, 640)
        self._centred = False
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setSpacing(8)

        top = QHBoxLayout()
        org_label = QLabel(self.tr("Organization:"), central)
        top.addWidget(org_label)
        self.profile_box = QComboBox(central)
        self.profile_box.setAccessibleName(self.tr("Organization (profile)"))
        self.profile_box.setToolTip(self.tr("Switch to another saved organization"))
        org_label.setBuddy(self.profile_box)
        self._fill_profiles()
        self.profile_box.currentTextChanged.connect(self._on_profile_chosen)
        top.addWidget(self.profile_box)
        self.search_box = QLineEdit(central)
        self.search_box.setPlaceholderText(self.tr("Search name, email or external id"))
        self.search_box.setAccessibleName(self.tr("Search members"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(self.search_box.fontMetrics().averageCharWidth() * 20)
        self.search_box.textChanged.connect(self.filter.set_query)
        self.okta_model = OktaOnlyModel(self)
        self.okta_view = sorted_view(self.okta_model, self)
        self.search_box.textChanged.connect(self.okta_view.setFilterFixedString)
        find = QAction(self)
        find.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        find.triggered.connect(lambda: self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason))
        self.addAction(find)
        top.addWidget(self.search_box, 1)
        self.refresh_button = QPushButton(self.tr("Refresh now"), central)
        self.refresh_button.setAccessibleName(self.tr("Refresh now"))
        self.refresh_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_button.clicked.connect(self.refresh_now)
        top.addWidget(self.refresh_button)
        self.age_label = QLabel(self.tr("Loading…"), central)
        self.age_label.setAccessibleName(self.tr("Last update"))
        self.age_label.setMinimumWidth(150)
        top.addWidget(self.age_label)
        layout.addLayout(top)

        self.scim_banner = Banner("warning", central, closable=False)
        self.error_banner = Banner("error", central)
        self.notice_banner = Banner("info", central)
        self.notice_banner.action_clicked.connect(lambda: self._notice_action())
        for banner in (self.scim_banner, self.error_banner, self.notice_banner):
            layout.addWidget(banner)
        #: Whom Okta tried and failed to provision (only with an Okta token saved).
        self.okta_side = OktaSidePanel(self, central)
        self.okta_side.changed.connect(self._okta_changed)
        layout.addWidget(self.okta_side)

        chip_buttons: list[QWidget] = []
        self.status_group = QButtonGroup(self)
        self.status_group.setExclusive(True)
        self.status_buttons: dict[RowStatus | None, QPushButton] = {}
        for status in (None, *STATUS_ORDER):
            button = QPushButton(central)
            button.setCheckable(True)
            button.setFlat(False)
            button.clicked.connect(lambda _checked=False, s=status: self.show_status(s))
            self.status_group.addButton(button)
            self.status_buttons[status] = button
            chip_buttons.append(button)
        self.expired_button = QPushButton(central)
        self.expired_button.setCheckable(True)
        self.expired_button.setToolTip(
            self.tr("Invited members whose invitation link has probably expired")
        )
        self.expired_button.clicked.connect(lambda _checked=False: self.show_expired())
        self.status_group.addButton(self.expired_button)
        chip_buttons.append(self.expired_button)
        #: The Okta filters, on a row of their own (beside the status chips the window grew wider
        #: than an 800 px screen) shown only once Okta has been read (okta_side.py).
        self.okta_filters = QWidget(central)
        okta_row = QHBoxLayout(self.okta_filters)
        okta_row.setContentsMargins(0, 0, 0, 0)
        okta_row.addWidget(QLabel(self.tr("Okta:"), self.okta_filters))
        self.okta_filters.setVisible(False)
        self.okta_buttons: dict[OktaView, QPushButton] = {}
        for okta_view, tip in (
            (OKTA_NOT_ASSIGNED, self.tr("Members whom Okta does not assign to the Bitwarden app")),
            (OKTA_USERNAME, self.tr("Members whose app username in Okta is not their e-mail")),
            (
                OKTA_ONLY,
                self.tr("People Okta assigned who are not Bitwarden members, with Okta's reason"),
            ),
        ):
            button = QPushButton(self.okta_filters)
            button.setCheckable(True)
            button.setToolTip(tip)
            button.clicked.connect(lambda _checked=False, v=okta_view: self.show_okta(v))
            self.status_group.addButton(button)
            self.okta_buttons[okta_view] = button
            okta_row.addWidget(button)
        okta_row.addStretch(1)
        #: The chips wrap onto a second line in a narrow window (flow_layout.py), the group
        #: filter stays on the right.
        chips = QHBoxLayout()
        chips.addWidget(flow_row(central, chip_buttons), 1)
        group_row = QWidget(central)
        group_layout = QHBoxLayout(group_row)
        group_layout.setContentsMargins(0, 0, 0, 0)
        group_label = QLabel(self.tr("&Group:"), group_row)
        group_layout.addWidget(group_label)
        self.group_box = QComboBox(group_row)
        self.group_box.setAccessibleName(self.tr("Show the members of one group"))
        self.group_box.setMinimumContentsLength(18)
        self.group_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.group_box.addItem(self.tr("All groups"), None)
        self.group_box.currentIndexChanged.connect(lambda _i: self._group_chosen())
        group_label.setBuddy(self.group_box)
        group_layout.addWidget(self.group_box)
        chips.addWidget(group_row, 0, Qt.AlignmentFlag.AlignTop)
        self.status_buttons[None].setChecked(True)
        self.status_buttons[RowStatus.PROVISIONED].setVisible(False)
        layout.addLayout(chips)
        layout.addWidget(self.okta_filters)
        #: One line on what the chosen filter means: for the admin, and for the member.
        self.status_help = QLabel(central)
        self.status_help.setWordWrap(True)
        self.status_help.setTextFormat(Qt.TextFormat.PlainText)
        self.status_help.setAccessibleName(self.tr("What this filter shows"))
        self.status_help.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.status_help)
        #: Why the group filter cannot show members (SCIM only), or why groups are missing.
        self.groups_note = QLabel(central)
        self.groups_note.setWordWrap(True)
        self.groups_note.setTextFormat(Qt.TextFormat.PlainText)
        self.groups_note.setAccessibleName(self.tr("About groups"))
        self.groups_note.setVisible(False)
        layout.addWidget(self.groups_note)
        self._view: FilterView = None
        #: The Okta reading the table's order was made with (a new one re-sorts by Okta).
        self._okta_sorted_with: OktaIndex | None = None

        self.table = QTableView(central)
        self.table.setAccessibleName(self.tr("Members"))
        self.table.setModel(self.filter)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setItemDelegateForColumn(int(Column.STATUS), StatusBadgeDelegate(self.table))
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSortIndicator(int(Column.NAME), Qt.SortOrder.AscendingOrder)
        for column, width in _COLUMN_WIDTHS.items():
            self.table.setColumnWidth(int(column), width)
        for position, column in enumerate(shown_order()):  # the vocabulary's order, not the model's
            header.moveSection(header.visualIndex(int(column)), position)
        header_state = QSettings().value(_SETTINGS_HEADER)
        if isinstance(header_state, QByteArray):
            header.restoreState(header_state)
        self.table.setColumnHidden(int(Column.OKTA), True)  # until Okta is read (okta_side.py)
        self.table.setSortingEnabled(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._details_follow())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_details())
        #: The selected member's timeline and what to do about them (details.py).
        self.details = MemberDetails(central)
        #: People in Okta who are not members: a table of their own, in the members' place.
        self.okta_table = QTableView(central)
        self.okta_table.setAccessibleName(self.tr("People in Okta, not in Bitwarden"))
        self.okta_table.setModel(self.okta_view)
        self.okta_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.okta_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.okta_table.setAlternatingRowColors(True)
        self.okta_table.setWordWrap(False)
        self.okta_table.setSortingEnabled(True)
        self.okta_table.verticalHeader().setVisible(False)
        self.okta_table.horizontalHeader().setStretchLastSection(True)
        self.okta_table.setColumnWidth(0, 260)
        self.okta_table.setColumnWidth(1, 130)
        self.okta_table.setColumnWidth(2, 520)
        self.okta_table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.okta_table.customContextMenuRequested.connect(self._okta_context_menu)
        self.tables = QStackedWidget(central)
        self.tables.addWidget(self.table)
        self.tables.addWidget(self.okta_table)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, central)
        self.splitter.addWidget(self.tables)
        details_scroll = QScrollArea(central)
        details_scroll.setWidgetResizable(True)
        details_scroll.setFrameShape(QFrame.Shape.NoFrame)
        details_scroll.setWidget(self.details)
        self.splitter.addWidget(details_scroll)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([780, 320])
        layout.addWidget(self.splitter, 1)

        actions = QHBoxLayout()
        self.confirm_button = self._button(
            self.tr("&Confirm selected…"), self._confirm_selected, central
        )
        self.confirm_all_button = self._button(
            self.tr("Confirm &all waiting…"), self._confirm_all, central
        )
        self.reinvite_button = self._button(
            self.tr("Re&invite selected…"), self._reinvite_selected, central
        )
        self.reinvite_expired_button = self._button(
            self.tr("Reinvite e&xpired…"), self._reinvite_expired, central
        )
        self.export_button = self._button(
            self.tr("&Export view to CSV…"), self._export_clicked, central
        )
        self.console_button = self._button(
            self.tr("Open in A&dmin Console"), self.open_admin_console, central
        )
        every_row = QWidget(central)  # "Refresh every [ 30 s]" never split across two lines
        every_layout = QHBoxLayout(every_row)
        every_layout.setContentsMargins(0, 0, 0, 0)
        every = QLabel(self.tr("Refresh every"), every_row)
        every_layout.addWidget(every)
        self.interval_box = QSpinBox(every_row)
        self.interval_box.setRange(5, 3600)
        self.interval_box.setSuffix(self.tr(" s"))
        self.interval_box.setAccessibleName(self.tr("Refresh interval in seconds"))
        self.interval_box.setValue(self.schedule.interval)
        self.interval_box.valueChanged.connect(self.schedule.set_interval)
        every.setBuddy(self.interval_box)
        every_layout.addWidget(self.interval_box)
        #: Both groups wrap in a narrow window; the export and the interval stay on the right.
        left = [
            self.confirm_button,
            self.confirm_all_button,
            self.reinvite_button,
            self.reinvite_expired_button,
        ]
        actions.addWidget(flow_row(central, left), 1)
        right = flow_row(central, [self.export_button, self.console_button, every_row])
        actions.addWidget(right, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(actions)

        self.setCentralWidget(central)
        self.legend_label = QLabel(self.tr("Highlighted rows changed in the last refresh."), self)
        self.legend_label.setStyleSheet("background: rgba(255, 214, 102, 110); padding: 1px 6px;")
        self.legend_label.setAccessibleName(self.legend_label.text())
        self.legend_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.legend_label)
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName(self.tr("Members shown"))
        self.statusBar().addPermanentWidget(self.count_label)
        self.filter.visible_changed.connect(lambda _n: self._update_counts_label())
        self.filter.visible_changed.connect(lambda _n: self._details_follow())
        self.filter.sorting.connect(self._show_sorting)
        self._update_status_buttons(count_by_status([]))
        self._update_actions()

    def _show_sorting(self, busy: bool) -> None:
        """A large list sorts on a worker: the table says so meanwhile; the window stays usable."""
        viewport, bar, text = self.table.viewport(), self.statusBar(), self.tr("Sorting…")
        if busy:
            viewport.setCursor(Qt.CursorShape.BusyCursor)
            bar.showMessage(text)
        else:
            viewport.unsetCursor()
            if bar.currentMessage() == text:  # not a confirm summary shown meanwhile
                bar.clearMessage()

    @staticmethod
    def _button(text: str, slot: Any, parent: QWidget) -> QPushButton:
        button = QPushButton(text, parent)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))  # "&" marks Alt's letter
        button.clicked.connect(slot)
        return button

    def _fill_profiles(self) -> None:
        names = [profile.name for profile in self.ctx.profiles.list()]
        if self.profile_name not in names:
            names.insert(0, self.profile_name)
        self.profile_box.blockSignals(True)
        self.profile_box.clear()
        self.profile_box.addItems(names)
        self.profile_box.setCurrentText(self.profile_name)
        self.profile_box.blockSignals(False)

    def _set_title(self) -> None:
        self.setWindowTitle(self.tr("Members — {0}").format(self.profile_name))

    # ================================================================ refreshing
    @property
    def refresh_interval(self) -> int:
        """Seconds between automatic refreshes (default 30, saved per user)."""
        return self.schedule.interval

    def set_refresh_interval(self, seconds: int) -> None:
        self.interval_box.setValue(seconds)

    def refresh_now(self) -> None:
        """Fetch now (one refresh at a time; a request during one runs right after it)."""
        self.schedule.request()

    def _start_refresh(self) -> Task[FetchResult] | None:
        """The schedule's refresh: a fetch from the model as it is now, on a worker."""
        if self._closing:
            return None
        self.refresh_button.setEnabled(False)
        request = FetchRequest(
            context=self.ctx,
            profile=self.profile_name,
            old_rows=list(self.model.rows),
            old_keys=list(self.model.search_keys),
            sort_column=self.filter.sort_column,
            sort_descending=self.filter.descending,
            initial=not self._loaded_once,
            first_seen=self._first_seen,
            retired=self.filter.take_retired(),
            member_groups=self.model.member_groups,
            okta=self.model.okta,
            positions=self.model.positions,
        )
        profile = self.profile_name

        def work(ctl: TaskControl) -> FetchResult:
            # The rows are shown (progress) before the history is written on this worker.
            return fetch(request, cancel=ctl.token, show=ctl.progress)

        self._worker_hold.acquire()
        return run_task(
            self,
            work,
            on_progress=lambda result: self._apply(profile, result),
            on_success=lambda result: self._recorded(profile, result),
            on_failure=self._refresh_error,
        )

    def _apply(self, profile: str, result: FetchResult) -> None:
        if profile != self.profile_name:  # the admin switched organizations meanwhile
            return
        selected = self._selected_ids()
        current = self.table.currentIndex()
        current_row = self.filter.row_at(current.row()) if current.isValid() else None
        scroll = self.table.verticalScrollBar().value()
        self.model.expiry_hours = result.expiry_hours
        self._expired = result.expired
        self.filter.replace_only(self._only())
        self.filter.apply(result.plan, result.fetched_at)
        self._confirmable = result.confirmable
        newly_expired = [i for i in result.expired if i not in self._announced_expired]
        self._announced_expired.update(newly_expired)
        self.endpoints = result.endpoints
        self._set_mode(result.mode)
        self._restore_selection(selected, current_row.id if current_row else None)
        self.table.verticalScrollBar().setValue(scroll)
        self._last_update = time.monotonic()
        if result.history_problem:
            self._show_history_problem(result.history_problem)
        else:
            self.error_banner.hide()
        self.legend_label.setVisible(bool(self.model.touched))
        counts = result.counts
        if (
            not counts.get(RowStatus.ACCEPTED)
            and self._notice_action == self._show_needing_confirmation
        ):
            self.notice_banner.hide()  # nobody left to confirm: the news is stale
        if not result.expired and self._notice_action == self.show_expired:
            self.notice_banner.hide()  # every expired invitation was sent again: stale too
        self._update_status_buttons(counts)
        self._update_actions()
        self._update_age()
        self._update_details()
        if self._loaded_once and result.plan.newly_revoked:
            self._notify_revoked(result.plan.newly_revoked)
        if newly_expired:  # the first load too: already expired when the window opened, once
            self._notify_expired(self._rows_of(newly_expired))
        if self._loaded_once and result.plan.newly_accepted:  # last: the banner offers to confirm
            self._notify_accepted(result.plan.newly_accepted)
        self._loaded_once = True
        if self._groups_read_at is None or time.monotonic() - self._groups_read_at > GROUPS_EVERY:
            self.refresh_groups()
        self.refreshed.emit()

    def _recorded(self, profile: str, result: FetchResult) -> None:
        """The refresh's history is written (after its rows were shown); say so if it failed."""
        if profile == self.profile_name and result.history_problem:
            self._show_history_problem(result.history_problem)
        self.history_recorded.emit()

    def _show_history_problem(self, problem: str) -> None:
        self.error_banner.show_message(
            self.tr(
                "The local history could not be updated ({0}), so how long members have "
                "waited may be missing. The statuses shown are current."
            ).format(problem)
        )

    def _refresh_error(self, error: BaseException) -> None:
        message = str(error) or error.__class__.__name__
        if isinstance(error, ClientError) and error.status == 429 and error.retry_after:
            message = self.tr("Bitwarden asked to slow down; the next refresh is in {0} s.").format(
                str(round(error.retry_after))
            )
            self.schedule.back_off(error.retry_after)
        self.error_banner.show_message(self.tr("Could not refresh: {0}").format(message))
        self.refresh_failed.emit(message)

    def _refresh_done(self) -> None:
        """No refresh runs and none follows at once (the schedule's timer runs again)."""
        self._worker_hold.release(freeze=self.model.rowCount() >= FREEZE_FROM_ROWS)
        self.refresh_button.setEnabled(True)

    def _update_age(self) -> None:
        if self._last_update is None:
            return
        age = int(time.monotonic() - self._last_update)
        if age < 5:
            text = self.tr("Updated just now")
        elif age < 120:
            text = self.tr("Updated {0} s ago").format(str(age))
        else:
            text = self.tr("Updated {0} min ago").format(str(age // 60))
        self.age_label.setText(text)

    def _set_mode(self, mode: str) -> None:
        self.mode = mode
        scim_only = mode == ViewMode.SCIM_ONLY
        if scim_only:
            self.scim_banner.show_message(
                self.tr(
                    "Only what SCIM knows is shown: this profile has no Public API key saved. "
                    "Without it the window cannot tell who accepted or who is confirmed, and "
                    "cannot confirm anyone (the fingerprint phrase needs each member's account "
                    "id, which only the Public API gives). To add it: Admin Console → Settings → "
                    "Organization info → View API key, then choose “Add the Public API key…” "
                    "(also in the Organization menu)."
                ),
                action=self.tr("Add the Public API key…"),
            )
        else:
            self.scim_banner.hide()
        self.status_buttons[RowStatus.PROVISIONED].setVisible(scim_only)
        self.expired_button.setVisible(not scim_only)
        self.reinvite_expired_button.setVisible(not scim_only)
        for status in (
            RowStatus.ACCEPTED,
            RowStatus.INVITED,
            RowStatus.STAGED,
            RowStatus.CONFIRMED,
        ):
            self.status_buttons[status].setVisible(not scim_only)
        self.table.setColumnHidden(int(Column.ROLE), scim_only)
        self.table.setColumnHidden(int(Column.TWO_STEP), scim_only)
        self.table.setColumnHidden(int(Column.WAITING), scim_only)
        self.table.setColumnHidden(int(Column.INVITATION), scim_only)
        self.table.setColumnHidden(int(Column.GROUPS), scim_only)
        self._update_status_help()

    # ================================================================ selection and filters
    def show_status(self, status: RowStatus | None) -> None:
        """Show only one status (`None`: everyone), as the status buttons do."""
        self.status_buttons[status].setChecked(True)
        self._view = status
        self._apply_filter()

    def show_expired(self) -> None:
        """Show the invited members whose invitation has probably expired (the filter's chip)."""
        self.expired_button.setChecked(True)
        self._view = EXPIRED
        self._apply_filter()

    def show_okta(self, view: OktaView) -> None:
        """Show one Okta filter (only once Okta has been read; otherwise everyone)."""
        if self.okta_side.matches is None:
            self.show_status(None)
            return
        self.okta_buttons[view].setChecked(True)
        self._view = view
        self._apply_filter()

    def _okta_changed(self) -> None:
        """A new reading of Okta, its matches with the rows, or none (no token, another org)."""
        matches = self.okta_side.matches
        known = matches is not None
        self.table.setColumnHidden(int(Column.OKTA), not known)
        found = {
            OKTA_NOT_ASSIGNED: len(matches.not_assigned) if matches else 0,
            OKTA_USERNAME: len(matches.username_mismatch) if matches else 0,
            OKTA_ONLY: len(matches.not_in_bitwarden) if matches else 0,
        }
        labels: dict[OktaView, str] = {
            OKTA_NOT_ASSIGNED: self.tr("In Bitwarden, not assigned in Okta ({0})").format(
                f"{found[OKTA_NOT_ASSIGNED]:,}"
            ),
            OKTA_USERNAME: self.tr("App username ≠ email ({0})").format(
                f"{found[OKTA_USERNAME]:,}"
            ),
            OKTA_ONLY: self.tr("In Okta, not in Bitwarden ({0})").format(f"{found[OKTA_ONLY]:,}"),
        }
        for view, text in labels.items():
            button = self.okta_buttons[view]
            button.setText(text)
            button.setAccessibleName(text)
        self.okta_filters.setVisible(known)
        self.okta_model.set_people(matches.not_in_bitwarden if matches else ())
        if not known and self._view in OKTA_VIEWS:
            self.show_status(None)
        elif self._view in OKTA_VIEWS:
            self._apply_filter()
        reading = self.model.okta
        if self.filter.sort_column is Column.OKTA and reading is not self._okta_sorted_with:
            # The order follows a new reading (a refresh sorts with the current one itself).
            self.filter.sort(int(Column.OKTA), self.table.horizontalHeader().sortIndicatorOrder())
        self._okta_sorted_with = reading
        self._update_counts_label()

    def _okta_context_menu(self, position: Any) -> None:
        menu = QMenu(self)
        copy = QAction(self.tr("Copy email addresses"), menu)
        copy.triggered.connect(self._copy_okta_emails)
        menu.addAction(copy)
        menu.popup(self.okta_table.viewport().mapToGlobal(position))

    def okta_only_emails(self, *, selected: bool = True) -> list[str]:
        """The e-mails the Okta-only table shows (its selection, or all), in its order."""
        column = 0
        if selected and self.okta_table.selectionModel().hasSelection():
            rows = sorted(i.row() for i in self.okta_table.selectionModel().selectedRows(column))
        else:
            rows = list(range(self.okta_view.rowCount()))
        people = self.okta_model.people
        return [
            people[self.okta_view.mapToSource(self.okta_view.index(r, column)).row()].email
            for r in rows
        ]

    def _copy_okta_emails(self) -> None:
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.clipboard().setText("\n".join(self.okta_only_emails()))

    def show_group(self, group_id: str | None) -> None:
        """Show only the members of one group (`None`: every group), with the status filter."""
        index = self.group_box.findData(group_id) if group_id is not None else 0
        self.group_box.setCurrentIndex(max(index, 0))  # calls _group_chosen

    def _group_chosen(self) -> None:
        data = self.group_box.currentData()
        self._group_id = data if isinstance(data, str) else None
        groups = self._groups
        if (
            self._group_id is not None
            and groups is not None
            and groups.members_known
            and self._group_id not in self._group_members
        ):
            self._read_group(self._group_id)  # the filter follows when its members are in
            return
        self._apply_filter()
        self._update_groups_note()
        self.group_shown.emit(self._group_id)

    def _read_group(self, group_id: str) -> None:
        """Read one group's members now (all member lists are not in yet)."""
        ctx, profile = self.ctx, self.profile_name
        self.statusBar().showMessage(self.tr("Reading the group's members…"), 5000)

        def done(members: frozenset[str]) -> None:
            if profile != self.profile_name:
                return
            self._group_members[group_id] = members
            if self._group_id == group_id:
                self._group_chosen()

        run_task(
            self,
            lambda ctl: read_one_group(ctx, profile, group_id, cancel=ctl.token),
            on_success=done,
            on_failure=lambda exc: self.error_banner.show_message(
                self.tr("The group's members could not be read: {0}").format(str(exc))
            ),
        )

    def _only(self) -> set[str] | frozenset[str] | None:
        """The ids the view is limited to: the expired invitations, a group's members, or both."""
        only: set[str] | frozenset[str] | None = None
        matches = self.okta_side.matches
        if self._view == EXPIRED:
            only = set(self._expired)
        elif self._view == OKTA_NOT_ASSIGNED and matches is not None:
            only = matches.not_assigned
        elif self._view == OKTA_USERNAME and matches is not None:
            only = matches.username_mismatch
        elif self._view == OKTA_ONLY:
            only = frozenset()  # not members: the members table behind shows no one
        groups = self._groups
        if self._group_id is not None and groups is not None and groups.members_known:
            members = self._group_members.get(self._group_id, frozenset())
            only = members if only is None else only & members
        return only

    def _apply_filter(self) -> None:
        view = self._view
        if view == EXPIRED:
            statuses: set[int] | None = {int(RowStatus.INVITED)}
        elif view is None or view in OKTA_VIEWS:
            statuses = None
        else:
            statuses = {int(view)}
        self.tables.setCurrentWidget(self.okta_table if view == OKTA_ONLY else self.table)
        self.filter.set_statuses(statuses, only=self._only())
        self._update_counts_label()
        self._update_status_help()
        self._update_actions()

    def _update_status_help(self) -> None:
        text = filter_help(self._view, scim_only=self.mode == ViewMode.SCIM_ONLY)
        self.status_help.setText(text)
        self.status_help.setToolTip(text)

    def _show_needing_confirmation(self) -> None:
        self.show_status(RowStatus.ACCEPTED)
        self.raise_()
        self.activateWindow()

    def selected_rows(self) -> list[MemberRow]:
        rows: list[MemberRow] = []
        if self._view == OKTA_ONLY:  # the people shown are not members
            return rows
        selection = self.table.selectionModel().selection()
        for number in range(selection.size()):
            selection_range = selection.at(number)
            for row in range(selection_range.top(), selection_range.bottom() + 1):
                rows.append(self.filter.row_at(row))
        return rows

    def _selected_ids(self) -> list[str]:
        return [row.id for row in self.selected_rows()]

    def _restore_selection(self, member_ids: list[str], current_id: str | None) -> None:
        selection_model = self.table.selectionModel()
        if current_id is not None:
            row = self.filter.proxy_row_of(current_id)
            if row is not None:
                selection_model.setCurrentIndex(
                    self.filter.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
                )
        if not member_ids:
            return
        rows = sorted(r for r in (self.filter.proxy_row_of(i) for i in member_ids) if r is not None)
        selection = QItemSelection()
        last_column = len(Column) - 1
        for first, last in contiguous_ranges(rows):
            selection.select(self.filter.index(first, 0), self.filter.index(last, last_column))
        selection_model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _update_status_buttons(self, counts: dict[RowStatus, int]) -> None:
        self.status_buttons[None].setText(self.tr("All ({0})").format(str(sum(counts.values()))))
        for status in STATUS_ORDER:
            text = f"{status_label(status)} ({counts.get(status, 0)})"
            button = self.status_buttons[status]
            button.setText(text)
            button.setAccessibleName(text)
            if status is RowStatus.ACCEPTED:
                button.setStyleSheet("font-weight: bold;" if counts.get(status, 0) else "")
        self.status_buttons[None].setAccessibleName(self.status_buttons[None].text())
        expired = self.tr("Expired invitations ({0})").format(str(len(self._expired)))
        self.expired_button.setText(expired)
        self.expired_button.setAccessibleName(expired)
        self._update_counts_label()

    def _update_counts_label(self) -> None:
        shown, total = self.filter.rowCount(), self.model.rowCount()
        if self._view == OKTA_ONLY:
            self.count_label.setText(
                self.tr("Showing {0} people in Okta who are not members (of {1} members)").format(
                    f"{self.okta_view.rowCount():,}", f"{total:,}"
                )
            )
            return
        self.count_label.setText(
            self.tr("Showing {0} of {1} members").format(f"{shown:,}", f"{total:,}")
        )

    def _update_actions(self) -> None:
        public_api = self.mode == ViewMode.PUBLIC_API
        selected = self.selected_rows() if self.table.selectionModel().hasSelection() else []
        confirmable = [row for row in selected if row.can_confirm]
        invited = [row for row in selected if row.status is RowStatus.INVITED]
        waiting = len(self._confirmable) if public_api else 0
        self.confirm_button.setEnabled(public_api and bool(confirmable))
        self.confirm_all_button.setEnabled(public_api and waiting > 0)
        self.confirm_all_button.setText(
            self.tr("Confirm &all {0} waiting…").format(f"{waiting:,}")
            if waiting
            else self.tr("Confirm &all waiting…")
        )
        self.reinvite_button.setEnabled(public_api and bool(invited))
        expired = len(self._expired) if public_api else 0
        self.reinvite_expired_button.setEnabled(expired > 0)
        self.reinvite_expired_button.setText(
            self.tr("Reinvite e&xpired ({0})…").format(f"{expired:,}")
            if expired
            else self.tr("Reinvite e&xpired…")
        )
        self.console_button.setEnabled(self.endpoints is not None)
        okta_only = self._view == OKTA_ONLY
        self.export_button.setEnabled(not okta_only)
        self.export_button.setToolTip(
            self.tr(
                "The export writes members; the people shown are not members. Copy their "
                "e-mails instead (right-click)."
            )
            if okta_only
            else self.tr(
                "Write the members the table shows (search, filter and sort) to a CSV file"
            )
        )
        if not public_api:
            why = self.tr(
                "Unavailable without the organization's Public API key: without it the members' "
                "account ids, and so their fingerprint phrases, are unknown."
            )
            for button in (
                self.confirm_button,
                self.confirm_all_button,
                self.reinvite_button,
                self.reinvite_expired_button,
            ):
                button.setToolTip(why)
        else:
            self.confirm_button.setToolTip(
                self.tr("Confirm the selected members who accepted their invitation")
            )
            self.confirm_all_button.setToolTip(self.tr("Confirm every member who accepted"))
            self.reinvite_button.setToolTip(self.tr("Send the invitation email again"))
            self.reinvite_expired_button.setToolTip(
                self.tr(
                    "Send a new invitation to every member whose invitation has probably "
                    "expired (counted from when this program first saw it or last reinvited)"
                )
            )

    def _context_menu(self, position: Any) -> None:
        menu = QMenu(self)
        for button in (self.confirm_button, self.reinvite_button):
            action = QAction(button.text(), menu)
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)
            menu.addAction(action)
        copy = QAction(self.tr("Copy email addresses"), menu)
        copy.triggered.connect(self._copy_emails)
        menu.addAction(copy)
        menu.popup(self.table.viewport().mapToGlobal(position))

    def _copy_emails(self) -> None:
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.clipboard().setText("\n".join(row.email for row in self.selected_rows()))

    # ================================================================ groups
    def refresh_groups(self) -> None:
        """Read the organization's groups now (or right after the read that is running)."""
        self._groups_flight.request()

    def _start_groups(self) -> Task[GroupsResult] | None:
        if self._closing:
            return None
        ctx, profile = self.ctx, self.profile_name

        first = self._groups is None  # the names first only when there is nothing to show

        def work(ctl: TaskControl) -> GroupsResult:
            listed = ctl.progress if first else None
            return fetch_groups(ctx, profile, cancel=ctl.token, listed=listed)

        def failed(error: BaseException) -> None:
            self._groups_read_at = time.monotonic()  # not again at every refresh
            self.groups_note.setText(
                self.tr("The groups could not be read: {0}").format(
                    str(error) or error.__class__.__name__
                )
            )
            self.groups_note.setVisible(True)

        def listed(result: object) -> None:
            if isinstance(result, GroupsResult) and self._groups is None:
                self._show_groups(profile, result)  # the names first, the sizes follow

        return run_task(
            self,
            work,
            on_success=lambda r: self._show_groups(profile, r),
            on_failure=failed,
            on_progress=listed,
        )

    def _show_groups(self, profile: str, result: GroupsResult) -> None:
        if profile != self.profile_name:
            return
        self._groups, self._groups_read_at = result, time.monotonic()
        if result.complete:
            self._group_members = dict(result.members)
            self.model.set_member_groups(result.member_groups)
            self.filter.column_changed(Column.GROUPS)
            if self.filter.sort_column is Column.GROUPS:  # sorted by the groups just read
                order = (
                    Qt.SortOrder.DescendingOrder
                    if self.filter.descending
                    else Qt.SortOrder.AscendingOrder
                )
                self.filter.sort(int(Column.GROUPS), order)
        box = self.group_box
        box.blockSignals(True)
        box.clear()
        box.addItem(self.tr("All groups ({0})").format(str(len(result.groups))), None)
        for group in result.groups:
            name = clean(group.name, 60)
            label = name if group.size is None else f"{name} ({group.size:,})"
            box.addItem(label, group.id)
            tip = self.tr("External id: {0}").format(clean(group.external_id or "—", 120))
            box.setItemData(box.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        found = box.findData(self._group_id) if self._group_id is not None else 0
        box.setCurrentIndex(max(found, 0))
        box.blockSignals(False)
        self._group_chosen()
        self.groups_loaded.emit()
        if result.complete:
            self.groups_members_loaded.emit()

    def _update_groups_note(self) -> None:
        groups = self._groups
        if groups is not None and not groups.members_known:
            self.groups_note.setText(
                self.tr(
                    "Groups read through SCIM (this profile has no Public API key): Bitwarden's "
                    "SCIM does not return group members, so who is in each group is unknown here. "
                    "Add the Public API key to see them."
                )
            )
            self.groups_note.setVisible(True)
        elif groups is not None:
            self.groups_note.setVisible(False)

    # ================================================================ details
    def current_row(self) -> MemberRow | None:
        current = self.table.currentIndex()
        if not current.isValid() or current.row() >= self.filter.rowCount():
            return None
        return self.filter.row_at(current.row())

    def _details_row(self) -> MemberRow | None:
        """The member the details panel is about: the current row, when it is selected too.
        When a confirmed member leaves "Needs confirmation", the current index rests on the
        next row while nothing is selected: the panel showed someone nobody chose."""
        current = self.table.currentIndex()
        if not current.isValid() or not self.table.selectionModel().isSelected(current):
            return None
        return self.current_row()

    def _details_follow(self) -> None:
        """After a refilter or a selection change: the shown member may have left the view or
        the selection (no signal says so)."""
        row = self._details_row()
        if row is None or row.id != self.details.member_id:
            self._update_details()

    def _update_details(self) -> None:
        """Show the current member's story (the history is read on a worker, latest wins)."""
        if self._details_row() is None:
            self._details_flight.cancel()
            self.details.clear()
            return
        self._details_flight.request()

    def _start_details(self) -> Task[MemberStory] | None:
        row = self._details_row()
        if row is None or self._closing:
            return None
        history, profile = self.ctx.history, self.profile_name
        invitation, now = self.model.invitation_of(row), self.model.now

        group_names = self.model.member_groups.get(row.id, ())

        def work(_ctl: TaskControl) -> MemberStory:
            changes = history.changes(profile, row.id)
            reinvites = history.reinvites(profile, row.id)
            return member_story(row, changes, reinvites, invitation, now, group_names)

        def show(story: MemberStory) -> None:
            current = self._details_row()
            if current is not None and current.id == row.id and profile == self.profile_name:
                self.details.show_story(row.id, story)
                self.details_shown.emit(row.id)

        def failed(error: BaseException) -> None:
            self.details.status.setText(
                self.tr("The local history could not be read ({0}).").format(
                    str(error) or error.__class__.__name__
                )
            )

        return run_task(self, work, on_success=show, on_failure=failed)

    # ================================================================ notifications
    def _notify_accepted(self, rows: list[MemberRow]) -> None:
        if len(rows) == 1:
            text = self.tr("{0} accepted the invitation and needs confirming.").format(
                member_title(rows[0])
            )
        else:
            text = self.tr("{0} members accepted their invitation and need confirming.").format(
                str(len(rows))
            )
        self._notice_action = self._confirm_notice
        self.notifier.notify(self.tr("Members need confirming"), text, action=self.tr("Show them"))

    def _notify_revoked(self, rows: list[MemberRow]) -> None:
        if len(rows) == 1:
            text = self.tr(
                "{0} was revoked (deactivated or unassigned in Okta, or revoked by an admin)."
            ).format(member_title(rows[0]))
        else:
            text = self.tr("{0} members were revoked (deactivated or unassigned in Okta).").format(
                str(len(rows))
            )
        text += " " + self.tr("To restore someone, assign them to the Bitwarden app in Okta again.")
        self._notice_action = lambda: self.show_status(RowStatus.REVOKED)
        self.notifier.notify(self.tr("Members revoked"), text, action=self.tr("Show them"))

    def _notify_expired(self, rows: list[MemberRow]) -> None:
        if len(rows) == 1:
            text = self.tr("The invitation of {0} has probably expired.").format(
                member_title(rows[0])
            )
        else:
            text = self.tr("{0} invitations have probably expired.").format(str(len(rows)))
        text += " " + self.tr("A reinvite sends a new link.")
        self._notice_action = self.show_expired
        self.notifier.notify(self.tr("Invitations expired"), text, action=self.tr("Show them"))

    # ================================================================ confirming
    def start_confirm(
        self,
        member_ids: list[str],
        password: SecretStr | None = None,
        verified: bool = False,
        *,
        via_cli: bool = False,
    ) -> bool:
        """Confirm these members; `password`/`verified=True` skip the dialogs (smoke test, benches).

        `verified=True` means the caller checked the fingerprint phrases. Natively by default;
        `via_cli=True` goes straight to the `bw serve` fallback (tests of that path). Returns False
        when a confirmation is already running or confirming is unavailable (no Public API).
        """
        if self.mode != ViewMode.PUBLIC_API or self.endpoints is None:
            self.error_banner.show_message(
                self.tr(
                    "Confirming needs the organization's Public API key (for each member's account "
                    "id and fingerprint phrase). Add it to this profile first."
                )
            )
            return False
        rows = self._rows_of(member_ids)
        endpoints = self.endpoints
        job = ConfirmJob(
            context=self.ctx,
            organization_id=endpoints.organization_id,
            server_url=endpoints.server_url or endpoints.vault_url,
            rows=rows,
            password=password,
            verified=verified,
            profile=self.profile_name,
            endpoints=endpoints,
            via_cli=via_cli,
        )
        return self.confirm_flow.start(job)

    def _rows_of(self, member_ids: list[str]) -> list[MemberRow]:
        positions = (self.model.position_of(member_id) for member_id in dict.fromkeys(member_ids))
        return [self.model.row_at(p) for p in positions if p is not None]

    def _confirm_selected(self) -> None:
        self.start_confirm([row.id for row in self.selected_rows() if row.can_confirm])

    def _confirm_all(self) -> None:
        self.start_confirm(list(self._confirmable))

    def _on_confirm_finished(self, outcomes: list[Any]) -> None:
        if self._closing:  # the window closed mid-run: the flow stopped, nothing to show
            self.confirm_finished.emit(outcomes)
            return
        rows = {row.id: row for row in self.model.rows}
        described = [describe(o, rows) for o in outcomes]
        counts = dict.fromkeys(("confirmed", "skipped", "failed", "mismatch"), 0)
        for o in outcomes:
            kind = str(getattr(o.result, "value", o.result))
            counts[kind] = counts.get(kind, 0) + 1
        failed = [
            o.member_id for o in outcomes if str(getattr(o.result, "value", o.result)) == "failed"
        ]
        shown = {
            "confirmed": self.tr("{0} confirmed").format(counts["confirmed"]),
            "mismatch": self.tr("{0} with a CHANGED KEY").format(counts["mismatch"]),
            "skipped": self.tr("{0} skipped").format(counts["skipped"]),
            "failed": self.tr("{0} failed").format(counts["failed"]),
        }
        parts = [text for kind, text in shown.items() if counts[kind]]
        summary = ", ".join(parts) + "."
        changed = [
            member
            for (_id, member, _label, _reason), o in zip(described, outcomes, strict=True)
            if str(getattr(o.result, "value", o.result)) == "mismatch"
        ]
        if changed:
            summary += " " + self.tr(
                "The public key of {0} is not the one whose fingerprint phrase was shown. Do not "
                "confirm them until you have checked with them and with your server's "
                "administrator."
            ).format(", ".join(changed))
        if counts["failed"]:
            summary += " " + self.tr("The reasons are below; fix them and retry the failed ones.")
        if outcomes:
            dialog = OutcomeDialog(self.tr("Confirmation results"), described, self)
            dialog.set_summary(summary, failed)
            dialog.retry_requested.connect(lambda ids: self.start_confirm(ids))
            self.outcome_dialog = dialog
            dialog.open()
        self.statusBar().showMessage(summary, 15_000)
        self.confirm_finished.emit(outcomes)
        self.refresh_now()

    # ================================================================ reinviting
    def _reinvite_selected(self) -> None:
        rows = [row for row in self.selected_rows() if row.status is RowStatus.INVITED]
        if not rows:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Reinvite members"),
            plural(
                len(rows),
                self.tr("Send the invitation email again to {0} member?"),
                self.tr("Send the invitation email again to {0} members?"),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        plain_message_box(box)
        box.setAccessibleName(self.tr("Reinvite members"))
        box.accepted.connect(lambda: self.start_reinvite([row.id for row in rows]))
        box.open()

    def _reinvite_expired(self) -> None:
        rows = self._rows_of(self._expired)
        if not rows:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Reinvite expired invitations"),
            plural(
                len(rows),
                self.tr(
                    "Send a new invitation to {0} member whose invitation has probably expired?"
                ),
                self.tr(
                    "Send a new invitation to {0} members whose invitations have probably expired?"
                ),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(
            self.tr(
                "They go out one a second (the cloud's limit); you can cancel. Each new link is "
                "valid for the organization's invitation expiry from now."
            )
        )
        box.setAccessibleName(self.tr("Reinvite expired invitations"))
        box.accepted.connect(lambda: self.start_reinvite([row.id for row in rows]))
        self.reinvite_dialog = box
        box.open()

    def start_reinvite(
        self, member_ids: list[str], *, interval: float | None = None
    ) -> Task[list[ReinviteOutcome]]:
        """Reinvite invited members through the Public API, paced within the cloud's rate limits;
        each reinvite is recorded, so its invitation's expiry restarts."""
        rows = self._rows_of(member_ids)

        def done(results: list[ReinviteOutcome]) -> None:
            dialog = self.outcome_dialog = results_dialog(rows, results, self)
            dialog.retry_requested.connect(lambda ids: self.start_reinvite(ids))
            dialog.open()
            self.reinvite_finished.emit(results)
            self.refresh_now()

        return _start_reinvite(
            self,
            self.ctx,
            self.profile_name,
            rows,
            on_success=done,
            on_failure=lambda exc: self.error_banner.show_message(str(exc)),
            interval=interval,
        )

    # ================================================================ export and console
    def _export_clicked(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export members to CSV"),
            str(Path.home() / f"members-{self.profile_name}.csv"),
            self.tr("CSV files (*.csv)"),
        )
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> Task[int]:
        """Write the members the table shows now (search, status filter and sort applied)."""
        rows = self.filter.visible_rows()
        now, expiry_hours = self.model.now, self.model.expiry_hours
        okta = self.model.okta  # once Okta was read, its column too, in the table's words

        def okta_cell(row: MemberRow) -> str:
            assert okta is not None
            return okta_text(okta, row)

        def work(ctl: TaskControl) -> int:
            return write_csv(
                path,
                rows,
                lambda: ctl.token.cancelled,
                now=now,
                expiry_hours=expiry_hours,
                okta_cell=okta_cell if okta is not None else None,
            )

        def done(count: int) -> None:
            self.statusBar().showMessage(
                plural(
                    count,
                    self.tr("Exported {0} member to {1}"),
                    self.tr("Exported {0} members to {1}"),
                    str(path),
                ),
                10_000,
            )
            self.exported.emit(str(path), count)

        return run_task(
            self,
            work,
            on_success=done,
            on_failure=lambda exc: self.error_banner.show_message(
                self.tr("Could not export: {0}").format(str(exc))
            ),
        )

    def admin_console_url(self) -> str | None:
        return self.endpoints.admin_console_members_url if self.endpoints is not None else None

    def open_admin_console(self) -> None:
        url = self.admin_console_url()
        if url:
            from app.gui.widgets.browser import open_in_browser

            open_in_browser(url, self)

    # ================================================================ switching and closing
    def _on_profile_chosen(self, name: str) -> None:
        if name and name != self.profile_name:
            self.switch_profile(name)
            # The next start opens the organization the admin last looked at, not the last saved.
            with contextlib.suppress(ProfileError, OSError):
                self.ctx.profiles.set_last_used(name)

    def show_profile(self, name: str) -> None:
        """Show `name` afresh (a wizard finished it: new profiles join the switcher), in front."""
        self.switch_profile(name)
        self.show()
        self.raise_()
        self.activateWindow()

    def switch_profile(self, name: str) -> None:
        """Show another organization: the table empties and fills from the new profile."""
        self.schedule.cancel()
        self.profile_name = name
        self._set_title()
        self._fill_profiles()
        self.filter.apply(plan_update(self.model.rows, self.model.search_keys, [], initial=True))
        self.endpoints, self.mode = None, None
        self._confirmable = []
        self._expired, self._announced_expired = [], set()
        self._groups_flight.cancel()
        self._groups, self._groups_read_at, self._group_id = None, None, None
        self._group_members = {}
        self.model.set_member_groups({})
        self.group_box.blockSignals(True)
        self.group_box.clear()
        self.group_box.addItem(self.tr("All groups"), None)
        self.group_box.blockSignals(False)
        self.groups_note.setVisible(False)
        self.okta_side.reset(name)
        if self._view in OKTA_VIEWS:
            self.show_status(None)
        self._first_seen = {}
        self._loaded_once = False
        self._last_update = None
        self.age_label.setText(self.tr("Loading…"))
        for banner in (self.scim_banner, self.error_banner, self.notice_banner):
            banner.hide()
        self._update_status_buttons(count_by_status([]))
        self._update_actions()
        self.refresh_now()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """The first time: centred on its screen (a window manager may otherwise pin a window
        without a position to a corner)."""
        if not self._centred:
            self._centred = True
            center_on_screen(self)
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        QSettings().setValue(_SETTINGS_HEADER, self.table.horizontalHeader().saveState())
        self._closing = True
        self._details_flight.cancel()
        self._groups_flight.cancel()
        self.confirm_flow.abort()  # nothing more is sent; the vault session is closed
        self.schedule.stop()
        self._clock.stop()
        self.filter.cancel_sort()
        self._worker_hold.release()
        super().closeEvent(event)
