"""`add_row`: a form row whose label's Alt shortcut moves the focus into its field.

QFormLayout makes the label's buddy the widget of the row, and Qt's label shortcut gives the focus
only to a buddy that takes focus itself. A row widget that merely holds the field (a field with a
copy button beside it, a secret field with its Show button) takes none, so Alt+K did nothing and
the typing went on into the previous field. The buddy here is the field the focus should reach.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget


def focus_target(widget: QWidget) -> QWidget:
    """The widget that receives the focus for `widget`: itself, its proxy or its first field."""
    proxy = widget.focusProxy()
    if proxy is not None:
        return focus_target(proxy)
    if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
        return widget
    for child in widget.findChildren(QWidget):
        if child.focusPolicy() & Qt.FocusPolicy.TabFocus and child.focusProxy() is None:
            return child
    return widget


def add_row(form: QFormLayout, text: str, field: QWidget) -> QLabel:
    """A row with label `text` (its `&` shortcut focuses `field`'s input) and `field`."""
    label = QLabel(text, form.parentWidget())
    label.setBuddy(focus_target(field))
    form.addRow(label, field)
    return label
