"""A loopback proxy in front of the whole sandbox (SCIM, Public API, identity, vault API), so a
GUI test can change one request or one answer on the wire and forward everything else as is."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.fixtures.hostile_server import Connection, HostileServer, RawRequest, behaviours

#: (request, body) -> the body to forward.
RequestHook = Callable[[RawRequest, bytes], bytes]
#: (request, status, body) -> the (status, body) to answer.
AnswerHook = Callable[[RawRequest, int, bytes], tuple[int, bytes]]


class SandboxProxy:
    """Forwards every request to the sandbox; `on_request` / `on_answer` may rewrite one."""

    def __init__(self, info: dict[str, str], server: HostileServer) -> None:
        self.upstream = info["api_url"].removesuffix("/api")
        self.url = server.url
        self.on_request: RequestHook | None = None
        self.on_answer: AnswerHook | None = None
        self.paths: list[str] = []
        server.serve(self.handle)

    def info(self, info: dict[str, str]) -> dict[str, str]:
        """The sandbox's JSON line with every URL of the sandbox pointing at the proxy."""
        return {k: v.replace(self.upstream, self.url) for k, v in info.items()}

    def handle(self, request: RawRequest, conn: Connection) -> None:
        self.paths.append(f"{request.method} {request.path}")
        body = request.body
        if self.on_request is not None:
            body = self.on_request(request, body)
        dropped = {"host", "content-length", "connection", "transfer-encoding", "accept-encoding"}
        headers = {k: v for k, v in request.headers if k.lower() not in dropped}
        answer = httpx.request(
            request.method,
            self.upstream + request.target,
            content=body,
            headers=headers,
            timeout=30,
        )
        status, content = answer.status_code, answer.content
        if self.on_answer is not None:
            status, content = self.on_answer(request, status, content)
        kind = answer.headers.get("content-type", "application/json")
        behaviours.respond(status, content, kind)(request, conn)
