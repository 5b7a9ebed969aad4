"""The one HTTP client factory: TLS always verified, env proxies, no redirects, bounded bodies,
log redaction, and cancellation closing an in-flight request."""

from __future__ import annotations

import gzip
import logging
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.core.cancel import Cancelled, CancelToken
from app.core.http import (
    CaFileError,
    UnsupportedEncodingError,
    build_client,
    read_body,
)
from app.core.redaction import RedactingFilter, install_log_redaction
from tests.fixtures.hostile_server import HostileServer, TlsMaterial, behaviours


def test_untrusted_certificate_is_refused(hostile_tls_server: HostileServer) -> None:
    with build_client(timeout=5) as client, pytest.raises(httpx.ConnectError, match="CERTIFICATE"):
        client.get(hostile_tls_server.url + "/")


def test_self_signed_certificate_is_refused(self_signed_server: HostileServer) -> None:
    with build_client(timeout=5) as client, pytest.raises(httpx.ConnectError, match="CERTIFICATE"):
        client.get(self_signed_server.url + "/")


def test_extra_ca_file_is_trusted(hostile_tls_server: HostileServer) -> None:
    hostile_tls_server.serve(behaviours.json({"hello": "world"}))
    with build_client(timeout=5, ca_file=hostile_tls_server.ca_file) as client:
        assert client.get(hostile_tls_server.url + "/").json() == {"hello": "world"}


def test_extra_ca_does_not_skip_host_name_check(tmp_path: Path) -> None:
    tls = TlsMaterial.create(tmp_path, names=["bitwarden.example"])
    server = HostileServer(tls=tls, host_name="localhost")
    try:
        client = build_client(timeout=5, ca_file=tls.ca_file)
        with client, pytest.raises(httpx.ConnectError, match="Hostname mismatch"):
            client.get(server.url + "/")
    finally:
        server.stop()


def test_unreadable_ca_file_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(CaFileError, match="cannot be used"):
        build_client(ca_file=tmp_path / "missing.pem")
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(CaFileError):
        build_client(ca_file=bad)


def test_build_client_cannot_disable_verification() -> None:
    with pytest.raises(TypeError):
        build_client(verify=False)  # type: ignore[call-arg]


def test_redirects_are_not_followed(hostile_server: HostileServer) -> None:
    hostile_server.route("/a", behaviours.redirect(hostile_server.url + "/b"))
    with build_client(timeout=5) as client:
        response = client.get(hostile_server.url + "/a", headers={"Authorization": "Bearer x"})
    assert response.status_code == 302
    assert [r.path for r in hostile_server.requests] == ["/a"]


