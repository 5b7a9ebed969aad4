"""Organization Public API: reference bitwarden-api.md 3.2–3.5."""

from __future__ import annotations

import json

import httpx
import pytest

from app.sandbox.public_api import PublicApi
from app.sandbox.server import Sandbox
from app.sandbox.state import MemberType
from tests.fixtures.sandbox import SandboxFactory
from tests.unit.sandbox.helpers import members_with_status, public_api, state, token

UNKNOWN = "5d421196-8c59-485b-8926-2d6d0101e05f"
MEMBER_KEYS = {
    "object",
    "id",
    "userId",
    "name",
    "email",
    "twoFactorEnabled",
    "status",
    "collections",
    "resetPasswordEnrolled",
    "ssoExternalId",
    "type",
    "externalId",
    "permissions",
}


def test_no_token_is_401_with_a_bearer_challenge(sandbox: Sandbox) -> None:
    """3.2: no or invalid token → 401, `WWW-Authenticate: Bearer`, empty body."""
    url = sandbox.info["api_url"] + "/public/members"
    missing = httpx.get(url)
    invalid = httpx.get(url, headers={"Authorization": "Bearer nope"})
    for response in (missing, invalid):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.content == b""


def test_token_in_the_query_string_works(sandbox: Sandbox) -> None:
    """3.2: `TokenRetrieval.FromAuthorizationHeaderOrQueryString()`."""
    url = sandbox.info["api_url"] + "/public/members"
    response = httpx.get(url, params={"access_token": token(sandbox)})
    assert response.status_code == 200


def test_token_without_the_organization_scope_is_403(sandbox: Sandbox) -> None:
    """3.2: a valid token without `api.organization` (e.g. a user token) → 403, empty body."""
    user_token = sandbox.state.issue_token(sandbox.state.admin.id, "cli", "api")
    response = httpx.get(
        sandbox.info["api_url"] + "/public/members",
        headers={"Authorization": f"Bearer {user_token.value}"},
    )
    assert response.status_code == 403
    assert response.content == b""


def test_member_list_envelope_and_shape(sandbox: Sandbox) -> None:
    """3.3 / 3.4: `{"object":"list","data":[…]}` with everyone, no paging, integer status/type."""
    with public_api(sandbox) as client:
        body = client.get("/public/members").json()
    assert body["object"] == "list"
    assert "continuationToken" not in body
    assert len(body["data"]) == len(state(sandbox)["members"])
    for member in body["data"]:
        assert set(member) == MEMBER_KEYS
        assert member["object"] == "member"
        assert member["status"] in (-1, 0, 1, 2, 3)
        assert isinstance(member["type"], int)
        assert (member["permissions"] is not None) == (member["type"] == 4)
    invited = next(m for m in body["data"] if m["status"] == 0)
    assert invited["userId"] is None
    assert invited["name"] is None
    assert {m["status"] for m in body["data"]} == {-1, 0, 1, 2, 3}


def test_unknown_member_is_a_bare_404(sandbox: Sandbox) -> None:
    """3.4: the controllers' `NotFoundResult` is 404 with an empty body, not the envelope."""
    with public_api(sandbox) as client:
        response = client.get(f"/public/members/{UNKNOWN}")
        for path in ("", "/group-ids"):
            assert client.get(f"/public/members/{UNKNOWN}{path}").status_code == 404
        assert client.post(f"/public/members/{UNKNOWN}/reinvite").status_code == 404
    assert response.status_code == 404
    assert response.content == b""


def test_post_member_invites(sandbox: Sandbox) -> None:
    """3.5 POST: 200 Member, status 0, name null, twoFactorEnabled false; duplicate → 400."""
    body = {"email": "New.Person@x.example", "type": 2, "externalId": "ext-1"}
    with public_api(sandbox) as client:
        response = client.post("/public/members", json=body)
        again = client.post("/public/members", json=body)
    assert response.status_code == 200
    member = response.json()
    assert (member["status"], member["type"], member["name"], member["userId"]) == (
        0,
        2,
        None,
        None,
    )
    assert member["email"] == "new.person@x.example"
    assert member["twoFactorEnabled"] is False
    assert again.status_code == 400
    assert again.json() == {
        "object": "error",
        "message": "This user has already been invited.",
        "errors": None,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": 2}, "Email"),
        ({"email": "not an email", "type": 2}, "Email"),
        ({"email": "a@x.example"}, "Type"),
        ({"email": "a@x.example", "type": 2, "externalId": "x" * 301}, "ExternalId"),
    ],
)
def test_post_member_model_state_errors(
    sandbox: Sandbox, body: dict[str, object], field: str
) -> None:
    """3.4 error envelope: `The request's model state is invalid.` with per-field errors."""
    with public_api(sandbox) as client:
        response = client.post("/public/members", json=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["object"] == "error"
    assert payload["message"] == "The request's model state is invalid."
    assert field in payload["errors"]


def test_post_member_empty_body_and_custom_permissions(sandbox: Sandbox) -> None:
    """3.4 / 3.5: empty body → `Body is empty.`; permissions with type != 4 → 400 message."""
    with public_api(sandbox) as client:
        empty = client.post(
            "/public/members", content=b"", headers={"Content-Type": "application/json"}
        )
        permissions = client.post(
            "/public/members",
            json={"email": "p@x.example", "type": 2, "permissions": {"manageUsers": True}},
        )
    assert empty.status_code == 400
    assert empty.json()["errors"] == {"": ["Body is empty."]}
    assert permissions.status_code == 400
    assert permissions.json()["message"] == "The request's model state is invalid."
    assert permissions.json()["errors"] == {
        "": ["Only users with the Custom role may use custom permissions."]
    }


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/public/members/{id}", {"type": 99}),
        ("/public/members/{id}", {"type": 2, "permissions": {"manageUsers": True}}),
        ("/public/groups/{id}", {"name": ""}),
        ("/public/members/{id}/group-ids", {"groupIds": ["not-a-guid"]}),
        ("/public/groups/{id}/member-ids", {"memberIds": ["not-a-guid"]}),
    ],
)
def test_invalid_body_to_an_unknown_id_is_a_400_not_a_404(
    sandbox: Sandbox, path: str, body: dict[str, object]
) -> None:
    """3.4: model binding validates the body before the action looks the id up."""
    unknown = "00000000-0000-0000-0000-00000000abcd"
    with public_api(sandbox) as client:
        answer = client.put(path.format(id=unknown), json=body)
        valid = client.put(path.format(id=unknown), json=_VALID_BODIES[path])
    assert answer.status_code == 400
    assert answer.json()["message"] == "The request's model state is invalid."
    assert valid.status_code == 404


