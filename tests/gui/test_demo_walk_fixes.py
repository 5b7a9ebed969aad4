"""What a new admin met walking the demo on a real display (1024x768, keyboard only)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget, QWizard
from pytestqt.qtbot import QtBot

from app.core.profiles import SetupStep
from app.gui.demo import Demo
from app.gui.wizard.okta_app import OktaAppPage
from app.gui.wizard.okta_apply import ASSIGN_COLUMN
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS, click, next_to_save, tick
from tests.gui.test_wizard_okta_apply import _idle, _load, _tick, _to_assignments

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _demo_okta_app_page(qtbot: QtBot, demo: Demo) -> OktaAppPage:
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    save = next_to_save(qtbot, wizard)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    click(qtbot, save.save_button)
    click(qtbot, nxt)
    click(qtbot, nxt)
    assert wizard.current_step() is SetupStep.OKTA_APP
    page = wizard.currentPage()
    assert isinstance(page, OktaAppPage)
    return page


def test_the_demos_service_app_is_filled_in_like_its_token(qtbot: QtBot, demo: Demo) -> None:
    """Choosing "Service app (OAuth)" in the demo found empty fields and no way on: the demo
    plays Okta, so its registered service app is filled in as its API token is."""
    page = _demo_okta_app_page(qtbot, demo)
    box = page.connection
    assert box.token_choice.isChecked()  # the token stays the demo's first choice
    info = demo.ctx.sandbox_info
    assert info is not None
    tick(box.service_choice)
    service = box.service
    assert service.client_id.text() == info["okta_client_id"]
    assert service.key_id.text() == info["okta_key_id"]
    assert service.key.toPlainText() == ""  # the key is kept, not shown
    assert "demo's private key" in service.key.placeholderText()
    click(qtbot, page.okta.run_button)
    qtbot.waitUntil(lambda: not page.okta.busy, timeout=WAIT_MS)
    assert page.okta.page_verified()
    assert page.wizard().button(QWizard.WizardButton.NextButton).isEnabled()
    app = page.state.okta_service_app
    assert app is not None
    assert app.client_id == info["okta_client_id"]


def _keyboard_press(qtbot: QtBot, button: QWidget) -> None:
    """Focus `button` and press Space on it, as Tab then Space does."""
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(button.hasFocus, timeout=WAIT_MS)
    QTest.keyClick(button, Qt.Key.Key_Space)


def test_the_keyboard_follows_choose_review_apply(qtbot: QtBot, demo: Demo) -> None:
    """Each button is disabled while Okta is read, and Qt moved the focus off it: after Choose
    groups… the next Tab landed on the page's first checkbox, far above. The focus now goes on to
    the next step: the first tick, then Apply."""
    wizard, page = _to_assignments(qtbot, demo)
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=WAIT_MS)
    panel = page.apply_panel
    _keyboard_press(qtbot, panel.load_button)
    qtbot.waitUntil(lambda: bool(panel.boxes) and not panel.busy, timeout=WAIT_MS)
    first = panel.boxes[0][0]
    assert QApplication.focusWidget() is first
    QTest.keyClick(first, Qt.Key.Key_Space)
    assert first.isChecked()
    _keyboard_press(qtbot, panel.review_button)
    qtbot.waitUntil(lambda: panel.plan is not None and not panel.busy, timeout=WAIT_MS)
    assert panel.apply_button.isVisible()
    assert QApplication.focusWidget() is panel.apply_button
    QTest.keyClick(panel.apply_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: panel.result is not None and not panel.busy, timeout=WAIT_MS)
    focus = QApplication.focusWidget()
    assert focus is not None
    assert panel.isAncestorOf(focus)
    assert focus.isVisible()
    assert focus.isEnabled()


def _small_okta_app_page(qtbot: QtBot, demo: Demo) -> tuple[OktaAppPage, QScrollArea]:
    """The demo's Okta page with the service app chosen, in a window at its least size."""
    page = _demo_okta_app_page(qtbot, demo)
    wizard = page.wizard()
    tick(page.connection.service_choice)  # the longer choice; Okta is read with it
    qtbot.waitUntil(lambda: not page.okta.busy, timeout=WAIT_MS)
    wizard.resize(wizard.minimumSizeHint())
    scroll = page.findChild(QScrollArea)
    assert scroll is not None
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0, timeout=WAIT_MS)
    scroll.verticalScrollBar().setValue(0)
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=WAIT_MS)
    return page, scroll


