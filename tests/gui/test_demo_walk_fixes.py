"""What a new admin met walking the demo on a real display (1024x768, keyboard only)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.core.profiles import SetupStep
from app.gui.demo import Demo
from app.gui.wizard.okta_app import OktaAppPage
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS, click, next_to_save, tick

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
