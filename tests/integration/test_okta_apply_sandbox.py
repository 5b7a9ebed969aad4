"""Apply, only when asked, against the sandbox's Okta org over real HTTP: the plan (what is there
is skipped, the assigned-and-pushed conflict refused), the apply and its read-back, a read-only
token's one sentence with nothing changed, a half-done apply and its rerun, a cancel between
steps, and `okta apply` on the command line. The sandbox's own state (not our client's reading)
says what Okta holds, and Bitwarden's groups say what its push did."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.cli import main
from app.core.cancel import CancelToken
from app.core.memory_keyring import MemoryKeyring
from app.core.okta.apply import (
    BOTH,
    READ_ONLY,
    SERVICE_APP_READ_ONLY,
    Action,
    Outcome,
    apply_plan,
    list_groups,
    make_plan,
    writing,
)
from app.core.okta.client import OktaClient
from app.core.okta.service_app import READ_SCOPES, WRITE_SCOPES, ServiceApp, normalized
from app.sandbox.server import Sandbox
from tests.fixtures.sandbox import SandboxFactory


@pytest.fixture
def box(sandbox_factory: SandboxFactory) -> Sandbox:
    return sandbox_factory(members=5, seed=3)


def okta(box: Sandbox, *, read_only: bool = False) -> OktaClient:
    token = box.info["okta_read_only_token" if read_only else "okta_token"]
    return OktaClient(box.info["okta_url"], SecretStr(token))


def okta_holds(box: Sandbox) -> tuple[set[str], dict[str, str]]:
    """What the sandbox Okta org holds: assigned group names, pushed group name → status."""
    assert box.okta is not None
    org = box.okta.org
    with org.lock:
        assigned = {org.groups[g].name for g in org.group_assignments}
        pushed = {org.groups[m.source_group_id].name: m.status for m in org.mappings.values()}
    return assigned, pushed


def bitwarden_groups(box: Sandbox) -> dict[str, list[str]]:
    state = httpx.get(box.info["control_url"] + "/state").json()
    return {g["name"]: g["memberIds"] for g in state["groups"]}


def fail_writes_after(box: Sandbox, n: int | None) -> None:
    answer = httpx.post(box.info["control_url"] + "/okta/settings", json={"writes_fail_after": n})
    assert answer.status_code == 200, answer.text


def test_the_plan_writes_nothing_skips_what_is_there_and_refuses_the_conflict(box: Sandbox) -> None:
    app_id = box.info["okta_app_id"]
    with okta(box) as client:
        plan = make_plan(client, app_id, assign=["everyone"], push=["Platform Team", "Nobody"])
        assert [(c.action, c.group_name) for c in plan.changes] == [
            (Action.ASSIGN, "Everyone"),
            (Action.PUSH, "Platform Team"),
        ]
        assert plan.changes[1].target_name == "Platform Team"
        assert plan.changes[1].target_group_id is None  # Bitwarden has no such group: created
        assert plan.changes[1].note is None  # its members are all in Everyone, assigned first
        alone = make_plan(client, app_id, push=["Platform Team"])
        assert alone.changes[0].note is not None
        assert alone.changes[0].note.startswith("3 of its 3 members are not assigned to the app")
        assert "   Note: 3 of its 3 members" in "\n".join(alone.lines())
        assert [(r.group, r.reason) for r in plan.refused] == [
            ("Nobody", "Okta has no group of this name (Directory → Groups).")
        ]
        assert okta_holds(box) == (set(), {})  # a plan is reads only

        both = make_plan(client, app_id, assign=["Platform Team"], push=["Platform Team"])
        assert both.changes == []
        [refused] = both.refused
        assert refused.group == "Platform Team"
        assert refused.reason == f"The group was {BOTH}"

        result = apply_plan(client, make_plan(client, app_id, assign=["Everyone"]))
        assert result.verified
        again = make_plan(client, app_id, assign=["Everyone"])
        assert again.changes == []
        assert [s.reason for s in again.skipped] == ["already assigned."]
        # Pushing a group Okta already assigns: the same conflict, said with what is there now.
        [pushed_too] = make_plan(client, app_id, push=["Everyone"]).refused
        assert pushed_too.action is Action.PUSH
        assert "advises against" in pushed_too.reason
        shown = {g.name: (g.assigned, g.pushed) for g in list_groups(client, app_id)}
    assert shown == {"Everyone": (True, False), "Platform Team": (False, False)}


def test_apply_makes_each_change_and_reads_it_back(box: Sandbox) -> None:
    app_id = box.info["okta_app_id"]
    with okta(box) as client:
        plan = make_plan(client, app_id, assign=["Everyone"], push=["Platform Team"])
        seen: list[tuple[int, int, str]] = []
        result = apply_plan(client, plan, progress=lambda *step: seen.append(step))
    assert result.verified, result.lines()
    assert [s.outcome for s in result.steps] == [Outcome.DONE, Outcome.DONE]
    assert [s.read_back for s in result.steps] == [
        "Okta shows the group assigned to the app.",
        "Okta shows the push mapping active and pushed.",
    ]
    assert [n for n, _, _ in seen] == [0, 1, 2]
    assert okta_holds(box) == ({"Everyone"}, {"Platform Team": "ACTIVE"})
    # Okta really provisioned: Bitwarden has the pushed group with its three (assigned) members.
    assert len(bitwarden_groups(box)["Platform Team"]) == 3
    assert result.to_json()["verified"] is True


def test_a_read_only_token_gets_one_sentence_and_changes_nothing(box: Sandbox) -> None:
    app_id = box.info["okta_app_id"]
    with okta(box, read_only=True) as client:
        plan = make_plan(client, app_id, assign=["Everyone"], push=["Platform Team"])
        assert len(plan.changes) == 2  # it may read: the plan is made
        result = apply_plan(client, plan)
    assert result.refusal == READ_ONLY
    assert not result.verified
    assert [s.outcome for s in result.steps] == [Outcome.FAILED, Outcome.NOT_RUN]
    text = "\n".join(result.lines())
    assert text.count("App admin role") == 1
    assert "HTTP" not in text
    assert "E0000006" not in text
    assert okta_holds(box) == (set(), {})


def test_a_half_done_apply_is_reported_exactly_and_a_rerun_does_only_the_rest(
    box: Sandbox,
) -> None:
    app_id = box.info["okta_app_id"]
    fail_writes_after(box, 1)  # the first write lands, the second gets Okta's 500
    with okta(box) as client:
        first = apply_plan(
            client, make_plan(client, app_id, assign=["Everyone"], push=["Platform Team"])
        )
        assert [(s.outcome, s.verified) for s in first.steps] == [
            (Outcome.DONE, True),
            (Outcome.FAILED, None),
        ]
        assert "internal error" in first.steps[1].message
        assert not first.verified
        assert okta_holds(box) == ({"Everyone"}, {})

        rerun = make_plan(client, app_id, assign=["Everyone"], push=["Platform Team"])
        assert [c.action for c in rerun.changes] == [Action.PUSH]
        assert [s.group for s in rerun.skipped] == ["Everyone"]
        second = apply_plan(client, rerun)
    assert second.verified
    assert okta_holds(box) == ({"Everyone"}, {"Platform Team": "ACTIVE"})


def test_a_cancel_between_steps_leaves_the_rest_not_run_and_reads_back_the_done(
    box: Sandbox,
) -> None:
    app_id = box.info["okta_app_id"]
    cancel = CancelToken()

    def progress(done: int, total: int, _text: str) -> None:
        if done == 1:
            cancel.cancel()  # the admin pressed Cancel while the first write was answered

    with okta(box) as client:
        plan = make_plan(client, app_id, assign=["Everyone"], push=["Platform Team"])
        result = apply_plan(client, plan, cancel=cancel, progress=progress)
    assert result.cancelled
    assert [(s.outcome, s.verified) for s in result.steps] == [
        (Outcome.DONE, True),
        (Outcome.NOT_RUN, None),
    ]
    assert okta_holds(box) == ({"Everyone"}, {})


def test_a_push_links_the_app_group_okta_already_has(box: Sandbox) -> None:
    app_id = box.info["okta_app_id"]
    with okta(box) as client:
        assert apply_plan(client, make_plan(client, app_id, push=["Platform Team"])).verified
        [mapping] = client.list_all(f"/api/v1/apps/{app_id}/group-push/mappings")
        base = f"/api/v1/apps/{app_id}/group-push/mappings/{mapping['id']}"
        client.send("PATCH", base, body={"status": "INACTIVE"})
        client.send("DELETE", base)
        plan = make_plan(client, app_id, push=["Platform Team"])
        [change] = plan.changes
        assert change.target_group_id == mapping["targetGroupId"]
        assert "linked to the group “Platform Team” that Bitwarden already has" in change.describe()
        assert apply_plan(client, plan).verified
    assert list(bitwarden_groups(box)).count("Platform Team") == 1


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def profile_box(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
    box: Sandbox,
) -> Sandbox:
    info = box.info
    monkeypatch.setenv("T_SCIM", info["scim_key"])
    monkeypatch.setenv("T_OKTA", info["okta_token"])
    monkeypatch.setenv("T_OKTA_RO", info["okta_read_only_token"])
    for name, variable in (("Box", "T_OKTA"), ("ReadOnly", "T_OKTA_RO")):
        code = main(
            ["profile", "save", name, "--url", info["scim_url"], "--key-env", "T_SCIM",
             "--okta-url", info["okta_url"], "--okta-token-env", variable]
        )  # fmt: skip
        assert code == 0
    capsys.readouterr()
    return box


def _service_app(box: Sandbox, **tabs: Any) -> ServiceApp:
    """The sandbox's service app with its Okta tabs set as `tabs` say (scopes, role, …)."""
    answer = httpx.post(box.info["control_url"] + "/okta/service-app", json=tabs)
    assert answer.status_code == 200, answer.text
    return normalized(
        box.info["okta_client_id"],
        SecretStr(box.info["okta_private_key_pem"]),
        box.info["okta_key_id"],
    )


