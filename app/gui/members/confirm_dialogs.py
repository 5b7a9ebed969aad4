"""The dialogs of confirming members: prerequisites, master password, fingerprint phrases, outcome.

Every dialog is opened with `open()` (window-modal, non-blocking) and reports through its
signals, so the confirm flow stays a chain of small steps and tests can drive it without nested
event loops.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import SecretStr
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
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

from app.gui.members.rows import MemberRow
from app.gui.members.text import plural


def _tr(text: str) -> str:
    return QCoreApplication.translate("ConfirmDialogs", text)


def _label(text: str, parent: QWidget, *, rich: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def member_title(row: MemberRow) -> str:
    return f"{row.name} <{row.email}>" if row.name else row.email


class PrerequisitesDialog(QDialog):
    """What the Bitwarden CLI still needs before it can confirm, with the commands to run."""

    check_again = Signal()

    def __init__(self, problems: Sequence[str], commands: Sequence[str], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(_tr("Before you can confirm members"))
        self.setAccessibleName(self.windowTitle())
        layout = QVBoxLayout(self)
        layout.addWidget(
            _label(
                _tr(
                    "Confirming is done by the Bitwarden CLI (bw), logged in as an admin of this "
                    "organization with the Manage Users permission. It is not ready yet:"
                ),
                self,
            )
        )
        problem_list = _label("\n".join(f"• {problem}" for problem in problems), self)
        problem_list.setAccessibleName(_tr("Problems found"))
        layout.addWidget(problem_list)
        layout.addWidget(_label(_tr("Run these commands in a terminal, then check again:"), self))
        self.commands = QPlainTextEdit("\n".join(commands), self)
        self.commands.setReadOnly(True)
        self.commands.setFont(QFont("monospace"))
        self.commands.setAccessibleName(_tr("Commands to run"))
        self.commands.setMaximumHeight(120)
        layout.addWidget(self.commands)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton(_tr("Copy commands"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.setAccessibleName(_tr("Copy commands"))
        copy.clicked.connect(self._copy)
        again = buttons.addButton(_tr("Check again"), QDialogButtonBox.ButtonRole.AcceptRole)
        again.setAccessibleName(_tr("Check again"))
        again.clicked.connect(self.check_again.emit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.commands.toPlainText())


class PasswordDialog(QDialog):
    """Asks for the master password that unlocks `bw serve` for this confirmation only."""

    def __init__(self, count: int, parent: QWidget, *, hint: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_tr("Unlock the Bitwarden CLI"))
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.addWidget(
            _label(
                plural(
                    count,
                    _tr(
                        "Confirming %n member gives them the organization's encryption key. The "
                        "Bitwarden CLI does it as you, so it needs your master password to "
                        "unlock your vault."
                    ),
                    _tr(
                        "Confirming %n members gives them the organization's encryption key. The "
                        "Bitwarden CLI does it as you, so it needs your master password to "
                        "unlock your vault."
                    ),
                ),
                self,
            )
        )
        self.field = QLineEdit(self)
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText(_tr("Master password"))
        self.field.setAccessibleName(_tr("Master password"))
        layout.addWidget(self.field)
        layout.addWidget(
            _label(
                _tr(
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
        ok.setText(_tr("Unlock and continue"))
        ok.setAccessibleName(_tr("Unlock and continue"))
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
        self.setWindowTitle(_tr("Verify fingerprint phrases"))
        self.setAccessibleName(self.windowTitle())
        self.resize(760, 420)
        self._ids = [row.id for row, _ in entries]
        layout = QVBoxLayout(self)
        layout.addWidget(
            _label(
                _tr(
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
                _tr(
                    "Tick only the members whose phrase matches word for word. If a phrase does "
                    "not match, do not confirm that member: contact your security team."
                ),
                self,
            )
        )
        self.table = QTableWidget(len(entries), 2, self)
        self.table.setHorizontalHeaderLabels(
            [_tr("Member (tick when verified)"), _tr("Fingerprint phrase")]
        )
        self.table.setAccessibleName(_tr("Fingerprint phrases"))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        phrase_font = QFont("monospace")
        phrase_font.setBold(True)
        for index, (row, phrase) in enumerate(entries):
            member = QTableWidgetItem(member_title(row))
            member.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            member.setCheckState(Qt.CheckState.Unchecked)
            member.setData(Qt.ItemDataRole.AccessibleTextRole, member_title(row))
            self.table.setItem(index, 0, member)
            phrase_item = QTableWidgetItem(phrase)
            phrase_item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            phrase_item.setFont(phrase_font)
            self.table.setItem(index, 1, phrase_item)
        layout.addWidget(self.table)
        self.all_verified = QCheckBox(_tr("I verified every phrase above"), self)
        self.all_verified.setAccessibleName(_tr("I verified every phrase above"))
        self.all_verified.toggled.connect(self._tick_all)
        layout.addWidget(self.all_verified)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.confirm_button = QPushButton(self)
        self.confirm_button.setAccessibleName(_tr("Confirm verified members"))
        self.buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.table.itemChanged.connect(lambda _item: self._update_button())
        self._update_button()

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
        item = self.table.item(index, 0)
        assert item is not None
        return item

    def _update_button(self) -> None:
        count = len(self.verified_ids())
        self.confirm_button.setText(
            plural(count, _tr("Confirm %n verified member"), _tr("Confirm %n verified members"))
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
        # Tall enough for the rows (up to a dozen before scrolling), never a sea of white.
        self.resize(720, 150 + 30 * min(len(outcomes), 12))
        layout = QVBoxLayout(self)
        self.summary = _label("", self)
        layout.addWidget(self.summary)
        self.table = QTableWidget(len(outcomes), 3, self)
        self.table.setHorizontalHeaderLabels([_tr("Member"), _tr("Result"), _tr("Why")])
        self.table.setAccessibleName(_tr("Result per member"))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for index, (_member_id, member, result, reason) in enumerate(outcomes):
            for column, text in enumerate((member, result, reason)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(index, column, item)
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.retry_button = self.buttons.addButton(
            _tr("Retry the failed ones"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.retry_button.setAccessibleName(_tr("Retry the failed ones"))
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def set_summary(self, text: str, retry_ids: list[str]) -> None:
        self.summary.setText(text)
        self.retry_button.setVisible(bool(retry_ids))
        self.retry_button.clicked.connect(lambda: self._retry(retry_ids))

    def _retry(self, ids: list[str]) -> None:
        self.accept()
        self.retry_requested.emit(ids)
