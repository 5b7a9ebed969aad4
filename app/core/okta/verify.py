"""Each Okta step of Bitwarden's Okta SCIM article, read back through Okta's Management API.

Every step ends `ok`, `fail` (with the fix, in Admin Console clicks) or `unknown` where Okta's API
cannot show it (the base URL and token of a catalog app are never returned). The connection and
features endpoints are documented only for a few apps: an answer from them is a bonus, a refusal
is normal and never a failure. People assigned but never provisioned are listed with the System
Log's reason and, for a conflict, the Bitwarden member holding that e-mail.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from app.core.cancel import CancelToken
from app.core.okta.client import OktaClient, OktaError, _clean

STEP_IDS = (
    "app_active",
    "icons_hidden",
    "api_integration",
    "base_url",
    "create_users",
    "deactivate_users",
    "username_is_email",
    "assignments",
    "group_push",
    "provisioning_errors",
)
EMAIL_TEMPLATES = ("${source.email}", "${fn:toLowerCase(source.email)}")
PROVISIONED = ("PROVISIONED", "ACTIVE")
_APP = "/api/v1/apps/{id}"


class State(StrEnum):
    OK = "ok"
    FAIL = "fail"
    UNKNOWN = "unknown"


class AppRef(BaseModel):
    id: str
    label: str
    name: str = ""
    status: str = ""


class Step(BaseModel):
    id: str
    state: State
    message: str
    fix: str | None = None


class NotProvisioned(BaseModel):
    email: str
    reason: str
    #: When the System Log logged the failure (its `published`, ISO 8601); None when none was.
    at: str | None = None
    #: The Bitwarden member holding this e-mail or Okta user id as externalId, when one does.
    bitwarden_member: str | None = None


class UsernameMismatch(BaseModel):
    email: str
    app_username: str


class Verification(BaseModel):
    app: AppRef
    steps: list[Step]
    not_provisioned: list[NotProvisioned]
    username_mismatches: list[UsernameMismatch] = []
    assigned_emails: list[str] = []

    @property
    def ok(self) -> bool:
        return all(step.state != State.FAIL for step in self.steps)

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)

    def to_json(self) -> dict[str, Any]:
        """The `okta verify --json` object of interfaces.md (and a row per username mismatch)."""
        return {
            "app": {"id": self.app.id, "label": self.app.label},
            "steps": [s.model_dump(mode="json") for s in self.steps],
            "not_provisioned": [n.model_dump() for n in self.not_provisioned],
            "username_mismatches": [m.model_dump() for m in self.username_mismatches],
        }


@dataclass(frozen=True)
class BitwardenMember:
    """What the verification needs of a Bitwarden member (from the Public API or SCIM)."""

    email: str
    status: str
    external_id: str | None = None


class AppChoiceNeededError(OktaError):
    """Several apps could be Bitwarden's: the admin picks one (`apps`)."""

    def __init__(self, apps: list[AppRef]) -> None:
        names = ", ".join(f"{a.label!r} ({a.id})" for a in apps)
        super().__init__(f"Okta has several apps that may be Bitwarden's: {names}. Pick one.")
        self.apps = apps


#: Okta's object ids are letters and digits (20 of them). An app id is put in URL paths, in the
#: System Log filter `target.id eq "…"` and in what the commands print: anything else is not one.
_OKTA_ID = re.compile(r"[0-9A-Za-z]{1,64}")


def _is_okta_id(value: object) -> bool:
    return isinstance(value, str) and _OKTA_ID.fullmatch(value) is not None


def _ref(app: dict[str, Any]) -> AppRef:
    if not _is_okta_id(app.get("id")):
        raise OktaError(
            "Okta answered with an app whose id is not an Okta id; check the Okta org URL."
        )
    return AppRef(
        id=str(app["id"]),
        label=_clean(str(app.get("label", ""))),
        name=_clean(str(app.get("name", ""))),
        status=_clean(str(app.get("status", "")), 40),
    )


