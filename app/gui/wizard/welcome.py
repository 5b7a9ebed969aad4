"""Page 1, Welcome: what will happen, what is needed, and where the organization lives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.widgets import help_links
from app.gui.widgets.form import add_row
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.text import paragraph
from app.gui.wizard.base import SetupPage
from app.gui.wizard.steps import page_id

if TYPE_CHECKING:
    from app.core.endpoints import Deployment
    from app.gui.context import AppContext
    from app.gui.wizard.state import SetupState


#: `app.core.endpoints.Deployment` values.
_CLOUD_US, _CLOUD_EU, _SELF_HOSTED = "cloud_us", "cloud_eu", "self_hosted"


class WelcomePage(SetupPage):
    # Plain values, not the core's enums: this page paints before the core is imported.
    step = "welcome"
    scrollable = False

    def __init__(self, ctx: AppContext, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(ctx, state, parent)
        self.setTitle(self.tr("Connect Bitwarden to Okta"))
        self.setSubTitle(
            self.tr(
                "This assistant walks you through Bitwarden's SCIM setup for Okta and checks "
                "every step that can be checked."
            )
        )
        self.notice = MessageLabel(self.tr("Notice"), self)
        self.add(self.notice)
        self.intro = self.add(
            paragraph(
                self.tr(
                    "You will turn on SCIM in Bitwarden's Admin Console, add the Bitwarden app in "
                    "Okta and connect the two. The assistant tests the SCIM URL and key exactly as "
                    "Okta will, keeps them in your system's keyring, and then watches your "
                    "organization until the first users from Okta arrive."
                ),
                self,
            )
        )
        needs = [
            self.tr("a Bitwarden Teams or Enterprise organization;"),
            self.tr(
                "a Bitwarden role that can manage SCIM (an Owner or Admin, or a custom role with "
                "“Manage SCIM”);"
            ),
            self.tr("administrator rights in Okta to add and configure applications;"),
            self.tr("about 15 minutes."),
        ]
        # Plain text, not an HTML list: the first page paints faster with plain labels.
        self.add(
            paragraph("\n".join([self.tr("You need:"), *(f"   •  {need}" for need in needs)]), self)
        )

        where = QGroupBox(self.tr("Where is your Bitwarden organization?"), self)
        where_layout = QVBoxLayout(where)
        self.choices = QButtonGroup(self)
        self.radio_us = QRadioButton(self.tr("Bitwarden cloud, United States (bitwarden.com)"))
        self.radio_eu = QRadioButton(self.tr("Bitwarden cloud, Europe (bitwarden.eu)"))
        self.radio_self = QRadioButton(self.tr("Self-hosted Bitwarden server"))
        for radio, deployment in (
            (self.radio_us, _CLOUD_US),
            (self.radio_eu, _CLOUD_EU),
            (self.radio_self, _SELF_HOSTED),
        ):
            radio.setAccessibleName(radio.text())
            radio.setProperty("deployment", deployment)
            self.choices.addButton(radio)
            where_layout.addWidget(radio)
        self.server = QLineEdit(where)
        self.server.setPlaceholderText("https://bitwarden.example.com")
        self.server.setAccessibleName(self.tr("Server address"))
        form = QFormLayout()
        form.setContentsMargins(24, 0, 0, 0)
        add_row(form, self.tr("Server &address:"), self.server)
        where_layout.addLayout(form)
        self.server_message = MessageLabel(self.tr("Server address check"), where)
        where_layout.addWidget(self.server_message)
        self.add(where)
        self.end_with_help(
            [
                (self.tr("Bitwarden: Okta SCIM integration"), help_links.BW_OKTA_SCIM),
                (self.tr("About SCIM"), help_links.BW_ABOUT_SCIM),
            ]
        )

        self._waiting_for_demo = False
        self.choices.buttonToggled.connect(self._changed)
        self.server.textChanged.connect(self._changed)
        self._update_server_field()

    # -- Qt overrides --------------------------------------------------------------------------
    def initializePage(self) -> None:  # noqa: N802
        demo = self.setup().demo
        if demo is not None:
            if demo.is_ready:
                self._fill_demo()
            elif not self._waiting_for_demo:
                self._waiting_for_demo = True
                self.show_notice(self.tr("Starting the demo organization on this computer…"))
                demo.ready.connect(self._demo_ready)
                demo.failed.connect(lambda message: self.notice.show_lines(Tone.ERROR, [message]))
        elif self.state.deployment is not None and self.choices.checkedButton() is None:
            # Filling the widgets re-reads them into the state: take the saved values first.
            deployment, server_url = self.state.deployment, self.state.server_url
            self._select(deployment)
            if server_url:
                self.server.setText(server_url)

    def isComplete(self) -> bool:  # noqa: N802
        demo = self.setup().demo if self.wizard() is not None else None
        if demo is not None and not demo.is_ready:
            return False
        deployment = self.selected()
        if deployment is None:
            return False
        return deployment != _SELF_HOSTED or self.state.server_url is not None

    def next_hint(self) -> str | None:
        demo = self.setup().demo
        if demo is not None and not demo.is_ready:
            return None  # the notice says the demo is starting
        if self.selected() is None:
            return self.tr("Choose where your Bitwarden organization is to go on.")
        if self.state.server_url is None:
            return self.tr("Enter your server's address (https://…) to go on.")
        return None

    def nextId(self) -> int:  # noqa: N802
        return page_id("self_hosted" if self.selected() == _SELF_HOSTED else "enable_scim")

    def validatePage(self) -> bool:  # noqa: N802 - the later pages are added after the first paint
        self.setup().ensure_pages()
        return True

    # -- behaviour -------------------------------------------------------------------------------
    def selected(self) -> str | None:
        """The chosen `Deployment` value ("cloud_us", "cloud_eu", "self_hosted"), if any."""
        button = self.choices.checkedButton()
        return str(button.property("deployment")) if button is not None else None

    def show_notice(self, text: str) -> None:
        self.notice.show_lines(Tone.INFO, [text] if text else [])

    def prefill(self, deployment: str, server_url: str | None) -> None:
        """Choose where the organization lives, as the admin chose it before (a draft)."""
        self._select(deployment)
        if server_url and deployment == _SELF_HOSTED:
            self.server.setText(server_url)

    def _select(self, deployment: Deployment | str) -> None:
        for button in self.choices.buttons():
            if button.property("deployment") == str(deployment):
                button.setChecked(True)

    def _changed(self) -> None:
        from app.core.endpoints import Deployment

        self._update_server_field()
        value = self.selected()
        deployment = Deployment(value) if value is not None else None
        if deployment is not None and deployment is not self.state.deployment:
            # Another place: what was entered for the old one no longer applies.
            self.state.endpoints = None
            self.state.check = None
        self.state.deployment = deployment
        self.completeChanged.emit()

    def _update_server_field(self) -> None:
        self_hosted = self.selected() == _SELF_HOSTED
        self.server.setEnabled(self_hosted)
        if not self_hosted:
            self.state.server_url = None
            self.server_message.show_lines(Tone.NEUTRAL, [])
            return
        from app.core.endpoints import normalize_server_url

        url, error = normalize_server_url(self.server.text())
        if url != self.state.server_url:
            self.state.check = None
        self.state.server_url = url
        shown_error = error if self.server.text().strip() else None
        self.server_message.show_checks(shown_error, [])

    def _demo_ready(self) -> None:
        self._fill_demo()
        self.completeChanged.emit()

    def _fill_demo(self) -> None:
        demo = self.setup().demo
        values = demo.values if demo is not None else None
        if values is None:
            return
        self.show_notice(
            self.tr(
                "Demo: the setup runs against a demo organization on this computer, with the "
                "values a real admin would copy already filled in. Nothing is written to your "
                "keyring or to your saved profiles."
            )
        )
        if self.choices.checkedButton() is None:
            self._select(_SELF_HOSTED)
            self.server.setText(values.server_url)
