"""Confirming members safely, as a chain of small steps (each dialog opened, never exec'd).

By default the program confirms natively (`app.core.vault`), no other program needed:

1. Only accepted members with an account can be confirmed; everyone else is reported as skipped.
2. One dialog (`confirm_login.LoginDialog`) asks for what is missing: the master password, the
   e-mail or personal API key, then any code the server asks for; a wrong password or code asks
   again. Login and unlock run off the GUI thread with a busy bar and Cancel.
3. Each member's public key is fetched (one bulk request) and its fingerprint phrase computed from
   those bytes; the admin ticks the phrases they verified.
4. The organization key is encrypted to exactly those key objects and sent in one bulk request
   (progress with Cancel). A key that changed since its phrase was shown confirms nobody.
5. The session is closed (tokens dropped, keys wiped) when the run ends: done, error, Cancel, or
   the window closing.

Only for an account the native client refuses (key connector, trusted-device encryption, …) the
refusal offers the Bitwarden CLI (`bw serve`) as a fallback: prerequisites, password,
fingerprints read through the CLI, and `confirm_members`, which reads each phrase again right
before and right after each confirm. Through the CLI the confirm cannot be bound to the verified
key (`bw confirm` fetches the key again by itself), and the dialogs say so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QLabel, QMessageBox, QProgressDialog, QWidget

from app.core.cancel import Cancelled, CancelToken
from app.core.vault.errors import CodeRequired, UnsupportedAccount, WrongCode, WrongPassword
from app.gui.members.confirm_dialogs import (
    FingerprintDialog,
    PasswordDialog,
    PrerequisitesDialog,
    member_title,
)
from app.gui.members.confirm_login import Credentials, Known, LoginDialog
from app.gui.members.rows import MemberRow, RowStatus
from app.gui.tasks import Task, TaskControl, run_task
from app.gui.widgets.window_title import fit_title

if TYPE_CHECKING:
    from app.core.bw_serve import BwServeClient, ConfirmOutcome
    from app.core.endpoints import Endpoints
    from app.core.public_api import Member
    from app.core.vault.session import MemberKey, MemberOutcome, VaultSession
    from app.gui.context import AppContext

log = logging.getLogger(__name__)

#: Two-step providers (as the core names them).
AUTHENTICATOR, EMAIL = 0, 1
ACCEPTED, CONFIRMED = 1, 2


@dataclass
class ConfirmJob:
    """One confirmation: who, in which organization, and what is already known."""

    context: AppContext
    organization_id: str
    server_url: str
    rows: list[MemberRow]
    password: SecretStr | None = None
    verified: bool = False
    outcomes: list[Any] = field(default_factory=list)  # MemberOutcome or ConfirmOutcome
    #: The profile (device identifier, remembered e-mail, saved API key) and its URLs.
    profile: str = ""
    endpoints: Endpoints | None = None
    #: The admin chose the `bw serve` fallback after a refusal.
    via_cli: bool = False


def outcome(row: MemberRow, result: str, reason: str) -> MemberOutcome:
    from app.core.vault.session import MemberOutcome

    return MemberOutcome(row.id, row.email, result, reason)


def member_of(row: MemberRow) -> Member:
    """The Public API member a row was built from (the fields `confirm_members` reads).

    Rebuilt on demand rather than keeping 100,000 pydantic objects alive between refreshes;
    `model_construct` because every value was validated when the member list was parsed.
    """
    from app.core.public_api import Member, MemberStatus, MemberType

    return Member.model_construct(
        id=row.id,
        user_id=row.user_id,
        name=row.name or None,
        email=row.email,
        status=MemberStatus(int(row.status)),
        type=MemberType(row.role if row.role is not None else int(MemberType.USER)),
        external_id=row.external_id or None,
        two_factor_enabled=bool(row.two_step),
        reset_password_enrolled=False,
    )


def open_bw_serve(ctx: AppContext) -> BwServeClient:
    """The sandbox's `bw serve` in the demo, else the one this program starts itself.

    A `bw serve` that is merely found listening (localhost:8087, its default) is never used:
    loopback TCP ports are not per user, so whoever owns that port would receive the master
    password and could show invented fingerprint phrases. Ours runs on a Unix socket in a
    private 0700 directory (TCP on 127.0.0.1 only where the OS has no Unix sockets).
    """
    return ctx.bw_serve()


def read_fingerprints(
    ctx: AppContext, members: list[Member], password: SecretStr
) -> dict[str, str | None]:
    """Each member's phrase from `bw serve` (unlocked for the call, locked again after)."""
    from app.core.bw_serve import fingerprints

    with open_bw_serve(ctx) as client:
        return fingerprints(client, members, password)


