"""A translation made from what `pyside6-lupdate` extracts reaches the screen.

Extraction alone does not prove the contexts are the ones the program asks in at run time (a
`self.tr` in a base class, a module function's fixed context). Here every extracted message gets a
pseudo-translation ("‹source›", placeholders kept), is compiled with the real `pyside6-lrelease`
and installed; then the wizard's pages, the menus and a task failure box must show it.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.gui.context import AppContext
from app.gui.tasks import TaskControl, run_task
from app.gui.wizard.steps import PAGE_COUNT, STEP_VALUES
from app.gui.wizard.wizard import SetupWizard
from tests.fixtures.translations import lupdate_ts, pyside_tool
from tests.gui.conftest import WAIT_MS

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _pseudo(text: str) -> str:
    return f"‹{text}›"


@pytest.fixture
def pseudo_translated(tmp_path: Path) -> Iterator[None]:
    """Every message of app/gui translated to "‹source›", compiled and installed for the test."""
    ts = lupdate_ts(tmp_path)
    tree = ET.parse(ts)  # noqa: S314 - lupdate wrote it from our sources a moment ago
    for message in tree.getroot().iter("message"):
        translation = message.find("translation")
        assert translation is not None
        translation.attrib.pop("type", None)  # finished, so lrelease compiles it
        translation.text = _pseudo(message.findtext("source") or "")
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    qm = tmp_path / "gui.qm"
    done = subprocess.run(
        [pyside_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    translator = QTranslator()
    assert translator.load(str(qm))
    assert QCoreApplication.installTranslator(translator)
    try:
        yield
    finally:
        QCoreApplication.removeTranslator(translator)


def _translated(text: str) -> bool:
    return "‹" in text and "›" in text


@pytest.mark.usefixtures("pseudo_translated")
def test_every_wizard_page_title_and_button_is_translated(
    qtbot: QtBot, admin_context: AppContext
) -> None:
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    wizard.ensure_pages()
    untranslated: list[str] = []
    for number in range(PAGE_COUNT):
        page = wizard.page(number)
        texts = [page.title()] + [
            button.text() for button in page.findChildren(QAbstractButton) if button.text()
        ]
        untranslated += [f"{STEP_VALUES[number]}: {t!r}" for t in texts if not _translated(t)]
    assert untranslated == []
    # Help → About and Quit: module functions with a fixed context ("AppMenus").
    assert _translated(wizard.about_action.text())
    assert _translated(wizard.quit_action.text())


@pytest.mark.usefixtures("pseudo_translated")
def test_a_task_failure_box_is_translated_with_its_detail_filled_in(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)

    def fail(_control: TaskControl) -> None:
        raise ValueError("plain words")

    run_task(owner, fail)
    qtbot.waitUntil(
        lambda: owner.findChild(QMessageBox, "task-failure") is not None, timeout=WAIT_MS
    )
    box = owner.findChild(QMessageBox, "task-failure")
    assert box is not None
    assert box.text() == _pseudo("This could not be done: {0}").format("plain words")
    box.close()