def _scopes_issued(box: Sandbox) -> list[frozenset[str]]:
    """The scopes of each access token the sandbox Okta handed out, oldest first."""
    assert box.okta is not None
    assert box.okta.api is not None
    oauth = box.okta.api.oauth
    with oauth._lock:
        return [issued.scopes for issued in oauth._tokens.values()]


@pytest.mark.parametrize("require_dpop", [False, True], ids=["bearer", "dpop_required"])
def test_a_service_app_previews_with_read_scopes_and_applies_with_the_write_ones(
    box: Sandbox, require_dpop: bool
) -> None:
    """Okta refuses a token request naming a scope not granted (strict), so the preview must not
    ask for the write scopes: an app granted only reads can still see the plan. With "Require
    DPoP" (Okta's default) the writes go with DPoP proofs too."""
    app = _service_app(
        box,
        scopes=[*READ_SCOPES, *WRITE_SCOPES],
        role="APP_ADMIN",
        strict_scopes=True,
        require_dpop=require_dpop,
    )
    with OktaClient(box.info["okta_url"], app) as client:
        plan = make_plan(
            client, box.info["okta_app_id"], assign=["Everyone"], push=["Platform Team"]
        )
    assert _scopes_issued(box) == [frozenset(READ_SCOPES)]
    with OktaClient(box.info["okta_url"], writing(app)) as client:
        result = apply_plan(client, plan)
    assert result.verified, result.lines()
    assert _scopes_issued(box)[1] == frozenset(READ_SCOPES + WRITE_SCOPES)
    assert okta_holds(box) == ({"Everyone"}, {"Platform Team": "ACTIVE"})
    assert box.okta is not None
    assert box.okta.api is not None
    bound = [i.jkt is not None for i in box.okta.api.oauth._tokens.values()]
    assert bound == [require_dpop, require_dpop]
    token = SecretStr("a token")
    assert writing(token) is token  # an API token is used as it is


