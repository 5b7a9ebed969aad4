"""What Okta does after an assignment, an unassignment or a group push, over real SCIM HTTP.

The flows of okta-scim.md §2.2 (look up by `userName eq`, then create, or link), §2.4 (deactivate
by PATCH with no path), §2.9 (POST /Groups, then PATCH add members), each outcome written to the
System Log as okta-management-api.md §8.2 names it, with reasons in Okta's pattern
`<reason phrase>. Errors reported by remote server: <detail>` (§8, SCIMREF §1.5).

Real Okta runs these as background jobs; here they run before the triggering API call answers, so
an assignment's answer already shows the outcome (documented in FIDELITY.md). The HTTP happens
outside the org's lock.
"""

from __future__ import annotations

import urllib.parse
from http import HTTPStatus
from typing import Any

from app.sandbox.okta import scim_push
from app.sandbox.okta.org import AppUser, OktaGroup, OktaOrg, OktaUser, now

TIMEOUT = 10.0


def remote_reason(status: int, body: Any) -> str:
    """Okta's failure text for a SCIM error answer (`null` when the body gives no detail)."""
    if status == 0:
        return "Could not connect to the remote server."
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = str(status)
    detail = body.get("detail") if isinstance(body, dict) else None
    return f"{phrase}. Errors reported by remote server: {detail if detail else 'null'}"[:255]


