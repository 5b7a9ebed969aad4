"""Page 3, Enable SCIM in the Admin Console: the console's steps, then the SCIM URL and key.

Both fields are checked as they are typed or pasted, by the core (no network): an invalid URL, a
URL of another region or server than chosen, a pasted `Bearer `, stray whitespace, an unfamiliar
host. The cleaned values go into the shared state as soon as they are valid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget

from app.core.endpoints import Deployment, console_url, parse_scim_url
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
        #: Offered when the URL belongs elsewhere than chosen on the first page: fixes the choice.
        fix_row = QWidget(fields)
        fix_layout = QHBoxLayout(fix_row)
        fix_layout.setContentsMargins(0, 0, 0, 0)
        self.fix_place = QPushButton(fix_row)
        self.fix_place.setAccessibleName(self.tr("Go back and choose where the URL belongs"))
        self.fix_place.setVisible(False)
        fix_layout.addWidget(self.fix_place)
        fix_layout.addStretch(1)
        self.fix_place.clicked.connect(self._fix_place)
        self._place: tuple[Deployment, str | None] | None = None
        add_row(form, self.tr("SCIM &URL:"), self.url)
        form.addRow("", self.url_message)
        form.addRow("", fix_row)
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

    def next_hint(self) -> str | None:
        url, key = self.url.text().strip(), self.key.text().strip()
        if not url and not key:
            return self.tr("Paste the SCIM URL and the SCIM API key to go on.")
        if not self._url_ok:
            return (
                self.tr("Correct the SCIM URL above to go on.")
                if url
                else self.tr("Paste the SCIM URL to go on.")
            )
        if not self._key_ok:
            return (
                self.tr("Correct the SCIM API key above to go on.")
                if key
                else self.tr("Paste the SCIM API key to go on.")
            )
        return None

    def _url_changed(self) -> None:
        text = self.url.text()
        result = parse_scim_url(
            text, expected=self.state.deployment, server_url=self.state.server_url
        )
        self._url_ok = result.ok
        self.url_message.show_checks(result.error if text.strip() else None, result.warnings)
        self._offer_place(text if result.error else "")
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

    def _offer_place(self, text: str) -> None:
        """A URL that is fine but belongs to another region or server than the first page says:
        offer to go back and choose where it belongs (the button does it)."""
        where = parse_scim_url(text).endpoints if text.strip() else None
        chosen = self.state.deployment
        same = where is not None and (where.deployment, where.server_url) == (
            chosen,
            self.state.server_url,
        )
        if where is None or chosen is None or same:
            self._place = None
        else:
            self._place = (where.deployment, where.server_url)
            self.fix_place.setText(
                {
                    Deployment.CLOUD_US: self.tr(
                        "Go back and &choose United States (bitwarden.com)"
                    ),
                    Deployment.CLOUD_EU: self.tr("Go back and &choose Europe (bitwarden.eu)"),
                    Deployment.SELF_HOSTED: self.tr("Go back and &choose the server {0}").format(
                        where.server_url or ""
                    ),
                }[where.deployment]
            )
            self.fix_place.setAccessibleName(self.fix_place.text().replace("&", ""))
        self.fix_place.setVisible(self._place is not None)

    def _fix_place(self) -> None:
        if self._place is not None:
            deployment, server_url = self._place
            self.setup().choose_place(deployment, server_url)

    def _open_console(self) -> None:
        if self.state.endpoints is not None:
            url = self.state.endpoints.admin_console_scim_url
        elif self.state.deployment is not None:
            url = console_url(self.state.deployment, self.state.server_url)
        else:
            return
        self.setup().open_url(url)
