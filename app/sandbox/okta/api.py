"""The Management API subset under `/api/v1`, on the Okta org's own origin.

Okta's conventions throughout (okta-management-api.md §1.1, §2, §12): `SSWS` token auth (401
`E0000011`, 403 `E0000005`), the error object (`errorCode`, `errorSummary`, `errorLink`,
`errorId`, `errorCauses`), arrays as list bodies with `Link: <…>; rel="self"` and `rel="next"`
(opaque `after`, `limit` bounded per endpoint), and `X-Rate-Limit-*` headers on every answer with
429 `E0000047` once a bucket's minute is used up.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from app.sandbox.json_cache import FragmentCache
from app.sandbox.okta import shapes
from app.sandbox.okta.admin import Admin
from app.sandbox.okta.oauth import TOKEN_PATH, OAuth
from app.sandbox.okta.org import AppUser, OktaOrg, iso
from app.sandbox.router import BadJsonError, Mount, Request, Response, Router

JSON = "application/json"
T = TypeVar("T")


class OktaError(Exception):
    def __init__(self, status: int, code: str, summary: str, causes: Sequence[str] = ()) -> None:
        super().__init__(summary)
        self.status, self.code, self.summary, self.causes = status, code, summary, list(causes)


def error_response(status: int, code: str, summary: str, causes: Sequence[str] = ()) -> Response:
    body = {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": "oae" + secrets.token_urlsafe(16)[:22],
        "errorCauses": [{"errorSummary": cause} for cause in causes],
    }
    return Response.json(status, body, JSON)


def not_found(what: str) -> OktaError:
    return OktaError(404, "E0000007", f"Not found: Resource not found: {what} ({what})")


#: Per-minute buckets (DD-RL's defaults for these endpoints, rounded).
BUCKETS: tuple[tuple[str, int], ...] = (
    ("/api/v1/logs", 120),
    ("/api/v1/apps", 100),
    ("/api/v1/groups", 500),
    ("/api/v1/users", 600),
)


class RateLimits:
    """Fixed one-minute windows per bucket; `exhaust()` forces the next answers to be 429."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}
        self._forced_until: float = 0.0
        self.limits = dict(BUCKETS)

    def exhaust(self, reset_in: float = 1.0) -> None:
        """Every bucket answers 429 until `reset_in` seconds from now (tests, the demo)."""
        with self._lock:
            self._forced_until = time.time() + reset_in

    def bucket(self, path: str) -> str:
        for prefix, _ in BUCKETS:
            if path.lower().startswith(prefix):
                return prefix
        return "/api/v1"

    def take(self, path: str) -> tuple[bool, int, int, int]:
        """(allowed, limit, remaining, reset epoch seconds) for one request on `path`."""
        bucket = self.bucket(path)
        limit = self.limits.get(bucket, 600)
        now = time.time()
        with self._lock:
            start, count = self._windows.get(bucket, (now, 0))
            if now >= start + 60:
                start, count = now, 0
            if now < self._forced_until:
                return False, limit, 0, int(self._forced_until) + 1
            count += 1
            self._windows[bucket] = (start, count)
            reset = int(start + 60) + 1
            if count > limit:
                return False, limit, 0, reset
            return True, limit, limit - count, reset


# -- filters -----------------------------------------------------------------------------------

_CONDITION = re.compile(r'\s*([A-Za-z_.]+)\s+(eq|sw|co|ew|ne)\s+"((?:[^"\\]|\\.)*)"\s*', re.I)


def parse_filter(text: str) -> list[tuple[str, str, str]]:
    """`a eq "x" and b sw "y"` → conditions (ANDed); anything else is E0000031/E0000053."""
    conditions: list[tuple[str, str, str]] = []
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.I):
        match = _CONDITION.fullmatch(part)
        if match is None:
            raise OktaError(400, "E0000031", "Invalid search criteria.")
        conditions.append((match.group(1), match.group(2).lower(), match.group(3)))
    return conditions


def _test(value: str | None, op: str, wanted: str) -> bool:
    if value is None:
        return False
    if op == "eq":
        return value == wanted
    if op == "ne":
        return value != wanted
    if op == "sw":
        return value.startswith(wanted)
    if op == "ew":
        return value.endswith(wanted)
    return wanted.lower() in value.lower()


