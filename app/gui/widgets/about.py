"""Help → About: the version, the licence, and where the program keeps its files.

`app_menus` gives a window File → Quit (Ctrl+Q: closes every window, each asking first if it has
unsaved work) and Help → About; the wizard and the members window both use it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMenu,
    QMenuBar,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__
from app.gui.widgets.messages import FittedLabel
from app.gui.widgets.window_title import fit_title

LICENCE = "GNU General Public License, version 3 or later (GPL-3.0-or-later)"


class AboutDialog(QDialog):
    """The version, the licence and `locations` (label, path or place), all as plain text."""

    def __init__(self, locations: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle(self.tr("About {0}").format(APP_NAME))
        layout = QVBoxLayout(self)
        heading = QLabel(f"{APP_NAME} {__version__}", self)
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        heading.setFont(font)
        layout.addWidget(heading)
        self.licence = _plain(
            self.tr(
                "Licence: {0}. No telemetry; nothing is sent without an action of yours."
            ).format(LICENCE),
            self,
        )
        layout.addWidget(self.licence)
        layout.addWidget(_plain(self.tr("Where it keeps its files:"), self))
        form = QFormLayout()
        self.locations: dict[str, QLabel] = {}
        for label, where in locations:
            value = _plain(where, self)
            self.locations[label] = value
            form.addRow(_plain(self.tr("{0}:").format(label), self, wrap=False), value)
        layout.addLayout(form)
        layout.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)
        fit_title(self)

    def fit_height(self) -> None:
        """As tall as the text at the dialog's width, no taller.

        A dialog's size hint lays wrapped lines out at a narrow guessed width (here 328 px, 405 px
        tall), so the dialog opened with an empty band above Close; the layout's height for the
        real width is the height the text needs.
        """
        layout, width = self.layout(), self.width()
        fits = layout is not None and layout.hasHeightForWidth()
        needed = layout.totalHeightForWidth(width) if fits and layout is not None else -1
        self.resize(width, max(needed, self.minimumSizeHint().height()))


def _plain(text: str, parent: QWidget, *, wrap: bool = True) -> QLabel:
    from PySide6.QtCore import Qt

    label = FittedLabel(text, parent) if wrap else QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # paths and names are shown as they are
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def quit_action(parent: QWidget) -> QAction:
    """File → Quit (Ctrl+Q): close every window; each may ask first, and may refuse."""
    action = QAction(QCoreApplication.translate("AppMenus", "&Quit"), parent)
    # The platform's Quit keys (none on some platforms) and Ctrl+Q, which every Linux desktop uses.
    keys = [*QKeySequence.keyBindings(QKeySequence.StandardKey.Quit), QKeySequence("Ctrl+Q")]
    action.setShortcuts(list(dict.fromkeys(keys)))
    action.setMenuRole(QAction.MenuRole.QuitRole)
    action.triggered.connect(QApplication.closeAllWindows)
    return action


def about_action(parent: QWidget, locations: Callable[[], list[tuple[str, str]]]) -> QAction:
    """Help → About: the dialog, built when asked (the locations may need the stores)."""
    action = QAction(QCoreApplication.translate("AppMenus", "&About {0}").format(APP_NAME), parent)
    action.setMenuRole(QAction.MenuRole.AboutRole)
    action.triggered.connect(lambda: show_about(parent, locations()))
    return action


def show_about(parent: QWidget, locations: list[tuple[str, str]]) -> AboutDialog:
    dialog = AboutDialog(locations, parent)
    from PySide6.QtCore import Qt, QTimer

    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    # The wrapped lines know their height only once laid out at a width: then fit to them.
    QTimer.singleShot(0, dialog, dialog.fit_height)
    return dialog


def app_menus(
    bar: QMenuBar, parent: QWidget, locations: Callable[[], list[tuple[str, str]]]
) -> tuple[QMenu, QMenu]:
    """Add File (Quit) and Help (About) to `bar`; returns both menus (Help to extend)."""
    file_menu = bar.addMenu(QCoreApplication.translate("AppMenus", "&File"))
    file_menu.addAction(quit_action(parent))
    help_menu = bar.addMenu(QCoreApplication.translate("AppMenus", "&Help"))
    help_menu.addAction(about_action(parent, locations))
    return file_menu, help_menu
