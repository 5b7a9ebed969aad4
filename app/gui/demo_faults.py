"""The demo's "Seed an Okta fault" menu: the sandbox Okta org's five faults, each in words.

Without it the demo shows only a setup in which every Okta step is done. A fault puts the
sandbox's Okta org in one faulty state and has it attempt the provisioning that reveals it, as the
real Okta does on the next assignment (`app.sandbox.okta.faults`, over real SCIM). The window
then checks Okta again, so the admin sees the program find it and explain the fix. Offered only
in the demo, where `AppContext.seed_okta_fault` is set once its sandbox runs.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from app.gui.tasks import run_task

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.tasks import Task


class Fault(NamedTuple):
    #: The control endpoint's name (interfaces.md).
    name: str
    label: str
    #: What happened, and where the program shows it.
    shown: str


def faults() -> tuple[Fault, ...]:
    return (
        Fault(
            "deactivate_users_off",
            QCoreApplication.translate("OktaFaultMenu", "To App: Deactivate Users is off"),
            QCoreApplication.translate(
                "OktaFaultMenu",
                "Okta unassigned a person, and Bitwarden kept them as a member. Shown on the "
                "page “Choose what Okta may do in Bitwarden” (Deactivate Users, with the fix) "
                "and in the members window (“In Bitwarden, not assigned in Okta”).",
            ),
        ),
        Fault(
            "username_is_login",
            QCoreApplication.translate(
                "OktaFaultMenu", "Application username is the Okta login, not the email"
            ),
            QCoreApplication.translate(
                "OktaFaultMenu",
                "Okta pushed a member already in Bitwarden under a login name and got a "
                "conflict. Shown on the page “Choose what Okta may do in Bitwarden” "
                "(Application username), on “Assign people and push groups” (the System Log's "
                "failure) and in the members window (“App username ≠ email”).",
            ),
        ),
        Fault(
            "token_rotated",
            QCoreApplication.translate("OktaFaultMenu", "Okta holds an old SCIM key"),
            QCoreApplication.translate(
                "OktaFaultMenu",
                "The SCIM key was rotated in Bitwarden but not pasted in Okta, and Okta's next "
                "push was refused. Shown on the page “Connect Okta to Bitwarden” (API "
                "integration), on “Assign people and push groups” and in the members window "
                "(“In Okta, not in Bitwarden”, with the reason).",
            ),
        ),
        Fault(
            "revoked_member_conflict",
            QCoreApplication.translate(
                "OktaFaultMenu", "A revoked member still holds the person Okta pushes"
            ),
            QCoreApplication.translate(
                "OktaFaultMenu",
                "A person was revoked, then pushed again under a new email: Bitwarden answered "
                "with a conflict. Shown on the page “Assign people and push groups” and in the "
                "members window (“In Okta, not in Bitwarden”, naming the revoked member).",
            ),
        ),
        Fault(
            "group_assigned_and_pushed",
            QCoreApplication.translate(
                "OktaFaultMenu", "One group both assigned to the app and pushed"
            ),
            QCoreApplication.translate(
                "OktaFaultMenu",
                "Okta advises against it: the push runs before the group's members are "
                "provisioned. Shown on the page “Assign people and push groups” (Push Groups).",
            ),
        ),
    )


class OktaFaultMenu(QMenu):
    """Seeds one fault off the GUI thread (it provisions over HTTP), then says what it did."""

    #: A fault was seeded and Okta attempted its provisioning: check Okta again.
    seeded = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Seed an &Okta fault (demo)"))
        self.ctx = ctx
        self.setToolTipsVisible(True)
        self._task: Task[object] | None = None
        for fault in faults():
            action = self.addAction(fault.label)
            action.setToolTip(fault.shown)
            action.triggered.connect(partial(self.seed, fault))
        self.aboutToShow.connect(self._update)
        self.message: QMessageBox | None = None

    @property
    def busy(self) -> bool:
        return self._task is not None and self._task.running

    def _update(self) -> None:
        ready = self.ctx.seed_okta_fault is not None and not self.busy
        for action in self.actions():
            action.setEnabled(ready)

    def seed(self, fault: Fault) -> None:
        seed = self.ctx.seed_okta_fault
        if seed is None or self.busy:
            return
        self._task = run_task(
            self,
            lambda _control: seed(fault.name),
            on_success=lambda _result: self._seeded(fault),
            on_failure=self._failed,
        )

    def _seeded(self, fault: Fault) -> None:
        self.seeded.emit(fault.name)
        self._say(
            QMessageBox.Icon.Information,
            self.tr("Seeded: {0}. {1}").format(fault.label, fault.shown),
        )

    def _failed(self, error: BaseException) -> None:
        from app.core.outside_text import clean

        self._say(
            QMessageBox.Icon.Warning,
            self.tr("The demo's Okta org could not seed the fault: {0}").format(clean(str(error))),
        )

    def _say(self, icon: QMessageBox.Icon, text: str) -> None:
        """One message box, reused: a second fault's message takes the first one's place."""
        if self.message is None:
            self.message = QMessageBox(self.parentWidget())
            self.message.setWindowTitle(self.tr("Okta fault (demo)"))
            self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setIcon(icon)
        self.message.setText(text)
        self.message.open()
