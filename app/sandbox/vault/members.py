"""Organization users as an admin's client reads and confirms them, and users' public keys.

`OrganizationUsersController` and `UsersController.GetPublicKey` in bitwarden/server. Confirming
follows `ConfirmOrganizationUserCommand`: only an Accepted member of this organization with an
account can be confirmed (else 400 "User not valid."; bulk skips such ids silently); the member
becomes Confirmed and keeps the key. The sandbox adds one check the real server cannot make,
because it also plays the member: the key must open, with the member's private key, to the
organization key (and a `defaultUserCollectionName` must open with the organization key).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.sandbox.router import BadJsonError, Request, Response, Router
from app.sandbox.state import Account, Member, MemberStatus, utcnow
from app.sandbox.vault import crypto
from app.sandbox.vault.accounts import (
    KEY_CONNECTOR,
    PASSWORD_KINDS,
    VaultAccounts,
    error_response,
    unauthorized,
)

_NOT_FOUND = "Resource not found."
#: `ExceptionHandlerFilterAttribute`'s message for an unhandled exception outside development.
SERVER_ERROR = "An error has occurred."
_USER_NOT_VALID = "User not valid."
#: The sandbox's own refusal (the real server cannot tell): named so a test log says who refused.
KEY_DOES_NOT_OPEN = (
    "Sandbox check: the key does not decrypt, with the member's private key, "
    "to the organization key."
)
COLLECTION_NAME_DOES_NOT_OPEN = (
    "Sandbox check: defaultUserCollectionName does not decrypt with the organization key."
)

AdminHandler = Callable[[Request, Account], Response]


def register(router: Router, vault: VaultAccounts) -> None:
    state = vault.state

    def as_admin(handler: AdminHandler) -> Callable[[Request], Response]:
        """`[Authorize("Application")]` + `ManageUsersRequirement` for the route's organization."""

        def guarded(request: Request) -> Response:
            account = vault.authenticate(request)
            if account is None:
                return unauthorized()
            if not vault.can_manage_users(account, request.params.get("org_id", "")):
                return error_response(_NOT_FOUND, 404)
            return handler(request, account)

        return guarded

    def list_users(request: Request, account: Account) -> Response:
        with state.lock:
            rows = [user_details(vault, m) for m in state.members.values()]
        return Response.json(200, {"data": rows, "continuationToken": None, "object": "list"})

    def get_user(request: Request, account: Account) -> Response:
        member = _member(vault, request.params["member_id"])
        if member is None:
            return error_response(_NOT_FOUND, 404)
        body = _base_fields(vault, member, "organizationUserDetails")
        body.update({"claimedByOrganization": False, "ssoExternalId": None, "collections": []})
        body["creationDate"] = _iso(member)
        if (request.query_value("includeGroups") or "").lower() == "true":
            body["groups"] = state.groups_of(member.id)
        return Response.json(200, body)

    def public_keys(request: Request, account: Account) -> Response:
        ids = _json_field(request, "ids")
        if not isinstance(ids, list):
            return error_response("The Ids field is required.")
        rows = []
        for member_id in ids:
            member = _member(vault, str(member_id))
            holder = state.account_for(member) if member else None
            # `User_ReadPublicKeysByOrganizationUserIds`: Accepted members only; others are left out
            if member is not None and holder is not None and member.status == MemberStatus.ACCEPTED:
                rows.append(
                    {
                        "id": member.id,
                        "userId": holder.id,
                        "key": crypto.b64(holder.key_pair.public_key_der),
                        "object": "organizationUserPublicKeyResponseModel",
                    }
                )
        return Response.json(200, {"data": rows, "continuationToken": None, "object": "list"})

    def confirm(request: Request, account: Account) -> Response:
        key = _json_field(request, "key")
        if not isinstance(key, str) or not key:
            return error_response("The Key field is required.")
        collection_name = _json_field(request, "defaultUserCollectionName")
        member = _member(vault, request.params["member_id"])
        if member is None or not _confirmable(vault, member):
            return error_response(_USER_NOT_VALID)
        problem = _check_keys(vault, member, key, collection_name)
        if problem is not None:
            return error_response(problem)
        _mark_confirmed(vault, member, key)
        return Response.empty(200)

    def bulk_confirm(request: Request, account: Account) -> Response:
        entries = _json_field(request, "keys")
        if not isinstance(entries, list):
            return error_response("The Keys field is required.")
        collection_name = _json_field(request, "defaultUserCollectionName")
        rows: list[dict[str, str]] = []
        fail_after = vault.take_bulk_confirm_fault()
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            if fail_after is not None and len(rows) >= fail_after:
                # a crash mid-way (the control endpoint's fault): those before it stay confirmed
                return error_response(SERVER_ERROR, 500)
            member = _member(vault, str(entry.get("id", "")))
            key = entry.get("key")
            if member is None or not isinstance(key, str) or not _confirmable(vault, member):
                continue  # the server drops ids it cannot confirm without a word
            problem = _check_keys(vault, member, key, collection_name)
            if problem is None:
                _mark_confirmed(vault, member, key)
            rows.append(
                {
                    "id": member.id,
                    "error": problem or "",
                    "object": "OrganizationBulkConfirmResponseModel",
                }
            )
        return Response.json(200, {"data": rows, "continuationToken": None, "object": "list"})

    def user_public_key(request: Request) -> Response:
        if vault.authenticate(request) is None:
            return unauthorized()
        with state.lock:
            holder = state.accounts.get(request.params["user_id"].lower())
        if holder is None:
            return error_response(_NOT_FOUND, 404)
        return Response.json(
            200,
            {
                "userId": holder.id,
                "publicKey": crypto.b64(holder.key_pair.public_key_der),
                "object": "userKey",
            },
        )

    base = "/api/organizations/{org_id}/users"
    router.get(base, as_admin(list_users))
    router.post(f"{base}/public-keys", as_admin(public_keys))
    router.post(f"{base}/confirm", as_admin(bulk_confirm))
    router.get(base + "/{member_id}", as_admin(get_user))
    router.post(base + "/{member_id}/confirm", as_admin(confirm))
    router.get("/api/users/{user_id}/public-key", user_public_key)


