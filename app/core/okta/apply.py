"""Apply, only when asked: assign groups to the Bitwarden app and create Group Push mappings.

Three stages, each its own call, so nothing is written before the admin has seen the plan:
`make_plan` reads Okta (the app's group assignments, its push mappings, the org's groups) and
turns the admin's choice into the concrete changes, skipping what is already there and refusing
what Okta advises against (one group both assigned and pushed: its push runs before its members
are provisioned, so Bitwarden gets an empty group); `apply_plan` makes the changes one by one
(cancellable between steps; each step's outcome kept, so a half-done apply is reported exactly
and a new plan does only the rest), then reads each change back from Okta.

Only these two writes: the connection (Base URL, API Token) and To App's settings of a catalog
app are not offered by Okta's API (okta-management-api.md §4, §5) and stay manual steps.
Written from the reference (§6.2 `PUT /apps/{id}/groups/{gid}`, §7 `POST …/group-push/mappings`,
§1.2 the roles writes need), never from the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from app.core.cancel import Cancelled, CancelToken
from app.core.okta.client import OktaClient, OktaCredential, OktaError, _clean
from app.core.okta.service_app import ServiceApp, for_writing
from app.core.okta.verify import AppRef, pick_app

#: The one sentence a token that may read but not change apps gets (instead of per-step errors).
READ_ONLY = (
    "This token's admin can read but not change apps: use a token of an admin with the App admin "
    "role, or make the change in Okta: Applications → Bitwarden → Assignments → Assign → Assign to "
    "Groups (and Push Groups → + Push Groups for a pushed group)."
)
SERVICE_APP_READ_ONLY = (
    "This service app can read but not change apps: grant it okta.apps.manage and "
    "okta.groups.manage on its Okta API Scopes tab and the Application Administrator role on its "
    "Admin Roles tab, or make the change in Okta: Applications → Bitwarden → Assignments → Assign "
    "→ Assign to Groups (and Push Groups → + Push Groups for a pushed group)."
)
NO_PUSH_API = (
    "This Okta org has no Group Push Mappings API (Okta 2025.09 or later), so groups cannot be "
    "pushed from here: in Okta, Applications → Bitwarden → Push Groups → + Push Groups → Find "
    "groups by name."
)
BOTH = (
    "chosen both to assign and to push: Okta advises against one group for both (the push runs "
    "before its members are provisioned, so Bitwarden gets the group empty). Assign one group "
    "and push another."
)
_APP = "/api/v1/apps/{id}"


class Action(StrEnum):
    ASSIGN = "assign_group"
    PUSH = "push_group"


class Outcome(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    FAILED = "failed"
    NOT_RUN = "not_run"


class OktaGroup(BaseModel):
    """An Okta group as the picker shows it (name cleaned); `assigned`/`pushed` as Okta has it."""

    id: str
    name: str
    type: str = "OKTA_GROUP"
    assigned: bool = False
    pushed: bool = False


class Change(BaseModel):
    """One write the plan makes. For a push, `target_name` is the group Bitwarden gets, and
    `target_group_id` the app group Okta already has under that name (linked, not created)."""

    action: Action
    group_id: str
    group_name: str
    target_name: str | None = None
    target_group_id: str | None = None
    #: What the admin should know before this change (a push of members not assigned).
    note: str | None = None

    def describe(self) -> str:
        if self.action is Action.ASSIGN:
            return (
                f"Assign the group “{self.group_name}” to the app: Okta provisions its members "
                "to Bitwarden."
            )
        if self.target_group_id:
            return (
                f"Push the group “{self.group_name}”, linked to the group “{self.target_name}” "
                "that Bitwarden already has."
            )
        return f"Push the group “{self.group_name}”, creating “{self.target_name}” in Bitwarden."


class Left(BaseModel):
    """Something asked for that the plan does not do, and why (already done, or refused)."""

    action: Action
    group: str
    reason: str


class Plan(BaseModel):
    app: AppRef
    changes: list[Change]
    skipped: list[Left] = []
    refused: list[Left] = []

    def lines(self) -> list[str]:
        """The plan as plain text, exactly what will change (and what will not, and why)."""
        if self.changes:
            out = [f"Okta app “{self.app.label}” ({self.app.id}): {len(self.changes)} change(s)."]
            for n, change in enumerate(self.changes, 1):
                out.append(f"{n}. {change.describe()}")
                if change.note:
                    out.append(f"   Note: {change.note}")
        else:
            out = [f"Okta app “{self.app.label}” ({self.app.id}): nothing to change."]
        out += [f"Already done: “{s.group}”: {s.reason}" for s in self.skipped]
        out += [f"Not done: “{r.group}”: {r.reason}" for r in self.refused]
        return out


class StepResult(BaseModel):
    change: Change
    outcome: Outcome
    message: str
    #: Read back from Okta after the apply: True shown there, False not (or in error), None unread.
    verified: bool | None = None
    read_back: str = ""
    mapping_id: str | None = None
    #: The write got no answer (timeout, dropped connection): it may have landed.
    unanswered: bool = False


class ApplyResult(BaseModel):
    plan: Plan
    steps: list[StepResult]
    #: One sentence when Okta refused writes as such (a read-only token, a missing role).
    refusal: str | None = None
    cancelled: bool = False

    @property
    def verified(self) -> bool:
        """Every change made and read back from Okta, and nothing asked for refused."""
        return (
            not self.plan.refused
            and self.refusal is None
            and all(s.verified is True for s in self.steps)
        )

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.refusal:
            out.append(self.refusal)
        if self.cancelled:
            out.append("Stopped before the end: apply again for the steps not run.")
        for n, step in enumerate(self.steps, 1):
            mark = {True: "✔", False: "✘", None: "·"}[step.verified]
            out.append(f"{mark} {n}. {step.change.describe()} — {step.message}")
            if step.read_back:
                out.append(f"    Read back: {step.read_back}")
        out += [f"Not done: “{r.group}”: {r.reason}" for r in self.plan.refused]
        return out

    def to_json(self, applied: bool = True) -> dict[str, Any]:
        """The `okta apply --json` object of interfaces.md."""
        rows: list[dict[str, Any]] = []
        steps: list[StepResult | None] = list(self.steps) or [None] * len(self.plan.changes)
        for change, step in zip(self.plan.changes, steps, strict=True):
            rows.append(
                {
                    "action": change.action.value,
                    "group": change.group_name,
                    "group_id": change.group_id,
                    "target_group": change.target_name,
                    "link": change.target_group_id is not None,
                    "description": change.describe(),
                    "note": change.note,
                    "outcome": step.outcome.value if step else Outcome.PLANNED.value,
                    "verified": step.verified if step else None,
                    "message": step.message if step else "",
                    "read_back": step.read_back if step else "",
                }
            )
        return {
            "app": {"id": self.plan.app.id, "label": self.plan.app.label},
            "applied": applied,
            "changes": rows,
            "skipped": [s.model_dump(mode="json") for s in self.plan.skipped],
            "refused": [r.model_dump(mode="json") for r in self.plan.refused],
            "refusal": self.refusal,
            "cancelled": self.cancelled,
            "verified": self.verified if applied else None,
        }


def _base(app_id: str) -> str:
    return _APP.format(id=quote(app_id, safe=""))


def _name(group: dict[str, Any]) -> str:
    profile = group.get("profile")
    name = profile.get("name") if isinstance(profile, dict) else None
    return _clean(str(name or group.get("id", "")), 200)


def _source_app(group: dict[str, Any]) -> str:
    """The app an `APP_GROUP` comes from (`_links.source`, or `_embedded.app` with expand)."""
    embedded = (group.get("_embedded") or {}).get("app")
    if isinstance(embedded, dict) and isinstance(embedded.get("id"), str):
        return str(embedded["id"])
    source = (group.get("_links") or {}).get("source")
    href = source.get("href") if isinstance(source, dict) else None
    return str(href).rstrip("/").rsplit("/", 1)[-1] if href else ""


def _mappings(
    client: OktaClient, base: str, cancel: CancelToken | None
) -> list[dict[str, Any]] | None:
    """The app's push mappings; None when the org has no Group Push Mappings API (older orgs)."""
    try:
        return client.list_all(f"{base}/group-push/mappings", {"limit": "1000"}, cancel)
    except OktaError as exc:
        if exc.status in (400, 404) or (exc.status == 401 and exc.code == "E0000015"):
            return None
        raise


