"""Confirming members through the Bitwarden CLI's `bw serve` (the Vault Management API).

No Public API or SCIM endpoint confirms a member: confirmation encrypts the organization key for the
member, which only an unlocked admin client can do (shared/reference/bitwarden-api.md §4). So the
program drives `bw serve` — the sandbox's emulation in the demo, else one it starts itself on a
Unix socket in a private directory. A `bw serve` merely found listening is never used: it has no
per-request authentication (file permissions are the only guard, reference A4) and a loopback TCP
port may belong to another user of the computer.

Safety rules kept here:
- the master password is a `SecretStr`, sent once to `POST /unlock` and not kept; the session key
  `bw serve` returns is dropped unread;
- `confirm_members` re-reads every status from `bw serve` first, confirms only members who are
  *accepted* right now, reports each member, and locks the vault again afterwards — also after an
  error or a cancel — so running it again after an interruption is safe;
- requests never go through a proxy and only to loopback or a Unix socket.

A refusal is put in plain words for the admin (`app.core.bw_cli_messages`); the CLI's own text
stays available as `cli_message`, for support.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, TypeAdapter, ValidationError

from app.core import bw_cli_messages
from app.core.bw_cli_messages import Action
from app.core.cancel import CancelToken
from app.core.closing import Closing
from app.core.endpoints import is_loopback_host
from app.core.errors import ClientError
from app.core.http import (
    ExchangeClient,
    UnsupportedEncodingError,
    read_body,
    set_aside_unusable_location,
)
from app.core.outside_text import clean
from app.core.public_api import Member, MemberStatus
from app.core.redaction import install_log_redaction

#: `bw list org-members` answers in one body; 100k members are a few tens of MB.
_LIST_LIMIT = 256 * 1024 * 1024
_SMALL_LIMIT = 1024 * 1024
_LIST_TIME_FACTOR = 10


class BwServeError(ClientError):
    """A failed `bw serve` call; `str()` is a plain sentence; `locked` when the vault is locked;
    `unsure` when the answer was lost or failed (it is unknown whether the call took effect);
    `cli_message` is the CLI's own words when it refused (None when it did not answer)."""

    def __init__(
        self,
        message: str,
        *,
        locked: bool = False,
        unsure: bool = False,
        cli_message: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.locked = locked
        self.unsure = unsure
        self.cli_message = cli_message


class OrgMember(BaseModel):
    """A row of `bw list org-members` (it has no userId, so no fingerprint from here alone)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    id: str
    email: str | None = None
    name: str | None = None
    status: int
    type: int
    two_step_login: bool = Field(False, alias="twoFactorEnabled")


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")
    success: bool
    message: str | None = None
    data: Any = None


class _MemberListEnvelope(BaseModel):
    class _List(BaseModel):
        data: list[OrgMember]

    success: bool
    data: _List


_ENVELOPE = TypeAdapter(_Envelope)
_MEMBERS = TypeAdapter(_MemberListEnvelope)


class BwServeClient(Closing):
    """A blocking client of one `bw serve` (loopback URL or Unix socket)."""

    def __init__(
        self, base_url: str, *, unix_socket: str | None = None, timeout: float = 30.0
    ) -> None:
        host = urlsplit(base_url).hostname or ""
        if unix_socket is None and not is_loopback_host(host):
            raise BwServeError(_MSG_NOT_LOOPBACK.format(url=base_url))
        self.base_url = base_url.rstrip("/")
        self.unix_socket = unix_socket
        self._timeout = timeout
        self._http = _local_client(timeout, unix_socket)

    def __repr__(self) -> str:
        where = self.unix_socket or self.base_url
        return f"BwServeClient({where!r})"

    def close(self) -> None:
        self._http.close()

    # -- the API
    def status(self) -> dict[str, Any]:
        """`bw status` as served: serverUrl, lastSync, userEmail, userId, status."""
        data = self._call("status", "GET", "/status")
        template = data.get("template") if isinstance(data, dict) else None
        if not isinstance(template, dict):
            raise BwServeError(_MSG_UNEXPECTED)
        return template

    def unlock(self, password: SecretStr) -> None:
        """Unlock the vault; the returned session key is not kept (bw serve stays unlocked)."""
        install_log_redaction(password)
        body = {"password": password.get_secret_value()}
        data = self._call("unlock", "POST", "/unlock", json_body=body)
        session = data.get("raw") if isinstance(data, dict) else None
        if isinstance(session, str):
            install_log_redaction(session)

    def lock(self) -> None:
        self._call("lock", "POST", "/lock")

    def list_org_members(self, org_id: str) -> list[OrgMember]:
        path = f"/list/object/org-members?organizationId={quote(org_id, safe='')}"
        status, body = self._request("GET", path, None, _LIST_LIMIT)
        if status != 200:
            self._raise("list", status, body)
        try:
            return _MEMBERS.validate_json(body).data.data
        except ValidationError:
            raise BwServeError(_MSG_UNEXPECTED) from None

    def fingerprint(self, user_id: str) -> str:
        """The member's fingerprint phrase (five words joined by '-'), from their account's key."""
        data = self._call("fingerprint", "GET", f"/object/fingerprint/{quote(user_id, safe='')}")
        phrase = data.get("data") if isinstance(data, dict) else None
        if not isinstance(phrase, str) or not phrase:
            raise BwServeError(_MSG_UNEXPECTED)
        return phrase

    def confirm(self, member_id: str, org_id: str) -> None:
        path = (
            f"/confirm/org-member/{quote(member_id, safe='')}"
            f"?organizationId={quote(org_id, safe='')}"
        )
        self._call("confirm", "POST", path)

    # -- plumbing
    def _call(
        self, action: Action, method: str, path: str, json_body: dict[str, str] | None = None
    ) -> Any:
        status, body = self._request(method, path, json_body, _SMALL_LIMIT)
        if status != 200:
            self._raise(action, status, body)
        try:
            envelope = _ENVELOPE.validate_json(body)
        except ValidationError:
            raise BwServeError(_MSG_UNEXPECTED) from None
        if not envelope.success:
            self._raise(action, 400, body)
        return envelope.data

    def _request(
        self, method: str, path: str, json_body: dict[str, str] | None, limit: int
    ) -> tuple[int, bytes]:
        url = self.base_url + path
        # A list makes the CLI fetch every member from the server first: allow it longer.
        seconds = self._timeout * (_LIST_TIME_FACTOR if limit > _SMALL_LIMIT else 1)
        deadline = time.monotonic() + seconds
        try:
            with self._http.stream(method, url, json=json_body, timeout=seconds) as response:
                # Bounded decoding too: httpx's own inflates each chunk whole (a gzip bomb).
                body = read_body(response, limit, deadline=deadline)
                if body.truncated:
                    raise BwServeError(_MSG_TOO_LARGE)
                return response.status_code, body.data
        except UnsupportedEncodingError:
            raise BwServeError(_MSG_UNEXPECTED) from None
        except httpx.TimeoutException:
            raise BwServeError(_MSG_TIMEOUT.format(where=self._where()), unsure=True) from None
        except httpx.TransportError:
            message = _MSG_NOT_RUNNING.format(where=self._where())
            raise BwServeError(message, unsure=True) from None

    def _raise(self, action: Action, status: int, body: bytes) -> None:
        message: str | None = None
        with contextlib.suppress(ValueError):
            parsed = json.loads(body)
            if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
                message = parsed["message"]
        if status == 400 and message:
            words = clean(message)
            raise BwServeError(
                bw_cli_messages.explain(action, words),
                locked=bw_cli_messages.is_locked(words),
                cli_message=words,
                status=status,
            )
        if status == 403:
            raise BwServeError(_MSG_FORBIDDEN, status=status)
        if status == 404:
            raise BwServeError(_MSG_NOT_FOUND, status=status)
        raise BwServeError(_MSG_STATUS.format(status=status), unsure=status >= 500, status=status)

    def _where(self) -> str:
        return self.unix_socket or self.base_url


def _local_client(timeout: float, unix_socket: str | None) -> httpx.Client:
    """An httpx client for loopback or a Unix socket only.

    Not `app.core.http.build_client`: that one honours proxy settings from the environment, and
    the master password must never travel through a proxy. There is no TLS to verify here.
    """
    transport = httpx.HTTPTransport(uds=unix_socket) if unix_socket else httpx.HTTPTransport()
    return ExchangeClient(  # every exchange within `timeout`, headers and body included
        transport=transport,
        trust_env=False,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        event_hooks={"response": [set_aside_unusable_location]},
    )


# ---------------------------------------------------------------- confirming a batch

#: "mismatch": the member's fingerprint phrase read right before (or right after) the confirm is
#: not the one the admin verified.
ConfirmResult = Literal["confirmed", "skipped", "failed", "mismatch"]


class ConfirmOutcome(BaseModel):
    """One member's result; `reason` is plain words, `cli_message` the CLI's own (for support)."""

    model_config = ConfigDict(frozen=True)

    member_id: str
    email: str
    result: ConfirmResult
    reason: str | None = None
    cli_message: str | None = None


_MSG_NO_ACCOUNT = "has no Bitwarden account linked yet"
_MSG_CHANGED_BEFORE = (
    "This member's fingerprint phrase changed after you verified it: their public key is not the "
    "one you checked. Nothing was confirmed for this member. Check with the member and with your "
    "server's administrator."
)
_MSG_CHANGED_AFTER = (
    "ALERT: confirmed, but right after the confirm this member's fingerprint phrase was not the "
    "one you verified (or could not be read), so the organization key may have been encrypted to "
    "a key that is not theirs. Remove this member from the organization in the Admin Console and "
    "contact your security team."
)

_SKIP_REASONS = {
    MemberStatus.INVITED: "has not accepted the invitation yet",
    MemberStatus.CONFIRMED: "is already confirmed",
    MemberStatus.REVOKED: "is revoked",
    MemberStatus.STAGED: "has not been invited yet (staged)",
}


def confirm_members(
    client: BwServeClient,
    org_id: str,
    members: list[Member],
    password: SecretStr,
    *,
    cancel: CancelToken | None = None,
    progress: Callable[[int, int, ConfirmOutcome], None] | None = None,
    expected: Mapping[str, str] | None = None,
) -> list[ConfirmOutcome]:
    """Confirm the members who are accepted *now*; report every member; lock again at the end.

    `expected` (member id → the phrase the admin verified): in the same unlocked session each
    member's phrase is read again right before its confirm (a difference: not confirmed,
    "mismatch") and right after (a difference: "mismatch" with an alert). `bw confirm` fetches
    the public key once more by itself, so this narrows the gap but cannot close it.
    Raises `BwServeError` only when unlocking or re-reading the statuses fails (nothing was
    confirmed then). A cancel stops before the next member; the rest are reported as skipped.
    """
    client.unlock(password)
    outcomes: list[ConfirmOutcome] = []
    unsure: set[str] = set()
    try:
        current = {m.id.lower(): m for m in client.list_org_members(org_id)}
        total = len(members)
        for index, member in enumerate(members, start=1):
            if cancel is not None and cancel.cancelled:
                outcome = _outcome(member, "skipped", "cancelled before this member")
            else:
                now = current.get(member.id.lower())
                phrase = expected.get(member.id) if expected is not None else None
                outcome = _confirm_one(client, org_id, member, now, unsure, phrase)
            outcomes.append(outcome)
            if progress is not None:
                progress(index, total, outcome)
        outcomes = _settle_unsure(client, org_id, outcomes, unsure)
    finally:
        with contextlib.suppress(BwServeError):
            client.lock()
    return outcomes


def _settle_unsure(
    client: BwServeClient, org_id: str, outcomes: list[ConfirmOutcome], unsure: set[str]
) -> list[ConfirmOutcome]:
    """A confirm whose answer was lost (a reset, a timeout, a 5xx) may have been done: ask once
    more, so the report says exactly who is confirmed. When asking fails too, the outcomes stay as
    they are (a rerun skips whoever was confirmed)."""
    if not unsure:
        return outcomes
    try:
        now = {m.id.lower(): m.status for m in client.list_org_members(org_id)}
    except BwServeError:
        return outcomes
    return [
        o.model_copy(update={"result": "confirmed", "reason": _MSG_CONFIRMED_ANSWER_LOST})
        if o.member_id.lower() in unsure and now.get(o.member_id.lower()) == MemberStatus.CONFIRMED
        else o
        for o in outcomes
    ]


def fingerprints(
    client: BwServeClient, members: list[Member], password: SecretStr
) -> dict[str, str | None]:
    """Each member's fingerprint phrase (None without a userId); locks again afterwards."""
    client.unlock(password)
    try:
        return {m.id: client.fingerprint(m.user_id) if m.user_id else None for m in members}
    finally:
        with contextlib.suppress(BwServeError):
            client.lock()