def find_bitwarden_apps(client: OktaClient, cancel: CancelToken | None = None) -> list[AppRef]:
    """Apps whose label or catalog name starts with Bitwarden (Okta's `q`), else any whose label
    mentions it, else the SCIM 2.0 test-app template an older Bitwarden guide used. The catalog
    name of Bitwarden's app is not published, so it is discovered, never assumed."""
    found = client.list_all("/api/v1/apps", {"q": "Bitwarden", "limit": "200"}, cancel)
    if not found:
        every = client.list_all("/api/v1/apps", {"limit": "200"}, cancel)
        found = [
            a
            for a in every
            if "bitwarden" in str(a.get("label", "")).lower()
            or str(a.get("name", "")).startswith("scim2")
        ]
    return [_ref(a) for a in found if a.get("status") != "DELETED" and _is_okta_id(a.get("id"))]


def pick_app(
    client: OktaClient, app_id: str | None = None, cancel: CancelToken | None = None
) -> AppRef:
    """The app to verify: `app_id` when given, else the only candidate; `AppChoiceNeededError` when
    several, an `OktaError` when none."""
    if app_id:
        if not _is_okta_id(app_id):
            raise OktaError(
                f"{_clean(app_id, 80)!r} is not an Okta app id: it is letters and digits, as in "
                "the app's address in the Admin Console (…/admin/app/…/instance/0oa…/)."
            )
        return _ref(client.get(_APP.format(id=quote(app_id, safe="")), cancel=cancel))
    apps = find_bitwarden_apps(client, cancel)
    if not apps:
        raise OktaError(
            "Okta has no Bitwarden app yet. In the Admin Console: Applications → Browse App "
            "Catalog → search 'Bitwarden' → Add Integration."
        )
    if len(apps) > 1:
        raise AppChoiceNeededError(apps)
    return apps[0]


def _optional(
    client: OktaClient, path: str, cancel: CancelToken | None
) -> tuple[Any, OktaError | None]:
    """A call whose refusal is normal (documented only for a few apps, or newer orgs)."""
    try:
        return client.get(path, cancel=cancel), None
    except OktaError as exc:
        if exc.status is None or exc.status in (401, 429) or exc.status >= 500:
            raise
        return None, exc


def verify(
    client: OktaClient,
    app_id: str,
    *,
    members: Sequence[BitwardenMember] | None = None,
    since: dt.datetime | None = None,
    scim_url: str | None = None,
    cancel: CancelToken | None = None,
    people_only: bool = False,
) -> Verification:
    """Read the app, its assignments, push mappings and System Log; judge each step.

    `people_only`: only what is said of people (who is assigned, not provisioned and why, app
    usernames that are not the e-mail), from the app, its users and the System Log, with no
    steps: the members window's reading, made with every refresh that reads Okta, in four
    requests of the nine (and as much less of the token's rate limit)."""
    base = _APP.format(id=quote(app_id, safe=""))
    app = client.get(base, cancel=cancel)
    if not isinstance(app, dict):
        raise OktaError("Okta's answer for the app was not an object.")
    ref = _ref(app)
    # Without `expand=user`: the app user's own profile has the e-mail Okta pushes, and embedding
    # each Okta user made every page about twice as large (and may need okta.users.read too).
    users = client.list_all(f"{base}/users", {"limit": "500"}, cancel)
    groups: list[dict[str, Any]] = []
    mappings = connection = feature = None
    mappings_refused = feature_refused = None
    if not people_only:
        groups = client.list_all(f"{base}/groups", {"limit": "200"}, cancel)
        mappings, mappings_refused = _optional(
            client, f"{base}/group-push/mappings?limit=1000", cancel
        )
        connection, _ = _optional(client, f"{base}/connections/default", cancel)
        feature, feature_refused = _optional(client, f"{base}/features/USER_PROVISIONING", cancel)
    start = since or (dt.datetime.now(dt.UTC) - dt.timedelta(days=7))
    until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    log_params = {
        "filter": f'target.id eq "{app_id}" and outcome.result eq "FAILURE"',
        "since": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "until": until.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "limit": "1000",
        "sortOrder": "DESCENDING",
    }
    failures: list[dict[str, Any]] = []
    logs_error: OktaError | None = None
    try:
        failures = client.list_all("/api/v1/logs", log_params, cancel)
    except OktaError as exc:
        if exc.status not in (400, 403, 404):
            raise
        logs_error = exc

    judge = _Judge(app, users, groups, failures, members or [], scim_url)
    steps: list[Step] = []
    if not people_only:
        steps = [
            judge.app_active(),
            judge.icons_hidden(),
            judge.api_integration(connection, feature, feature_refused),
            judge.base_url(connection),
            judge.push_feature(
                "create_users", "PUSH_NEW_USERS", ("create", "lifecycleCreate"), feature
            ),
            judge.push_feature(
                "deactivate_users",
                "PUSH_USER_DEACTIVATION",
                ("update", "lifecycleDeactivate"),
                feature,
            ),
            judge.username_is_email(),
            judge.assignments(),
            judge.group_push(mappings, mappings_refused),
            judge.provisioning_errors(logs_error),
        ]
    return Verification(
        app=ref,
        steps=steps,
        not_provisioned=judge.not_provisioned(),
        username_mismatches=judge.mismatches,
        assigned_emails=sorted(judge.emails.values()),
    )