@pytest.mark.parametrize("strict", [False, True], ids=["scopes left out", "scopes refused"])
def test_a_read_only_service_app_gets_its_own_sentence_and_changes_nothing(
    box: Sandbox, strict: bool
) -> None:
    """Okta leaves a scope not granted out of the token (a 403 on the write), or refuses the token
    request: either way one sentence naming the scopes and the role, not the token's words."""
    app = _service_app(box, scopes=list(READ_SCOPES), role="READ_ONLY_ADMIN", strict_scopes=strict)
    with OktaClient(box.info["okta_url"], app) as client:
        plan = make_plan(
            client, box.info["okta_app_id"], assign=["Everyone"], push=["Platform Team"]
        )
    assert len(plan.changes) == 2  # it may read: the plan is made
    with OktaClient(box.info["okta_url"], writing(app)) as client:
        result = apply_plan(client, plan)
    assert result.refusal == SERVICE_APP_READ_ONLY
    assert [s.outcome for s in result.steps] == [Outcome.FAILED, Outcome.NOT_RUN]
    text = "\n".join(result.lines())
    assert text.count("okta.apps.manage and okta.groups.manage") == 1
    assert "token's admin" not in text
    assert okta_holds(box) == (set(), {})


def _apply(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["okta", "apply", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_without_yes_prints_the_plan_and_changes_nothing(
    profile_box: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _apply(
        capsys, "--profile", "Box", "--assign-group", "Everyone", "--push-group", "Platform Team"
    )
    assert code == 0
    assert "1. Assign the group “Everyone” to the app" in out
    assert "2. Push the group “Platform Team”, creating “Platform Team” in Bitwarden." in out
    assert "Nothing was changed. Run again with --yes" in out
    assert okta_holds(profile_box) == (set(), {})

    code, out, _ = _apply(capsys, "--profile", "Box", "--assign-group", "Everyone", "--json")
    data: dict[str, Any] = json.loads(out)
    assert code == 0
    assert data["applied"] is False
    assert data["verified"] is None
    assert [(c["action"], c["group"], c["outcome"]) for c in data["changes"]] == [
        ("assign_group", "Everyone", "planned")
    ]
    assert okta_holds(profile_box) == (set(), {})


def test_cli_with_yes_applies_reads_back_and_a_rerun_has_nothing_to_do(
    profile_box: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--profile", "Box", "--assign-group", "Everyone", "--push-group", "Platform Team"]
    code, out, err = _apply(capsys, *args, "--yes", "--json")
    assert code == 0, out + err
    data = json.loads(out)
    assert data["verified"] is True
    assert [(c["outcome"], c["verified"]) for c in data["changes"]] == [("done", True)] * 2
    assert okta_holds(profile_box) == ({"Everyone"}, {"Platform Team": "ACTIVE"})
    assert profile_box.info["okta_token"] not in out + err

    code, out, _ = _apply(capsys, *args, "--yes")
    assert code == 0
    assert "nothing to change" in out
    assert "Already done: “Everyone”: already assigned." in out


def test_cli_half_done_says_so_and_the_same_command_does_the_rest(
    profile_box: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--profile", "Box", "--assign-group", "Everyone", "--push-group", "Platform Team"]
    fail_writes_after(profile_box, 1)
    code, out, _ = _apply(capsys, *args, "--yes")
    assert code == 1
    assert out.startswith("Not all done: run the same command again to do the rest.")
    assert "✔ 1. Assign the group “Everyone”" in out
    code, out, _ = _apply(capsys, *args, "--yes")
    assert code == 0
    assert out.startswith("Done: Okta shows every change.")
    assert "1. Push the group “Platform Team”" in out
    assert okta_holds(profile_box) == ({"Everyone"}, {"Platform Team": "ACTIVE"})


def test_cli_read_only_token_conflict_and_usage(
    profile_box: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _apply(capsys, "--profile", "ReadOnly", "--assign-group", "Everyone", "--yes")
    assert code == 1
    assert out.count(READ_ONLY) == 1
    assert okta_holds(profile_box) == (set(), {})

    both = ["--assign-group", "Everyone", "--push-group", "Everyone"]
    code, out, _ = _apply(capsys, "--profile", "Box", *both, "--yes")
    assert code == 1  # refused: not everything asked for is done
    assert "advises against one group for both" in out
    assert okta_holds(profile_box) == (set(), {})

    code, _, err = _apply(capsys, "--profile", "Box")
    assert code == 2
    assert "--assign-group" in err
