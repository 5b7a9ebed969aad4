"""Dialog titles are not cut off: every dialog is as wide as "<title> — SCIM Setup Assistant" in a
title-bar font, plus the title bar's buttons (the window manager cut the middle out before)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from app.gui.members.confirm_dialogs import OutcomeDialog, PasswordDialog, PrerequisitesDialog
from app.gui.members.confirm_login import Known, LoginDialog
from app.gui.widgets.browser import AddressDialog
from app.gui.widgets.window_title import center_on_screen, full_title, title_width

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _dialogs(parent: QWidget) -> list[QDialog]:
    return [
        PrerequisitesDialog(["The Bitwarden CLI is not logged in."], ["bw login"], parent),
        PasswordDialog(3, parent),
        LoginDialog(3, "https://bitwarden.example.com", Known(), parent),
        OutcomeDialog("Confirmed 2 of 3 members", [("1", "a@example.com", "Failed", "x")], parent),
        AddressDialog("https://vault.bitwarden.com/#/", parent),
    ]


def test_every_dialog_is_wide_enough_for_its_whole_title(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    for dialog in _dialogs(parent):
        dialog.show()
        qtbot.waitExposed(dialog)
        assert full_title(dialog).endswith("— SCIM Setup Assistant"), full_title(dialog)
        assert dialog.width() >= title_width(dialog), (full_title(dialog), dialog.width())
        dialog.close()


def test_a_window_larger_than_its_screen_is_shrunk_to_fit_or_else_kept_at_the_top_left(
    qtbot: QtBot,
) -> None:
    """Centred regardless, its title bar (and the window manager's buttons) went off the screen."""
    window = QWidget()
    qtbot.addWidget(window)
    area = window.screen().availableGeometry()
    window.resize(area.width() + 300, area.height() + 300)
    center_on_screen(window)
    assert window.width() <= area.width()
    assert window.height() <= area.height()
    assert abs(window.frameGeometry().center().x() - area.center().x()) <= 2

    window.setMinimumSize(area.width() + 200, 100)
    center_on_screen(window)
    assert window.width() == area.width() + 200
    assert window.frameGeometry().left() == area.left()
    assert window.frameGeometry().top() >= area.top()