def _enabled(feature: Any, path: tuple[str, str]) -> bool | None:
    if not isinstance(feature, dict):
        return None
    node: Any = feature.get("capabilities")
    for key in (*path, "status"):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node == "ENABLED" if isinstance(node, str) else None


def _user_email(user: dict[str, Any]) -> str:
    """The Okta user's e-mail (`expand=user`'s, else the app user's profile's), else the app
    username or the id; any part may be missing or of another type in a hostile answer."""
    embedded = user.get("_embedded")
    embedded = embedded.get("user") if isinstance(embedded, dict) else None
    profile = embedded.get("profile") if isinstance(embedded, dict) else None
    for source in (profile, user.get("profile")):
        if isinstance(source, dict) and isinstance(source.get("email"), str):
            return _clean(source["email"], 320)
    credentials = user.get("credentials")
    name = credentials.get("userName") if isinstance(credentials, dict) else None
    return _clean(str(name or user.get("id", "")))


def _likely_cause(reason: str, member: BitwardenMember | None) -> str:
    """The likely Bitwarden-side cause of `reason`; `member` holds the e-mail or externalId."""
    low = reason.lower()
    if "conflict" in low or "409" in low:
        if member is None:
            return (
                "Bitwarden already has this user (a conflict); check the Admin Console's members."
            )
        holder = (
            f"Bitwarden's member {member.email} ({member.status}) holds this e-mail or externalId"
        )
        if member.status == "revoked":
            return (
                f"{holder}: restore them in the Admin Console (Members → Revoked), or remove them, "
                "then retry the provisioning task in Okta (Dashboard → Tasks)."
            )
        return f"{holder}, but Okta could not match them: make the app username their e-mail."
    if "unauthorized" in low or "401" in low or "authenticat" in low:
        return (
            "Bitwarden refused the API Token Okta holds: the SCIM key was rotated or mistyped. "
            "Paste the current key in Okta (Provisioning → Integration → Edit → API Token)."
        )
    if "matching user not found" in low or "not enabled" in low:
        return "Provisioning is not enabled: Provisioning → Integration → Enable API integration."
    return "See the Okta System Log entry for details."


