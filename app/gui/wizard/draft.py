"""What the admin ticked and typed on the wizard's pages, kept with the profile across restarts.

Every `QCheckBox` of every page is kept, unless marked `session_only` (a choice that holds for this
run only: skipping a check that failed just now, going on without saving the key). A `QLineEdit`
or a `QRadioButton` is kept only when marked `persisted`: most fields hold a secret (the keyring
keeps those) or a value the profile already keeps (server, CA file, profile name, the welcome
page's choice of where the organization lives). Keys are "<step>/<widget name>", values
booleans and those few plain texts, so the profile file never holds a secret.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLineEdit, QRadioButton, QWidget

if TYPE_CHECKING:
    from app.gui.wizard.base import SetupPage

_SESSION_ONLY = "session_only"
_PERSISTED = "persisted"

Value = bool | str
_Button = QCheckBox | QRadioButton
_Field = TypeVar("_Field", QLineEdit, QRadioButton)


def session_only(box: QCheckBox) -> QCheckBox:
    """Mark a checkbox as holding for this run only: it is not kept across a restart."""
    box.setProperty(_SESSION_ONLY, True)
    return box


def persisted(field: _Field) -> _Field:
    """Mark a (non-secret) text field, or a choice, as kept across a restart."""
    field.setProperty(_PERSISTED, True)
    return field


def kept_widgets(page: SetupPage) -> dict[str, _Button | QLineEdit]:
    """The page's widgets that are kept, by key."""
    kept: dict[str, _Button | QLineEdit] = {}
    for widget in page.findChildren(QWidget):
        box = isinstance(widget, QCheckBox) and not widget.property(_SESSION_ONLY)
        field = isinstance(widget, (QLineEdit, QRadioButton)) and widget.property(_PERSISTED)
        if box or field:
            kept[_key(page, widget)] = widget  # type: ignore[assignment]
    return kept


def collect(pages: Iterable[SetupPage]) -> dict[str, Value]:
    """The kept values of `pages`: ticks as booleans, texts as they are."""
    values: dict[str, Value] = {}
    for page in pages:
        for key, widget in kept_widgets(page).items():
            values[key] = (
                widget.isChecked() if isinstance(widget, QAbstractButton) else widget.text()
            )
    return values


def restore(pages: Iterable[SetupPage], values: dict[str, Value]) -> None:
    """Put kept values back (as the admin would: the pages' own handlers run). Of a group of
    radio buttons only the chosen one is set: it unchecks the others."""
    for page in pages:
        for key, widget in kept_widgets(page).items():
            value = values.get(key)
            if isinstance(widget, QRadioButton) and value is True:
                widget.setChecked(True)
            elif isinstance(widget, QCheckBox) and isinstance(value, bool):
                widget.setChecked(value)
            elif isinstance(widget, QLineEdit) and isinstance(value, str):
                widget.setText(value)


def watch(pages: Iterable[SetupPage], changed: Callable[[], None]) -> None:
    """Call `changed` whenever a kept widget changes."""
    for page in pages:
        for widget in kept_widgets(page).values():
            if isinstance(widget, QAbstractButton):
                widget.toggled.connect(changed)
            else:
                widget.textChanged.connect(changed)


def _key(page: SetupPage, widget: QWidget) -> str:
    return f"{page.step}/{widget.objectName() or widget.accessibleName()}"
