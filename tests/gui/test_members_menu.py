"""The members window's menus: the wizard on the right profile, and deleting a profile.

Against a live sandbox over HTTP, through `app.gui.launch.open_members` as the program opens it.
"""

from __future__ import annotations

from typing import cast

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from app.core.memory_keyring import MemoryKeyring
from app.core.profiles import SetupStep
from app.core.public_api import MemberStatus
from app.gui import launch
from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.members.source import ViewMode
from app.gui.members.window import MembersWindow
from app.gui.wizard.finish import FinishPage
from app.gui.wizard.public_api import PublicApiPage
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import (
    WAIT_MS,
    click,
    next_to_save,
    save_to_assignments,
    tick,
    type_text,
)
from tests.gui.test_members_window import PROFILE, save_profile

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

KEYRING_SERVICE = "scim-assistant"


def open_window(
    qtbot: QtBot, ctx: AppContext, name: str, demo: Demo | None = None
) -> MembersWindow:
    """The members window as the program opens it, once its first refresh has arrived and been
    written to the history (which follows the rows being shown)."""
    window = cast(MembersWindow, launch.open_members(ctx, name, demo=demo))
    with qtbot.waitSignal(window.history_recorded, timeout=WAIT_MS):
        pass
    assert window.model.rowCount()
    return window


def trigger(qtbot: QtBot, window: MembersWindow, action: QAction) -> SetupWizard:
    """Choose a menu entry that opens the wizard; the wizard it opened."""
    assert action in window.menus.organization_menu.actions()
    with qtbot.waitSignal(window.menus.wizard_opened, timeout=WAIT_MS) as opened:
        action.trigger()
    wizard = opened.args[0]
    assert isinstance(wizard, SetupWizard)
    qtbot.waitExposed(wizard)
    return wizard


def test_the_menus_open_the_wizard_on_the_right_profile(
    qtbot: QtBot, demo_context: AppContext
) -> None:
    save_profile(demo_context)
    window = open_window(qtbot, demo_context, PROFILE)
    menus = window.menus

    fresh = trigger(qtbot, window, menus.new_action)
    assert fresh.state.profile_name == ""  # a new profile
    assert fresh.current_step() is SetupStep.WELCOME
    fresh.close()

    again = trigger(qtbot, window, menus.rerun_action)
    assert again.state.profile_name == PROFILE
    qtbot.waitUntil(
        lambda: f"Setting up “{PROFILE}” again" in again.welcome_page().notice.plain,
        timeout=WAIT_MS,
    )
    assert again.state.scim_key is None  # the rotated key is entered anew
    again.close()

    api = trigger(qtbot, window, menus.public_api_action)
    qtbot.waitUntil(lambda: api.current_step() is SetupStep.PUBLIC_API, timeout=WAIT_MS)
    assert api.state.profile_name == PROFILE
    assert api.state.scim_key is not None  # the saved profile, not a new one
    api.close()
    help_urls = [a.toolTip() for a in menus.help_menu.actions()]
    assert "https://bitwarden.com/help/okta-scim-integration/" in help_urls
    assert "https://bitwarden.com/help/about-scim/" in help_urls


def test_the_scim_only_banner_leads_to_the_public_api_page_and_finishing_shows_statuses(
    qtbot: QtBot, demo: Demo
) -> None:
    ctx = demo.ctx
    save_profile(ctx, public_api=False)
    window = open_window(qtbot, ctx, PROFILE, demo=demo)
    assert window.mode == ViewMode.SCIM_ONLY
    assert window.scim_banner.action.isVisible()

    with qtbot.waitSignal(window.menus.wizard_opened, timeout=WAIT_MS) as opened:
        click(qtbot, window.scim_banner.action)
    wizard = opened.args[0]
    assert isinstance(wizard, SetupWizard)
    qtbot.waitUntil(lambda: wizard.current_step() is SetupStep.PUBLIC_API, timeout=WAIT_MS)
    page = wizard.currentPage()
    assert isinstance(page, PublicApiPage)
    click(qtbot, page.verify_button)  # the demo prefilled the organization's key
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    click(qtbot, nxt)
    assert isinstance(wizard.currentPage(), FinishPage)

    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert window.profile_name == PROFILE
    assert window.mode == ViewMode.PUBLIC_API  # statuses now come from the Public API
    assert not window.scim_banner.isVisible()
    saved = ctx.secrets.load(PROFILE)
    assert saved is not None
    assert saved.client_secret is not None