class Provisioner:
    """Okta's provisioning jobs for one org's app."""

    def __init__(self, org: OktaOrg) -> None:
        self.org = org

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        connection = self.org.connection
        url = connection.base_url.rstrip("/") + path
        key = connection.token.get_secret_value()
        return scim_push.request(method, url, key, body, TIMEOUT)

    def _provisioning_on(self) -> bool:
        return self.org.connection.enabled and self.org.app.status == "ACTIVE"

    # -- users ------------------------------------------------------------------------------

    def push_user(self, app_user: AppUser) -> None:
        """Create Users: find the user by its app username, link it or create it."""
        org = self.org
        user = org.users[app_user.user_id]
        if not self._provisioning_on() or not org.app.create_users:
            with org.lock:  # no provisioning: the assignment is all there is
                app_user.status, app_user.sync_state = "ACTIVE", "DISABLED"
            return
        query = urllib.parse.urlencode(
            {"filter": f'userName eq "{app_user.user_name}"', "startIndex": "1", "count": "100"},
            quote_via=urllib.parse.quote,
        )
        status, found = self._call("GET", f"/Users?{query}")
        if status != 200:
            self._user_failed(
                app_user, user, "application.provision.user.verify_exists", status, found
            )
            return
        resources = (
            (found.get("Resources") or found.get("resources")) if isinstance(found, dict) else None
        )
        if resources:
            self._link(app_user, user, resources[0])
            return
        person = scim_push.Person(user.first_name, user.last_name, user.email)
        body = scim_push.create_body(person, user_name=app_user.user_name, okta_id=user.id)
        status, created = self._call("POST", "/Users", body)
        if status != 201 or not isinstance(created, dict) or not created.get("id"):
            self._user_failed(app_user, user, "application.provision.user.push", status, created)
            return
        self._provisioned(app_user, str(created["id"]))
        org.record(
            "application.provision.user.push",
            "Push new user to external application",
            user=user,
            app_user=app_user,
        )

    def _link(self, app_user: AppUser, user: OktaUser, found: dict[str, Any]) -> None:
        """A user the lookup found is linked; reactivated when inactive (SCIMREF §2.2, §2.5)."""
        scim_id = str(found.get("id"))
        self.org.record(
            "application.provision.user.verify_exists",
            "Verify user exists in external application",
            user=user,
            app_user=app_user,
        )
        if found.get("active") is False:
            status, body = self._call("PATCH", f"/Users/{scim_id}", _active_patch(True))
            if status not in (200, 204):
                self._user_failed(
                    app_user, user, "application.provision.user.reactivate", status, body
                )
                return
            self.org.record(
                "application.provision.user.reactivate",
                "Push user reactivation to external application",
                user=user,
                app_user=app_user,
            )
        self._provisioned(app_user, scim_id)

    def _provisioned(self, app_user: AppUser, scim_id: str) -> None:
        with self.org.lock:
            app_user.status, app_user.sync_state = "PROVISIONED", "SYNCHRONIZED"
            app_user.external_id = scim_id
            app_user.last_updated = app_user.status_changed = app_user.last_sync = now()

    def _user_failed(
        self, app_user: AppUser, user: OktaUser, event_type: str, status: int, body: Any
    ) -> None:
        reason = remote_reason(status, body)
        org = self.org
        with org.lock:
            app_user.sync_state = "ERROR"
            app_user.last_updated = now()
        if status == 401:
            org.record(
                "application.integration.authentication_failure",
                "Error authenticating: the credentials used to connect to the API were invalid",
                "FAILURE",
                reason,
                user=user,
                app_user=app_user,
            )
        message = _MESSAGES[event_type.rsplit(".", 1)[-1]]
        org.record(event_type, message, "FAILURE", reason, user=user, app_user=app_user)

    def deactivate_user(self, app_user: AppUser) -> None:
        """On unassignment: PATCH active:false with no path, only when Deactivate Users is on."""
        org = self.org
        user = org.users[app_user.user_id]
        if not self._provisioning_on() or not org.app.deactivate_users or not app_user.external_id:
            return
        status, body = self._call("PATCH", f"/Users/{app_user.external_id}", _active_patch(False))
        if status not in (200, 204):
            self._user_failed(app_user, user, "application.provision.user.deactivate", status, body)
            return
        org.record(
            "application.provision.user.deactivate",
            "Push user deactivation to external application",
            user=user,
            app_user=app_user,
        )

    # -- groups -----------------------------------------------------------------------------

    def push_group(self, mapping_id: str) -> None:
        """Push Groups: create the group (or reuse it), then PATCH add the provisioned members."""
        org = self.org
        with org.lock:
            mapping = org.mappings[mapping_id]
            group = org.groups[mapping.source_group_id]
        if not self._provisioning_on():
            self._mapping_failed(mapping_id, group, "Provisioning is not enabled for the app.")
            return
        if mapping.scim_group_id is None:
            status, body = self._call(
                "POST",
                "/Groups",
                {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": mapping.target_name or group.name,
                    "members": [],
                },
            )
            if status != 201 or not isinstance(body, dict) or not body.get("id"):
                self._mapping_failed(mapping_id, group, remote_reason(status, body), "add")
                return
            with org.lock:
                mapping.scim_group_id = str(body["id"])
                target = org.groups.get(mapping.target_group_id)
                if target is not None:
                    target.scim_id = mapping.scim_group_id
            org.record(
                "application.provision.group_push.pushed",
                "Group pushed to the external application",
                group=group,
            )
        members, ignored = self._group_members(group)
        if ignored:
            org.record(
                "app.user_management.grouppush.mapping.okta.users.ignored",
                "Okta users ignored while pushing group to AppInstance",
                "SUCCESS",
                f"{len(ignored)} member(s) not provisioned to the app: {', '.join(ignored)}"[:255],
                group=group,
                severity="WARN",
            )
        operations = [{"op": "replace", "path": "members", "value": members}]
        status, body = self._call(
            "PATCH",
            f"/Groups/{mapping.scim_group_id}",
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": operations,
            },
        )
        if status not in (200, 204):
            self._mapping_failed(mapping_id, group, remote_reason(status, body), "membership")
            return
        with org.lock:
            mapping.status, mapping.error_summary = "ACTIVE", ""
            mapping.last_push = mapping.last_updated = now()
        org.record(
            "application.provision.group_push.push_memberships",
            "Group memberships pushed to the external application",
            group=group,
        )

    def _group_members(self, group: OktaGroup) -> tuple[list[dict[str, str]], list[str]]:
        """Members whose app users are provisioned (Okta pushes only those, SCIMREF §2.9)."""
        members: list[dict[str, str]] = []
        ignored: list[str] = []
        with self.org.lock:
            for user_id in group.member_ids:
                app_user = self.org.app_users.get(user_id)
                if app_user is not None and app_user.external_id:
                    members.append({"value": app_user.external_id, "display": app_user.user_name})
                else:
                    ignored.append(self.org.users[user_id].login)
        return members, ignored

    def _mapping_failed(
        self, mapping_id: str, group: OktaGroup, reason: str, step: str = "add"
    ) -> None:
        org = self.org
        with org.lock:
            mapping = org.mappings[mapping_id]
            mapping.status, mapping.error_summary = "ERROR", reason
            mapping.last_updated = now()
        event = (
            "application.provision.group.add"
            if step == "add"
            else "application.provision.group_membership.add"
        )
        message = (
            "Create group in external application"
            if step == "add"
            else "Push group memberships to external application"
        )
        org.record(event, message, "FAILURE", reason, group=group)


#: Okta's display messages (DD-EVT) of the user events, by the event type's last part.
_MESSAGES = {
    "verify_exists": "Verify user exists in external application",
    "push": "Push new user to external application",
    "reactivate": "Push user reactivation to external application",
    "deactivate": "Push user deactivation to external application",
}


def _active_patch(active: bool) -> dict[str, Any]:
    """Okta's OIN (de)activation: `replace` with no `path` (SCIMREF §2.4, §2.5)."""
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": active}}],
    }
