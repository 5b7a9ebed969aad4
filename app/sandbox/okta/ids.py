"""Okta-style ids: a 3-character type prefix and 17 random characters, 20 in all (reference §12)."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits

APP = "0oa"
USER = "00u"
GROUP = "00g"
APP_USER = "0ua"
MAPPING = "gPm"
ORG = "00o"
TOKEN = "00T"  # noqa: S105 (an id prefix, not a secret)


def new_id(prefix: str) -> str:
    """A fresh id of the given kind (`0oa…` app, `00u…` user, `00g…` group, …)."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(17))


def new_token() -> str:
    """An SSWS API token: 42 characters like Okta's (`00` + 40 url-safe characters)."""
    return "00" + "".join(secrets.choice(_ALPHABET + "-_") for _ in range(40))
