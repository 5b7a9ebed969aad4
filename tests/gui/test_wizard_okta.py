"""The wizard's Okta pages check their steps in Okta: against the sandbox Okta org in its good state
and in each seeded fault (the right ✘ and fix on the right page), results tied to their inputs,
a choice among several Bitwarden apps, outside text shown plain, and the token kept only in the
keyring."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from PySide6.QtWidgets import QLabel, QWizard
from pytestqt.qtbot import QtBot

from app.core.endpoints import Deployment
from app.core.profiles import Profile
from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.wizard.assignments import AssignmentsPage
from app.gui.wizard.base import SetupPage
from app.gui.wizard.okta_api import OktaApiPage
from app.gui.wizard.okta_app import OktaAppPage
from app.gui.wizard.okta_checks import OktaChecks
from app.gui.wizard.okta_to_app import OktaToAppPage
from app.gui.wizard.state import SetupState
from app.gui.wizard.wizard import SetupWizard
from tests.fixtures.hostile_server import HostileServer
from tests.fixtures.okta_org import APP_ID, TOKEN, FakeOktaOrg, app_user
from tests.gui.conftest import WAIT_MS, click, next_to_save, tick, type_text

PROFILE = "Demo organization"


def _checked(qtbot: QtBot, checks: OktaChecks) -> None:
    """Wait until the page's Okta check has ended with a reading for the current inputs."""
    qtbot.waitUntil(lambda: not checks.busy and checks.state.okta is not None, timeout=WAIT_MS)


def _row(checks: OktaChecks, step_id: str) -> str:
    label = checks.rows[step_id]
    assert label.isVisibleTo(checks), step_id
    return label.text()


def _to_okta_app(qtbot: QtBot, wizard: SetupWizard) -> OktaAppPage:
    save = next_to_save(qtbot, wizard)
    click(qtbot, save.save_button)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    click(qtbot, nxt)  # the test passes against the sandbox
    click(qtbot, nxt)
    page = wizard.currentPage()
    assert isinstance(page, OktaAppPage)
    return page


def _next(qtbot: QtBot, wizard: SetupWizard) -> SetupPage:
    """Next, as the admin would: tick the page's own boxes where Okta did not verify it."""
    page = wizard.currentPage()
    okta = getattr(page, "okta", None)
    if isinstance(okta, OktaChecks):
        qtbot.waitUntil(lambda: not okta.busy, timeout=WAIT_MS)
    if not page.isComplete():
        if isinstance(page, OktaAppPage):
            for box in page.checklist.boxes:
                tick(box)
        elif isinstance(page, (OktaApiPage, OktaToAppPage)):
            tick(page.done_box)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    current = wizard.currentPage()
    assert isinstance(current, SetupPage)
    return current


def _fault(demo: Demo, name: str) -> dict[str, Any]:
    info = demo.ctx.sandbox_info
    assert info is not None
    answer = httpx.post(info["control_url"] + "/okta/faults", json={"fault": name}, timeout=30)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def _all_text(wizard: SetupWizard) -> str:
    return "\n".join(label.text() for label in wizard.findChildren(QLabel))