def _same_phrase(a: str, b: str) -> bool:
    return "-".join(a.lower().replace("-", " ").split()) == "-".join(
        b.lower().replace("-", " ").split()
    )


def _confirm_one(
    client: BwServeClient,
    org_id: str,
    member: Member,
    now: OrgMember | None,
    unsure: set[str],
    phrase: str | None = None,
) -> ConfirmOutcome:
    """Confirm one member if accepted; adds its id to `unsure` when the answer was lost.

    With `phrase`, the member's phrase is read again right before and right after the confirm."""
    if now is None:
        return _outcome(member, "skipped", "is no longer a member of the organization")
    if now.status != MemberStatus.ACCEPTED:
        try:
            why = _SKIP_REASONS[MemberStatus(now.status)]
        except (ValueError, KeyError):
            why = f"has status {now.status}, which cannot be confirmed"
        return _outcome(member, "skipped", why)
    if phrase is not None:
        if not member.user_id:
            return _outcome(member, "skipped", _MSG_NO_ACCOUNT)
        try:
            before = client.fingerprint(member.user_id)
        except BwServeError as exc:
            return _outcome(member, "failed", exc.message, exc.cli_message)
        if not _same_phrase(before, phrase):
            return _outcome(member, "mismatch", _MSG_CHANGED_BEFORE)
    try:
        client.confirm(member.id, org_id)
    except BwServeError as exc:
        if exc.unsure:
            unsure.add(member.id.lower())
        # Refused for the member's state (it changed since the list was read): not an error.
        refusal = bw_cli_messages.member_refusal(exc.cli_message) if exc.cli_message else None
        if refusal is not None:
            return _outcome(member, "skipped", refusal, exc.cli_message)
        return _outcome(member, "failed", exc.message, exc.cli_message)
    if phrase is not None and member.user_id:
        try:
            after: str | None = client.fingerprint(member.user_id)
        except BwServeError:
            after = None
        if after is None or not _same_phrase(after, phrase):
            return _outcome(member, "mismatch", _MSG_CHANGED_AFTER)
    return _outcome(member, "confirmed", None)


