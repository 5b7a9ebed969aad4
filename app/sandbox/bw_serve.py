"""The `bw serve` subset the program uses (reference A3–A5), as the official CLI answers it.

Koa semantics: every body is the CLI's `Response` object — `{"success": true, "data": …}` or
`{"success": false, "message": "…"}` with HTTP 400; any `Origin` header (and a Host that is not
the server's own) is refused with 403 `Forbidden`; unknown routes are Koa's 404 `Not Found`.
The vault starts locked; `POST /unlock` with the admin's master password unlocks it and returns a
session key in `data.raw`. Confirming encrypts the organization key for the member with RSA-OAEP
(SHA-1) as `bw confirm org-member` does, and only an Accepted member can be confirmed.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from app.sandbox.fingerprint import fingerprint_phrase
from app.sandbox.json_cache import FragmentCache
from app.sandbox.router import BadJsonError, Mount, Request, Response, Router
from app.sandbox.state import Member, MemberStatus, SandboxState, utcnow

PREFIX = "/bw"
#: koa-bodyparser's default JSON limit.
JSON_LIMIT = 1024 * 1024


def ok(data: dict[str, Any] | None = None) -> Response:
    """`Response.success(data)`; `data` is left out when undefined, as JSON.stringify does."""
    body: dict[str, Any] = {"success": True}
    if data is not None:
        body["data"] = data
    return Response.json(200, body)


def fail(message: str) -> Response:
    """`Response.error(message)`; `processResponse` makes it HTTP 400."""
    return Response.json(400, {"success": False, "message": message})


def _message(title: str, message: str | None, raw: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "noColor": False,
        "object": "message",
        "title": title,
        "message": message,
    }
    if raw is not None:
        body["raw"] = raw
    return body


def _is_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36


#: (id, email, name, status, type, twoFactorEnabled) of one `bw list org-members` row.
_OrgMemberRow = tuple[str, str, str | None, int, int, bool]


def _org_member(row: _OrgMemberRow) -> dict[str, Any]:
    """The CLI's `OrganizationUserResponse`, its keys in the order the CLI assigns them."""
    member_id, email, name, status, member_type, two_factor = row
    return {
        "object": "org-member",
        "email": email,
        "name": name,
        "id": member_id,
        "status": int(status),
        "type": int(member_type),
        "twoFactorEnabled": two_factor,
    }


def _still_accepted(state: SandboxState, member_id: str) -> bool:
    member = state.members.get(member_id)
    return member is not None and member.status == MemberStatus.ACCEPTED


def _koa_fallback(request: Request, status: int) -> Response:
    return Response.text(404, "Not Found")


def _koa_crash(request: Request, error: BaseException) -> Response:
    return Response.text(500, "Internal Server Error")


