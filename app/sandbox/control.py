"""Control endpoints, sandbox only (tests and the demo): play the invited person, dump the state.

`POST /_sandbox/members/{id}/accept` does what the person does when they follow the invitation link
and create their account: the member becomes Accepted and gets an account with an RSA key pair.
`GET /_sandbox/state` dumps the organization (no secrets) for tests and debugging.
`GET|POST /_sandbox/scim-config` reads or changes the SCIM connection config
(`{"enabled", "inviteUsersAfterProvisioning"}`): with invitations off, SCIM stages new members.
"""

from __future__ import annotations

from typing import Any

from app.sandbox.router import BadJsonError, Mount, Request, Response, Router
from app.sandbox.state import Group, Member, MemberStatus, SandboxState

PREFIX = "/_sandbox"


def _fallback(request: Request, status: int) -> Response:
    return Response.json(status, {"error": "not found" if status == 404 else "method not allowed"})


def _crash(request: Request, error: BaseException) -> Response:
    return Response.json(500, {"error": "internal error"})


def register(router: Router, state: SandboxState) -> None:
    router.mount(Mount(PREFIX, fallback=_fallback, on_error=_crash))

    def accept(request: Request) -> Response:
        name: str | None = None
        if request.body.strip():
            try:
                body = request.json()
            except BadJsonError:
                return Response.json(400, {"error": "the body is not JSON"})
            if isinstance(body, dict) and isinstance(body.get("name"), str):
                name = body["name"]
        with state.lock:
            member = state.members.get(request.params["member_id"].lower())
            if member is None:
                return Response.json(404, {"error": "no such member"})
            if member.status != MemberStatus.INVITED:
                return Response.json(
                    409, {"error": f"the member is {member.status.name.lower()}, not invited"}
                )
            state.accept(member, name)
            return Response.json(200, member_dump(state, member))

    def dump(request: Request) -> Response:
        with state.lock:
            return Response.json(200, state_dump(state))

    def scim_config(request: Request) -> Response:
        """The organization's SCIM connection config (`ScimConfig`); POST changes the fields given.

        `inviteUsersAfterProvisioning: false` makes SCIM-created members Staged (no e-mail, no
        seat) instead of Invited, as the server does with the staged-status feature on.
        """
        if request.method == "POST":
            try:
                body = request.json()
            except BadJsonError:
                return Response.json(400, {"error": "the body is not JSON"})
            if not isinstance(body, dict):
                return Response.json(400, {"error": "the body must be a JSON object"})
            invite = body.get("inviteUsersAfterProvisioning")
            enabled = body.get("enabled")
            if invite is not None and not isinstance(invite, bool):
                return Response.json(400, {"error": "inviteUsersAfterProvisioning: true or false"})
            if enabled is not None and not isinstance(enabled, bool):
                return Response.json(400, {"error": "enabled: true or false"})
            with state.lock:
                if invite is not None:
                    state.organization.invite_users_after_provisioning = invite
                if enabled is not None:
                    state.organization.scim_enabled = enabled
                state.touch()
        with state.lock:
            organization = state.organization
            return Response.json(
                200,
                {
                    "enabled": organization.scim_enabled,
                    "inviteUsersAfterProvisioning": organization.invite_users_after_provisioning,
                },
            )

    router.post(PREFIX + "/members/{member_id}/accept", accept)
    router.get(PREFIX + "/state", dump)
    router.get(PREFIX + "/scim-config", scim_config)
    router.post(PREFIX + "/scim-config", scim_config)


def member_dump(state: SandboxState, member: Member) -> dict[str, Any]:
    return {
        "id": member.id,
        "userId": member.user_id,
        "email": state.member_email(member),
        "name": state.member_name(member),
        "status": int(member.status),
        "type": int(member.type),
        "externalId": member.external_id,
        "twoFactorEnabled": state.two_factor_enabled(member),
        "groups": state.groups_of(member.id),
        "collections": [c.id for c in member.collections],
        "invitedAt": member.invited_at.isoformat(),
        "acceptedAt": member.accepted_at.isoformat() if member.accepted_at else None,
    }


def _group_dump(group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "externalId": group.external_id,
        "memberIds": list(group.member_ids),
    }


def state_dump(state: SandboxState) -> dict[str, Any]:
    """The organization without secrets: what tests compare against."""
    with state.lock:
        organization = state.organization
        return {
            "version": state.version,
            "organization": {
                "id": organization.id,
                "name": organization.name,
                "enabled": organization.enabled,
                "useScim": organization.use_scim,
                "scimEnabled": organization.scim_enabled,
                "inviteUsersAfterProvisioning": organization.invite_users_after_provisioning,
            },
            "admin": {"userId": state.admin.id, "email": state.admin.email},
            "members": [member_dump(state, m) for m in state.members.values()],
            "groups": [_group_dump(g) for g in state.groups.values()],
        }
