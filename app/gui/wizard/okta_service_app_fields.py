"""`ServiceAppFields`: an Okta API Services app (OAuth 2.0, `private_key_jwt`) as the way to read
Okta, instead of an API token.

The admin gives the app's client id and its private key: pasted (PEM or the JWK Okta shows once
when it generates a key) or read from a file, and optionally the key's id. The key is read as the
core reads it (`normalized`: PEM, JWK or the keyring's compact form; its sentences when it cannot
be used) before anything is sent to Okta, and only its compact form goes into `SetupState`. A key
is never left on screen, as a password field would not show it: one read from a file is not put
there, a pasted one leaves the box as soon as it reads as a key (a screenshot sent to support
must not carry it); what cannot be read stays, so the admin sees what is wrong. A resumed wizard
uses the key saved in the keyring until another one is given. The scopes the app needs are the
core's `READ_SCOPES`, shown for copying.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.widgets.copy_button import CopyButton
from app.gui.widgets.form import add_row
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.text import bold, steps
from app.gui.wizard.draft import persisted

if TYPE_CHECKING:
    from pydantic import SecretStr

    from app.core.okta.service_app import ServiceApp


def scopes_text() -> str:
    """The scopes to grant, as Okta's Okta API Scopes tab names them."""
    from app.core.okta.service_app import READ_SCOPES

    return " ".join(READ_SCOPES)


