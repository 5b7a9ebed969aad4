"""The wizard's Okta connection as an OAuth 2.0 service app (client id + private key) instead of an
API token: against the sandbox Okta org's registered service app, over real HTTP with real
signatures. Okta accepting it saves it (and only then), DPoP required or not; a wrong key or a
missing scope give the core's sentences and save nothing; any edit or a switch of the choice drops
the result; the profile file and the page never hold the key; a restart remembers the choice and
the client id."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from PySide6.QtWidgets import QFileDialog, QLabel
from pytestqt.qtbot import QtBot

from app.core.okta.reading import OktaReading, profile_credential, read_okta
from app.core.okta.service_app import READ_SCOPES, ServiceApp
from app.core.profiles import SetupStep
from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.widgets.messages import Tone
from app.gui.wizard.okta_app import OktaAppPage
from app.gui.wizard.okta_checks import OktaChecks
from app.gui.wizard.wizard import SetupWizard
from tests.fixtures.keys import new_rsa_pem
from tests.gui.conftest import WAIT_MS, click, tick, type_text
from tests.gui.test_wizard_failures import resume, store_profile
from tests.gui.test_wizard_mnemonics import check_page

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NAME = "Acme"


def _info(demo: Demo) -> dict[str, Any]:
    info = demo.ctx.sandbox_info
    assert info is not None
    return info


def _issued(demo: Demo) -> int:
    assert demo.sandbox is not None
    assert demo.sandbox.okta is not None
    assert demo.sandbox.okta.api is not None
    return demo.sandbox.okta.api.oauth.issued


def _okta_app_page(qtbot: QtBot, ctx: AppContext, demo: Demo) -> tuple[SetupWizard, OktaAppPage]:
    """A real admin's wizard (nothing prefilled), resumed on the page with the Okta connection."""
    info = _info(demo)
    store_profile(ctx, NAME, info["scim_url"], info["scim_key"], SetupStep.OKTA_APP)
    wizard = resume(qtbot, ctx, NAME, SetupStep.OKTA_APP)
    page = wizard.currentPage()
    assert isinstance(page, OktaAppPage)
    return wizard, page


def _enter(qtbot: QtBot, page: OktaAppPage, demo: Demo, key: str) -> None:
    """Choose the service app and fill it in as the admin would (the key pasted)."""
    info = _info(demo)
    box = page.connection
    tick(box.service_choice)
    assert box.service.isVisibleTo(page)
    assert not box.token_panel.isVisibleTo(page)
    box.url.setText(info["okta_url"])
    type_text(box.service.client_id, info["okta_client_id"])
    box.service.key.insertPlainText(key)  # a paste (undoable, unlike setPlainText)


def _checked(qtbot: QtBot, checks: OktaChecks) -> None:
    click(qtbot, checks.run_button)
    qtbot.waitUntil(lambda: not checks.busy, timeout=WAIT_MS)


def _body(pem: str) -> str:
    return "".join(pem.strip().splitlines()[1:-1])


def _service_app(wizard: SetupWizard) -> ServiceApp | None:
    return wizard.state.okta_service_app


def _reading(wizard: SetupWizard) -> OktaReading | None:
    return wizard.state.okta


def _screen_text(wizard: SetupWizard) -> str:
    return "\n".join(label.text() for label in wizard.findChildren(QLabel))


