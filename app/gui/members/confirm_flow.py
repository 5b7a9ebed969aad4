"""Confirming members safely, as a chain of small steps (each dialog opened, never exec'd).

1. Only accepted members with an account can be confirmed; everyone else is reported as skipped.
2. Before the first confirm, the Bitwarden CLI's prerequisites are checked and explained (not in
   the demo, whose `bw serve` is the sandbox's emulation).
3. The master password is asked for, kept only until the confirm call returns.
4. Each member's fingerprint phrase (from `bw serve`, for the member's account id) is shown, and
   only the members the admin ticks as verified are confirmed.
5. `confirm_members` runs with progress and Cancel; it re-reads statuses and locks the vault
   again, so running it again after an interruption is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.core.cancel import CancelToken
from app.gui.members.confirm_dialogs import (
    FingerprintDialog,
    PasswordDialog,
    PrerequisitesDialog,
    member_title,
)
from app.gui.members.rows import MemberRow, RowStatus
from app.gui.tasks import Task, TaskControl, run_task

if TYPE_CHECKING:
    from app.core.bw_serve import BwServeClient, ConfirmOutcome
    from app.core.public_api import Member
    from app.gui.context import AppContext


def _tr(text: str) -> str:
    return QCoreApplication.translate("ConfirmFlow", text)


@dataclass
class ConfirmJob:
    """One confirmation: who, in which organization, and what is already known."""

    context: AppContext
    organization_id: str
    server_url: str
    rows: list[MemberRow]
    password: SecretStr | None = None
    verified: bool = False
    outcomes: list[ConfirmOutcome] = field(default_factory=list)


def outcome(row: MemberRow, result: str, reason: str) -> ConfirmOutcome:
    from app.core.bw_serve import ConfirmOutcome

    return ConfirmOutcome.model_validate(
        {"member_id": row.id, "email": row.email, "result": result, "reason": reason}
    )


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
        return _tr("Has not accepted the invitation yet.")
    if row.status is RowStatus.CONFIRMED:
        return _tr("Already confirmed.")
    if row.status is RowStatus.REVOKED:
        return _tr("Revoked: restore the member first.")
    if row.status is RowStatus.STAGED:
        return _tr("Staged: not invited yet.")
    if row.status is RowStatus.PROVISIONED:
        return _tr("Status unknown without the Public API key.")
    return _tr("Has no Bitwarden account linked yet.")


class ConfirmFlow(QObject):
    """Runs one `ConfirmJob` at a time through the steps above; `finished` carries every outcome."""

    finished = Signal(object)  # list[ConfirmOutcome], one per member asked for
    step_changed = Signal(str)  # "prerequisites", "password", "fingerprints", "confirming", "done"

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self._job: ConfirmJob | None = None
        self._prerequisites_ok = False
        self._task: Task[Any] | None = None
        # The dialogs of the current step, reachable for tests and the smoke test.
        self.prerequisites_dialog: PrerequisitesDialog | None = None
        self.password_dialog: PasswordDialog | None = None
        self.fingerprint_dialog: FingerprintDialog | None = None
        self.progress_dialog: QProgressDialog | None = None
        self._stop_confirming: Callable[[], None] | None = None

    @property
    def running(self) -> bool:
        return self._job is not None

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
        elif job.context.demo or self._prerequisites_ok:
            self._ask_password()
        else:
            self._check_prerequisites()
        return True

    # ---------------------------------------------------------------- 2. prerequisites
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
                lambda: self._skip_all(_tr("The Bitwarden CLI is not ready (see what it needs)."))
            )
            self.prerequisites_dialog = dialog
            dialog.open()
        else:  # "Check again" found problems still: show the new list
            self.prerequisites_dialog.done(0)
            self.prerequisites_dialog = None
            self._on_diagnosis(diagnosis)

    # ---------------------------------------------------------------- 3. password
    def _ask_password(self) -> None:
        job = self._require_job()
        if job.password is not None:
            self._read_fingerprints()
            return
        self.step_changed.emit("password")
        hint = None
        if job.context.demo and job.context.sandbox_info is not None:
            hint = _tr("Demo: the sandbox admin's master password is “%1”.").replace(
                "%1", job.context.sandbox_info.get("bw_password", "")
            )
        dialog = PasswordDialog(len(job.rows), self._parent, hint=hint)
        dialog.accepted.connect(lambda: self._on_password(dialog.take_password()))
        dialog.rejected.connect(lambda: self._skip_all(_tr("Cancelled before confirming.")))
        self.password_dialog = dialog
        dialog.open()

    def _on_password(self, password: SecretStr) -> None:
        self._require_job().password = password
        self.password_dialog = None
        self._read_fingerprints()

    # ---------------------------------------------------------------- 4. fingerprint phrases
    def _read_fingerprints(self) -> None:
        job = self._require_job()
        if job.verified:
            self._confirm(job.rows)
            return
        self.step_changed.emit("fingerprints")
        password = job.password
        assert password is not None
        members = [member_of(row) for row in job.rows]
        progress = self._busy(_tr("Reading fingerprint phrases…"))
        self._task = run_task(
            self,
            lambda _ctl: read_fingerprints(job.context, members, password),
            on_success=self._show_fingerprints,
            on_failure=lambda exc: self._fail_all(str(exc)),
        )
        progress.canceled.connect(self._task.cancel)
        self._task.cancelled.connect(lambda: self._skip_all(_tr("Cancelled before confirming.")))
        self._task.finished.connect(lambda: self._close_dialog(progress))

    def _show_fingerprints(self, phrases: dict[str, str | None]) -> None:
        job = self._require_job()
        entries = [(row, phrase) for row in job.rows if (phrase := phrases.get(row.id))]
        dialog = FingerprintDialog(entries, self._parent)
        dialog.accepted.connect(lambda: self._on_verified(dialog.verified_ids()))
        dialog.rejected.connect(lambda: self._skip_all(_tr("Cancelled before confirming.")))
        self.fingerprint_dialog = dialog
        dialog.open()

    def _on_verified(self, verified_ids: list[str]) -> None:
        job = self._require_job()
        self.fingerprint_dialog = None
        verified = set(verified_ids)
        for row in job.rows:
            if row.id not in verified:
                job.outcomes.append(
                    outcome(row, "skipped", _tr("Fingerprint phrase not verified: not confirmed."))
                )
        self._confirm([row for row in job.rows if row.id in verified])

    # ---------------------------------------------------------------- 5. confirm
    def _confirm(self, rows: list[MemberRow]) -> None:
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
        dialog = QProgressDialog(
            _tr("Confirming members…"), _tr("Cancel"), 0, len(rows), self._parent
        )
        dialog.setWindowTitle(_tr("Confirming members"))
        dialog.setAccessibleName(_tr("Confirming members"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        self.progress_dialog = dialog
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
                )

        def on_progress(report: tuple[int, int, ConfirmOutcome]) -> None:
            done, total, result = report
            if pending.pop(result.member_id, None) is not None:
                job.outcomes.append(result)
            dialog.setMaximum(total)
            dialog.setValue(done)
            dialog.setLabelText(
                _tr("Confirming members… %1 of %2 done.")
                .replace("%1", str(done))
                .replace("%2", str(total))
            )

        def on_success(results: list[ConfirmOutcome]) -> None:
            for result in results:
                if pending.pop(result.member_id, None) is not None:
                    job.outcomes.append(result)

        def on_finished() -> None:
            reason = (
                _tr("Cancelled before this member was confirmed; run Confirm again to continue.")
                if stop.cancelled
                else _tr("No result was reported for this member.")
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
                dialog.setLabelText(_tr("Stopping after the member being confirmed now…"))

        dialog.canceled.connect(on_cancel)
        self._stop_confirming = on_cancel
        dialog.show()

    def cancel(self) -> None:
        """Stop a running bulk confirm between two members, as the progress dialog's Cancel."""
        if self._stop_confirming is not None:
            self._stop_confirming()

    # ---------------------------------------------------------------- endings
    def _skip_all(self, reason: str) -> None:
        self._end_remaining("skipped", reason)

    def _fail_all(self, reason: str) -> None:
        self._end_remaining("failed", reason)

    def _end_remaining(self, result: str, reason: str) -> None:
        job = self._job
        if job is None:
            return
        reported = {o.member_id for o in job.outcomes}
        for row in job.rows:
            if row.id not in reported:
                job.outcomes.append(outcome(row, result, reason))
        self._finish()

    def _finish(self) -> None:
        job = self._job
        if job is None:
            return
        job.password = None  # the master password is not kept past the call
        self._job = None
        self._task = None
        self._stop_confirming = None
        for dialog in (self.prerequisites_dialog, self.password_dialog, self.fingerprint_dialog):
            self._close_dialog(dialog)
        self.prerequisites_dialog = self.password_dialog = self.fingerprint_dialog = None
        self.step_changed.emit("done")
        self.finished.emit(list(job.outcomes))

    def _busy(self, text: str) -> QProgressDialog:
        dialog = QProgressDialog(text, _tr("Cancel"), 0, 0, self._parent)
        dialog.setWindowTitle(text)
        dialog.setAccessibleName(text)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        return dialog

    @staticmethod
    def _close_dialog(dialog: QWidget | None) -> None:
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()

    def _require_job(self) -> ConfirmJob:
        assert self._job is not None, "no confirmation is running"
        return self._job


def describe(
    outcome_value: ConfirmOutcome, rows: dict[str, MemberRow]
) -> tuple[str, str, str, str]:
    """(member id, member, result label, reason) for the outcome dialog."""
    row = rows.get(outcome_value.member_id)
    member = member_title(row) if row is not None else outcome_value.email
    labels: dict[str, Callable[[], str]] = {
        "confirmed": lambda: _tr("Confirmed"),
        "skipped": lambda: _tr("Skipped"),
        "failed": lambda: _tr("Failed"),
    }
    result = str(getattr(outcome_value.result, "value", outcome_value.result))
    label = labels.get(result, lambda: result)()
    reason = outcome_value.reason or ""
    cli_message = getattr(outcome_value, "cli_message", None)
    if cli_message and cli_message not in reason:
        # The CLI's own words too: what the admin would search for or send to support.
        reason = f"{reason} (bw: {cli_message})" if reason else f"bw: {cli_message}"
    return outcome_value.member_id, member, label, reason
