"""The JSON Okta returns for each object (okta-management-api.md §3.2, §4, §5, §6, §7, §8.1)."""

from __future__ import annotations

from typing import Any

from app.sandbox.okta.org import (
    AppUser,
    GroupAssignment,
    LogEvent,
    OktaGroup,
    OktaOrg,
    OktaUser,
    PushMapping,
    iso,
)


def _href(base: str, path: str) -> dict[str, str]:
    return {"href": base + path}


def app_json(org: OktaOrg, base: str) -> dict[str, Any]:
    app = org.app
    provisioning = org.connection.enabled
    features: list[str] = []
    if provisioning:
        features.append("GROUP_PUSH")
        if app.create_users:
            features.append("PUSH_NEW_USERS")
        if app.update_users:
            features.append("PUSH_PROFILE_UPDATES")
        if app.deactivate_users:
            features.append("PUSH_USER_DEACTIVATION")
        features.append("REACTIVATE_USERS")
    path = f"/api/v1/apps/{app.id}"
    lifecycle = "deactivate" if app.status == "ACTIVE" else "activate"
    return {
        "id": app.id,
        "name": app.name,
        "label": app.label,
        "status": app.status,
        "signOnMode": app.sign_on_mode,
        "created": iso(app.created),
        "lastUpdated": iso(app.last_updated),
        "orn": f"orn:okta:idp:{org.org_id}:apps:{app.name}:{app.id}",
        "features": features,
        "accessibility": {"selfService": False, "errorRedirectUrl": None, "loginRedirectUrl": None},
        "visibility": {
            "autoSubmitToolbar": False,
            "autoLaunch": False,
            "hide": {"web": app.hide_web, "iOS": app.hide_ios},
            "appLinks": {"login": True},
        },
        "credentials": {
            "scheme": "EDIT_USERNAME_AND_PASSWORD",
            "userNameTemplate": {"template": app.user_name_template, "type": "BUILT_IN"},
            "revealPassword": False,
            "signing": {},
        },
        "settings": {
            "app": {},
            "notifications": {"vpn": {"network": {"connection": "DISABLED"}}},
            "signOn": {"loginUrl": "https://vault.bitwarden.com/#/login"},
            "implicitAssignment": False,
            "notes": {"admin": None, "enduser": None},
        },
        "licensing": {"seatCount": 0},
        "_links": {
            "self": _href(base, path),
            "users": _href(base, path + "/users"),
            "groups": _href(base, path + "/groups"),
            lifecycle: _href(base, f"{path}/lifecycle/{lifecycle}"),
            "appLinks": [
                {"name": "login", "href": base + "/home/bitwarden/" + app.id, "type": "text/html"}
            ],
        },
    }


def connection_json(org: OktaOrg, base: str) -> dict[str, Any]:
    """The documented answer: status and auth scheme only, never the token nor (here) the URL."""
    path = f"/api/v1/apps/{org.app.id}/connections/default"
    if not org.connection_api:
        return {"status": "UNKNOWN", "profile": {"authScheme": "UNKNOWN"}, "_links": {}}
    enabled = org.connection.enabled
    lifecycle = "deactivate" if enabled else "activate"
    return {
        "authScheme": "TOKEN",
        "status": "ENABLED" if enabled else "DISABLED",
        "profile": {"authScheme": "TOKEN"},
        "_links": {
            "self": {"href": base + path, "hints": {"allow": ["GET", "POST"]}},
            lifecycle: {
                "href": f"{base}{path}/lifecycle/{lifecycle}",
                "hints": {"allow": ["POST"]},
            },
        },
    }


def _status(on: bool) -> dict[str, str]:
    return {"status": "ENABLED" if on else "DISABLED"}


def feature_json(org: OktaOrg, base: str) -> dict[str, Any]:
    app = org.app
    return {
        "name": "USER_PROVISIONING",
        "status": "ENABLED",
        "description": "User provisioning settings from Okta to a downstream application",
        "capabilities": {
            "create": {"lifecycleCreate": _status(app.create_users)},
            "update": {
                "profile": _status(app.update_users),
                "lifecycleDeactivate": _status(app.deactivate_users),
                "password": {"status": "DISABLED", "seed": "RANDOM", "change": "KEEP_EXISTING"},
            },
        },
        "_links": {
            "self": {
                "href": f"{base}/api/v1/apps/{app.id}/features/USER_PROVISIONING",
                "hints": {"allow": ["GET", "PUT"]},
            }
        },
    }


def user_json(user: OktaUser, base: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "status": user.status,
        "created": iso(user.created),
        "activated": iso(user.created),
        "statusChanged": iso(user.created),
        "lastLogin": None,
        "lastUpdated": iso(user.created),
        "passwordChanged": None,
        "type": {"id": "oty00000000000000000"},
        "profile": {
            "firstName": user.first_name,
            "lastName": user.last_name,
            "email": user.email,
            "login": user.login,
            "mobilePhone": None,
        },
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
        "_links": {"self": _href(base, f"/api/v1/users/{user.id}")},
    }


