"""SCIM Groups: reference bitwarden-api.md 2.5, 2.6, 2.8 and 2.9 (4, 5)."""

from __future__ import annotations

from typing import Any

from app.sandbox.server import Sandbox
from tests.unit.sandbox.helpers import members_with_status, scim, state

UNKNOWN = "5d421196-8c59-485b-8926-2d6d0101e05f"


def _group(box: Sandbox, group_id: str) -> dict[str, Any]:
    return next(g for g in state(box)["groups"] if g["id"] == group_id)


def test_group_shape_has_no_members(sandbox: Sandbox) -> None:
    """2.6 / 2.9 (5): Group = schemas, id, displayName, externalId, meta; never `members`."""
    group = state(sandbox)["groups"][0]
    with scim(sandbox) as client:
        body = client.get(f"/Groups/{group['id']}").json()
    assert set(body) == {"schemas", "id", "displayName", "externalId", "meta"}
    assert body["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:Group"]
    assert body["displayName"] == group["name"]
    assert body["meta"]["resourceType"] == "Group"
    assert body["meta"]["created"][:4].isdigit()
    assert not body["meta"]["created"].endswith("Z")  # read from the database: Kind=Unspecified


def test_group_list_is_ordered_by_name_with_lower_case_resources(sandbox: Sandbox) -> None:
    """2.5 / 2.6: unfiltered groups ordered by Name; `resources`; total = all groups."""
    with scim(sandbox) as client:
        body = client.get("/Groups").json()
    names = [g["displayName"] for g in body["resources"]]
    assert names == sorted(names)
    assert body["totalResults"] == len(state(sandbox)["groups"])
    assert body["itemsPerPage"] == 50


def test_group_filters_are_case_sensitive(sandbox: Sandbox) -> None:
    """2.5: `displayName eq` / `externalId eq` prefixes and values are case-sensitive."""
    group = state(sandbox)["groups"][0]
    with scim(sandbox) as client:
        hit = client.get("/Groups", params={"filter": f'displayName eq "{group["name"]}"'}).json()
        wrong_value = client.get(
            "/Groups", params={"filter": f'displayName eq "{group["name"].upper()}"'}
        ).json()
        wrong_prefix = client.get(
            "/Groups", params={"filter": f'displayname eq "{group["name"]}"'}
        ).json()
        by_external = client.get(
            "/Groups", params={"filter": f'externalId eq "{group["externalId"]}"'}
        ).json()
    assert [g["id"] for g in hit["resources"]] == [group["id"]]
    assert wrong_value["totalResults"] == 0
    assert wrong_prefix["totalResults"] == 0
    assert [g["id"] for g in by_external["resources"]] == [group["id"]]


def test_post_group_201_with_members_and_location(sandbox: Sandbox) -> None:
    """2.8 POST: 201 + Location; `members[].value` GUIDs become the membership; no members shown."""
    member = members_with_status(sandbox, 2)[0]
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Okta Pushed",
        "externalId": "00gPushed",
        "members": [{"value": member["id"]}, {"value": "not-a-guid"}],
    }
    with scim(sandbox) as client:
        response = client.post("/Groups", json=body)
        duplicate = client.post("/Groups", json=body)
        blank = client.post("/Groups", json={"displayName": " "})
    assert response.status_code == 201
    created = response.json()
    assert "members" not in created
    org = sandbox.info["organization_id"]
    assert response.headers["location"] == f"/v2/{org}/groups/{created['id']}"
    assert _group(sandbox, created["id"])["memberIds"] == [member["id"]]
    assert duplicate.status_code == 409
    assert duplicate.json()["detail"] == "Conflict."
    assert blank.status_code == 400


def test_post_group_without_use_groups_is_400(sandbox: Sandbox) -> None:
    """2.8: an organization without `UseGroups` → 400 `This organization cannot use groups.`."""
    with sandbox.state.lock:
        sandbox.state.organization.use_groups = False
    with scim(sandbox) as client:
        response = client.post("/Groups", json={"displayName": "X"})
    assert response.status_code == 400
    assert response.json()["detail"] == "This organization cannot use groups."


