"""The wizard is keyboard-complete: the demo's whole setup with Tab, Space and Alt shortcuts only.

Every key goes to the widget that has the focus, as the keyboard's keys do; no widget is clicked
or given the focus by the test. The window is made active first (the offscreen platform supports
activation), so focus and mnemonics behave as on a desktop.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget, QWizard
from pytestqt.qtbot import QtBot

from app.core.profiles import SetupStep
from app.gui.demo import Demo
from app.gui.wizard.assignments import AssignmentsPage
from app.gui.wizard.okta_api import OktaApiPage
from app.gui.wizard.okta_app import OktaAppPage
from app.gui.wizard.okta_to_app import OktaToAppPage
from app.gui.wizard.public_api import PublicApiPage
from app.gui.wizard.save import SavePage
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

#: More Tab presses than any page has controls: a control never reached is a failure.
_MAX_TABS = 60


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """One key, to whichever widget has the keyboard focus."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    QTest.keyClick(target, key, modifier)


def tab_to(widget: QWidget) -> None:
    """Press Tab until `widget` has the focus, as someone without a mouse does."""
    visited: list[str] = []
    for _ in range(_MAX_TABS):
        focus = QApplication.focusWidget()
        if focus is widget:
            return
        visited.append(_name(focus))
        press(Qt.Key.Key_Tab)
    route = " → ".join(dict.fromkeys(visited))
    pytest.fail(f"Tab never reaches {_name(widget)}; it visits {route}")


def _name(widget: QWidget | None) -> str:
    if widget is None:
        return "nothing"
    return f"{type(widget).__name__} {widget.accessibleName() or widget.objectName()!r}"


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """Tab to a button or checkbox once it is enabled, and press Space."""
    qtbot.waitUntil(widget.isEnabled, timeout=WAIT_MS)
    tab_to(widget)
    press(Qt.Key.Key_Space)


def next_page(qtbot: QtBot, wizard: SetupWizard, expected: SetupStep) -> None:
    """Alt+N, the Next button's shortcut, once the page allows it."""
    qtbot.waitUntil(wizard.button(QWizard.WizardButton.NextButton).isEnabled, timeout=WAIT_MS)
    press(Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: wizard.current_step() is expected, timeout=WAIT_MS)


def test_the_demo_setup_needs_no_mouse(qtbot: QtBot, demo: Demo) -> None:
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.activateWindow()
    assert QTest.qWaitForWindowActive(wizard, WAIT_MS)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=WAIT_MS)

    # The demo prefills the deployment (the sandbox is self-hosted), the server's check, the SCIM
    # URL and the key: Next is all these pages need.
    next_page(qtbot, wizard, SetupStep.SELF_HOSTED)
    next_page(qtbot, wizard, SetupStep.ENABLE_SCIM)
    next_page(qtbot, wizard, SetupStep.SAVE)

    save = wizard.currentPage()
    assert isinstance(save, SavePage)
    activate(qtbot, save.save_button)
    next_page(qtbot, wizard, SetupStep.TEST)  # enabled once saved
    next_page(qtbot, wizard, SetupStep.OKTA_APP)  # enabled once the test passed

    okta_app = wizard.currentPage()
    assert isinstance(okta_app, OktaAppPage)
    for box in okta_app.checklist.boxes:
        activate(qtbot, box)
        assert box.isChecked(), box.text()
    next_page(qtbot, wizard, SetupStep.OKTA_API)

    okta_api = wizard.currentPage()
    assert isinstance(okta_api, OktaApiPage)
    activate(qtbot, okta_api.done_box)
    next_page(qtbot, wizard, SetupStep.OKTA_TO_APP)

    to_app = wizard.currentPage()
    assert isinstance(to_app, OktaToAppPage)
    activate(qtbot, to_app.done_box)
    next_page(qtbot, wizard, SetupStep.ASSIGNMENTS)

    assignments = wizard.currentPage()
    assert isinstance(assignments, AssignmentsPage)
    activate(qtbot, assignments.assigned)  # the demo now plays Okta
    next_page(qtbot, wizard, SetupStep.PUBLIC_API)  # enabled once people arrived

    public_api = wizard.currentPage()
    assert isinstance(public_api, PublicApiPage)
    activate(qtbot, public_api.verify_button)
    next_page(qtbot, wizard, SetupStep.FINISH)

    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.text() == "&Open the members window"
    with qtbot.waitSignal(wizard.members_requested, timeout=WAIT_MS) as requested:
        press(Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert requested.args == ["Demo organization"]
    assert not wizard.isVisible()