def user_details(vault: VaultAccounts, member: Member) -> dict[str, Any]:
    """`OrganizationUserUserDetailsResponseModel`: one row of `GET /organizations/{id}/users`."""
    body = _base_fields(vault, member, "organizationUserUserDetails")
    body.update(
        {
            "name": vault.state.member_name(member),
            "email": vault.state.member_email(member),
            "avatarColor": None,
            "twoFactorEnabled": vault.state.two_factor_enabled(member),
            "ssoBound": False,
            "claimedByOrganization": False,
            "collections": [],
            "groups": [],
            "revocationReason": None,
            "creationDate": _iso(member),
        }
    )
    return body


def _base_fields(vault: VaultAccounts, member: Member, obj: str) -> dict[str, Any]:
    """`OrganizationUserResponseModel`'s fields (`permissions` omitted when null)."""
    holder = vault.state.account_for(member)
    body: dict[str, Any] = {
        "id": member.id,
        "userId": member.user_id,
        "type": int(member.type),
        "status": int(member.status),
        "externalId": member.external_id,
        "accessSecretsManager": False,
        "accessPam": False,
        "resetPasswordEnrolled": member.reset_password_enrolled,
        "usesKeyConnector": holder is not None and vault.kind_of(holder) == KEY_CONNECTOR,
        "hasMasterPassword": holder is not None and vault.kind_of(holder) in PASSWORD_KINDS,
        "object": obj,
    }
    if member.permissions is not None:
        body["permissions"] = member.permissions
    return body


def _member(vault: VaultAccounts, member_id: str) -> Member | None:
    with vault.state.lock:
        return vault.state.members.get(member_id.lower())


def _confirmable(vault: VaultAccounts, member: Member) -> bool:
    """`u.Status == Accepted && u.OrganizationId == organizationId && u.UserId != null`."""
    return member.status == MemberStatus.ACCEPTED and vault.state.account_for(member) is not None


def _check_keys(
    vault: VaultAccounts, member: Member, key: str, collection_name: object
) -> str | None:
    """The sandbox's verification of what the admin's client encrypted; None when it is right."""
    holder = vault.state.account_for(member)
    assert holder is not None
    org_key = vault.org_key()
    if not crypto.org_key_matches(key, holder.key_pair.private_key, org_key):
        return KEY_DOES_NOT_OPEN
    if isinstance(collection_name, str) and collection_name:
        try:
            crypto.decrypt_aes(collection_name, org_key)
        except crypto.CryptoError:
            return COLLECTION_NAME_DOES_NOT_OPEN
    return None


def _mark_confirmed(vault: VaultAccounts, member: Member, key: str) -> None:
    with vault.state.lock:
        member.status = MemberStatus.CONFIRMED
        member.key = key
        member.revision = utcnow()
        vault.state.touch()


def _json_field(request: Request, name: str) -> object:
    """A top-level field of the JSON body, matched case-insensitively as ASP.NET binds it."""
    try:
        body = request.json()
    except BadJsonError:
        return None
    if not isinstance(body, dict):
        return None
    for key, value in body.items():
        if key.lower() == name.lower():
            return value
    return None


def _iso(member: Member) -> str:
    return member.invited_at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
