"""The dialogs of confirming members: prerequisites, master password, fingerprint phrases, outcome.

Every dialog is opened with `open()` (window-modal, non-blocking) and reports through its
signals, so the confirm flow stays a chain of small steps and tests can drive it without nested
event loops.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import SecretStr
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.outside_text import clean
from app.gui.members.rows import MemberRow
from app.gui.members.text import plural
from app.gui.widgets.plain_text import plain_tooltip
from app.gui.widgets.window_title import fit_title

#: Fixed widths of the name and email columns: a 10,000-character name is elided, not a wall.
NAME_WIDTH = 180
EMAIL_WIDTH = 240
#: The most of one member value kept for display (the tooltip shows up to TOOLTIP_LIMIT).
_CELL_LIMIT = 200
#: The fingerprint dialog's columns: the tick and name, the email, the phrase.
NAME_COLUMN, EMAIL_COLUMN, PHRASE_COLUMN = 0, 1, 2
#: Room around a cell's text (Qt's item margins and focus frame), so the phrase is never elided.
_CELL_PADDING = 24


def _label(text: str, parent: QWidget, *, rich: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def member_title(row: MemberRow) -> str:
    """One line naming the member: a name with newlines or bidi overrides cannot fake another."""
    email = clean(row.email, _CELL_LIMIT)
    return f"{clean(row.name, _CELL_LIMIT)} <{email}>" if row.name.strip() else email


def _member_cell(
    text: str, *, checkable: bool = False, accessible: str | None = None
) -> QTableWidgetItem:
    """A table cell of outside text: cleaned, elided by the view, the full value in a tooltip."""
    shown = clean(text, _CELL_LIMIT)
    item = QTableWidgetItem(shown or "—")
    flags = Qt.ItemFlag.ItemIsEnabled
    if checkable:
        flags |= Qt.ItemFlag.ItemIsUserCheckable
    item.setFlags(flags)
    if checkable:
        item.setCheckState(Qt.CheckState.Unchecked)
    item.setToolTip(plain_tooltip(text) if text else "")
    item.setData(Qt.ItemDataRole.AccessibleTextRole, accessible or shown)
    return item


class PrerequisitesDialog(QDialog):
    """What the Bitwarden CLI still needs before it can confirm, with the commands to run."""

    check_again = Signal()

    def __init__(self, problems: Sequence[str], commands: Sequence[str], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Before you can confirm members"))
        self.setAccessibleName(self.windowTitle())
        fit_title(self)
        layout = QVBoxLayout(self)
        layout.addWidget(
            _label(
                self.tr(
                    "Confirming is done by the Bitwarden CLI (bw), logged in as an admin of this "
                    "organization with the Manage Users permission. It is not ready yet:"
                ),
                self,
            )
        )
        problem_list = _label("\n".join(f"• {problem}" for problem in problems), self)
        problem_list.setAccessibleName(self.tr("Problems found"))
        layout.addWidget(problem_list)
        layout.addWidget(
            _label(self.tr("Run these commands in a terminal, then check again:"), self)
        )
        self.commands = QPlainTextEdit("\n".join(commands), self)
        self.commands.setReadOnly(True)
        self.commands.setFont(QFont("monospace"))
        self.commands.setAccessibleName(self.tr("Commands to run"))
        self.commands.setMaximumHeight(120)
        layout.addWidget(self.commands)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton(self.tr("Copy commands"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.setAccessibleName(self.tr("Copy commands"))
        copy.clicked.connect(self._copy)
        again = buttons.addButton(self.tr("Check again"), QDialogButtonBox.ButtonRole.AcceptRole)
        again.setAccessibleName(self.tr("Check again"))
        again.clicked.connect(self.check_again.emit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.commands.toPlainText())


class PasswordDialog(QDialog):
    """Asks for the master password that unlocks `bw serve` for this confirmation only."""

    def __init__(self, count: int, parent: QWidget, *, hint: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Unlock the Bitwarden CLI"))
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(480)
        fit_title(self)
        layout = QVBoxLayout(self)
        layout.addWidget(
            _label(
                plural(
                    count,
                    self.tr(
                        "Confirming {0} member gives them the organization's encryption key. The "
                        "Bitwarden CLI does it as you, so it needs your master password to "
                        "unlock your vault."
                    ),
                    self.tr(
                        "Confirming {0} members gives them the organization's encryption key. The "
                        "Bitwarden CLI does it as you, so it needs your master password to "
                        "unlock your vault."
                    ),
                ),
                self,
            )
        )
        self.field = QLineEdit(self)
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText(self.tr("Master password"))
        self.field.setAccessibleName(self.tr("Master password"))
        layout.addWidget(self.field)
        layout.addWidget(
            _label(
                self.tr(
                    "The password is kept in memory only until the CLI is unlocked for this "
                    "confirmation; it is never saved, and the vault is locked again afterwards."
                ),
                self,
            )
        )
        if hint:
            layout.addWidget(_label(hint, self))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Unlock and continue"))
        ok.setAccessibleName(self.tr("Unlock and continue"))
        ok.setEnabled(False)
        self.field.textChanged.connect(lambda text: ok.setEnabled(bool(text)))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def take_password(self) -> SecretStr:
        """The typed password, and the field cleared so the widget no longer holds it."""
        password = SecretStr(self.field.text())
        self.field.clear()
        return password


class FingerprintDialog(QDialog):
    """Each member's fingerprint phrase, to be checked with the member before confirming.

    As the Admin Console's confirm dialog: the phrase is derived from the member's public key as the
    server hands it out, so a match read out by the member proves nobody swapped the key.
    """

    def __init__(self, entries: Sequence[tuple[MemberRow, str]], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Verify fingerprint phrases"))
        self.setAccessibleName(self.windowTitle())
        self.resize(760, 420)
        self._ids = [row.id for row, _ in entries]
        layout = QVBoxLayout(self)
        layout.addWidget(
            _label(
                self.tr(
                    "To ensure the integrity of your encryption keys, verify each member's "
                    "fingerprint phrase before confirming them. Ask the member to read their "
                    "phrase to you (web vault: Settings → My account → Fingerprint phrase, or "
                    "“bw get fingerprint me”) over a channel you trust, such as a call."
                ),
                self,
            )
        )
        layout.addWidget(
            _label(
                self.tr(
                    "Tick only the members whose phrase matches word for word. If a phrase does "
                    "not match, do not confirm that member: contact your security team."
                ),
                self,
            )
        )
        self.table = QTableWidget(len(entries), 3, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name (tick when verified)"), self.tr("Email"), self.tr("Fingerprint phrase")]
        )
        self.table.setAccessibleName(self.tr("Fingerprint phrases"))
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        # Fixed name and email columns, so no value can push the phrases out of sight.
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(EMAIL_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(PHRASE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(NAME_COLUMN, NAME_WIDTH)
        self.table.setColumnWidth(EMAIL_COLUMN, EMAIL_WIDTH)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        phrase_font = QFont("monospace")
        phrase_font.setBold(True)
        for index, (row, phrase) in enumerate(entries):
            # No name: a dash, not the email twice (a screen reader still hears who it is).
            name = _member_cell(row.name, checkable=True, accessible=member_title(row))
            self.table.setItem(index, NAME_COLUMN, name)
            self.table.setItem(index, EMAIL_COLUMN, _member_cell(row.email))
            phrase_item = QTableWidgetItem(clean(phrase, None))
            phrase_item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            phrase_item.setFont(phrase_font)
            self.table.setItem(index, PHRASE_COLUMN, phrase_item)
        # The phrase is what the admin reads out word for word: never elided. The table is made
        # wide enough for the widest one beside the fixed name and email columns.
        metrics = QFontMetrics(phrase_font)
        widest = max((metrics.horizontalAdvance(clean(p, None)) for _r, p in entries), default=0)
        phrase_width = widest + _CELL_PADDING
        chrome = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        self.table.setMinimumWidth(NAME_WIDTH + EMAIL_WIDTH + phrase_width + chrome)
        self._seen_rows: set[int] = set()
        self.table.verticalScrollBar().valueChanged.connect(lambda _v: self._note_seen_rows())
        layout.addWidget(self.table)
        self.all_verified = QCheckBox(self.tr("I verified every phrase above"), self)
        self.all_verified.setAccessibleName(self.tr("I verified every phrase above"))
        self.all_verified.toggled.connect(self._tick_all)
        # Ticking every phrase at once only once every phrase row has been on screen.
        self.all_verified.setEnabled(False)
        layout.addWidget(self.all_verified)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.confirm_button = QPushButton(self)
        self.confirm_button.setAccessibleName(self.tr("Confirm verified members"))
        self.buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.table.itemChanged.connect(lambda _item: self._update_button())
        self._update_button()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        self._note_seen_rows()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self._note_seen_rows()

    @property
    def every_phrase_shown(self) -> bool:
        return len(self._seen_rows) >= self.table.rowCount()

    def _note_seen_rows(self) -> None:
        """Remember which phrase rows are fully inside the table's viewport now."""
        if not self.isVisible():
            return
        viewport = self.table.viewport().rect()
        phrase_column = self.table.columnViewportPosition(PHRASE_COLUMN)
        if phrase_column < 0 or phrase_column >= viewport.width():
            return  # the phrases are not in view at all
        for index in range(self.table.rowCount()):
            if index in self._seen_rows:
                continue
            top = self.table.rowViewportPosition(index)
            if top >= 0 and top + self.table.rowHeight(index) <= viewport.height():
                self._seen_rows.add(index)
        self.all_verified.setEnabled(self.every_phrase_shown)

    def phrases(self) -> list[str]:
        """The phrases shown, one per row in the order given."""
        items = (self.table.item(i, PHRASE_COLUMN) for i in range(self.table.rowCount()))
        return [item.text() for item in items if item is not None]

    def set_verified(self, member_id: str, verified: bool = True) -> None:
        self._check_item(self._ids.index(member_id)).setCheckState(
            Qt.CheckState.Checked if verified else Qt.CheckState.Unchecked
        )

    def verified_ids(self) -> list[str]:
        return [
            member_id
            for index, member_id in enumerate(self._ids)
            if self._check_item(index).checkState() == Qt.CheckState.Checked
        ]

    def _tick_all(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for index in range(self.table.rowCount()):
            self._check_item(index).setCheckState(state)

    def _check_item(self, index: int) -> QTableWidgetItem:
        item = self.table.item(index, NAME_COLUMN)
        assert item is not None
        return item

    def _update_button(self) -> None:
        count = len(self.verified_ids())
        self.confirm_button.setText(
            plural(
                count,
                self.tr("Confirm {0} verified member"),
                self.tr("Confirm {0} verified members"),
            )
        )
        self.confirm_button.setEnabled(count > 0)


class OutcomeDialog(QDialog):
    """What happened to each member: confirmed, skipped or failed and why."""

    retry_requested = Signal(list)

    def __init__(
        self, title: str, outcomes: Sequence[tuple[str, str, str, str]], parent: QWidget
    ) -> None:
        """`outcomes`: (member id, member, result label, reason) per member."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        fit_title(self)
        # Tall enough for the rows (up to a dozen before scrolling), never a sea of white.
        self.resize(720, 150 + 30 * min(len(outcomes), 12))
        layout = QVBoxLayout(self)
        self.summary = _label("", self)
        layout.addWidget(self.summary)
        self.table = QTableWidget(len(outcomes), 3, self)
        self.table.setHorizontalHeaderLabels([self.tr("Member"), self.tr("Result"), self.tr("Why")])
        self.table.setAccessibleName(self.tr("Result per member"))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for index, (_member_id, member, result, reason) in enumerate(outcomes):
            for column, text in enumerate((member, result, reason)):
                item = QTableWidgetItem(clean(text, _CELL_LIMIT if column == 0 else None))
                item.setToolTip(plain_tooltip(text) if text else "")
                self.table.setItem(index, column, item)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.resizeColumnsToContents()
        # The member column is capped: a long name is elided, the result and reason stay in view.
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), NAME_WIDTH + EMAIL_WIDTH))
        layout.addWidget(self.table)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.retry_button = self.buttons.addButton(
            self.tr("Retry the failed ones"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.retry_button.setAccessibleName(self.tr("Retry the failed ones"))
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def set_summary(self, text: str, retry_ids: list[str]) -> None:
        self.summary.setText(text)
        self.retry_button.setVisible(bool(retry_ids))
        self.retry_button.clicked.connect(lambda: self._retry(retry_ids))

    def _retry(self, ids: list[str]) -> None:
        self.accept()
        self.retry_requested.emit(ids)