def _outcome(
    member: Member, result: ConfirmResult, reason: str | None, cli_message: str | None = None
) -> ConfirmOutcome:
    return ConfirmOutcome(
        member_id=member.id,
        email=member.email,
        result=result,
        reason=reason,
        cli_message=cli_message,
    )


# ---------------------------------------------------------------- the CLI on this computer


def _candidate_paths() -> Iterator[Path]:
    """Where `bw` usually lives when a desktop app's PATH is shorter than the shell's."""
    home = Path.home()
    if sys.platform == "win32":
        appdata = os.environ.get("APPDATA")
        if appdata:
            yield Path(appdata) / "npm" / "bw.cmd"
        return
    yield from (
        Path("/opt/homebrew/bin/bw"),
        Path("/usr/local/bin/bw"),
        Path("/snap/bin/bw"),
        home / ".npm-global" / "bin" / "bw",
        home / ".local" / "bin" / "bw",
    )


def find_bw() -> Path | None:
    """The Bitwarden CLI: $SCIM_ASSISTANT_BW, then PATH, then the usual install places."""
    override = os.environ.get("SCIM_ASSISTANT_BW")
    if override:
        path = Path(override)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    found = shutil.which("bw")
    if found:
        return Path(found)
    return next((p for p in _candidate_paths() if p.is_file() and os.access(p, os.X_OK)), None)