class Api:
    """The routes; `base` is the org URL used in `_links` and `Link` headers."""

    def __init__(self, org: OktaOrg, admin: Admin, base: str) -> None:
        self.org, self.admin, self.base = org, admin, base
        self.rate_limits = RateLimits()
        #: The API Services app and the org authorization server's tokens.
        self.oauth = OAuth(base)
        #: Each request's rate-limit headers, from its check to its answer (keyed by `id`).
        self._rates: dict[int, tuple[int, int, int]] = {}
        #: The app users' JSON, kept between pages and requests (`_app_user_fragment`).
        self._app_user_fragments = FragmentCache()

    # -- the mount's checks -----------------------------------------------------------------

    def before(self, request: Request) -> Response | None:
        if request.path.lower().startswith("/.well-known/"):
            return None
        allowed, limit, remaining, reset = self.rate_limits.take(request.path)
        self._rates[id(request)] = (limit, remaining, reset)
        if not allowed:
            return error_response(
                429, "E0000047", "API call exceeded rate limit due to too many requests."
            )
        header = (request.header("Authorization") or "").strip()
        if header[:7].lower() == "bearer ":
            return self._oauth(request, "Bearer", header[7:]) or self._write_fault(request)
        if header[:5].lower() == "dpop ":
            return self._oauth(request, "DPoP", header[5:]) or self._write_fault(request)
        # The official SDK (3.4.6) sends `SSWS<token>` with no space: Okta must accept both.
        scheme, token = header[:4], header[4:]
        if scheme != "SSWS" or not token.strip():
            return error_response(403, "E0000005", "Invalid session")
        given = token.strip()
        if secrets.compare_digest(given, self.org.token.get_secret_value()):
            return self._write_fault(request)
        if not secrets.compare_digest(given, self.org.read_only_token.get_secret_value()):
            return error_response(401, "E0000011", "Invalid token provided")
        if request.method not in ("GET", "HEAD"):
            # A Read-only Administrator's token reads everything and may change nothing.
            return error_response(
                403, "E0000006", "You do not have permission to perform the requested action"
            )
        return None

    def _write_fault(self, request: Request) -> Response | None:
        """The control endpoint's `writes_fail_after`: N more writes, then one 500 (once)."""
        if request.method in ("GET", "HEAD"):
            return None
        with self.org.lock:
            left = self.org.writes_fail_after
            if left is None:
                return None
            if left > 0:
                self.org.writes_fail_after = left - 1
                return None
            self.org.writes_fail_after = None
        return error_response(500, "E0000009", "Internal Server Error")

    def _oauth(self, request: Request, scheme: str, token: str) -> Response | None:
        """An OAuth access token: 401 `invalid_token`, 403 `insufficient_scope` (empty body),
        403 `E0000006` without an admin role that may do this; a DPoP-bound one: 400 for a
        missing or bad proof, 401 `use_dpop_nonce` when the nonce is asked for."""
        refusal = self.oauth.authorize(request, token.strip(), scheme)
        if refusal is None:
            return None
        if refusal.kind == "invalid_token":
            response = error_response(401, "E0000011", "Invalid token provided")
        elif refusal.kind == "nonce":
            body = {
                "error": "use_dpop_nonce",
                "error_description": "Resource server requires nonce in DPoP proof.",
            }
            response = Response.json(401, body, JSON)
        elif refusal.kind == "role":
            response = error_response(
                403, "E0000006", "You do not have permission to perform the requested action"
            )
        else:
            response = Response.empty(refusal.status)
        if refusal.challenge:
            response.headers.append(("WWW-Authenticate", refusal.challenge))
        if refusal.nonce is not None:
            response.headers.append(("DPoP-Nonce", refusal.nonce))
        return response

    def after(self, request: Request, response: Response) -> Response:
        rate = self._rates.pop(id(request), None)
        if rate is not None:
            limit, remaining, reset = rate
            response.headers += [
                ("X-Rate-Limit-Limit", str(limit)),
                ("X-Rate-Limit-Remaining", str(remaining)),
                ("X-Rate-Limit-Reset", str(reset)),
            ]
        response.headers.append(("X-Okta-Request-Id", secrets.token_urlsafe(18)))
        return response

    # -- helpers ----------------------------------------------------------------------------

    def _page(
        self,
        request: Request,
        items: list[T],
        key: Callable[[T], str],
        render: Callable[[T], Any],
        default: int,
        maximum: int,
        minimum: int = 1,
        always_next: str | None = None,
        fragment: Callable[[T], bytes] | None = None,
    ) -> Response:
        """One page and its `Link` header: `after` is the last item's key, opaque to clients.

        `fragment`, when given, is an item's JSON already serialized (kept between requests)."""
        raw = request.query_value("limit")
        try:
            limit = default if raw is None else int(raw)
        except ValueError as error:
            raise OktaError(400, "E0000001", "Api validation failed: limit") from error
        limit = max(minimum, min(maximum, limit)) if limit > 0 else default
        after = request.query_value("after")
        start = 0
        if after and always_next is None:
            keys = [key(item) for item in items]
            start = keys.index(after) + 1 if after in keys else len(items)
        page = items[start : start + limit]
        links = [f'<{self._url(request, {})}>; rel="self"']
        more = start + limit < len(items)
        if more or always_next is not None:
            # A polling cursor (the System Log) stays valid on an empty page: where it stands.
            cursor = key(page[-1]) if page else (after or always_next or "")
            if cursor:
                links.append(f'<{self._url(request, {"after": cursor})}>; rel="next"')
        if fragment is None:
            response = Response.json(200, [render(item) for item in page], JSON)
        else:
            body = b"[" + b",".join([fragment(item) for item in page]) + b"]"
            response = Response.raw_json(200, body, JSON)
        response.headers.append(("Link", ", ".join(links)))
        return response

    def _url(self, request: Request, changes: dict[str, str]) -> str:
        dropped = ("after", "since") if "after" in changes else ("after",)
        query = {k: v[0] for k, v in request.query.items() if k not in dropped}
        query.update(changes)
        encoded = urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
        return f"{self.base}{request.path}" + (f"?{encoded}" if encoded else "")

    def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = request.json()
        except BadJsonError as error:
            raise OktaError(400, "E0000003", "The request body was not well-formed.") from error
        if not isinstance(body, dict):
            raise OktaError(400, "E0000003", "The request body was not well-formed.")
        return body

    def _app(self, request: Request) -> None:
        if request.params["app_id"] != self.org.app.id:
            raise not_found(f"0oa {request.params['app_id']}")

    # -- apps -------------------------------------------------------------------------------

    def list_apps(self, request: Request) -> Response:
        org = self.org
        with org.lock:
            apps = [org.app] if org.app.status != "DELETED" else []
            q = request.query_value("q")
            if q:
                apps = [
                    a
                    for a in apps
                    if a.name.lower().startswith(q.lower()) or a.label.lower().startswith(q.lower())
                ]
            text = request.query_value("filter")
            if text:
                for field, op, wanted in parse_filter(text):
                    if field not in ("id", "status", "name"):
                        raise OktaError(400, "E0000031", "Invalid search criteria.")
                    apps = [a for a in apps if _test(getattr(a, field), op, wanted)]
            return self._page(
                request, apps, lambda a: a.id, lambda a: shapes.app_json(org, self.base), 200, 200
            )

    def get_app(self, request: Request) -> Response:
        self._app(request)
        with self.org.lock:
            return Response.json(200, shapes.app_json(self.org, self.base), JSON)

    def put_app(self, request: Request) -> Response:
        self._app(request)
        body = self._body(request)
        label = body.get("label")
        if not isinstance(label, str) or not label.strip() or "signOnMode" not in body:
            causes = ["label: The field cannot be left blank"] if not label else ["signOnMode"]
            raise OktaError(400, "E0000001", "Api validation failed: app", causes)
        app = self.org.app
        with self.org.lock:
            app.label = label
            hide = (body.get("visibility") or {}).get("hide") or {}
            app.hide_web = bool(hide.get("web", app.hide_web))
            app.hide_ios = bool(hide.get("iOS", app.hide_ios))
            template = ((body.get("credentials") or {}).get("userNameTemplate") or {}).get(
                "template"
            )
            if isinstance(template, str) and template:
                app.user_name_template = template
            app.last_updated = datetime.now(app.created.tzinfo)
        self.org.record("application.lifecycle.update", "Update application")
        return self.get_app(request)

    def lifecycle(self, request: Request) -> Response:
        self._app(request)
        action = request.params["action"].lower()
        if action not in ("activate", "deactivate"):
            raise not_found(request.path)
        with self.org.lock:
            self.org.app.status = "ACTIVE" if action == "activate" else "INACTIVE"
        self.org.record(f"application.lifecycle.{action}", f"{action.title()} application")
        return Response.json(200, {}, JSON)

    def connection(self, request: Request) -> Response:
        self._app(request)
        with self.org.lock:
            return Response.json(200, shapes.connection_json(self.org, self.base), JSON)

    def _provisioning_features(self) -> None:
        if not self.org.connection_api:
            raise not_found("feature")
        if not self.org.connection.enabled:
            raise OktaError(
                400,
                "E0000001",
                "Api validation failed: feature",
                ["Provisioning is not enabled for the app instance."],
            )

    def features(self, request: Request) -> Response:
        self._app(request)
        self._provisioning_features()
        with self.org.lock:
            return Response.json(200, [shapes.feature_json(self.org, self.base)], JSON)

    def feature(self, request: Request) -> Response:
        self._app(request)
        self._provisioning_features()
        if request.params["name"] != "USER_PROVISIONING":
            raise not_found(request.params["name"])
        with self.org.lock:
            return Response.json(200, shapes.feature_json(self.org, self.base), JSON)

    # -- app users --------------------------------------------------------------------------

    def list_app_users(self, request: Request) -> Response:
        self._app(request)
        org = self.org
        expand = request.query_value("expand") == "user"
        with org.lock:
            items = list(org.app_users.values())
            q = (request.query_value("q") or "").lower()
            if q:
                items = [
                    a
                    for a in items
                    if any(
                        v.lower().startswith(q)
                        for v in (
                            a.user_name,
                            org.users[a.user_id].first_name,
                            org.users[a.user_id].last_name,
                            org.users[a.user_id].email,
                        )
                    )
                ]
            response = self._page(
                request,
                items,
                lambda a: a.user_id,
                lambda a: shapes.app_user_json(org, a, self.base, expand),
                50,
                500,
                fragment=None if expand else self._app_user_fragment,
            )
            self._app_user_fragments.forget_all_but(org.app_users)
            return response

    def _app_user_fragment(self, app_user: AppUser) -> bytes:
        """An app user's JSON, serialized again only when it or its user changed: a page of 500
        took the emulator 18 ms to build and serialize (a third of it in `strftime`)."""
        org = self.org
        user = org.users[app_user.user_id]
        stamp = (
            *vars(app_user).values(),
            user.email,
            user.first_name,
            user.last_name,
            org.app.id,
        )
        return self._app_user_fragments.fragment(
            app_user.user_id, stamp, lambda: shapes.app_user_json(org, app_user, self.base, False)
        )

    def get_app_user(self, request: Request) -> Response:
        self._app(request)
        with self.org.lock:
            app_user = self.org.app_users.get(request.params["user_id"])
            if app_user is None:
                raise not_found(f"AppUser {request.params['user_id']}")
            return Response.json(
                200, shapes.app_user_json(self.org, app_user, self.base, False), JSON
            )

    def assign_user(self, request: Request) -> Response:
        self._app(request)
        body = self._body(request)
        user_id = body.get("id")
        if not isinstance(user_id, str) or user_id not in self.org.users:
            raise OktaError(400, "E0000001", "Api validation failed: assignment", ["id"])
        user_name = (body.get("credentials") or {}).get("userName")
        app_user = self.admin.assign_user(
            user_id, user_name=user_name if isinstance(user_name, str) else None
        )
        with self.org.lock:
            return Response.json(
                200, shapes.app_user_json(self.org, app_user, self.base, False), JSON
            )

    def unassign_user(self, request: Request) -> Response:
        self._app(request)
        if not self.admin.unassign_user(request.params["user_id"]):
            raise not_found(f"AppUser {request.params['user_id']}")
        return Response.empty(204)

    # -- app groups -------------------------------------------------------------------------

    def list_app_groups(self, request: Request) -> Response:
        self._app(request)
        org = self.org
        expand = request.query_value("expand") == "group"
        with org.lock:
            items = list(org.group_assignments.values())
            q = (request.query_value("q") or "").lower()
            if q:
                items = [a for a in items if org.groups[a.group_id].name.lower().startswith(q)]
            return self._page(
                request,
                items,
                lambda a: a.group_id,
                lambda a: shapes.group_assignment_json(org, a, self.base, expand),
                20,
                200,
                minimum=20,
            )

    def get_app_group(self, request: Request) -> Response:
        self._app(request)
        with self.org.lock:
            assignment = self.org.group_assignments.get(request.params["group_id"])
            if assignment is None:
                raise not_found(f"ApplicationGroupAssignment {request.params['group_id']}")
            return Response.json(
                200, shapes.group_assignment_json(self.org, assignment, self.base, False), JSON
            )

    def assign_group(self, request: Request) -> Response:
        self._app(request)
        group_id = request.params["group_id"]
        if group_id not in self.org.groups:
            raise not_found(f"Group {group_id}")
        priority = 0
        if request.body.strip():
            raw = self._body(request).get("priority", 0)
            priority = raw if isinstance(raw, int) else 0
        assignment = self.admin.assign_group(group_id, priority)
        with self.org.lock:
            return Response.json(
                200, shapes.group_assignment_json(self.org, assignment, self.base, False), JSON
            )

    def unassign_group(self, request: Request) -> Response:
        self._app(request)
        if not self.admin.unassign_group(request.params["group_id"]):
            raise not_found(f"ApplicationGroupAssignment {request.params['group_id']}")
        return Response.empty(204)

    # -- group push mappings ----------------------------------------------------------------

    def _push_api(self, request: Request) -> None:
        self._app(request)
        if not self.org.group_push_api:
            raise not_found("group-push")

    def list_mappings(self, request: Request) -> Response:
        self._push_api(request)
        org = self.org
        with org.lock:
            items = list(org.mappings.values())
            source = request.query_value("sourceGroupId")
            if source:
                items = [m for m in items if m.source_group_id == source]
            status = request.query_value("status")
            if status:
                items = [m for m in items if m.status == status]
            return self._page(
                request,
                items,
                lambda m: m.id,
                lambda m: shapes.mapping_json(org, m, self.base),
                100,
                1000,
            )

    def _mapping(self, request: Request) -> str:
        self._push_api(request)
        mapping_id = request.params["mapping_id"]
        if mapping_id not in self.org.mappings:
            raise not_found(f"GroupPushMapping {mapping_id}")
        return mapping_id

    def get_mapping(self, request: Request) -> Response:
        mapping_id = self._mapping(request)
        with self.org.lock:
            mapping = self.org.mappings[mapping_id]
            return Response.json(200, shapes.mapping_json(self.org, mapping, self.base), JSON)

    def create_mapping(self, request: Request) -> Response:
        self._push_api(request)
        body = self._body(request)
        source = body.get("sourceGroupId")
        status = body.get("status", "ACTIVE")
        if not isinstance(source, str) or source not in self.org.groups:
            raise OktaError(
                400, "E0000001", "Api validation failed: sourceGroupId", ["sourceGroupId"]
            )
        if ("targetGroupName" in body) == ("targetGroupId" in body):
            raise OktaError(
                400,
                "E0000027",
                "Group push bad request : exactly one of targetGroupId and targetGroupName",
            )
        if status not in ("ACTIVE", "INACTIVE"):
            raise OktaError(400, "E0000001", "Api validation failed: status", ["status"])
        if any(m.source_group_id == source for m in self.org.mappings.values()):
            raise OktaError(400, "E0000027", "Group push bad request : the group is already pushed")
        target_id = body.get("targetGroupId")
        target_name = body.get("targetGroupName")
        if target_id is not None and (
            not isinstance(target_id, str)
            or target_id not in self.org.groups
            or self.org.groups[target_id].type != "APP_GROUP"
        ):
            raise OktaError(
                400, "E0000027", "Group push bad request : targetGroupId is not an app group"
            )
        if target_id is None and (not isinstance(target_name, str) or not target_name.strip()):
            raise OktaError(
                400, "E0000001", "Api validation failed: targetGroupName", ["targetGroupName"]
            )
        mapping = self.admin.create_mapping(
            source,
            status,
            target_name=target_name.strip() if isinstance(target_name, str) else None,
            target_group_id=target_id if isinstance(target_id, str) else None,
        )
        with self.org.lock:
            return Response.json(201, shapes.mapping_json(self.org, mapping, self.base), JSON)

    def patch_mapping(self, request: Request) -> Response:
        mapping_id = self._mapping(request)
        status = self._body(request).get("status")
        if status not in ("ACTIVE", "INACTIVE"):
            raise OktaError(400, "E0000001", "Api validation failed: status", ["status"])
        mapping = self.admin.set_mapping_status(mapping_id, str(status))
        with self.org.lock:
            return Response.json(200, shapes.mapping_json(self.org, mapping, self.base), JSON)

    def delete_mapping(self, request: Request) -> Response:
        mapping_id = self._mapping(request)
        with self.org.lock:
            if self.org.mappings[mapping_id].status == "ACTIVE":
                raise OktaError(
                    400,
                    "E0000001",
                    "Api validation failed: mapping",
                    ["Only mappings in the INACTIVE or ERROR status can be deleted."],
                )
            del self.org.mappings[mapping_id]
        return Response.empty(204)

    # -- directory --------------------------------------------------------------------------

    def list_users(self, request: Request) -> Response:
        org = self.org
        with org.lock:
            items = list(org.users.values())
            q = (request.query_value("q") or "").lower()
            if q:
                items = [
                    u
                    for u in items
                    if any(
                        v.lower().startswith(q)
                        for v in (u.login, u.email, u.first_name, u.last_name)
                    )
                ]
            return self._page(
                request, items, lambda u: u.id, lambda u: shapes.user_json(u, self.base), 200, 200
            )

    def get_user(self, request: Request) -> Response:
        wanted = request.params["user_id"]
        with self.org.lock:
            user = self.org.users.get(wanted) or next(
                (u for u in self.org.users.values() if u.login == wanted), None
            )
            if user is None:
                raise not_found(f"User {wanted}")
            return Response.json(200, shapes.user_json(user, self.base), JSON)

    def list_groups(self, request: Request) -> Response:
        org = self.org
        with org.lock:
            items = list(org.groups.values())
            q = (request.query_value("q") or "").lower()
            if q:
                items = [g for g in items if g.name.lower().startswith(q)]
            search = request.query_value("search")
            if search:
                for field, op, wanted in parse_filter(search):
                    getter = {
                        "profile.name": lambda g: g.name,
                        "id": lambda g: g.id,
                        "type": lambda g: g.type,
                    }.get(field)
                    if getter is None:
                        raise OktaError(400, "E0000031", "Invalid search criteria.")
                    items = [g for g in items if _test(getter(g), op, wanted)]
            return self._page(
                request,
                items,
                lambda g: g.id,
                lambda g: shapes.group_json(g, self.base, org.app.id),
                200,
                10000,
            )

    def get_group(self, request: Request) -> Response:
        with self.org.lock:
            group = self.org.groups.get(request.params["group_id"])
            if group is None:
                raise not_found(f"Group {request.params['group_id']}")
            return Response.json(200, shapes.group_json(group, self.base, self.org.app.id), JSON)

    def group_users(self, request: Request) -> Response:
        org = self.org
        with org.lock:
            group = org.groups.get(request.params["group_id"])
            if group is None:
                raise not_found(f"Group {request.params['group_id']}")
            items = [org.users[uid] for uid in group.member_ids]
            return self._page(
                request, items, lambda u: u.id, lambda u: shapes.user_json(u, self.base), 1000, 1000
            )

    # -- System Log -------------------------------------------------------------------------

    def logs(self, request: Request) -> Response:
        org = self.org
        since, until = request.query_value("since"), request.query_value("until")
        after = request.query_value("after")
        if since and after:
            raise OktaError(400, "E0000053", "Invalid value for 'since' and 'after' parameters.")
        since_at, until_at = _time(since, "since"), _time(until, "until")
        conditions = (
            parse_filter(request.query_value("filter") or "")
            if request.query_value("filter")
            else []
        )
        for field, _, _ in conditions:
            if field not in (
                "eventType",
                "target.id",
                "target.type",
                "outcome.result",
                "actor.id",
                "severity",
            ):
                raise OktaError(400, "E0000053", f"Invalid filter: {field}")
        # The conditions on one value first: most events fail `outcome.result eq "FAILURE"` at
        # once, where scanning their targets first made 2,000 events take 8 ms.
        conditions.sort(key=lambda condition: condition[0].startswith("target."))
        with org.lock:
            events = list(org.log)
        position = str(events[-1].seq) if events else "0"
        if after:  # the cursor is a position in the log: later events only
            try:
                events = [e for e in events if e.seq > int(after)]
            except ValueError as error:
                raise OktaError(400, "E0000053", "Invalid value for 'after' parameter.") from error
            position = max(position, after, key=int)
        chosen = []
        for event in events:
            if since_at is not None and event.published < since_at:
                continue
            if until_at is not None and event.published >= until_at:
                continue
            if all(_log_match(event, field, op, wanted) for field, op, wanted in conditions):
                chosen.append(event)
        if (request.query_value("sortOrder") or "ASCENDING").upper() == "DESCENDING":
            chosen.reverse()
        return self._page(
            request,
            chosen,
            lambda e: str(e.seq),
            lambda e: shapes.log_json(org, e),
            100,
            1000,
            always_next=position if until is None else None,
        )

    def well_known(self, request: Request) -> Response:
        body = {
            "id": self.org.org_id,
            "pipeline": "idx",
            "_links": {"organization": {"href": self.base}},
            "settings": {"analyticsCollectionEnabled": False, "bugReporting": False},
        }
        return Response.json(200, body, JSON)

    def register(self, router: Router) -> None:
        def on_error(request: Request, error: BaseException) -> Response:
            if isinstance(error, OktaError):
                return error_response(error.status, error.code, error.summary, error.causes)
            return error_response(500, "E0000009", "Internal Server Error")

        def fallback(request: Request, status: int) -> Response:
            if status == 405:
                return error_response(
                    405, "E0000022", "The endpoint does not support the provided HTTP method"
                )
            return error_response(404, "E0000007", f"Not found: Resource not found: {request.path}")

        mount = Mount("/api/v1", fallback=fallback, on_error=on_error)
        mount.before.append(self.before)
        mount.after.append(self.after)
        router.mount(mount)
        router.mount(Mount("/.well-known", fallback=fallback, on_error=on_error))
        router.mount(Mount("/oauth2", fallback=fallback, on_error=on_error))
        router.add("POST", TOKEN_PATH, self.oauth.token)
        app = "/api/v1/apps/{app_id}"
        routes: list[tuple[str, str, Callable[[Request], Response]]] = [
            ("GET", "/.well-known/okta-organization", self.well_known),
            ("GET", "/api/v1/apps", self.list_apps),
            ("GET", app, self.get_app),
            ("PUT", app, self.put_app),
            ("POST", app + "/lifecycle/{action}", self.lifecycle),
            ("GET", app + "/connections/default", self.connection),
            ("GET", app + "/features", self.features),
            ("GET", app + "/features/{name}", self.feature),
            ("GET", app + "/users", self.list_app_users),
            ("POST", app + "/users", self.assign_user),
            ("GET", app + "/users/{user_id}", self.get_app_user),
            ("DELETE", app + "/users/{user_id}", self.unassign_user),
            ("GET", app + "/groups", self.list_app_groups),
            ("GET", app + "/groups/{group_id}", self.get_app_group),
            ("PUT", app + "/groups/{group_id}", self.assign_group),
            ("DELETE", app + "/groups/{group_id}", self.unassign_group),
            ("GET", app + "/group-push/mappings", self.list_mappings),
            ("POST", app + "/group-push/mappings", self.create_mapping),
            ("GET", app + "/group-push/mappings/{mapping_id}", self.get_mapping),
            ("PATCH", app + "/group-push/mappings/{mapping_id}", self.patch_mapping),
            ("DELETE", app + "/group-push/mappings/{mapping_id}", self.delete_mapping),
            ("GET", "/api/v1/users", self.list_users),
            ("GET", "/api/v1/users/{user_id}", self.get_user),
            ("GET", "/api/v1/groups", self.list_groups),
            ("GET", "/api/v1/groups/{group_id}", self.get_group),
            ("GET", "/api/v1/groups/{group_id}/users", self.group_users),
            ("GET", "/api/v1/logs", self.logs),
        ]
        for method, pattern, handler in routes:
            router.add(method, pattern, handler)


def _time(text: str | None, name: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise OktaError(400, "E0000053", f"Invalid value for '{name}' parameter.") from error


def _log_match(event: Any, field: str, op: str, wanted: str) -> bool:
    if field == "target.id":
        return any(_test(t["id"], op, wanted) for t in event.targets)
    if field == "target.type":
        return any(_test(t["type"], op, wanted) for t in event.targets)
    if field == "eventType":
        return _test(event.event_type, op, wanted)
    if field == "outcome.result":
        return _test(event.result, op, wanted)
    if field == "severity":
        return _test(event.severity, op, wanted)
    return False


__all__ = ["Api", "OktaError", "RateLimits", "error_response", "iso"]
