"""`OktaApply`: the assignments page's "do it from here" for the two Okta steps Okta's API offers
for a catalog app — assigning groups to the Bitwarden app and pushing groups.

Only when asked, in three clicks the admin sees: **Choose groups from Okta…** reads the org's
groups (reads only); ticking Assign / Push and **Review changes…** shows exactly the plan (plain
text, outside names cleaned; what is already there and what is refused, with why); only **Apply**
writes, off the GUI thread with progress and Cancel, then shows each step's outcome and its
read-back, and re-runs the page's Okta check. A changed tick drops the plan, so what is applied is
always what was shown. The connection and To App settings stay the manual steps above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.run_row import bring_into_sight

if TYPE_CHECKING:
    from app.core.cancel import CancelToken
    from app.core.okta.apply import ApplyResult, OktaGroup, Plan
    from app.gui.tasks import Task, TaskControl
    from app.gui.wizard.base import SetupPage

ASSIGN_COLUMN, PUSH_COLUMN = 1, 2


def _plain(text: str) -> str:
    from app.core.outside_text import clean

    return clean(text, 1000)


class OktaApply(QWidget):
    """Pick groups, review the plan, apply it. `applied` is emitted after each apply."""

    applied = Signal()

    def __init__(self, page: SetupPage) -> None:
        super().__init__(page)
        self.page = page
        self.state = page.state
        self.groups: list[OktaGroup] = []
        #: Each group's (Assign, Push) ticks: real check boxes, reachable with Tab and Space.
        self.boxes: list[tuple[QCheckBox, QCheckBox]] = []
        self.plan: Plan | None = None
        self.result: ApplyResult | None = None
        self._task: Task[Any] | None = None
        #: The apply's own stop: it ends between steps and still reports (a task's cancel drops
        #: the result).
        self._stop: CancelToken | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 0)
        self.intro = QLabel(
            self.tr(
                "Optional: assign groups and push groups from here. Nothing changes in Okta "
                "until you review the changes and select Apply."
            ),
            self,
        )
        self.intro.setWordWrap(True)
        outer.addWidget(self.intro)
        row = QWidget(self)
        buttons = QHBoxLayout(row)
        buttons.setContentsMargins(0, 0, 0, 0)
        self.load_button = QPushButton(self.tr("Choose &groups from Okta…"), row)
        self.load_button.setAccessibleName(self.tr("Read Okta's groups to assign or push"))
        self.review_button = QPushButton(self.tr("&Review changes…"), row)
        self.review_button.setAccessibleName(self.tr("Show exactly what will change in Okta"))
        self.apply_button = QPushButton(self.tr("&Apply"), row)
        self.apply_button.setAccessibleName(self.tr("Make the reviewed changes in Okta"))
        self.cancel_button = QPushButton(self.tr("Cancel"), row)
        self.cancel_button.setAccessibleName(self.tr("Stop the changes in Okta"))
        self.progress = QProgressBar(row)
        self.progress.setAccessibleName(self.tr("Changes made in Okta"))
        for widget in (self.load_button, self.review_button, self.apply_button, self.cancel_button):
            buttons.addWidget(widget)
        buttons.addWidget(self.progress, 1)
        outer.addWidget(row)
        self.table = QTreeWidget(self)
        self.table.setColumnCount(4)
        self.table.setHeaderLabels(
            [self.tr("Okta group"), self.tr("Assign"), self.tr("Push"), self.tr("In Okta now")]
        )
        self.table.setAccessibleName(self.tr("Okta's groups: tick to assign or push"))
        self.table.setRootIsDecorated(False)
        self.table.setEditTriggers(QTreeWidget.EditTrigger.NoEditTriggers)
        self.table.setMaximumHeight(self.table.fontMetrics().lineSpacing() * 10)
        outer.addWidget(self.table)
        self.status = MessageLabel(self.tr("Changes in Okta"), self)
        outer.addWidget(self.status)
        self.load_button.clicked.connect(self.load)
        self.review_button.clicked.connect(self.review)
        self.apply_button.clicked.connect(self.apply)
        self.cancel_button.clicked.connect(self.cancel)
        self.refresh()

    # -- showing ---------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._task is not None and self._task.running

    def refresh(self) -> None:
        """Shown only with an Okta token; buttons as the state allows."""
        self.setVisible(self.state.has_okta)
        busy = self.busy
        self.load_button.setEnabled(self.state.has_okta and not busy)
        self.table.setVisible(bool(self.groups))
        self.table.setEnabled(not busy)
        self.review_button.setVisible(bool(self.groups))
        self.review_button.setEnabled(not busy and bool(self.chosen()[0] or self.chosen()[1]))
        ready = self.plan is not None and bool(self.plan.changes)
        self.apply_button.setVisible(ready and not busy and self.result is None)
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)

    def chosen(self) -> tuple[list[str], list[str]]:
        """The ids of the groups ticked to assign, and to push."""
        assign: list[str] = []
        push: list[str] = []
        for group, (to_assign, to_push) in zip(self.groups, self.boxes, strict=True):
            if to_assign.isChecked():
                assign.append(group.id)
            if to_push.isChecked():
                push.append(group.id)
        return assign, push

    def _fill(self, groups: list[OktaGroup]) -> None:
        self.table.clear()
        self.groups, self.boxes = groups, []
        for group in groups:
            name = _plain(group.name)
            item = QTreeWidgetItem([name, "", "", self._now_text(group)])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.addTopLevelItem(item)
            pair = (QCheckBox(self.table), QCheckBox(self.table))
            for column, box, what in (
                (ASSIGN_COLUMN, pair[0], self.tr("Assign “{0}” to the app").format(name)),
                (PUSH_COLUMN, pair[1], self.tr("Push “{0}” to Bitwarden").format(name)),
            ):
                box.setAccessibleName(what)
                box.toggled.connect(self._ticked)
                self.table.setItemWidget(item, column, box)
            self.boxes.append(pair)
        for column in range(4):
            self.table.resizeColumnToContents(column)

    def _now_text(self, group: OktaGroup) -> str:
        """The "In Okta now" column: assigned, pushed, both or a dash."""
        now = [
            word
            for word, on in (
                (self.tr("assigned"), group.assigned),
                (self.tr("pushed"), group.pushed),
            )
            if on
        ]
        return ", ".join(now) or "—"

    def _show_done(self, result: ApplyResult) -> None:
        """What Okta shows done after an apply goes into "In Okta now" (it showed the old state)."""
        from app.core.okta.apply import Action, Outcome

        for step in result.steps:
            if step.outcome is not Outcome.DONE or step.verified is not True:
                continue
            for row, group in enumerate(self.groups):
                if group.id != step.change.group_id:
                    continue
                field = "assigned" if step.change.action is Action.ASSIGN else "pushed"
                self.groups[row] = group = group.model_copy(update={field: True})
                item = self.table.topLevelItem(row)
                if item is not None:
                    item.setText(3, self._now_text(group))

    def _ticked(self, _checked: bool) -> None:
        if self.plan is not None or self.result is not None:  # what is applied is what was shown
            self.plan = self.result = None
            self.status.show_lines(
                Tone.NEUTRAL, [self.tr("The choice changed: review the changes again.")]
            )
        self.refresh()

    def _app_id(self) -> str | None:
        reading = self.state.okta
        return self.state.okta_app_id or (reading.verification.app.id if reading else None)

    # -- the three steps -------------------------------------------------------------------------
    def load(self) -> None:
        """Read Okta's groups (reads only)."""
        from app.core.okta.apply import list_groups
        from app.core.okta.client import OktaClient
        from app.core.okta.verify import pick_app

        url, token, app_id = self.state.okta_url, self.state.okta_credential, self._app_id()
        if url is None or token is None or self.busy:
            return

        def read(control: TaskControl) -> list[OktaGroup]:
            with OktaClient(url, token) as okta:
                app = pick_app(okta, app_id, control.token)
                return list_groups(okta, app.id, control.token)

        self.plan = self.result = None
        self.status.show_lines(Tone.NEUTRAL, [self.tr("Reading Okta's groups…")])
        self._run(read, self._loaded)

    def _loaded(self, groups: list[OktaGroup]) -> None:
        self._fill(groups)
        if groups:
            self.status.show_lines(
                Tone.NEUTRAL,
                [
                    self.tr(
                        "Tick the groups to assign to the app (their members get Bitwarden) or to "
                        "push (they become Bitwarden groups), then Review changes…"
                    )
                ],
            )
        else:
            self.status.show_lines(Tone.WARNING, [self.tr("Okta has no groups to assign.")])

    def review(self) -> None:
        """Make the plan for the ticks (reads only) and show it."""
        from app.core.okta.apply import make_plan
        from app.core.okta.client import OktaClient

        url, token, app_id = self.state.okta_url, self.state.okta_credential, self._app_id()
        assign, push = self.chosen()
        if url is None or token is None or self.busy or not (assign or push):
            return

        def plan(control: TaskControl) -> Plan:
            with OktaClient(url, token) as okta:
                return make_plan(okta, app_id, assign=assign, push=push, cancel=control.token)

        self.plan = self.result = None
        self.status.show_lines(Tone.NEUTRAL, [self.tr("Working out the changes…")])
        self._run(plan, self._reviewed)

    def _reviewed(self, plan: Plan) -> None:
        self.plan = plan
        lines = [_plain(line) for line in plan.lines()]
        if plan.changes:
            lines.append(self.tr("Nothing has changed yet: select Apply to make these changes."))
        self.status.show_lines(Tone.WARNING if plan.refused else Tone.INFO, lines)

    def apply(self) -> None:
        """Make the reviewed changes, then read them back (the only writes)."""
        from app.core.cancel import CancelToken
        from app.core.okta.apply import apply_plan, writing
        from app.core.okta.client import OktaClient

        url, token, plan = self.state.okta_url, self.state.okta_credential, self.plan
        if url is None or token is None or plan is None or not plan.changes or self.busy:
            return

        stop = CancelToken()

        def run(control: TaskControl) -> ApplyResult:
            control.token.on_cancel(stop.cancel)  # the page closed: stop too
            with OktaClient(url, writing(token)) as okta:
                return apply_plan(
                    okta,
                    plan,
                    cancel=stop,
                    progress=lambda done, total, text: control.progress((done, total, text)),
                )

        self.progress.setRange(0, len(plan.changes))
        self.progress.setValue(0)
        self.status.show_lines(Tone.NEUTRAL, [self.tr("Making the changes in Okta…")])
        self._stop = stop
        self._run(run, self._applied, on_progress=self._progressed)

    def _progressed(self, value: Any) -> None:
        done, total, text = value
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status.show_lines(Tone.NEUTRAL, [_plain(str(text))])

    def _applied(self, result: ApplyResult) -> None:
        self._stop = None
        self.result = result
        self._show_done(result)
        lines = [_plain(line) for line in result.lines()]
        if result.verified:
            lines.insert(0, self.tr("Done: Okta shows every change."))
        elif not result.refusal:
            lines.insert(0, self.tr("Not all done: review the changes again to do the rest."))
        self.status.show_lines(Tone.OK if result.verified else Tone.ERROR, lines)
        self.plan = None
        self.refresh()
        self.applied.emit()

    def cancel(self) -> None:
        """An apply stops after the step being sent, and says what was done; a read stops now."""
        task = self._task
        if task is None or not task.running:
            return
        if self._stop is not None:
            self._stop.cancel()
            self.status.show_lines(Tone.NEUTRAL, [self.tr("Stopping after the change being sent…")])
        else:
            task.cancel()

    # -- plumbing --------------------------------------------------------------------------------
    def _run(self, work: Any, on_success: Any, on_progress: Any = None) -> None:
        task = self.page.start(
            work, on_success=on_success, on_failure=self._failed, on_progress=on_progress
        )
        self._task = task
        # The button pressed is disabled while the task runs, and Qt moves the keyboard focus
        # away from it: a keyboard user would land anywhere. It comes back to the next step.
        focus = QApplication.focusWidget()
        keyboard_here = focus is not None and self.isAncestorOf(focus)
        task.finished.connect(self.refresh)
        if keyboard_here:
            task.finished.connect(self._focus_next_step)
        # What was read, the plan, what was done: written below the table, often out of sight.
        task.finished.connect(lambda: bring_into_sight(self.status))
        task.cancelled.connect(self._cancelled)
        self.refresh()

    def _focus_next_step(self) -> None:
        """Apply once reviewed, Review once ticked, the first tick once loaded, else Choose."""
        target: QWidget = self.load_button
        if self.apply_button.isVisible():
            target = self.apply_button
        elif self.review_button.isEnabled():
            target = self.review_button
        elif self.boxes and self.table.isVisible():
            target = self.boxes[0][0]
        if target.isEnabled():
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _failed(self, error: BaseException) -> None:
        from app.core.okta.verify import AppChoiceNeededError

        self._stop = None
        if isinstance(error, AppChoiceNeededError):
            text = self.tr("Pick the Bitwarden app in Okta first (Check in Okta, above).")
        else:
            text = self.tr("Okta could not be read: {0}").format(_plain(str(error)))
        self.status.show_lines(Tone.ERROR, [text])
        self.refresh()

    def _cancelled(self) -> None:
        self.status.show_lines(
            Tone.WARNING,
            [self.tr("Stopped. What was done stays done: review the changes again for the rest.")],
        )
        self.plan = None
        self.refresh()
