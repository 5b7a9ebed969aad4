"""The wizard's widgets: secret field, clipboard clearing, names for assistive technology."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFocusEvent, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.core.profiles import SetupStep
from app.gui.context import AppContext
from app.gui.widgets.copy_button import CopyButton
from app.gui.widgets.secret_field import SecretField
from app.gui.wizard.steps import PAGE_COUNT, STEP_VALUES
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS, click, type_text


def test_the_wizard_steps_are_the_cores() -> None:
    assert tuple(step.value for step in SetupStep) == STEP_VALUES


def test_a_secret_is_masked_until_revealed_and_hidden_again_on_leaving(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    field = SecretField("SCIM API key", holder)
    holder.show()
    qtbot.waitExposed(holder)
    type_text(field.edit, "abc123")
    assert field.text() == "abc123"
    assert field.edit.echoMode() == QLineEdit.EchoMode.Password
    assert field.edit.displayText() != "abc123"
    click(qtbot, field.reveal)
    assert field.is_revealed()
    assert field.edit.displayText() == "abc123"
    # Focus leaves the field (sent directly: an offscreen window never becomes active).
    QApplication.sendEvent(field.edit, QFocusEvent(QEvent.Type.FocusOut))
    assert not field.is_revealed()
    assert field.edit.displayText() != "abc123"


def test_a_copied_secret_is_cleared_from_the_clipboard(qtbot: QtBot) -> None:
    button = CopyButton(lambda: "k" * 30, "Copy the API Token", secret=True, clear_after=0.05)
    qtbot.addWidget(button)
    clipboard = QGuiApplication.clipboard()
    click(qtbot, button)
    assert clipboard.text() == "k" * 30
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=WAIT_MS)


def test_the_clipboard_is_left_alone_when_it_holds_something_else(qtbot: QtBot) -> None:
    button = CopyButton(lambda: "k" * 30, "Copy the API Token", secret=True, clear_after=0.05)
    qtbot.addWidget(button)
    clipboard = QGuiApplication.clipboard()
    with qtbot.waitSignal(button._timer.timeout, timeout=WAIT_MS):
        click(qtbot, button)
        clipboard.setText("the admin's own copy")
    assert clipboard.text() == "the admin's own copy"


def test_closing_the_wizard_clears_a_copied_key(qtbot: QtBot, admin_context: AppContext) -> None:
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.ensure_pages()
    button = wizard.findChildren(CopyButton)[-1]
    button._value = lambda: "s" * 30  # the API Token's copy button, with a key in it
    button._secret = True
    button.copy()
    assert QGuiApplication.clipboard().text() == "s" * 30
    wizard.close()
    assert QGuiApplication.clipboard().text() == ""


def test_every_control_has_an_accessible_name(qtbot: QtBot, admin_context: AppContext) -> None:
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    wizard.ensure_pages()
    kinds = (QLineEdit, QAbstractButton, QPlainTextEdit, QListWidget, QProgressBar)
    unnamed: list[str] = []
    for number in range(PAGE_COUNT):
        page = wizard.page(number)
        for widget in page.findChildren(QWidget):
            if not isinstance(widget, kinds) or isinstance(widget.parent(), QLineEdit):
                continue  # a line edit's own clear button is named by Qt
            if not widget.accessibleName():
                unnamed.append(f"{STEP_VALUES[number]}: {type(widget).__name__} {widget!r}")
    assert unnamed == []
