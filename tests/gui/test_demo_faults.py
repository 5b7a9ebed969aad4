"""The demo's "Seed an Okta fault" menu: each fault really changes the sandbox Okta org, the window
on screen checks Okta again and shows it with the fix, and the message says where to look. Only
in the demo; nothing can be seeded before the demo's sandbox runs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.demo_faults import Fault, OktaFaultMenu, faults
from app.gui.members.status_help import OKTA_ONLY
from app.gui.members.window import MembersWindow
from app.gui.wizard.okta_checks import OktaChecks
from app.gui.wizard.okta_to_app import OktaToAppPage
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS
from tests.gui.test_members_okta_side import _settle, _with_okta
from tests.gui.test_members_window import open_window, pytestmark, save_profile
from tests.gui.test_wizard_okta import _checked, _next, _row, _to_okta_app

__all__ = ["open_window", "pytestmark"]  # the fixture and the Qt log marks, shared


def _fault(name: str) -> Fault:
    return next(f for f in faults() if f.name == name)


def _seed(qtbot: QtBot, menu: OktaFaultMenu, name: str) -> QMessageBox:
    """Choose the fault in the menu as the admin would; the message it shows."""
    menu.aboutToShow.emit()
    [action] = [a for a in menu.actions() if a.text() == _fault(name).label]
    assert action.isEnabled()
    with qtbot.waitSignal(menu.seeded, timeout=WAIT_MS):
        action.trigger()
    assert menu.message is not None
    qtbot.waitUntil(menu.message.isVisible, timeout=WAIT_MS)
    return menu.message


def test_every_fault_of_the_sandbox_is_offered_in_words(demo: Demo) -> None:
    assert demo.sandbox is not None
    assert demo.sandbox.okta is not None
    assert [f.name for f in faults()] == list(demo.sandbox.okta.faults.table)
    assert all(f.label and f.shown.startswith(f.shown[0].upper()) for f in faults())


def test_the_wizard_page_on_screen_shows_the_fault_seeded_from_the_menu(
    qtbot: QtBot, demo: Demo
) -> None:
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.fault_menu is not None
    assert wizard.fault_menu.menuAction() in wizard.help_menu.actions()
    help_button = wizard.button(QWizard.WizardButton.HelpButton)
    assert "seed an Okta fault" in help_button.accessibleName()
    page = _to_okta_app(qtbot, wizard)
    _checked(qtbot, page.okta)
    while not isinstance(page, OktaToAppPage):
        page = _next(qtbot, wizard)  # type: ignore[assignment]
    checks = page.okta
    assert isinstance(checks, OktaChecks)
    _checked(qtbot, checks)
    assert _row(checks, "deactivate_users").startswith("✔")

    message = _seed(qtbot, wizard.fault_menu, "deactivate_users_off")
    # The page checks again by itself: Okta now says Deactivate Users is off, with the fix.
    qtbot.waitUntil(lambda: _row(checks, "deactivate_users").startswith("✘"), timeout=WAIT_MS)
    assert "\nFix: " in _row(checks, "deactivate_users")
    assert message.text().startswith("Seeded: To App: Deactivate Users is off.")
    assert "“Choose what Okta may do in Bitwarden”" in message.text()
    assert message.icon() == QMessageBox.Icon.Information
    message.close()
    wizard.close()


def test_the_members_window_reads_okta_again_and_shows_the_fault(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    _with_okta(demo_context)
    window = open_window(demo_context)
    _settle(qtbot, window.okta_side)
    assert window.okta_buttons[OKTA_ONLY].text() == "In Okta, not in Bitwarden (0)"
    menu = window.menus.fault_menu
    assert menu is not None
    assert window.menus.demo_menu is not None
    assert menu.menuAction() in window.menus.demo_menu.actions()

    message = _seed(qtbot, menu, "revoked_member_conflict")
    # Okta is read again at once, though the last read was seconds ago (not once a minute).
    qtbot.waitUntil(
        lambda: window.okta_buttons[OKTA_ONLY].text() == "In Okta, not in Bitwarden (1)",
        timeout=WAIT_MS,
    )
    assert "naming the revoked member" in message.text()
    message.close()


def test_nothing_is_seeded_before_the_sandbox_runs_or_outside_the_demo(
    qtbot: QtBot, demo: Demo, admin_context: AppContext
) -> None:
    seed, demo.ctx.seed_okta_fault = demo.ctx.seed_okta_fault, None  # as while it starts
    try:
        wizard = SetupWizard(demo.ctx, demo=demo)
        qtbot.addWidget(wizard)
        assert wizard.fault_menu is not None
        wizard.fault_menu.aboutToShow.emit()
        assert not any(a.isEnabled() for a in wizard.fault_menu.actions())
        wizard.fault_menu.seed(_fault("token_rotated"))
        assert not wizard.fault_menu.busy
    finally:
        demo.ctx.seed_okta_fault = seed
    wizard.fault_menu.aboutToShow.emit()
    assert all(a.isEnabled() for a in wizard.fault_menu.actions())

    real = SetupWizard(admin_context)
    qtbot.addWidget(real)
    assert real.fault_menu is None
    assert not any("Okta fault" in a.text() for a in real.help_menu.actions())
