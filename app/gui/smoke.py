"""`--demo --smoke-test`: walk every wizard page and confirm one member, through the real widgets.

A small driver looks at the current page every few milliseconds and does what a person would do
there (tick the checklist, press Save, wait for the test to pass, press Next), then opens the
members window from the Finish page and confirms one accepted member with the demo's master
password, ticking its fingerprint phrase in the verification dialog as an admin would. It reports
0 on success, 1 with a reason on stderr otherwise; a watchdog timer fails it after the bound.
`screenshots` reuses the driver with a capture hook called when each page has settled.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget, QWizard

from app.core.profiles import SetupStep

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.demo import Demo
    from app.gui.members.window import MembersWindow
    from app.gui.wizard.wizard import SetupWizard

#: Called with a name ("01-welcome", "members", …) and the widget to capture, once it has settled.
Capture = Callable[[str, QWidget], None]

TICK_MS = 50


class SmokeTest(QObject):
    """Drives the demo from the first page to one confirmed member; `finished(exit_code)`."""

    finished = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        window: QWidget,
        demo: Demo,
        *,
        capture: Capture | None = None,
        confirm: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        from app.gui.wizard.wizard import SetupWizard

        if not isinstance(window, SetupWizard):
            raise TypeError("the smoke test starts from the setup wizard")
        self.ctx = ctx
        self.wizard: SetupWizard = window
        self.demo = demo
        self.capture = capture
        self.confirm = confirm
        self.members: MembersWindow | None = None
        self._done_steps: set[SetupStep] = set()
        self._acted: set[str] = set()
        self._phase = "wizard"
        self._started = 0.0
        self._result: int | None = None
        self._tick = QTimer(self)
        self._tick.setObjectName("smoke-tick")
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._step)
        self._watchdog = QTimer(self)
        self._watchdog.setObjectName("smoke-watchdog")
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._timed_out)

    def start(self, timeout_s: float = 60.0) -> None:
        self._started = time.monotonic()
        self.demo.failed.connect(lambda message: self._fail(f"demo failed to start: {message}"))
        self.wizard.members_requested.connect(self._members_requested)
        self._watchdog.start(round(timeout_s * 1000))
        self._tick.start()

    # -- the walk --------------------------------------------------------------------------------
    def _step(self) -> None:
        try:
            if self._phase == "wizard":
                self._wizard_step()
            elif self._phase == "members":
                self._members_step()
            elif self._phase == "confirming":
                self._login_step()
                self._fingerprint_step()
        except Exception as exc:  # a broken page must fail the run, not hang it
            self._fail(f"{type(exc).__name__}: {exc}")

    def _wizard_step(self) -> None:
        from app.gui.wizard import (
            assignments,
            okta_api,
            okta_app,
            okta_to_app,
            public_api,
            save,
        )

        wizard = self.wizard
        step = wizard.current_step()
        if step is None or step in self._done_steps:
            return
        page = wizard.currentPage()
        okta = getattr(page, "okta", None)
        if okta is not None and okta.busy:
            return  # the page's Okta check is reading: its result belongs in the screenshot
        if isinstance(page, save.SavePage) and not self.ctx.demo:
            raise RuntimeError("the smoke test runs only in the demo")
        if isinstance(page, save.SavePage):
            ready = page.save_button.isEnabled() and not page.busy
            if ready and not page.state.secrets_saved and self._once("save"):
                page.save_button.click()
        elif isinstance(page, okta_app.OktaAppPage):
            for box in page.checklist.boxes:
                if not box.isChecked():
                    box.click()
        elif isinstance(page, (okta_api.OktaApiPage, okta_to_app.OktaToAppPage)):
            _tick(page.done_box)
        elif isinstance(page, assignments.AssignmentsPage):
            _tick(page.assigned)
        elif (
            isinstance(page, public_api.PublicApiPage)
            and not page.state.public_api_verified
            and page.verify_button.isEnabled()
            and not page.busy
            and self._once("verify")
        ):
            page.verify_button.click()
        if step is SetupStep.FINISH:
            self._settled(step)
            self._phase = "opening members"
            wizard.button(QWizard.WizardButton.FinishButton).click()
            return
        forward = wizard.button(QWizard.WizardButton.NextButton)
        if forward.isEnabled() and page.isComplete():
            self._settled(step)
            forward.click()

    def _settled(self, step: SetupStep) -> None:
        self._done_steps.add(step)
        if self.capture is not None:
            from app.gui.wizard.steps import page_id

            self.capture(f"{page_id(step) + 1:02d}-{step.value}", self.wizard)

    def _members_requested(self, profile_name: str) -> None:
        del profile_name
        self._phase = "members"

    def _members_step(self) -> None:
        from app.gui.members.window import MembersWindow

        if self.members is None:
            windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MembersWindow)]
            if not windows:
                return
            self.members = windows[0]
            self.members.confirm_finished.connect(self._confirmed)
            self.members.refresh_failed.connect(lambda msg: self._fail(f"refresh failed: {msg}"))
            return
        rows = [row for row in self.members.model.rows if row.can_confirm]
        if not rows or self.members.okta_side.busy:
            return  # the first refresh has not shown an accepted member yet, or Okta is read
        if not self._once("confirm"):
            return
        okta_side = self.members.okta_side
        if okta_side.matches is None and "okta_url" in (self.demo.ctx.sandbox_info or {}):
            self._fail(f"the members window did not read Okta: {okta_side.summary.text()}")
            return
        if okta_side.matches is not None:
            sys.stderr.write(
                f"smoke test: the members window read Okta: {okta_side.summary.text()}\n"
            )
        if self.capture is not None:
            self.capture("12-members", self.members)
        if not self.confirm:
            self._succeed()
            return
        self._phase = "confirming"
        # As an admin would: log in and unlock in the confirm dialog, check the phrase, confirm.
        if not self.members.start_confirm([rows[0].id]):
            self._fail("the members window refused to confirm")

    def _login_step(self) -> None:
        assert self.members is not None
        dialog = self.members.confirm_flow.login_dialog
        if dialog is None or not dialog.isVisible() or dialog.busy or not self._once("login"):
            return
        values = self.demo.values
        if values is None:
            raise RuntimeError("the demo has no values")
        if not dialog.email.text():
            self._fail("the confirm dialog does not know the demo admin's e-mail")
            return
        if self.capture is not None:
            self.capture("13-confirm-login", dialog)
        dialog.password.setText(values.bw_password.get_secret_value())
        dialog.continue_button.click()

    def _fingerprint_step(self) -> None:
        assert self.members is not None
        dialog = self.members.confirm_flow.fingerprint_dialog
        if dialog is None or not dialog.isVisible() or not self._once("fingerprint"):
            return
        words = [phrase.split("-") for phrase in dialog.phrases()]
        if len(words) != 1 or len(words[0]) < 5:
            self._fail(f"expected one five-word fingerprint phrase, got {words}")
            return
        if self.capture is not None:
            self.capture("13-fingerprint", dialog)
        _tick(dialog.all_verified)
        dialog.confirm_button.click()

    def _confirmed(self, outcomes: list[Any]) -> None:
        results = [str(getattr(o.result, "value", o.result)) for o in outcomes]
        if "confirmed" not in results:
            reasons = "; ".join(str(getattr(o, "reason", "")) for o in outcomes)
            self._fail(f"no member was confirmed ({results}: {reasons})")
            return
        if self.capture is not None and self.members is not None:
            dialog = self.members.outcome_dialog
            self.capture("14-confirmed", dialog if dialog is not None else self.members)
        self._succeed()

    # -- the end ---------------------------------------------------------------------------------
    def _once(self, action: str) -> bool:
        if action in self._acted:
            return False
        self._acted.add(action)
        return True

    def _succeed(self) -> None:
        elapsed = time.monotonic() - self._started
        sys.stderr.write(f"smoke test: passed in {elapsed:.1f} s\n")
        self._end(0)

    def _fail(self, reason: str) -> None:
        step = self.wizard.current_step() if self._phase == "wizard" else self._phase
        sys.stderr.write(f"smoke test: FAILED at {step}: {reason}\n")
        self._end(1)

    def _timed_out(self) -> None:
        self._fail("did not finish in time")

    def _end(self, code: int) -> None:
        if self._result is not None:
            return
        self._result = code
        self._tick.stop()
        self._watchdog.stop()
        for widget in QApplication.topLevelWidgets():
            widget.close()
        self.finished.emit(code)


def _tick(box: QAbstractButton) -> None:
    if not box.isChecked():
        box.click()