def not_confirmable_reason(row: MemberRow) -> str:
    if row.status is RowStatus.INVITED:
        return QCoreApplication.translate("ConfirmFlow", "Has not accepted the invitation yet.")
    if row.status is RowStatus.CONFIRMED:
        return QCoreApplication.translate("ConfirmFlow", "Already confirmed.")
    if row.status is RowStatus.REVOKED:
        return QCoreApplication.translate("ConfirmFlow", "Revoked: restore the member first.")
    if row.status is RowStatus.STAGED:
        return QCoreApplication.translate("ConfirmFlow", "Staged: not invited yet.")
    if row.status is RowStatus.PROVISIONED:
        return QCoreApplication.translate(
            "ConfirmFlow", "Status unknown without the Public API key."
        )
    return QCoreApplication.translate("ConfirmFlow", "Has no Bitwarden account linked yet.")


def email_preference(profile: str) -> str:
    """The non-secret preference that remembers the admin's login e-mail for a profile."""
    return f"vault_email:{profile}"


def cli_not_bound() -> str:
    """Why a phrase checked through the CLI cannot be bound to its confirm."""
    return QCoreApplication.translate(
        "ConfirmFlow",
        "Through the Bitwarden CLI this check cannot be bound to the confirm: when it confirms, bw "
        "fetches each member's public key again by itself, so a server that swapped the key after "
        "you verified the phrase would not be caught by the phrase alone. This program reads each "
        "phrase again right before and right after each confirm, which narrows that gap but cannot "
        "close it.",
    )


def native_bound() -> str:
    """Why a phrase checked by the native client is bound to its confirm."""
    return QCoreApplication.translate(
        "ConfirmFlow",
        "Each phrase is computed from the public key this program fetched for the member, and "
        "the organization key is encrypted to exactly that key: a phrase the member confirms "
        "proves the confirmation goes to their key.",
    )


def _add_note(dialog: QWidget, text: str, name: str) -> None:
    """A plain-text paragraph at the end of a dialog's layout, before its buttons."""
    note = QLabel(text, dialog)
    note.setWordWrap(True)
    note.setTextFormat(Qt.TextFormat.PlainText)
    note.setObjectName(name)
    layout = dialog.layout()
    if isinstance(layout, QBoxLayout):
        layout.insertWidget(max(layout.count() - 1, 0), note)
    elif layout is not None:
        layout.addWidget(note)


class _SessionHolder:
    """The run's one `VaultSession`, opened on a worker thread and closed from the GUI thread.

    Once closed it opens no new session, so a worker that starts late cannot leave one behind.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session: VaultSession | None = None
        self._closed = False

    def get(self, make: Callable[[], VaultSession]) -> VaultSession:
        with self._lock:
            if self._closed:
                raise Cancelled()
            if self._session is None:
                self._session = make()
            return self._session

    def close(self) -> None:
        with self._lock:
            self._closed = True
            session, self._session = self._session, None
        if session is not None:
            session.close()


@dataclass(frozen=True)
class _Prepared:
    """What the first task found out: the login's settings and what to prefill."""

    device: str
    known: Known
    saved_api_key: tuple[str, SecretStr] | None
    ca_file: Path | None


@dataclass(frozen=True)
class _Fetched:
    """The members' keys (member id, lower-case → key) and the server's status of each."""

    keys: dict[str, MemberKey]
    statuses: dict[str, int]