def app_user_json(org: OktaOrg, app_user: AppUser, base: str, expand: bool) -> dict[str, Any]:
    user = org.users[app_user.user_id]
    app_path = f"/api/v1/apps/{org.app.id}"
    body: dict[str, Any] = {
        "id": user.id,
        "externalId": app_user.external_id,
        "created": iso(app_user.created),
        "lastUpdated": iso(app_user.last_updated),
        "scope": app_user.scope,
        "status": app_user.status,
        "statusChanged": iso(app_user.status_changed),
        "passwordChanged": None,
        "syncState": app_user.sync_state,
        "lastSync": iso(app_user.last_sync),
        "credentials": {"userName": app_user.user_name},
        "profile": {
            "email": user.email,
            "givenName": user.first_name,
            "familyName": user.last_name,
            "displayName": f"{user.first_name} {user.last_name}",
        },
        "_links": {
            "app": _href(base, app_path),
            "user": _href(base, f"/api/v1/users/{user.id}"),
            "self": _href(base, f"{app_path}/users/{user.id}"),
        },
    }
    if expand:
        body["_embedded"] = {"user": user_json(user, base)}
    return body


def group_json(group: OktaGroup, base: str, app_id: str | None = None) -> dict[str, Any]:
    """A group; an `APP_GROUP` (pushed to the app `app_id`) links its source (SPEC#GroupLinks)."""
    links = {
        "self": _href(base, f"/api/v1/groups/{group.id}"),
        "users": _href(base, f"/api/v1/groups/{group.id}/users"),
    }
    if group.type == "APP_GROUP" and app_id is not None:
        links["source"] = _href(base, f"/api/v1/apps/{app_id}")
    return {
        "id": group.id,
        "created": iso(group.created),
        "lastUpdated": iso(group.created),
        "lastMembershipUpdated": iso(group.created),
        "objectClass": ["okta:user_group"],
        "type": group.type,
        "profile": {"name": group.name, "description": group.description},
        "_links": links,
    }


def group_assignment_json(
    org: OktaOrg, assignment: GroupAssignment, base: str, expand: bool
) -> dict[str, Any]:
    app_path = f"/api/v1/apps/{org.app.id}"
    body: dict[str, Any] = {
        "id": assignment.group_id,
        "priority": assignment.priority,
        "lastUpdated": iso(assignment.last_updated),
        "profile": {},
        "_links": {
            "app": _href(base, app_path),
            "self": _href(base, f"{app_path}/groups/{assignment.group_id}"),
            "group": _href(base, f"/api/v1/groups/{assignment.group_id}"),
        },
    }
    if expand:
        body["_embedded"] = {"group": group_json(org.groups[assignment.group_id], base, org.app.id)}
    return body


def mapping_json(org: OktaOrg, mapping: PushMapping, base: str) -> dict[str, Any]:
    return {
        "id": mapping.id,
        "sourceGroupId": mapping.source_group_id,
        "targetGroupId": mapping.target_group_id,
        "status": mapping.status,
        "errorSummary": mapping.error_summary,
        "lastPush": iso(mapping.last_push),
        "created": iso(mapping.created),
        "lastUpdated": iso(mapping.last_updated),
        "_links": {
            "app": _href(base, f"/api/v1/apps/{org.app.id}"),
            "sourceGroup": _href(base, f"/api/v1/groups/{mapping.source_group_id}"),
            "targetGroup": _href(base, f"/api/v1/groups/{mapping.target_group_id}"),
        },
    }


def log_json(org: OktaOrg, event: LogEvent) -> dict[str, Any]:
    return {
        "uuid": event.uuid,
        "published": iso(event.published),
        "eventType": event.event_type,
        "legacyEventType": event.legacy_event_type,
        "version": "0",
        "severity": event.severity,
        "displayMessage": event.display_message,
        "outcome": {"result": event.result, "reason": event.reason},
        "actor": {
            "id": org.admin_id,
            "type": "User",
            "alternateId": "admin@example.com",
            "displayName": "Sandbox Admin",
            "detailEntry": None,
        },
        "target": event.targets,
        "client": {
            "userAgent": None,
            "zone": None,
            "device": None,
            "id": None,
            "ipAddress": None,
            "geographicalContext": None,
        },
        "authenticationContext": {
            "authenticationProvider": None,
            "credentialProvider": None,
            "credentialType": None,
            "issuer": None,
            "interface": None,
            "authenticationStep": 0,
            "externalSessionId": None,
        },
        "transaction": {"type": "JOB", "id": event.uuid, "detail": {}},
        "debugContext": {"debugData": {"appname": org.app.name}},
        "securityContext": {
            "asNumber": None,
            "asOrg": None,
            "isp": None,
            "domain": None,
            "isProxy": None,
        },
        "request": {"ipChain": []},
    }