class CliDiagnosis(BaseModel):
    """What the admin must do before confirming works; `commands` are exact, to copy."""

    installed: bool
    version: str | None = None
    logged_in: bool = False
    server_url: str | None = None
    locked: bool | None = None
    problems: list[str] = Field(default_factory=list)
    commands: list[str] = Field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


_CLOUD_ALIASES = {
    "bitwarden.com": "https://vault.bitwarden.com",
    "vault.bitwarden.com": "https://vault.bitwarden.com",
    "bitwarden.eu": "https://vault.bitwarden.eu",
    "vault.bitwarden.eu": "https://vault.bitwarden.eu",
}


def same_server(a: str | None, b: str | None) -> bool:
    """Whether two server URLs name the same Bitwarden server (cloud aliases folded)."""
    return _server_key(a) == _server_key(b)


def _server_key(url: str | None) -> str:
    if not url:
        return "https://vault.bitwarden.com"  # the CLI's default server is the US cloud
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if host in _CLOUD_ALIASES:
        return _CLOUD_ALIASES[host]
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme.lower()}://{host}{port}{parts.path.rstrip('/')}"


def diagnose_cli(expected_server: str, bw: Path | None = None) -> CliDiagnosis:
    """Read `bw --version`, `bw status` and `bw config server`; say what is missing and how to fix.

    `expected_server` is the profile's server: its self-hosted URL, or the cloud's vault URL.
    """
    executable = bw or find_bw()
    if executable is None:
        return CliDiagnosis(
            installed=False,
            problems=[_MSG_NOT_INSTALLED],
            commands=["npm install -g @bitwarden/cli"],
        )
    version = _run(executable, "--version")
    status_text = _run(executable, "status")
    configured = _run(executable, "config", "server")
    status: dict[str, Any] = {}
    if status_text:
        with contextlib.suppress(ValueError):
            parsed = json.loads(status_text)
            if isinstance(parsed, dict):
                inner = parsed.get("data", {}).get("template") if "data" in parsed else parsed
                status = inner if isinstance(inner, dict) else {}
    state = status.get("status")
    server = status.get("serverUrl") or (configured.strip() if configured else None)
    diagnosis = CliDiagnosis(
        installed=True,
        version=version.strip() if version else None,
        logged_in=state in ("locked", "unlocked"),
        server_url=server,
        locked=None if state not in ("locked", "unlocked") else state == "locked",
    )
    wanted = _server_key(expected_server)
    on_other_server = not same_server(server, expected_server)
    if not status:
        diagnosis.problems.append(_MSG_NO_STATUS)
    if on_other_server:
        diagnosis.problems.append(
            _MSG_OTHER_SERVER.format(current=_server_key(server), wanted=wanted)
        )
        if diagnosis.logged_in:
            diagnosis.commands.append("bw logout")
        diagnosis.commands.append(f"bw config server {wanted}")
    if not diagnosis.logged_in or on_other_server:
        if not on_other_server:
            diagnosis.problems.append(_MSG_NOT_LOGGED_IN)
        diagnosis.commands += ["bw login", "(or, for single sign-on: bw login --sso)"]
    return diagnosis