def test_the_good_state_verifies_every_okta_page(qtbot: QtBot, demo: Demo) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    app_page = _to_okta_app(qtbot, wizard)
    # The demo fills in the sandbox Okta org; the page reads it as it opens.
    assert app_page.connection.url.text() == info["okta_url"]
    _checked(qtbot, app_page.okta)
    assert _row(app_page.okta, "app_active").startswith("✔ The Bitwarden app is active")
    assert _row(app_page.okta, "icons_hidden").startswith("✔")
    assert info["okta_app_id"] in app_page.okta.status.plain
    assert app_page.isComplete()  # Okta shows the page's steps done
    # Okta accepted the token: it is saved in the keyring with the profile.
    assert "saved in the keyring" in app_page.okta.status.plain
    saved = demo.ctx.secrets.load(PROFILE)
    assert saved is not None
    assert saved.okta_token is not None
    assert saved.okta_token.get_secret_value() == info["okta_token"]
    assert saved.okta_url == info["okta_url"]

    api_page = _next(qtbot, wizard)
    assert isinstance(api_page, OktaApiPage)
    _checked(qtbot, api_page.okta)
    assert _row(api_page.okta, "api_integration").startswith("✔ API integration is enabled")
    assert _row(api_page.okta, "base_url").startswith(
        "? Base URL and API Token: Okta's API cannot show this"
    )

    to_app = _next(qtbot, wizard)
    assert isinstance(to_app, OktaToAppPage)
    _checked(qtbot, to_app.okta)
    for step in ("create_users", "deactivate_users", "username_is_email"):
        assert _row(to_app.okta, step).startswith("✔"), step
    assert to_app.isComplete()

    assignments = _next(qtbot, wizard)
    assert isinstance(assignments, AssignmentsPage)
    _checked(qtbot, assignments.okta)
    assert _row(assignments.okta, "assignments").startswith("✘")  # nobody is assigned yet
    assert "Assign to People" in _row(assignments.okta, "assignments")
    tick(assignments.assigned)  # the sandbox Okta org provisions the demo people
    # Okta's side is read again as people arrive, and once more when Okta's push has ended.
    qtbot.waitUntil(
        lambda: (
            not assignments.okta.busy
            and assignments.okta.state.okta is not None
            and _row(assignments.okta, "assignments").startswith("✔ 5 people assigned")
            and "5 provisioned" in _row(assignments.okta, "assignments")
        ),
        timeout=WAIT_MS,
    )
    assert _row(assignments.okta, "provisioning_errors").startswith("✔")
    assert not assignments.okta.people.isVisibleTo(assignments), assignments.okta.people.text()
    assert info["okta_token"] not in _all_text(wizard)
    wizard.close()


FAULTS = [
    # fault, the page showing it, its step, what the row says (the fix included)
    ("deactivate_users_off", OktaToAppPage, "deactivate_users", "To App → Edit → tick Deactivate"),
    ("username_is_login", OktaToAppPage, "username_is_email", "Application username format: Email"),
    ("token_rotated", OktaApiPage, "api_integration", "paste the current SCIM key as API Token"),
    ("revoked_member_conflict", AssignmentsPage, "provisioning_errors", "Members → Revoked"),
    ("group_assigned_and_pushed", AssignmentsPage, "group_push", "both assigned to the app"),
]


@pytest.mark.parametrize(
    ("fault", "page_class", "step", "says"), FAULTS, ids=[f[0] for f in FAULTS]
)
def test_each_seeded_fault_shows_its_fix_on_its_page(
    qtbot: QtBot, demo: Demo, fault: str, page_class: type[SetupPage], step: str, says: str
) -> None:
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    page: SetupPage = _to_okta_app(qtbot, wizard)
    _checked(qtbot, page.okta)  # type: ignore[attr-defined]
    details = _fault(demo, fault)
    while not isinstance(page, page_class):
        page = _next(qtbot, wizard)
    checks = page.okta  # type: ignore[attr-defined]
    assert isinstance(checks, OktaChecks)
    _checked(qtbot, checks)
    text = _row(checks, step)
    assert text.startswith("✘"), text
    assert "\nFix: " in text or fault == "group_assigned_and_pushed"
    assert says in text
    assert not page.isComplete() or isinstance(page, AssignmentsPage)
    people = checks.people.text()
    if fault in ("username_is_login", "revoked_member_conflict"):
        assert details["email"] in people
    if fault == "revoked_member_conflict":
        assert details["old_email"] in people  # the revoked member holding the person's id
        assert "revoked" in people
    if fault == "username_is_login" and isinstance(page, OktaToAppPage):
        assert "App username is not the email (1)" in people
    wizard.close()


