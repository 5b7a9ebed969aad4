"""`open_in_browser`: open a web page, or say so and offer the address to copy.

`QDesktopServices.openUrl` returns False when no browser can be started (a server without a
desktop, a sandboxed session, no `xdg-open`), and Qt only writes a warning to stderr: the admin
would click "Open in Admin Console" or a help link and see nothing happen. The address is then
shown as plain text, selected, with a Copy button.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.gui.widgets.copy_button import CopyButton
from app.gui.widgets.window_title import fit_title


def open_in_browser(url: str, parent: QWidget | None = None) -> bool:
    """Open `url` in the browser; when that fails, show `AddressDialog` (not blocking)."""
    if QDesktopServices.openUrl(QUrl(url)):
        return True
    dialog = AddressDialog(url, parent)
    dialog.open()
    return False


class AddressDialog(QDialog):
    """No browser could be opened: the address, to copy into one."""

    def __init__(self, url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("address_dialog")
        self.setWindowTitle(self.tr("Open in your browser"))
        self.setMinimumWidth(520)
        fit_title(self)
        layout = QVBoxLayout(self)
        explanation = QLabel(
            self.tr(
                "No web browser could be opened from this program. Copy this address and open "
                "it in your browser:"
            ),
            self,
        )
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        self.address = QLineEdit(url, self)  # plain text: a line edit shows no markup
        self.address.setReadOnly(True)
        self.address.setAccessibleName(self.tr("Address"))
        self.address.selectAll()
        layout.addWidget(self.address)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = CopyButton(self.address.text, self.tr("Copy the address"), parent=self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.copy_button.setDefault(True)
        self.copy_button.setFocus()
        from PySide6.QtCore import Qt

        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