_VALID_BODIES: dict[str, dict[str, object]] = {
    "/public/members/{id}": {"type": 2},
    "/public/groups/{id}": {"name": "Engineering"},
    "/public/members/{id}/group-ids": {"groupIds": []},
    "/public/groups/{id}/member-ids": {"memberIds": []},
}


def test_revoke_and_restore(sandbox: Sandbox) -> None:
    """3.5: revoke → −1, restore → prior status; again: `Already revoked.`, `Already active.`."""
    invited = members_with_status(sandbox, 0)[0]
    with public_api(sandbox) as client:
        assert client.post(f"/public/members/{invited['id']}/revoke").status_code == 200
        assert client.get(f"/public/members/{invited['id']}").json()["status"] == -1
        again = client.post(f"/public/members/{invited['id']}/revoke")
        assert client.post(f"/public/members/{invited['id']}/restore").status_code == 200
        restored = client.get(f"/public/members/{invited['id']}").json()
        active = client.post(f"/public/members/{invited['id']}/restore")
    assert again.json()["message"] == "Already revoked."
    assert restored["status"] == 0  # Restore_Member_Success: an Invited member returns to Invited
    assert active.json()["message"] == "Already active."


def test_reinvite_only_invited_members(sandbox: Sandbox) -> None:
    """3.3: reinvite → 200 empty; any other status → 400 `User invalid.`."""
    invited = members_with_status(sandbox, 0)[0]
    confirmed = members_with_status(sandbox, 2)[0]
    with public_api(sandbox) as client:
        ok = client.post(f"/public/members/{invited['id']}/reinvite")
        refused = client.post(f"/public/members/{confirmed['id']}/reinvite")
    assert ok.status_code == 200
    assert ok.content == b""
    assert refused.status_code == 400
    assert refused.json()["message"] == "User invalid."


def test_put_member_resets_omitted_fields(sandbox: Sandbox) -> None:
    """3.5 PUT: externalId overwritten (null if omitted), collections null → none; groups kept."""
    member = next(
        m for m in state(sandbox)["members"] if m["externalId"] and m["groups"] and m["type"] == 2
    )
    with public_api(sandbox) as client:
        response = client.put(f"/public/members/{member['id']}", json={"type": 2})
        groups = client.get(f"/public/members/{member['id']}/group-ids").json()
    assert response.status_code == 200
    assert response.json()["externalId"] is None
    assert response.json()["collections"] == []
    assert sorted(groups) == sorted(member["groups"])


def test_group_ids_and_member_ids(sandbox: Sandbox) -> None:
    """3.3: `PUT /members/{id}/group-ids` and `GET /groups/{id}/member-ids` agree."""
    member = members_with_status(sandbox, 2)[0]
    group = state(sandbox)["groups"][0]
    with public_api(sandbox) as client:
        put = client.put(
            f"/public/members/{member['id']}/group-ids", json={"groupIds": [group["id"]]}
        )
        assert put.status_code == 200
        assert client.get(f"/public/members/{member['id']}/group-ids").json() == [group["id"]]
        member_ids = client.get(f"/public/groups/{group['id']}/member-ids").json()
        assert member["id"] in member_ids
        replaced = client.put(
            f"/public/groups/{group['id']}/member-ids", json={"memberIds": [member["id"]]}
        )
        assert replaced.status_code == 200
        assert client.get(f"/public/groups/{group['id']}/member-ids").json() == [member["id"]]