class _OrgGroups:
    """The org's groups, the app's assignments and push mappings, read once for a plan."""

    def __init__(self, client: OktaClient, app_id: str, cancel: CancelToken | None) -> None:
        base = _base(app_id)
        self.every = client.list_all("/api/v1/groups", {"limit": "200"}, cancel)
        self.assigned = {
            str(a.get("id"))
            for a in client.list_all(f"{base}/groups", {"limit": "200"}, cancel)
            if isinstance(a.get("id"), str)
        }
        self.mappings = _mappings(client, base, cancel)
        self.pushed = {str(m.get("sourceGroupId")): m for m in self.mappings or []}
        self.app_groups = {
            _name(g).lower(): g
            for g in self.every
            if g.get("type") == "APP_GROUP" and _source_app(g) in ("", app_id)
        }

    def choices(self) -> list[OktaGroup]:
        """Groups an admin may assign or push: the directory's own (not the apps' groups)."""
        out = [
            OktaGroup(
                id=str(g.get("id")),
                name=_name(g),
                type=str(g.get("type") or "OKTA_GROUP"),
                assigned=str(g.get("id")) in self.assigned,
                pushed=str(g.get("id")) in self.pushed,
            )
            for g in self.every
            if g.get("type") in ("OKTA_GROUP", "BUILT_IN", None) and g.get("id")
        ]
        return sorted(out, key=lambda g: (g.name.casefold(), g.id))

    def find(self, wanted: str) -> tuple[dict[str, Any] | None, str | None]:
        """The group named (case-insensitive) or with this id; a reason when none or several."""
        own = [g for g in self.every if g.get("type") != "APP_GROUP"]
        by_id = [g for g in own if g.get("id") == wanted]
        if by_id:
            return by_id[0], None
        named = [g for g in own if _name(g).casefold() == wanted.strip().casefold()]
        if len(named) == 1:
            return named[0], None
        if named:
            ids = ", ".join(str(g.get("id")) for g in named)
            return None, f"Okta has {len(named)} groups of this name ({ids}); name one by its id."
        return None, "Okta has no group of this name (Directory → Groups)."


