"""`FlowLayout`: a row of widgets that wraps onto further lines when the window is narrow.

A `QHBoxLayout` of buttons makes its window at least as wide as all of them together: the members
window's filter chips and action buttons asked for 1,163 px, wider than a 1,024 px screen, so the
window could neither be centred nor shown whole. A flow layout asks only for its widest item and
uses more lines when it must (the pattern of Qt's own "Flow Layout" example, with a size hint of
one line so that it keeps to one line whenever there is room).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QStyle, QWidget

#: Between two items when neither the layout nor its style says.
DEFAULT_SPACING = 6


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new line where the next one would not fit."""

    def __init__(self, parent: QWidget | None = None, spacing: int = -1) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    # ------------------------------------------------------------------ QLayout's interface
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Everything on one line: what the layout would like when there is room."""
        shown = self._shown()
        width = sum(item.sizeHint().width() for item in shown)
        width += self._gap(Qt.Orientation.Horizontal) * max(len(shown) - 1, 0)
        height = max((item.sizeHint().height() for item in shown), default=0)
        margins = self.contentsMargins()
        return QSize(
            width + margins.left() + margins.right(), height + margins.top() + margins.bottom()
        )

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        """The widest item: narrower than that, nothing can be shown whole."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    # ------------------------------------------------------------------ placing
    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _gap(self, orientation: Qt.Orientation) -> int:
        """The spacing given, else the style's spacing between push buttons."""
        if self._spacing >= 0:
            return self._spacing
        parent = self.parentWidget()
        if parent is None:
            return DEFAULT_SPACING
        style = parent.style()
        spacing = style.layoutSpacing(
            QSizePolicy.ControlType.PushButton, QSizePolicy.ControlType.PushButton, orientation
        )
        if spacing < 0:  # a style without per-control spacing (Fusion): its one layout spacing
            metric = (
                QStyle.PixelMetric.PM_LayoutHorizontalSpacing
                if orientation == Qt.Orientation.Horizontal
                else QStyle.PixelMetric.PM_LayoutVerticalSpacing
            )
            spacing = style.pixelMetric(metric)
        return spacing if spacing >= 0 else DEFAULT_SPACING

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items in `rect` (or only measure, `move=False`); the height they take."""
        margins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        x, y, line_height = area.x(), area.y(), 0
        across, down = self._gap(Qt.Orientation.Horizontal), self._gap(Qt.Orientation.Vertical)
        line: list[tuple[QLayoutItem, QPoint, QSize]] = []
        for item in self._shown():
            hint = item.sizeHint().expandedTo(item.minimumSize())
            if line and x + hint.width() > area.right() + 1:
                self._place(line, line_height, move)
                x, y, line = area.x(), y + line_height + down, []
                line_height = 0
            line.append((item, QPoint(x, y), hint))
            x += hint.width() + across
            line_height = max(line_height, hint.height())
        self._place(line, line_height, move)
        return y + line_height - rect.y() + margins.bottom()

    @staticmethod
    def _place(line: list[tuple[QLayoutItem, QPoint, QSize]], height: int, move: bool) -> None:
        """Centre each item of a line vertically on it (a label beside a taller combo box)."""
        if not move:
            return
        for item, point, hint in line:
            offset = (height - hint.height()) // 2
            item.setGeometry(QRect(point + QPoint(0, offset), hint))


def flow_row(parent: QWidget, widgets: Sequence[QWidget]) -> QWidget:
    """A widget holding `widgets` in a `FlowLayout` (to put beside a stretch in a box layout)."""
    holder = QWidget(parent)
    layout = FlowLayout(holder)
    for widget in widgets:
        layout.addWidget(widget)
    policy = holder.sizePolicy()
    policy.setHeightForWidth(True)
    holder.setSizePolicy(policy)
    return holder
