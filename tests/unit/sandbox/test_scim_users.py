"""SCIM Users: reference bitwarden-api.md 2.5–2.7 and 2.9 (2–7), okta-scim.md 5.2."""

from __future__ import annotations

import httpx
import pytest

from app.sandbox.server import Sandbox
from tests.fixtures.sandbox import SandboxFactory
from tests.unit.sandbox.helpers import members_with_status, okta_user, scim, state


def test_list_uses_lower_case_resources_and_echoes_count(sandbox: Sandbox) -> None:
    """2.6 / 2.9 (2, 3): `resources` lower-case; `itemsPerPage` echoes count; total = everyone."""
    with scim(sandbox) as client:
        body = client.get("/Users", params={"startIndex": 1, "count": 2}).json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert "Resources" not in body
    assert len(body["resources"]) == 2
    assert body["itemsPerPage"] == 2
    assert body["startIndex"] == 1
    assert body["totalResults"] == len(state(sandbox)["members"])


def test_items_per_page_is_the_requested_count_not_the_returned_number(sandbox: Sandbox) -> None:
    """2.5: `ItemsPerPage=10` with 0 resources (past the end)."""
    with scim(sandbox) as client:
        body = client.get("/Users", params={"startIndex": 1000, "count": 10}).json()
    assert body["resources"] == []
    assert body["itemsPerPage"] == 10
    assert body["startIndex"] == 1000


def test_list_defaults_to_50_from_1_and_is_ordered_by_email(
    sandbox_factory: SandboxFactory,
) -> None:
    """2.5: defaults count 50 / startIndex 1 (issue #4034 fixed); ordered by e-mail."""
    box = sandbox_factory(members=60)
    with scim(box) as client:
        body = client.get("/Users").json()
    assert body["itemsPerPage"] == 50
    assert body["startIndex"] == 1
    assert len(body["resources"]) == 50
    emails = [r["userName"] for r in body["resources"]]
    assert emails == sorted(emails)


def test_paging_walks_every_member_once(sandbox: Sandbox) -> None:
    """2.5: `Skip(startIndex-1).Take(count)` over all organization users."""
    seen: list[str] = []
    with scim(sandbox) as client:
        start = 1
        while True:
            page = client.get("/Users", params={"startIndex": start, "count": 7}).json()
            if not page["resources"]:
                break
            seen += [r["id"] for r in page["resources"]]
            start += 7
    assert sorted(seen) == sorted(m["id"] for m in state(sandbox)["members"])


@pytest.mark.parametrize(("count", "expected"), [("0", 0), ("-3", 0), ("abc", 50)])
def test_count_is_not_range_checked(sandbox: Sandbox, count: str, expected: int) -> None:
    """2.5: `[Range]` is not enforced: count 0 or negative → empty page; junk → the default."""
    with scim(sandbox) as client:
        body = client.get("/Users", params={"count": count}).json()
    assert len(body["resources"]) == min(expected, body["totalResults"])


def test_start_index_zero_or_negative_starts_at_the_beginning(sandbox: Sandbox) -> None:
    """2.5: `startIndex<=0` behaves as `Skip(<=0)`, and is echoed."""
    with scim(sandbox) as client:
        first = client.get("/Users", params={"startIndex": 1, "count": 3}).json()
        zero = client.get("/Users", params={"startIndex": 0, "count": 3}).json()
    assert [r["id"] for r in zero["resources"]] == [r["id"] for r in first["resources"]]
    assert zero["startIndex"] == 0


def test_username_filter_is_case_insensitive_and_needs_an_at_sign(sandbox: Sandbox) -> None:
    """2.5 / 2.9 (4): `userName eq` matches the e-mail case-insensitively; without `@` empty."""
    email = sandbox.info["admin_email"]
    with scim(sandbox) as client:
        exact = client.get("/Users", params={"filter": f'userName eq "{email.upper()}"'}).json()
        no_at = client.get("/Users", params={"filter": 'userName eq "admin"'}).json()
        unquoted = client.get("/Users", params={"filter": f"userName eq {email}"}).json()
    assert exact["totalResults"] == 1
    assert exact["resources"][0]["userName"] == email
    assert no_at["totalResults"] == 0
    assert no_at["resources"] == []
    assert unquoted["totalResults"] == 1


