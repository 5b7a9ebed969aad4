"""The one place httpx clients are made, and the bounded ways to read what they return.

Every client verifies TLS against the operating system's trust store (truststore), optionally plus
one extra CA file for a self-hosted server with a private CA. There is deliberately no parameter to
turn verification off. Proxies come from the environment, every phase has a timeout, redirects
are not followed (a redirect is a finding, and credentials must never follow one elsewhere).

Bodies are read through `read_body`, which stops after a byte budget and decompresses gzip/deflate
itself with the same budget, so neither a 50 MB page nor a gzip bomb can exhaust memory.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import ssl
import sys
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import truststore

from app.core import messages as msg
from app.core.cancel import CancelToken
from app.core.deadlines import DEADLINES
from app.core.endpoints import is_loopback_host
from app.core.outside_text import clean

#: Read no more than this from any response unless the caller asks otherwise.
DEFAULT_BODY_LIMIT = 1024 * 1024


def exception_detail(exc: BaseException, limit: int = 200) -> str:
    """An exception's text fit to show a person, never one that can quote a request header.

    httpx (h11) refuses a header value with control characters and says so with the value itself,
    escaped (`Illegal header value b'Bearer …'`): the key, in a spelling the log redaction does
    not know. Such errors, and any text naming a bearer token or the Authorization header, become
    one fixed sentence; the rest is cleaned to one line and capped.
    """
    current: BaseException | None = exc
    seen = 0
    while current is not None and seen < 20:
        if isinstance(current, httpx.LocalProtocolError):
            return msg.REQUEST_NOT_SENDABLE
        current = current.__cause__ or current.__context__
        seen += 1
    text = str(exc)
    lowered = text.lower()
    if "bearer" in lowered or "authorization" in lowered:
        return msg.REQUEST_NOT_SENDABLE
    return clean(text, limit) or exc.__class__.__name__


class CaFileError(ValueError):
    """The extra CA file is missing or not a PEM certificate; `str()` is a plain sentence."""


class UnsupportedEncodingError(ValueError):
    """The server compressed the body with an encoding we did not ask for."""


def build_ssl_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """A verifying client context: the OS trust store, plus `ca_file` when given."""
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except (OSError, ssl.SSLError, ValueError) as exc:
            detail = getattr(exc, "strerror", None) or exc.__class__.__name__
            raise CaFileError(msg.CA_FILE_UNREADABLE.format(path=ca_file, detail=detail)) from None
    return context


#: Loopback never goes through a proxy from the environment: plain http to the sandbox or a local
#: tunnel would hand the key, in clear, to the proxy (and the answer would come from the proxy's
#: own machine). `None` means httpx's direct transport.
_LOOPBACK_DIRECT: dict[str, httpx.BaseTransport | None] = {
    "all://localhost": None,
    "all://*.localhost": None,
    "all://127.0.0.1": None,
    "all://[::1]": None,
}


def _proxies_possible() -> bool:
    """Whether httpx may find a proxy to use (then loopback must be mounted direct).

    Each mount is a URL pattern httpx parses per client (about 0.3 ms for the four), so a client
    skips them where no proxy can apply: no `*_proxy` variable in the environment, on a platform
    whose system proxy settings httpx does not read (it reads them on macOS and Windows).
    """
    if sys.platform in ("darwin", "win32"):
        return True
    return any(name.lower().endswith("_proxy") for name in os.environ)


def _direct_mounts(targets: Sequence[str]) -> dict[str, httpx.BaseTransport | None]:
    """The fixed loopback mounts, plus each loopback host among `targets` (127.0.0.2,
    `localhost.`: httpx's patterns match one host each, not a network)."""
    mounts = dict(_LOOPBACK_DIRECT)
    for target in targets:
        try:
            host = httpx.URL(target).host
        except httpx.InvalidURL:
            continue
        if host and is_loopback_host(host):
            shown = f"[{host}]" if ":" in host else host
            mounts.setdefault(f"all://{shown}", None)
    return mounts


def build_client(
    *,
    timeout: float = 30.0,
    ca_file: Path | None = None,
    follow_redirects: bool = False,
    base_url: str = "",
    cancel: CancelToken | None = None,
    targets: Sequence[str] = (),
) -> httpx.Client:
    """A sync httpx client: OS trust store (+ `ca_file`), env proxies (never for loopback),
    `timeout` on every phase and on the whole exchange (`ExchangeClient`).

    `targets` are the URLs the client will call: a loopback host among them that the fixed
    patterns do not cover is mounted direct too.

    With `cancel`, cancelling the token aborts the client's requests at once, even one blocked
    reading: its sockets are shut down (the owner still closes the client); a request started
    after the cancel raises `Cancelled`. Raises `CaFileError` when `ca_file` cannot be loaded.
    """
    client = ExchangeClient(
        verify=build_ssl_context(ca_file),
        trust_env=True,
        mounts=_direct_mounts((*targets, base_url)) if _proxies_possible() else None,
        timeout=httpx.Timeout(timeout),
        follow_redirects=follow_redirects,
        base_url=base_url,
        limits=httpx.Limits(max_connections=10, max_keepalive_connections=5),
        event_hooks={"response": [set_aside_unusable_location]},
    )
    if cancel is not None:
        _CancelLink(client, cancel)
    return client


class ExchangeClient(httpx.Client):
    """An httpx client whose every exchange (connect, headers and body) ends within its timeout.

    httpx applies a timeout to each phase and each read, so a server trickling one header byte
    every half second holds a request for ever. Here each `send` arms a deadline (the request's
    longest timeout: the client's, or the one given for the call) on the one deadline thread;
    when it is due the client's sockets are shut down, which wakes a thread blocked in `recv`, and
    the call raises `httpx.ReadTimeout` ("no complete answer within N s"), which every client
    already reports as a timeout. A streamed response's deadline holds until it is closed.

    The shutdown is of the client's sockets, not one request's: httpcore does not say which
    pooled connection serves a request. A request running at the same moment on the same client
    from another thread ends too (with a transport error); idle pooled connections are dropped.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sockets = _Sockets(self)

    def send(
        self, request: httpx.Request, *, stream: bool = False, **kwargs: Any
    ) -> httpx.Response:
        seconds = _exchange_seconds(request)
        if seconds is None:
            return super().send(request, stream=stream, **kwargs)
        guard = _Guard(self.sockets, seconds)
        try:
            response = super().send(request, stream=stream, **kwargs)
        except (httpx.HTTPError, OSError):
            guard.disarm()
            if guard.expired:
                raise guard.timeout(request) from None
            raise
        if not stream:
            guard.disarm()
            return response
        inner = response.stream
        assert isinstance(inner, httpx.SyncByteStream)  # a sync client's
        response.stream = _GuardedStream(inner, guard, request)
        return response


def _exchange_seconds(request: httpx.Request) -> float | None:
    """The whole exchange's limit: the longest of the request's timeouts (None: unbounded)."""
    timeouts = request.extensions.get("timeout") or {}
    values = [v for v in timeouts.values() if isinstance(v, int | float)]
    return max(values) if values else None


class _Guard:
    """One exchange's deadline: armed at once, disarmed when the answer is complete."""

    def __init__(self, sockets: _Sockets, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets = sockets
        self._disarm = DEADLINES.call_at(time.monotonic() + seconds, self._expire)

    def _expire(self) -> None:
        self.expired = True
        self._sockets.shut_down()

    def disarm(self) -> None:
        self._disarm()

    def timeout(self, request: httpx.Request) -> httpx.ReadTimeout:
        return httpx.ReadTimeout(f"no complete answer within {self.seconds:g} s", request=request)


class _GuardedStream(httpx.SyncByteStream):
    """A streamed body under its exchange's deadline, disarmed when closed."""

    def __init__(self, inner: httpx.SyncByteStream, guard: _Guard, request: httpx.Request) -> None:
        self._inner = inner
        self._guard = guard
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._inner
        except (httpx.HTTPError, OSError):
            if self._guard.expired:
                raise self._guard.timeout(self._request) from None
            raise

    def close(self) -> None:
        self._guard.disarm()
        self._inner.close()


class _Sockets:
    """The sockets of a client's connections, handed over by httpcore's trace hook."""

    _CONNECTED = frozenset(
        {"connection.connect_tcp.complete", "connection.connect_unix_socket.complete"}
    )

    def __init__(self, client: httpx.Client) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        client.event_hooks["request"].append(self._on_request)

    def _on_request(self, request: httpx.Request) -> None:
        request.extensions["trace"] = self._trace

    def _trace(self, event_name: str, info: dict[str, object]) -> None:
        if event_name not in self._CONNECTED:
            return
        stream = info.get("return_value")
        get_extra_info = getattr(stream, "get_extra_info", None)
        sock = get_extra_info("socket") if get_extra_info else None
        if isinstance(sock, socket.socket):
            with self._lock:
                self._sockets = [s for s in self._sockets if s.fileno() != -1]
                self._sockets.append(sock)
            self.on_connect(sock)

    def on_connect(self, sock: socket.socket) -> None:
        """A new connection's socket (the cancel link shuts it if already cancelled)."""

    def shut_down(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shutdown(sock)


#: Where `set_aside_unusable_location` keeps a redirect's Location that no request can follow.
UNUSABLE_LOCATION = "scim_assistant.unusable_location"


def set_aside_unusable_location(response: httpx.Response) -> None:
    """Move aside a redirect's `Location` that httpx cannot turn into a URL.

    httpx builds the next request of every redirect, even one it will not follow, and raises
    `InvalidURL` (not an `HTTPError`) for a Location such as `javascript:alert(1)`: a hostile
    server's 3xx would escape every client's error handling. The header is kept in the response's
    extensions instead, so the caller sees the 3xx answer and reports it like any other.
    """
    location = response.headers.get("location")
    if location is None or not response.is_redirect:
        return
    try:  # the steps of httpx's own `_redirect_url`
        url = httpx.URL(location)
        if url.scheme and not url.host:
            url = url.copy_with(host=response.request.url.host)
        if url.is_relative_url:
            response.request.url.join(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        del response.headers["location"]
        response.extensions[UNUSABLE_LOCATION] = location


@contextlib.contextmanager
def cancellable_client(
    cancel: CancelToken,
    *,
    timeout: float = 30.0,
    ca_file: Path | None = None,
    targets: Sequence[str] = (),
) -> Iterator[httpx.Client]:
    """A client of one call's own that `cancel` aborts, closed (and untied from `cancel`) after.

    A cancel shuts the sockets of the client it is tied to, which would leave a client shared by
    later calls unusable; so a cancellable call gets its own.
    """
    link = CancelToken()
    unlink = cancel.on_cancel(link.cancel)
    try:
        with build_client(timeout=timeout, ca_file=ca_file, cancel=link, targets=targets) as http:
            yield http
    finally:
        unlink()


class _CancelLink:
    """Ties a client to a CancelToken: a cancel shuts the client's sockets down.

    Closing an httpx client from another thread does not wake a thread blocked in `recv`;
    `shutdown()` on the socket does, so the socket of every connection is remembered
    (`ExchangeClient.sockets`).
    """

    def __init__(self, client: ExchangeClient, cancel: CancelToken) -> None:
        self._cancel = cancel
        self._sockets = client.sockets
        client.event_hooks["request"].append(self._on_request)
        self._sockets.on_connect = self._on_connect  # type: ignore[method-assign]
        cancel.on_cancel(self._sockets.shut_down)

    def _on_request(self, _request: httpx.Request) -> None:
        self._cancel.raise_if_cancelled()

    def _on_connect(self, sock: socket.socket) -> None:
        if self._cancel.cancelled:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


# ---------------------------------------------------------------- bounded reading


@dataclass(frozen=True)
class Body:
    """At most `limit` decoded bytes of a response; `truncated` when there was more."""

    data: bytes
    truncated: bool


def read_body(
    response: httpx.Response, limit: int = DEFAULT_BODY_LIMIT, *, deadline: float | None = None
) -> Body:
    """Read and decode (gzip/deflate/identity) at most `limit` bytes of a streamed response.

    `deadline` (a `time.monotonic()` value) bounds the whole read: httpx's timeouts apply to each
    read, so a server trickling a byte a second would otherwise hold the call for hours.
    Raises `UnsupportedEncodingError` for an encoding other than gzip or deflate, `zlib.error`
    wrapped as `UnsupportedEncodingError` for a corrupt stream, `httpx.ReadTimeout` past the
    deadline, and httpx's transport errors as is.
    """
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    decoder = _decoder(encoding)
    # A BytesIO, not a bytearray: `getvalue()` hands over its own buffer (shrunk in place) where
    # `bytes(bytearray)` copies it, so a 40 MB member list exists once, not twice, at the end of
    # the read (bench: members_100000_peak_rss_mb, the read was the window's peak).
    out = io.BytesIO()
    size = 0
    truncated = False
    try:
        # Chunks as they arrive (no re-chunking: httpx would wait for a full chunk, so a trickled
        # body would never reach the deadline check); the decoder bounds what each one inflates to.
        for chunk in response.iter_raw():
            if deadline is not None and time.monotonic() > deadline:
                raise httpx.ReadTimeout(
                    "the answer did not arrive in time", request=response.request
                )
            size += out.write(chunk if decoder is None else decoder.feed(chunk, limit + 1 - size))
            if size > limit:
                truncated = True
                break
        else:
            if decoder is not None and size <= limit:
                size += out.write(decoder.flush(limit + 1 - size))
                truncated = size > limit or decoder.has_more
    except zlib.error:
        raise UnsupportedEncodingError(f"corrupt {encoding} data") from None
    out.truncate(limit)
    with out:
        return Body(out.getvalue(), truncated)


class _BoundedDecoder:
    """zlib decompression that never produces more than it is asked for (gzip bombs stay small)."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._zlib = zlib.decompressobj(wbits)
        self._started = False
        self.has_more = False

    def feed(self, chunk: bytes, budget: int) -> bytes:
        if not self._started and self._wbits == zlib.MAX_WBITS and chunk:
            self._started = True
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            zlib_header = (
                len(chunk) >= 2 and chunk[0] & 0x0F == 8 and (chunk[0] << 8 | chunk[1]) % 31 == 0
            )
            if not zlib_header:
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        data = self._zlib.decompress(chunk, max(budget, 1))
        self.has_more = bool(self._zlib.unconsumed_tail)
        return data

    def flush(self, budget: int) -> bytes:
        tail = self._zlib.unconsumed_tail
        data = self._zlib.decompress(tail, max(budget, 1)) if tail else b""
        self.has_more = bool(self._zlib.unconsumed_tail)
        return data


def _decoder(encoding: str) -> _BoundedDecoder | None:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return _BoundedDecoder(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _BoundedDecoder(zlib.MAX_WBITS)
    raise UnsupportedEncodingError(f"content encoding {encoding!r}")
