"""`fit_title`: a dialog wide enough for the window manager to show its whole title.

On Linux, Qt shows a window's title as "<title> — <application display name>", and a window
manager cuts what does not fit in the title bar in the middle: a narrow dialog read "Before you can
con…M Setup Assistant". The dialog is made at least as wide as that text in a title-bar font plus
the title bar's buttons. `center_on_screen` places a main window in the middle of its screen;
`fit_message_box` does the same for a question box, which also needs a readable width.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QGridLayout, QMessageBox, QSizePolicy, QSpacerItem, QWidget

#: Room for the title bar's icon and its buttons (close, maximize, minimize), in logical pixels.
TITLE_BAR_BUTTONS = 160


def full_title(window: QWidget) -> str:
    """The title as the window manager shows it."""
    name = QGuiApplication.applicationDisplayName()
    title = window.windowTitle()
    return f"{title} — {name}" if name and name != title else title


def title_width(window: QWidget) -> int:
    """The width the whole title needs, in a bold title-bar font a little larger than the text's."""
    font = QFont(window.font())
    font.setBold(True)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * 1.15)
    return QFontMetrics(font).horizontalAdvance(full_title(window)) + TITLE_BAR_BUTTONS


def fit_title(window: QWidget) -> None:
    """Make `window` at least as wide as its whole title (call after `setWindowTitle`)."""
    needed = title_width(window)
    if window.minimumWidth() < needed:
        window.setMinimumWidth(needed)


def center_on_screen(window: QWidget) -> None:
    """Move `window` (its frame) to the middle of the available area of its screen.

    A window larger than the screen is first made smaller to fit (not below its least size);
    one that still does not fit goes to the top left corner: its title bar, and the window
    manager's buttons on it, must stay on the screen.
    """
    area = window.screen().availableGeometry()
    frame = window.frameGeometry()
    border = frame.size() - window.size()  # the window manager's frame (none before it is mapped)
    room = area.size() - border
    if window.width() > room.width() or window.height() > room.height():
        window.resize(window.size().boundedTo(room).expandedTo(window.minimumSizeHint()))
        frame = window.frameGeometry()
    frame.moveCenter(area.center())
    window.move(max(frame.left(), area.left()), max(frame.top(), area.top()))


#: A question box narrower than this wraps a short bullet list into a column of fragments.
MESSAGE_BOX_WIDTH = 460


def fit_message_box(box: QMessageBox, width: int = MESSAGE_BOX_WIDTH) -> None:
    """Make a `QMessageBox` at least `width` wide and wide enough for its whole title.

    A message box fixes its own size from its layout when shown (`setMinimumWidth` is overridden),
    so the width goes in as a spacer across the bottom of its grid layout.
    """
    layout = box.layout()
    if not isinstance(layout, QGridLayout):
        return
    needed = max(width, title_width(box))
    spacer = QSpacerItem(needed, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Minimum)
    layout.addItem(spacer, layout.rowCount(), 0, 1, layout.columnCount())
