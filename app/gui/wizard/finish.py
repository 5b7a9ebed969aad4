"""Page 11, Finish: what was configured, what happens next, and the way to the members window."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget, QWizard

from app.core.profiles import SetupStep
from app.gui.widgets import help_links
from app.gui.widgets.text import paragraph
from app.gui.wizard.base import SetupPage

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.wizard.state import SetupState


class FinishPage(SetupPage):
    step = SetupStep.FINISH

    def __init__(self, ctx: AppContext, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(ctx, state, parent)
        self.setTitle(self.tr("Okta is connected to Bitwarden"))
        self.setSubTitle(self.tr("What was set up, and what happens to each person from now on."))
        self.summary = paragraph("", self, rich=True)
        self.summary.setAccessibleName(self.tr("What was set up"))
        self.add(self.summary)
        self.add(
            paragraph(
                "<b>{}</b><ol><li>{}</li><li>{}</li><li>{}</li></ol>".format(
                    escape(self.tr("What happens next")),
                    escape(
                        self.tr(
                            "Invite: every person Okta provisions receives an invitation email "
                            "from Bitwarden; the member is “invited”."
                        )
                    ),
                    escape(
                        self.tr(
                            "Accept: the person accepts it and logs in to (or creates) a Bitwarden "
                            "account; the member is “accepted”."
                        )
                    ),
                    escape(
                        self.tr(
                            "Confirm: an administrator confirms the member. Confirming is the key "
                            "exchange: the organization's encryption key is encrypted with the "
                            "member's public key, and only then can the member see the "
                            "organization's items. Compare the member's fingerprint phrase "
                            "before you confirm."
                        )
                    ),
                ),
                self,
                rich=True,
            )
        )
        self.add(
            paragraph(
                self.tr(
                    "Select “Open the members window” to follow these steps for everyone Okta "
                    "provisions, and to confirm the members who accepted."
                ),
                self,
            )
        )
        self.end_with_help(
            [
                (self.tr("Bitwarden: confirm members"), help_links.BW_CONFIRM_MEMBERS),
                (self.tr("Fingerprint phrase"), help_links.BW_FINGERPRINT),
            ]
        )

    def initializePage(self) -> None:  # noqa: N802
        wizard = self.wizard()
        wizard.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Open the members window"))
        self.summary.setText(self._summary_html())

    def validatePage(self) -> bool:  # noqa: N802 - Finish opens the members window too
        if not self.resuming():
            self.setup().record_step(SetupStep.DONE)
            self.setup().members_requested.emit(self.state.profile_name)
        return True

    def _summary_html(self) -> str:
        state = self.state
        if state.secrets_saved:
            kept = self.tr("saved in {0}").format(state.keyring_name or self.tr("the keyring"))
        else:
            kept = self.tr("kept until this program closes (not saved)")
        if state.public_api_verified:
            api = self.tr("verified; member statuses and confirming are available")
        else:
            api = self.tr("skipped; member statuses and confirming are unavailable")
        count = len(state.provisioned)
        provisioned = (
            self.tr("none seen yet")
            if not count
            else self.tr("1 user so far")
            if count == 1
            else self.tr("{0} users so far").format(count)
        )
        rows = [
            (self.tr("Profile"), f"{state.profile_name} ({kept})"),
            (self.tr("SCIM URL"), state.scim_url),
            (self.tr("Test like Okta"), self._check_summary()),
            (self.tr("Users from Okta"), provisioned),
            (self.tr("Public API key"), api),
        ]
        body = "".join(
            f"<tr><td><b>{escape(label)}:</b></td><td>{escape(value)}</td></tr>"
            for label, value in rows
        )
        return f"<table cellpadding='2'>{body}</table>"

    def _check_summary(self) -> str:
        """The test's verdict in the test page's and `check`'s words, with Okta's blockers."""
        from app.core.okta_check import verdict_headline

        check = self.state.check
        if check is None:
            return self.tr("not run")
        text = verdict_headline(check.verdict)
        if check.okta_blockers:
            text += " — " + " ".join(check.okta_blockers)
        return text
