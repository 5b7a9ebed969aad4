"""Single pages reached by resuming a saved setup: skipping the Public API, hints, keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget, QWizard
from pytestqt.qtbot import QtBot

from app.core.profiles import SetupStep
from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.widgets.messages import Tone
from app.gui.wizard import assignments as assignments_module
from app.gui.wizard.assignments import AssignmentsPage
from app.gui.wizard.finish import FinishPage
from app.gui.wizard.public_api import PublicApiPage
from app.gui.wizard.steps import PAGE_COUNT
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS, click, tick, type_text
from tests.gui.test_wizard_failures import resume, store_profile


def sandbox_info(demo: Demo) -> dict[str, str]:
    info = demo.ctx.sandbox_info
    assert info is not None
    return info


def test_skipping_the_public_api_says_what_is_unavailable(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = sandbox_info(demo)
    store_profile(admin_context, "Acme", info["scim_url"], info["scim_key"], SetupStep.PUBLIC_API)
    wizard = resume(qtbot, admin_context, "Acme", SetupStep.PUBLIC_API)
    page = wizard.currentPage()
    assert isinstance(page, PublicApiPage)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    assert not nxt.isEnabled()
    assert not page.skip_note.isVisible()
    tick(page.skip)
    assert page.skip_note.isVisible()
    assert "fingerprint phrase" in page.skip_note.text()
    click(qtbot, nxt)
    finish = wizard.currentPage()
    assert isinstance(finish, FinishPage)
    assert "confirming are unavailable" in finish.summary.text()
    saved = admin_context.secrets.load("Acme")
    assert saved is not None
    assert saved.client_secret is None


def test_a_wrong_client_secret_is_refused_by_the_token_request(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = sandbox_info(demo)
    store_profile(admin_context, "Acme", info["scim_url"], info["scim_key"], SetupStep.PUBLIC_API)
    wizard = resume(qtbot, admin_context, "Acme", SetupStep.PUBLIC_API)
    page = wizard.currentPage()
    assert isinstance(page, PublicApiPage)
    type_text(page.client_id, info["client_id"])
    type_text(page.client_secret.edit, "Z" * 30)
    click(qtbot, page.verify_button)
    qtbot.waitUntil(lambda: page.result.tone is Tone.ERROR, timeout=WAIT_MS)
    assert "Z" * 30 not in page.result.plain
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    saved = admin_context.secrets.load("Acme")
    assert saved is not None
    assert saved.client_secret is None  # nothing unverified is saved


def test_when_nothing_arrives_the_page_says_what_to_look_at(
    qtbot: QtBot, admin_context: AppContext, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assignments_module, "HINT_AFTER_MS", 50)
    info = sandbox_info(demo)
    store_profile(admin_context, "Acme", info["scim_url"], info["scim_key"], SetupStep.ASSIGNMENTS)
    wizard = resume(qtbot, admin_context, "Acme", SetupStep.ASSIGNMENTS)
    page = wizard.currentPage()
    assert isinstance(page, AssignmentsPage)
    qtbot.waitUntil(lambda: "no user from Okta yet" in page.status.plain, timeout=WAIT_MS)
    tick(page.assigned)
    qtbot.waitUntil(lambda: page.hints.isVisible(), timeout=WAIT_MS)
    assert "View Logs" in page.hints.plain
    assert "email" in page.hints.plain
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    tick(page.skip)  # the admin may go on and check the members window later
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_every_control_can_be_reached_with_the_keyboard(
    qtbot: QtBot, admin_context: AppContext
) -> None:
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    wizard.ensure_pages()
    unreachable: list[str] = []
    for number in range(PAGE_COUNT):
        for widget in wizard.page(number).findChildren(QWidget):
            if not isinstance(widget, (QAbstractButton, QLineEdit)):
                continue
            if isinstance(widget.parent(), QLineEdit):
                continue
            if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                unreachable.append(f"{number}: {widget.accessibleName()}")
    assert unreachable == []


def test_no_two_controls_on_a_page_share_a_keyboard_shortcut(
    qtbot: QtBot, admin_context: AppContext
) -> None:
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    wizard.ensure_pages()
    wizard_keys = [
        _mnemonic(wizard.buttonText(which))
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton)
    ]
    clashes: list[str] = []
    for number in range(PAGE_COUNT):
        texts = [
            widget.text()
            for widget in wizard.page(number).findChildren(QWidget)
            if isinstance(widget, (QAbstractButton, QLabel)) and "&" in widget.text()
        ]
        keys = [key for key in map(_mnemonic, texts) if key] + [k for k in wizard_keys if k]
        clashes += [f"{number}: Alt+{key}" for key in set(keys) if keys.count(key) > 1]
    assert clashes == []


def _mnemonic(text: str) -> str | None:
    """The letter after a single '&' (Qt's mnemonic), lower-cased."""
    index = text.replace("&&", "").find("&")
    cleaned = text.replace("&&", "")
    return cleaned[index + 1].lower() if 0 <= index < len(cleaned) - 1 else None