def _run(bw: Path, *args: str) -> str | None:
    """Run the CLI non-interactively; None when it fails or takes too long."""
    env = dict(os.environ, BW_NOINTERACTION="true")
    try:
        done = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
            [str(bw), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


# ---------------------------------------------------------------- starting `bw serve`

_START_TIMEOUT = 60.0
_SUN_PATH_MAX = 100  # sockaddr_un.sun_path is 104 bytes on macOS, 108 on Linux


class BwServeProcess(Closing):
    """A `bw serve` child process, stopped by `stop()`, on leaving a `with` block, or at exit."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        base_url: str,
        unix_socket: str | None,
        private_dir: Path | None,
    ) -> None:
        self._process = process
        self.base_url = base_url
        self.unix_socket = unix_socket
        self._private_dir = private_dir
        self._lock = threading.Lock()
        atexit.register(self.stop)

    def __repr__(self) -> str:
        return f"BwServeProcess(pid={self._process.pid}, at={self.unix_socket or self.base_url!r})"

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    @classmethod
    def start(
        cls, bw: Path, *, prefer_unix_socket: bool = True, timeout: float = _START_TIMEOUT
    ) -> BwServeProcess:
        """Start `bw serve` and wait until it answers `GET /status`."""
        private_dir: Path | None = None
        unix_socket: str | None = None
        if prefer_unix_socket and hasattr(socket, "AF_UNIX") and sys.platform != "win32":
            private_dir = _private_dir()
            candidate = private_dir / "bw.sock"
            if len(os.fsencode(candidate)) < _SUN_PATH_MAX:
                unix_socket = str(candidate)
        if unix_socket is not None:
            args = ["serve", "--hostname", f"unix://{unix_socket}"]
            # The Host allowlist still applies over a socket: bw serve expects its default port.
            base_url = "http://localhost:8087"
        else:
            port = _free_port()
            args = ["serve", "--hostname", "127.0.0.1", "--port", str(port)]
            base_url = f"http://127.0.0.1:{port}"
        env = dict(os.environ, BW_NOINTERACTION="true")
        process = subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
            [str(bw), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        served = cls(process, base_url, unix_socket, private_dir)
        try:
            served._wait_until_ready(timeout)
        except BaseException:
            served.stop()
            raise
        return served

    def client(self, timeout: float = 30.0) -> BwServeClient:
        return BwServeClient(self.base_url, unix_socket=self.unix_socket, timeout=timeout)

    def stop(self) -> None:
        """Stop the process (TERM, then KILL after 5 s) and remove its private directory."""
        with self._lock:
            atexit.unregister(self.stop)
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait(timeout=5)
            if self._private_dir is not None:
                shutil.rmtree(self._private_dir, ignore_errors=True)
                self._private_dir = None

    def close(self) -> None:
        """`with BwServeProcess(...)` stops the process at the end (`Closing`)."""
        self.stop()

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pause = threading.Event()
        with self.client(timeout=2.0) as client:
            while True:
                if self._process.poll() is not None:
                    raise BwServeError(_MSG_EXITED.format(code=self._process.returncode))
                if self.unix_socket is None or os.path.exists(self.unix_socket):
                    try:
                        client.status()
                        return
                    except BwServeError:
                        pass
                if time.monotonic() > deadline:
                    raise BwServeError(_MSG_SLOW_START.format(seconds=round(timeout)))
                pause.wait(0.1)


def _private_dir() -> Path:
    """A fresh 0700 directory, in XDG_RUNTIME_DIR when there is one (a per-user tmpfs)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = runtime if runtime and os.path.isdir(runtime) else None
    path = Path(tempfile.mkdtemp(prefix="scim-assistant-bw-", dir=base))
    path.chmod(0o700)
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---------------------------------------------------------------- plain sentences

_MSG_NOT_LOOPBACK = (
    "bw serve must run on this computer; {url} is not a local address. The master password is "
    "never sent elsewhere."
)
_MSG_CONFIRMED_ANSWER_LOST = "bw serve's answer was lost, but it now lists the member as confirmed."
_MSG_NOT_RUNNING = "bw serve is not answering at {where}. Start it again and retry."
_MSG_TIMEOUT = "bw serve at {where} did not answer in time."
_MSG_UNEXPECTED = (
    "bw serve gave an answer this program does not understand; update the Bitwarden CLI."
)
_MSG_TOO_LARGE = "bw serve's answer is too large to read."
_MSG_FORBIDDEN = (
    "bw serve refused the request (403). It only accepts requests without an Origin header, to "
    "its own host name; do not put it behind a proxy."
)
_MSG_NOT_FOUND = "This bw serve does not know the request (404); update the Bitwarden CLI."
_MSG_STATUS = "bw serve failed (HTTP {status})."
_MSG_NOT_INSTALLED = (
    "The Bitwarden CLI (bw) is not installed. It is needed to confirm members, because only an "
    "unlocked Bitwarden client can share the organization key with them."
)
_MSG_NO_STATUS = "`bw status` gave no answer; the Bitwarden CLI may be broken. Reinstall it."
_MSG_NOT_LOGGED_IN = (
    "The Bitwarden CLI is not logged in. Log in once in a terminal (it may ask for two-step login "
    "or single sign-on), as an admin with the Manage Users permission."
)
_MSG_OTHER_SERVER = (
    "The Bitwarden CLI is set up for {current}, but this organization is on {wanted}. Point it at "
    "the right server and log in there."
)
_MSG_EXITED = (
    "bw serve stopped at once (exit code {code}). It only runs once the CLI is logged in "
    "(`bw login`); run `bw serve` in a terminal to see why."
)
_MSG_SLOW_START = "bw serve did not start within {seconds} seconds."
