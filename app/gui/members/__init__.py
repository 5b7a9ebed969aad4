"""The live members window: statuses, confirming with fingerprint phrases, reinviting, export.

`from app.gui.members import MembersWindow` works; the window module is imported only then, so the
model and the filter can be used without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.gui.members.window import MembersWindow

__all__ = ["MembersWindow"]


def __getattr__(name: str) -> Any:
    if name == "MembersWindow":
        from app.gui.members.window import MembersWindow

        return MembersWindow
    raise AttributeError(name)
