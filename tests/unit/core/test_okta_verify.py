"""Each Okta step against a purpose-built Okta org in its good state and in each faulty one."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from app.core.okta.client import OktaClient, OktaError
from app.core.okta.verify import (
    STEP_IDS,
    AppChoiceNeededError,
    BitwardenMember,
    State,
    Verification,
    pick_app,
    verify,
)
from tests.fixtures.hostile_server import HostileServer
from tests.fixtures.okta_org import APP_ID, TOKEN, FakeOktaOrg, app_user, failure

SCIM_URL = "https://bw.example.com/scim/v2/0d9b6a3e-8f7c-4b1d-9a2e-3c4d5e6f7a8b"


def _verify(
    server: HostileServer, org: FakeOktaOrg, members: list[BitwardenMember] | None = None
) -> Verification:
    org.install(server)
    with OktaClient(server.url, SecretStr(TOKEN)) as okta:
        return verify(okta, APP_ID, members=members, scim_url=SCIM_URL)


def _states(result: Verification) -> dict[str, str]:
    return {s.id: s.state.value for s in result.steps}


def test_a_good_setup_verifies_every_readable_step(hostile_server: HostileServer) -> None:
    result = _verify(hostile_server, FakeOktaOrg())
    assert [s.id for s in result.steps] == list(STEP_IDS)
    states = _states(result)
    assert states.pop("base_url") == "unknown"
    assert set(states.values()) == {"ok"}, result.steps
    assert "cannot show" in result.step("base_url").message
    assert "2 user(s) provisioned" in result.step("base_url").message
    assert result.not_provisioned == []
    assert result.ok
    assert result.to_json()["app"] == {"id": APP_ID, "label": "Bitwarden"}


def test_deactivate_users_off(hostile_server: HostileServer) -> None:
    org = FakeOktaOrg()
    org.app["features"] = ["PUSH_NEW_USERS", "GROUP_PUSH"]
    result = _verify(hostile_server, org)
    step = result.step("deactivate_users")
    assert step.state == State.FAIL
    assert step.fix is not None
    assert "Deactivate Users" in step.fix
    assert result.step("create_users").state == State.OK
    assert not result.ok


def test_the_features_endpoint_when_it_answers_wins_over_the_array(
    hostile_server: HostileServer,
) -> None:
    org = FakeOktaOrg()
    org.feature = {
        "name": "USER_PROVISIONING",
        "status": "ENABLED",
        "capabilities": {
            "create": {"lifecycleCreate": {"status": "DISABLED"}},
            "update": {"lifecycleDeactivate": {"status": "ENABLED"}},
        },
    }
    result = _verify(hostile_server, org)
    assert result.step("create_users").state == State.FAIL
    assert result.step("deactivate_users").state == State.OK


def test_username_is_login(hostile_server: HostileServer) -> None:
    org = FakeOktaOrg(users=[app_user(1, userName="jdoe"), app_user(2)])
    org.app["credentials"]["userNameTemplate"]["template"] = "${source.login}"
    result = _verify(hostile_server, org)
    step = result.step("username_is_email")
    assert step.state == State.FAIL
    assert "1 assigned user" in step.message
    assert step.fix is not None
    assert "Application username format: Email" in step.fix
    assert [(m.email, m.app_username) for m in result.username_mismatches] == [
        ("user1@example.com", "jdoe")
    ]


def test_token_rotated(hostile_server: HostileServer) -> None:
    org = FakeOktaOrg(
        users=[app_user(1), app_user(3, status="STAGED", email="new@example.com")],
        logs=[
            failure(
                "new@example.com",
                "Unauthorized. Errors reported by remote server: ",
                "application.provision.user.verify_exists",
            )
        ],
    )
    result = _verify(hostile_server, org)
    api = result.step("api_integration")
    assert api.state == State.FAIL
    assert api.fix is not None
    assert "API Token" in api.fix
    errors = result.step("provisioning_errors")
    assert errors.state == State.FAIL
    assert "new@example.com" in errors.message
    assert errors.fix is not None
    assert "SCIM key was rotated" in errors.fix
    assert [n.email for n in result.not_provisioned] == ["new@example.com"]
    assert "Unauthorized" in result.not_provisioned[0].reason
    assert "evidence" not in result.step("base_url").message.lower().split("use")[0]


def test_revoked_member_conflict_names_the_bitwarden_member(hostile_server: HostileServer) -> None:
    org = FakeOktaOrg(
        users=[app_user(1), app_user(4, status="STAGED", email="gone@example.com")],
        logs=[
            failure(
                "gone@example.com",
                "Conflict. Errors reported by remote server: User already exists.",
            )
        ],
    )
    members = [
        BitwardenMember("user1@example.com", "confirmed"),
        BitwardenMember("Gone@Example.com", "revoked", "old-ext-id"),
    ]
    result = _verify(hostile_server, org, members)
    (row,) = result.not_provisioned
    assert row.email == "gone@example.com"
    assert "Conflict" in row.reason
    assert "revoked" in row.reason
    assert "restore them" in row.reason
    assert row.bitwarden_member == "Gone@Example.com"  # the member holding the person
    assert row.at == "2026-12-03T01:00:00.000Z"  # when the System Log logged it
    assert result.step("provisioning_errors").state == State.FAIL


def test_group_assigned_and_pushed(hostile_server: HostileServer) -> None:
    group = {"id": "00g000000000000eng01", "priority": 0, "profile": {"name": "Engineering"}}
    mapping = {
        "id": "gPm00000000000000001",
        "sourceGroupId": group["id"],
        "targetGroupId": "00g000000000000tgt01",
        "status": "ACTIVE",
        "errorSummary": "",
    }
    org = FakeOktaOrg(groups=[group], mappings=[mapping])
    result = _verify(hostile_server, org)
    step = result.step("group_push")
    assert step.state == State.FAIL
    assert "both assigned" in step.message
    assert "1 group(s)" in result.step("assignments").message


def test_a_failed_push_mapping(hostile_server: HostileServer) -> None:
    mapping = {
        "id": "gPm00000000000000002",
        "sourceGroupId": "00g000000000000pus01",
        "status": "ERROR",
        "errorSummary": "Conflict. Errors reported by remote server: group exists",
    }
    result = _verify(hostile_server, FakeOktaOrg(mappings=[mapping]))
    step = result.step("group_push")
    assert step.state == State.FAIL
    assert "group exists" in step.message


def test_an_org_without_the_group_push_api_is_unknown_not_failed(
    hostile_server: HostileServer,
) -> None:
    result = _verify(hostile_server, FakeOktaOrg(mappings=None))
    assert result.step("group_push").state == State.UNKNOWN
    assert result.ok


def test_provisioning_never_enabled(hostile_server: HostileServer) -> None:
    org = FakeOktaOrg(users=[app_user(1, status="STAGED")], provisioning_enabled=False)
    org.app["features"] = []
    result = _verify(hostile_server, org)
    assert result.step("api_integration").state == State.FAIL
    assert result.step("create_users").state == State.FAIL
    assert [n.email for n in result.not_provisioned] == ["user1@example.com"]
    assert "no failure logged" in result.not_provisioned[0].reason


def test_icons_shown_and_app_inactive(hostile_server: HostileServer) -> None:
    org = FakeOktaOrg()
    org.app["status"] = "INACTIVE"
    org.app["visibility"] = {"hide": {"web": False, "iOS": True}}
    result = _verify(hostile_server, org)
    assert result.step("app_active").state == State.FAIL
    icons = result.step("icons_hidden")
    assert icons.state == State.FAIL
    assert "the dashboard" in icons.message


def test_nobody_assigned(hostile_server: HostileServer) -> None:
    result = _verify(hostile_server, FakeOktaOrg(users=[]))
    assert result.step("assignments").state == State.FAIL


def test_a_readable_base_url_is_compared(hostile_server: HostileServer) -> None:
    org = FakeOktaOrg(connection={"status": "ENABLED", "baseUrl": SCIM_URL + "/x"})
    result = _verify(hostile_server, org)
    assert result.step("base_url").state == State.FAIL
    assert result.step("api_integration").state == State.OK


def test_a_system_log_refusal_is_unknown(hostile_server: HostileServer) -> None:
    result = _verify(hostile_server, FakeOktaOrg(forbidden={"/api/v1/logs"}))
    assert result.step("provisioning_errors").state == State.UNKNOWN


def test_discovery_one_several_none(hostile_server: HostileServer) -> None:
    org = FakeOktaOrg()
    org.install(hostile_server)
    with OktaClient(hostile_server.url, SecretStr(TOKEN)) as okta:
        assert pick_app(okta).id == APP_ID
        org.other_apps.append(
            {"id": "0oa2", "name": "scim2headerauth", "label": "Bitwarden EU", "status": "ACTIVE"}
        )
        with pytest.raises(AppChoiceNeededError) as several:
            pick_app(okta)
        assert [a.id for a in several.value.apps] == [APP_ID, "0oa2"]
        assert pick_app(okta, APP_ID).label == "Bitwarden"
        org.app["label"] = "Vault"
        org.app["name"] = "vault"
        org.other_apps.clear()
        with pytest.raises(OktaError) as none:
            pick_app(okta)
        assert "Browse App Catalog" in str(none.value)


def test_an_app_id_that_is_not_one_is_never_used_or_printed(hostile_server: HostileServer) -> None:
    """A hostile org's app id with a terminal escape and a quote: it was printed as is by
    `okta verify` (stdout, and stderr in the several-apps sentence), and put inside the System
    Log filter `target.id eq "..."` where a quote rewrites the filter. Okta's ids are letters and
    digits; such an app is left out, and such an `--app-id` is refused before any request."""
    org = FakeOktaOrg()
    org.install(hostile_server)
    hostile = '0oa\x1b]0;pwned\x07" or target.id pr or "'
    org.other_apps.append(
        {"id": hostile, "name": "bitwarden", "label": "Bitwarden 2", "status": "ACTIVE\x1b[2J"}
    )
    with OktaClient(hostile_server.url, SecretStr(TOKEN)) as okta:
        assert pick_app(okta).id == APP_ID  # the only app that can be one
        sent = len(hostile_server.requests)
        with pytest.raises(OktaError) as caught:
            pick_app(okta, hostile)
        assert len(hostile_server.requests) == sent
        assert "\x1b" not in str(caught.value)
        assert "not an Okta app id" in str(caught.value)
        org.app["id"] = hostile  # the app itself answers with such an id
        with pytest.raises(OktaError) as caught:
            pick_app(okta, APP_ID)
        assert "\x1b" not in str(caught.value)


def test_app_users_of_the_wrong_shapes_are_read_without_a_crash(
    hostile_server: HostileServer,
) -> None:
    """A hostile or broken org's app users whose parts are of other types: each is still
    counted, with the e-mail it has, and nothing raises (a list for `credentials` was an
    AttributeError, `_embedded` as a string one too)."""
    odd = [
        {**app_user(1), "credentials": ["jdoe"]},
        {**app_user(2), "_embedded": "user", "profile": None, "credentials": {"userName": 7}},
        {**app_user(3), "_embedded": {"user": []}, "credentials": None},
    ]
    result = _verify(hostile_server, FakeOktaOrg(users=odd))
    assert result.assigned_emails == ["7", "user1@example.com", "user3@example.com"]
    assert [(m.email, m.app_username) for m in result.username_mismatches] == []
    assert result.step("assignments").state == State.OK
