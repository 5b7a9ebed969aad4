"""The `bw serve` subset the program uses (reference A3–A5), as the official CLI answers it.

Koa semantics: every body is the CLI's `Response` object — `{"success": true, "data": …}` or
`{"success": false, "message": "…"}` with HTTP 400; any `Origin` header (and a Host that is not
the server's own) is refused with 403 `Forbidden`; unknown routes are Koa's 404 `Not Found`.
The vault starts locked; `POST /unlock` with the admin's master password unlocks it and returns a
session key in `data.raw`. Confirming encrypts the organization key for the member with RSA-OAEP
(SHA-1) as `bw confirm org-member` does, and only an Accepted member can be confirmed.

Every message, and the order of the checks that choose it, is the CLI's own (`@bitwarden/cli`
2026.6.0: `oss-serve-configurator.ts`, `list.command.ts`, `get.command.ts`,
`confirm.command.ts`, `unlock.command.ts`), checked against the real CLI by
`tests/integration/test_real_bw.py`. A message from an `Error` the CLI throws reaches the client
as `String(error)`, hence `Error: …`; one from the server's error body comes bare. The CLI runs
with `BW_NOINTERACTION=true` (as `BwServeProcess` starts it): a missing password is refused, not
prompted for. Objects the CLI knows but the program never asks for (`list items`, `get item`, …)
are not emulated and say so.
"""

from __future__ import annotations

import base64
import re
import secrets
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

#: `Utils.guidRegex` (case-insensitive).
_GUID = re.compile(r"^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$", re.IGNORECASE)

#: The objects `list`, `get` and `confirm` know; any other is "Unknown object.". `send` is routed
#: to the Send commands before the object is lower-cased, so only its exact spelling counts.
LIST_OBJECTS = frozenset(
    {"items", "folders", "collections", "org-collections", "org-members", "organizations"}
)
GET_OBJECTS = frozenset(
    {
        "item",
        "username",
        "password",
        "uri",
        "totp",
        "notes",
        "exposed",
        "attachment",
        "folder",
        "collection",
        "org-collection",
        "organization",
        "template",
        "fingerprint",
    }
)

# The CLI's messages, verbatim.
LOCKED = "Vault is locked."
UNLOCK_NEEDS_INPUT = (
    "Master password is required. Try again in interactive mode or provide a password file or "
    "environment variable."
)
#: The SDK's error when the master key cannot decrypt the user key: a wrong master password.
UNLOCK_DECRYPTION_FAILED = "Cryptography error, The decryption operation failed"
UNKNOWN_OBJECT = "Unknown object."
NOT_FOUND = "Not found."
LIST_ORGANIZATION_REQUIRED = "`organizationid` option is required."
CONFIRM_ORGANIZATION_REQUIRED = "--organizationid <organizationid> required."
ORGANIZATION_NOT_FOUND = "Organization not found."
NO_ORGANIZATION_KEY = "Error: No encryption key for this organization."
#: `ConfirmCommand.validateOrganizationUserStatus`, as `String(new Error(…))`.
CONFIRM_REFUSALS = {
    MemberStatus.INVITED: "Error: User must accept the invitation before they can be confirmed.",
    MemberStatus.CONFIRMED: "Error: User is already confirmed.",
    MemberStatus.REVOKED: "Error: User is revoked and cannot be confirmed.",
}
NOT_CONFIRMABLE = "Error: User is not in a valid state to be confirmed."
# The server's error bodies, which the CLI passes on bare (`ErrorResponse.getSingleMessage`).
SERVER_NOT_FOUND = "Resource not found."
SERVER_USER_NOT_VALID = "User not valid."


def ok(data: dict[str, Any] | None = None) -> Response:
    """`Response.success(data)`; `data` is left out when undefined, as JSON.stringify does."""
    body: dict[str, Any] = {"success": True}
    if data is not None:
        body["data"] = data
    return Response.json(200, body)


def fail(message: str) -> Response:
    """`Response.error(message)`; `processResponse` makes it HTTP 400."""
    return Response.json(400, {"success": False, "message": message})


def not_emulated(command: str, name: str) -> Response:
    """A command the real CLI serves but the program never uses: said plainly, not faked."""
    return fail(f"The sandbox's emulated bw serve does not serve `{command} {name}`.")


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
    return _GUID.match(text) is not None