def test_put_group_replaces_members_only_when_present(sandbox: Sandbox) -> None:
    """2.8 PUT: sets the name; `members` present (even []) replaces, absent leaves them."""
    group = next(g for g in state(sandbox)["groups"] if g["memberIds"])
    with scim(sandbox) as client:
        renamed = client.put(f"/Groups/{group['id']}", json={"displayName": "Renamed"})
        assert renamed.status_code == 200
        assert renamed.json()["displayName"] == "Renamed"
        assert _group(sandbox, group["id"])["memberIds"] == group["memberIds"]
        emptied = client.put(f"/Groups/{group['id']}", json={"displayName": "R", "members": []})
        assert emptied.status_code == 200
    assert _group(sandbox, group["id"])["memberIds"] == []


def test_patch_group_member_operations(sandbox: Sandbox) -> None:
    """2.8 PATCH: add `members[value eq "…"]`, add/replace `members`, remove; 204 each."""
    group = state(sandbox)["groups"][0]
    a, b = (m["id"] for m in members_with_status(sandbox, 2)[:2])
    ops: list[dict[str, Any]] = [
        {"op": "replace", "path": "members", "value": [{"value": a}]},
        {"op": "add", "path": f'members[value eq "{b}"]', "value": {}},
        {"op": "add", "path": "members", "value": [{"value": a}, {"value": b}]},
    ]
    with scim(sandbox) as client:
        response = client.patch(f"/Groups/{group['id']}", json={"schemas": [], "Operations": ops})
        assert response.status_code == 204
        assert _group(sandbox, group["id"])["memberIds"] == [a, b]
        remove = {"Operations": [{"op": "remove", "path": f'members[value eq "{a}"]'}]}
        assert client.patch(f"/Groups/{group['id']}", json=remove).status_code == 204
    assert _group(sandbox, group["id"])["memberIds"] == [b]


def test_patch_group_remove_unknown_member_is_404(sandbox: Sandbox) -> None:
    """2.8: removing `members[value eq "<id>"]` of a user not in the organization → 404."""
    group = state(sandbox)["groups"][0]
    remove = {"Operations": [{"op": "remove", "path": f'members[value eq "{UNKNOWN}"]'}]}
    with scim(sandbox) as client:
        response = client.patch(f"/Groups/{group['id']}", json=remove)
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_patch_group_pathless_rename_ignores_external_id(sandbox: Sandbox) -> None:
    """2.8: a path-less value with displayName renames, and its externalId is then ignored."""
    group = state(sandbox)["groups"][0]
    patch = {"Operations": [{"op": "replace", "value": {"displayName": "N", "externalId": "E"}}]}
    with scim(sandbox) as client:
        assert client.patch(f"/Groups/{group['id']}", json=patch).status_code == 204
    after = _group(sandbox, group["id"])
    assert after["name"] == "N"
    assert after["externalId"] == group["externalId"]


def test_patch_group_external_id_duplicate_is_409(sandbox: Sandbox) -> None:
    """2.8: replace externalId with another group's (any case) → 409."""
    first, second = state(sandbox)["groups"][:2]
    patch = {
        "Operations": [
            {"op": "replace", "path": "externalId", "value": second["externalId"].lower()}
        ]
    }
    with scim(sandbox) as client:
        response = client.patch(f"/Groups/{first['id']}", json=patch)
    assert response.status_code == 409
    assert response.json()["detail"] == "ExternalId already exists for another group."


def test_delete_group_and_unknown_group(sandbox: Sandbox) -> None:
    """2.8 DELETE: 204; unknown id → 404 `Group not found.`."""
    group = state(sandbox)["groups"][0]
    with scim(sandbox) as client:
        assert client.delete(f"/Groups/{group['id']}").status_code == 204
        missing = client.get(f"/Groups/{group['id']}")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Group not found."
