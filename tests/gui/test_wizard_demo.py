"""The demo: prefilled values, the sandbox playing Okta, `--smoke-test` and `screenshots`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QScrollArea, QWidget, QWizard
from pytestqt.qtbot import QtBot

from app.core.okta.service_app import READ_SCOPES
from app.gui import demo as demo_module
from app.gui.demo import Demo
from app.gui.screenshots import WIZARD_SIZE, capture_service_app
from app.gui.wizard.assignments import AssignmentsPage
from app.gui.wizard.okta_app import OktaAppPage
from app.gui.wizard.steps import PAGE_COUNT
from app.gui.wizard.wizard import SetupWizard
from app.sandbox.okta import scim_push as okta_emulator
from tests.gui.conftest import WAIT_MS, click, next_to_save, save_to_assignments, tick

#: Generous: these run the whole program in a child process on a shared, busy machine.
CHILD_TIMEOUT_S = 120


def test_the_demo_prefills_and_plays_okta(
    qtbot: QtBot, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_module, "ACCEPT_DELAY", 0.2)
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    save = next_to_save(qtbot, wizard)
    assert save.name.text() == "Demo organization"
    qtbot.waitUntil(lambda: "In-memory keyring" in save.keyring.plain, timeout=WAIT_MS)
    assignments = save_to_assignments(qtbot, wizard, save)
    assert not nxt.isEnabled()
    tick(assignments.assigned)  # the sandbox now plays Okta
    people = okta_emulator.DEMO_PEOPLE
    qtbot.waitUntil(lambda: len(wizard.state.provisioned) == len(people), timeout=WAIT_MS)
    assert sorted(wizard.state.provisioned) == sorted(p.email for p in people)
    assert f"Okta has provisioned {len(people)} users" in assignments.status.plain
    assert nxt.isEnabled()
    # Some of them accept their invitation a little later, as people do.
    assert demo.sandbox is not None
    state = demo.sandbox.state

    def accepted() -> list[str]:
        members = [state.member_by_email(p.email) for p in people]
        return [m.email for m in members if m is not None and m.status.name == "ACCEPTED"]

    qtbot.waitUntil(lambda: len(accepted()) == 3, timeout=WAIT_MS)
    # It was the sandbox Okta org that provisioned them, and it pushed the demo's group too.
    okta = demo.sandbox.okta
    assert okta is not None
    qtbot.waitUntil(lambda: len(okta.org.mappings) == 1, timeout=WAIT_MS)
    assert [m.status for m in okta.org.mappings.values()] == ["ACTIVE"]
    assert sorted(okta.org.users[a.user_id].email for a in okta.org.app_users.values()) == sorted(
        p.email for p in people
    )
    assert {a.status for a in okta.org.app_users.values()} == {"PROVISIONED"}
    wizard.close()


def test_okta_plays_only_after_the_first_read_of_the_organization(
    qtbot: QtBot, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Users pushed before the page's first read returned would join its baseline and never be
    reported (CI once saw "Okta has provisioned" stay at fewer than five on a busy machine)."""
    monkeypatch.setattr(demo_module, "ACCEPT_DELAY", 0.2)
    held: list[AssignmentsPage] = []
    real_poll = AssignmentsPage.poll_now

    def first_read_held_back(page: AssignmentsPage) -> None:
        if page._baseline is None and not held:
            held.append(page)  # the first read is slow: it has not answered yet
            return
        real_poll(page)

    monkeypatch.setattr(AssignmentsPage, "poll_now", first_read_held_back)
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    save = next_to_save(qtbot, wizard)
    qtbot.waitUntil(lambda: "In-memory keyring" in save.keyring.plain, timeout=WAIT_MS)
    page = save_to_assignments(qtbot, wizard, save)
    assert held == [page]
    tick(page.assigned)
    assert not page._pushed, "Okta must not push before the organization as it was is known"
    real_poll(page)  # the first read answers
    people = okta_emulator.DEMO_PEOPLE
    qtbot.waitUntil(lambda: len(wizard.state.provisioned) == len(people), timeout=WAIT_MS)
    wizard.close()


def _run(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if home is not None:
        env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
        )
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )


