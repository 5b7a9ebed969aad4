"""The admin's writes (the API's and the console's alike): assign, unassign, push a group.

Each writes its System Log event (okta-management-api.md §8.2) and then runs the provisioning
Okta starts for it, so the API handlers, the seeding, the faults and the demo share one path.
"""

from __future__ import annotations

from app.sandbox.okta import ids
from app.sandbox.okta.org import AppUser, GroupAssignment, OktaGroup, OktaOrg, PushMapping, now
from app.sandbox.okta.provisioning import Provisioner


class Admin:
    """Writes on one org's Bitwarden app."""

    def __init__(self, org: OktaOrg) -> None:
        self.org = org
        self.provisioner = Provisioner(org)

    def assign_user(
        self, user_id: str, scope: str = "USER", user_name: str | None = None
    ) -> AppUser:
        """Assign a person (or re-read an existing assignment); provisions when it is new."""
        org = self.org
        with org.lock:
            user = org.users[user_id]
            existing = org.app_users.get(user_id)
            if existing is not None:
                if scope == "USER":
                    existing.scope = "USER"
                return existing
            app_user = AppUser(user_id, user_name or org.app_user_name(user), scope=scope)
            org.app_users[user_id] = app_user
        org.record(
            "application.user_membership.add",
            "Add user to application membership",
            user=user,
            app_user=app_user,
        )
        self.provisioner.push_user(app_user)
        return app_user

    def unassign_user(self, user_id: str) -> bool:
        """Remove the assignment; Deactivate Users (when on) revokes the member in Bitwarden."""
        org = self.org
        with org.lock:
            app_user = org.app_users.get(user_id)
            user = org.users.get(user_id)
        if app_user is None or user is None:
            return False
        self.provisioner.deactivate_user(app_user)
        with org.lock:
            org.app_users.pop(user_id, None)
        org.record(
            "application.user_membership.remove",
            "Remove user's application membership",
            user=user,
            app_user=app_user,
        )
        return True

    def assign_group(self, group_id: str, priority: int = 0) -> GroupAssignment:
        """Assign a group: every member becomes an app user with scope GROUP (§6.2)."""
        org = self.org
        with org.lock:
            group = org.groups[group_id]
            assignment = org.group_assignments.get(group_id)
            if assignment is None:
                assignment = GroupAssignment(group_id, priority)
                org.group_assignments[group_id] = assignment
            else:
                assignment.priority, assignment.last_updated = priority, now()
            members = list(group.member_ids)
        org.record("group.application_assignment.add", "Assign application to group", group=group)
        for user_id in members:
            self.assign_user(user_id, scope="GROUP")
        return assignment

    def unassign_group(self, group_id: str) -> bool:
        org = self.org
        with org.lock:
            if org.group_assignments.pop(group_id, None) is None:
                return False
            group = org.groups[group_id]
            group_only = [
                uid
                for uid in group.member_ids
                if uid in org.app_users and org.app_users[uid].scope == "GROUP"
            ]
        org.record(
            "group.application_assignment.remove", "Unassign application from group", group=group
        )
        for user_id in group_only:
            self.unassign_user(user_id)
        return True

    def create_mapping(
        self,
        source_group_id: str,
        status: str = "ACTIVE",
        target_name: str | None = None,
        target_group_id: str | None = None,
    ) -> PushMapping:
        """A group push mapping; an ACTIVE one pushes at once (§7). The target is the app group
        `target_group_id`, else the app group named `target_name` (the source group's name by
        default), linked when Okta already has it and created otherwise."""
        org = self.org
        with org.lock:
            group = org.groups[source_group_id]
            if target_group_id is not None:
                target = org.groups[target_group_id]
            else:
                name = target_name or group.name
                found = [
                    g
                    for g in org.groups.values()
                    if g.type == "APP_GROUP" and g.name.lower() == name.lower()
                ]
                target = found[0] if found else OktaGroup(ids.new_id(ids.GROUP), name)
                target.type = "APP_GROUP"
                org.groups[target.id] = target
            mapping = PushMapping(ids.new_id(ids.MAPPING), source_group_id, target.id)
            mapping.status, mapping.target_name = status, target.name
            mapping.scim_group_id = target.scim_id
            org.mappings[mapping.id] = mapping
        org.record(
            "application.provision.group_push.mapping.created",
            "A new mapping has been created",
            group=group,
        )
        if status == "ACTIVE":
            self.provisioner.push_group(mapping.id)
        return mapping

    def set_mapping_status(self, mapping_id: str, status: str) -> PushMapping:
        org = self.org
        with org.lock:
            mapping = org.mappings[mapping_id]
            group = org.groups[mapping.source_group_id]
            mapping.status, mapping.last_updated = status, now()
        kind = "activate_mapping" if status == "ACTIVE" else "deactivate_mapping"
        org.record(
            f"application.provision.group_push.{kind}",
            "Group push mapping " + ("activated" if status == "ACTIVE" else "deactivated"),
            group=group,
        )
        if status == "ACTIVE":
            self.provisioner.push_group(mapping_id)
        return mapping
