"""Help → About and File → Quit (Ctrl+Q) in the wizard and the members window; the members window
opens centred on its screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget, QWizard
from pytestqt.qtbot import QtBot

from app import __version__
from app.core.secrets import SERVICE
from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.widgets.about import AboutDialog
from app.gui.wizard.wizard import SetupWizard
from tests.gui.test_members_menu import open_window
from tests.gui.test_members_window import save_profile

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


def _about_of(qtbot: QtBot, window: QWidget, actions: list[str]) -> AboutDialog:
    from PySide6.QtGui import QAction

    found = [a for a in window.findChildren(QAction) if a.text().replace("&", "") in actions]
    assert found, [a.text() for a in window.findChildren(QAction)]
    found[0].trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def _check_about(dialog: AboutDialog, ctx: AppContext) -> None:
    text = "\n".join(label.text() for label in dialog.findChildren(QLabel))
    assert __version__ in text
    assert "GPL-3.0-or-later" in text
    assert str(ctx.profiles.path) in text
    assert str(ctx.history.path) in text
    if ctx.demo:  # the demo's keyring is in memory: no service in the OS keyring
        assert "nothing reaches the OS keyring" in text
    else:
        assert f"service “{SERVICE}”" in text
    dialog.close()


def test_the_wizard_has_about_and_quit(qtbot: QtBot, admin_context: AppContext) -> None:
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    help_button = wizard.button(QWizard.WizardButton.HelpButton)
    assert isinstance(help_button, QPushButton)
    assert help_button.isVisible()
    assert help_button.text() == "Hel&p"
    menu = help_button.menu()
    assert menu is not None
    texts = [a.text() for a in menu.actions()]
    assert texts == ["&About SCIM Setup Assistant", "", "&Quit"]
    _check_about(_about_of(qtbot, wizard, ["About SCIM Setup Assistant"]), admin_context)

    assert QKeySequence("Ctrl+Q") in wizard.quit_action.shortcuts()
    wizard.activateWindow()
    assert QTest.qWaitForWindowActive(wizard)
    focus = QApplication.focusWidget()
    assert focus is not None
    QTest.keyClick(focus, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not wizard.isVisible()


def test_the_members_window_has_about_and_quit_and_opens_centred(qtbot: QtBot, demo: Demo) -> None:
    name = save_profile(demo.ctx, provision=False)
    window = open_window(qtbot, demo.ctx, name, demo)
    qtbot.waitExposed(window)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus[0] == "&File"
    assert "&Help" in menus
    dialog = _about_of(qtbot, window, ["About SCIM Setup Assistant"])
    _check_about(dialog, demo.ctx)

    screen = window.screen().availableGeometry()
    centre = window.frameGeometry().center()
    assert abs(centre.x() - screen.center().x()) <= 2, (centre, screen)
    assert abs(centre.y() - screen.center().y()) <= 2, (centre, screen)

    assert QKeySequence("Ctrl+Q") in window.menus.quit_action.shortcuts()
    window.menus.quit_action.trigger()
    assert not window.isVisible()
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]