class ConfirmFlow(QObject):
    """Runs one `ConfirmJob` at a time through the steps above; `finished` carries every outcome."""

    finished = Signal(object)  # list of outcomes, one per member asked for
    # "login", "fingerprints", "confirming", "done"; on the CLI fallback also "refused",
    # "prerequisites" and "password".
    step_changed = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self._job: ConfirmJob | None = None
        self._prerequisites_ok = False
        self._task: Task[Any] | None = None
        # The dialogs of the current step, reachable for tests and the smoke test.
        self.login_dialog: LoginDialog | None = None
        self.refusal_box: QMessageBox | None = None
        self.prerequisites_dialog: PrerequisitesDialog | None = None
        self.password_dialog: PasswordDialog | None = None
        self.fingerprint_dialog: FingerprintDialog | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.busy_dialog: QProgressDialog | None = None
        self._stop_confirming: Callable[[], None] | None = None
        # The native run's state.
        self._holder: _SessionHolder | None = None
        self._run_token = CancelToken()
        self._prepared: _Prepared | None = None
        self._credentials: Credentials | None = None
        self._challenge: CodeRequired | None = None
        self._provider: int | None = None
        self._keys: dict[str, MemberKey] = {}

    @property
    def running(self) -> bool:
        return self._job is not None

    @property
    def session_open(self) -> bool:
        """A native session of this flow is still open (tests: closed after every run)."""
        return self._holder is not None

    def start(self, job: ConfirmJob) -> bool:
        """Begin; False if a confirmation is already running (one at a time)."""
        if self._job is not None:
            return False
        self._job = job
        confirmable = [row for row in job.rows if row.can_confirm]
        for row in job.rows:
            if row not in confirmable:
                job.outcomes.append(outcome(row, "skipped", not_confirmable_reason(row)))
        job.rows = confirmable
        if not confirmable:
            self._finish()
        elif job.via_cli:
            self._start_cli()
        else:
            self._prepare()
        return True

    def abort(self) -> None:
        """Stop everything now (the window is closing): nothing more is sent, the session closes."""
        if self._job is None:
            return
        if self._task is not None:
            self._task.cancel()
        self._run_token.cancel()
        self._skip_all(self.tr("Cancelled before this member was confirmed."))

    # ================================================================ native: 2. log in
    def _prepare(self) -> None:
        job = self._require_job()
        self.step_changed.emit("login")
        self._holder = _SessionHolder()
        self._run_token = CancelToken()
        ctx, profile = job.context, job.profile

        def work(_ctl: TaskControl) -> _Prepared:
            from app.core.vault.device import device_identifier

            device = device_identifier(ctx.profiles, profile or "default")
            email = ctx.profiles.preferences().get(email_preference(profile))
            if ctx.demo and ctx.sandbox_info is not None:
                email = ctx.sandbox_info.get("admin_email", email)
            saved: tuple[str, SecretStr] | None = None
            if profile:
                secrets = ctx.secrets_for(profile)
                if secrets.admin_api_key_id and secrets.admin_api_key_secret is not None:
                    saved = (secrets.admin_api_key_id, secrets.admin_api_key_secret)
            known = Known(
                email=email if isinstance(email, str) else "",
                api_key_id=saved[0] if saved else "",
                has_saved_api_key=saved is not None,
            )
            ca_file = ctx.ca_file_for(profile) if profile else ctx.ca_file
            return _Prepared(device, known, saved, ca_file)

        self._task = run_task(
            self, work, on_success=self._on_prepared, on_failure=self._on_login_failure
        )

    def _on_prepared(self, prepared: _Prepared) -> None:
        job = self._require_job()
        self._prepared = prepared
        if job.password is not None and (prepared.saved_api_key or prepared.known.email):
            # Given by the caller (smoke test, benches): no dialog unless something goes wrong.
            api_key = prepared.saved_api_key
            self._credentials = Credentials(
                job.password,
                email=None if api_key else prepared.known.email,
                api_key=api_key,
                remember_api_key=api_key is not None,
            )
            self._log_in()
            return
        self._open_login_dialog()

    def _open_login_dialog(self) -> LoginDialog:
        job = self._require_job()
        assert self._prepared is not None
        if self.login_dialog is not None:
            return self.login_dialog
        hint = None
        if job.context.demo and job.context.sandbox_info is not None:
            hint = self.tr("Demo: the sandbox admin's master password is “{0}”.").format(
                job.context.sandbox_info.get("bw_password", "")
            )
        server = job.endpoints.api_url.removesuffix("/api") if job.endpoints else job.server_url
        dialog = LoginDialog(len(job.rows), server, self._prepared.known, self._parent, hint=hint)
        dialog.submitted.connect(self._on_submitted)
        dialog.resend_requested.connect(self._resend_code)
        dialog.rejected.connect(lambda: self._cancel_run(self.tr("Cancelled before confirming.")))
        self.login_dialog = dialog
        dialog.open()
        return dialog

    def _on_submitted(self) -> None:
        dialog = self.login_dialog
        assert dialog is not None
        assert self._prepared is not None
        if dialog.asking_code:
            code = dialog.take_code()
            self._log_in(code=code)
            return
        credentials = dialog.take_credentials()
        if credentials.api_key is not None and not credentials.api_key[1].get_secret_value():
            saved = self._prepared.saved_api_key
            if saved is not None and saved[0] == credentials.api_key[0]:
                credentials = Credentials(
                    credentials.password,
                    api_key=saved,
                    remember_api_key=credentials.remember_api_key,
                )
        self._credentials = credentials
        self._challenge = None
        self._log_in()

    def _log_in(self, code: str | None = None) -> None:
        """Log in (answering `code` to the pending challenge), unlock, fetch the members' keys."""
        job = self._require_job()
        credentials, prepared, holder = self._credentials, self._prepared, self._holder
        assert credentials is not None
        assert prepared is not None
        assert holder is not None
        assert job.endpoints is not None
        endpoints, token = job.endpoints, self._run_token
        ca_file = prepared.ca_file
        challenge, provider = self._challenge, self._provider
        wanted = {row.id.lower() for row in job.rows}
        org, ctx, profile = job.organization_id, job.context, job.profile

        def make() -> VaultSession:
            from app.core.vault.session import VaultSession

            return VaultSession(
                endpoints.identity_url,
                endpoints.api_url,
                device_identifier=prepared.device,
                ca_file=ca_file,
                cancel=token,
            )

        def work(_ctl: TaskControl) -> _Fetched:
            session = holder.get(make)
            if not session.logged_in:
                if credentials.api_key is not None:
                    session.login_with_api_key(*credentials.api_key)
                else:
                    assert credentials.email is not None
                    two_step = challenge is not None and challenge.kind == "two_step"
                    new_device = challenge is not None and challenge.kind == "new_device"
                    session.login_with_password(
                        credentials.email,
                        credentials.password,
                        two_step_code=code if two_step else None,
                        two_step_provider=provider if two_step else None,
                        new_device_code=code if new_device else None,
                    )
            session.unlock(credentials.password)
            session.organization_key(org)
            _remember(ctx, profile, credentials)
            rows = [r for r in session.member_rows(org) if str(r.get("id")).lower() in wanted]
            statuses = {str(r.get("id")).lower(): int(r.get("status") or 0) for r in rows}
            candidates = [r for r in rows if r.get("status") == ACCEPTED]
            return _Fetched(session.member_keys(org, candidates), statuses)

        text = self.tr("Logging in and unlocking… (this can take a few seconds)")
        if self.login_dialog is not None:
            self.login_dialog.set_busy(text)
        else:
            self._show_busy(text)
        self._task = run_task(
            self, work, on_success=self._show_native_fingerprints, on_failure=self._on_login_failure
        )

    def _on_login_failure(self, exc: BaseException) -> None:
        self._close_busy()
        if self._job is None or isinstance(exc, Cancelled):
            return
        if isinstance(exc, UnsupportedAccount):
            self._offer_fallback(str(exc))
            return
        if self._prepared is None:  # could not even read the profile
            self._fail_all(str(exc))
            return
        dialog = self._open_login_dialog()
        if isinstance(exc, CodeRequired):
            self._ask_code(dialog, exc)
        elif isinstance(exc, WrongPassword):
            dialog.ask_password_again(str(exc))
        else:  # the API key refused, a server or network error, a keyring problem: say why
            dialog.show_error(str(exc))

    def _ask_code(self, dialog: LoginDialog, question: CodeRequired) -> None:
        wrong = isinstance(question, WrongCode)
        if question.kind == "two_step":
            if not wrong or self._provider is None:
                providers = question.providers or (AUTHENTICATOR,)
                self._provider = AUTHENTICATOR if AUTHENTICATOR in providers else providers[0]
            emailed = self._provider == EMAIL
            how = (
                self.tr("Bitwarden e-mailed you a code: type it here.")
                if emailed
                else self.tr("Type the 6-digit code from your authenticator app.")
            )
        else:
            emailed = True
            how = self.tr("Type the code from the e-mail.")
        self._challenge = question if not wrong or self._challenge is None else self._challenge
        text = str(self._challenge) + " " + how
        dialog.ask_code(text, can_resend=emailed, wrong=str(question) if wrong else None)
        if question.kind == "two_step" and self._provider == EMAIL and not wrong:
            self._resend_code(first=True)

    def _resend_code(self, first: bool = False) -> None:
        """E-mail the two-step code (the first time too: the server sends it only when asked)
        or the new-device code again."""
        holder, credentials, challenge = self._holder, self._credentials, self._challenge
        dialog = self.login_dialog
        if holder is None or credentials is None or credentials.email is None or dialog is None:
            return
        email, password = credentials.email, credentials.password
        new_device = challenge is not None and challenge.kind == "new_device"

        def work(_ctl: TaskControl) -> None:
            session = holder.get(lambda: _never())
            if new_device:
                session.resend_new_device_code(email, password)
            else:
                session.send_email_code(email, password)

        def sent(_none: None) -> None:
            dialog.set_busy(None)
            if not first:
                dialog.error.setText(self.tr("A new code is on its way; check your e-mail."))
                dialog.error.show()

        dialog.set_busy(self.tr("Asking Bitwarden to e-mail the code…"))
        self._task = run_task(self, work, on_success=sent, on_failure=self._on_login_failure)

    # ================================================================ native: 3. fingerprints
    def _show_native_fingerprints(self, fetched: _Fetched) -> None:
        job = self._require_job()
        self._close_dialog(self.login_dialog)
        self.login_dialog = None
        self._close_busy()
        self._keys = fetched.keys
        ready: list[tuple[MemberRow, MemberKey]] = []
        for row in job.rows:
            key = fetched.keys.get(row.id.lower())
            status = fetched.statuses.get(row.id.lower())
            if key is not None and status == ACCEPTED:
                ready.append((row, key))
            elif status == CONFIRMED:
                job.outcomes.append(outcome(row, "skipped", self.tr("Already confirmed.")))
            else:
                job.outcomes.append(
                    outcome(
                        row,
                        "skipped",
                        self.tr("No longer waiting to be confirmed (the status changed); refresh."),
                    )
                )
        job.rows = [row for row, _ in ready]
        if not ready:
            self._finish()
            return
        if job.verified:
            self._confirm_native([key for _, key in ready])
            return
        self.step_changed.emit("fingerprints")
        dialog = FingerprintDialog([(row, key.phrase) for row, key in ready], self._parent)
        _add_note(dialog, native_bound(), "native-bound")
        keys = {row.id: key for row, key in ready}
        dialog.accepted.connect(lambda: self._on_native_verified(dialog.verified_ids(), keys))
        dialog.rejected.connect(lambda: self._cancel_run(self.tr("Cancelled before confirming.")))
        self.fingerprint_dialog = dialog
        dialog.open()

    def _on_native_verified(self, verified_ids: list[str], keys: dict[str, MemberKey]) -> None:
        job = self._require_job()
        job.rows = self._keep_verified(job, verified_ids)
        self._confirm_native([keys[row.id] for row in job.rows])

    # ================================================================ native: 4. confirm
    def _confirm_native(self, approved: list[MemberKey]) -> None:
        job = self._require_job()
        holder = self._holder
        assert holder is not None
        if not approved:
            self._finish()
            return
        self.step_changed.emit("confirming")
        from app.core.vault.session import MemberOutcome

        org = job.organization_id
        by_id = {row.id.lower(): row for row in job.rows}
        dialog = self._progress(
            len(approved),
            self.tr("Confirming {0} members in one request…").format(f"{len(approved):,}"),
        )
        stop = CancelToken()

        def work(_ctl: TaskControl) -> list[MemberOutcome]:
            from app.core.vault.errors import ServerError

            stop.raise_if_cancelled()  # Cancel before the request: nothing is sent
            session = holder.get(lambda: _never())
            try:
                return session.confirm(org, approved)
            except ServerError as exc:
                # The bulk request may have been applied in part: report what the server holds.
                try:
                    now = {
                        str(r.get("id")).lower(): r.get("status") for r in session.member_rows(org)
                    }
                except Exception:
                    raise exc from None
                return [
                    MemberOutcome(k.member_id, k.email, "confirmed", "", k.phrase)
                    if now.get(k.member_id) == CONFIRMED
                    else MemberOutcome(k.member_id, k.email, "failed", str(exc), k.phrase)
                    for k in approved
                ]

        def on_success(results: list[MemberOutcome]) -> None:
            for result in results:
                row = by_id.get(result.member_id.lower())
                job.outcomes.append(
                    MemberOutcome(
                        row.id if row is not None else result.member_id,
                        result.email,
                        result.result,
                        result.reason,
                        result.fingerprint,
                    )
                )

        def on_failure(exc: BaseException) -> None:
            if isinstance(exc, Cancelled) and stop.cancelled:
                reason = self.tr("Cancelled before the confirm was sent; run Confirm again.")
                self._end_remaining("skipped", reason, finish=False)
            else:
                self._end_remaining("failed", str(exc), finish=False)

        def on_finished() -> None:
            self._close_dialog(dialog)
            self.progress_dialog = None
            self._finish()

        task = run_task(
            self, work, on_success=on_success, on_failure=on_failure, on_finished=on_finished
        )
        self._task = task

        def on_cancel() -> None:
            if task.running and not stop.cancelled:
                stop.cancel()
                dialog.setLabelText(self.tr("Stopping… (a request already sent is waited for)"))

        dialog.canceled.connect(on_cancel)
        self._stop_confirming = on_cancel
        dialog.show()

    def cancel(self) -> None:
        """Cancel as the Cancel button of the current step: before the confirm, the run ends and
        nobody is confirmed; during it, what was already sent is waited for and reported."""
        if self._stop_confirming is not None:
            self._stop_confirming()
        elif self._job is not None:
            self._cancel_run(self.tr("Cancelled before confirming."))

    # ================================================================ the bw serve fallback
    def _offer_fallback(self, refusal: str) -> None:
        """The native client refused this account: say why, offer the CLI, say what it lacks."""
        self._close_session()
        self._close_dialog(self.login_dialog)
        self.login_dialog = None
        self.step_changed.emit("refused")
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("This account cannot be unlocked here"),
            refusal,
            QMessageBox.StandardButton.Cancel,
            self._parent,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(
            self.tr("You can also confirm through the Bitwarden CLI (bw) if it is installed. ")
            + cli_not_bound()
        )
        use_cli = box.addButton(
            self.tr("Confirm through the Bitwarden CLI…"), QMessageBox.ButtonRole.AcceptRole
        )
        use_cli.setAccessibleName(use_cli.text())
        self.refusal_box = box

        def chosen(button: object) -> None:
            self.refusal_box = None
            if button == use_cli:
                self._require_job().via_cli = True
                self._start_cli()
            else:
                self._skip_all(self.tr("This account cannot be unlocked here: see the message."))

        box.buttonClicked.connect(chosen)
        box.open()

    def _start_cli(self) -> None:
        job = self._require_job()
        if job.context.demo or self._prerequisites_ok:
            self._ask_password()
        else:
            self._check_prerequisites()

    def _check_prerequisites(self) -> None:
        from app.core.bw_serve import diagnose_cli

        job = self._require_job()
        self.step_changed.emit("prerequisites")
        server = job.server_url
        self._task = run_task(
            self,
            lambda _ctl: diagnose_cli(server),
            on_success=self._on_diagnosis,
            on_failure=lambda exc: self._fail_all(str(exc)),
        )

    def _on_diagnosis(self, diagnosis: Any) -> None:
        if not diagnosis.problems:
            self._prerequisites_ok = True
            self._close_dialog(self.prerequisites_dialog)
            self.prerequisites_dialog = None
            self._ask_password()
            return
        if self.prerequisites_dialog is None:
            dialog = PrerequisitesDialog(diagnosis.problems, diagnosis.commands, self._parent)
            dialog.check_again.connect(self._check_prerequisites)
            dialog.rejected.connect(
                lambda: self._skip_all(
                    self.tr("The Bitwarden CLI is not ready (see what it needs).")
                )
            )
            self.prerequisites_dialog = dialog
            dialog.open()
        else:  # "Check again" found problems still: show the new list
            self.prerequisites_dialog.done(0)
            self.prerequisites_dialog = None
            self._on_diagnosis(diagnosis)

    def _ask_password(self) -> None:
        job = self._require_job()
        if job.password is None and self._credentials is not None:
            job.password = self._credentials.password  # typed once, in the login dialog
        if job.password is not None:
            self._read_fingerprints()
            return
        self.step_changed.emit("password")
        hint = None
        if job.context.demo and job.context.sandbox_info is not None:
            hint = self.tr("Demo: the sandbox admin's master password is “{0}”.").format(
                job.context.sandbox_info.get("bw_password", "")
            )
        dialog = PasswordDialog(len(job.rows), self._parent, hint=hint)
        dialog.accepted.connect(lambda: self._on_password(dialog.take_password()))
        dialog.rejected.connect(lambda: self._skip_all(self.tr("Cancelled before confirming.")))
        self.password_dialog = dialog
        dialog.open()

    def _on_password(self, password: SecretStr) -> None:
        self._require_job().password = password
        self.password_dialog = None
        self._read_fingerprints()

    def _read_fingerprints(self) -> None:
        job = self._require_job()
        password = job.password
        assert password is not None
        members = [member_of(row) for row in job.rows]
        if job.verified:
            self._confirm_cli(job.rows, None)
            return
        self.step_changed.emit("fingerprints")
        progress = self._busy(self.tr("Reading fingerprint phrases through the Bitwarden CLI…"))
        self._task = run_task(
            self,
            lambda _ctl: read_fingerprints(job.context, members, password),
            on_success=self._show_cli_fingerprints,
            on_failure=lambda exc: self._fail_all(str(exc)),
        )
        progress.canceled.connect(self._task.cancel)
        self._task.cancelled.connect(
            lambda: self._skip_all(self.tr("Cancelled before confirming."))
        )
        self._task.finished.connect(lambda: self._close_dialog(progress))

    def _show_cli_fingerprints(self, phrases: dict[str, str | None]) -> None:
        job = self._require_job()
        entries = [(row, phrase) for row in job.rows if (phrase := phrases.get(row.id))]
        dialog = FingerprintDialog(entries, self._parent)
        _add_note(dialog, cli_not_bound(), "cli-not-bound")
        shown = {row.id: phrase for row, phrase in entries}
        dialog.accepted.connect(lambda: self._on_cli_verified(dialog.verified_ids(), shown))
        dialog.rejected.connect(lambda: self._skip_all(self.tr("Cancelled before confirming.")))
        self.fingerprint_dialog = dialog
        dialog.open()

    def _on_cli_verified(self, verified_ids: list[str], phrases: dict[str, str]) -> None:
        rows = self._keep_verified(self._require_job(), verified_ids)
        self._confirm_cli(rows, {row.id: phrases[row.id] for row in rows})

    def _keep_verified(self, job: ConfirmJob, verified_ids: list[str]) -> list[MemberRow]:
        """The fingerprint dialog closed: every member not ticked is skipped with a reason; the
        ticked ones, in the job's order, go on to the confirm (native or through the CLI)."""
        self.fingerprint_dialog = None
        verified = set(verified_ids)
        for row in job.rows:
            if row.id not in verified:
                job.outcomes.append(
                    outcome(
                        row, "skipped", self.tr("Fingerprint phrase not verified: not confirmed.")
                    )
                )
        return [row for row in job.rows if row.id in verified]

    def _confirm_cli(self, rows: list[MemberRow], expected: dict[str, str] | None) -> None:
        from app.core.bw_serve import confirm_members

        job = self._require_job()
        if not rows:
            self._finish()
            return
        self.step_changed.emit("confirming")
        password = job.password
        assert password is not None
        members = [member_of(row) for row in rows]
        pending = {row.id: row for row in rows}
        dialog = self._progress(len(rows), self.tr("Confirming members…"))
        # Cancel stops *between* members and still waits for the report: a member whose confirm
        # was already on the wire is reported as it ended, never guessed (and `task.cancel`, which
        # would drop the report, is left for the window closing).
        stop = CancelToken()

        def work(ctl: TaskControl) -> list[ConfirmOutcome]:
            with open_bw_serve(job.context) as client:
                return confirm_members(
                    client,
                    job.organization_id,
                    members,
                    password,
                    cancel=stop,
                    progress=lambda done, total, result: ctl.progress((done, total, result)),
                    expected=expected,
                )

        def on_progress(report: tuple[int, int, ConfirmOutcome]) -> None:
            done, total, result = report
            if pending.pop(result.member_id, None) is not None:
                job.outcomes.append(result)
            dialog.setMaximum(total)
            dialog.setValue(done)
            dialog.setLabelText(
                self.tr("Confirming members… {0} of {1} done.").format(str(done), str(total))
            )

        def on_success(results: list[ConfirmOutcome]) -> None:
            for result in results:
                if pending.pop(result.member_id, None) is not None:
                    job.outcomes.append(result)

        def on_finished() -> None:
            reason = (
                self.tr(
                    "Cancelled before this member was confirmed; run Confirm again to continue."
                )
                if stop.cancelled
                else self.tr("No result was reported for this member.")
            )
            for row in pending.values():
                job.outcomes.append(outcome(row, "skipped", reason))
            pending.clear()
            self._close_dialog(dialog)
            self.progress_dialog = None
            self._finish()

        def on_failure(exc: BaseException) -> None:
            for row in pending.values():
                job.outcomes.append(outcome(row, "failed", str(exc)))
            pending.clear()

        task = run_task(
            self,
            work,
            on_success=on_success,
            on_failure=on_failure,
            on_progress=on_progress,
            on_finished=on_finished,
        )
        self._task = task

        def on_cancel() -> None:
            if task.running and not stop.cancelled:
                stop.cancel()
                dialog.setLabelText(self.tr("Stopping after the member being confirmed now…"))

        dialog.canceled.connect(on_cancel)
        self._stop_confirming = on_cancel
        dialog.show()

    # ================================================================ endings
    def _cancel_run(self, reason: str) -> None:
        """Cancel pressed in a dialog: stop the running work, close the session, skip the rest."""
        if self._task is not None:
            self._task.cancel()
        self._run_token.cancel()
        self._skip_all(reason)

    def _skip_all(self, reason: str) -> None:
        self._end_remaining("skipped", reason)

    def _fail_all(self, reason: str) -> None:
        self._end_remaining("failed", reason)

    def _end_remaining(self, result: str, reason: str, *, finish: bool = True) -> None:
        job = self._job
        if job is None:
            return
        reported = {o.member_id for o in job.outcomes}
        for row in job.rows:
            if row.id not in reported:
                job.outcomes.append(outcome(row, result, reason))
        if finish:
            self._finish()

    def _close_session(self) -> None:
        holder, self._holder = self._holder, None
        if holder is not None:
            holder.close()

    def _finish(self) -> None:
        job = self._job
        if job is None:
            return
        self._close_session()
        job.password = None  # the master password is not kept past the run
        self._credentials = None
        self._prepared = None
        self._challenge = None
        self._provider = None
        self._keys = {}
        self._job = None
        self._task = None
        self._stop_confirming = None
        self._close_busy()
        if self.refusal_box is not None:
            self._close_dialog(self.refusal_box)
        for dialog in (
            self.login_dialog,
            self.prerequisites_dialog,
            self.password_dialog,
            self.fingerprint_dialog,
        ):
            self._close_dialog(dialog)
        self.login_dialog = None
        self.refusal_box = None
        self.prerequisites_dialog = self.password_dialog = self.fingerprint_dialog = None
        self.step_changed.emit("done")
        self.finished.emit(list(job.outcomes))

    def _busy(self, text: str) -> QProgressDialog:
        dialog = QProgressDialog(text, self.tr("Cancel"), 0, 0, self._parent)
        dialog.setWindowTitle(text)
        dialog.setAccessibleName(text)
        fit_title(dialog)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        return dialog

    def _show_busy(self, text: str) -> None:
        """A busy indicator with Cancel while logging in without the dialog (given password)."""
        self._close_busy()
        dialog = self._busy(text)
        dialog.canceled.connect(lambda: self._cancel_run(self.tr("Cancelled before confirming.")))
        self.busy_dialog = dialog

    def _close_busy(self) -> None:
        dialog, self.busy_dialog = self.busy_dialog, None
        self._close_dialog(dialog)

    def _progress(self, count: int, text: str) -> QProgressDialog:
        dialog = QProgressDialog(text, self.tr("Cancel"), 0, count, self._parent)
        dialog.setWindowTitle(self.tr("Confirming members"))
        dialog.setAccessibleName(self.tr("Confirming members"))
        fit_title(dialog)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        self.progress_dialog = dialog
        return dialog

    @staticmethod
    def _close_dialog(dialog: QWidget | None) -> None:
        """Close without its signals: a closed QDialog would report `rejected` (Cancel) and a
        QProgressDialog `canceled`, and this flow closes them when it has moved on."""
        if dialog is not None:
            dialog.blockSignals(True)
            dialog.close()
            dialog.deleteLater()

    def _require_job(self) -> ConfirmJob:
        assert self._job is not None, "no confirmation is running"
        return self._job


