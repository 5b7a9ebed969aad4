"""`CopyButton`: copies a value to the clipboard; a secret is cleared again after a short while.

The clipboard is cleared only if it still holds what was copied, so the admin's own later copy is
never wiped. `flush()` clears at once (the wizard calls it when it closes).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton, QWidget

#: How long a copied secret stays on the clipboard.
SECRET_CLIPBOARD_SECONDS = 30.0


class CopyButton(QPushButton):
    """Copies `value()` when clicked; `secret=True` clears the clipboard after `clear_after` s."""

    def __init__(
        self,
        value: Callable[[], str],
        accessible_name: str,
        *,
        secret: bool = False,
        clear_after: float = SECRET_CLIPBOARD_SECONDS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Copy"), parent)
        self._value = value
        self._secret = secret
        self._copied: str | None = None
        self.setAccessibleName(accessible_name)
        if secret:
            self.setToolTip(
                self.tr("Copy; the clipboard is cleared again after {0} seconds").format(
                    round(clear_after)
                )
            )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(round(clear_after * 1000))
        self._timer.timeout.connect(self.flush)
        self.clicked.connect(self.copy)

    def copy(self) -> None:
        text = self._value()
        if not text:
            return
        QGuiApplication.clipboard().setText(text)
        self.setText(self.tr("Copied"))
        if self._secret:
            self._copied = text
            self._timer.start()

    def flush(self) -> None:
        """Clear the clipboard now if it still holds the copied secret."""
        self._timer.stop()
        copied, self._copied = self._copied, None
        self.setText(self.tr("Copy"))
        clipboard = QGuiApplication.clipboard()
        if copied is not None and clipboard.text() == copied:
            clipboard.clear()