def test_a_service_app_is_read_with_then_saved_and_the_saved_profile_verifies(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = _info(demo)
    wizard, page = _okta_app_page(qtbot, admin_context, demo)
    box = page.connection
    # The scopes are the core's, ready to copy.
    assert box.service.scopes.text() == " ".join(READ_SCOPES)
    assert not page.okta.run_button.isEnabled()  # nothing entered yet
    _enter(qtbot, page, demo, info["okta_private_key_pem"])
    assert "can sign for Okta (RS256)" in box.service.key_message.plain
    # Read as a key, the paste leaves the screen (as a password field would not show it).
    assert box.service.key.toPlainText() == ""
    assert "The pasted key is kept, not shown" in box.service.key.placeholderText()
    box.service.key.undo()
    assert box.service.key.toPlainText() == ""  # nor does Ctrl+Z bring it back
    assert page.okta.run_button.isEnabled()
    before = _issued(demo)
    _checked(qtbot, page.okta)
    assert page.okta.state.okta is not None, page.okta.status.plain
    assert page.okta.rows["app_active"].text().startswith("✔")
    assert info["okta_app_id"] in page.okta.status.plain
    assert "client id and private key are saved in the keyring" in page.okta.status.plain
    assert _issued(demo) == before + 1  # read as the service app, with one token
    saved = admin_context.secrets.load(NAME)
    assert saved is not None
    assert saved.okta_token is None
    assert saved.okta_client_id == info["okta_client_id"]
    assert saved.okta_private_key is not None
    compact = saved.okta_private_key.get_secret_value()
    assert compact.startswith("okta-key-v1.")  # the keyring's compact form, not the PEM
    # The saved profile is what the members window and `okta verify` read Okta with.
    credential = profile_credential(saved)
    assert isinstance(credential, ServiceApp)
    assert saved.okta_url is not None
    reading = read_okta(saved.okta_url, credential)
    assert reading.verification.app.id == info["okta_app_id"]
    # The key is on no label, in no repr, and not in the profile file.
    shown = _screen_text(wizard) + repr(wizard.state) + repr(saved)
    for secret in (compact, _body(info["okta_private_key_pem"])[:40]):
        assert secret not in shown
        assert secret not in admin_context.profiles.path.read_text()
    wizard.close()


def test_a_wrong_key_says_so_in_the_cores_words_and_saves_nothing(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    wizard, page = _okta_app_page(qtbot, admin_context, demo)
    _enter(qtbot, page, demo, new_rsa_pem())
    _checked(qtbot, page.okta)
    status = page.okta.status.plain
    assert "Okta could not be read" in status
    assert "Okta refused the service app: check its client id" in status
    assert "Public key / Private key" in status
    assert page.okta.state.okta is None
    assert not page.okta.rows["app_active"].isVisibleTo(page)
    saved = admin_context.secrets.load(NAME)
    assert saved is not None
    assert saved.okta_private_key is None
    assert saved.okta_client_id is None
    wizard.close()


def test_text_that_is_no_key_is_refused_before_anything_is_sent(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = _info(demo)
    wizard, page = _okta_app_page(qtbot, admin_context, demo)
    public = (
        serialization.load_pem_private_key(info["okta_private_key_pem"].encode(), None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    before = _issued(demo)
    _enter(qtbot, page, demo, public)
    box = page.connection.service
    assert "This is a public key or a certificate" in box.key_message.plain
    assert not page.okta.run_button.isEnabled()
    assert wizard.state.okta_service_app is None
    box.key.setPlainText("hello")
    assert "That is not a private key" in box.key_message.plain
    assert _issued(demo) == before
    wizard.close()


def _jwk(pem: str, kid: str) -> str:
    """The key as Okta's console shows a generated one: a private JWK with its `kid`."""
    import base64

    key = serialization.load_pem_private_key(pem.encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    numbers = key.private_numbers()

    def b64(value: int) -> str:
        data = value.to_bytes((value.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    jwk = {
        "kty": "RSA",
        "kid": kid,
        "n": b64(numbers.public_numbers.n),
        "e": b64(numbers.public_numbers.e),
        "d": b64(numbers.d),
        "p": b64(numbers.p),
        "q": b64(numbers.q),
    }
    return json.dumps(jwk, indent=2)


def test_a_pasted_jwk_brings_its_key_id_and_is_read_with(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = _info(demo)
    wizard, page = _okta_app_page(qtbot, admin_context, demo)
    _enter(qtbot, page, demo, _jwk(info["okta_private_key_pem"], info["okta_key_id"]))
    box = page.connection.service
    assert "The pasted key can sign for Okta (RS256)" in box.key_message.plain
    assert f"Key ID from the JWK: {info['okta_key_id']}" in box.key_message.plain
    app = _service_app(wizard)
    assert app is not None
    assert app.key_id == info["okta_key_id"]
    _checked(qtbot, page.okta)
    assert wizard.state.okta is not None, page.okta.status.plain
    saved = admin_context.secrets.load(NAME)
    assert saved is not None
    assert saved.okta_key_id == info["okta_key_id"]
    # A key id typed in takes the JWK's place (and, wrong here, Okta refuses the assertion).
    type_text(box.key_id, "not-the-kid")
    assert "Key ID from the JWK" not in box.key_message.plain
    _checked(qtbot, page.okta)
    assert _reading(wizard) is None
    assert "Okta refused the service app" in page.okta.status.plain
    wizard.close()


@pytest.mark.timeout(60)
def test_a_key_chosen_from_a_file_is_used_and_never_shown(
    qtbot: QtBot,
    admin_context: AppContext,
    demo: Demo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    info = _info(demo)
    key_file = tmp_path / "okta-service-app.pem"
    key_file.write_text(info["okta_private_key_pem"])
    wizard, page = _okta_app_page(qtbot, admin_context, demo)
    box = page.connection
    tick(box.service_choice)
    box.url.setText(info["okta_url"])
    box.service.client_id.setText(info["okta_client_id"])
    # The system's file dialog is the one part stood in for: it answers with the file's path.
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *_args: (str(key_file), ""))
    )
    click(qtbot, box.service.choose_file)
    assert box.service.key.toPlainText() == ""  # read, not put on screen
    assert "The key in okta-service-app.pem can sign for Okta" in box.service.key_message.plain
    _checked(qtbot, page.okta)
    assert page.okta.state.okta is not None, page.okta.status.plain
    # A file that cannot be read: its sentence, and no service app any more.
    click_missing = tmp_path / "gone.pem"
    box.service.load_file(click_missing)
    assert "The file gone.pem cannot be read" in box.service.key_message.plain
    assert wizard.state.okta_service_app is None
    assert wizard.state.okta is None
    # A named pipe (chosen under "All files"): refused at once, where open() blocked the GUI
    # thread for ever; a device is not a key file either.

    fifo = tmp_path / "okta.pipe"
    os.mkfifo(fifo)
    box.service.load_file(fifo)
    assert "okta.pipe is not a file" in box.service.key_message.plain
    box.service.load_file(Path("/dev/zero"))
    assert "zero is not a file" in box.service.key_message.plain
    assert wizard.state.okta_service_app is None
    wizard.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_key_file_others_can_read_is_warned_about_while_its_key_is_in_use(
    qtbot: QtBot,
    admin_context: AppContext,
    demo: Demo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As `profile save` says it (the core's one sentence): beside the key, not in a dialog; the
    key is read anyway; the warning goes when another key takes the file's place."""
    info = _info(demo)
    shared = tmp_path / "shared.pem"
    shared.write_text(info["okta_private_key_pem"])
    shared.chmod(0o644)
    private = tmp_path / "private.pem"
    private.write_text(info["okta_private_key_pem"])
    private.chmod(0o600)
    wizard, page = _okta_app_page(qtbot, admin_context, demo)
    box = page.connection
    tick(box.service_choice)
    box.url.setText(info["okta_url"])
    box.service.client_id.setText(info["okta_client_id"])
    warning = box.service.key_file_message
    assert not warning.isVisibleTo(page)
    chosen = [shared]
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *_args: (str(chosen[0]), ""))
    )
    click(qtbot, box.service.choose_file)
    assert warning.isVisibleTo(page)
    assert warning.tone is Tone.WARNING
    assert f"The private key file {shared} can be read by other users" in warning.plain
    assert "(mode 644)" in warning.plain
    assert f"chmod 600 {shared}" in warning.plain
    # Only a warning: the key was read and Okta is read with it; the warning stays meanwhile.
    assert "The key in shared.pem can sign for Okta" in box.service.key_message.plain
    _checked(qtbot, page.okta)
    assert wizard.state.okta is not None, page.okta.status.plain
    assert warning.isVisibleTo(page)
    # A pasted key takes the file's place: the warning goes with it.
    box.service.key.insertPlainText(info["okta_private_key_pem"])
    assert "The pasted key can sign" in box.service.key_message.plain
    assert not warning.isVisibleTo(page)
    assert warning.plain == ""
    # A file only its owner can read says nothing; nor does one replacing a warned file.
    chosen[0] = private
    click(qtbot, box.service.choose_file)
    assert "The key in private.pem can sign for Okta" in box.service.key_message.plain
    assert not warning.isVisibleTo(page)
    chosen[0] = shared
    click(qtbot, box.service.choose_file)
    assert warning.isVisibleTo(page)
    chosen[0] = private
    click(qtbot, box.service.choose_file)
    assert not warning.isVisibleTo(page)
    # A file that gives no key leaves no warning about the one before.
    chosen[0] = shared
    click(qtbot, box.service.choose_file)
    box.service.load_file(tmp_path / "gone.pem")
    assert "The file gone.pem cannot be read" in box.service.key_message.plain
    assert not warning.isVisibleTo(page)
    wizard.close()


def test_the_check_panel_names_what_is_yet_to_be_entered(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    """With the URL and a pasted key there, "Enter the Okta org URL and an API token or a service
    app" left the admin guessing that the client ID was the one thing missing."""
    info = _info(demo)
    wizard, page = _okta_app_page(qtbot, admin_context, demo)
    box, status = page.connection, page.okta.status

    def says(what: str) -> None:
        assert status.plain == f"Enter {what} above to check these steps.", status.plain
        assert not page.okta.run_button.isEnabled()

    says("the Okta org URL and an Okta API token")
    box.url.setText("https://acme-admin.okta.com")
    says("a correct Okta org URL and an Okta API token")
    box.url.setText(info["okta_url"])
    says("an Okta API token")
    tick(box.service_choice)
    says("the service app's client ID and private key")
    type_text(box.service.client_id, info["okta_client_id"])
    says("the service app's private key")
    box.service.key.insertPlainText("not a key")
    says("the service app's private key")
    box.service.key.clear()
    box.service.key.insertPlainText(info["okta_private_key_pem"])
    assert status.plain == "Not checked in Okta yet."
    assert page.okta.run_button.isEnabled()
    box.service.client_id.clear()
    says("the service app's client ID")
    tick(box.token_choice)
    says("an Okta API token")
    box.url.clear()
    tick(box.service_choice)
    says("the Okta org URL and the service app's client ID")
    wizard.close()


def test_any_edit_or_a_switch_of_the_choice_drops_the_result(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = _info(demo)
    wizard, page = _okta_app_page(qtbot, admin_context, demo)
    box = page.connection
    _enter(qtbot, page, demo, info["okta_private_key_pem"])
    _checked(qtbot, page.okta)
    assert wizard.state.okta is not None

    def passed_again() -> None:
        _checked(qtbot, page.okta)
        assert wizard.state.okta is not None, page.okta.status.plain

    def dropped() -> None:
        assert wizard.state.okta is None
        assert not page.okta.rows["app_active"].isVisibleTo(page)
        assert page.okta.status.plain.startswith(("Not checked in Okta yet", "Enter "))

    type_text(box.service.client_id, "x")
    dropped()
    box.service.client_id.setText(info["okta_client_id"])
    passed_again()
    type_text(box.service.key_id, "kid2")
    dropped()
    box.service.key_id.setText(info["okta_key_id"])
    passed_again()
    box.service.key.setPlainText(info["okta_private_key_pem"] + "\n")  # the same key: kept
    assert wizard.state.okta is not None
    box.service.key.setPlainText(new_rsa_pem())
    dropped()
    box.service.key.setPlainText(info["okta_private_key_pem"])
    passed_again()
    tick(box.token_choice)  # the token field is empty: nothing to read with
    dropped()
    assert box.token_panel.isVisibleTo(page)
    assert not box.service.isVisibleTo(page)
    assert _service_app(wizard) is None
    tick(box.service_choice)  # back: the same service app, but read anew
    assert _service_app(wizard) is not None
    dropped()
    wizard.close()


def test_a_service_app_requiring_dpop_is_read_with_and_saved(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    """Okta ticks "Require DPoP" by default on a new API Services app: it simply works."""
    info = _info(demo)
    answer = httpx.post(
        info["control_url"] + "/okta/service-app", json={"require_dpop": True}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    wizard, page = _okta_app_page(qtbot, admin_context, demo)
    assert "is supported: leave it as it is" in _screen_text(wizard)
    _enter(qtbot, page, demo, info["okta_private_key_pem"])
    _checked(qtbot, page.okta)
    assert wizard.state.okta is not None, page.okta.status.plain
    saved = admin_context.secrets.load(NAME)
    assert saved is not None
    assert saved.okta_private_key is not None
    assert saved.okta_url is not None
    credential = profile_credential(saved)
    assert isinstance(credential, ServiceApp)
    reading = read_okta(saved.okta_url, credential)
    assert reading.verification.app is not None
    assert reading.verification.app.id == info["okta_app_id"]
    assert page.okta.rows["app_active"].text().startswith("✔")
    wizard.close()


def test_a_missing_scope_of_the_service_app_is_explained(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = _info(demo)
    settings = {"scopes": ["okta.apps.read", "okta.users.read"], "strict_scopes": True}
    says = "API Scopes"
    answer = httpx.post(info["control_url"] + "/okta/service-app", json=settings, timeout=30)
    assert answer.status_code == 200, answer.text
    wizard, page = _okta_app_page(qtbot, admin_context, demo)
    _enter(qtbot, page, demo, info["okta_private_key_pem"])
    _checked(qtbot, page.okta)
    assert says in page.okta.status.plain
    assert wizard.state.okta is None
    saved = admin_context.secrets.load(NAME)
    assert saved is not None
    assert saved.okta_private_key is None
    wizard.close()


def test_a_restart_remembers_the_choice_and_client_id_but_the_file_holds_no_key(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = _info(demo)
    wizard, page = _okta_app_page(qtbot, admin_context, demo)
    _enter(qtbot, page, demo, info["okta_private_key_pem"])
    _checked(qtbot, page.okta)
    assert wizard.state.okta is not None
    wizard.close()
    saved = admin_context.secrets.load(NAME)
    assert saved is not None
    assert saved.okta_private_key is not None

    text = admin_context.profiles.path.read_text()
    fields = json.loads(text)["profiles"][0]["wizard_fields"]
    assert fields["okta_app/okta_auth_service_app"] is True
    assert fields["okta_app/okta_client_id"] == info["okta_client_id"]
    for secret in (
        saved.okta_private_key.get_secret_value(),
        *_body(info["okta_private_key_pem"]).split("/"),  # any long run of the PEM's body
    ):
        if len(secret) >= 16:
            assert secret not in text

    again = resume(qtbot, admin_context, NAME, SetupStep.OKTA_APP)
    resumed = again.currentPage()
    assert isinstance(resumed, OktaAppPage)
    box = resumed.connection
    assert box.service_choice.isChecked()
    assert box.service.client_id.text() == info["okta_client_id"]
    assert box.service.key.toPlainText() == ""  # the key stays in the keyring
    assert "The key saved in the keyring can sign" in box.service.key_message.plain
    _checked(qtbot, resumed.okta)
    assert again.state.okta is not None, resumed.okta.status.plain
    again.close()


def test_the_service_app_fields_shortcuts_are_unique_and_reach_their_fields(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    wizard, page = _okta_app_page(qtbot, admin_context, demo)
    tested: dict[str, int] = {}
    check_page(wizard, tested)  # the API token's fields
    tick(page.connection.service_choice)
    check_page(wizard, tested)  # the service app's
    # Token: org URL, label, token; service app: org URL, label, client ID, key, key ID.
    assert tested == {"okta_app": 3 + 5}
    wizard.close()