def test_filtered_query_ignores_paging_but_echoes_it(sandbox: Sandbox) -> None:
    """2.5: a filter returns at most one resource and ignores count/startIndex (still echoed)."""
    email = sandbox.info["admin_email"]
    with scim(sandbox) as client:
        body = client.get(
            "/Users", params={"filter": f'userName eq "{email}"', "startIndex": 5, "count": 2}
        ).json()
    assert body["totalResults"] == 1
    assert body["startIndex"] == 5
    assert body["itemsPerPage"] == 2


def test_external_id_filter_is_case_sensitive(sandbox: Sandbox) -> None:
    """2.5: `externalId eq` is taken from the original string and compared case-sensitively."""
    member = next(m for m in state(sandbox)["members"] if m["externalId"])
    external_id = member["externalId"]
    with scim(sandbox) as client:
        hit = client.get("/Users", params={"filter": f'externalId eq "{external_id}"'}).json()
        miss = client.get(
            "/Users", params={"filter": f'externalId eq "{external_id.swapcase()}"'}
        ).json()
    assert [r["id"] for r in hit["resources"]] == [member["id"]]
    assert miss["totalResults"] == 0


@pytest.mark.parametrize(
    "filter_text",
    [
        'emails[value eq "admin@sandbox.example"]',
        'id eq "x"',
        'displayName eq "Sandbox Admin"',
        'userName eq "admin@sandbox.example" and active eq true',
        "garbage((",
    ],
)
def test_unsupported_filters_give_an_empty_list_not_400(sandbox: Sandbox, filter_text: str) -> None:
    """2.5 / 2.9 (4): any other filter is an empty list with totalResults 0."""
    with scim(sandbox) as client:
        response = client.get("/Users", params={"filter": filter_text})
    assert response.status_code == 200
    assert response.json()["totalResults"] == 0
    assert response.json()["resources"] == []


def test_user_shape(sandbox: Sandbox) -> None:
    """2.6 / 2.9 (5): name.formatted only, one primary work e-mail, extra keys, null meta dates."""
    confirmed = members_with_status(sandbox, 2)[0]
    with scim(sandbox) as client:
        response = client.get(f"/Users/{confirmed['id']}")
    assert response.headers["content-type"] == "application/scim+json; charset=utf-8"
    user = response.json()
    assert user["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:User"]
    assert user["id"] == confirmed["id"]
    assert user["userName"] == confirmed["email"]
    assert user["name"] == {
        "formatted": confirmed["name"],
        "givenName": None,
        "middleName": None,
        "familyName": None,
    }
    assert user["emails"] == [{"primary": True, "value": confirmed["email"], "type": "work"}]
    assert user["primaryEmail"] == user["workEmail"] == confirmed["email"]
    assert user["displayName"] == confirmed["name"]
    assert user["active"] is True
    assert user["groups"] == []
    assert user["meta"] == {"resourceType": "User", "created": None, "lastModified": None}


def test_invited_user_has_no_name(sandbox: Sandbox) -> None:
    """2.6: invited members have no account, so `displayName` and `name.formatted` are null."""
    invited = members_with_status(sandbox, 0)[0]
    with scim(sandbox) as client:
        user = client.get(f"/Users/{invited['id']}").json()
    assert user["displayName"] is None
    assert user["name"]["formatted"] is None
    assert user["active"] is True


def test_revoked_user_is_inactive(sandbox: Sandbox) -> None:
    """2.7: `active` = status != Revoked (every other status is active)."""
    revoked = members_with_status(sandbox, -1)[0]
    staged = members_with_status(sandbox, 3)[0]
    with scim(sandbox) as client:
        assert client.get(f"/Users/{revoked['id']}").json()["active"] is False
        assert client.get(f"/Users/{staged['id']}").json()["active"] is True


@pytest.mark.parametrize("member_id", ["00919288221112222", "5d421196-8c59-485b-8926-2d6d0101e05f"])
def test_unknown_user_is_404_with_integer_status(sandbox: Sandbox, member_id: str) -> None:
    """2.4 / 2.6: unknown (or non-GUID) id: 404 `User not found.`, `status` an integer."""
    with scim(sandbox) as client:
        response = client.get(f"/Users/{member_id}")
    assert response.status_code == 404
    assert response.json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "detail": "User not found.",
        "status": 404,
    }


