"""Page 8, Provisioning → To App: what to enable, and what Okta's actions do to a Bitwarden member.

From Bitwarden's documentation: deactivating or deleting a user in Okta revokes the member;
suspending does nothing. The Okta username must be the user's email: Bitwarden finds an existing
member by `userName` only when it contains `@`, so with another format Okta's lookup finds nothing
and its create fails with a conflict for anyone already in the organization. Email changes are not
supported once a user is provisioned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QWidget

from app.core.profiles import SetupStep
from app.gui.widgets import help_links
from app.gui.widgets.text import bold, paragraph, steps
from app.gui.wizard.base import SetupPage
from app.gui.wizard.okta_checks import OktaChecks

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.wizard.state import SetupState


class OktaToAppPage(SetupPage):
    step = SetupStep.OKTA_TO_APP

    def __init__(self, ctx: AppContext, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(ctx, state, parent)
        self.setTitle(self.tr("Choose what Okta may do in Bitwarden"))
        self.setSubTitle(self.tr("In the Bitwarden app in Okta: Provisioning → To App."))
        self.add(
            steps(
                [
                    self.tr("In the {0} tab, select {1}, then {2}.").format(
                        bold(self.tr("Provisioning")),
                        bold(self.tr("To App")),
                        bold(self.tr("Edit")),
                    ),
                    self.tr("Enable, at a minimum, {0} and {1}.").format(
                        bold(self.tr("Create Users")), bold(self.tr("Deactivate Users"))
                    ),
                    self.tr("Select {0}.").format(bold(self.tr("Save"))),
                ],
                self,
            )
        )
        # Each sentence is its own tr() call (lupdate cannot see one inside an f-string).
        in_okta, member_side = self.tr("In Okta"), self.tr("The Bitwarden member")
        actions = [
            (
                self.tr("Deactivate the user, or unassign the app"),
                self.tr("is revoked: loses access, keeps the account"),
            ),
            (self.tr("Delete the user"), self.tr("is revoked")),
            (self.tr("Suspend the user"), self.tr("is not changed: keeps access")),
        ]
        table = (
            "<table cellspacing='0' cellpadding='4' border='1' style='border-collapse:collapse'>"
            + f"<tr><th align='left'>{in_okta}</th><th align='left'>{member_side}</th></tr>"
            + "".join(f"<tr><td>{okta}</td><td>{member}</td></tr>" for okta, member in actions)
            + "</table>"
        )
        self.add(paragraph(table, self, rich=True)).setAccessibleName(
            self.tr("What Okta's actions do to a Bitwarden member")
        )
        self.add(
            paragraph(
                "<b>{}</b> {}".format(
                    self.tr("Usernames must be email addresses."),
                    self.tr(
                        "Bitwarden asks that a user's email and username be the same. It finds an "
                        "existing member by username only when the username contains “@”; with "
                        "another username format, Okta's lookup finds nobody and its create then "
                        "fails with a conflict for everyone already in the organization."
                    ),
                ),
                self,
                rich=True,
            )
        )
        self.add(
            paragraph(
                "<b>{}</b> {}".format(
                    self.tr("Email changes are not supported."),
                    self.tr(
                        "Once a user is provisioned, changing the email in Okta does not change it "
                        "in Bitwarden."
                    ),
                ),
                self,
                rich=True,
            )
        )
        self.done_box = QCheckBox(
            self.tr("I enabled Create Users and Deactivate Users and selected Save"), self
        )
        self.done_box.setAccessibleName(self.done_box.text())
        self.add(self.done_box)
        self.okta = OktaChecks(
            self,
            [
                ("create_users", self.tr("Create Users")),
                ("deactivate_users", self.tr("Deactivate Users")),
                ("username_is_email", self.tr("Application username is the email")),
            ],
            mismatches=True,
        )
        self.add(self.okta)
        self.end_with_help(
            [
                (self.tr("Bitwarden: Okta SCIM integration"), help_links.BW_OKTA_SCIM),
                (self.tr("About SCIM"), help_links.BW_ABOUT_SCIM),
            ]
        )
        self.done_box.toggled.connect(self.completeChanged)
        self.okta.updated.connect(self.completeChanged)

    def initializePage(self) -> None:  # noqa: N802
        self.okta.refresh()

    def activate(self) -> None:
        self.okta.activate()

    def next_hint(self) -> str | None:
        return self.tr("Tick “{0}” once it is done to go on.").format(self.done_box.text())

    def isComplete(self) -> bool:  # noqa: N802
        return self.done_box.isChecked() or self.okta.page_verified()