def _in_sight(scroll: QScrollArea, widget: QWidget) -> bool:
    viewport = scroll.viewport()
    top_left = widget.mapTo(viewport, widget.rect().topLeft())
    bottom_right = widget.mapTo(viewport, widget.rect().bottomRight())
    return viewport.rect().contains(top_left) and viewport.rect().contains(bottom_right)


def test_alt_o_out_of_sight_brings_the_check_and_its_result_into_sight(
    qtbot: QtBot, demo: Demo
) -> None:
    """At 1024x768 the Okta page scrolls; Alt+O ran "Check in Okta" out of sight below, and its
    result appeared there: the key seemed to do nothing. The page now scrolls to it."""
    page, scroll = _small_okta_app_page(qtbot, demo)
    button = page.okta.run_button
    assert not _in_sight(scroll, button)
    focus = QApplication.focusWidget()
    assert focus is not None
    with qtbot.waitSignal(button.clicked, timeout=WAIT_MS):  # the key runs the check
        QTest.keyClick(focus, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not page.okta.busy, timeout=WAIT_MS)
    assert page.okta.page_verified()
    # the button and every line of its result
    qtbot.waitUntil(lambda: _in_sight(scroll, page.okta), timeout=WAIT_MS)
    assert _in_sight(scroll, button)


def test_the_focus_comes_back_to_a_check_button_pressed_with_space(
    qtbot: QtBot, demo: Demo
) -> None:
    """The button is grey while Okta is read, and Qt moved the keyboard focus off it, back up the
    page: the next Tab started from there. It now comes back to the button."""
    page, _scroll = _small_okta_app_page(qtbot, demo)
    button = page.okta.run_button
    _keyboard_press(qtbot, button)
    qtbot.waitUntil(lambda: not page.okta.busy, timeout=WAIT_MS)
    assert page.okta.page_verified()
    assert button.hasFocus()


def test_an_alt_shortcut_to_a_field_out_of_sight_scrolls_to_it(qtbot: QtBot, demo: Demo) -> None:
    """A scroll area follows Tab but not a label's Alt shortcut: Alt+D put the cursor in the Key
    ID field below the visible part, where the typing could not be seen."""
    page, scroll = _small_okta_app_page(qtbot, demo)
    field = page.connection.service.key_id
    assert not _in_sight(scroll, field)
    focus = QApplication.focusWidget()
    assert focus is not None
    QTest.keyClick(focus, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert field.hasFocus()
    assert _in_sight(scroll, field)


def test_in_okta_now_shows_what_the_apply_did(qtbot: QtBot, demo: Demo) -> None:
    """After Apply said "Done: Okta shows every change", the table still said "—" under "In Okta
    now" for the group just assigned: the page contradicted itself."""
    _wizard, page = _to_assignments(qtbot, demo)
    panel = page.apply_panel
    _load(qtbot, panel)
    row = next(n for n, g in enumerate(panel.groups) if g.name == "Everyone")
    item = panel.table.topLevelItem(row)
    assert item is not None
    assert item.text(3) == "—"
    _tick(panel, "Everyone", ASSIGN_COLUMN)
    click(qtbot, panel.review_button)
    _idle(qtbot, panel)
    click(qtbot, panel.apply_button)
    _idle(qtbot, panel)
    assert panel.status.plain.startswith("Done: Okta shows every change.")
    assert item.text(3) == "assigned"
    assert panel.groups[row].assigned


def test_about_in_the_demo_does_not_call_its_keyring_the_os_keyring(demo: Demo) -> None:
    """Help → About said "Secrets: the OS keyring (In-memory keyring — demo only, …)"."""
    secrets = dict(demo.ctx.file_locations())["Secrets"]
    assert secrets.startswith("In-memory keyring")
    assert "nothing reaches the OS keyring" in secrets


def test_the_scopes_field_shows_its_start_when_narrow(qtbot: QtBot, demo: Demo) -> None:
    """At the window's least size the read-only scopes field showed its end, the first scope cut
    to "a.apps.read"."""
    page, _scroll = _small_okta_app_page(qtbot, demo)
    scopes = page.connection.service.scopes
    assert scopes.fontMetrics().horizontalAdvance(scopes.text()) > scopes.width()  # it is narrow
    assert scopes.cursorPosition() == 0
    assert scopes.cursorRect().left() < scopes.width() // 4  # the text starts at the left edge
