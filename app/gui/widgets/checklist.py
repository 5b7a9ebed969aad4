"""`Checklist`: steps done in another console, each ticked by the admin; complete when all are."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget


class Checklist(QWidget):
    """One checkbox per step, in order; `changed` whenever a box is ticked or unticked."""

    changed = Signal()

    def __init__(self, items: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: list[QCheckBox] = []
        for number, item in enumerate(items, start=1):
            box = QCheckBox(f"{number}. {item}", self)
            box.setAccessibleName(item)
            box.toggled.connect(self.changed)
            layout.addWidget(box)
            self.boxes.append(box)

    def all_checked(self) -> bool:
        return all(box.isChecked() for box in self.boxes)
