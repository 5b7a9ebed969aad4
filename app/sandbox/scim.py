"""Bitwarden's SCIM 2.0 app (`bitwarden_license/src/Scim`), reference sections 2.1–2.9.

Served under `/scim` as a self-hosted nginx publishes it (the prefix is stripped, so the app's own
routes are `/v2/{organizationId}/users|groups`, plus the anonymous `/alive` and `/now`). Every quirk
of section 2.9 is reproduced, including the ones that differ from RFC 7644: lower-case `resources`,
integer error `status`, `itemsPerPage` echoing the requested count, unsupported filters answered
with an empty list, and no discovery endpoints.
"""

from __future__ import annotations

import secrets
import string
import uuid
from collections.abc import Callable
from typing import Any

from app.sandbox import aspnet
from app.sandbox.aspnet import has_prop, prop
from app.sandbox.router import BadJsonError, Mount, Request, Response, Router
from app.sandbox.state import (
    OWNER_REQUIRED,
    Group,
    Member,
    MemberStatus,
    MemberType,
    SandboxState,
    new_id,
    utcnow,
)

PREFIX = "/scim"
SCIM_JSON = "application/scim+json; charset=utf-8"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"

BAD_REQUEST_DEFAULT = "Exception of type 'Bit.Core.Exceptions.BadRequestException' was thrown."
NOT_FOUND_DEFAULT = "Exception of type 'Bit.Core.Exceptions.NotFoundException' was thrown."
#: What .NET says when a controller dereferences the null model an unreadable body binds to.
NULL_REFERENCE = "Object reference not set to an instance of an object."


class ScimError(Exception):
    """An exception the SCIM `ExceptionHandlerFilterAttribute` turns into an error body."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _error_response(request: Request, status: int, detail: str) -> Response:
    """The exception filter's answer (content type negotiated: `[Produces]` does not apply)."""
    body = {"schemas": [ERROR_URN], "detail": detail, "status": status}
    return Response.json(status, body, aspnet.negotiated_json(request))


def _object_result(status: int, detail: str) -> Response:
    """An explicit `NotFoundObjectResult`/`BadRequestObjectResult`, which `[Produces]` does type."""
    return Response.json(
        status, {"schemas": [ERROR_URN], "status": status, "detail": detail}, SCIM_JSON
    )


def _on_error(request: Request, error: BaseException) -> Response:
    if isinstance(error, ScimError):
        return _error_response(request, error.status, error.detail)
    if isinstance(error, BadJsonError | AttributeError | TypeError | KeyError):
        return _error_response(request, 500, NULL_REFERENCE)
    return _error_response(request, 500, "An error occurred while processing the request.")


def _random_external_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(15))


def _parse_guid(text: str) -> str | None:
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        return None


def _int_param(request: Request, name: str, default: int) -> int:
    """Bound as an `int`; a value that does not parse keeps the default (no model-state filter)."""
    raw = request.query_value(name)
    if raw is None:
        return default
    try:
        return int(raw.strip())
    except ValueError:
        return default


