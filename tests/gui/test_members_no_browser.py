"""The members window's "Open in Admin Console" when no browser opens: the address, to copy."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from app.gui.demo import Demo
from app.gui.widgets.browser import AddressDialog
from tests.gui.conftest import click
from tests.gui.test_members_menu import open_window
from tests.gui.test_members_window import save_profile

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


def test_open_in_admin_console_without_a_browser_offers_the_address(
    qtbot: QtBot, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def no_browser(url: QUrl) -> bool:  # a mock: this machine may well have a browser
        opened.append(url.toString())
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(no_browser))
    name = save_profile(demo.ctx, provision=False)
    window = open_window(qtbot, demo.ctx, name, demo)
    click(qtbot, window.console_button)
    expected = window.admin_console_url()
    assert expected is not None
    assert opened == [expected]
    dialog = window.findChild(AddressDialog)
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.address.text() == expected
    assert dialog.address.selectedText() == expected
    dialog.close()
