"""Page 2 (self-hosted only): turn SCIM on in the server's configuration, and check it is on.

The check is Bitwarden's anonymous `GET <server>/scim/alive`: a JSON date means the SCIM service
answers; a 404 or the web vault's page means `enable_scim` is not in effect yet. A server with a
private CA gets its CA certificate here (`CaFileField`); every later check trusts it too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QWidget

from app.core.profiles import SetupStep
from app.gui.widgets import help_links
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.run_row import StoppableRunRow
from app.gui.widgets.text import code, paragraph, steps
from app.gui.wizard.base import SetupPage
from app.gui.wizard.ca_file_field import CLI_CA_ADVICE, CaFileField, for_the_gui
from app.gui.wizard.draft import session_only

if TYPE_CHECKING:
    from app.core.okta_check import AliveResult
    from app.gui.context import AppContext
    from app.gui.wizard.state import SetupState


class SelfHostedPage(SetupPage):
    step = SetupStep.SELF_HOSTED

    def __init__(self, ctx: AppContext, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(ctx, state, parent)
        self.setTitle(self.tr("Turn on SCIM on your server"))
        self.setSubTitle(
            self.tr("A self-hosted server runs its SCIM service only when it is switched on.")
        )
        self.add(
            steps(
                [
                    self.tr("On the server, open {0} in the Bitwarden installation folder.").format(
                        code("bwdata/config.yml")
                    ),
                    self.tr("Set {0}.").format(code("enable_scim: true")),
                    self.tr("Apply the change: run {0}, then {1}.").format(
                        code("./bitwarden.sh rebuild"), code("./bitwarden.sh restart")
                    ),
                    self.tr("Check below that the SCIM service answers."),
                ],
                self,
            )
        )
        self.ca_field = CaFileField(self)
        self.add(self.ca_field)
        self.runner = StoppableRunRow(
            self,
            (self.tr("&Check SCIM"), self.tr("Check that SCIM is on")),
            self.tr("Checking"),
            stop=(self.tr("Cancel check"), self.tr("Cancel the SCIM check")),
        )
        self.check_button, self.progress = self.runner.run_button, self.runner.progress
        self.cancel_button = self.runner.stop_button
        self.runner.stopped.connect(self._cancelled)
        self.add(self.runner)
        self.result = MessageLabel(self.tr("SCIM check result"), self)
        self.add(self.result)
        self.skip = QCheckBox(
            self.tr("Continue without this check (this computer cannot reach the server)"), self
        )
        self.skip.setAccessibleName(self.skip.text())
        session_only(self.skip)  # holds for this check's outcome only
        self.skip.setVisible(False)
        self.add(self.skip)
        self.add(
            paragraph(
                self.tr(
                    "Okta needs to reach this server's SCIM address from the internet; "
                    "the Okta pages later in this assistant come back to that."
                ),
                self,
            )
        )
        self.end_with_help(
            [
                (self.tr("Bitwarden: About SCIM"), help_links.BW_ABOUT_SCIM),
                (self.tr("Configure the server"), help_links.BW_SELF_HOST_CONFIG),
            ]
        )
        self._alive = False
        #: The server and CA file the shown result is for: a result holds for those only.
        self._result_for: tuple[str | None, Path | None] | None = None
        self._checked_ca: Path | None = None
        self.check_button.clicked.connect(self.run_check)
        self.skip.toggled.connect(self.completeChanged)
        self.ca_field.changed.connect(self._ca_file_changed)

    def initializePage(self) -> None:  # noqa: N802
        if self.state.ca_file is not None and self.ca_field.value != self.state.ca_file:
            self.ca_field.set_path(self.state.ca_file)
        if self._result_for != self._inputs():
            self.show_not_checked()

    def _inputs(self) -> tuple[str | None, Path | None]:
        return (self.state.server_url, self.state.ca_file)

    def show_not_checked(self) -> None:
        """The server or CA file changed since the result shown: forget it, and the skip."""
        self._alive = False
        self._result_for = None
        self.skip.setChecked(False)
        self.skip.setVisible(False)
        self.result.show_lines(
            Tone.NEUTRAL,
            [self.tr("Not checked yet for {0}.").format(self.state.server_url or "")],
        )
        self.check_button.setText(self.tr("&Check SCIM"))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        current = self._result_for == self._inputs()
        return (
            current and (self._alive or self.skip.isChecked()) and not self.busy
        ) and self.ca_field.valid

    def next_hint(self) -> str | None:
        if not self.ca_field.valid:
            return self.tr("Choose a usable CA file, or clear the field, to go on.")
        if self.skip.isVisible():
            return self.tr(
                "Next is available once SCIM answers: check again, or tick “Continue without "
                "this check”."
            )
        return self.tr("Next is available once the check shows that SCIM answers.")

    def activate(self) -> None:
        if not self._alive or self._result_for != self._inputs():
            self.run_check()

    def run_check(self) -> None:
        from app.core.okta_check import check_scim_alive

        server = self.state.server_url
        if server is None or self.busy:
            return
        if not self.ca_field.valid:
            return
        ca_file = self._checked_ca = self.ca_file()
        self._alive = False
        self._result_for = None
        inputs = self._inputs()
        self._set_busy(True)
        self.result.show_lines(Tone.NEUTRAL, [self.tr("Asking {0}/scim/alive…").format(server)])
        task = self.start(
            lambda control: check_scim_alive(server, ca_file=ca_file, cancel=control.token),
            on_success=lambda result: self._checked(result, inputs),
            on_failure=lambda exc: self._checked_error(str(exc), inputs),
        )
        self.runner.task = task
        task.cancelled.connect(self._cancelled)  # also when the admin leaves the page

    def _checked(self, result: AliveResult, inputs: tuple[str | None, Path | None]) -> None:
        self._set_busy(False)
        self._result_for = inputs
        if self._checked_ca != self.ca_file():  # the CA file changed while this check ran
            self.result.show_lines(
                Tone.WARNING, [self.tr("The CA file changed during the check; check again.")]
            )
            return
        self._alive = result.ok
        if result.ok:
            self.result.show_lines(Tone.OK, [result.message])
            self.skip.setChecked(False)  # nothing to skip once the check passes
            self.skip.setVisible(False)
        else:
            self.result.show_lines(Tone.ERROR, self._with_ca_hint(result.message))
            self.skip.setVisible(True)
        self.check_button.setText(self.tr("&Check again"))

    def _with_ca_hint(self, message: str) -> list[str]:
        """Point a certificate failure at the CA field rather than the command line's flag."""
        if "certificate" not in message.lower():
            return [message]
        # The core's advice is written for the command line; here the field above does it.
        if CLI_CA_ADVICE in message:
            return [for_the_gui(message, self.tr("choose your CA's certificate file above"))]
        if self.state.ca_file is None:
            return [
                message,
                self.tr(
                    "If your server's certificate comes from a private CA, choose that CA's "
                    "certificate file above; the check runs again."
                ),
            ]
        return [message, self.tr("The CA file above does not vouch for this certificate.")]

    def _ca_file_changed(self, path: Path | None) -> None:
        self.state.ca_file = path
        self._alive = False
        self.completeChanged.emit()
        if self.busy:
            self.deactivate()  # cancels the check still running with the old CA file
        if not self.ca_field.valid:
            # An earlier check's outcome no longer holds: say what to do instead.
            self.result.show_lines(
                Tone.WARNING, [self.tr("Choose a usable CA file or clear the field to check.")]
            )
            self.check_button.setEnabled(False)
            return
        self.check_button.setEnabled(not self.busy)
        if self.isVisible():
            self.run_check()

    def _checked_error(self, message: str, inputs: tuple[str | None, Path | None]) -> None:
        self._set_busy(False)
        self._result_for = inputs
        self.result.show_lines(Tone.ERROR, [message])
        self.skip.setVisible(True)

    def _cancelled(self) -> None:
        self._set_busy(False)
        self._result_for = self._inputs()  # the skip offered below holds for these inputs
        self.result.show_lines(Tone.WARNING, [self.tr("Check cancelled.")])
        self.skip.setVisible(True)

    def _set_busy(self, busy: bool) -> None:
        self.runner.set_busy(busy, can_run=self.ca_field.valid)
        self.completeChanged.emit()