class BwServe:
    """The CLI's state (logged in as the admin; locked or unlocked) and its routes."""

    def __init__(self, state: SandboxState, base_url: str) -> None:
        self.state = state
        self.base_url = base_url
        self.session_key: str | None = None
        self.last_sync = utcnow()
        self._fragments = FragmentCache()

    # ------------------------------------------------------------------ middleware
    def protect(self, request: Request) -> Response | None:
        """Origin protection and the Host allowlist (`serve.command.ts`)."""
        if request.header("Origin") is not None:
            return Response.text(403, "Forbidden")
        host = (request.header("Host") or "").lower()
        port = self.base_url.rsplit(":", 1)[-1] if self.base_url else ""
        allowed = {f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"}
        if self.base_url:
            allowed.add(self.base_url.split("://", 1)[-1].lower())
        if host not in allowed:
            return Response.text(403, "Forbidden")
        if len(request.body) > JSON_LIMIT:
            return Response.text(413, "request entity too large")
        return None

    def _body(self, request: Request) -> dict[str, Any]:
        """koa-bodyparser: JSON or form bodies; anything else is an empty object."""
        if request.content_type == "application/x-www-form-urlencoded":
            return dict(request.form())
        if request.content_type.endswith("json") and request.body.strip():
            try:
                body = request.json()
            except BadJsonError:
                raise BadJsonError("Unexpected token in JSON") from None
            if not isinstance(body, dict | list):
                raise BadJsonError("invalid JSON, only supports object and array")
            return body if isinstance(body, dict) else {}
        return {}

    def _locked(self) -> Response | None:
        """`errorIfLocked`: the guarded routes refuse while the vault is locked."""
        if self.session_key is None:
            return fail("Vault is locked.")
        return None

    # ------------------------------------------------------------------ routes
    def status(self, request: Request) -> Response:
        template = {
            "serverUrl": self.base_url,
            "lastSync": self.last_sync.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "userEmail": self.state.admin.email,
            "userId": self.state.admin.id,
            "status": "unlocked" if self.session_key else "locked",
        }
        return ok({"object": "template", "template": template})

    def unlock(self, request: Request) -> Response:
        try:
            body = self._body(request)
        except BadJsonError as error:
            return Response.text(400, str(error))
        password = body.get("password")
        if not isinstance(password, str) or password == "":
            return fail("Master password is required.")
        expected = self.state.admin_password.get_secret_value()
        if not secrets.compare_digest(password.encode(), expected.encode()):
            return fail("Invalid master password.")
        self.session_key = base64.b64encode(secrets.token_bytes(64)).decode()
        key = self.session_key
        message = (
            "\nTo unlock your vault, set your session key to the `BW_SESSION` environment "
            f'variable. ex:\n$ export BW_SESSION="{key}"\n> $env:BW_SESSION="{key}"\n\n'
            "You can also pass the session key to any command with the `--session` option. "
            f"ex:\n$ bw list items --session {key}"
        )
        return ok(_message("Your vault is now unlocked!", message, raw=key))

    def lock(self, request: Request) -> Response:
        self.session_key = None
        return ok(_message("Your vault is locked.", None))

    def _organization_id(self, request: Request) -> tuple[str | None, Response | None]:
        organization_id = request.query.get("organizationId") or request.query.get("organizationid")
        if not organization_id or not organization_id[0]:
            return None, fail("--organizationid <organizationid> required.")
        value = organization_id[0]
        if not _is_guid(value):
            return None, fail(f"`{value}` is not a GUID.")
        return value.lower(), None

    def list_org_members(self, request: Request) -> Response:
        refused = self._locked()
        if refused:
            return refused
        organization_id, error = self._organization_id(request)
        if error:
            return error
        state = self.state
        if organization_id != state.organization.id:
            return fail("Organization not found.")

        accounts = state.accounts

        def row(member: Member) -> tuple[str, _OrgMemberRow, _OrgMemberRow]:
            account = accounts.get(member.user_id) if member.user_id else None
            values: _OrgMemberRow
            if account is None:
                values = (member.id, member.email, None, member.status, member.type, False)
            else:
                values = (
                    member.id,
                    account.email,
                    account.name,
                    member.status,
                    member.type,
                    account.two_factor_enabled,
                )
            return member.id, values, values

        def build() -> bytes:
            rows = (row(m) for m in state.members.values())
            array = self._fragments.render_array(rows, _org_member)
            return b'{"success":true,"data":{"object":"list","data":' + array + b"}}"

        with state.lock:
            payload: bytes = state.cached("bw.org-members", build)
        return Response.raw_json(200, payload)

    def confirm(self, request: Request) -> Response:
        refused = self._locked()
        if refused:
            return refused
        member_id = request.params["member_id"].lower()
        organization_id, error = self._organization_id(request)
        if error:
            return error
        if not _is_guid(member_id):
            return fail(f"`{member_id}` is not a GUID.")
        state = self.state
        if organization_id != state.organization.id:
            return fail("No encryption key for this organization.")
        with state.lock:
            member = state.members.get(member_id)
            if member is None:
                return fail("Resource not found.")
            account = state.account_for(member)
            if member.status != MemberStatus.ACCEPTED or account is None:
                return fail("User not valid.")
        public_key = account.key_pair.private_key.public_key()
        encrypted = public_key.encrypt(
            state.organization.symmetric_key,
            padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None),  # noqa: S303
        )
        with state.lock:
            if not _still_accepted(state, member.id):  # another request confirmed it meanwhile
                return fail("User not valid.")
            member.key = "4." + base64.b64encode(encrypted).decode()
            member.status = MemberStatus.CONFIRMED
            member.revision = utcnow()
            state.touch()
        return ok()

    def fingerprint(self, request: Request) -> Response:
        refused = self._locked()
        if refused:
            return refused
        user_id = request.params["user_id"]
        state = self.state
        if user_id.lower() == "me":
            account = state.admin
        else:
            if not _is_guid(user_id):
                return fail(f"`{user_id}` is not a GUID.")
            with state.lock:
                found = state.accounts.get(user_id.lower())
            if found is None:
                return fail("Resource not found.")
            account = found
        phrase = fingerprint_phrase(account.id, account.key_pair.public_key_der)
        return ok({"object": "string", "data": phrase})


def register(router: Router, state: SandboxState, base_url: str = "") -> None:
    """Mount the emulated `bw serve` under `/bw`."""
    serve = BwServe(state, base_url)
    router.mount(Mount(PREFIX, fallback=_koa_fallback, on_error=_koa_crash, before=[serve.protect]))
    router.get(PREFIX + "/status", serve.status)
    router.post(PREFIX + "/unlock", serve.unlock)
    router.post(PREFIX + "/lock", serve.lock)
    router.get(PREFIX + "/list/object/org-members", serve.list_org_members)
    router.post(PREFIX + "/confirm/org-member/{member_id}", serve.confirm)
    router.get(PREFIX + "/object/fingerprint/{user_id}", serve.fingerprint)