def _organization_option(request: Request) -> str | None:
    """`options.organizationid || options.organizationId`: the first non-empty one, as given
    (the CLI compares it with its organizations' ids without lower-casing it)."""
    for name in ("organizationid", "organizationId"):
        values = request.query.get(name)
        if values and values[0]:
            return str(values[0])
    return None


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
    """The CLI's state (logged in as the admin; locked or unlocked) and its routes.

    `base_url` is where this emulation is reached (its Host allowlist); `server_url` is the
    Bitwarden server the CLI is logged in to, as `bw status` reports it (the sandbox's HTTPS
    front, the URL an admin gives `bw config server`).
    """

    def __init__(self, state: SandboxState, base_url: str, server_url: str | None = None) -> None:
        self.state = state
        self.base_url = base_url
        self.server_url = server_url or base_url
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
            return fail(LOCKED)
        return None

    # ------------------------------------------------------------------ routes
    def status(self, request: Request) -> Response:
        template = {
            "serverUrl": self.server_url,
            "lastSync": self.last_sync.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "userEmail": self.state.admin.email,
            "userId": self.state.admin.id,
            "status": "unlocked" if self.session_key else "locked",
        }
        return ok({"object": "template", "template": template})

    def unlock(self, request: Request) -> Response:
        """`UnlockCommand`: a wrong password leaves the vault as it was (unlocked stays so)."""
        try:
            body = self._body(request)
        except BadJsonError as error:
            return Response.text(400, str(error))
        password = body.get("password")
        if not isinstance(password, str) or password == "":  # `Utils.isNullOrEmpty`
            return fail(UNLOCK_NEEDS_INPUT)
        expected = self.state.admin_password.get_secret_value()
        if not secrets.compare_digest(password.encode(), expected.encode()):
            return fail(UNLOCK_DECRYPTION_FAILED)
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

    def list_object(self, request: Request) -> Response:
        """`GET /list/object/:object`: the lock first, then the object's name."""
        refused = self._locked()
        if refused:
            return refused
        name = request.params["object"]
        if name == "send":
            return not_emulated("list", name)
        if name.lower() == "org-members":
            return self._list_org_members(request)
        if name.lower() in LIST_OBJECTS:
            return not_emulated("list", name)
        return fail(UNKNOWN_OBJECT)

    def _list_org_members(self, request: Request) -> Response:
        organization_id = _organization_option(request)
        if organization_id is None:
            return fail(LIST_ORGANIZATION_REQUIRED)
        if not _is_guid(organization_id):
            return fail(f"`{organization_id}` is not a GUID.")
        state = self.state
        if organization_id != state.organization.id:
            return fail(ORGANIZATION_NOT_FOUND)

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
        """`POST /confirm/:object/:id`, checked in `ConfirmCommand`'s order: arguments, then the
        organization key, then the member (from the server), then the member's status."""
        refused = self._locked()
        if refused:
            return refused
        if request.params["object"].lower() != "org-member":
            return fail(UNKNOWN_OBJECT)
        member_id = request.params["member_id"].lower()
        organization_id = _organization_option(request)
        if organization_id is None:
            return fail(CONFIRM_ORGANIZATION_REQUIRED)
        if not _is_guid(member_id):
            return fail(f"`{member_id}` is not a GUID.")
        if not _is_guid(organization_id):
            return fail(f"`{organization_id}` is not a GUID.")
        state = self.state
        if organization_id != state.organization.id:  # the CLI's org keys, keyed by exact id
            return fail(NO_ORGANIZATION_KEY)
        with state.lock:
            member = state.members.get(member_id)
            if member is None:
                return fail(SERVER_NOT_FOUND)
            if member.status != MemberStatus.ACCEPTED:
                return fail(CONFIRM_REFUSALS.get(member.status, NOT_CONFIRMABLE))
            account = state.account_for(member)
            if account is None:  # no user, so no public key to fetch
                return fail(SERVER_NOT_FOUND)
        public_key = account.key_pair.private_key.public_key()
        encrypted = public_key.encrypt(
            state.organization.symmetric_key,
            padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None),  # noqa: S303
        )
        with state.lock:
            if not _still_accepted(state, member.id):  # another request confirmed it meanwhile
                return fail(SERVER_USER_NOT_VALID)
            member.key = "4." + base64.b64encode(encrypted).decode()
            member.status = MemberStatus.CONFIRMED
            member.revision = utcnow()
            state.touch()
        return ok()

    def get_object(self, request: Request) -> Response:
        """`GET /object/:object/:id`: the lock first, then the object's name."""
        refused = self._locked()
        if refused:
            return refused
        name = request.params["object"]
        if name == "send":
            return not_emulated("get", name)
        if name.lower() == "fingerprint":
            return self._fingerprint(request.params["id"].lower())
        if name.lower() in GET_OBJECTS:
            return not_emulated("get", name)
        return fail(UNKNOWN_OBJECT)

    def _fingerprint(self, user_id: str) -> Response:
        """`GetCommand.getFingerprint`: `me`, or a user's id; anything else is "Not found."."""
        state = self.state
        if user_id == "me":
            account = state.admin
        else:
            with state.lock:
                found = state.accounts.get(user_id) if _is_guid(user_id) else None
            if found is None:
                return fail(NOT_FOUND)
            account = found
        phrase = fingerprint_phrase(account.id, account.key_pair.public_key_der)
        return ok({"object": "string", "data": phrase})


def register(
    router: Router, state: SandboxState, base_url: str = "", server_url: str | None = None
) -> None:
    """Mount the emulated `bw serve` under `/bw`; `server_url` is what its status reports."""
    serve = BwServe(state, base_url, server_url)
    router.mount(Mount(PREFIX, fallback=_koa_fallback, on_error=_koa_crash, before=[serve.protect]))
    router.get(PREFIX + "/status", serve.status)
    router.post(PREFIX + "/unlock", serve.unlock)
    router.post(PREFIX + "/lock", serve.lock)
    router.get(PREFIX + "/list/object/{object}", serve.list_object)
    router.post(PREFIX + "/confirm/{object}/{member_id}", serve.confirm)
    router.get(PREFIX + "/object/{object}/{id}", serve.get_object)
