"""The organization Public API (`src/Api/AdminConsole/Public`), reference sections 3.2–3.5.

Under `/api/public/…` with a bearer token from the identity endpoint (header, or the
`access_token` query parameter). No token → 401 with `WWW-Authenticate: Bearer`; a token without
`api.organization` → 403; both with empty bodies. Lists are `{"object":"list","data":[…]}` with no
paging (the whole organization; the serialized member list is cached per state version). Unknown
ids are a bare 404; errors are the `{"object":"error","message","errors"}` envelope.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

from app.sandbox import aspnet
from app.sandbox.aspnet import has_prop, prop
from app.sandbox.json_cache import dumps
from app.sandbox.router import BadJsonError, Mount, Request, Response, Router
from app.sandbox.state import (
    OWNER_REQUIRED,
    PERMISSION_KEYS,
    CollectionAccess,
    Group,
    Member,
    MemberStatus,
    MemberType,
    SandboxState,
    Token,
    new_id,
    utcnow,
)

PREFIX = "/api"
ORG_SCOPE = "api.organization"
MODEL_STATE_INVALID = "The request's model state is invalid."
CUSTOM_PERMISSIONS_ONLY = "Only users with the Custom role may use custom permissions."
#: `[StrictEmailAddress]`, close enough: one @, no spaces, a dot in the domain.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ApiError(Exception):
    """A `BadRequestException` & co. that `ExceptionHandlerFilterAttribute` (publicApi) renders."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


class _NotFound(Exception):  # noqa: N818 - the controllers' `NotFound()` result, not a fault
    """No member or group with the id in the path: the controllers answer an empty 404."""


def error_envelope(
    status: int, message: str, errors: dict[str, list[str]] | None = None
) -> Response:
    return Response.json(status, {"object": "error", "message": message, "errors": errors})


def _model_state(errors: dict[str, list[str]]) -> ApiError:
    return ApiError(400, MODEL_STATE_INVALID, errors)


def _on_error(request: Request, error: BaseException) -> Response:
    if isinstance(error, ApiError):
        return error_envelope(error.status, error.message, error.errors)
    return error_envelope(500, "An unhandled server error has occurred.")


def _guid_param(request: Request, name: str = "item_id") -> str:
    raw = request.params[name]
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise _model_state({name_for(name): [f"The value '{raw}' is not valid."]}) from None


def name_for(param: str) -> str:
    return "id" if param == "item_id" else param


def _body(request: Request) -> dict[str, Any]:
    """The JSON body of a `[FromBody]` model, with the API's model-state answers."""
    if not aspnet.is_json_media(request):
        raise ApiError(415, "")
    if not request.body.strip():
        raise _model_state({"": ["Body is empty."]})
    try:
        body = request.json()
    except BadJsonError as error:
        raise _model_state({"$": [f"The JSON value could not be parsed: {error}"]}) from None
    if not isinstance(body, dict):
        raise _model_state({"$": ["The JSON value could not be converted to the request model."]})
    return body


def _collections_json(collections: list[CollectionAccess]) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "readOnly": c.read_only, "hidePasswords": c.hide_passwords, "manage": c.manage}
        for c in collections
    ]


def _parse_collections(value: Any) -> list[CollectionAccess]:
    result: list[CollectionAccess] = []
    for entry in value if isinstance(value, list) else []:
        try:
            collection_id = str(uuid.UUID(str(prop(entry, "id"))))
        except ValueError:
            raise _model_state({"Collections": ["The Id field is required."]}) from None
        result.append(
            CollectionAccess(
                collection_id,
                read_only=bool(prop(entry, "readOnly")),
                hide_passwords=bool(prop(entry, "hidePasswords")),
                manage=bool(prop(entry, "manage")),
            )
        )
    return result


def _guid_list(value: Any, field: str) -> list[str]:
    result: list[str] = []
    for entry in value if isinstance(value, list) else []:
        try:
            result.append(str(uuid.UUID(str(entry))))
        except ValueError:
            raise _model_state({field: [f"The value '{entry}' is not valid."]}) from None
    return result


def _json_str(value: str) -> str:
    return encode_basestring(value)


