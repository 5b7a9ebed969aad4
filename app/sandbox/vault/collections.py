"""Organization collections as clients read them: names encrypted with the organization key.

The server stores a collection's name as the client sent it, an EncString type 2 under the
organization key, and never sees the plain name; so a member whose stored org key is wrong cannot
read any name (the official CLI shows `[error: cannot decrypt]`). That makes a collection the
member-side proof that a confirmation encrypted the right key to the right member.

- `GET /api/collections`: the caller's collections in every organization where they are
  Confirmed (`CollectionDetailsResponseModel`: with `readOnly`, `hidePasswords`, `manage`); the
  same list is the sync's `collections`.
- `GET /api/organizations/{orgId}/collections`: every collection of the organization for those
  who may read them all (owner, admin, custom with edit/delete any collection); others get only
  the ones they manage (`CollectionsController.Get`).
"""

from __future__ import annotations

from typing import Any

from app.sandbox.router import Request, Response, Router
from app.sandbox.state import Account, Collection, CollectionAccess, MemberStatus, MemberType
from app.sandbox.vault.accounts import VaultAccounts, error_response, unauthorized

#: `CollectionType.SharedCollection` (1 is the "My items" default collection).
SHARED_COLLECTION = 0


def register(router: Router, vault: VaultAccounts) -> None:
    state = vault.state

    def user_collections(request: Request) -> Response:
        account = vault.authenticate(request)
        if account is None:
            return unauthorized()
        rows = readable_collections(vault, account)
        return Response.json(200, {"data": rows, "continuationToken": None, "object": "list"})

    def organization_collections(request: Request) -> Response:
        account = vault.authenticate(request)
        if account is None:
            return unauthorized()
        member = vault.membership(account)
        org_id = request.params["org_id"].lower()
        if (
            member is None
            or member.status != MemberStatus.CONFIRMED
            or org_id != state.organization.id.lower()
        ):
            return error_response("Resource not found.", 404)
        if _reads_all(member.type, member.permissions):
            with state.lock:
                chosen = list(state.collections.values())
        else:
            chosen = [c for c, access in _access_of(vault, account) if access.manage]
        rows = [collection_body(vault, c) for c in chosen]
        return Response.json(200, {"data": rows, "continuationToken": None, "object": "list"})

    router.get("/api/collections", user_collections)
    router.get("/api/organizations/{org_id}/collections", organization_collections)


def readable_collections(vault: VaultAccounts, account: Account) -> list[dict[str, Any]]:
    """`CollectionDetailsResponseModel` rows of what the account can read (confirmed only)."""
    rows = []
    for collection, access in _access_of(vault, account):
        body = collection_body(vault, collection)
        body.update(
            {
                "readOnly": access.read_only,
                "hidePasswords": access.hide_passwords,
                "manage": access.manage,
                "object": "collectionDetails",
            }
        )
        rows.append(body)
    return rows


def collection_body(vault: VaultAccounts, collection: Collection) -> dict[str, Any]:
    """`CollectionResponseModel`: the name as stored, encrypted with the organization key."""
    return {
        "id": collection.id,
        "organizationId": vault.state.organization.id,
        "name": vault.collection_name(collection),
        "externalId": collection.external_id,
        "type": SHARED_COLLECTION,
        "defaultUserCollectionEmail": None,
        "object": "collection",
    }


def _access_of(vault: VaultAccounts, account: Account) -> list[tuple[Collection, CollectionAccess]]:
    """The collections a confirmed member reaches (directly, through groups, or `everyone`),
    each with the most generous access of those routes, as the server merges them."""
    state = vault.state
    member = vault.membership(account)
    if member is None or member.status != MemberStatus.CONFIRMED:
        return []
    with state.lock:
        grants = list(member.collections)
        for group in state.groups.values():
            if member.id in group.member_ids:
                grants.extend(group.collections)
        merged: dict[str, CollectionAccess] = {}
        for collection in state.collections.values():
            if collection.everyone:
                merged[collection.id] = CollectionAccess(collection.id, read_only=True)
        for grant in grants:
            if grant.id not in state.collections:
                continue
            known = merged.get(grant.id)
            merged[grant.id] = (
                grant
                if known is None
                else CollectionAccess(
                    grant.id,
                    read_only=known.read_only and grant.read_only,
                    hide_passwords=known.hide_passwords and grant.hide_passwords,
                    manage=known.manage or grant.manage,
                )
            )
        return [(state.collections[cid], access) for cid, access in merged.items()]


def _reads_all(member_type: MemberType, permissions: dict[str, bool] | None) -> bool:
    """`CollectionOperations.ReadAll`: owners, admins, custom with edit/delete any collection."""
    if member_type in (MemberType.OWNER, MemberType.ADMIN):
        return True
    granted = permissions or {}
    return member_type == MemberType.CUSTOM and bool(
        granted.get("editAnyCollection") or granted.get("deleteAnyCollection")
    )
