"""The Okta org in memory: users, groups, the Bitwarden app instance, assignments, the System Log.

Shapes follow Okta's documented objects (okta-management-api.md §3, §6, §7, §8). One lock guards
everything; `api.py` reads and writes under it, `provisioning.py` does its HTTP outside it.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from app.sandbox.okta import ids

#: Okta's built-in username templates (reference §3.2).
TEMPLATE_LOGIN = "${source.login}"
TEMPLATE_EMAIL = "${source.email}"
TEMPLATE_LOGIN_PREFIX = '${fn:substringBefore(source.login, "@")}'


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    """Okta's timestamp format, `YYYY-MM-DDTHH:mm:ss.SSSZ` (DD-CORE "Media types")."""
    if moment is None:
        return None
    # `isoformat` with milliseconds cuts as `// 1000` does, at a third of `strftime`'s cost.
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


@dataclass
class OktaUser:
    id: str
    login: str
    email: str
    first_name: str
    last_name: str
    status: str = "ACTIVE"
    created: datetime = field(default_factory=now)


@dataclass
class OktaGroup:
    id: str
    name: str
    description: str = ""
    member_ids: list[str] = field(default_factory=list)
    type: str = "OKTA_GROUP"
    created: datetime = field(default_factory=now)
    #: An `APP_GROUP` (a group pushed to the app): its id in the SCIM app, once pushed.
    scim_id: str | None = None


@dataclass
class AppUser:
    """One assignment of an Okta user to the app (`GET /apps/{id}/users` item)."""

    user_id: str
    user_name: str
    scope: str = "USER"
    status: str = "STAGED"
    sync_state: str = "SYNCING"
    external_id: str | None = None
    target_id: str = field(default_factory=lambda: ids.new_id(ids.APP_USER))
    created: datetime = field(default_factory=now)
    last_updated: datetime = field(default_factory=now)
    status_changed: datetime = field(default_factory=now)
    last_sync: datetime | None = None


@dataclass
class GroupAssignment:
    group_id: str
    priority: int = 0
    last_updated: datetime = field(default_factory=now)


@dataclass
class PushMapping:
    id: str
    source_group_id: str
    target_group_id: str
    status: str = "ACTIVE"
    error_summary: str = ""
    last_push: datetime | None = None
    created: datetime = field(default_factory=now)
    last_updated: datetime = field(default_factory=now)
    #: The group's id in the SCIM app once pushed.
    scim_group_id: str | None = None
    #: The name the group gets in the app (`targetGroupName`, else the source group's name).
    target_name: str = ""


@dataclass
class Connection:
    """The app's Provisioning → Integration tab: never readable back for this app (reference §4)."""

    base_url: str
    token: SecretStr
    enabled: bool = True


@dataclass
class App:
    """The Bitwarden app instance as added from the catalog."""

    id: str
    label: str
    name: str = "bitwarden"
    status: str = "ACTIVE"
    sign_on_mode: str = "AUTO_LOGIN"
    hide_web: bool = True
    hide_ios: bool = True
    user_name_template: str = TEMPLATE_EMAIL
    create_users: bool = True
    update_users: bool = False
    deactivate_users: bool = True
    created: datetime = field(default_factory=now)
    last_updated: datetime = field(default_factory=now)


@dataclass
class LogEvent:
    seq: int
    event_type: str
    display_message: str
    result: str
    reason: str | None
    targets: list[dict[str, Any]]
    severity: str = "INFO"
    published: datetime = field(default_factory=now)
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    legacy_event_type: str | None = None