def _json_or_null(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


class PublicApi:
    """The members and groups controllers."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    # ------------------------------------------------------------------ auth
    def token_of(self, request: Request) -> Token | None:
        value: str | None = None
        authorization = request.header("Authorization") or ""
        if authorization[:7].lower() == "bearer ":
            value = authorization[7:].strip()
        if not value:
            value = request.query_value("access_token")
        return self.state.lookup_token(value) if value else None

    def guarded(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            token = self.token_of(request)
            if token is None:
                challenge = "Bearer"
                if request.header("Authorization"):
                    challenge = 'Bearer error="invalid_token"'
                return Response.empty(401, [("WWW-Authenticate", challenge)])
            if token.scope != ORG_SCOPE or token.subject != self.state.organization.id:
                return Response.empty(403)
            try:
                return handler(request)
            except _NotFound:
                return Response.empty(404)

        return run

    # ------------------------------------------------------------------ members
    def member_json(self, member: Member, *, from_request: bool = False) -> dict[str, Any]:
        """`MemberResponseModel` (call under the state lock); a POST answers from the request."""
        account = self.state.accounts.get(member.user_id) if member.user_id else None
        linked = account is not None and not from_request
        return {
            "object": "member",
            "id": member.id,
            "userId": member.user_id if linked else None,
            "name": account.name if linked and account else None,
            "email": account.email if account else member.email,
            "twoFactorEnabled": account.two_factor_enabled if linked and account else False,
            "status": int(member.status),
            "collections": _collections_json(member.collections),
            "resetPasswordEnrolled": member.reset_password_enrolled,
            "ssoExternalId": None,
            "type": int(member.type),
            "externalId": member.external_id,
            "permissions": self._permissions(member),
        }

    @staticmethod
    def _permissions(member: Member) -> dict[str, bool] | None:
        if member.type != MemberType.CUSTOM:
            return None
        granted = member.permissions or {}
        return {key: bool(granted.get(key, False)) for key in PERMISSION_KEYS}

    def _member(self, request: Request) -> Member:
        """The member the path names (`_NotFound` when there is none: an empty 404)."""
        member = self.state.members.get(_guid_param(request))
        if member is None:
            raise _NotFound()
        return member

    def member_fragment(self, member: Member) -> bytes:
        """`member_json(member)` serialized, written directly: twice as fast for big lists.

        A test checks that it decodes to exactly `member_json(member)` for every kind of member.
        """
        account = self.state.accounts.get(member.user_id) if member.user_id else None
        if account is None:
            user_id, name, email, two_factor = "null", "null", _json_str(member.email), "false"
        else:
            user_id = _json_str(account.id)
            name = _json_or_null(account.name)
            email = _json_str(account.email)
            two_factor = "true" if account.two_factor_enabled else "false"
        collections = (
            dumps(_collections_json(member.collections)).decode() if member.collections else "[]"
        )
        permissions = self._permissions(member)
        return (
            f'{{"object":"member","id":"{member.id}","userId":{user_id},"name":{name},'
            f'"email":{email},"twoFactorEnabled":{two_factor},"status":{int(member.status)},'
            f'"collections":{collections},'
            f'"resetPasswordEnrolled":{"true" if member.reset_password_enrolled else "false"},'
            f'"ssoExternalId":null,"type":{int(member.type)},'
            f'"externalId":{_json_or_null(member.external_id)},'
            f'"permissions":{"null" if permissions is None else dumps(permissions).decode()}}}'
        ).encode()

    def list_members(self, request: Request) -> Response:
        state = self.state

        def build() -> bytes:
            fragments = [self.member_fragment(m) for m in state.members.values()]
            return b'{"object":"list","data":[' + b",".join(fragments) + b"]}"

        with state.lock:
            body: bytes = state.cached("public.members", build)
        return Response.raw_json(200, body)

    def get_member(self, request: Request) -> Response:
        with self.state.lock:
            member = self._member(request)
            return Response.json(200, self.member_json(member))

    def _validate_member_body(self, body: dict[str, Any], *, create: bool) -> None:
        errors: dict[str, list[str]] = {}
        if create:
            email = prop(body, "email")
            if not isinstance(email, str) or not email.strip():
                errors["Email"] = ["The Email field is required."]
            elif len(email) > 256:
                errors["Email"] = ["The field Email must be a string with a maximum length of 256."]
            elif not _EMAIL.match(email):
                errors["Email"] = ["The Email field is not a supported e-mail address format."]
        member_type = prop(body, "type")
        if member_type is None:
            errors["Type"] = ["The Type field is required."]
        elif not isinstance(member_type, int) or member_type not in {t.value for t in MemberType}:
            errors["Type"] = [f"The value '{member_type}' is not valid for Type."]
        external_id = prop(body, "externalId")
        if isinstance(external_id, str) and len(external_id) > 300:
            errors["ExternalId"] = [
                "The field ExternalId must be a string with a maximum length of 300."
            ]
        if errors:
            raise _model_state(errors)
        if prop(body, "permissions") is not None and member_type != MemberType.CUSTOM:
            # `IValidatableObject.Validate` (runs once the fields are valid): no member name, so "".
            raise _model_state({"": [CUSTOM_PERMISSIONS_ONLY]})

    def post_member(self, request: Request) -> Response:
        body = _body(request)
        self._validate_member_body(body, create=True)
        state = self.state
        email = str(prop(body, "email")).strip().lower()
        group_ids = _guid_list(prop(body, "groups"), "Groups")
        with state.lock:
            if state.member_by_email(email) is not None:
                raise ApiError(400, "This user has already been invited.")
            organization = state.organization
            if organization.seats is not None and len(state.members) >= organization.seats:
                raise ApiError(400, "Seat limit has been reached.")
            member = Member(
                id=new_id(),
                email=email,
                type=MemberType(prop(body, "type")),
                status=MemberStatus.INVITED,
                external_id=prop(body, "externalId"),
                collections=_parse_collections(prop(body, "collections")),
                permissions=prop(body, "permissions"),
            )
            for group_id in group_ids:
                group = state.groups.get(group_id)
                if group is not None:
                    group.member_ids.append(member.id)
        state.add_member(member)
        with state.lock:
            return Response.json(200, self.member_json(member, from_request=True))

    def put_member(self, request: Request) -> Response:
        state = self.state
        # Model binding and validation run before the action looks the id up (an invalid body to
        # an unknown id is a 400, not a 404).
        body = _body(request)
        self._validate_member_body(body, create=False)
        group_ids = _guid_list(prop(body, "groups"), "Groups") if has_prop(body, "groups") else None
        with state.lock:
            member = self._member(request)
        with state.lock:
            new_type = MemberType(prop(body, "type"))
            if new_type != MemberType.OWNER and state.is_last_confirmed_owner(member):
                raise ApiError(400, OWNER_REQUIRED)
            member.type = new_type
            member.external_id = prop(body, "externalId")
            member.collections = _parse_collections(prop(body, "collections"))
            if prop(body, "permissions") is not None:
                member.permissions = prop(body, "permissions")
            if group_ids is not None:
                self._set_member_groups(member, group_ids)
            member.revision = utcnow()
            state.touch()
            return Response.json(200, self.member_json(member))

    def _set_member_groups(self, member: Member, group_ids: list[str]) -> None:
        for group in self.state.groups.values():
            if group.id in group_ids and member.id not in group.member_ids:
                group.member_ids.append(member.id)
            elif group.id not in group_ids and member.id in group.member_ids:
                group.member_ids.remove(member.id)
        self.state.touch()

    def delete_member(self, request: Request) -> Response:
        with self.state.lock:
            member = self._member(request)
            if self.state.is_last_confirmed_owner(member):
                raise ApiError(400, OWNER_REQUIRED)
            self.state.remove(member)
        return Response.empty(200)

    def reinvite(self, request: Request) -> Response:
        state = self.state
        with state.lock:
            member = self._member(request)
            if member.status != MemberStatus.INVITED:
                raise ApiError(400, "User invalid.")
            member.invited_at = utcnow()
        state.announce_invitation(member)
        return Response.empty(200)

    def revoke(self, request: Request) -> Response:
        with self.state.lock:
            member = self._member(request)
            if member.status == MemberStatus.REVOKED:
                raise ApiError(400, "Already revoked.")
            if self.state.is_last_confirmed_owner(member):
                raise ApiError(400, OWNER_REQUIRED)
            self.state.revoke(member)
        return Response.empty(200)

    def restore(self, request: Request) -> Response:
        with self.state.lock:
            member = self._member(request)
            if member.status != MemberStatus.REVOKED:
                raise ApiError(400, "Already active.")
            self.state.restore(member)
        return Response.empty(200)

    def get_group_ids(self, request: Request) -> Response:
        with self.state.lock:
            member = self._member(request)
            return Response.json(200, self.state.groups_of(member.id))

    def put_group_ids(self, request: Request) -> Response:
        body = _body(request)  # validated before the lookup, as model binding does
        group_ids = _guid_list(prop(body, "groupIds"), "GroupIds")
        with self.state.lock:
            member = self._member(request)
        with self.state.lock:
            self._set_member_groups(member, group_ids)
        return Response.empty(200)

    # ------------------------------------------------------------------ groups
    @staticmethod
    def group_json(group: Group) -> dict[str, Any]:
        return {
            "object": "group",
            "id": group.id,
            "name": group.name,
            "externalId": group.external_id,
            "collections": _collections_json(group.collections),
        }

    def _group(self, request: Request) -> Group:
        """The group the path names (`_NotFound` when there is none: an empty 404)."""
        group = self.state.groups.get(_guid_param(request))
        if group is None:
            raise _NotFound()
        return group

    def list_groups(self, request: Request) -> Response:
        with self.state.lock:
            data = [self.group_json(g) for g in self.state.groups.values()]
        return Response.json(200, {"object": "list", "data": data})

    def get_group(self, request: Request) -> Response:
        with self.state.lock:
            group = self._group(request)
            return Response.json(200, self.group_json(group))

    @staticmethod
    def _validate_group_body(body: dict[str, Any]) -> None:
        name = prop(body, "name")
        errors: dict[str, list[str]] = {}
        if not isinstance(name, str) or not name.strip():
            errors["Name"] = ["The Name field is required."]
        elif len(name) > 100:
            errors["Name"] = ["The field Name must be a string with a maximum length of 100."]
        external_id = prop(body, "externalId")
        if isinstance(external_id, str) and len(external_id) > 300:
            errors["ExternalId"] = [
                "The field ExternalId must be a string with a maximum length of 300."
            ]
        if errors:
            raise _model_state(errors)

    def post_group(self, request: Request) -> Response:
        body = _body(request)
        self._validate_group_body(body)
        with self.state.lock:
            group = Group(
                id=new_id(),
                name=str(prop(body, "name")),
                external_id=prop(body, "externalId"),
                collections=_parse_collections(prop(body, "collections")),
            )
            self.state.groups[group.id] = group
            self.state.touch()
            return Response.json(200, self.group_json(group))

    def put_group(self, request: Request) -> Response:
        body = _body(request)  # validated before the lookup, as model binding does
        self._validate_group_body(body)
        with self.state.lock:
            group = self._group(request)
        with self.state.lock:
            group.name = str(prop(body, "name"))
            group.external_id = prop(body, "externalId")
            group.collections = _parse_collections(prop(body, "collections"))
            group.revised = utcnow()
            self.state.touch()
            return Response.json(200, self.group_json(group))

    def delete_group(self, request: Request) -> Response:
        with self.state.lock:
            group = self._group(request)
            del self.state.groups[group.id]
            self.state.touch()
        return Response.empty(200)

    def get_member_ids(self, request: Request) -> Response:
        with self.state.lock:
            group = self._group(request)
            return Response.json(200, list(group.member_ids))

    def put_member_ids(self, request: Request) -> Response:
        body = _body(request)  # validated before the lookup, as model binding does
        member_ids = _guid_list(prop(body, "memberIds"), "MemberIds")
        with self.state.lock:
            group = self._group(request)
        with self.state.lock:
            group.member_ids = [m for m in dict.fromkeys(member_ids) if m in self.state.members]
            group.revised = utcnow()
            self.state.touch()
        return Response.empty(200)


def _unsupported_media(request: Request, response: Response) -> Response:
    """`ApiError(415)` is the media-type filter's bare 415, not an envelope."""
    if response.status == 415:
        return Response.empty(415)
    return response


def register(router: Router, state: SandboxState) -> None:
    """Mount the API app under `/api` (shared with the vault's client API) and the Public API."""
    router.mount(
        Mount(PREFIX, on_error=_on_error, after=[_unsupported_media, aspnet.security_headers])
    )
    api = PublicApi(state)
    members = PREFIX + "/public/members"
    groups = PREFIX + "/public/groups"
    guard = api.guarded
    router.get(members, guard(api.list_members))
    router.post(members, guard(api.post_member))
    router.get(members + "/{item_id}", guard(api.get_member))
    router.put(members + "/{item_id}", guard(api.put_member))
    router.delete(members + "/{item_id}", guard(api.delete_member))
    router.post(members + "/{item_id}/reinvite", guard(api.reinvite))
    router.post(members + "/{item_id}/revoke", guard(api.revoke))
    router.post(members + "/{item_id}/restore", guard(api.restore))
    router.get(members + "/{item_id}/group-ids", guard(api.get_group_ids))
    router.put(members + "/{item_id}/group-ids", guard(api.put_group_ids))
    router.get(groups, guard(api.list_groups))
    router.post(groups, guard(api.post_group))
    router.get(groups + "/{item_id}", guard(api.get_group))
    router.put(groups + "/{item_id}", guard(api.put_group))
    router.delete(groups + "/{item_id}", guard(api.delete_group))
    router.get(groups + "/{item_id}/member-ids", guard(api.get_member_ids))
    router.put(groups + "/{item_id}/member-ids", guard(api.put_member_ids))
