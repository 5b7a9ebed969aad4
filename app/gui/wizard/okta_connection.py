"""`OktaConnectionBox`: the optional Okta org URL and credential that let the wizard read Okta back.

The credential is an API token or an OAuth 2.0 service app (`ServiceAppFields`), as the admin
chooses. The URL is checked as the core checks it (`check_org_url`: Okta's domains, or a custom
domain with a warning) before anything is ever sent to it; the token is taken bare (a pasted
`SSWS ` prefix is dropped). What is chosen goes into `SetupState` (the token or the service app,
never both); the check panels read Okta with it, and the first reading Okta accepts saves it in
the keyring with the profile (see `OktaChecks`). Switching the choice changes the credential, so
an earlier result is gone. Everything works without them: the Okta pages stay checklists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.widgets.form import add_row
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.secret_field import SecretField
from app.gui.widgets.text import bold, paragraph
from app.gui.wizard.draft import persisted
from app.gui.wizard.okta_service_app_fields import ServiceAppFields

if TYPE_CHECKING:
    from pydantic import SecretStr

    from app.core.okta.service_app import ServiceApp
    from app.gui.wizard.state import SetupState

_PREFIXES = ("SSWS ", "Bearer ")


def bare_token(text: str) -> str | None:
    """The token without a pasted `SSWS `/`Bearer ` and surrounding spaces; None when unusable."""
    token = text.strip()
    for prefix in _PREFIXES:
        if token.lower().startswith(prefix.lower()):
            token = token[len(prefix) :].strip()
    if not token or any(ch.isspace() or not ch.isprintable() for ch in token):
        return None
    return token


class OktaConnectionBox(QGroupBox):
    """Org URL, and an API token or a service app; `changed` when what `SetupState` holds for
    them changed."""

    changed = Signal()
    #: A field was edited and Okta still cannot be read (`missing_text` may say another thing).
    still_missing = Signal()

    def __init__(self, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setTitle(self.tr("Optional: let this program read your Okta setup back"))
        outer = QVBoxLayout(self)
        outer.addWidget(
            paragraph(
                self.tr(
                    "With read access to Okta, each Okta page can check its steps in Okta for "
                    "you. Give an API token, or an API Services app that signs in with a private "
                    "key (OAuth 2.0). Either is saved in the keyring with this profile, like the "
                    "SCIM key, once Okta has accepted it."
                ),
                self,
            )
        )
        choice = QWidget(self)
        row = QHBoxLayout(choice)
        row.setContentsMargins(0, 0, 0, 0)
        self.token_choice = QRadioButton(self.tr("&API token"), choice)
        self.token_choice.setObjectName("okta_auth_token")
        self.service_choice = QRadioButton(self.tr("&Service app (OAuth)"), choice)
        self.service_choice.setObjectName("okta_auth_service_app")
        self.choice = QButtonGroup(self)
        for button in (self.token_choice, self.service_choice):
            button.setAccessibleName(button.text().replace("&", ""))
            persisted(button)  # the choice is kept across a restart (the secret never is)
            self.choice.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        self.token_choice.setChecked(True)
        outer.addWidget(choice)

        common = QWidget(self)
        form = QFormLayout(common)
        form.setContentsMargins(0, 0, 0, 0)
        self.url = QLineEdit(common)
        self.url.setAccessibleName(self.tr("Okta org URL"))
        self.url.setPlaceholderText("https://example.okta.com")
        self.url_message = MessageLabel(self.tr("Okta org URL check"), common)
        add_row(form, self.tr("Okta org &URL:"), self.url)
        form.addRow("", self.url_message)
        outer.addWidget(common)

        self.token_panel = QWidget(self)
        token_form = QFormLayout(self.token_panel)
        token_form.setContentsMargins(0, 0, 0, 0)
        token_form.addRow(
            paragraph(
                self.tr(
                    "Create a token in Okta's Admin Console: {0}. It acts with the permissions "
                    "of the admin who creates it; a Read-only Administrator is enough."
                ).format(bold(self.tr("Security → API → Tokens → Create token"))),
                self.token_panel,
                rich=True,
            )
        )
        self.token = SecretField(self.tr("Okta API token"), self.token_panel)
        self.token_message = MessageLabel(self.tr("Okta API token check"), self.token_panel)
        add_row(token_form, self.tr("Okta API to&ken:"), self.token)
        token_form.addRow("", self.token_message)
        outer.addWidget(self.token_panel)

        self.service = ServiceAppFields(self)
        outer.addWidget(self.service)
        self._show_choice()
        #: Until the page has filled in what the profile holds (`fill`), the fields do not speak
        #: for `SetupState`: a resumed wizard restores its kept fields before the page opens, and
        #: an empty key box then must not drop the saved service app (or token).
        self._filled = False

        _align_labels(self)
        self.url.textChanged.connect(self._edited)
        self.token.textChanged.connect(self._edited)
        self.service.edited.connect(self._edited)
        self.service_choice.toggled.connect(self._choice_toggled)

    @property
    def uses_service_app(self) -> bool:
        return self.service_choice.isChecked()

    def fill(self, url: str | None, token: str | None, app: ServiceApp | None = None) -> None:
        """Show saved (or the demo's) values, once, without overwriting what the admin typed."""
        self._filled = True
        if not self.url.text() and url:
            self.url.setText(url)
        if app is not None:
            if not self.token.text():
                self.service_choice.setChecked(True)
            self.service.fill(app)
        elif not self.token.text() and token:
            self.token.setText(token)
        self._edited()

    def _choice_toggled(self) -> None:
        self._show_choice()
        if self._filled:
            # Another way in: what was read before is not shown again on switching back.
            self.state.set_okta(None, ())
        self._edited()

    def _show_choice(self) -> None:
        service = self.uses_service_app
        self.token_panel.setVisible(not service)
        self.service.setVisible(service)

    def _edited(self) -> None:
        from app.core.okta.org_url import check_org_url

        url_text = self.url.text()
        url: str | None = None
        if url_text.strip():
            check = check_org_url(url_text)
            self.url_message.show_checks(check.error, check.warnings)
            url = check.url
        else:
            self.url_message.show_lines(Tone.NEUTRAL, [])
        token = None if self.uses_service_app else self._token()
        app = self.service.service_app() if self.uses_service_app else None
        state = self.state
        if not self._filled:
            return
        if (url, token, app) == (state.okta_url, state.okta_token, state.okta_service_app):
            if not state.has_okta:
                self.still_missing.emit()  # another part may be the one missing now
            return
        if url != state.okta_url:
            state.okta_app_id = None  # another org: its apps are others
        state.okta_url, state.okta_token, state.okta_service_app = url, token, app
        state.okta_verified = False
        self.changed.emit()

    def missing_text(self) -> str:
        """What is yet to be entered before Okta can be read, named (the check panel's line)."""
        parts: list[str] = []
        if self.state.okta_url is None:
            parts.append(
                self.tr("a correct Okta org URL")
                if self.url.text().strip()
                else self.tr("the Okta org URL")
            )
        if self.uses_service_app:
            service = self.service
            if not service.client_id_given and not service.key_usable:
                parts.append(self.tr("the service app's client ID and private key"))
            elif not service.client_id_given:
                parts.append(self.tr("the service app's client ID"))
            elif not service.key_usable:
                parts.append(self.tr("the service app's private key"))
        elif self.state.okta_token is None:
            parts.append(self.tr("an Okta API token"))
        # (Nothing named: the fields are not yet the state's, before the page has filled them.)
        parts = parts or [self.tr("the Okta org URL and an API token or a service app")]
        what = parts[0] if len(parts) == 1 else self.tr("{0} and {1}").format(*parts)
        return self.tr("Enter {0} above to check these steps.").format(what)

    def _token(self) -> SecretStr | None:
        """The token field's token, bare (its message says what was dropped or is wrong)."""
        from pydantic import SecretStr

        token_text = self.token.text()
        bare = bare_token(token_text)
        if token_text.strip() and bare is None:
            self.token_message.show_lines(
                Tone.ERROR, [self.tr("This token cannot be used: it has spaces inside.")]
            )
        elif bare is not None and bare != token_text:
            self.token_message.show_lines(
                Tone.WARNING,
                [self.tr("Only the token is used (the “SSWS ” or spaces around it are dropped).")],
            )
        else:
            self.token_message.show_lines(Tone.NEUTRAL, [])
        return SecretStr(bare) if bare is not None else None


def _align_labels(box: QWidget) -> None:
    """One label column for the box's forms (URL, token, service app), whichever is shown."""
    from PySide6.QtWidgets import QLabel

    labels = [label for label in box.findChildren(QLabel) if label.buddy() is not None]
    width = max(label.sizeHint().width() for label in labels)
    for label in labels:
        label.setMinimumWidth(width)