def test_post_invites_and_answers_201_with_location(sandbox: Sandbox) -> None:
    """2.7 POST: 201, User body, relative lower-case Location; member Invited with type User."""
    with scim(sandbox) as client:
        response = client.post("/Users", json=okta_user("Jane.Doe@Sandbox.example"))
    assert response.status_code == 201
    user = response.json()
    assert user["userName"] == "jane.doe@sandbox.example"
    assert user["displayName"] is None  # "DisplayName is not being saved"
    assert user["externalId"] == "00uOkta123"
    org = sandbox.info["organization_id"]
    assert response.headers["location"] == f"/v2/{org}/users/{user['id']}"
    member = next(m for m in state(sandbox)["members"] if m["id"] == user["id"])
    assert (member["status"], member["type"], member["userId"]) == (0, 2, None)


def test_post_duplicate_email_or_external_id_is_409(sandbox: Sandbox) -> None:
    """2.7 / okta-scim 4.2 step 15: same e-mail (any case) or same externalId → 409 `Conflict.`."""
    with scim(sandbox) as client:
        assert client.post("/Users", json=okta_user("a.b@x.example")).status_code == 201
        again = client.post("/Users", json=okta_user("A.B@X.example", external_id="other"))
        same_external = client.post("/Users", json=okta_user("c.d@x.example"))
    assert again.status_code == 409
    assert again.json()["detail"] == "Conflict."
    assert again.json()["status"] == 409
    assert same_external.status_code == 409


def test_post_without_email_or_inactive_is_400(sandbox: Sandbox) -> None:
    """2.7: blank e-mail, or `active` false (or missing: a bool defaulting to false) → 400."""
    no_email = okta_user("x.y@x.example")
    no_email["emails"] = []
    inactive = okta_user("q.r@x.example", active=False)
    missing_active = okta_user("s.t@x.example")
    del missing_active["active"]
    with scim(sandbox) as client:
        for body in (no_email, inactive, missing_active):
            response = client.post("/Users", json=body)
            assert response.status_code == 400
            assert response.json()["detail"] == (
                "Exception of type 'Bit.Core.Exceptions.BadRequestException' was thrown."
            )


def test_post_email_selection_prefers_primary_then_work(sandbox: Sandbox) -> None:
    """2.7 EmailForInvite: primary first; else (non-Azure) the work e-mail; userName is not used."""
    body = okta_user("u.v@x.example")
    body["emails"] = [
        {"value": "home@x.example", "type": "home"},
        {"value": "work@x.example", "type": "work"},
    ]
    user_name_only = okta_user("w.z@x.example", external_id="ext-wz")
    user_name_only["emails"] = []
    with scim(sandbox) as client:
        created = client.post("/Users", json=body).json()
        refused = client.post("/Users", json=user_name_only)
        azure = client.post("/Users", json=user_name_only, headers={"Adscimversion": "2.0"})
    assert created["userName"] == "work@x.example"
    assert refused.status_code == 400
    assert azure.status_code == 201


def test_patch_okta_pathless_deactivate_revokes(sandbox: Sandbox) -> None:
    """2.7 PATCH / 2.9 (6, 7): `{"op":"replace","value":{"active":false}}` → 204, status −1."""
    member = members_with_status(sandbox, 2)[1]
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    with scim(sandbox) as client:
        response = client.patch(f"/Users/{member['id']}", json=patch)
        assert response.status_code == 204
        assert response.content == b""
        assert client.get(f"/Users/{member['id']}").json()["active"] is False
    after = next(m for m in state(sandbox)["members"] if m["id"] == member["id"])
    assert after["status"] == -1


def test_patch_restore_returns_to_the_prior_status(sandbox: Sandbox) -> None:
    """2.7: revoke then restore (`path: active`, value `"True"` as a string) → prior status."""
    member = members_with_status(sandbox, 1)[0]
    with scim(sandbox) as client:
        off = {"Operations": [{"op": "Replace", "path": "active", "value": "False"}]}
        on = {"operations": [{"op": "replace", "path": "Active", "value": "True"}]}
        assert client.patch(f"/Users/{member['id']}", json=off).status_code == 204
        revoked = next(m for m in state(sandbox)["members"] if m["id"] == member["id"])
        assert revoked["status"] == -1
        assert client.patch(f"/Users/{member['id']}", json=on).status_code == 204
    restored = next(m for m in state(sandbox)["members"] if m["id"] == member["id"])
    assert restored["status"] == 1


