"""The assignments page assigns and pushes groups from here, only when asked: Okta's groups as
ticks, Review changes… shows exactly the plan, nothing is written before Apply (asserted on the
sandbox Okta org's own state), Apply shows each step's outcome and read-back and re-runs the
page's Okta check; a half-done apply says so and a second review does only the rest; a read-only
token gets its one sentence and nothing changes."""

from __future__ import annotations

import httpx
from pydantic import SecretStr
from pytestqt.qtbot import QtBot

from app.core.okta.apply import READ_ONLY
from app.gui.demo import Demo
from app.gui.wizard.assignments import AssignmentsPage
from app.gui.wizard.base import SetupPage
from app.gui.wizard.okta_apply import ASSIGN_COLUMN, PUSH_COLUMN, OktaApply
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS, click
from tests.gui.test_wizard_okta import _checked, _next, _row, _to_okta_app


def _okta_holds(demo: Demo) -> tuple[set[str], set[str], int]:
    """Assigned group names, pushed group names, and group events in the sandbox Okta's log."""
    assert demo.sandbox is not None
    assert demo.sandbox.okta is not None
    org = demo.sandbox.okta.org
    with org.lock:
        assigned = {org.groups[g].name for g in org.group_assignments}
        pushed = {org.groups[m.source_group_id].name for m in org.mappings.values()}
        writes = sum(
            1
            for e in org.log
            if e.event_type.startswith(("group.application_assignment", "application.provision.g"))
        )
    return assigned, pushed, writes


def _to_assignments(qtbot: QtBot, demo: Demo) -> tuple[SetupWizard, AssignmentsPage]:
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    page = _to_okta_app(qtbot, wizard)
    _checked(qtbot, page.okta)
    current: SetupPage = page
    while not isinstance(current, AssignmentsPage):
        current = _next(qtbot, wizard)
    _checked(qtbot, current.okta)
    return wizard, current


def _idle(qtbot: QtBot, panel: OktaApply) -> None:
    qtbot.waitUntil(lambda: not panel.busy, timeout=WAIT_MS)


def _tick(panel: OktaApply, name: str, column: int) -> None:
    row = next(n for n, g in enumerate(panel.groups) if g.name == name)
    box = panel.boxes[row][0 if column == ASSIGN_COLUMN else 1]
    assert box.accessibleName().endswith(("to the app", "to Bitwarden"))
    box.setChecked(True)


def _load(qtbot: QtBot, panel: OktaApply) -> None:
    assert panel.isVisibleTo(panel.page)
    click(qtbot, panel.load_button)
    _idle(qtbot, panel)
    assert {g.name for g in panel.groups} >= {"Everyone", "Platform Team"}


def test_review_then_apply_then_the_outcomes_and_the_check_again(qtbot: QtBot, demo: Demo) -> None:
    wizard, page = _to_assignments(qtbot, demo)
    panel = page.apply_panel
    assert not panel.apply_button.isVisibleTo(page)
    _load(qtbot, panel)
    _tick(panel, "Everyone", ASSIGN_COLUMN)
    _tick(panel, "Platform Team", PUSH_COLUMN)
    click(qtbot, panel.review_button)
    _idle(qtbot, panel)
    plan = panel.status.plain
    assert "1. Assign the group “Everyone” to the app" in plan
    assert "2. Push the group “Platform Team”, creating “Platform Team” in Bitwarden." in plan
    assert "Nothing has changed yet" in plan
    assert panel.apply_button.isVisibleTo(page)
    # Loading, ticking and reviewing wrote nothing to Okta.
    assert _okta_holds(demo) == (set(), set(), 0)

    click(qtbot, panel.apply_button)
    _idle(qtbot, panel)
    shown = panel.status.plain
    assert shown.startswith("Done: Okta shows every change.")
    assert "Read back: Okta shows the group assigned to the app." in shown
    assert "Read back: Okta shows the push mapping active" in shown
    assert not panel.apply_button.isVisibleTo(page)  # applied once; a new review for more
    assigned, pushed, _ = _okta_holds(demo)
    assert (assigned, pushed) == ({"Everyone"}, {"Platform Team"})
    # The page's Okta check runs again and shows the groups now there.
    qtbot.waitUntil(
        lambda: (
            not page.okta.busy
            and page.okta.state.okta is not None
            and "1 group(s)" in _row(page.okta, "assignments")
        ),
        timeout=WAIT_MS,
    )
    wizard.close()


