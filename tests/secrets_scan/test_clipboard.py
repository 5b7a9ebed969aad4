"""A copied secret leaves the clipboard by itself: the copy button's timer clears it, but never an
unrelated text the admin copied meanwhile."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.gui.widgets.copy_button import CopyButton

SECRET = "Qm4pX7tR2wZ9vB1nL5kJ8hG3fD6sA0"

# No display in CI or a terminal session: Qt's offscreen platform has a working clipboard.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def clipboard(qapp: QApplication) -> Iterator[None]:
    board = QGuiApplication.clipboard()
    board.clear()
    yield
    board.clear()


@pytest.mark.timeout(30)
def test_a_copied_secret_is_cleared_by_the_timer(qtbot: QtBot, clipboard: None) -> None:
    button = CopyButton(lambda: SECRET, "Copy the API Token", secret=True, clear_after=0.2)
    qtbot.addWidget(button)
    button.click()
    assert QGuiApplication.clipboard().text() == SECRET
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "", timeout=5000)
    assert button.text() == "Copy"


@pytest.mark.timeout(30)
def test_the_admin_s_own_later_copy_is_kept(qtbot: QtBot, clipboard: None) -> None:
    button = CopyButton(lambda: SECRET, "Copy the API Token", secret=True, clear_after=0.2)
    qtbot.addWidget(button)
    button.click()
    QGuiApplication.clipboard().setText("something else")
    with qtbot.waitSignal(button._timer.timeout, timeout=5000):
        pass
    assert QGuiApplication.clipboard().text() == "something else"


@pytest.mark.timeout(30)
def test_flush_clears_at_once(qtbot: QtBot, clipboard: None) -> None:
    button = CopyButton(lambda: SECRET, "Copy the API Token", secret=True)
    qtbot.addWidget(button)
    button.copy()
    assert QGuiApplication.clipboard().text() == SECRET
    button.flush()  # the wizard closing
    assert QGuiApplication.clipboard().text() == ""