def test_patch_unsupported_operations_are_ignored_with_204(sandbox: Sandbox) -> None:
    """2.7 / 2.9 (6): add/remove, displayName, emails… are logged and ignored, still 204."""
    member = members_with_status(sandbox, 2)[1]
    before = next(m for m in state(sandbox)["members"] if m["id"] == member["id"])
    patch = {
        "Operations": [
            {"op": "add", "path": "displayName", "value": "Someone Else"},
            {"op": "replace", "path": "emails", "value": [{"value": "new@x.example"}]},
            {"op": "remove", "path": "name.givenName"},
        ]
    }
    with scim(sandbox) as client:
        response = client.patch(f"/Users/{member['id']}", json=patch)
    assert response.status_code == 204
    after = next(m for m in state(sandbox)["members"] if m["id"] == member["id"])
    assert after == before


def test_patch_external_id_duplicate_is_409_and_too_long_is_400(sandbox: Sandbox) -> None:
    """2.7: externalId by path or value; duplicate (any case) 409; more than 300 chars 400."""
    members = [m for m in state(sandbox)["members"] if m["externalId"]]
    target, other = members[0], members[1]
    with scim(sandbox) as client:
        by_value = {"Operations": [{"op": "replace", "value": {"externalId": "new-ext"}}]}
        assert client.patch(f"/Users/{target['id']}", json=by_value).status_code == 204
        duplicate = {
            "Operations": [
                {"op": "replace", "path": "externalId", "value": other["externalId"].upper()}
            ]
        }
        conflict = client.patch(f"/Users/{target['id']}", json=duplicate)
        too_long = {"Operations": [{"op": "replace", "path": "externalId", "value": "x" * 301}]}
        bad = client.patch(f"/Users/{target['id']}", json=too_long)
    assert conflict.status_code == 409
    assert conflict.json()["detail"] == "ExternalId already exists for another user."
    assert bad.status_code == 400
    assert bad.json()["detail"] == "ExternalId cannot exceed 300 characters."
    after = next(m for m in state(sandbox)["members"] if m["id"] == target["id"])
    assert after["externalId"] == "new-ext"


def test_patch_pathless_active_as_string_is_a_500(sandbox: Sandbox) -> None:
    """2.7: the path-less value's `active` must be a JSON bool (`GetBoolean()` throws → 500)."""
    member = members_with_status(sandbox, 2)[1]
    patch = {"Operations": [{"op": "replace", "value": {"active": "false"}}]}
    with scim(sandbox) as client:
        response = client.patch(f"/Users/{member['id']}", json=patch)
    assert response.status_code == 500
    assert response.json()["status"] == 500


def test_patch_unknown_user_is_404_first(sandbox: Sandbox) -> None:
    """2.7: 404 `User not found.` before the operations are looked at."""
    with scim(sandbox) as client:
        response = client.patch(
            "/Users/5d421196-8c59-485b-8926-2d6d0101e05f", json={"Operations": []}
        )
    assert response.status_code == 404
    assert response.json()["detail"] == "User not found."


def test_put_honours_only_active(sandbox: Sandbox) -> None:
    """2.7 PUT / 2.9 (6): only `active` is used; other attributes are ignored; 200 with the User."""
    member = members_with_status(sandbox, 2)[1]
    body = okta_user("changed@x.example", external_id="changed", active=True)
    with scim(sandbox) as client:
        response = client.put(f"/Users/{member['id']}", json=body)
        assert response.status_code == 200
        assert response.json()["userName"] == member["email"]
        assert response.json()["externalId"] == member["externalId"]
        body["active"] = False
        revoked = client.put(f"/Users/{member['id']}", json=body)
    assert revoked.json()["active"] is False


def test_put_without_active_revokes(sandbox: Sandbox) -> None:
    """2.7 PUT: `active` is a non-nullable bool defaulting to false, so leaving it out revokes."""
    member = members_with_status(sandbox, 2)[1]
    with scim(sandbox) as client:
        response = client.put(f"/Users/{member['id']}", json={"userName": member["email"]})
    assert response.status_code == 200
    assert response.json()["active"] is False


def test_put_unknown_user_is_a_scim_json_404(sandbox: Sandbox) -> None:
    """2.3 / 2.7: PUT's explicit NotFoundObjectResult goes through `[Produces]` (scim+json)."""
    with scim(sandbox) as client:
        response = client.put("/Users/5d421196-8c59-485b-8926-2d6d0101e05f", json={"active": True})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/scim+json")
    assert response.json()["detail"] == "User not found."