def test_results_are_tied_to_the_url_and_token(qtbot: QtBot, demo: Demo) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    page = _to_okta_app(qtbot, wizard)
    _checked(qtbot, page.okta)
    assert page.okta.rows["app_active"].isVisibleTo(page)
    # Another token: the result made with the first one is gone at once.
    type_text(page.connection.token.edit, "x")
    assert wizard.state.okta is None
    assert not page.okta.rows["app_active"].isVisibleTo(page)
    assert "Not checked in Okta yet" in page.okta.status.plain
    click(qtbot, page.okta.run_button)
    qtbot.waitUntil(lambda: not page.okta.busy, timeout=WAIT_MS)
    assert "Okta could not be read" in page.okta.status.plain
    assert "refused the API token" in page.okta.status.plain
    assert not page.okta.rows["app_active"].isVisibleTo(page)
    saved = demo.ctx.secrets.load(PROFILE)
    assert saved is not None
    assert saved.okta_token is not None
    assert saved.okta_token.get_secret_value() == info["okta_token"]  # the refused one is not kept
    # A reading that arrives after the URL changed mid-check is dropped, not shown.
    page.connection.token.setText(info["okta_token"])
    click(qtbot, page.okta.run_button)
    page.connection.url.setText(info["okta_url"] + "/")  # the same org, typed again: kept
    assert page.okta.busy
    page.connection.url.setText("https://example.okta.com")
    qtbot.waitUntil(lambda: not page.okta.busy, timeout=WAIT_MS)
    assert wizard.state.okta is None
    assert not page.okta.rows["app_active"].isVisibleTo(page)
    wizard.close()


def test_several_bitwarden_apps_let_the_admin_pick_and_outside_text_is_plain(
    qtbot: QtBot, admin_context: AppContext, hostile_server: HostileServer
) -> None:
    org = FakeOktaOrg(users=[app_user(1), app_user(2, userName="jdoe")])
    hostile = "Bitwarden <b>EU</b>\u202e\x1b[31mlive"
    org.other_apps.append(
        {"id": "0oa2", "name": "scim2headerauth", "label": hostile, "status": "ACTIVE"}
    )
    org.install(hostile_server)
    admin_context.profiles.save(Profile(name="Acme", deployment=Deployment.CLOUD_US))
    page = OktaToAppPage(admin_context, SetupState(profile_name="Acme"))
    qtbot.addWidget(page)
    checks = page.okta
    assert not checks.run_button.isEnabled()  # no Okta connection: the page is a checklist
    assert "Optional" in checks.status.plain
    page.state.okta_url, page.state.okta_token = hostile_server.url, _secret(TOKEN)
    checks.refresh()
    click(qtbot, checks.run_button)
    qtbot.waitUntil(lambda: not checks.busy, timeout=WAIT_MS)
    assert "2 apps that may be Bitwarden's" in checks.status.plain
    assert checks.picker_row.isVisibleTo(page)
    items = [checks.app_picker.itemText(i) for i in range(checks.app_picker.count())]
    assert len(items) == 3
    assert "<b>EU</b>" in items[2]  # shown as the text it is, never as markup
    assert not any(ch in "".join(items) for ch in "\u202e\x1b")
    checks.app_picker.setCurrentIndex(1)
    checks.app_picker.activated.emit(1)
    _checked(qtbot, checks)
    assert page.state.okta_app_id == APP_ID
    stored = admin_context.profiles.get("Acme")
    assert stored is not None
    assert stored.okta_app_id == APP_ID  # the next reads (members window, okta verify) use it
    assert checks.state.okta is not None
    assert checks.state.okta.verification.app.id == APP_ID
    assert _row(checks, "username_is_email").startswith("✘")
    assert "user2@example.com: jdoe" in checks.people.text()
    assert page.isComplete() is False


def _secret(value: str) -> Any:
    from pydantic import SecretStr

    return SecretStr(value)