def list_groups(
    client: OktaClient, app_id: str, cancel: CancelToken | None = None
) -> list[OktaGroup]:
    """The groups the wizard offers, each with whether it is assigned or pushed now."""
    return _OrgGroups(client, app_id, cancel).choices()


def make_plan(
    client: OktaClient,
    app_id: str | None,
    *,
    assign: Sequence[str] = (),
    push: Sequence[str] = (),
    cancel: CancelToken | None = None,
) -> Plan:
    """The concrete changes for the groups chosen (names or ids): reads only, writes nothing."""
    app = pick_app(client, app_id, cancel)
    org = _OrgGroups(client, app.id, cancel)
    changes: list[Change] = []
    skipped: list[Left] = []
    refused: list[Left] = []
    seen: set[tuple[Action, str]] = set()
    resolved: list[tuple[Action, str, dict[str, Any]]] = []
    for action, names in ((Action.ASSIGN, assign), (Action.PUSH, push)):
        for wanted in names:
            group, why = org.find(wanted)
            if group is None:
                refused.append(Left(action=action, group=_clean(wanted, 200), reason=str(why)))
                continue
            key = (action, str(group["id"]))
            if key not in seen:
                seen.add(key)
                resolved.append((action, str(group["id"]), group))
    both = {gid for action, gid, _ in resolved if action is Action.ASSIGN} & {
        gid for action, gid, _ in resolved if action is Action.PUSH
    }
    for action, gid, group in resolved:
        name = _name(group)
        if gid in both:  # said once, on the push (the half Okta advises against)
            if action is Action.PUSH:
                refused.append(Left(action=action, group=name, reason=f"The group was {BOTH}"))
        elif action is Action.ASSIGN:
            if gid in org.assigned:
                skipped.append(Left(action=action, group=name, reason="already assigned."))
            elif gid in org.pushed:
                refused.append(
                    Left(action=action, group=name, reason=f"The group is pushed, and {_BOTH_NOW}")
                )
            else:
                changes.append(Change(action=action, group_id=gid, group_name=name))
        else:
            change = _push_change(org, gid, group, name)
            if isinstance(change, Left):
                (skipped if change.reason.startswith("already") else refused).append(change)
            else:
                changes.append(change)
    _note_unassigned_members(client, app.id, changes, cancel)
    return Plan(app=app, changes=changes, skipped=skipped, refused=refused)


