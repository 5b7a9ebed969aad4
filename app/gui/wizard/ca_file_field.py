"""`CaFileField`: an optional extra CA certificate for a self-hosted server with a private CA.

The file is checked by the core (`app.core.http.build_ssl_context`, which the checks use too), so a
file the checks could not load is refused here, with the core's message, before any check runs.
The path is not a secret: it is stored in the profile.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.text import paragraph


def ca_file_problem(path: Path) -> str | None:
    """The core's reason why `path` cannot serve as an extra CA, or None when it can."""
    from app.core.http import CaFileError, build_ssl_context

    try:
        build_ssl_context(path)
    except CaFileError as exc:
        return str(exc)
    return None


#: The core's advice in a certificate failure is written for the command line.
CLI_CA_ADVICE = "pass your CA's certificate with --ca-file"


def for_the_gui(message: str, advice: str) -> str:
    """`message` with the command line's CA advice replaced by `advice` (what to do here)."""
    return message.replace(CLI_CA_ADVICE, advice)


class CaFileField(QWidget):
    """A path field with Choose… and Clear; `changed(Path | None)` when a usable value is set."""

    changed = Signal(object)  # Path | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        self.heading = paragraph(
            self.tr("Certificate authority file (only if your server uses a private CA)"), self
        )
        layout.addWidget(self.heading)
        row = QHBoxLayout()
        self.path = QLineEdit(self)
        self.path.setPlaceholderText(self.tr("None: the server's certificate is from a public CA"))
        self.path.setAccessibleName(self.tr("Certificate authority file"))
        self.path.setClearButtonEnabled(False)
        self.choose_button = QPushButton(self.tr("C&hoose…"), self)
        self.choose_button.setAccessibleName(self.tr("Choose the certificate authority file"))
        self.clear_button = QPushButton(self.tr("C&lear"), self)
        self.clear_button.setAccessibleName(self.tr("Clear the certificate authority file"))
        self.clear_button.setEnabled(False)
        row.addWidget(self.path, 1)
        row.addWidget(self.choose_button)
        row.addWidget(self.clear_button)
        layout.addLayout(row)
        self.message = MessageLabel(self.tr("Certificate authority file check"), self)
        layout.addWidget(self.message)
        self.value: Path | None = None
        self.choose_button.clicked.connect(self.choose)
        self.clear_button.clicked.connect(lambda: self.set_path(None))
        self.path.editingFinished.connect(lambda: self.set_path(self.path.text()))

    @property
    def valid(self) -> bool:
        """Empty, or a file the core accepts."""
        return not self.path.text().strip() or self.value is not None

    def choose(self) -> None:
        start = str(self.value.parent) if self.value is not None else str(Path.home())
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose your certificate authority's certificate"),
            start,
            self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        if chosen:
            self.set_path(chosen)

    def set_path(self, text: str | Path | None) -> None:
        """Check and take `text` (None or empty: no extra CA); emits `changed` when it changes."""
        raw = str(text).strip() if text is not None else ""
        if self.path.text() != raw:
            self.path.setText(raw)
        self.clear_button.setEnabled(bool(raw))
        new: Path | None = None
        if raw:
            path = Path(raw).expanduser()
            problem = ca_file_problem(path)
            if problem is not None:
                self.message.show_lines(Tone.ERROR, [problem])
            else:
                new = path
                self.message.show_lines(
                    Tone.OK,
                    [
                        self.tr(
                            "This assistant trusts certificates signed by this CA. Okta does not: "
                            "it connects only to servers with a certificate from a public CA."
                        )
                    ],
                )
        else:
            self.message.show_lines(Tone.NEUTRAL, [])
        if new != self.value or (raw and new is None):
            self.value = new
            self.changed.emit(new)