@pytest.mark.slow
def test_the_smoke_test_walks_every_page_and_confirms_a_member(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = _run("--demo", "--smoke-test", home=home)
    assert result.returncode == 0, result.stderr
    assert "smoke test: passed" in result.stderr
    # The demo's profile has the sandbox Okta org's token: the members window shows the Okta side.
    assert "smoke test: the members window read Okta: Okta (app “Bitwarden”" in result.stderr
    # The README says the demo writes none of the program's files, Qt's settings included (the
    # members window saves its column layout when it closes).
    written = [p.relative_to(home) for p in home.rglob("*") if p.is_file()]
    assert [p for p in written if p.parts[0] in (".config", ".local")] == [], written


def test_the_demo_sends_qt_settings_and_the_file_dialogs_to_a_throwaway_folder(
    tmp_path: Path,
) -> None:
    code = (
        "from PySide6.QtCore import QSettings\n"
        "from app.gui.application import create_application\n"
        "from app.gui.demo import isolate_settings\n"
        "create_application()\n"
        "folder = isolate_settings()\n"
        "for s in (QSettings(), QSettings(QSettings.Scope.UserScope, 'QtProject')):\n"
        "    s.setValue('probe', 1)\n"
        "    s.sync()\n"
        "    assert s.fileName().startswith(str(folder)), s.fileName()\n"
        "print(folder)\n"
    )
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / ".config"),
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert not Path(done.stdout.strip()).exists()  # removed at exit
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.slow
def test_screenshots_renders_every_page_and_the_members_window(tmp_path: Path) -> None:
    result = _run("screenshots", str(tmp_path))
    assert result.returncode == 0, result.stderr
    pictures = sorted(tmp_path.glob("*.png"))
    # Every page, the Okta page with a service app, the members window, the confirm's login, the
    # fingerprint dialog, the outcome, and the expired invitations with a member's details.
    assert len(pictures) == PAGE_COUNT + 6
    assert pictures[0].name == "01-welcome.png"
    assert (tmp_path / "06-okta_app-service_app.png").is_file()
    assert [p.name for p in pictures[-5:]] == [
        "12-members.png",
        "13-confirm-login.png",
        "13-fingerprint.png",
        "14-confirmed.png",
        "15-members-expired.png",
    ]
    for picture in pictures:
        image = QImage(str(picture))
        assert not image.isNull(), picture
        # The confirm's login dialog is narrower than the windows (520 logical pixels).
        assert image.width() >= (500 if "login" in picture.name else 640), picture


def test_the_service_app_screenshot_shows_the_whole_page_as_an_admin_fills_it_in(
    qtbot: QtBot, demo: Demo
) -> None:
    """`screenshots`' picture of the Okta page with "Service app (OAuth)": the client id and the
    key id filled, the key pasted (read as a key, off the screen), the scopes shown, Okta read
    with it; the whole page in one picture; then the demo goes on with its API token."""
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.resize(*WIZARD_SIZE)
    wizard.show()
    save = next_to_save(qtbot, wizard)
    qtbot.waitUntil(lambda: "In-memory keyring" in save.keyring.plain, timeout=WAIT_MS)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    click(qtbot, save.save_button)
    click(qtbot, nxt)  # the test passes against the sandbox
    click(qtbot, nxt)
    page = wizard.currentPage()
    assert isinstance(page, OktaAppPage)
    qtbot.waitUntil(
        lambda: not page.okta.busy and page.okta.state.okta is not None, timeout=WAIT_MS
    )
    info = demo.ctx.sandbox_info
    assert info is not None
    box = page.connection
    seen: list[dict[str, object]] = []

    def capture(name: str, widget: QWidget) -> None:
        scroll = page.findChild(QScrollArea)
        assert scroll is not None
        seen.append(
            {
                "name": name,
                "widget": widget,
                "service": box.service_choice.isChecked() and box.service.isVisibleTo(page),
                "client_id": box.service.client_id.text(),
                "key_on_screen": box.service.key.toPlainText(),
                "key": box.service.key_message.plain,
                "scopes": box.service.scopes.isVisibleTo(page) and box.service.scopes.text(),
                "status": page.okta.status.plain,
                "active": page.okta.rows["app_active"].text(),
                "scrolls": scroll.verticalScrollBar().maximum(),
                "height": widget.height(),
                "picture": not widget.grab().isNull(),
            }
        )

    capture_service_app(capture, wizard, demo.ctx)
    (shot,) = seen
    assert shot["name"] == "06-okta_app-service_app"
    assert shot["widget"] is wizard
    assert shot["service"] is True
    assert shot["client_id"] == info["okta_client_id"]
    assert shot["key_on_screen"] == ""
    assert shot["key"] == "The pasted key can sign for Okta (RS256)."
    assert shot["scopes"] == " ".join(READ_SCOPES)
    assert "client id and private key are saved in the keyring" in str(shot["status"])
    assert str(shot["active"]).startswith("✔")
    assert shot["scrolls"] == 0  # the whole page, nothing below the fold
    assert int(str(shot["height"])) > WIZARD_SIZE[1]
    assert shot["picture"] is True
    # Back as it was: the README's other pictures and the smoke test go on with the API token.
    assert box.token_choice.isChecked()
    assert (wizard.width(), wizard.height()) == WIZARD_SIZE
    wizard.close()
