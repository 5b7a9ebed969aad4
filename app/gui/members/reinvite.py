"""Reinviting: send the invitation email again to invited members, paced within the rate limits.

The worker runs the core's `reinvite_members` (one member at a time, paced within the cloud's
POST limits, a 429 waited out, a member who accepted meanwhile skipped, each reinvite recorded in
the history so the invitation's expiry restarts); a progress dialog counts and can cancel; the
results end in an `OutcomeDialog`, one row per member.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.core.outside_text import clean
from app.core.reinvite import DEFAULT_INTERVAL, ReinviteOutcome, ReinviteResult, reinvite_members
from app.gui.members.confirm_dialogs import OutcomeDialog, member_title
from app.gui.members.rows import MemberRow, RowStatus
from app.gui.members.text import plural
from app.gui.tasks import Task, TaskControl, run_task
from app.gui.widgets.window_title import fit_title

if TYPE_CHECKING:
    from app.gui.context import AppContext

__all__ = ["ReinviteOutcome", "ReinviteResult", "results_dialog", "start_reinvite"]


def start_reinvite(
    owner: QWidget,
    ctx: AppContext,
    profile: str,
    rows: list[MemberRow],
    *,
    on_success: Callable[[list[ReinviteOutcome]], Any],
    on_failure: Callable[[BaseException], Any],
    interval: float | None = None,
) -> Task[list[ReinviteOutcome]]:
    """Reinvite `rows` (those still invited) with `profile`'s Public API, showing progress.

    `interval` is the pause between two reinvites (the core's default unless given)."""
    not_invited = QCoreApplication.translate(
        "MembersWindow", "not invited (only invited members can be reinvited)"
    )
    progress = QProgressDialog(
        QCoreApplication.translate("MembersWindow", "Sending invitations again…"),
        QCoreApplication.translate("MembersWindow", "Cancel"),
        0,
        len(rows),
        owner,
    )
    progress.setWindowTitle(QCoreApplication.translate("MembersWindow", "Reinvite members"))
    progress.setAccessibleName(QCoreApplication.translate("MembersWindow", "Reinvite members"))
    fit_title(progress)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(500)
    progress.setAutoClose(False)
    invited = [row for row in rows if row.status is RowStatus.INVITED]
    skipped = [
        ReinviteOutcome(
            email=row.email, member_id=row.id, result=ReinviteResult.SKIPPED, reason=not_invited
        )
        for row in rows
        if row.status is not RowStatus.INVITED
    ]
    pause = DEFAULT_INTERVAL if interval is None else interval

    def work(ctl: TaskControl) -> list[ReinviteOutcome]:
        with ctx.public_api(profile) as client:
            outcomes = reinvite_members(
                client,
                invited,
                history=ctx.history,
                profile=profile,
                cancel=ctl.token,
                progress=lambda done, _outcome: ctl.progress(len(skipped) + done),
                interval=pause,
            )
        return skipped + outcomes

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
    rows: list[MemberRow], outcomes: list[ReinviteOutcome], parent: QWidget
) -> OutcomeDialog:
    """The outcome per member, with how many invitations went out."""
    by_id = {row.id: row for row in rows}
    words = {
        ReinviteResult.REINVITED: QCoreApplication.translate("MembersWindow", "Invitation sent"),
        ReinviteResult.SKIPPED: QCoreApplication.translate("MembersWindow", "Skipped"),
        ReinviteResult.FAILED: QCoreApplication.translate("MembersWindow", "Failed"),
    }
    described = [
        (
            o.member_id,
            member_title(by_id[o.member_id]) if o.member_id in by_id else clean(o.email),
            words[o.result],
            clean(o.reason) if o.reason else "",
        )
        for o in outcomes
    ]
    sent = sum(1 for o in outcomes if o.result is ReinviteResult.REINVITED)
    failed = [o.member_id for o in outcomes if o.result is ReinviteResult.FAILED]
    dialog = OutcomeDialog(
        QCoreApplication.translate("MembersWindow", "Reinvitation results"), described, parent
    )
    summary = plural(
        sent,
        QCoreApplication.translate("MembersWindow", "{0} invitation sent again."),
        QCoreApplication.translate("MembersWindow", "{0} invitations sent again."),
    )
    if sent:
        summary += " " + QCoreApplication.translate(
            "MembersWindow", "Each new link is valid from now."
        )
    dialog.set_summary(summary, failed)
    return dialog