class ScimApp:
    """The SCIM controllers of one organization's sandbox."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    # ------------------------------------------------------------------ auth
    def authenticated(self, request: Request) -> bool:
        """Every failure is the same 401 with an empty body (reference 2.1)."""
        organization = self.state.organization
        if _parse_guid(request.params.get("org_id", "")) != organization.id:
            return False
        values = request.header_values("Authorization")
        if len(values) != 1:
            return False
        key = values[0]
        if key.startswith("Bearer "):
            key = key[len("Bearer ") :]
        if not (organization.enabled and organization.use_scim and organization.scim_enabled):
            return False
        return secrets.compare_digest(
            key.encode("utf-8", "surrogateescape"),
            organization.scim_key.get_secret_value().encode(),
        )

    def guarded(
        self, handler: Callable[[Request], Response], *, body: bool = False
    ) -> Callable[[Request], Response]:
        """Authentication, then (for actions with a `[FromBody]` model) the media-type check."""

        def run(request: Request) -> Response:
            if not self.authenticated(request):
                return Response.empty(401)
            if body and not aspnet.is_json_media(request):
                return aspnet.unsupported_media_type()
            return handler(request)

        return run

    # ------------------------------------------------------------------ users
    def user_json(self, member: Member) -> dict[str, Any]:
        state = self.state
        email = state.member_email(member)
        name = state.member_name(member)
        return {
            "schemas": [USER_URN],
            "id": member.id,
            "externalId": member.external_id,
            "userName": email,
            "name": {"formatted": name, "givenName": None, "middleName": None, "familyName": None},
            "emails": [{"primary": True, "value": email, "type": "work"}],
            "primaryEmail": email,
            "workEmail": email,
            "displayName": name,
            "active": member.status != MemberStatus.REVOKED,
            "groups": [],
            "meta": {"resourceType": "User", "created": None, "lastModified": None},
        }

    def _member(self, request: Request) -> Member:
        member_id = _parse_guid(request.params["item_id"]) or str(uuid.UUID(int=0))
        member = self.state.members.get(member_id)
        if member is None:
            raise ScimError(404, "User not found.")
        return member

    def _sorted_members(self) -> list[Member]:
        state = self.state

        def build() -> list[Member]:
            return sorted(state.members.values(), key=lambda m: state.member_email(m).lower())

        result: list[Member] = state.cached("scim.users.sorted", build)
        return result

    def list_users(self, request: Request) -> Response:
        filter_text = request.query_value("filter") or ""
        count = _int_param(request, "count", 50)
        start_index = _int_param(request, "startIndex", 1)
        with self.state.lock:
            if filter_text.strip():
                found = self._filter_users(filter_text)
                resources = [self.user_json(m) for m in found]
                total = len(resources)
            else:
                ordered = self._sorted_members()
                skip = max(start_index - 1, 0)
                page = ordered[skip : skip + count] if count > 0 else []
                resources = [self.user_json(m) for m in page]
                total = len(ordered)
        return self._list(total, start_index, count, resources)

    def _filter_users(self, filter_text: str) -> list[Member]:
        lowered = filter_text.lower()
        members = self.state.members.values()
        if lowered.startswith("username eq "):
            value = lowered[len("username eq ") :].strip('"')
            if "@" not in value:
                return []
            for member in members:
                if self.state.member_email(member).lower() == value:
                    return [member]
            return []
        if lowered.startswith("externalid eq "):
            value = filter_text[len("externalid eq ") :].strip('"')
            for member in members:
                if member.external_id == value:
                    return [member]
            return []
        return []

    @staticmethod
    def _list(total: int, start_index: int, count: int, resources: list[Any]) -> Response:
        body = {
            "schemas": [LIST_URN],
            "totalResults": total,
            "startIndex": start_index,
            "itemsPerPage": count,
            "resources": resources,
        }
        return Response.json(200, body, SCIM_JSON)

    def get_user(self, request: Request) -> Response:
        with self.state.lock:
            return Response.json(200, self.user_json(self._member(request)), SCIM_JSON)

    def post_user(self, request: Request) -> Response:
        model = request.json()
        _require_object(model)
        email = _email_for_invite(model, azure=request.header("Adscimversion") is not None)
        active = prop(model, "active")
        if not isinstance(active, bool | None):
            raise BadJsonError("active")
        if not email or not active:
            raise ScimError(400, BAD_REQUEST_DEFAULT)
        external_id = prop(model, "externalId") or prop(model, "userName") or _random_external_id()
        state = self.state
        with state.lock:
            for member in state.members.values():
                if state.member_email(member).lower() == email or member.external_id == external_id:
                    raise ScimError(409, "Conflict.")
            organization = state.organization
            staged = not organization.invite_users_after_provisioning
            if not staged and organization.seats is not None:  # a staged member takes no seat
                occupied = sum(1 for m in state.members.values() if m.status != MemberStatus.STAGED)
                if occupied >= organization.seats:
                    raise ScimError(400, "Seat limit has been reached.")
            member = Member(
                id=new_id(),
                email=email,
                type=MemberType.USER,
                status=MemberStatus.STAGED if staged else MemberStatus.INVITED,
                external_id=str(external_id),
                invitee_name=_display_name(model),
            )
        state.add_member(member)
        with state.lock:
            response = Response.json(201, self.user_json(member), SCIM_JSON)
        response.headers.append(("Location", f"/v2/{state.organization.id}/users/{member.id}"))
        return response

    def put_user(self, request: Request) -> Response:
        state = self.state
        with state.lock:
            member_id = _parse_guid(request.params["item_id"]) or ""
            member = state.members.get(member_id)
            if member is None:
                return _object_result(404, "User not found.")
        model = request.json()
        _require_object(model)
        active = prop(model, "active")
        if active is not None and not isinstance(active, bool):
            raise BadJsonError("active")
        with state.lock:
            if active and member.status == MemberStatus.REVOKED:
                state.restore(member)
            elif not active and member.status != MemberStatus.REVOKED:
                if self.state.is_last_confirmed_owner(member):
                    return _object_result(400, f"{OWNER_REQUIRED} for user {member.id}")
                state.revoke(member)
            return Response.json(200, self.user_json(member), SCIM_JSON)

    def patch_user(self, request: Request) -> Response:
        state = self.state
        with state.lock:
            member = self._member(request)
        operations = _patch_operations(request)
        with state.lock:
            for operation in operations:
                self._patch_user_operation(member, operation)
        return Response.empty(204)

    def _patch_user_operation(self, member: Member, operation: Any) -> None:
        if str(prop(operation, "op") or "").lower() != "replace":
            return
        path = prop(operation, "path")
        value = prop(operation, "value")
        if isinstance(path, str) and path.lower() == "active":
            self._set_active(member, _dotnet_to_string(value).lower() == "true")
        elif isinstance(path, str) and path.lower() == "externalid":
            self._set_external_id(member, _dotnet_to_string(value))
        elif not path and isinstance(value, dict):
            if "active" in value:
                active = value["active"]
                if not isinstance(active, bool):
                    raise ScimError(
                        500,
                        "The requested operation requires an element of type 'True', "
                        f"but the target element has type '{_json_kind(active)}'.",
                    )
                self._set_active(member, active)
            if "externalId" in value:
                self._set_external_id(member, _dotnet_to_string(value["externalId"]))

    def _set_active(self, member: Member, active: bool) -> None:
        if active and member.status == MemberStatus.REVOKED:
            self.state.restore(member)
        elif not active and member.status != MemberStatus.REVOKED:
            if self.state.is_last_confirmed_owner(member):
                raise ScimError(400, OWNER_REQUIRED)
            self.state.revoke(member)

    def _set_external_id(self, member: Member, external_id: str) -> None:
        if len(external_id) > 300:
            raise ScimError(400, "ExternalId cannot exceed 300 characters.")
        for other in self.state.members.values():
            if (
                other.id != member.id
                and other.external_id is not None
                and other.external_id.lower() == external_id.lower()
            ):
                raise ScimError(409, "ExternalId already exists for another user.")
        member.external_id = external_id
        self.state.touch()

    def delete_user(self, request: Request) -> Response:
        with self.state.lock:
            member = self._member(request)
            if self.state.is_last_confirmed_owner(member):
                raise ScimError(400, OWNER_REQUIRED)
            self.state.remove(member)
        return Response.empty(204)

    # ------------------------------------------------------------------ groups
    def group_json(self, group: Group) -> dict[str, Any]:
        return {
            "schemas": [GROUP_URN],
            "id": group.id,
            "displayName": group.name,
            "externalId": group.external_id,
            "meta": {
                "resourceType": "Group",
                "created": aspnet.dotnet_datetime(group.created, utc_kind=False),
                "lastModified": aspnet.dotnet_datetime(group.revised, utc_kind=False),
            },
        }

    def _group(self, request: Request) -> Group:
        group_id = _parse_guid(request.params["item_id"]) or ""
        group = self.state.groups.get(group_id)
        if group is None:
            raise ScimError(404, "Group not found.")
        return group

    def list_groups(self, request: Request) -> Response:
        filter_text = request.query_value("filter") or ""
        count = _int_param(request, "count", 50)
        start_index = _int_param(request, "startIndex", 1)
        with self.state.lock:
            groups = list(self.state.groups.values())
            if filter_text.strip():
                found = _filter_groups(groups, filter_text)
                resources = [self.group_json(g) for g in found]
                total = len(resources)
            else:
                ordered = sorted(groups, key=lambda g: g.name)
                skip = max(start_index - 1, 0)
                page = ordered[skip : skip + count] if count > 0 else []
                resources = [self.group_json(g) for g in page]
                total = len(ordered)
        return self._list(total, start_index, count, resources)

    def get_group(self, request: Request) -> Response:
        with self.state.lock:
            return Response.json(200, self.group_json(self._group(request)), SCIM_JSON)

    def post_group(self, request: Request) -> Response:
        model = request.json()
        _require_object(model)
        state = self.state
        with state.lock:
            if not state.organization.use_groups:
                raise ScimError(400, "This organization cannot use groups.")
            name = prop(model, "displayName")
            if not isinstance(name, str) or not name.strip():
                raise ScimError(400, BAD_REQUEST_DEFAULT)
            external_id = prop(model, "externalId")
            if isinstance(external_id, str) and external_id.strip():
                if any(g.external_id == external_id for g in state.groups.values()):
                    raise ScimError(409, "Conflict.")
            else:
                external_id = _random_external_id()
            group = Group(id=new_id(), name=name, external_id=external_id)
            group.member_ids = self._member_ids(prop(model, "members"))
            state.groups[group.id] = group
            state.touch()
            response = Response.json(201, self.group_json(group), SCIM_JSON)
        response.headers.append(("Location", f"/v2/{state.organization.id}/groups/{group.id}"))
        return response

    def _member_ids(self, members: Any) -> list[str]:
        """`members[].value` entries that are GUIDs of this organization's users."""
        ids: list[str] = []
        for entry in members if isinstance(members, list) else []:
            guid = _parse_guid(str(prop(entry, "value") or ""))
            if guid and guid in self.state.members and guid not in ids:
                ids.append(guid)
        return ids

    def put_group(self, request: Request) -> Response:
        state = self.state
        with state.lock:
            group = self._group(request)
        model = request.json()
        _require_object(model)
        name = prop(model, "displayName")
        if not isinstance(name, str):  # `Name = null` fails at the database: a 500
            raise ScimError(500, "An error occurred while saving the entity changes.")
        with state.lock:
            group.name = name
            if has_prop(model, "members"):
                group.member_ids = self._member_ids(prop(model, "members"))
            group.revised = utcnow()
            state.touch()
            return Response.json(200, self.group_json(group), SCIM_JSON)

    def patch_group(self, request: Request) -> Response:
        state = self.state
        with state.lock:
            group = self._group(request)
        operations = _patch_operations(request)
        with state.lock:
            for operation in operations:
                self._patch_group_operation(group, operation)
            group.revised = utcnow()
            state.touch()
        return Response.empty(204)

    def _patch_group_operation(self, group: Group, operation: Any) -> None:
        op = str(prop(operation, "op") or "").lower()
        raw_path = prop(operation, "path")
        path = raw_path.lower() if isinstance(raw_path, str) else ""
        value = prop(operation, "value")
        if op == "replace":
            if path == "members":
                group.member_ids = self._member_ids(value)
            elif path == "displayname":
                group.name = _dotnet_to_string(value)
            elif path == "externalid":
                self._set_group_external_id(group, value)
            elif not path and isinstance(value, dict):
                if "displayName" in value:
                    group.name = _dotnet_to_string(value["displayName"])
                elif "externalId" in value:
                    self._set_group_external_id(group, value["externalId"])
        elif op == "add":
            if path.startswith("members[value eq "):
                guid = _path_member_id(raw_path)
                if guid and guid in self.state.members and guid not in group.member_ids:
                    group.member_ids.append(guid)
            elif path == "members":
                for guid in self._member_ids(value):
                    if guid not in group.member_ids:
                        group.member_ids.append(guid)
            elif path == "externalid":
                self._set_group_external_id(group, value)
            elif not path and isinstance(value, dict) and "externalId" in value:
                self._set_group_external_id(group, value["externalId"])
        elif op == "remove":
            if path.startswith("members[value eq "):
                guid = _path_member_id(raw_path)
                if not guid or guid not in self.state.members:
                    raise ScimError(404, NOT_FOUND_DEFAULT)
                if guid in group.member_ids:
                    group.member_ids.remove(guid)
            elif path == "members":
                for entry in value if isinstance(value, list) else []:
                    guid = _parse_guid(str(prop(entry, "value") or ""))
                    if guid in group.member_ids:
                        group.member_ids.remove(guid)

    def _set_group_external_id(self, group: Group, value: Any) -> None:
        text = _dotnet_to_string(value)
        if len(text) > 300:
            raise ScimError(400, "ExternalId cannot exceed 300 characters.")
        if not text.strip():
            group.external_id = None
            return
        for other in self.state.groups.values():
            if other.id != group.id and (other.external_id or "").lower() == text.lower():
                raise ScimError(409, "ExternalId already exists for another group.")
        group.external_id = text

    def delete_group(self, request: Request) -> Response:
        with self.state.lock:
            group = self._group(request)
            del self.state.groups[group.id]
            self.state.touch()
        return Response.empty(204)


