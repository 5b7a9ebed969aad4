"""Nothing lost: closing with unsaved work asks first; every tick and kept field survives a restart.

The question is the real `QMessageBox`, answered by clicking its buttons; the restart is a new
wizard on the same profile store, as `scim-assistant` opens it next time.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from app.core.profiles import SetupStep
from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.launch import open_start_window
from app.gui.wizard import draft
from app.gui.wizard.assignments import AssignmentsPage
from app.gui.wizard.enable_scim import EnableScimPage
from app.gui.wizard.okta_api import OktaApiPage
from app.gui.wizard.okta_app import OktaAppPage
from app.gui.wizard.okta_to_app import OktaToAppPage
from app.gui.wizard.public_api import PublicApiPage
from app.gui.wizard.self_hosted import SelfHostedPage
from app.gui.wizard.steps import page_id
from app.gui.wizard.welcome import WelcomePage
from app.gui.wizard.wizard import SetupWizard
from tests.fixtures.hostile_server import HostileServer, behaviours
from tests.gui.conftest import WAIT_MS, click, tick, type_text
from tests.gui.test_wizard_failures import ORG, resume, store_profile

#: The offscreen platform cannot do this window-manager call for the question box; harmless there.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

#: The real question (the autouse fixture answers "Close anyway" for every other test).
_REAL_CONFIRM = SetupWizard.confirm_discard

_US_URL = f"https://scim.bitwarden.com/v2/{ORG}"


class Answer:
    """Clicks a button of the question box once it is up; remembers what the box said."""

    def __init__(self, qtbot: QtBot, button_text: str) -> None:
        self.qtbot = qtbot
        self.button_text = button_text
        self.asked: list[str] = []
        QTimer.singleShot(0, self._answer)

    def _answer(self) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, self._answer)
            return
        self.asked.append(box.text() + "\n" + box.informativeText())
        for button in box.buttons():
            if button.text().replace("&", "") == self.button_text:
                button.click()
                return
        raise AssertionError(f"no button {self.button_text!r} in {box.buttons()}")


def _real_question(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SetupWizard, "confirm_discard", _REAL_CONFIRM)


def _to_enable_scim(qtbot: QtBot, ctx: AppContext) -> SetupWizard:
    wizard = SetupWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    tick(welcome.radio_us)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert isinstance(wizard.currentPage(), EnableScimPage)
    return wizard


def test_closing_with_an_unsaved_key_asks_and_keep_working_keeps_the_wizard(
    qtbot: QtBot, admin_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _real_question(monkeypatch)
    wizard = _to_enable_scim(qtbot, admin_context)
    page = wizard.currentPage()
    assert isinstance(page, EnableScimPage)
    type_text(page.url, _US_URL)
    type_text(page.key.edit, "K" * 30)

    keep = Answer(qtbot, "Keep working")
    wizard.close()  # the window's close button, Alt+F4
    assert keep.asked, "closing did not ask"
    assert "not saved in the keyring" in keep.asked[0]
    assert wizard.isVisible()
    assert page.key.text() == "K" * 30

    keep = Answer(qtbot, "Keep working")
    click(qtbot, wizard.button(QWizard.WizardButton.CancelButton))
    assert keep.asked
    assert wizard.isVisible()

    keep = Answer(qtbot, "Keep working")
    QTest.keyClick(wizard, Qt.Key.Key_Escape)
    assert keep.asked
    assert wizard.isVisible()

    close = Answer(qtbot, "Close anyway")
    wizard.close()
    assert close.asked
    assert not wizard.isVisible()


def test_closing_with_nothing_unsaved_does_not_ask(
    qtbot: QtBot, admin_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_ask(_self: SetupWizard, lost: list[str]) -> bool:
        raise AssertionError(f"asked although nothing is lost: {lost}")

    monkeypatch.setattr(SetupWizard, "confirm_discard", must_not_ask)
    wizard = _to_enable_scim(qtbot, admin_context)
    assert wizard.unsaved_work() == []
    wizard.close()
    assert not wizard.isVisible()


def test_cancel_during_a_check_asks_first(
    qtbot: QtBot,
    admin_context: AppContext,
    hostile_server: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _real_question(monkeypatch)
    hostile_server.serve(behaviours.hang())
    url = f"{hostile_server.url}/scim/v2/{ORG}"
    store_profile(admin_context, "Slow", url, "C" * 30, SetupStep.TEST)
    wizard = resume(qtbot, admin_context, "Slow", SetupStep.TEST)
    qtbot.waitUntil(lambda: hostile_server.connections > 0, timeout=WAIT_MS)
    keep = Answer(qtbot, "Keep working")
    click(qtbot, wizard.button(QWizard.WizardButton.CancelButton))
    assert keep.asked
    assert "still running" in keep.asked[0]
    assert wizard.isVisible()
    assert wizard.currentPage().busy  # type: ignore[attr-defined]
    close = Answer(qtbot, "Close anyway")
    click(qtbot, wizard.button(QWizard.WizardButton.CancelButton))
    assert close.asked
    assert not wizard.isVisible()


def test_every_tick_survives_a_restart_and_the_file_holds_no_secret(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    store_profile(admin_context, "Acme", info["scim_url"], info["scim_key"], SetupStep.OKTA_APP)
    wizard = resume(qtbot, admin_context, "Acme", SetupStep.OKTA_APP)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    okta_app = wizard.currentPage()
    assert isinstance(okta_app, OktaAppPage)
    for box in okta_app.checklist.boxes:
        tick(box)
    okta_app.label.setText("Bitwarden (provisioning)")
    click(qtbot, nxt)
    okta_api = wizard.currentPage()
    assert isinstance(okta_api, OktaApiPage)
    tick(okta_api.done_box)
    click(qtbot, nxt)
    okta_to_app = wizard.currentPage()
    assert isinstance(okta_to_app, OktaToAppPage)
    tick(okta_to_app.done_box)
    click(qtbot, nxt)
    assignments = wizard.currentPage()
    assert isinstance(assignments, AssignmentsPage)
    tick(assignments.assigned)  # the current page's ticks: the ones the issue saw lost
    tick(assignments.skip)
    wizard.close()
    assert not wizard.isVisible()

    reopened = open_start_window(admin_context)  # what `scim-assistant` opens next time
    qtbot.addWidget(reopened)
    assert isinstance(reopened, SetupWizard)
    qtbot.waitUntil(lambda: reopened.current_step() is SetupStep.ASSIGNMENTS, timeout=WAIT_MS)
    page = reopened.currentPage()
    assert isinstance(page, AssignmentsPage)
    assert page.assigned.isChecked()
    assert page.skip.isChecked()
    assert reopened.button(QWizard.WizardButton.NextButton).isEnabled()
    back = reopened.button(QWizard.WizardButton.BackButton)
    click(qtbot, back)
    to_app = reopened.currentPage()
    assert isinstance(to_app, OktaToAppPage)
    assert to_app.done_box.isChecked()
    click(qtbot, back)
    api = reopened.currentPage()
    assert isinstance(api, OktaApiPage)
    assert api.done_box.isChecked()
    click(qtbot, back)
    app_page = reopened.currentPage()
    assert isinstance(app_page, OktaAppPage)
    assert all(box.isChecked() for box in app_page.checklist.boxes)
    assert app_page.label.text() == "Bitwarden (provisioning)"

    text = admin_context.profiles.path.read_text()
    assert info["scim_key"] not in text
    assert info["scim_url"] not in text
    stored = json.loads(text)["profiles"][0]["wizard_fields"]
    assert {type(value) for value in stored.values()} <= {bool, str}
    assert {k: v for k, v in stored.items() if isinstance(v, str)} == {
        "okta_app/okta_app_label": "Bitwarden (provisioning)",
        "okta_app/okta_client_id": "",  # the service app's, not chosen here
        "okta_app/okta_key_id": "",
    }


def test_a_rerun_after_rotating_the_key_ticks_the_okta_steps_anew(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    store_profile(admin_context, "Acme", info["scim_url"], info["scim_key"], SetupStep.DONE)
    wizard = SetupWizard(admin_context, profile_name="Acme", resume=False)
    qtbot.addWidget(wizard)
    api = wizard.page(page_id("okta_api"))
    assert isinstance(api, OktaApiPage)
    # The first run's tick is kept (the profile is read once the keyring answers, after this).
    (key,) = draft.kept_widgets(api)
    admin_context.profiles.set_wizard_fields("Acme", {key: True})
    wizard.show()
    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    qtbot.waitUntil(lambda: "again" in welcome.notice.plain, timeout=WAIT_MS)
    assert not api.done_box.isChecked()  # the new key goes into Okta again: ticked anew


def test_a_new_setup_keeps_where_the_organization_lives(
    qtbot: QtBot, admin_context: AppContext
) -> None:
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    with qtbot.waitSignal(wizard.first_painted, timeout=WAIT_MS):
        wizard.show()
    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    tick(welcome.radio_self)
    type_text(welcome.server, "https://bitwarden.example.com")
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert isinstance(wizard.currentPage(), SelfHostedPage)
    wizard.close()  # nothing secret entered yet: no question
    assert not wizard.isVisible()
    assert admin_context.profiles.list() == []

    again = SetupWizard(admin_context)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.first_painted, timeout=WAIT_MS):
        again.show()
    first = again.currentPage()
    assert isinstance(first, WelcomePage)
    assert first.radio_self.isChecked()
    assert first.server.text() == "https://bitwarden.example.com"
    assert again.button(QWizard.WizardButton.NextButton).isEnabled()


def test_a_public_api_key_typed_but_not_verified_is_unsaved_work(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    store_profile(admin_context, "Acme", info["scim_url"], info["scim_key"], SetupStep.PUBLIC_API)
    wizard = resume(qtbot, admin_context, "Acme", SetupStep.PUBLIC_API)
    page = wizard.currentPage()
    assert isinstance(page, PublicApiPage)
    assert wizard.unsaved_work() == []
    type_text(page.client_secret.edit, "S" * 30)
    assert any("Public API key" in line for line in wizard.unsaved_work())