class OktaOrg:
    """Everything one Okta org holds; thread-safe through `lock`."""

    def __init__(self, scim_url: str, scim_key: SecretStr, *, label: str = "Bitwarden") -> None:
        self.lock = threading.RLock()
        self.org_id = ids.new_id(ids.ORG)
        self.token = SecretStr(ids.new_token())
        self.token_id = ids.new_id(ids.TOKEN)
        #: A second admin's token, a Read-only Administrator's: every write is 403 `E0000006`.
        self.read_only_token = SecretStr(ids.new_token())
        #: Tests: this many more writes succeed, then one answers 500 `E0000009` (None: never).
        self.writes_fail_after: int | None = None
        self.admin_id = ids.new_id(ids.USER)
        self.users: dict[str, OktaUser] = {}
        self.groups: dict[str, OktaGroup] = {}
        self.app = App(id=ids.new_id(ids.APP), label=label)
        self.connection = Connection(base_url=scim_url, token=scim_key)
        #: Whether `/connections/default` and `/features` answer for this app (documented only
        #: for a few apps; the real answer for Bitwarden's is unconfirmed, reference §4, §5).
        self.connection_api = True
        #: Whether the org has the Group Push Mappings API (GA 2025.09; older orgs: 404).
        self.group_push_api = True
        self.app_users: dict[str, AppUser] = {}
        self.group_assignments: dict[str, GroupAssignment] = {}
        self.mappings: dict[str, PushMapping] = {}
        self.log: list[LogEvent] = []

    # -- users and groups -------------------------------------------------------------------

    def add_user(
        self, first_name: str, last_name: str, email: str, login: str | None = None
    ) -> OktaUser:
        with self.lock:
            user = OktaUser(ids.new_id(ids.USER), login or email, email, first_name, last_name)
            self.users[user.id] = user
            return user

    def add_group(self, name: str, member_ids: list[str] | None = None) -> OktaGroup:
        with self.lock:
            group = OktaGroup(ids.new_id(ids.GROUP), name, member_ids=list(member_ids or []))
            self.groups[group.id] = group
            return group

    def user_by_email(self, email: str) -> OktaUser | None:
        with self.lock:
            return next((u for u in self.users.values() if u.email.lower() == email.lower()), None)

    def app_user_name(self, user: OktaUser) -> str:
        """The app username the template gives this user (the built-in templates, §3.2)."""
        template = self.app.user_name_template
        if template == TEMPLATE_EMAIL:
            return user.email
        if template == "${fn:toLowerCase(source.email)}":
            return user.email.lower()
        if template == TEMPLATE_LOGIN_PREFIX:
            return user.login.split("@", 1)[0]
        if template == '${fn:substringBefore(source.email, "@")}':
            return user.email.split("@", 1)[0]
        return user.login

    # -- the System Log ---------------------------------------------------------------------

    def record(
        self,
        event_type: str,
        message: str,
        result: str = "SUCCESS",
        reason: str | None = None,
        *,
        user: OktaUser | None = None,
        app_user: AppUser | None = None,
        group: OktaGroup | None = None,
        severity: str | None = None,
    ) -> LogEvent:
        """Append one event; targets as Okta gives them (AppUser `0ua…`, AppInstance `0oa…`)."""
        targets: list[dict[str, Any]] = []
        if app_user is not None:
            display = user.first_name + " " + user.last_name if user else app_user.user_name
            targets.append(_target(app_user.target_id, "AppUser", app_user.user_name, display))
        targets.append(_target(self.app.id, "AppInstance", self.app.label, self.app.label))
        if user is not None:
            full = f"{user.first_name} {user.last_name}"
            targets.append(_target(user.id, "User", user.login, full))
        if group is not None:
            targets.append(_target(group.id, "UserGroup", group.name, group.name))
        if severity is None:
            severity = "ERROR" if result == "FAILURE" else "INFO"
        with self.lock:
            event = LogEvent(len(self.log) + 1, event_type, message, result, reason, targets)
            event.severity = severity
            self.log.append(event)
            return event


def _target(target_id: str, kind: str, alternate: str, display: str) -> dict[str, Any]:
    return {
        "id": target_id,
        "type": kind,
        "alternateId": alternate,
        "displayName": display,
        "detailEntry": None,
    }
