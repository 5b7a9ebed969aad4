"""The sandbox Okta org over real HTTP: auth, errors, paging, rate limits, provisioning, faults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.sandbox.server import Sandbox
from tests.fixtures.sandbox import SandboxFactory


def okta(box: Sandbox, token: str | None = None) -> httpx.Client:
    info = box.info
    auth = f"SSWS {token if token is not None else info['okta_token']}"
    return httpx.Client(
        base_url=info["okta_url"], headers={"Authorization": auth, "Accept": "application/json"}
    )


def app_path(box: Sandbox) -> str:
    return f"/api/v1/apps/{box.info['okta_app_id']}"


def bitwarden_member(box: Sandbox, member_id: str) -> dict[str, Any]:
    state = httpx.get(box.info["control_url"] + "/state").json()
    return next(m for m in state["members"] if m["id"] == member_id)


def failures(box: Sandbox) -> list[dict[str, Any]]:
    app_id = box.info["okta_app_id"]
    with okta(box) as client:
        answer = client.get(
            "/api/v1/logs",
            params={"filter": f'target.id eq "{app_id}" and outcome.result eq "FAILURE"'},
        )
    assert answer.status_code == 200
    return list(answer.json())


def fault(box: Sandbox, name: str) -> dict[str, Any]:
    answer = httpx.post(box.info["control_url"] + "/okta/faults", json={"fault": name})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_the_okta_org_has_its_own_origin_and_okta_auth(sandbox: Sandbox) -> None:
    assert sandbox.info["okta_url"] != sandbox.base_url
    assert sandbox.info["okta_app_id"].startswith("0oa")
    assert len(sandbox.info["okta_app_id"]) == 20
    with okta(sandbox, "wrong") as client:
        answer = client.get("/api/v1/apps")
    assert answer.status_code == 401
    assert answer.json()["errorCode"] == "E0000011"
    assert set(answer.json()) == {
        "errorCode",
        "errorSummary",
        "errorLink",
        "errorId",
        "errorCauses",
    }
    bearer = httpx.get(
        sandbox.info["okta_url"] + "/api/v1/apps",
        headers={"Authorization": f"Bearer {sandbox.info['okta_token']}"},
    )
    # Bearer is Okta's scheme for OAuth access tokens: an API token there is no access token.
    assert bearer.status_code == 401
    assert bearer.json()["errorCode"] == "E0000011"
    assert 'error="invalid_token"' in bearer.headers["www-authenticate"]
    with okta(sandbox) as client:
        apps = client.get("/api/v1/apps", params={"q": "Bitw"})
        missing = client.get("/api/v1/apps/0oa00000000000000000")
    assert apps.status_code == 200
    assert [a["id"] for a in apps.json()] == [sandbox.info["okta_app_id"]]
    assert 'rel="self"' in apps.headers["Link"]
    for header in ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"):
        assert int(apps.headers[header]) >= 0
    assert missing.status_code == 404
    assert missing.json()["errorCode"] == "E0000007"


def test_the_app_reads_back_as_configured_and_put_changes_it(sandbox: Sandbox) -> None:
    with okta(sandbox) as client:
        app = client.get(app_path(sandbox)).json()
        assert app["status"] == "ACTIVE"
        assert app["visibility"]["hide"] == {"web": True, "iOS": True}
        assert app["credentials"]["userNameTemplate"]["template"] == "${source.email}"
        assert {"PUSH_NEW_USERS", "PUSH_USER_DEACTIVATION"} <= set(app["features"])
        connection = client.get(app_path(sandbox) + "/connections/default").json()
        assert connection["status"] == "ENABLED"
        assert sandbox.info["scim_key"] not in str(connection)
        [feature] = client.get(app_path(sandbox) + "/features").json()
        assert feature["capabilities"]["update"]["lifecycleDeactivate"]["status"] == "ENABLED"
        app["label"] = "Bitwarden SCIM"
        app["visibility"]["hide"]["web"] = False
        changed = client.put(app_path(sandbox), json=app)
        assert changed.status_code == 200
        assert changed.json()["label"] == "Bitwarden SCIM"
        assert changed.json()["visibility"]["hide"]["web"] is False


def test_features_refuse_while_provisioning_is_off(sandbox: Sandbox) -> None:
    assert sandbox.okta is not None
    sandbox.okta.org.connection.enabled = False
    with okta(sandbox) as client:
        answer = client.get(app_path(sandbox) + "/features")
        app = client.get(app_path(sandbox)).json()
    assert answer.status_code == 400
    assert answer.json()["errorCauses"] == [
        {"errorSummary": "Provisioning is not enabled for the app instance."}
    ]
    assert app["features"] == []


def test_assigning_a_person_really_provisions_them_and_logs_it(sandbox: Sandbox) -> None:
    with okta(sandbox) as client:
        users = client.get("/api/v1/users", params={"q": "ada"}).json()
        answer = client.post(app_path(sandbox) + "/users", json={"id": users[0]["id"]})
        assert answer.status_code == 200
        app_user = answer.json()
        assert (app_user["status"], app_user["syncState"]) == ("PROVISIONED", "SYNCHRONIZED")
        member = bitwarden_member(sandbox, app_user["externalId"])
        assert member["email"] == "ada.lovelace@example.com"
        assert member["externalId"] == users[0]["id"]  # Okta sends its user id as externalId
        events = client.get(
            "/api/v1/logs", params={"filter": 'eventType eq "application.provision.user.push"'}
        ).json()
        assert [e["outcome"]["result"] for e in events] == ["SUCCESS"]
        assert {t["type"] for t in events[0]["target"]} >= {"AppUser", "AppInstance"}
        assert client.delete(app_path(sandbox) + f"/users/{users[0]['id']}").status_code == 204
    assert bitwarden_member(sandbox, app_user["externalId"])["status"] == -1  # revoked


def test_app_users_page_by_link_with_limit_and_after(sandbox_factory: SandboxFactory) -> None:
    box = sandbox_factory(members=5, okta_assigned=45)
    seen: list[str] = []
    with okta(box) as client:
        url: str | None = app_path(box) + "/users?limit=20"
        while url:
            answer = client.get(url)
            seen += [u["id"] for u in answer.json()]
            nxt = answer.links.get("next")
            url = nxt["url"] if nxt else None
    assert len(seen) == len(set(seen)) == 45


def test_a_forced_429_carries_the_reset(sandbox: Sandbox) -> None:
    httpx.post(sandbox.info["control_url"] + "/okta/rate-limit", json={"reset_in": 30})
    with okta(sandbox) as client:
        answer = client.get("/api/v1/apps")
    assert answer.status_code == 429
    assert answer.json()["errorCode"] == "E0000047"
    assert answer.headers["X-Rate-Limit-Remaining"] == "0"
    assert int(answer.headers["X-Rate-Limit-Reset"]) > 0
    assert answer.headers["Date"]


def test_group_push_creates_the_group_in_bitwarden_with_members(sandbox: Sandbox) -> None:
    before = {g["id"] for g in httpx.get(sandbox.info["control_url"] + "/state").json()["groups"]}
    with okta(sandbox) as client:
        [group] = client.get("/api/v1/groups", params={"q": "Platform"}).json()
        members = client.get(f"/api/v1/groups/{group['id']}/users").json()
        for user in members:
            client.post(app_path(sandbox) + "/users", json={"id": user["id"]})
        created = client.post(
            app_path(sandbox) + "/group-push/mappings",
            json={"sourceGroupId": group["id"], "targetGroupName": "Platform Team"},
        )
        assert created.status_code == 201
        assert created.json()["status"] == "ACTIVE"
        assert created.json()["errorSummary"] == ""
    state = httpx.get(sandbox.info["control_url"] + "/state").json()
    [pushed] = [g for g in state["groups"] if g["id"] not in before]
    assert pushed["name"] == "Platform Team"
    assert len(pushed["memberIds"]) == len(members) == 3


def test_deactivate_users_off_leaves_the_unassigned_member_active(sandbox: Sandbox) -> None:
    result = fault(sandbox, "deactivate_users_off")
    assert bitwarden_member(sandbox, result["bitwarden_id"])["status"] != -1
    with okta(sandbox) as client:
        app = client.get(app_path(sandbox)).json()
        removed = client.get(
            "/api/v1/logs", params={"filter": f'target.id eq "{result["user_id"]}"'}
        ).json()
    assert "PUSH_USER_DEACTIVATION" not in app["features"]
    types = [e["eventType"] for e in removed]
    assert "application.user_membership.remove" in types
    assert "application.provision.user.deactivate" not in types


def test_username_is_login_conflicts_with_the_member_already_there(sandbox: Sandbox) -> None:
    result = fault(sandbox, "username_is_login")
    assert result["sync_state"] == "ERROR"
    [event] = failures(sandbox)
    assert event["eventType"] == "application.provision.user.push"
    assert event["outcome"]["reason"].startswith("Conflict.")
    assert "@" not in event["target"][0]["alternateId"]  # the app username is a login name


def test_token_rotated_fails_authentication(sandbox: Sandbox) -> None:
    result = fault(sandbox, "token_rotated")
    assert result["sync_state"] == "ERROR"
    types = {e["eventType"] for e in failures(sandbox)}
    assert types == {
        "application.integration.authentication_failure",
        "application.provision.user.verify_exists",
    }
    assert all(e["outcome"]["reason"].startswith("Unauthorized.") for e in failures(sandbox))


def test_revoked_member_conflict_is_a_409_on_the_revoked_members_external_id(
    sandbox: Sandbox,
) -> None:
    result = fault(sandbox, "revoked_member_conflict")
    revoked = bitwarden_member(sandbox, result["bitwarden_id"])
    assert revoked["status"] == -1
    assert revoked["externalId"] == result["user_id"]
    [event] = failures(sandbox)
    assert event["eventType"] == "application.provision.user.push"
    assert event["outcome"]["reason"].startswith("Conflict.")


def test_group_assigned_and_pushed_ignores_members_not_yet_provisioned(sandbox: Sandbox) -> None:
    result = fault(sandbox, "group_assigned_and_pushed")
    with okta(sandbox) as client:
        groups = client.get(app_path(sandbox) + "/groups").json()
        mappings = client.get(app_path(sandbox) + "/group-push/mappings").json()
        ignored = client.get(
            "/api/v1/logs",
            params={
                "filter": 'eventType eq "app.user_management.grouppush.mapping.okta.users.ignored"'
            },
        ).json()
    assert result["group_id"] in {g["id"] for g in groups}
    assert result["group_id"] in {m["sourceGroupId"] for m in mappings}
    assert len(ignored) == 1
    assert ignored[0]["severity"] == "WARN"


def test_an_unknown_fault_is_refused(sandbox: Sandbox) -> None:
    answer = httpx.post(sandbox.info["control_url"] + "/okta/faults", json={"fault": "nope"})
    assert answer.status_code == 400


@pytest.mark.parametrize("bad", ["eventType eq", 'published gt "2020-01-01"'])
def test_a_bad_log_filter_is_okta_s_400(sandbox: Sandbox, bad: str) -> None:
    with okta(sandbox) as client:
        answer = client.get("/api/v1/logs", params={"filter": bad})
    assert answer.status_code == 400
    assert answer.json()["errorCode"] in ("E0000031", "E0000053")


def test_the_log_honours_since_and_pages_with_next_always_present(sandbox: Sandbox) -> None:
    assert sandbox.okta is not None
    for email in ("ada.lovelace@example.com", "grace.hopper@example.com"):
        assert sandbox.okta.demo_assign(email)
    with okta(sandbox) as client:
        everything = client.get("/api/v1/logs", params={"since": "2020-01-01T00:00:00.000Z"})
        future = client.get("/api/v1/logs", params={"since": "2999-01-01T00:00:00.000Z"})
        first = client.get("/api/v1/logs", params={"limit": 1})
        second = client.get(first.links["next"]["url"])
        both = client.get("/api/v1/logs", params={"since": "2020-01-01T00:00:00Z", "after": "1"})
    assert len(everything.json()) >= 4
    assert future.json() == []
    assert "next" in future.links  # polling: next is always there, even on an empty page
    assert [e["uuid"] for e in first.json() + second.json()] == [
        e["uuid"] for e in everything.json()[:2]
    ]
    assert both.status_code == 400
    # Polling: the cursor of a page with nothing new picks up what happens afterwards.
    with okta(sandbox) as client:
        caught_up = client.get(everything.links["next"]["url"])
        assert caught_up.json() == []
        sandbox.okta.demo_assign("alan.turing@example.com")
        fresh = client.get(caught_up.links["next"]["url"]).json()
    assert {e["eventType"] for e in fresh} >= {"application.provision.user.push"}


def test_an_active_mapping_cannot_be_deleted_and_expand_embeds_the_user(sandbox: Sandbox) -> None:
    assert sandbox.okta is not None
    sandbox.okta.demo_assign("ada.lovelace@example.com")
    sandbox.okta.demo_push_group()
    with okta(sandbox) as client:
        [mapping] = client.get(app_path(sandbox) + "/group-push/mappings").json()
        refused = client.delete(app_path(sandbox) + f"/group-push/mappings/{mapping['id']}")
        client.patch(
            app_path(sandbox) + f"/group-push/mappings/{mapping['id']}", json={"status": "INACTIVE"}
        )
        deleted = client.delete(app_path(sandbox) + f"/group-push/mappings/{mapping['id']}")
        [app_user] = client.get(app_path(sandbox) + "/users", params={"expand": "user"}).json()
        wrong_verb = client.patch(app_path(sandbox) + "/users")
    assert refused.status_code == 400
    assert refused.json()["errorCode"] == "E0000001"
    assert deleted.status_code == 204
    assert app_user["_embedded"]["user"]["profile"]["email"] == "ada.lovelace@example.com"
    assert wrong_verb.status_code == 405
    assert wrong_verb.json()["errorCode"] == "E0000022"


def test_settings_switch_to_the_refusals_an_unsupported_app_or_an_older_org_gives(
    sandbox: Sandbox,
) -> None:
    answer = httpx.post(
        sandbox.info["control_url"] + "/okta/settings",
        json={"connection_api": False, "group_push_api": False},
    )
    assert answer.json() == {
        "connection_api": False,
        "group_push_api": False,
        "writes_fail_after": None,
    }
    with okta(sandbox) as client:
        connection = client.get(app_path(sandbox) + "/connections/default")
        features = client.get(app_path(sandbox) + "/features")
        mappings = client.get(app_path(sandbox) + "/group-push/mappings")
    assert connection.json()["status"] == "UNKNOWN"
    assert connection.json()["profile"] == {"authScheme": "UNKNOWN"}
    assert features.status_code == mappings.status_code == 404
    assert mappings.json()["errorCode"] == "E0000007"


def test_app_users_read_back_every_change_though_their_json_is_kept(
    sandbox_factory: SandboxFactory,
) -> None:
    """The emulator keeps each app user's JSON between requests; a change to the app user or to
    its Okta user, an unassignment and a new assignment all show in the next list."""
    box = sandbox_factory(members=5, okta_assigned=4)
    assert box.okta is not None
    org = box.okta.org

    def listed() -> dict[str, dict[str, Any]]:
        with okta(box) as client:
            answer = client.get(app_path(box) + "/users", params={"limit": "500"})
        assert answer.status_code == 200
        return {u["id"]: u for u in answer.json()}

    first = listed()
    in_error, renamed, dropped, _ = sorted(first)
    with org.lock:  # as a failed push and a profile edit in Okta change them
        org.app_users[in_error].sync_state = "ERROR"
        org.users[renamed].email = "renamed@example.com"
    with okta(box) as client:
        assert client.delete(app_path(box) + f"/users/{dropped}").status_code == 204
    second = listed()
    assert second[in_error]["syncState"] == "ERROR"
    assert second[renamed]["profile"]["email"] == "renamed@example.com"
    assert dropped not in second
    assert len(second) == 3
    with okta(box) as client:
        assert client.post(app_path(box) + "/users", json={"id": dropped}).status_code == 200
    third = listed()
    assert third[dropped]["status"] == "PROVISIONED"
    assert len(third) == 4