def test_finishing_the_wizard_for_another_organization_shows_it_in_the_window(
    qtbot: QtBot, demo: Demo
) -> None:
    ctx = demo.ctx
    save_profile(ctx)
    window = open_window(qtbot, ctx, PROFILE, demo=demo)
    wizard = trigger(qtbot, window, window.menus.new_action)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    save = next_to_save(qtbot, wizard)
    save.name.clear()
    type_text(save.name, "Second organization")
    assignments = save_to_assignments(qtbot, wizard, save)
    tick(assignments.assigned)  # the sandbox plays Okta
    click(qtbot, nxt)
    public_api = wizard.currentPage()
    assert isinstance(public_api, PublicApiPage)
    click(qtbot, public_api.verify_button)
    click(qtbot, nxt)
    assert isinstance(wizard.currentPage(), FinishPage)

    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert window.profile_name == "Second organization"
    assert "Second organization" in window.windowTitle()
    names = [window.profile_box.itemText(i) for i in range(window.profile_box.count())]
    assert sorted(names) == sorted([PROFILE, "Second organization"])
    assert window.profile_box.currentText() == "Second organization"
    assert window.model.rowCount() > 0


def click_delete(qtbot: QtBot, window: MembersWindow) -> QMessageBox:
    """Choose "Delete this profile…" and the confirmation's Delete button."""
    window.menus.delete_action.trigger()
    box = window.menus.delete_dialog
    assert box is not None
    qtbot.waitExposed(box)
    text = box.text() + " " + box.informativeText()
    assert "keyring entry" in text
    assert "local history" in text
    delete = next(b for b in box.buttons() if b.text() == "Delete profile")
    click(qtbot, delete)
    return box


def test_deleting_a_profile_removes_its_keyring_entry_and_history(
    qtbot: QtBot, admin_context: AppContext, demo: Demo, memory_keyring: MemoryKeyring
) -> None:
    ctx = demo.ctx  # the sandbox's info, for the profiles saved in the admin's stores
    save_profile(ctx, provision=True)
    for name in ("Acme", "Beta"):
        save_in(admin_context, demo, name)
    window = open_window(qtbot, admin_context, "Acme")
    assert memory_keyring.get_password(KEYRING_SERVICE, "profile/Acme") is not None
    assert admin_context.history.first_seen_all("Acme", MemberStatus.INVITED)

    # Cancel keeps everything.
    window.menus.delete_action.trigger()
    box = window.menus.delete_dialog
    assert box is not None
    qtbot.waitExposed(box)
    click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
    assert admin_context.profiles.get("Acme") is not None

    with qtbot.waitSignal(window.menus.profile_deleted, timeout=WAIT_MS) as deleted:
        click_delete(qtbot, window)
    assert deleted.args == ["Acme"]
    assert memory_keyring.get_password(KEYRING_SERVICE, "profile/Acme") is None
    assert memory_keyring.get_password(KEYRING_SERVICE, "profile/Beta") is not None
    assert not admin_context.history.first_seen_all("Acme", MemberStatus.INVITED)
    assert [p.name for p in admin_context.profiles.list()] == ["Beta"]
    assert window.profile_name == "Beta"
    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):
        pass
    names = [window.profile_box.itemText(i) for i in range(window.profile_box.count())]
    assert names == ["Beta"]


def test_deleting_the_last_profile_opens_the_wizard(
    qtbot: QtBot, admin_context: AppContext, demo: Demo, memory_keyring: MemoryKeyring
) -> None:
    save_in(admin_context, demo, "Acme")
    window = open_window(qtbot, admin_context, "Acme")
    with qtbot.waitSignal(window.menus.wizard_opened, timeout=WAIT_MS) as opened:
        click_delete(qtbot, window)
    wizard = opened.args[0]
    assert isinstance(wizard, SetupWizard)
    assert wizard.state.profile_name == ""
    assert wizard.isVisible()
    assert not window.isVisible()
    assert admin_context.profiles.list() == []
    assert memory_keyring.get_password(KEYRING_SERVICE, "profile/Acme") is None


def save_in(ctx: AppContext, demo: Demo, name: str) -> None:
    """A finished profile for the demo's sandbox, saved in `ctx`'s stores (the real keyring API)."""
    save_profile(ctx, name=name, provision=False, info=demo.ctx.sandbox_info)


def test_a_second_request_brings_the_open_wizard_or_window_forward(
    qtbot: QtBot, demo_context: AppContext
) -> None:
    """Two wizards on one profile would overwrite each other's keys and progress; two members
    windows of one profile would refresh twice. The open one comes forward instead."""
    save_profile(demo_context)
    window = open_window(qtbot, demo_context, PROFILE)
    menus = window.menus

    first = trigger(qtbot, window, menus.rerun_action)
    with qtbot.waitSignal(menus.wizard_opened, timeout=WAIT_MS) as opened:
        menus.public_api_action.trigger()
    assert opened.args[0] is first
    fresh = trigger(qtbot, window, menus.new_action)  # a new profile is another wizard
    assert fresh is not first
    fresh.close()
    first.close()
    qtbot.waitUntil(lambda: not first.isVisible(), timeout=WAIT_MS)
    reopened = trigger(qtbot, window, menus.rerun_action)  # once closed, a new one opens
    assert reopened is not first
    reopened.close()

    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):  # shows what a wizard changed
        again = launch.open_members(demo_context, PROFILE)
    assert again is window