def test_revoking_the_last_confirmed_owner_is_refused(sandbox: Sandbox) -> None:
    """2.7: `Organization must have at least one confirmed owner.` (PUT adds `for user <id>`)."""
    owners = [m for m in state(sandbox)["members"] if m["type"] == 0 and m["status"] == 2]
    owner = owners[0]
    with scim(sandbox) as client:
        for other in owners[1:]:  # leave one confirmed owner
            off = {"Operations": [{"op": "replace", "value": {"active": False}}]}
            assert client.patch(f"/Users/{other['id']}", json=off).status_code == 204
        put = client.put(f"/Users/{owner['id']}", json={"active": False})
        delete = client.delete(f"/Users/{owner['id']}")
    assert put.status_code == 400
    assert put.json()["detail"] == (
        f"Organization must have at least one confirmed owner. for user {owner['id']}"
    )
    assert delete.status_code == 400


def test_delete_removes_the_membership(sandbox: Sandbox) -> None:
    """2.7 DELETE / 2.9 (7): 204, the member is gone (the account stays); again → 404."""
    member = members_with_status(sandbox, 2)[1]
    with scim(sandbox) as client:
        assert client.delete(f"/Users/{member['id']}").status_code == 204
        assert client.get(f"/Users/{member['id']}").status_code == 404
        assert client.delete(f"/Users/{member['id']}").status_code == 404
    assert member["id"] not in {m["id"] for m in state(sandbox)["members"]}
    assert member["userId"] in sandbox.state.accounts


def test_unsupported_media_type_is_415(sandbox: Sandbox) -> None:
    """2.3: bodies other than JSON media types get 415 with no body (after authentication)."""
    with scim(sandbox) as client:
        response = client.post(
            "/Users", content=b"userName=x", headers={"Content-Type": "text/plain"}
        )
    assert response.status_code == 415
    assert response.content == b""


def test_malformed_json_is_the_servers_500_not_a_crash(sandbox: Sandbox) -> None:
    """0 / 2.6: an unreadable body binds a null model; the controller throws → SCIM error 500."""
    with scim(sandbox) as client:
        response = client.post("/Users", content=b"{not json")
        alive = client.get("/Users", params={"count": 1})
    assert response.status_code == 500
    assert response.json()["status"] == 500
    assert "Traceback" not in response.text
    assert alive.status_code == 200


def test_error_content_type_follows_accept(sandbox: Sandbox) -> None:
    """2.3: exception-filter errors are negotiated: scim+json when asked for, else json."""
    with scim(sandbox) as client:
        scim_json = client.get("/Users/5d421196-8c59-485b-8926-2d6d0101e05f")
        plain = client.get("/Users/5d421196-8c59-485b-8926-2d6d0101e05f", headers={"Accept": "*/*"})
    assert scim_json.headers["content-type"].startswith("application/scim+json")
    assert plain.headers["content-type"].startswith("application/json")


def test_okta_test_api_credentials_request(sandbox: Sandbox) -> None:
    """okta-scim 5.2: Okta's test `GET /Users?startIndex=1&count=2` with its headers is a 200."""
    response = httpx.get(
        sandbox.info["scim_url"] + "/Users?startIndex=1&count=2",
        headers={
            "Authorization": f"Bearer {sandbox.info['scim_key']}",
            "User-Agent": "Okta SCIM Client 1.0.0",
            "Accept": "application/scim+json",
            "Accept-Charset": "utf-8",
        },
    )
    assert response.status_code == 200
    assert response.json()["itemsPerPage"] == 2


def test_post_stages_when_invitations_are_deferred(sandbox: Sandbox) -> None:
    """2.7 staged variant: `InviteUsersAfterProvisioning == false` → status 3, no account."""
    with sandbox.state.lock:
        sandbox.state.organization.invite_users_after_provisioning = False
    with scim(sandbox) as client:
        created = client.post("/Users", json=okta_user("staged.person@x.example")).json()
    member = next(m for m in state(sandbox)["members"] if m["id"] == created["id"])
    assert (member["status"], member["userId"]) == (3, None)
    assert created["active"] is True


def test_unsupported_query_parameters_are_ignored(sandbox: Sandbox) -> None:
    """2.5: `attributes`, `excludedAttributes`, `sortBy`, `sortOrder` are silently ignored."""
    with scim(sandbox) as client:
        plain = client.get("/Users", params={"count": 3}).json()
        fancy = client.get(
            "/Users",
            params={
                "count": 3,
                "attributes": "userName",
                "excludedAttributes": "emails",
                "sortBy": "name.familyName",
                "sortOrder": "descending",
            },
        ).json()
    assert fancy == plain
