"""QApplication setup: names (for QSettings and the desktop), high-DPI policy, icon, native style.

The style is left native on purpose: the wizard should look like the admin's other dialogs on each
OS.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app import APP_NAME, DESKTOP_ID, ORG_NAME, __version__
from app.gui.icons import app_icon


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """Return the process's QApplication, creating and configuring it on first call."""
    existing = QCoreApplication.instance()
    if isinstance(existing, QApplication):
        configure(existing)
        return existing
    # Must be set before the application exists; fractional scaling (150 %) then stays crisp.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    configure(app)
    return app


def configure(app: QApplication) -> None:
    """Names and icon; idempotent, so tests can apply it to pytest-qt's application."""
    app.setOrganizationName(ORG_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    # The desktop entry's name (without .desktop): Wayland matches windows to it, for the icon too.
    app.setDesktopFileName(DESKTOP_ID)
    app.setWindowIcon(app_icon())
