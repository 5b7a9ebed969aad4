"""Issue 16's cosmetics, measured: the About dialog has no empty band, the close question is wide
enough for its list and its title, and the Invitation column stays whole beside the details panel.

Before/after pictures (offscreen and xcb under openbox) are in the h4 note; these are the numbers
behind them.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.members.rows import Column, RowStatus
from app.gui.members.window import MembersWindow
from app.gui.screenshots import MEMBERS_SIZE, WIZARD_SIZE
from app.gui.widgets.about import show_about
from app.gui.widgets.window_title import MESSAGE_BOX_WIDTH, title_width
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS
from tests.gui.test_members_window import PROFILE, save_profile

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


def test_the_about_dialog_is_as_tall_as_its_text(qtbot: QtBot, admin_context: AppContext) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    dialog = show_about(parent, admin_context.file_locations())
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    last = max(
        (label for label in dialog.findChildren(QLabel) if label.isVisible()),
        key=lambda label: label.geometry().bottom(),
    )
    # Before: 405 px tall, a 180 px empty band above Close (the hint of lines wrapped at 328 px).
    qtbot.waitUntil(
        lambda: buttons.geometry().top() - last.geometry().bottom() < 30, timeout=WAIT_MS
    )
    layout = dialog.layout()
    assert layout is not None
    assert dialog.height() <= layout.totalHeightForWidth(dialog.width()) + 2
    dialog.close()


def test_the_close_question_shows_each_unsaved_item_on_one_line_and_its_whole_title(
    qtbot: QtBot, admin_context: AppContext
) -> None:
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    wizard.resize(*WIZARD_SIZE)
    wizard.show()
    lost = ["The SCIM API key is not saved yet.", "A check is still running."]
    box = wizard.discard_question(lost)
    box.show()
    qtbot.waitUntil(box.isVisible, timeout=WAIT_MS)
    # Before: 241 px wide; "The SCIM API key is not / saved yet." and "Close the s… Assistant".
    assert box.width() >= max(MESSAGE_BOX_WIDTH, title_width(box))
    details = next(label for label in box.findChildren(QLabel) if lost[0] in label.text())
    lines = details.text().count("\n") + 1
    margins = details.contentsMargins()
    one_line_each = (
        lines * details.fontMetrics().lineSpacing() + margins.top() + margins.bottom() + 4
    )
    assert details.heightForWidth(details.width()) <= one_line_each
    box.done(0)


def test_the_invitation_column_is_whole_beside_the_details_panel(
    qtbot: QtBot, demo_context: AppContext, demo: Demo
) -> None:
    save_profile(demo_context)
    window = MembersWindow(demo_context, PROFILE)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):
        window.show()
    # After it is shown: on first show it shrinks to fit the test's 800 px screen.
    window.resize(*MEMBERS_SIZE)
    window.show_status(RowStatus.INVITED)
    with qtbot.waitSignal(window.details_shown, timeout=WAIT_MS):
        window.table.setCurrentIndex(window.filter.index(0, 0))
    assert window.details.isVisible()
    header = window.table.horizontalHeader()
    column = int(Column.INVITATION)
    start = header.sectionViewportPosition(column)
    width = header.sectionSize(column)
    # Before: it started at 1,050 px in a table 800 px wide, out of sight to the right.
    assert start >= 0
    assert start + width <= window.table.viewport().width()
    widest = window.table.fontMetrics().horizontalAdvance("expires in about 5 days")
    assert width >= widest + 8
    # Outside text that does not fit is elided in the cell and whole in its tooltip.
    email = window.filter.index(0, int(Column.EMAIL))
    assert window.filter.data(email, 3)
