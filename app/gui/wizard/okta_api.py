"""Page 7, Provisioning → Configure API Integration: the Base URL and API Token to paste into Okta.

Each value has a copy button; the key's copy is cleared from the clipboard again after a short
while. Okta connects from its cloud, not from this computer, so the reachability warnings of the
check are repeated here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QFormLayout, QHBoxLayout, QLineEdit, QWidget

from app.core.profiles import SetupStep
from app.gui.widgets import help_links
from app.gui.widgets.copy_button import SECRET_CLIPBOARD_SECONDS, CopyButton
from app.gui.widgets.form import add_row
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.secret_field import SecretField
from app.gui.widgets.text import bold, steps
from app.gui.wizard.base import SetupPage
from app.gui.wizard.okta_checks import OktaChecks

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.wizard.state import SetupState


class OktaApiPage(SetupPage):
    step = SetupStep.OKTA_API

    def __init__(self, ctx: AppContext, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(ctx, state, parent)
        self.setTitle(self.tr("Connect Okta to Bitwarden"))
        self.setSubTitle(
            self.tr("In the Bitwarden app in Okta: Provisioning → Configure API Integration.")
        )
        self.add(
            steps(
                [
                    self.tr("Open the app's {0} tab and select {1}.").format(
                        bold(self.tr("Provisioning")), bold(self.tr("Configure API Integration"))
                    ),
                    self.tr("Tick {0}.").format(bold(self.tr("Enable API Integration"))),
                    self.tr("Paste the two values below into {0} and {1}.").format(
                        bold(self.tr("Base URL")), bold(self.tr("API Token"))
                    ),
                    self.tr(
                        "Select {0}. Okta should say that Bitwarden was verified successfully."
                    ).format(bold(self.tr("Test API Credentials"))),
                    self.tr("Select {0}.").format(bold(self.tr("Save"))),
                ],
                self,
            )
        )
        fields = QWidget(self)
        form = QFormLayout(fields)
        form.setContentsMargins(0, 0, 0, 0)
        self.base_url = QLineEdit(fields)
        self.base_url.setReadOnly(True)
        self.base_url.setAccessibleName(self.tr("Base URL"))
        self.copy_url = CopyButton(self.base_url.text, self.tr("Copy the Base URL"), parent=fields)
        self.token = SecretField(self.tr("API Token"), fields)
        self.token.edit.setReadOnly(True)
        self.copy_token = CopyButton(
            self._key, self.tr("Copy the API Token"), secret=True, parent=fields
        )
        add_row(form, self.tr("Base &URL:"), _row(fields, self.base_url, self.copy_url))
        add_row(form, self.tr("API &Token:"), _row(fields, self.token, self.copy_token))
        self.add(fields)
        self.bearer_warning = MessageLabel(self.tr("API Token advice"), self)
        self.bearer_warning.show_lines(
            Tone.WARNING,
            [
                self.tr(
                    "Paste only the key into API Token; do not type “Bearer ” in front of it. "
                    "The copied key is cleared from the clipboard after {0} seconds."
                ).format(round(SECRET_CLIPBOARD_SECONDS))
            ],
        )
        self.add(self.bearer_warning)
        self.reachability = MessageLabel(self.tr("Reachability"), self)
        self.add(self.reachability)
        self.done_box = QCheckBox(
            self.tr("Okta's Test API Credentials succeeded and I selected Save"), self
        )
        self.done_box.setAccessibleName(self.done_box.text())
        self.add(self.done_box)
        self.okta = OktaChecks(
            self,
            [
                ("api_integration", self.tr("API integration is enabled")),
                ("base_url", self.tr("Base URL and API Token")),
            ],
        )
        self.add(self.okta)
        self.end_with_help(
            [
                (self.tr("Bitwarden: Okta SCIM integration"), help_links.BW_OKTA_SCIM),
                (self.tr("Okta: provisioning"), help_links.OKTA_PROVISIONING),
            ]
        )
        self.done_box.toggled.connect(self.completeChanged)
        self.okta.updated.connect(self.completeChanged)

    def initializePage(self) -> None:  # noqa: N802
        self.base_url.setText(self.state.scim_url)
        self.token.setText(self._key())
        lines = [
            self.tr(
                "Okta connects to the Base URL from Okta's cloud, not from this computer: the "
                "address must be reachable from the internet with a certificate Okta trusts."
            )
        ]
        endpoints = self.state.endpoints
        if self.ctx.demo:
            lines.append(
                self.tr(
                    "Demo: this SCIM URL is on this computer; a real Okta could not reach it. "
                    "The demo plays Okta's part on the next pages."
                )
            )
        elif endpoints is not None and endpoints.is_loopback:
            lines.append(self.tr("This Base URL points at this computer, which Okta cannot reach."))
        if self.state.check is not None:
            lines += self.state.check.warnings
        tone = Tone.WARNING if len(lines) > 1 else Tone.NEUTRAL
        self.reachability.show_lines(tone, lines)
        self.okta.refresh()

    def activate(self) -> None:
        self.okta.activate()

    def next_hint(self) -> str | None:
        return self.tr("Tick “{0}” once it is done to go on.").format(self.done_box.text())

    def isComplete(self) -> bool:  # noqa: N802
        return self.done_box.isChecked() or self.okta.page_verified()

    def _key(self) -> str:
        key = self.state.scim_key
        return key.get_secret_value() if key is not None else ""


def _row(parent: QWidget, field: QWidget, button: QWidget) -> QWidget:
    row = QWidget(parent)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field, 1)
    layout.addWidget(button)
    return row
