"""A pasted "Bearer <key>": the field shows only the key that is kept, and a length error counts
the characters the admin sees. Pasted with Ctrl+V from the clipboard, as an admin pastes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWizard
from pytestqt.qtbot import QtBot

from app.gui.context import AppContext
from app.gui.widgets.secret_field import SecretField
from app.gui.wizard.enable_scim import EnableScimPage
from app.gui.wizard.welcome import WelcomePage
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import click, tick

KEY = "Ab3" * 10


def paste(field: SecretField, text: str) -> None:
    clipboard = QApplication.clipboard()
    clipboard.setText(text)
    field.edit.setFocus()
    field.edit.selectAll()
    QTest.keyClick(field.edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    clipboard.clear()


@pytest.fixture
def enable_page(qtbot: QtBot, admin_context: AppContext) -> EnableScimPage:
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    wizard.show()
    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    tick(welcome.radio_us)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    page = wizard.currentPage()
    assert isinstance(page, EnableScimPage)
    return page


@pytest.mark.parametrize(
    "pasted", [f"Bearer {KEY}", f"Authorization: Bearer {KEY}", f' "{KEY}" ', f"bearer\t{KEY}\n"]
)
def test_the_field_shows_only_the_key_that_is_kept(
    enable_page: EnableScimPage, pasted: str
) -> None:
    paste(enable_page.key, pasted)
    assert enable_page.key.text() == KEY
    assert enable_page.key_message.plain  # says what was removed
    assert "Bearer" in enable_page.key_message.plain or "removed" in enable_page.key_message.plain
    assert enable_page.state.scim_key is not None
    assert enable_page.state.scim_key.get_secret_value() == KEY


def test_a_length_error_counts_what_the_field_shows(enable_page: EnableScimPage) -> None:
    paste(enable_page.key, f"Bearer {KEY[:-1]}")
    assert enable_page.key.text() == KEY[:-1]
    assert f"this one has {len(enable_page.key.text())} characters" in enable_page.key_message.plain
    assert "Bearer" in enable_page.key_message.plain  # and what was taken off


def test_typing_bearer_is_not_eaten_letter_by_letter(enable_page: EnableScimPage) -> None:
    QTest.keyClicks(enable_page.key.edit, "Bearer ")
    assert enable_page.key.text() == "Bearer "
    QTest.keyClicks(enable_page.key.edit, KEY)
    assert enable_page.key.text() == KEY
    assert "Bearer" in enable_page.key_message.plain
