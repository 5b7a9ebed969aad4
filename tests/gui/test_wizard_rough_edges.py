"""Rough edges of issue 16: what stays on a page after it no longer applies."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.widgets.messages import Tone
from app.gui.wizard.public_api import PublicApiPage
from app.gui.wizard.self_hosted import SelfHostedPage
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS, click, next_to_save, save_to_assignments, tick
from tests.gui.test_wizard_ca_file import enter_ca_file, https_info, open_self_hosted_page

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_continue_without_this_check_goes_once_the_check_passes(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    server, ca_file, _info = https_info(demo)
    wizard = open_self_hosted_page(qtbot, admin_context, server)
    page = wizard.currentPage()
    assert isinstance(page, SelfHostedPage)
    qtbot.waitUntil(lambda: page.result.tone is Tone.ERROR, timeout=WAIT_MS)
    assert page.skip.isVisible()
    tick(page.skip)
    enter_ca_file(qtbot, page, str(ca_file))  # the check runs again, and passes
    qtbot.waitUntil(lambda: page.result.tone is Tone.OK, timeout=WAIT_MS)
    assert not page.skip.isVisible()
    assert not page.skip.isChecked()
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_skip_for_now_goes_once_the_public_api_key_works(qtbot: QtBot, demo: Demo) -> None:
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    assignments = save_to_assignments(qtbot, wizard, next_to_save(qtbot, wizard))
    tick(assignments.assigned)
    qtbot.waitUntil(lambda: not assignments.skip.isVisible(), timeout=WAIT_MS)  # people arrived
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    page = wizard.currentPage()
    assert isinstance(page, PublicApiPage)
    assert page.skip.isVisible()
    click(qtbot, page.verify_button)
    qtbot.waitUntil(lambda: wizard.state.public_api_verified, timeout=WAIT_MS)
    assert not page.skip.isVisible()
    page.client_secret.setText("Zz9" * 10)  # another key: not verified, so skipping is back
    assert page.skip.isVisible()
