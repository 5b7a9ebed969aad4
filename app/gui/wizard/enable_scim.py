"""Page 3, Enable SCIM in the Admin Console: the console's steps, then the SCIM URL and key.

Both fields are checked as they are typed or pasted, by the core (no network): an invalid URL, a
URL of another region or server than chosen, a pasted `Bearer `, stray whitespace, an unfamiliar
host. The cleaned values go into the shared state as soon as they are valid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget

from app.core.endpoints import console_url, parse_scim_url
from app.core.keys import check_scim_key
from app.core.profiles import SetupStep
from app.gui.widgets import help_links
from app.gui.widgets.form import add_row
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.secret_field import SecretField
from app.gui.widgets.text import bold, steps
from app.gui.wizard.base import SetupPage

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.wizard.state import SetupState


class EnableScimPage(SetupPage):
    step = SetupStep.ENABLE_SCIM

    def __init__(self, ctx: AppContext, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(ctx, state, parent)
        self.setTitle(self.tr("Enable SCIM in the Admin Console"))
        self.setSubTitle(self.tr("Bitwarden shows the SCIM URL and API key once SCIM is enabled."))
        row = QWidget(self)
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        self.console_button = QPushButton(self.tr("&Open the Admin Console"), row)
        self.console_button.setAccessibleName(self.tr("Open the Admin Console in the browser"))
        row_layout.addWidget(self.console_button)
        row_layout.addStretch(1)
        self.add(row)
        self.add(
            steps(
                [
                    self.tr("Log in to the Bitwarden web app and open the {0}.").format(
                        bold(self.tr("Admin Console"))
                    ),
                    self.tr("Navigate to {0}.").format(
                        bold(self.tr("Settings → SCIM provisioning"))
                    ),
                    self.tr("Select the {0} checkbox and take note of your {1} and {2}.").format(
                        bold(self.tr("Enable SCIM")),
                        bold(self.tr("SCIM URL")),
                        bold(self.tr("SCIM API Key")),
                    ),
                    self.tr("Select {0}.").format(bold(self.tr("Save"))),
                    self.tr("Copy both values into the fields below."),
                ],
                self,
            )
        )
        self.demo_note = MessageLabel(self.tr("Demo"), self)
        if ctx.demo:
            self.demo_note.show_lines(
                Tone.INFO,
                [
                    self.tr(
                        "Demo: there is no Admin Console to open; the demo organization's SCIM URL "
                        "and key are already filled in below."
                    )
                ],
            )
        self.console_button.setEnabled(not ctx.demo)
        self.add(self.demo_note)

        fields = QWidget(self)
        form = QFormLayout(fields)
        form.setContentsMargins(0, 8, 0, 0)
        self.url = QLineEdit(fields)
        self.url.setAccessibleName(self.tr("SCIM URL"))
        self.url.setPlaceholderText("https://scim.bitwarden.com/v2/…")
        self.url_message = MessageLabel(self.tr("SCIM URL check"), fields)
        self.key = SecretField(self.tr("SCIM API key"), fields)
        self.key_message = MessageLabel(self.tr("SCIM API key check"), fields)
        add_row(form, self.tr("SCIM &URL:"), self.url)
        form.addRow("", self.url_message)
        add_row(form, self.tr("SCIM API &key:"), self.key)
        form.addRow("", self.key_message)
        self.add(fields)
        self.end_with_help(
            [
                (self.tr("Bitwarden: Enable SCIM"), help_links.BW_OKTA_SCIM),
                (self.tr("About SCIM"), help_links.BW_ABOUT_SCIM),
            ]
        )
        self.console_button.clicked.connect(self._open_console)
        self.url.textChanged.connect(self._url_changed)
        self.key.textChanged.connect(self._key_changed)
        self._url_ok = False
        self._key_ok = False

    def initializePage(self) -> None:  # noqa: N802
        demo = self.setup().demo
        values = demo.values if demo is not None else None
        if not self.url.text():
            if values is not None:
                self.url.setText(values.scim_url)
            elif self.state.endpoints is not None:
                self.url.setText(self.state.endpoints.scim_url)
        if not self.key.text():
            if values is not None:
                self.key.setText(values.scim_key.get_secret_value())
            elif self.state.scim_key is not None:
                self.key.setText(self.state.scim_key.get_secret_value())
        self._url_changed()

    def isComplete(self) -> bool:  # noqa: N802
        return self._url_ok and self._key_ok

    def _url_changed(self) -> None:
        text = self.url.text()
        result = parse_scim_url(
            text, expected=self.state.deployment, server_url=self.state.server_url
        )
        self._url_ok = result.ok
        self.url_message.show_checks(result.error if text.strip() else None, result.warnings)
        if result.ok and result.endpoints is not None:
            if self.state.endpoints is None or self.state.endpoints != result.endpoints:
                self.state.check = None
                self.state.secrets_saved = False  # the Save page must save the new value
                # A Public API key verified for another organization or server is not verified
                # for this one.
                self.state.public_api_verified = False
            self.state.endpoints = result.endpoints
            self.state.scim_url = result.endpoints.scim_url
            self.state.deployment = result.endpoints.deployment
        self.completeChanged.emit()

    def _key_changed(self) -> None:
        text = self.key.text()
        result = check_scim_key(text)
        if self.key.show_cleaned(result.cleaned.get_secret_value(), result.warnings):
            return  # checked again with only the key in the field
        self._key_ok = result.ok
        self.key_message.show_checks(
            result.error if text.strip() else None, result.warnings, self.key.cleaned_notes()
        )
        if result.ok and result.value is not None:
            if self.state.scim_key != result.value:
                self.state.check = None
                self.state.secrets_saved = False
            self.state.scim_key = result.value
        self.completeChanged.emit()

    def _open_console(self) -> None:
        if self.state.endpoints is not None:
            url = self.state.endpoints.admin_console_scim_url
        elif self.state.deployment is not None:
            url = console_url(self.state.deployment, self.state.server_url)
        else:
            return
        self.setup().open_url(url)