def _require_object(model: Any) -> None:
    """A body that does not bind to the model leaves it null: the controller then throws."""
    if not isinstance(model, dict):
        raise BadJsonError("model")


def _patch_operations(request: Request) -> list[Any]:
    """A PATCH body's `Operations`, a list of objects; anything else fails as the server's null
    reference does."""
    model = request.json()
    _require_object(model)
    operations = prop(model, "operations")
    if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
        raise BadJsonError("operations")
    return operations


def _email_for_invite(model: Any, *, azure: bool) -> str | None:
    """`EmailForInvite`: primary, (Azure: userName), work, first non-blank; lower-cased."""
    emails = prop(model, "emails")
    if emails is not None and not isinstance(emails, list):
        raise BadJsonError("emails")
    entries = [e for e in emails or [] if isinstance(e, dict)]

    def value_of(entry: dict[str, Any]) -> str:
        value = prop(entry, "value")
        return value if isinstance(value, str) else ""

    for entry in entries:
        if prop(entry, "primary") is True and value_of(entry).strip():
            return value_of(entry).lower()
    user_name = prop(model, "userName")
    if azure and isinstance(user_name, str) and user_name.strip():
        return user_name.lower()
    for entry in entries:
        if prop(entry, "type") == "work" and value_of(entry).strip():
            return value_of(entry).lower()
    for entry in entries:
        if value_of(entry).strip():
            return value_of(entry).lower()
    return None