def test_proxies_come_from_the_environment(
    hostile_server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTP_PROXY", hostile_server.url)
    hostile_server.serve(behaviours.respond(200, "via proxy"))
    with build_client(timeout=5) as client:
        assert client.get("http://bitwarden.example/x").text == "via proxy"
    assert hostile_server.requests[0].target == "http://bitwarden.example/x"


def test_timeouts_apply(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.hang())
    with build_client(timeout=0.3) as client, pytest.raises(httpx.ReadTimeout):
        client.get(hostile_server.url + "/")


def _stream_body(server: HostileServer, limit: int) -> tuple[bytes, bool]:
    with build_client(timeout=10) as client, client.stream("GET", server.url + "/") as response:
        body = read_body(response, limit)
    return body.data, body.truncated


def test_a_large_body_is_held_once_not_copied_at_the_end() -> None:
    """A 100,000-member list is 40 MB: the read must not hold it twice (the window's peak RSS)."""
    size, chunk = 8 * 1024 * 1024, 64 * 1024

    def chunks() -> Iterator[bytes]:
        for start in range(0, size, chunk):
            yield bytes([start // chunk % 251]) * chunk

    response = httpx.Response(200, content=chunks())
    tracemalloc.start()
    try:
        body = read_body(response, size)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(body.data) == size
    assert not body.truncated
    assert body.data[chunk : chunk + 1] == b"\x01"
    assert peak < size * 1.4  # a copy at the end would need twice the size


def test_huge_body_is_cut_at_the_limit(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.huge_body())
    data, truncated = _stream_body(hostile_server, 1024 * 1024)
    assert len(data) == 1024 * 1024
    assert truncated


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compression_bomb_is_bounded(hostile_server: HostileServer, encoding: str) -> None:
    hostile_server.serve(behaviours.gzip_bomb(50 * 1024 * 1024, encoding))
    data, truncated = _stream_body(hostile_server, 64 * 1024)
    assert len(data) == 64 * 1024
    assert truncated
    assert set(data) == {0}


def test_small_gzip_body_is_decoded_whole(hostile_server: HostileServer) -> None:
    payload = b'{"resources": []}' * 100
    hostile_server.serve(
        behaviours.respond(
            200, gzip.compress(payload), "application/json", [("Content-Encoding", "gzip")]
        )
    )
    data, truncated = _stream_body(hostile_server, 1024 * 1024)
    assert data == payload
    assert not truncated


def test_exact_limit_is_not_truncated(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.respond(200, b"x" * 100))
    assert _stream_body(hostile_server, 100) == (b"x" * 100, False)


def test_unasked_encoding_is_refused(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.respond(200, b"xx", None, [("Content-Encoding", "br")]))
    client = build_client(timeout=5)
    with (
        client,
        client.stream("GET", hostile_server.url + "/") as r,
        pytest.raises(UnsupportedEncodingError),
    ):
        read_body(r)


def test_reset_mid_body_is_a_transport_error(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.reset_mid_body())
    client = build_client(timeout=5)
    with client, pytest.raises(httpx.TransportError), client.stream("GET", hostile_server.url) as r:
        read_body(r)


def test_redacting_filter_masks_secrets_in_message_args_and_exceptions(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "Abcdefghij0123456789KLMNOPQRST"
    logger = logging.getLogger("test.redaction.handler")
    redactor = RedactingFilter([SecretStr(secret)])
    caplog.handler.addFilter(redactor)
    try:
        with caplog.at_level(logging.INFO, logger=logger.name):
            logger.info("key=%s", secret)
            try:
                raise RuntimeError(f"boom {secret}")
            except RuntimeError:
                logger.exception("failed")
    finally:
        caplog.handler.removeFilter(redactor)
    assert secret not in caplog.text
    assert "key=***" in caplog.text
    assert "boom ***" in caplog.text
    assert secret not in repr(redactor)


def test_install_log_redaction_covers_every_logger(caplog: pytest.LogCaptureFixture) -> None:
    secret = "Zyxwvutsrq9876543210abcdefghij"
    install_log_redaction(SecretStr(secret))
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("some.library").debug("Authorization: Bearer %s", secret)
    assert secret not in caplog.text
    assert "Bearer ***" in caplog.text


def test_cancel_token_runs_callbacks_once_and_late_ones_at_once() -> None:
    token = CancelToken()
    calls: list[str] = []
    unregister = token.on_cancel(lambda: calls.append("a"))
    token.on_cancel(lambda: calls.append("b"))
    unregister()
    token.raise_if_cancelled()
    token.cancel()
    token.cancel()
    assert calls == ["b"]
    assert token.cancelled
    token.on_cancel(lambda: calls.append("late"))
    assert calls == ["b", "late"]
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()
    assert token.wait(0)


def test_cancel_closes_an_in_flight_request(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.hang())
    token = CancelToken()
    errors: list[BaseException] = []
    client = build_client(timeout=30, cancel=token)

    def request() -> None:
        try:
            client.get(hostile_server.url + "/")
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=request, name="test-request")
    worker.start()
    hostile_server.wait_for_requests(1)
    token.cancel()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert errors
    assert isinstance(errors[0], httpx.TransportError)
    assert not isinstance(errors[0], httpx.TimeoutException)
    try:
        with pytest.raises(Cancelled):
            client.get(hostile_server.url + "/")
    finally:
        client.close()


def test_records_without_a_secret_are_left_alone(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction(SecretStr("Qwertyuiop0123456789asdfghjklz"))
    with caplog.at_level(logging.INFO):
        logging.getLogger("some.library").info("members: %d", 42)
    [record] = [r for r in caplog.records if r.name == "some.library"]
    assert record.args == (42,)
    assert record.getMessage() == "members: 42"


def test_a_secret_is_masked_also_as_an_exception_text_escapes_it() -> None:
    # A key read as UTF-16 has a NUL after every letter; httpx's header error shows it escaped.
    key = "Qwertyuiop0123456789asdfghjklz".encode("utf-16-le").decode("latin-1")
    redactor = RedactingFilter([SecretStr(key)])
    escaped = repr(key)[1:-1]
    assert "\\x00" in escaped
    assert redactor.redact(f"Invalid header value b'Bearer {escaped}'") == (
        "Invalid header value b'Bearer ***'"
    )
    assert redactor.redact(f"raw {key}") == "raw ***"
