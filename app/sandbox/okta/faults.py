"""Seeded faults: each puts the org in one faulty state, then makes Okta attempt what reveals it.

The five names are the stable contract (interfaces.md). What each one's provisioning shows comes
from the real SCIM exchange with the Bitwarden sandbox, not from a canned event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

from app.sandbox.okta import ids
from app.sandbox.okta.admin import Admin
from app.sandbox.okta.org import TEMPLATE_LOGIN, OktaUser

_NAMES = (
    ("Hedy", "Lamarr"),
    ("Barbara", "Liskov"),
    ("Donald", "Knuth"),
    ("Frances", "Allen"),
    ("Ken", "Thompson"),
    ("Radia", "Perlman"),
    ("John", "Backus"),
    ("Margaret", "Hamilton"),
)


class UnknownFaultError(KeyError):
    """Not one of the five fault names."""


class Faults:
    """Applies the named faults to one org through its admin."""

    def __init__(self, admin: Admin) -> None:
        self.admin = admin
        self.org = admin.org
        self._counter = 0
        self.table: dict[str, Callable[[], dict[str, Any]]] = {
            "deactivate_users_off": self.deactivate_users_off,
            "username_is_login": self.username_is_login,
            "token_rotated": self.token_rotated,
            "revoked_member_conflict": self.revoked_member_conflict,
            "group_assigned_and_pushed": self.group_assigned_and_pushed,
        }

    def apply(self, name: str) -> dict[str, Any]:
        action = self.table.get(name)
        if action is None:
            raise UnknownFaultError(name)
        return {"fault": name, **action()}

    def _new_person(self) -> OktaUser:
        first, last = _NAMES[self._counter % len(_NAMES)]
        self._counter += 1
        suffix = "" if self._counter <= len(_NAMES) else str(self._counter)
        email = f"{first}.{last}{suffix}@example.com".lower()
        return self.org.add_user(first, last, email)

    def _app_user(self, user: OktaUser) -> dict[str, Any]:
        app_user = self.org.app_users.get(user.id)
        return {
            "user_id": user.id,
            "email": user.email,
            "status": app_user.status if app_user else None,
            "sync_state": app_user.sync_state if app_user else None,
        }

    def deactivate_users_off(self) -> dict[str, Any]:
        """To App's Deactivate Users off; a provisioned person is unassigned and stays active."""
        user = self._new_person()
        app_user = self.admin.assign_user(user.id)
        with self.org.lock:
            self.org.app.deactivate_users = False
        self.admin.unassign_user(user.id)
        return {"user_id": user.id, "email": user.email, "bitwarden_id": app_user.external_id}

    def username_is_login(self) -> dict[str, Any]:
        """Username format = Okta username; a person already in Bitwarden is assigned: 409."""
        with self.org.lock:
            self.org.app.user_name_template = TEMPLATE_LOGIN
            candidates = [
                u
                for u in self.org.users.values()
                if "@" not in u.login and u.id not in self.org.app_users
            ]
        if not candidates:
            user = self._new_person()
            user.login = user.email.split("@", 1)[0]
            self.admin.assign_user(user.id)  # linked now, so the next push conflicts
            self.admin.unassign_user(user.id)
            candidates = [user]
        user = candidates[0]
        self.admin.assign_user(user.id)
        return self._app_user(user)

    def token_rotated(self) -> dict[str, Any]:
        """The SCIM key was rotated in Bitwarden but not in Okta: Okta's token is stale (401)."""
        with self.org.lock:
            self.org.connection.token = SecretStr(ids.new_token()[:30])
        user = self._new_person()
        self.admin.assign_user(user.id)
        return self._app_user(user)

    def revoked_member_conflict(self) -> dict[str, Any]:
        """A revoked member keeps the person's externalId; re-pushed under a new email: 409."""
        user = self._new_person()
        first = self.admin.assign_user(user.id)
        self.admin.unassign_user(user.id)  # Deactivate Users: the member is revoked
        old_email = user.email
        with self.org.lock:
            user.email = user.login = old_email.replace("@", ".new@")
        self.admin.assign_user(user.id)
        return {**self._app_user(user), "old_email": old_email, "bitwarden_id": first.external_id}

    def group_assigned_and_pushed(self) -> dict[str, Any]:
        """One group both assigned and pushed: the push runs before its members are provisioned."""
        members = [self._new_person(), self._new_person()]
        group = self.org.add_group("Bitwarden Admins", [u.id for u in members])
        mapping = self.admin.create_mapping(group.id)
        self.admin.assign_group(group.id)
        return {"group_id": group.id, "mapping_id": mapping.id}