def test_groups_crud(sandbox: Sandbox) -> None:
    """3.3 / 3.4: group shape `{object, id, name, externalId, collections}`; 404 empty; delete."""
    with public_api(sandbox) as client:
        listing = client.get("/public/groups").json()
        created = client.post("/public/groups", json={"name": "Ops", "externalId": "g-ops"}).json()
        too_long = client.post("/public/groups", json={"name": "x" * 101})
        updated = client.put(f"/public/groups/{created['id']}", json={"name": "Ops 2"}).json()
        deleted = client.delete(f"/public/groups/{created['id']}")
        missing = client.get(f"/public/groups/{created['id']}")
    assert listing["object"] == "list"
    assert set(listing["data"][0]) == {"object", "id", "name", "externalId", "collections"}
    assert created["object"] == "group"
    assert created["name"] == "Ops"
    assert too_long.status_code == 400
    assert updated["externalId"] is None
    assert deleted.status_code == 200
    assert missing.status_code == 404
    assert missing.content == b""


def test_delete_member_and_the_last_owner(sandbox: Sandbox) -> None:
    """3.5 DELETE: 200 empty; the last confirmed owner → 400 `…at least one confirmed owner.`."""
    member = members_with_status(sandbox, 1)[0]
    owners = [m for m in state(sandbox)["members"] if m["type"] == 0 and m["status"] == 2]
    with public_api(sandbox) as client:
        assert client.delete(f"/public/members/{member['id']}").status_code == 200
        for owner in owners[1:]:
            assert client.post(f"/public/members/{owner['id']}/revoke").status_code == 200
        last = client.delete(f"/public/members/{owners[0]['id']}")
    assert last.status_code == 400
    assert last.json()["message"] == "Organization must have at least one confirmed owner."


def test_the_last_owner_can_be_neither_revoked_nor_demoted(sandbox: Sandbox) -> None:
    """3.5 revoke / PUT: the last confirmed owner → 400; a PUT that keeps it an owner passes."""
    owners = [m for m in state(sandbox)["members"] if m["type"] == 0 and m["status"] == 2]
    with public_api(sandbox) as client:
        for owner in owners[1:]:
            assert client.post(f"/public/members/{owner['id']}/revoke").status_code == 200
        last = f"/public/members/{owners[0]['id']}"
        revoked = client.post(last + "/revoke")
        demoted = client.put(last, json={"type": 2})
        kept = client.put(last, json={"type": 0})
    for refused in (revoked, demoted):
        assert refused.status_code == 400
        assert refused.json()["message"] == "Organization must have at least one confirmed owner."
    assert kept.status_code == 200
    assert kept.json()["type"] == 0


def test_non_guid_id_is_a_model_state_error(sandbox: Sandbox) -> None:
    """3.4: a route id that does not bind as a GUID → 400 envelope (ModelStateValidationFilter)."""
    with public_api(sandbox) as client:
        response = client.get("/public/members/not-a-guid")
    assert response.status_code == 400
    assert response.json()["message"] == "The request's model state is invalid."


def test_wrong_content_type_is_415(sandbox: Sandbox) -> None:
    """2.3 (ASP.NET Core): a body that is not a JSON media type → 415 with no body."""
    with public_api(sandbox) as client:
        response = client.post(
            "/public/members", content=b"email=x", headers={"Content-Type": "text/plain"}
        )
    assert response.status_code == 415
    assert response.content == b""


def test_unknown_api_route_is_an_empty_404(sandbox: Sandbox) -> None:
    """2.1 / 3.4 (ASP.NET Core): no endpoint → 404 with an empty body."""
    with public_api(sandbox) as client:
        response = client.get("/public/nothing-here")
    assert response.status_code == 404
    assert response.content == b""


def test_member_list_follows_every_change(sandbox: Sandbox) -> None:
    """3.3: the (cached) list reflects changes made through SCIM and by the invited person."""
    invited = members_with_status(sandbox, 0)[0]
    confirmed = members_with_status(sandbox, 2)[1]
    with public_api(sandbox) as client:
        before = {m["id"]: m for m in client.get("/public/members").json()["data"]}
        httpx.post(sandbox.info["control_url"] + f"/members/{invited['id']}/accept")
        sandbox.state.accounts[confirmed["userId"]].two_factor_enabled ^= True
        sandbox.state.touch()
        after = {m["id"]: m for m in client.get("/public/members").json()["data"]}
    assert before[invited["id"]]["status"] == 0
    assert after[invited["id"]]["status"] == 1
    assert after[invited["id"]]["userId"] is not None
    assert after[confirmed["id"]]["twoFactorEnabled"] != before[confirmed["id"]]["twoFactorEnabled"]


def test_list_fragments_are_exactly_the_member_shape(sandbox_factory: SandboxFactory) -> None:
    """3.4: the fast list serializer writes exactly `member_json` for every kind of member."""
    box = sandbox_factory(members=300, seed=5)
    api = PublicApi(box.state)
    with box.state.lock:
        members = list(box.state.members.values())
        assert {m.type for m in members} >= {MemberType.CUSTOM, MemberType.USER}
        assert any(m.collections for m in members)
        for member in members:
            assert json.loads(api.member_fragment(member)) == api.member_json(member)
