"""The one dialog that logs in and unlocks for a native confirm: what is missing, nothing more.

It asks for the master password and, when the program does not know them yet, the admin's e-mail
or personal API key; then, in the same dialog, whatever code the server asks for (two-step login
or new-device verification). While the flow works (Argon2id takes seconds) it shows a busy bar
and keeps Cancel. A wrong password or code shows why and asks again; the flow never turns a login
problem into a "Failed" row per member. The dialog holds no secret after `take_*` returned it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.members.text import plural
from app.gui.widgets.window_title import fit_title


def _label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


@dataclass(frozen=True)
class Credentials:
    """What the admin typed: the master password, and the e-mail or the personal API key."""

    password: SecretStr
    email: str | None = None
    api_key: tuple[str, SecretStr] | None = None
    remember_api_key: bool = False


@dataclass(frozen=True)
class Known:
    """What the program already knows for this profile (nothing secret but a saved API key)."""

    email: str = ""
    api_key_id: str = ""
    has_saved_api_key: bool = False


class LoginDialog(QDialog):
    """Master password + e-mail or personal API key, then a code if the server asks for one.

    Signals: `submitted` when the admin pressed Continue (read `take_credentials()` or
    `take_code()`), `resend_requested` for "Send the code again"; `rejected` is Cancel, also while
    the flow is busy.
    """

    submitted = Signal()
    resend_requested = Signal()

    def __init__(
        self,
        count: int,
        server: str,
        known: Known,
        parent: QWidget,
        *,
        hint: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Log in to confirm members"))
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(520)
        fit_title(self)
        self._asking_code = False
        self._busy = False
        self._has_saved_key = known.has_saved_api_key
        layout = QVBoxLayout(self)
        layout.addWidget(
            _label(
                plural(
                    count,
                    self.tr(
                        "Confirming {0} member gives them the organization's encryption key. This "
                        "program does it itself, as you: it logs in to your Bitwarden server and "
                        "unlocks your keys on this computer with your master password."
                    ),
                    self.tr(
                        "Confirming {0} members gives them the organization's encryption key. This "
                        "program does it itself, as you: it logs in to your Bitwarden server and "
                        "unlocks your keys on this computer with your master password."
                    ),
                ),
                self,
            )
        )
        self.server_label = _label(self.tr("Server: {0}").format(server), self)
        layout.addWidget(self.server_label)

        # -- how to log in
        self.use_email = QRadioButton(self.tr("Log in with my e-mail address"), self)
        self.use_api_key = QRadioButton(self.tr("Log in with my personal API key"), self)
        for button in (self.use_email, self.use_api_key):
            button.setAccessibleName(button.text())
            layout.addWidget(button)
        form = self._form = QFormLayout()
        self.email = QLineEdit(known.email, self)
        self.email.setAccessibleName(self.tr("E-mail address"))
        self.email.setPlaceholderText("admin@example.com")
        self.email_row = _label(self.tr("E-mail address:"), self)
        form.addRow(self.email_row, self.email)
        self.api_key_id = QLineEdit(known.api_key_id, self)
        self.api_key_id.setAccessibleName(self.tr("API key client_id"))
        self.api_key_id.setPlaceholderText("user.…")
        self.api_key_id_row = _label(self.tr("client_id:"), self)
        form.addRow(self.api_key_id_row, self.api_key_id)
        self.api_key_secret = QLineEdit(self)
        self.api_key_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key_secret.setAccessibleName(self.tr("API key client_secret"))
        self.api_key_secret.setPlaceholderText(
            self.tr("saved in the keyring") if known.has_saved_api_key else ""
        )
        self.api_key_secret_row = _label(self.tr("client_secret:"), self)
        form.addRow(self.api_key_secret_row, self.api_key_secret)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Master password"))
        self.password_row = _label(self.tr("Master password:"), self)
        form.addRow(self.password_row, self.password)
        layout.addLayout(form)
        self.password_note = _label(
            self.tr(
                "Your master password never leaves this computer: as in the Bitwarden apps, only a "
                "hash of it is sent. It is forgotten when this confirmation ends."
            ),
            self,
        )
        layout.addWidget(self.password_note)
        self.remember = QCheckBox(
            self.tr("Remember the API key in the system keyring with this profile"), self
        )
        self.remember.setAccessibleName(self.remember.text())
        self.remember.setChecked(known.has_saved_api_key)
        layout.addWidget(self.remember)
        self.api_key_note = _label(
            self.tr(
                "The personal API key (web vault: Account settings → Security → Keys → View API "
                "key) logs in without a two-step code. Unlocking still needs the master password, "
                "which is never saved."
            ),
            self,
        )
        layout.addWidget(self.api_key_note)

        # -- the code the server asks for
        self.code_label = _label("", self)
        layout.addWidget(self.code_label)
        self.code = QLineEdit(self)
        self.code.setAccessibleName(self.tr("Verification code"))
        self.code.setPlaceholderText(self.tr("Code"))
        layout.addWidget(self.code)
        self.resend_button = QPushButton(self.tr("Send the code again"), self)
        self.resend_button.setAccessibleName(self.tr("Send the code again"))
        self.resend_button.clicked.connect(self.resend_requested.emit)
        layout.addWidget(self.resend_button, 0, Qt.AlignmentFlag.AlignLeft)

        if hint:
            layout.addWidget(_label(hint, self))
        self.error = _label("", self)
        self.error.setObjectName("login-error")
        self.error.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.error.setAccessibleName(self.tr("Problem"))
        self.error.hide()
        layout.addWidget(self.error)
        self.busy_label = _label("", self)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setAccessibleName(self.tr("Working"))
        layout.addWidget(self.busy_label)
        layout.addWidget(self.busy_bar)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.continue_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.continue_button.setText(self.tr("Log in and unlock"))
        self.continue_button.setAccessibleName(self.tr("Log in and unlock"))
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        for edit in (self.email, self.api_key_id, self.api_key_secret, self.password, self.code):
            edit.textChanged.connect(self._update)
        self.use_email.toggled.connect(self._update)
        self.use_api_key.toggled.connect(self._update)
        (self.use_api_key if known.api_key_id else self.use_email).setChecked(True)
        self.set_busy(None)
        self._update()
        # Focus where typing starts: the e-mail (or API key id) if still empty, else the password.
        first = self.api_key_id if known.api_key_id else self.email
        (first if not first.text() else self.password).setFocus()

    # ---------------------------------------------------------------- what the flow calls
    def set_busy(self, text: str | None) -> None:
        """Show `text` with a busy bar and lock the fields (None: ready for input again)."""
        busy = self._busy = text is not None
        self.busy_label.setText(text or "")
        self.busy_label.setVisible(busy)
        self.busy_bar.setVisible(busy)
        for widget in (
            self.use_email,
            self.use_api_key,
            self.email,
            self.api_key_id,
            self.api_key_secret,
            self.password,
            self.remember,
            self.code,
            self.resend_button,
        ):
            widget.setEnabled(not busy)
        if busy:
            self.error.hide()
        self._update()

    @property
    def busy(self) -> bool:
        return self._busy

    def show_error(self, text: str) -> None:
        """Why the last try did not work; the fields are ready for another."""
        self.set_busy(None)
        self.error.setText(text)
        self.error.show()

    def ask_password_again(self, text: str) -> None:
        self.show_error(text)
        self.password.clear()
        self.password.setFocus()

    def ask_code(self, question: str, *, can_resend: bool, wrong: str | None = None) -> None:
        """Switch to the code step (the login fields stay filled in, hidden)."""
        self._asking_code = True
        self.set_busy(None)
        self.code_label.setText(question)
        self.code.clear()
        self.resend_button.setVisible(can_resend)
        self.continue_button.setText(self.tr("Continue"))
        self.continue_button.setAccessibleName(self.tr("Continue"))
        if wrong:
            self.show_error(wrong)
        self._update()
        self.code.setFocus()

    @property
    def asking_code(self) -> bool:
        return self._asking_code

    def uses_api_key(self) -> bool:
        return self.use_api_key.isChecked()

    def take_credentials(self) -> Credentials:
        """What was typed; the secret fields are cleared so the widgets no longer hold them."""
        password = SecretStr(self.password.text())
        self.password.clear()
        if self.uses_api_key():
            secret = self.api_key_secret.text()
            self.api_key_secret.clear()
            return Credentials(
                password,
                api_key=(self.api_key_id.text().strip(), SecretStr(secret)),
                remember_api_key=self.remember.isChecked(),
            )
        return Credentials(password, email=self.email.text().strip())

    def take_code(self) -> str:
        code = self.code.text().strip()
        self.code.clear()
        return code

    # ---------------------------------------------------------------- internals
    def _submit(self) -> None:
        if self.continue_button.isEnabled():
            self.submitted.emit()

    def _update(self) -> None:
        api = self.uses_api_key()
        login_step = not self._asking_code
        login_widgets = (self.use_email, self.use_api_key, self.password, self.password_row)
        _show((*login_widgets, self.password_note), login_step)
        _show((self.email, self.email_row), login_step and not api)
        _show(
            (
                self.api_key_id,
                self.api_key_id_row,
                self.api_key_secret,
                self.api_key_secret_row,
                self.remember,
                self.api_key_note,
            ),
            login_step and api,
        )
        _show((self.code_label, self.code), not login_step)
        # Hidden rows of a form layout still keep their spacing: hide the rows themselves.
        for row, visible in enumerate(
            (login_step and not api, login_step and api, login_step and api, login_step)
        ):
            self._form.setRowVisible(row, visible)
        if login_step:
            self.resend_button.hide()
        if self._asking_code:
            ready = bool(self.code.text().strip())
        elif api:
            secret_ok = bool(self.api_key_secret.text()) or self._has_saved_key
            ready = (
                bool(self.api_key_id.text().strip()) and secret_ok and bool(self.password.text())
            )
        else:
            ready = "@" in self.email.text() and bool(self.password.text())
        self.continue_button.setEnabled(ready and not self._busy)


def _show(widgets: tuple[QWidget, ...], visible: bool) -> None:
    for widget in widgets:
        widget.setVisible(visible)