def _note_unassigned_members(
    client: OktaClient, app_id: str, changes: list[Change], cancel: CancelToken | None
) -> None:
    """Okta pushes only the members it provisioned to the app (okta-scim.md §2.9): a pushed
    group whose members are not assigned (now, or by this plan's assignments) arrives in
    Bitwarden without them. Said on the push, before anything is written."""
    pushes = [c for c in changes if c.action is Action.PUSH]
    if not pushes:
        return

    def members(group_id: str) -> set[str]:
        path = f"/api/v1/groups/{quote(group_id, safe='')}/users"
        return {str(u.get("id")) for u in client.list_all(path, {"limit": "1000"}, cancel)}

    assigned = {
        str(u.get("id"))
        for u in client.list_all(f"{_base(app_id)}/users", {"limit": "500"}, cancel)
    }
    for change in changes:
        if change.action is Action.ASSIGN:
            assigned |= members(change.group_id)
    for change in pushes:
        group = members(change.group_id)
        missing = len(group - assigned)
        if not group:
            change.note = (
                "the group has no members yet: Bitwarden gets it empty until people are added."
            )
        elif missing:
            change.note = (
                f"{missing} of its {len(group)} members are not assigned to the app, and Okta "
                "pushes only members it provisioned: Bitwarden gets the group without them. "
                "Assign them first (or a group with them)."
            )


_BOTH_NOW = (
    "Okta advises against one group both assigned and pushed (the push runs before its members "
    "are provisioned). Assign another group, or stop pushing this one first."
)


def _push_change(org: _OrgGroups, gid: str, group: dict[str, Any], name: str) -> Change | Left:
    if org.mappings is None:
        return Left(action=Action.PUSH, group=name, reason=NO_PUSH_API)
    if group.get("type") == "BUILT_IN":
        return Left(
            action=Action.PUSH,
            group=name,
            reason="Okta's built-in groups (Everyone) cannot be pushed; push a group of your own.",
        )
    existing = org.pushed.get(gid)
    if existing is not None:
        status = str(existing.get("status") or "").upper()
        if status == "ACTIVE":
            return Left(action=Action.PUSH, group=name, reason="already pushed.")
        return Left(
            action=Action.PUSH,
            group=name,
            reason=f"already has a push mapping, {status.lower() or 'in an unknown state'}: "
            "in Okta, Push Groups → the group → Activate (or Push Now).",
        )
    if gid in org.assigned:
        reason = f"The group is assigned, and {_BOTH_NOW}"
        return Left(action=Action.PUSH, group=name, reason=reason)
    target = org.app_groups.get(name.lower())
    return Change(
        action=Action.PUSH,
        group_id=gid,
        group_name=name,
        target_name=_name(target) if target else name,
        target_group_id=str(target["id"]) if target else None,
    )


#: A step's progress for the caller: (steps done, steps in all, what is being done now).
Progress = Callable[[int, int, str], None]


def _is_refusal(exc: OktaError) -> bool:
    """Okta refused the write as such (role or scope, or a service app's token with the write
    scopes), not this one change."""
    return (exc.status == 403 and exc.code != "E0000005") or exc.code == "invalid_scope"


def _stops(exc: OktaError) -> bool:
    """A failure that would fail every later step too (auth, rate limit, Okta down, network)."""
    return (
        exc.status is None
        or exc.status in (401, 403, 429)
        or exc.status >= 500
        or exc.code == "invalid_scope"
    )


def writing(credential: OktaCredential) -> OktaCredential:
    """The credential to make the changes with: a service app asks for the write scopes too
    (the preview reads with the read scopes, which is all a read-only app may ask for)."""
    return for_writing(credential) if isinstance(credential, ServiceApp) else credential


