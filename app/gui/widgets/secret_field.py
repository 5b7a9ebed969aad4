"""`SecretField`: a masked, paste-friendly line edit with a reveal toggle.

The text is masked by default. "Show" reveals it for checking a paste and hides it again when the
field loses focus, so a revealed key does not stay on screen by accident.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QToolButton, QWidget


class SecretField(QWidget):
    """A password-style QLineEdit plus a checkable Show button."""

    textChanged = Signal(str)  # noqa: N815 - mirrors QLineEdit's signal name

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(accessible_name)
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self.textChanged)
        self.edit.installEventFilter(self)
        self.reveal = QToolButton(self)
        self.reveal.setCheckable(True)
        self.reveal.setText(self.tr("Show"))
        self.reveal.setAccessibleName(self.tr("Show {0}").format(accessible_name))
        self.reveal.setToolTip(self.tr("Show or hide the characters"))
        self.reveal.toggled.connect(self._set_revealed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.reveal)
        self.setFocusProxy(self.edit)
        self._notes: list[str] = []

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        self.edit.setText(text)

    def show_cleaned(self, cleaned: str, notes: list[str]) -> bool:
        """Replace a paste with its cleaned form (the core's `KeyCheck.cleaned`), so the field
        shows exactly the key that is kept; `notes` (what was removed) stay readable through
        `cleaned_notes` until the field is emptied. True when the text was replaced.

        Nothing but a prefix or spaces so far (someone typing "Bearer "): left as it is."""
        text = self.edit.text()
        if not text:
            self._notes = []
        if not cleaned or cleaned == text:
            return False
        self._notes = list(notes)
        self.edit.setText(cleaned)  # re-enters the owner's textChanged handler once
        return True

    def cleaned_notes(self) -> tuple[str, ...]:
        """What the last `show_cleaned` removed from this field's text."""
        return tuple(self._notes)

    def is_revealed(self) -> bool:
        return self.edit.echoMode() == QLineEdit.EchoMode.Normal

    def _set_revealed(self, revealed: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if revealed else QLineEdit.EchoMode.Password
        self.edit.setEchoMode(mode)
        self.reveal.setText(self.tr("Hide") if revealed else self.tr("Show"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.edit
            and event.type() == QEvent.Type.FocusOut
            and not self.reveal.hasFocus()
        ):
            self.reveal.setChecked(False)
        return super().eventFilter(watched, event)
