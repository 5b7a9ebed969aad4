"""The wizard's steps in order, and a step's page id: what the pages need to name one another
without importing the wizard (which imports them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.profiles import SetupStep

#: `app.core.profiles.SetupStep`'s values in order (a test keeps them equal). Kept as plain
#: strings so that the first page paints before the core (pydantic, keyring, httpx) is imported.
STEP_VALUES: tuple[str, ...] = (
    "welcome",
    "self_hosted",
    "enable_scim",
    "save",
    "test",
    "okta_app",
    "okta_api",
    "okta_to_app",
    "assignments",
    "public_api",
    "finish",
    "done",
)
#: One page per step but the last (`done`).
PAGE_COUNT = len(STEP_VALUES) - 1


def page_id(step: SetupStep | str) -> int:
    """A step's page id (its position); `SetupStep` is a str enum, so either form works."""
    return STEP_VALUES.index(str(step))
