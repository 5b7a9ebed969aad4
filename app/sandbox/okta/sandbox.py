"""One sandbox Okta org put together: the org, its admin, its API router, its faults, its seed.

`sandbox/server.py` serves `router` on a port of its own (Okta's origin is not Bitwarden's) and
adds `register_control` to the Bitwarden sandbox's control mount.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import SecretStr

from app.sandbox.okta.admin import Admin
from app.sandbox.okta.api import Api
from app.sandbox.okta.faults import Faults, UnknownFaultError
from app.sandbox.okta.org import OktaOrg
from app.sandbox.okta.scim_push import DEMO_PEOPLE
from app.sandbox.router import BadJsonError, Request, Response, Router

#: Okta groups the org starts with; the first three demo people are in the one the demo pushes
#: (a name the Bitwarden seed does not use: a second group of the same name would be confusing).
PUSHED_GROUP = "Platform Team"


class OktaSandbox:
    """The Okta org of one sandbox, connected to its Bitwarden SCIM endpoint."""

    def __init__(self, scim_url: str, scim_key: SecretStr) -> None:
        self.org = OktaOrg(scim_url, scim_key)
        self.admin = Admin(self.org)
        self.faults = Faults(self.admin)
        self.api: Api | None = None
        self.router = Router()

    def serve_at(self, base_url: str) -> None:
        """Register the API once the origin (and so every `_links` href) is known."""
        self.api = Api(self.org, self.admin, base_url)
        self.api.register(self.router)

    def seed(self, existing: Iterable[tuple[str, str]] = ()) -> None:
        """The demo people (not yet assigned), people already in Bitwarden, a group.

        `existing` is `(name, email)` of some Bitwarden members: the same people in Okta, with
        a short Okta username (login) as some directories have, so a template on the login shows.
        """
        demo = [self.org.add_user(p.given_name, p.family_name, p.email) for p in DEMO_PEOPLE]
        self.org.add_group(PUSHED_GROUP, [u.id for u in demo[:3]])
        self.org.add_group("Everyone", [u.id for u in demo])
        for name, email in existing:
            first, _, last = name.partition(" ")
            local = email.split("@", 1)[0]
            self.org.add_user(first or local, last or local, email, login=local)

    def seed_assigned(self, count: int) -> None:
        """`count` more people, each assigned and provisioned over real SCIM (benchmarks, pages)."""
        for n in range(count):
            user = self.org.add_user("User", f"{n:05d}", f"okta.user{n:05d}@example.com")
            self.admin.assign_user(user.id)

    def demo_assign(self, email: str) -> bool:
        """The demo admin assigns one person; True when Okta provisioned them."""
        user = self.org.user_by_email(email)
        if user is None:
            return False
        return self.admin.assign_user(user.id).status == "PROVISIONED"

    def bitwarden_id(self, email: str) -> str | None:
        """The Bitwarden member id Okta linked this person to (the app user's `externalId`)."""
        user = self.org.user_by_email(email)
        with self.org.lock:
            app_user = self.org.app_users.get(user.id) if user is not None else None
            return app_user.external_id if app_user is not None else None

    def demo_push_group(self) -> None:
        """The demo admin pushes the Platform Team group (one that is not also assigned)."""
        group = next(g for g in self.org.groups.values() if g.name == PUSHED_GROUP)
        if not any(m.source_group_id == group.id for m in self.org.mappings.values()):
            self.admin.create_mapping(group.id)

    def register_control(self, router: Router, prefix: str) -> None:
        """`POST {control_url}/okta/faults {"fault": NAME}`, `…/rate-limit`, `…/settings`,
        `…/service-app`."""

        def fault(request: Request) -> Response:
            try:
                body = request.json()
            except BadJsonError:
                return Response.json(400, {"error": "the body is not JSON"})
            name = body.get("fault") if isinstance(body, dict) else None
            try:
                return Response.json(200, self.faults.apply(str(name)))
            except UnknownFaultError:
                known = ", ".join(sorted(self.faults.table))
                return Response.json(400, {"error": f"unknown fault {name!r}; known: {known}"})

        def rate_limit(request: Request) -> Response:
            reset_in = 1.0
            if request.body.strip():
                try:
                    body = request.json()
                except BadJsonError:
                    return Response.json(400, {"error": "the body is not JSON"})
                if isinstance(body, dict) and isinstance(body.get("reset_in"), int | float):
                    reset_in = float(body["reset_in"])
            assert self.api is not None
            self.api.rate_limits.exhaust(reset_in)
            return Response.json(200, {"exhausted_for": reset_in})

        def settings(request: Request) -> Response:
            """`{"connection_api": bool, "group_push_api": bool}`: the other plausible answers;
            `{"writes_fail_after": N | null}`: N more API writes, then one 500 (a write failing
            midway through an apply)."""
            try:
                body = request.json()
            except BadJsonError:
                return Response.json(400, {"error": "the body is not JSON"})
            if not isinstance(body, dict):
                return Response.json(400, {"error": "the body is not an object"})
            with self.org.lock:
                for name in ("connection_api", "group_push_api"):
                    value = body.get(name)
                    if isinstance(value, bool):
                        setattr(self.org, name, value)
                if "writes_fail_after" in body:
                    after = body["writes_fail_after"]
                    if after is not None and (not isinstance(after, int) or after < 0):
                        return Response.json(400, {"error": "writes_fail_after: N >= 0 or null"})
                    self.org.writes_fail_after = after
                current = {
                    "connection_api": self.org.connection_api,
                    "group_push_api": self.org.group_push_api,
                    "writes_fail_after": self.org.writes_fail_after,
                }
            return Response.json(200, current)

        def service_app(request: Request) -> Response:
            """`{"scopes": [...], "role": R|null, "require_dpop", "resource_nonce",
            "strict_scopes": bool, "token_lifetime": S, "revoke_tokens": true,
            "rotate_dpop_nonce": true}`: the service app's tabs in Okta (and two test levers)."""
            body: object = {}
            if request.body.strip():
                try:
                    body = request.json()
                except BadJsonError:
                    return Response.json(400, {"error": "the body is not JSON"})
            if not isinstance(body, dict):
                return Response.json(400, {"error": "the body is not an object"})
            assert self.api is not None
            return Response.json(200, self.api.oauth.settings(body))

        router.post(prefix + "/okta/faults", fault)
        router.post(prefix + "/okta/service-app", service_app)
        router.post(prefix + "/okta/settings", settings)
        router.post(prefix + "/okta/rate-limit", rate_limit)
