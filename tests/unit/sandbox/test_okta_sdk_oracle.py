"""The independent oracle: Okta's own Python SDK (PyPI `okta`) reads the sandbox Okta org.

Its pydantic models parse every answer; that, not our reading of Okta's docs, says the emulator
speaks Okta. The SDK takes an http:// org URL only with its testing switch, and reads `~/.okta`
and `./okta.yaml`: the conftest's throwaway HOME and a tmp working directory keep those out.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from okta import client as okta_client
from okta import pagination as okta_pagination

from app.sandbox.server import Sandbox
from tests.fixtures.sandbox import SandboxFactory

ASSIGNED = 1000


@pytest.fixture
def sdk_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")
    for name in list(os.environ):
        if name.startswith("OKTA_CLIENT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def client_for(box: Sandbox, **extra: Any) -> Any:
    config = {"orgUrl": box.info["okta_url"], "token": box.info["okta_token"], **extra}
    return okta_client.Client(config)


@pytest.fixture
def big(sandbox_factory: SandboxFactory) -> Sandbox:
    return sandbox_factory(members=5, okta_assigned=ASSIGNED)


def test_the_sdk_reads_apps_features_users_groups_and_the_log(sdk_env: None, big: Sandbox) -> None:
    app_id = big.info["okta_app_id"]

    async def read() -> dict[str, Any]:
        client = client_for(big)
        apps, _, err = await client.list_applications(q="Bitwarden")
        assert err is None
        app, _, err = await client.get_application(app_id)
        assert err is None
        features, _, err = await client.list_features_for_application(app_id)
        assert err is None
        connection, _, err = await client.get_default_provisioning_connection_for_application(
            app_id
        )
        assert err is None
        pages = [
            page
            async for page, _number, _more in okta_pagination.paginate_pages(
                client.list_application_users, limit=200, app_id=app_id
            )
        ]
        groups, _, err = await client.list_groups()
        assert err is None
        assigned_groups, _, err = await client.list_application_group_assignments(app_id)
        assert err is None
        mappings, _, err = await client.list_group_push_mappings(app_id)
        assert err is None
        logs, _, err = await client.list_log_events(
            since="2020-01-01T00:00:00Z",
            filter='eventType eq "application.provision.user.push"',
            limit=1000,
        )
        assert err is None
        return {
            "apps": apps,
            "app": app,
            "features": features,
            "connection": connection,
            "pages": pages,
            "groups": groups,
            "assigned_groups": assigned_groups,
            "mappings": mappings,
            "logs": logs,
        }

    got = asyncio.run(read())
    [app] = got["apps"]
    assert app.id == got["app"].id == app_id
    assert got["app"].label == "Bitwarden"
    assert got["app"].visibility.hide.web is True
    assert got["app"].credentials.user_name_template.template == "${source.email}"
    [feature] = got["features"]
    assert feature.capabilities.create.lifecycle_create.status.value == "ENABLED"
    assert got["connection"].status.value == "ENABLED"
    assert [len(page) for page in got["pages"]] == [200] * 5
    users = [u for page in got["pages"] for u in page]
    assert len({u.id for u in users}) == ASSIGNED
    assert {(u.status, u.sync_state) for u in users} == {("PROVISIONED", "SYNCHRONIZED")}
    assert all(u.external_id for u in users)
    assert {g.profile.actual_instance.name for g in got["groups"]} >= {"Platform Team", "Everyone"}
    assert got["assigned_groups"] == []
    assert got["mappings"] == []
    assert len(got["logs"]) == ASSIGNED
    assert {e.outcome.result for e in got["logs"]} == {"SUCCESS"}


def test_the_sdk_waits_out_a_429_by_its_reset(sdk_env: None, sandbox: Sandbox) -> None:
    httpx.post(sandbox.info["control_url"] + "/okta/rate-limit", json={"reset_in": 1})

    async def read() -> tuple[Any, Any, float]:
        client = client_for(sandbox, rateLimit={"maxRetries": 2})
        started = time.monotonic()
        apps, _, err = await client.list_applications()
        return apps, err, time.monotonic() - started

    apps, err, waited = asyncio.run(read())
    assert err is None, err
    assert [a.id for a in apps] == [sandbox.info["okta_app_id"]]
    assert waited >= 1.0  # it waited for X-Rate-Limit-Reset (relative to Date) before retrying


def test_the_sdk_parses_okta_s_error_object(sdk_env: None, sandbox: Sandbox) -> None:
    async def read() -> Any:
        client = client_for(sandbox)
        _, _, err = await client.get_application("0oa00000000000000000")
        return err

    err = asyncio.run(read())
    assert err is not None
    assert err.error_code == "E0000007"
    assert err.status == 404


@pytest.mark.parametrize(
    ("fault", "event_type"),
    [
        ("username_is_login", "application.provision.user.push"),
        ("token_rotated", "application.provision.user.verify_exists"),
        ("revoked_member_conflict", "application.provision.user.push"),
    ],
)
def test_the_sdk_reads_each_fault_s_failure_in_the_log(
    sdk_env: None, sandbox: Sandbox, fault: str, event_type: str
) -> None:
    httpx.post(sandbox.info["control_url"] + "/okta/faults", json={"fault": fault})
    app_id = sandbox.info["okta_app_id"]

    async def read() -> Any:
        client = client_for(sandbox)
        logs, _, err = await client.list_log_events(
            since="2020-01-01T00:00:00Z",
            filter=f'target.id eq "{app_id}" and outcome.result eq "FAILURE"',
        )
        assert err is None
        return logs

    logs = asyncio.run(read())
    assert event_type in {e.event_type for e in logs}
    assert all(e.outcome.reason for e in logs)


def test_the_sdk_reads_back_what_okta_apply_made_and_parses_a_read_only_refusal(
    sdk_env: None, sandbox: Sandbox
) -> None:
    """An independent check of `okta apply`: Okta's own client sees the group assigned, the push
    mapping active with its app group, and the read-only token's 403 as Okta's error object."""
    from pydantic import SecretStr

    from app.core.okta.apply import apply_plan, make_plan
    from app.core.okta.client import OktaClient

    app_id = sandbox.info["okta_app_id"]
    with OktaClient(sandbox.info["okta_url"], SecretStr(sandbox.info["okta_token"])) as ours:
        plan = make_plan(ours, app_id, assign=["Everyone"], push=["Platform Team"])
        assert apply_plan(ours, plan).verified
    everyone, platform = (c.group_id for c in plan.changes)

    async def read() -> dict[str, Any]:
        client = client_for(sandbox)
        assigned, _, err = await client.list_application_group_assignments(app_id)
        assert err is None
        mappings, _, err = await client.list_group_push_mappings(app_id)
        assert err is None
        [mapping] = mappings
        target, _, err = await client.get_group(mapping.target_group_id)
        assert err is None
        read_only = client_for(sandbox, token=sandbox.info["okta_read_only_token"])
        _, _, refused = await read_only.assign_group_to_application(app_id, platform)
        return {"assigned": assigned, "mapping": mapping, "target": target, "refused": refused}

    got = asyncio.run(read())
    assert [a.id for a in got["assigned"]] == [everyone]
    assert got["mapping"].source_group_id == platform
    assert got["mapping"].status == "ACTIVE"
    assert got["mapping"].error_summary == ""
    assert got["target"].type == "APP_GROUP"
    assert got["target"].profile.actual_instance.name == "Platform Team"
    assert got["target"].links.source.href.endswith(f"/api/v1/apps/{app_id}")
    assert got["refused"].error_code == "E0000006"
    assert got["refused"].status == 403


def test_the_sdk_as_a_service_app_gets_a_token_and_lists_apps(
    sdk_env: None, sandbox: Sandbox
) -> None:
    """Okta's SDK in `authorizationMode: PrivateKey` builds its own client assertion (PyJWT,
    jwcrypto) and token request: the sandbox's token endpoint must take it, and its Bearer token
    must read the apps and the log; a scope the SDK did not ask for is refused as Okta does."""
    info = sandbox.info
    config = {
        "orgUrl": info["okta_url"],
        "authorizationMode": "PrivateKey",
        "clientId": info["okta_client_id"],
        "scopes": ["okta.apps.read", "okta.logs.read"],
        "privateKey": info["okta_private_key_pem"],
        "kid": info["okta_key_id"],
    }

    async def read() -> tuple[Any, Any, Any]:
        client: Any = okta_client.Client(config)
        apps, _, err = await client.list_applications()
        assert err is None, err
        logs, _, log_err = await client.list_log_events(since="2020-01-01T00:00:00Z")
        assert log_err is None, log_err
        _, refused, _ = await client.list_groups()
        return apps, logs, refused

    apps, logs, refused = asyncio.run(read())
    assert [a.id for a in apps] == [info["okta_app_id"]]
    assert isinstance(logs, list)
    # okta.groups.read was not asked for: 403 with an empty body (which this SDK version does
    # not report as an error) and the scope in `WWW-Authenticate`.
    assert refused.status_code == 403
    assert 'scope="okta.groups.read"' in refused.headers["WWW-Authenticate"]
    assert sandbox.okta is not None
    assert sandbox.okta.api is not None
    assert sandbox.okta.api.oauth.issued == 1  # one token, cached by the SDK for every call