def test_a_half_done_apply_then_a_review_does_only_the_rest(qtbot: QtBot, demo: Demo) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    wizard, page = _to_assignments(qtbot, demo)
    panel = page.apply_panel
    _load(qtbot, panel)
    _tick(panel, "Everyone", ASSIGN_COLUMN)
    _tick(panel, "Platform Team", PUSH_COLUMN)
    click(qtbot, panel.review_button)
    _idle(qtbot, panel)
    httpx.post(info["control_url"] + "/okta/settings", json={"writes_fail_after": 1})
    click(qtbot, panel.apply_button)
    _idle(qtbot, panel)
    shown = panel.status.plain
    assert shown.startswith("Not all done: review the changes again to do the rest.")
    assert "✔ 1. Assign the group “Everyone”" in shown
    assert "· 2. Push the group “Platform Team”" in shown
    assert "internal error" in shown
    assert _okta_holds(demo)[:2] == ({"Everyone"}, set())

    click(qtbot, panel.review_button)  # the ticks are kept: the same choice, reviewed again
    _idle(qtbot, panel)
    again = panel.status.plain
    assert "1 change(s)" in again
    assert "Already done: “Everyone”: already assigned." in again
    click(qtbot, panel.apply_button)
    _idle(qtbot, panel)
    assert panel.status.plain.startswith("Done: Okta shows every change.")
    assert _okta_holds(demo)[:2] == ({"Everyone"}, {"Platform Team"})
    wizard.close()


def test_a_changed_tick_drops_the_plan_and_a_read_only_token_gets_one_sentence(
    qtbot: QtBot, demo: Demo
) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    wizard, page = _to_assignments(qtbot, demo)
    panel = page.apply_panel
    _load(qtbot, panel)
    _tick(panel, "Everyone", ASSIGN_COLUMN)
    click(qtbot, panel.review_button)
    _idle(qtbot, panel)
    assert panel.apply_button.isVisibleTo(page)
    _tick(panel, "Platform Team", PUSH_COLUMN)  # what is applied must be what was shown
    assert not panel.apply_button.isVisibleTo(page)
    assert "review the changes again" in panel.status.plain

    page.state.okta_token = SecretStr(info["okta_read_only_token"])
    click(qtbot, panel.review_button)
    _idle(qtbot, panel)
    click(qtbot, panel.apply_button)
    _idle(qtbot, panel)
    shown = panel.status.plain
    assert shown.count(READ_ONLY) == 1
    assert "HTTP 403" not in shown
    assert _okta_holds(demo) == (set(), set(), 0)
    wizard.close()


def test_cancel_stops_between_steps_and_says_what_was_done(qtbot: QtBot, demo: Demo) -> None:
    wizard, page = _to_assignments(qtbot, demo)
    panel = page.apply_panel
    _load(qtbot, panel)
    _tick(panel, "Everyone", ASSIGN_COLUMN)
    _tick(panel, "Platform Team", PUSH_COLUMN)
    click(qtbot, panel.review_button)
    _idle(qtbot, panel)
    click(qtbot, panel.apply_button)
    assert panel.cancel_button.isVisibleTo(page)
    click(qtbot, panel.cancel_button)  # before the worker reaches the second step
    _idle(qtbot, panel)
    shown = panel.status.plain
    assert "Stopped before the end: apply again for the steps not run." in shown
    assert (
        "2. Push the group “Platform Team”, creating “Platform Team” in Bitwarden. — not run."
        in (shown)
    )
    assert _okta_holds(demo)[1] == set()  # the push was never sent
    wizard.close()