class ServiceAppFields(QWidget):
    """Client id, private key (paste box or file) and key id; `edited` on any change."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(
            steps(
                [
                    self.tr("In Okta's Admin Console: {0}.").format(
                        bold(self.tr("Applications → Create App Integration → API Services"))
                    ),
                    self.tr(
                        "On its General tab: Client authentication {0} and add this key's "
                        "public key. {1} (ticked by default) is supported: leave it as it is."
                    ).format(
                        bold(self.tr("Public key / Private key")),
                        bold(self.tr("Require Demonstrating Proof of Possession (DPoP)")),
                    ),
                    self.tr(
                        "On {0}, grant the scopes below; on {1}, give it a role (a Read-only "
                        "Administrator is enough)."
                    ).format(bold(self.tr("Okta API Scopes")), bold(self.tr("Admin roles"))),
                ],
                self,
            )
        )
        fields = QWidget(self)
        form = QFormLayout(fields)
        form.setContentsMargins(0, 0, 0, 0)
        self.scopes = QLineEdit(scopes_text(), fields)
        self.scopes.setReadOnly(True)
        self.scopes.setCursorPosition(0)  # narrow, it showed the end: "a.apps.read okta.…"
        self.scopes.setAccessibleName(self.tr("Scopes to grant"))
        self.copy_scopes = CopyButton(self.scopes.text, self.tr("Copy the scopes"), parent=fields)
        add_row(form, self.tr("Scopes to grant:"), _beside(fields, self.scopes, self.copy_scopes))
        self.client_id = QLineEdit(fields)
        self.client_id.setObjectName("okta_client_id")
        self.client_id.setAccessibleName(self.tr("Service app client ID"))
        self.client_id.setPlaceholderText("0oa…")
        persisted(self.client_id)  # not a secret: a resumed wizard shows it again
        self.client_id_message = MessageLabel(self.tr("Client ID check"), fields)
        add_row(form, self.tr("&Client ID:"), self.client_id)
        form.addRow("", self.client_id_message)
        self.key = QPlainTextEdit(fields)
        self.key.setAccessibleName(self.tr("Private key"))
        self.key.setPlaceholderText(self._empty_hint())
        self.key.setTabChangesFocus(True)
        self.key.setFixedHeight(self.key.fontMetrics().lineSpacing() * 4 + 12)
        self.choose_file = QPushButton(self.tr("Choose &file…"), fields)
        self.choose_file.setAccessibleName(self.tr("Choose the private key file"))
        add_row(form, self.tr("Private ke&y:"), _beside(fields, self.key, self.choose_file))
        self.key_message = MessageLabel(self.tr("Private key check"), fields)
        form.addRow("", self.key_message)
        #: Other users of this computer can read the chosen file (shown while its key is in use).
        self.key_file_message = MessageLabel(self.tr("Private key file warning"), fields)
        form.addRow("", self.key_file_message)
        self.key_id = QLineEdit(fields)
        self.key_id.setObjectName("okta_key_id")
        self.key_id.setAccessibleName(self.tr("Key ID (optional)"))
        self.key_id.setPlaceholderText(self.tr("Optional: the key's KID in Okta"))
        persisted(self.key_id)
        add_row(form, self.tr("Key I&D:"), self.key_id)
        outer.addWidget(fields)

        #: The key given and taken off the screen (read from a file, or pasted), and where from.
        self._hidden_key: SecretStr | None = None
        self._hidden_from = ""
        #: The compact key saved with the profile (a resumed wizard), used until another is given.
        self._saved_key: SecretStr | None = None
        #: Why the chosen file gave no key (shown until another key is given).
        self._file_error: str | None = None
        #: As `service_app` last found them: a client ID to use, a key that can sign.
        self.client_id_given = False
        self.key_usable = False
        self.client_id.textChanged.connect(self.edited)
        self.key_id.textChanged.connect(self.edited)
        self.key.textChanged.connect(self._key_typed)
        self.choose_file.clicked.connect(self._choose_file)

    # -- filling ---------------------------------------------------------------------------------
    def fill(self, app: ServiceApp) -> None:
        """Show a saved service app: its client id and key id; its key stays in the keyring."""
        if not self.client_id.text():
            self.client_id.setText(app.client_id)
        if not self.key_id.text() and app.key_id:
            self.key_id.setText(app.key_id)
        if self._saved_key is None:
            self._saved_key = app.private_key
            self.edited.emit()

    def fill_given(self, client_id: str, key: SecretStr, key_id: str | None, source: str) -> None:
        """Fill in a service app as if the admin had entered it (the demo's), without
        overwriting what was typed; the key is kept off the screen as a pasted one is."""
        from app.core.redaction import install_log_redaction

        if not self.client_id.text():
            self.client_id.setText(client_id)
        if not self.key_id.text() and key_id:
            self.key_id.setText(key_id)
        if self._hidden_key is None and not self.key.toPlainText().strip():
            install_log_redaction(key)
            self._hide(key, source)
        self.edited.emit()

    def load_file(self, path: Path) -> None:
        """Take the private key from `path` (the "Choose file…" button's choice)."""
        import os
        import stat

        from pydantic import SecretStr

        from app.core.okta.key_file import KEY_FILE_LIMIT, permission_warnings
        from app.core.redaction import install_log_redaction

        # Non-blocking and checked on the open descriptor: a named pipe chosen under "All
        # files" held open() (on the GUI thread) for ever; a device would be read as a key.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        try:
            with os.fdopen(os.open(path, flags), "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode):
                    self._file_failed(
                        self.tr("{0} is not a file: choose the private key file.").format(path.name)
                    )
                    return
                data = handle.read(KEY_FILE_LIMIT + 1)
        except OSError as exc:
            self._file_failed(
                self.tr("The file {0} cannot be read ({1}).").format(path.name, exc.strerror)
            )
            return
        if len(data) > KEY_FILE_LIMIT:
            self._file_failed(
                self.tr("The file {0} is too large to be a private key.").format(path.name)
            )
            return
        text = SecretStr(data.decode("utf-8-sig", errors="replace"))
        install_log_redaction(text)
        # The file's key takes the place of a pasted one, and is not shown.
        self._hide(text, self.tr("The key in {0}").format(path.name))
        # Read anyway (only a warning, as `profile save` gives it), until another key is given.
        self.key_file_message.show_lines(Tone.WARNING, permission_warnings(str(path), info))
        self._file_error = None
        self.edited.emit()

    def _file_failed(self, reason: str) -> None:
        self._forget_hidden()
        self._file_error = reason
        self.edited.emit()

    # -- reading ---------------------------------------------------------------------------------
    def service_app(self) -> ServiceApp | None:
        """The service app as entered (its key checked and compact), or None with the reason
        shown beside the field that lacks it."""
        from app.core.okta.private_key import PrivateKeyError, load_private_key
        from app.core.okta.service_app import normalized
        from app.core.redaction import install_log_redaction

        self.key_usable = False
        client_id = self.client_id.text().strip()
        if client_id and any(ch.isspace() or not ch.isprintable() for ch in client_id):
            self.client_id_message.show_lines(
                Tone.ERROR, [self.tr("This client ID cannot be used: it has spaces inside.")]
            )
            client_id = ""
        else:
            self.client_id_message.show_lines(Tone.NEUTRAL, [])
        self.client_id_given = bool(client_id)
        key, where = self._given_key()
        if key is None:
            if self._file_error is not None:
                self.key_message.show_lines(Tone.ERROR, [self._file_error])
            else:
                self.key_message.show_lines(Tone.NEUTRAL, [])
            return None
        try:
            signing = load_private_key(key)
        except PrivateKeyError as exc:
            self.key_message.show_lines(Tone.ERROR, [str(exc)])
            return None
        install_log_redaction(key)  # the key as given, too (its compact form is, by ServiceApp)
        self.key_usable = True
        lines = [self.tr("{0} can sign for Okta ({1}).").format(where, signing.alg)]
        if signing.kid and not self.key_id.text().strip():
            lines.append(self.tr("Key ID from the JWK: {0}").format(_plain(signing.kid)))
        self.key_message.show_lines(Tone.OK, lines)
        return normalized(client_id, key, self.key_id.text()) if client_id else None

    def _given_key(self) -> tuple[SecretStr | None, str]:
        from pydantic import SecretStr

        pasted = self.key.toPlainText()
        if pasted.strip():  # one that does not read as a key (else it was taken off the screen)
            return SecretStr(pasted), self.tr("The pasted key")
        if self._hidden_key is not None:
            return self._hidden_key, self._hidden_from
        if self._file_error is not None:
            return None, ""
        if self._saved_key is not None:
            return self._saved_key, self.tr("The key saved in the keyring")
        return None, ""

    # -- behaviour -------------------------------------------------------------------------------
    def _key_typed(self) -> None:
        from pydantic import SecretStr

        from app.core.okta.private_key import PrivateKeyError, load_private_key
        from app.core.redaction import install_log_redaction

        pasted = self.key.toPlainText()
        if pasted.strip():
            self._forget_hidden()  # a pasted key replaces the file's
            self._file_error = None
            key = SecretStr(pasted)
            try:
                load_private_key(key)
            except PrivateKeyError:
                pass  # left in the box: `service_app` says why it cannot be used
            else:
                install_log_redaction(key)
                self._hide(key, self.tr("The pasted key"))
        self.edited.emit()

    def _hide(self, key: SecretStr, source: str) -> None:
        """Keep `key` as the one given, off the screen; the box's hint says it is there."""
        self._hidden_key, self._hidden_from = key, source
        self.key.blockSignals(True)
        self.key.clear()
        self.key.blockSignals(False)
        self.key.setPlaceholderText(
            self.tr("{0} is kept, not shown. Paste or choose another to replace it.").format(source)
        )
        self.key_file_message.show_lines(Tone.NEUTRAL, [])  # a file's warning is its caller's

    def _forget_hidden(self) -> None:
        self._hidden_key, self._hidden_from = None, ""
        self.key_file_message.show_lines(Tone.NEUTRAL, [])
        self.key.setPlaceholderText(self._empty_hint())

    def _empty_hint(self) -> str:
        return self.tr("Paste the private key: PEM (-----BEGIN PRIVATE KEY-----) or the JWK (JSON)")

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("The service app's private key"),
            str(Path.home()),
            self.tr("Private keys (*.pem *.key *.json *.jwk);;All files (*)"),
        )
        if path:
            self.load_file(Path(path))


def _plain(text: str) -> str:
    from app.core.outside_text import clean

    return clean(text, 200)


def _beside(parent: QWidget, field: QWidget, button: QWidget) -> QWidget:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QHBoxLayout

    row = QWidget(parent)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field, 1)
    layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
    return row