class _Judge:
    def __init__(
        self,
        app: dict[str, Any],
        users: list[dict[str, Any]],
        groups: list[dict[str, Any]],
        failures: list[dict[str, Any]],
        members: Sequence[BitwardenMember],
        scim_url: str | None,
    ) -> None:
        self.app = app
        self.users = users
        self.groups = groups
        self.failures = failures
        self._members = members
        self.scim_url = scim_url
        feats = app.get("features")
        self.features = {str(f) for f in feats} if isinstance(feats, list) else set()
        # One pass over the app users (1,000 of them with every members-window read of Okta).
        self.emails: dict[str, str] = {}
        self.provisioned: list[dict[str, Any]] = []
        self.mismatches: list[UsernameMismatch] = []
        self.by_name: dict[str, dict[str, Any]] = {}
        for user in users:
            email = self.emails[str(user.get("id", ""))] = _user_email(user)
            if user.get("status") in PROVISIONED and user.get("externalId"):
                self.provisioned.append(user)
            credentials = user.get("credentials")
            raw_name = credentials.get("userName") if isinstance(credentials, dict) else None
            name = _clean(str(raw_name), 320) if raw_name else ""
            self.by_name[email.lower()] = user
            if name:
                self.by_name[str(raw_name).lower()] = user
                if name.lower() != email.lower():
                    self.mismatches.append(UsernameMismatch(email=email, app_username=name))
        self.auth_failures = [
            e
            for e in failures
            if "unauthorized" in _reason(e).lower()
            or e.get("eventType") == "application.integration.authentication_failure"
        ]

    def member_for(self, user: dict[str, Any] | None, email: str) -> BitwardenMember | None:
        """The Bitwarden member holding this e-mail, or this Okta user's id as externalId."""
        found = self._by_email.get(email.lower())
        if found is None and user is not None:
            found = self._by_external_id.get(str(user.get("id", "")))
        return found

    # Built on the first failure that needs them: a read without failures (the usual one) does
    # not index 10,000 members to name none.
    @functools.cached_property
    def _by_email(self) -> dict[str, BitwardenMember]:
        return {m.email.lower(): m for m in self._members}

    @functools.cached_property
    def _by_external_id(self) -> dict[str, BitwardenMember]:
        return {m.external_id: m for m in self._members if m.external_id}

    def app_active(self) -> Step:
        status = str(self.app.get("status", ""))
        if status == "ACTIVE":
            return Step(id="app_active", state=State.OK, message="The Bitwarden app is active.")
        return Step(
            id="app_active",
            state=State.FAIL,
            message=f"The Bitwarden app is {status.lower() or 'not active'}.",
            fix="Applications → Applications → the Bitwarden app → Active (status menu).",
        )

    def icons_hidden(self) -> Step:
        hide = ((self.app.get("visibility") or {}).get("hide")) or {}
        web, mobile = hide.get("web") is True, hide.get("iOS") is True
        if web and mobile:
            return Step(id="icons_hidden", state=State.OK, message="The app's icons are hidden.")
        shown = " and ".join(
            w
            for w, hidden in (("the dashboard", web), ("the Okta Mobile app", mobile))
            if not hidden
        )
        return Step(
            id="icons_hidden",
            state=State.FAIL,
            message=f"The app's icon is shown to users on {shown}.",
            fix="General → App Settings → Edit → tick 'Do not display application icon to users' "
            "and 'Do not display application icon in the Okta Mobile App' → Save.",
        )

    def api_integration(self, connection: Any, feature: Any, refused: OktaError | None) -> Step:
        fix = (
            "Provisioning → Integration → Configure API Integration → tick Enable API "
            "integration, paste the Base URL and API Token → Test API Credentials → Save."
        )
        status = connection.get("status") if isinstance(connection, dict) else None
        refused_text = " ".join(str(refused).lower().split()) if refused else ""
        if status == "DISABLED" or "provisioning is not enabled" in refused_text:
            return Step(
                id="api_integration",
                state=State.FAIL,
                message="API integration is not enabled for the Bitwarden app.",
                fix=fix,
            )
        if self.auth_failures:
            return Step(
                id="api_integration",
                state=State.FAIL,
                message="Bitwarden refused the API Token Okta holds ("
                f"{len(self.auth_failures)} refusal(s) in the System Log): the SCIM key was "
                "rotated or mistyped.",
                fix="Provisioning → Integration → Edit → paste the current SCIM key as API Token "
                "→ Test API Credentials → Save; then retry the failed tasks.",
            )
        pushes = {f for f in self.features if f.startswith("PUSH_")}
        if status == "ENABLED" or pushes or self.provisioned or isinstance(feature, dict):
            evidence = (
                f"{len(self.provisioned)} user(s) provisioned"
                if self.provisioned
                else "provisioning features are on"
            )
            return Step(
                id="api_integration",
                state=State.OK,
                message=f"API integration is enabled ({evidence}).",
            )
        return Step(
            id="api_integration",
            state=State.FAIL,
            message="The app shows no provisioning at all (no To App features, nobody "
            "provisioned).",
            fix=fix,
        )

    def base_url(self, connection: Any) -> Step:
        url = connection.get("baseUrl") if isinstance(connection, dict) else None
        if isinstance(url, str) and url and self.scim_url:
            same = url.rstrip("/").lower() == self.scim_url.rstrip("/").lower()
            return Step(
                id="base_url",
                state=State.OK if same else State.FAIL,
                message=f"Okta's Base URL is {_clean(url)}.",
                fix=None
                if same
                else f"Provisioning → Integration → Edit → Base URL: {self.scim_url}",
            )
        evidence = (
            f" Evidence that they work: {len(self.provisioned)} user(s) provisioned, and the "
            "credential test."
            if self.provisioned and not self.auth_failures
            else " Use the credential test and the System Log as the evidence."
        )
        return Step(
            id="base_url",
            state=State.UNKNOWN,
            message="Okta's API cannot show this: the Base URL and API Token of a catalog app are "
            "never returned." + evidence,
        )

    def push_feature(self, step_id: str, name: str, path: tuple[str, str], feature: Any) -> Step:
        label = "Create Users" if step_id == "create_users" else "Deactivate Users"
        on = _enabled(feature, path)
        if on is None:
            on = name in self.features
        if on:
            return Step(id=step_id, state=State.OK, message=f"To App: {label} is enabled.")
        return Step(
            id=step_id,
            state=State.FAIL,
            message=f"To App: {label} is not enabled.",
            fix=f"Provisioning → To App → Edit → tick {label} (Enable) → Save.",
        )

    def username_is_email(self) -> Step:
        template = str(
            (((self.app.get("credentials") or {}).get("userNameTemplate")) or {}).get(
                "template", ""
            )
        )
        fix = (
            "Sign On → Settings → Edit → Application username format: Email → Save; then "
            "Assignments → the people listed → Edit → their username."
        )
        bad = len(self.mismatches)
        if template in EMAIL_TEMPLATES and not bad:
            return Step(
                id="username_is_email", state=State.OK, message="The app username is the e-mail."
            )
        if bad:
            return Step(
                id="username_is_email",
                state=State.FAIL,
                message=f"{bad} assigned user(s) have an app username that is not their e-mail "
                "(Bitwarden matches users only by an e-mail username).",
                fix=fix,
            )
        if template == "${source.login}":
            return Step(
                id="username_is_email",
                state=State.OK,
                message="The app username is the Okta username, which is every assigned user's "
                "e-mail here.",
            )
        return Step(
            id="username_is_email",
            state=State.FAIL,
            message=f"The app username format is {_clean(template) or 'not set'}, not the e-mail.",
            fix=fix,
        )

    def assignments(self) -> Step:
        if not self.users and not self.groups:
            return Step(
                id="assignments",
                state=State.FAIL,
                message="Nobody is assigned to the Bitwarden app.",
                fix="Assignments → Assign → Assign to People or Assign to Groups.",
            )
        by_group = sum(1 for u in self.users if u.get("scope") == "GROUP")
        states: dict[str, int] = {}
        for user in self.users:
            key = str(user.get("syncState") or user.get("status") or "unknown").lower()
            states[key] = states.get(key, 0) + 1
        detail = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(states.items()))
        return Step(
            id="assignments",
            state=State.OK,
            message=f"{len(self.users)} people assigned ({by_group} through groups), "
            f"{len(self.groups)} group(s); {len(self.provisioned)} provisioned; {detail}.",
        )

    def group_push(self, mappings: Any, refused: OktaError | None) -> Step:
        if not isinstance(mappings, list):
            return Step(
                id="group_push",
                state=State.UNKNOWN,
                message="Okta's API cannot show this here: this org has no Group Push Mappings "
                "API (Okta 2025.09 or later); see Push Groups in the Admin Console.",
            )
        assigned = {str(g.get("id")) for g in self.groups}
        errors = [m for m in mappings if isinstance(m, dict) and m.get("status") == "ERROR"]
        both = [
            m for m in mappings if isinstance(m, dict) and str(m.get("sourceGroupId")) in assigned
        ]
        if errors:
            said = "; ".join(
                _clean(str(m.get("errorSummary") or "no reason given")) for m in errors[:3]
            )
            return Step(
                id="group_push",
                state=State.FAIL,
                message=f"{len(errors)} group push mapping(s) failed: {said}.",
                fix="Push Groups → the failed group → Push Now; if it fails again, see the "
                "System Log.",
            )
        if both:
            return Step(
                id="group_push",
                state=State.FAIL,
                message=f"{len(both)} group(s) are both assigned to the app and pushed: Okta "
                "advises against using one group for both.",
                fix="Push a separate group, or unassign that group and assign people another way.",
            )
        active = sum(1 for m in mappings if isinstance(m, dict) and m.get("status") == "ACTIVE")
        if not mappings:
            return Step(id="group_push", state=State.OK, message="No groups are pushed (optional).")
        return Step(
            id="group_push",
            state=State.OK,
            message=f"{active} of {len(mappings)} group push mapping(s) active, none failed.",
        )

    def provisioning_errors(self, logs_error: OktaError | None) -> Step:
        if logs_error is not None:
            return Step(
                id="provisioning_errors",
                state=State.UNKNOWN,
                message=f"The System Log could not be read: {logs_error}",
            )
        if not self.failures:
            return Step(
                id="provisioning_errors",
                state=State.OK,
                message="No provisioning failures in the System Log since setup began.",
            )
        latest = self.failures[0]
        reason = _reason(latest) or "no reason given"
        who = _target_email(latest)
        user = self.by_name.get(who.lower())
        email = self.emails[str(user.get("id", ""))] if user is not None else who
        return Step(
            id="provisioning_errors",
            state=State.FAIL,
            message=f"{len(self.failures)} provisioning failure(s) in the System Log; the latest"
            f"{' for ' + email if email else ''}: {reason.rstrip('.')}.",
            fix=_likely_cause(reason, self.member_for(user, email)),
        )

    def not_provisioned(self) -> list[NotProvisioned]:
        by_user: dict[str, tuple[str, str | None]] = {}
        for event in reversed(self.failures):  # oldest first, so the latest reason wins
            published = event.get("published")
            at = _clean(published, 40) if isinstance(published, str) else None
            for target in event.get("target") or []:
                if isinstance(target, dict) and target.get("alternateId"):
                    by_user[str(target["alternateId"]).lower()] = (_reason(event), at)
        # By identity: `user in self.provisioned` compared dicts, 1,000 x 1,000 of them.
        provisioned = {id(u) for u in self.provisioned}
        rows: list[NotProvisioned] = []
        for user in self.users:
            if id(user) in provisioned and user.get("syncState") != "ERROR":
                continue
            email = self.emails[str(user.get("id", ""))]
            username = str((user.get("credentials") or {}).get("userName") or "").lower()
            reason, at = by_user.get(email.lower()) or by_user.get(username) or ("", None)
            member = self.member_for(user, email)
            if reason:
                cause = _likely_cause(reason, member)
                text = f"{reason.rstrip('. ')} — {cause}"
            else:
                status = str(user.get("status") or "unknown").lower()
                text = f"Okta has not provisioned them yet (status {status}, no failure logged)."
            holder = member.email if member is not None else None
            rows.append(NotProvisioned(email=email, reason=text, at=at, bitwarden_member=holder))
        return rows


def _reason(event: dict[str, Any]) -> str:
    outcome = event.get("outcome") or {}
    reason = outcome.get("reason") if isinstance(outcome, dict) else None
    if isinstance(reason, str) and reason:
        return _clean(reason)
    return _clean(str(event.get("displayMessage") or ""))


def _target_email(event: dict[str, Any]) -> str:
    for target in event.get("target") or []:
        if isinstance(target, dict) and target.get("type") == "AppUser":
            return _clean(str(target.get("alternateId") or ""), 320)
    return ""