def _never() -> VaultSession:
    """The session factory of a step that needs the session already open."""
    raise Cancelled()


def _remember(ctx: AppContext, profile: str, credentials: Credentials) -> None:
    """After a successful login: the e-mail in the profile's preferences; the API key in the
    profile's keyring item when "remember" is ticked (and removed from it when unticked)."""
    from app.core.secrets import SecretStoreError

    if not profile:
        return
    if credentials.email:
        ctx.profiles.set_preference(email_preference(profile), credentials.email)
    if credentials.api_key is None:
        return
    secrets = ctx.secrets_for(profile)
    key_id, secret = credentials.api_key
    if credentials.remember_api_key:
        if (
            secrets.admin_api_key_id == key_id
            and secrets.admin_api_key_secret is not None
            and secrets.admin_api_key_secret.get_secret_value() == secret.get_secret_value()
        ):
            return
        updated = secrets.model_copy(
            update={"admin_api_key_id": key_id, "admin_api_key_secret": secret}
        )
    elif secrets.admin_api_key_secret is not None:
        updated = secrets.model_copy(
            update={"admin_api_key_id": None, "admin_api_key_secret": None}
        )
    else:
        return
    try:
        ctx.update_secrets(profile, updated)
    except SecretStoreError:
        # Confirming does not depend on it: the admin types the key again next time.
        log.warning("could not save the personal API key in the keyring")


