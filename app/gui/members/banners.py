"""In-window banners and the desktop notification (with a banner where the desktop has no tray)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QSystemTrayIcon,
    QToolButton,
    QWidget,
)

from app.core.outside_text import clean
from app.gui.widgets.plain_text import notification_text

#: The most a banner shows (a sentence or two; a member's name inside is capped already).
BANNER_LIMIT = 600


_COLOURS = {
    "info": ("#e8f1fb", "#2f6db5"),
    "warning": ("#fff4d6", "#a86b00"),
    "error": ("#fde8e8", "#b3261e"),
    "success": ("#e6f4ea", "#1e7b34"),
}


class Banner(QFrame):
    """A coloured strip with a message, an optional action and a close button."""

    action_clicked = Signal()

    def __init__(self, kind: str, parent: QWidget | None = None, *, closable: bool = True) -> None:
        super().__init__(parent)
        background, border = _COLOURS[kind]
        self.kind = kind
        self.setObjectName(f"banner_{kind}")
        self.setStyleSheet(
            f"#banner_{kind} {{ background: {background}; border: 1px solid {border}; "
            f"border-radius: 4px; }} #banner_{kind} QLabel {{ color: #1f1f1f; }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.action = QPushButton(self)
        self.action.setVisible(False)
        self.action.clicked.connect(self.action_clicked.emit)
        layout.addWidget(self.action, 0, Qt.AlignmentFlag.AlignTop)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.setAccessibleName(self.tr("Dismiss"))
        self.close_button.clicked.connect(self.hide)
        self.close_button.setVisible(closable)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, action: str | None = None) -> None:
        text = clean(text, BANNER_LIMIT)  # may name a member; the label is plain text
        self.label.setText(text)
        self.setAccessibleName(text)
        self.action.setVisible(action is not None)
        if action is not None:
            self.action.setText(action)
            self.action.setAccessibleName(action)
        self.show()

    def text(self) -> str:
        return self.label.text()


class Notifier(QObject):
    """Tells the admin something happened while they looked elsewhere.

    A desktop notification (`QSystemTrayIcon.showMessage`) where the desktop has a tray, and
    always the window's banner too, so the message is never lost.
    """

    notified = Signal(str, str)  # title, text

    def __init__(self, banner: Banner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._banner = banner
        self._tray: QSystemTrayIcon | None = None

    @property
    def uses_tray(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()

    def notify(self, title: str, text: str, *, action: str | None = None) -> None:
        if self.uses_tray:
            if self._tray is None:
                icon = QApplication.windowIcon()
                if icon.isNull():
                    style = QApplication.style()
                    icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
                self._tray = QSystemTrayIcon(QIcon(icon), self)
                self._tray.setToolTip(title)
                self._tray.show()
            # A member's name reaches the notification daemon: escaped where it reads markup.
            self._tray.showMessage(
                notification_text(title),
                notification_text(text),
                QSystemTrayIcon.MessageIcon.Information,
                10_000,
            )
        self._banner.show_message(text, action)
        self.notified.emit(title, text)