def _display_name(model: Any) -> str | None:
    """The name the invited person will likely give their account (never shown before that)."""
    display = prop(model, "displayName")
    if isinstance(display, str) and display.strip():
        return display
    name = prop(model, "name")
    formatted = prop(name, "formatted")
    if isinstance(formatted, str) and formatted.strip():
        return formatted
    parts = [prop(name, "givenName"), prop(name, "familyName")]
    joined = " ".join(p for p in parts if isinstance(p, str) and p)
    return joined or None


def _dotnet_to_string(value: Any) -> str:
    """`JsonElement.ToString()`: booleans as `True`/`False`, strings raw, others as JSON text."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value)


def _json_kind(value: Any) -> str:
    if value is None:
        return "Null"
    if isinstance(value, str):
        return "String"
    if isinstance(value, int | float):
        return "Number"
    if isinstance(value, list):
        return "Array"
    return "Object"


def _path_member_id(path: Any) -> str | None:
    """`TryGetOperationPathId`: the GUID from character 18 of `members[value eq "<guid>"]`."""
    if not isinstance(path, str):
        return None
    return _parse_guid(path[18:].replace('"]', ""))


def _filter_groups(groups: list[Group], filter_text: str) -> list[Group]:
    """Case-sensitive prefixes and values, first match only (reference 2.5)."""
    if filter_text.startswith("displayName eq "):
        value = filter_text[len("displayName eq ") :].strip('"')
        return [g for g in groups if g.name == value][:1]
    if filter_text.startswith("externalId eq "):
        value = filter_text[len("externalId eq ") :].strip('"')
        return [g for g in groups if g.external_id == value][:1]
    return []


def _now(request: Request) -> Response:
    """`InfoController`: the server's UTC time as a JSON string, anonymous."""
    return Response.json(200, aspnet.dotnet_datetime(utcnow()))


