"""Every Alt shortcut of every wizard page does what its underline promises.

On each page of the demo's setup, each label's underlined letter is pressed (Alt+letter, to the
widget that has the focus, as a keyboard sends it) and the focus must land in the label's field;
no two shortcuts of one page (its labels, buttons, checkboxes and the wizard's own buttons) may
share a letter, since Qt would then only cycle between them.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget, QWizard
from pytestqt.qtbot import QtBot

from app.core.profiles import SetupStep
from app.gui.demo import Demo
from app.gui.wizard.base import SetupPage
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS, click, tick

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

_MNEMONIC = re.compile(r"&([^&\s])")
_KEYS = {chr(c): getattr(Qt.Key, f"Key_{chr(c).upper()}") for c in range(ord("a"), ord("z") + 1)}


def mnemonic(text: str) -> str | None:
    found = _MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).lower() if found else None


def _shown(widget: QWidget, page: QWidget) -> bool:
    return widget.isVisibleTo(page) and widget.isEnabled()


def labels_with_shortcuts(page: SetupPage) -> list[QLabel]:
    return [
        label
        for label in page.findChildren(QLabel)
        if label.textFormat() != Qt.TextFormat.RichText
        and not label.text().lstrip().startswith("<")
        and mnemonic(label.text())
        and _shown(label, page)
    ]


def check_page(wizard: SetupWizard, tested: dict[str, int]) -> None:
    page = wizard.currentPage()
    assert isinstance(page, SetupPage)
    letters: dict[str, list[str]] = {}
    buttons = [b for b in page.findChildren(QAbstractButton) if _shown(b, page)]
    buttons += [
        wizard.button(which)
        for which in (
            QWizard.WizardButton.BackButton,
            QWizard.WizardButton.NextButton,
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.CancelButton,
        )
        if wizard.button(which).isVisible()
    ]
    for button in buttons:
        letter = mnemonic(button.text())
        if letter:
            letters.setdefault(letter, []).append(button.text())
    labels = labels_with_shortcuts(page)
    for label in labels:
        letter = mnemonic(label.text())
        assert letter is not None
        letters.setdefault(letter, []).append(label.text())
    clashes = {letter: texts for letter, texts in letters.items() if len(texts) > 1}
    assert not clashes, f"{page.step}: shortcuts share a letter: {clashes}"

    for label in labels:
        buddy = label.buddy()
        assert buddy is not None, f"{page.step}: {label.text()!r} has no field"
        if not buddy.isEnabled():
            continue
        letter = mnemonic(label.text())
        assert letter is not None
        # Start from another widget: the Next button, or whatever does not hold the field.
        wizard.button(QWizard.WizardButton.CancelButton).setFocus()
        target = QApplication.focusWidget()
        assert target is not None
        QTest.keyClick(target, _KEYS[letter], Qt.KeyboardModifier.AltModifier)
        focus = QApplication.focusWidget()
        assert focus is buddy, (
            f"{page.step}: Alt+{letter.upper()} ({label.text()!r}) left the focus in "
            f"{type(focus).__name__} {focus.accessibleName() if focus else ''!r}"
        )
        tested[str(page.step)] = tested.get(str(page.step), 0) + 1


def test_every_shortcut_of_every_page_moves_the_focus_to_its_field(
    qtbot: QtBot, demo: Demo
) -> None:
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.activateWindow()
    assert QTest.qWaitForWindowActive(wizard, WAIT_MS)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    tested: dict[str, int] = {}

    def forward(step: SetupStep) -> None:
        click(qtbot, nxt)
        qtbot.waitUntil(lambda: wizard.current_step() is step, timeout=WAIT_MS)
        check_page(wizard, tested)

    qtbot.waitUntil(nxt.isEnabled, timeout=WAIT_MS)  # the demo has filled the first page
    check_page(wizard, tested)
    forward(SetupStep.SELF_HOSTED)
    forward(SetupStep.ENABLE_SCIM)
    forward(SetupStep.SAVE)
    click(qtbot, wizard.currentPage().save_button)  # type: ignore[attr-defined]
    forward(SetupStep.TEST)
    forward(SetupStep.OKTA_APP)
    for box in wizard.currentPage().checklist.boxes:  # type: ignore[attr-defined]
        tick(box)
    forward(SetupStep.OKTA_API)
    tick(wizard.currentPage().done_box)  # type: ignore[attr-defined]
    forward(SetupStep.OKTA_TO_APP)
    tick(wizard.currentPage().done_box)  # type: ignore[attr-defined]
    forward(SetupStep.ASSIGNMENTS)
    tick(wizard.currentPage().assigned)  # type: ignore[attr-defined]
    forward(SetupStep.PUBLIC_API)
    click(qtbot, wizard.currentPage().verify_button)  # type: ignore[attr-defined]
    forward(SetupStep.FINISH)

    # Every field label the issue named, and the others, was pressed.
    assert tested == {
        "welcome": 1,
        "enable_scim": 2,
        "save": 1,
        "okta_app": 3,
        "okta_api": 2,
        "public_api": 2,
    }
    wizard.close()
