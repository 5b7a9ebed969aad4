"""Reinviting: send the invitation email again to invited members, paced below the rate limits.

The worker goes through the Public API one member at a time with a pause between two requests (the
cloud allows 5 POSTs a second per path); a progress dialog counts and can cancel; the results end
in an `OutcomeDialog`, one row per member.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.gui.members.confirm_dialogs import OutcomeDialog, member_title
from app.gui.members.rows import MemberRow, RowStatus
from app.gui.members.text import plural
from app.gui.tasks import Task, TaskControl, run_task

if TYPE_CHECKING:
    from app.gui.context import AppContext

#: Pause between two reinvitations: the cloud allows 5 POSTs a second per path; stay well below.
REINVITE_PAUSE_SECONDS = 0.25

#: (member id, sent, why not) per member.
ReinviteResult = tuple[str, bool, str]


def _tr(text: str) -> str:
    return QCoreApplication.translate("MembersWindow", text)


def start_reinvite(
    owner: QWidget,
    ctx: AppContext,
    profile: str,
    rows: list[MemberRow],
    *,
    on_success: Callable[[list[ReinviteResult]], Any],
    on_failure: Callable[[BaseException], Any],
) -> Task[list[ReinviteResult]]:
    """Reinvite `rows` (those still invited) with `profile`'s Public API, showing progress."""
    not_invited = _tr("Not invited (only invited members can be reinvited).")
    progress = QProgressDialog(
        _tr("Sending invitations again…"), _tr("Cancel"), 0, len(rows), owner
    )
    progress.setWindowTitle(_tr("Reinvite members"))
    progress.setAccessibleName(_tr("Reinvite members"))
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(500)
    progress.setAutoClose(False)

    def work(ctl: TaskControl) -> list[ReinviteResult]:
        results: list[ReinviteResult] = []
        with ctx.public_api(profile) as client:
            for index, row in enumerate(rows):
                if row.status is not RowStatus.INVITED:
                    results.append((row.id, False, not_invited))
                    continue
                if index and ctl.token.wait(REINVITE_PAUSE_SECONDS):
                    break
                try:
                    client.reinvite(row.id)
                    results.append((row.id, True, ""))
                except Exception as exc:  # a PublicApiError: plain, secret-free text
                    results.append((row.id, False, str(exc)))
                ctl.progress(index + 1)
        return results

    task = run_task(
        owner,
        work,
        on_success=on_success,
        on_failure=on_failure,
        on_progress=progress.setValue,
        on_finished=progress.close,
    )
    progress.canceled.connect(task.cancel)
    return task


def results_dialog(
    rows: list[MemberRow], results: list[ReinviteResult], parent: QWidget
) -> OutcomeDialog:
    """The outcome per member, with how many invitations went out."""
    by_id = {row.id: row for row in rows}
    described = [
        (
            member_id,
            member_title(by_id[member_id]),
            _tr("Invitation sent") if ok else _tr("Failed"),
            reason,
        )
        for member_id, ok, reason in results
    ]
    sent = sum(1 for _, ok, _ in results if ok)
    dialog = OutcomeDialog(_tr("Reinvitation results"), described, parent)
    dialog.set_summary(
        plural(sent, _tr("%n invitation sent again."), _tr("%n invitations sent again.")), []
    )
    return dialog