def register(router: Router, state: SandboxState) -> None:
    """Mount the SCIM app under `/scim` (self-hosted nginx strips the prefix)."""
    router.mount(Mount(PREFIX, on_error=_on_error, after=[aspnet.security_headers]))
    app = ScimApp(state)
    users = PREFIX + "/v2/{org_id}/users"
    groups = PREFIX + "/v2/{org_id}/groups"
    router.get(PREFIX + "/alive", _now)
    router.get(PREFIX + "/now", _now)
    router.get(users, app.guarded(app.list_users))
    router.post(users, app.guarded(app.post_user, body=True))
    router.get(users + "/{item_id}", app.guarded(app.get_user))
    router.put(users + "/{item_id}", app.guarded(app.put_user, body=True))
    router.patch(users + "/{item_id}", app.guarded(app.patch_user, body=True))
    router.delete(users + "/{item_id}", app.guarded(app.delete_user))
    router.get(groups, app.guarded(app.list_groups))
    router.post(groups, app.guarded(app.post_group, body=True))
    router.get(groups + "/{item_id}", app.guarded(app.get_group))
    router.put(groups + "/{item_id}", app.guarded(app.put_group, body=True))
    router.patch(groups + "/{item_id}", app.guarded(app.patch_group, body=True))
    router.delete(groups + "/{item_id}", app.guarded(app.delete_group))
