"""The flow layout wraps a row of buttons instead of widening its window, and the members window
fits a small screen with every button whole and apart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.gui.demo import Demo
from app.gui.widgets.flow_layout import FlowLayout
from tests.gui.test_members_menu import open_window
from tests.gui.test_members_window import save_profile

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _row(qtbot: QtBot, count: int) -> tuple[QWidget, list[QPushButton]]:
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = FlowLayout(holder, spacing=4)
    buttons = [QPushButton(f"Button number {i}", holder) for i in range(count)]
    for button in buttons:
        layout.addWidget(button)
    return holder, buttons


def _lines(buttons: list[QPushButton]) -> int:
    return len({button.geometry().top() for button in buttons})


def test_a_wide_row_keeps_to_one_line_and_a_narrow_one_wraps_without_overlap(qtbot: QtBot) -> None:
    holder, buttons = _row(qtbot, 6)
    layout = holder.layout()
    assert layout is not None
    widest = max(button.sizeHint().width() for button in buttons)
    assert layout.minimumSize().width() == widest
    one_line = layout.sizeHint().width()
    assert one_line == sum(b.sizeHint().width() for b in buttons) + 4 * 5

    layout.setGeometry(QRect(0, 0, one_line, 100))
    assert _lines(buttons) == 1

    narrow = widest * 2 + 4
    layout.setGeometry(QRect(0, 0, narrow, 400))
    assert _lines(buttons) == 3
    assert layout.heightForWidth(narrow) > layout.heightForWidth(one_line)
    for i, button in enumerate(buttons):
        assert button.geometry().right() < narrow
        for other in buttons[i + 1 :]:
            assert not button.geometry().intersects(other.geometry())


def test_hidden_items_take_no_room(qtbot: QtBot) -> None:
    holder, buttons = _row(qtbot, 3)
    layout = holder.layout()
    assert layout is not None
    full = layout.sizeHint().width()
    buttons[1].setVisible(False)
    assert layout.sizeHint().width() == full - buttons[1].sizeHint().width() - 4


def test_the_members_window_fits_an_800_pixel_screen_with_every_button_whole(
    qtbot: QtBot, demo: Demo
) -> None:
    """It asked for 1,163 px when its chips and buttons were one unbreakable row each."""
    name = save_profile(demo.ctx, provision=False)
    window = open_window(qtbot, demo.ctx, name, demo)
    qtbot.waitExposed(window)
    least = window.minimumSizeHint().width()
    assert least <= 700, least
    window.resize(least, 600)
    qtbot.waitUntil(lambda: window.width() == least)
    central = window.centralWidget()
    assert central is not None
    shown = [b for b in central.findChildren(QPushButton) if b.isVisibleTo(window)]
    assert len(shown) >= 10
    boxes = [QRect(b.mapTo(central, b.rect().topLeft()), b.size()) for b in shown]
    for i, box in enumerate(boxes):
        assert central.rect().contains(box), (shown[i].text(), box)
        assert box.width() >= shown[i].minimumSizeHint().width(), shown[i].text()
        for j in range(i + 1, len(boxes)):
            assert not box.intersects(boxes[j]), (shown[i].text(), shown[j].text())