def apply_plan(
    client: OktaClient,
    plan: Plan,
    *,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
) -> ApplyResult:
    """Make each change, in order, then read each one back. Never raises for a step's failure:
    it is that step's outcome (the steps after a failure that would fail them too are not run).
    A cancel stops between steps; what was done is read back all the same."""
    base = _base(plan.app.id)
    total = len(plan.changes)
    steps: list[StepResult] = []
    refusal: str | None = None
    cancelled = stop = False
    for n, change in enumerate(plan.changes):
        if not stop and cancel is not None and cancel.cancelled:
            cancelled = True
        if stop or cancelled:
            steps.append(StepResult(change=change, outcome=Outcome.NOT_RUN, message="not run."))
            continue
        if progress is not None:
            progress(n, total, change.describe())
        try:
            steps.append(_write(client, base, change, cancel))
        except Cancelled:
            cancelled = True
            steps.append(
                StepResult(
                    change=change, outcome=Outcome.NOT_RUN, message="stopped before it was sent."
                )
            )
        except OktaError as exc:
            if _is_refusal(exc) and client.access_tokens is not None:
                refusal = SERVICE_APP_READ_ONLY
                message = "Okta refused it (this service app may not change apps)."
            elif _is_refusal(exc):
                refusal = READ_ONLY
                message = "Okta refused it (this token's admin may not change apps)."
            else:
                message = f"failed: {exc}"
            step = StepResult(change=change, outcome=Outcome.FAILED, message=message)
            step.unanswered = exc.status is None
            steps.append(step)
            stop = _stops(exc)
    if progress is not None:
        progress(total, total, "Reading the changes back from Okta…")
    _read_back(client, base, steps)
    return ApplyResult(plan=plan, steps=steps, refusal=refusal, cancelled=cancelled)


def _write(client: OktaClient, base: str, change: Change, cancel: CancelToken | None) -> StepResult:
    if change.action is Action.ASSIGN:
        client.send("PUT", f"{base}/groups/{quote(change.group_id, safe='')}", cancel=cancel)
        return StepResult(change=change, outcome=Outcome.DONE, message="done.")
    body: dict[str, str] = {"sourceGroupId": change.group_id, "status": "ACTIVE"}
    if change.target_group_id:
        body["targetGroupId"] = change.target_group_id
    else:
        body["targetGroupName"] = change.target_name or change.group_name
    data, _ = client.send("POST", f"{base}/group-push/mappings", body=body, cancel=cancel)
    mapping_id = str(data.get("id")) if isinstance(data, dict) and data.get("id") else None
    return StepResult(change=change, outcome=Outcome.DONE, message="done.", mapping_id=mapping_id)


def _read_back(client: OktaClient, base: str, steps: list[StepResult]) -> None:
    """Each change as Okta shows it now. A step that failed without an answer (a timeout, a
    dropped connection) is read back too: the write may have landed."""
    for step in steps:
        unclear = step.outcome is Outcome.FAILED and step.unanswered
        if step.outcome is not Outcome.DONE and not unclear:
            continue
        try:
            if step.change.action is Action.ASSIGN:
                _read_assignment(client, base, step)
            else:
                _read_mapping(client, base, step)
        except OktaError as exc:
            if exc.status == 404:
                step.verified, step.read_back = False, "Okta does not show this change."
            else:
                step.verified, step.read_back = None, f"could not be read back: {exc}"
        except Cancelled:
            step.verified, step.read_back = None, "not read back (stopped)."
        if unclear and step.verified:
            step.outcome, step.message = Outcome.DONE, "done (its answer was lost)."


def _read_assignment(client: OktaClient, base: str, step: StepResult) -> None:
    gid = quote(step.change.group_id, safe="")
    got = client.get(f"{base}/groups/{gid}")
    shown = isinstance(got, dict) and got.get("id") == step.change.group_id
    step.verified = shown
    step.read_back = (
        "Okta shows the group assigned to the app."
        if shown
        else "Okta's answer does not show the assignment."
    )


def _read_mapping(client: OktaClient, base: str, step: StepResult) -> None:
    found = client.list_all(
        f"{base}/group-push/mappings", {"sourceGroupId": step.change.group_id, "limit": "1000"}
    )
    mine = [m for m in found if m.get("sourceGroupId") == step.change.group_id]
    if not mine:
        step.verified, step.read_back = False, "Okta shows no push mapping for the group."
        return
    mapping = mine[0]
    step.mapping_id = step.mapping_id or (str(mapping.get("id")) if mapping.get("id") else None)
    status = str(mapping.get("status") or "")
    error = _clean(str(mapping.get("errorSummary") or ""))
    if status == "ACTIVE" and not error:
        step.verified = True
        pushed = " and pushed" if mapping.get("lastPush") else " (Okta pushes it shortly)"
        step.read_back = f"Okta shows the push mapping active{pushed}."
    else:
        step.verified = False
        said = f": {error}" if error else ""
        step.read_back = f"Okta shows the push mapping {status.lower() or 'in no state'}{said}."