def describe(outcome_value: Any, rows: dict[str, MemberRow]) -> tuple[str, str, str, str]:
    """(member id, member, result label, reason) for the outcome dialog."""
    row = rows.get(outcome_value.member_id)
    member = member_title(row) if row is not None else outcome_value.email
    labels: dict[str, Callable[[], str]] = {
        "confirmed": lambda: QCoreApplication.translate("ConfirmFlow", "Confirmed"),
        "already_confirmed": lambda: QCoreApplication.translate("ConfirmFlow", "Already confirmed"),
        "skipped": lambda: QCoreApplication.translate("ConfirmFlow", "Skipped"),
        "failed": lambda: QCoreApplication.translate("ConfirmFlow", "Failed"),
        "mismatch": lambda: QCoreApplication.translate("ConfirmFlow", "KEY CHANGED"),
    }
    result = str(getattr(outcome_value.result, "value", outcome_value.result))
    label = labels.get(result, lambda: result)()
    reason = outcome_value.reason or ""
    cli_message = getattr(outcome_value, "cli_message", None)
    if cli_message and cli_message not in reason:
        # The CLI's own words too: what the admin would search for or send to support.
        reason = f"{reason} (bw: {cli_message})" if reason else f"bw: {cli_message}"
    return outcome_value.member_id, member, label, reason
