"""The sandbox's HTTPS front: a client that trusts only the throwaway CA reaches the backend."""

from __future__ import annotations

import socket
import ssl
import threading

from app.sandbox.vault.tls import TlsFront


def _echo_server() -> tuple[socket.socket, threading.Thread]:
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            while data := connection.recv(4096):
                connection.sendall(data.upper())

    thread = threading.Thread(target=serve, name="test-echo", daemon=True)
    thread.start()
    return listener, thread


def test_relays_over_verified_tls_and_stops_cleanly() -> None:
    listener, echo = _echo_server()
    front = TlsFront(listener.getsockname()[:2])
    try:
        assert front.url == f"https://127.0.0.1:{front.port}"
        context = ssl.create_default_context(cafile=str(front.ca_file))
        with (
            socket.create_connection(("127.0.0.1", front.port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            tls.sendall(b"hello sandbox")
            received = b""
            while len(received) < len(b"hello sandbox"):
                received += tls.recv(4096)
        assert received == b"HELLO SANDBOX"
        untrusting = ssl.create_default_context()
        with socket.create_connection(("127.0.0.1", front.port), timeout=10) as raw:
            try:
                untrusting.wrap_socket(raw, server_hostname="127.0.0.1")
            except ssl.SSLCertVerificationError:
                pass
            else:
                raise AssertionError("a client without the sandbox CA must not trust the front")
    finally:
        front.stop()
        listener.close()
    echo.join(timeout=5)
    assert not front.ca_file.exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("sandbox-vault-tls")]
