"""Status badges: the status column drawn as coloured pills, so "needs confirmation" stands out."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.gui.members.model import ROW_ROLE
from app.gui.members.rows import MemberRow, RowStatus

#: (fill, text) per status; colour is never the only cue, the label says the status too.
BADGE_COLOURS: dict[RowStatus, tuple[str, str]] = {
    RowStatus.ACCEPTED: ("#fbe3b3", "#6b4200"),
    RowStatus.INVITED: ("#dbe7f7", "#1d4b85"),
    RowStatus.STAGED: ("#e6e1f5", "#4a3a84"),
    RowStatus.CONFIRMED: ("#dcefdf", "#1e5b2c"),
    RowStatus.REVOKED: ("#ececec", "#555555"),
    RowStatus.PROVISIONED: ("#e3eef0", "#24545c"),
}


#: The same as `QColor`s, made once (`paint` runs for every visible status cell).
_BADGE_QCOLORS: dict[RowStatus, tuple[QColor, QColor]] = {
    status: (QColor(fill), QColor(ink)) for status, (fill, ink) in BADGE_COLOURS.items()
}


class StatusBadgeDelegate(QStyledItemDelegate):
    """Paints the status text inside a rounded, status-coloured pill."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = index.data(ROW_ROLE)
        if not isinstance(row, MemberRow):
            super().paint(painter, option, index)
            return
        # Background (selection, highlight of changed rows) as usual, without the text.
        self.initStyleOption(option, index)
        text = option.text
        option.text = ""
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        fill, ink = _BADGE_QCOLORS[row.status]
        metrics = option.fontMetrics
        rect = option.rect
        width = min(metrics.horizontalAdvance(text) + 16, rect.width() - 6)
        height = metrics.height() + 4
        pill = QRectF(rect.x() + 4, rect.y() + (rect.height() - height) / 2, width, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setPen(ink)
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(pill.width()) - 12)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, elided)
        painter.restore()
