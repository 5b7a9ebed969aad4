"""An HTTPS front for the sandbox, because Bitwarden's apps refuse plain HTTP.

The official CLI throws `InsecureUrlNotAllowedError` for any server URL that is not `https://`
(only a development build, `BWCLI_ENV=development`, lifts that). A real self-hosted server sits
behind TLS, often with a private CA that admins hand to the CLI through `NODE_EXTRA_CA_CERTS`; the
sandbox does the same: a throwaway CA and a certificate for 127.0.0.1/localhost, and a TLS listener
that relays every connection, byte for byte, to the sandbox's own HTTP port.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import selectors
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_CHUNK = 65536


@dataclass(frozen=True, repr=False)
class LoopbackCertificate:
    """A throwaway CA (PEM, for `NODE_EXTRA_CA_CERTS`) and the server certificate it signed."""

    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes

    def __repr__(self) -> str:
        return "LoopbackCertificate(***)"

    @classmethod
    def create(cls) -> LoopbackCertificate:
        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SCIM Assistant sandbox CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                        x509.IPAddress(ipaddress.ip_address("::1")),
                        x509.DNSName("localhost"),
                    ]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        return cls(
            ca_pem=ca.public_bytes(serialization.Encoding.PEM),
            cert_pem=cert.public_bytes(serialization.Encoding.PEM),
            key_pem=key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )


class TlsFront:
    """Terminates TLS on a loopback port and relays each connection to `backend` (host, port).

    Every thread it starts is named `sandbox-vault-tls…`, and `stop()` closes every socket and joins
    every thread, so nothing outlives the sandbox.
    """

    def __init__(self, backend: tuple[str, int], host: str = "127.0.0.1", port: int = 0) -> None:
        self._backend = backend
        self._certificate = LoopbackCertificate.create()
        self._dir = tempfile.TemporaryDirectory(prefix="scim-assistant-sandbox-tls-")
        folder = Path(self._dir.name)
        self.ca_file = folder / "sandbox-ca.pem"
        self.ca_file.write_bytes(self._certificate.ca_pem)
        cert_file, key_file = folder / "server.pem", folder / "server.key"
        cert_file.write_bytes(self._certificate.cert_pem + self._certificate.ca_pem)
        key_file.touch(mode=0o600)
        key_file.write_bytes(self._certificate.key_pem)
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._context.load_cert_chain(cert_file, key_file)
        key_file.unlink()  # only the CA's certificate stays on disk, for the clients
        cert_file.unlink()
        self._listener = socket.create_server((host, port))
        self.host, self.port = self._listener.getsockname()[:2]
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(
            target=self._accept_loop, name="sandbox-vault-tls-accept", daemon=True
        )
        self._acceptor.start()

    @property
    def url(self) -> str:
        """The sandbox's server URL as an admin gives it to `bw config server`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    def stop(self) -> None:
        """Close the listener and every relayed connection, join the threads, delete the CA."""
        self._stopping.set()
        _close(self._listener)  # shutdown() wakes the blocked accept(); close() alone does not
        with self._lock:
            sockets, threads = list(self._open), list(self._threads)
        for sock in sockets:
            _close(sock)
        self._acceptor.join(timeout=5)
        for thread in threads:
            thread.join(timeout=5)
        self._dir.cleanup()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                raw, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(
                target=self._relay, args=(raw,), name="sandbox-vault-tls-relay", daemon=True
            )
            with self._lock:
                self._open.add(raw)
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _track(self, sock: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._open.add(sock)
            else:
                self._open.discard(sock)

    def _relay(self, raw: socket.socket) -> None:
        client: socket.socket = raw
        backend: socket.socket | None = None
        try:
            raw.settimeout(10)
            client = self._context.wrap_socket(raw, server_side=True)
            self._track(client, True)
            client.settimeout(None)
            backend = socket.create_connection(self._backend, timeout=10)
            self._track(backend, True)
            self._pump(client, backend)
        except (OSError, ssl.SSLError):
            pass
        finally:
            for sock in (client, raw, backend):
                if sock is not None:
                    self._track(sock, False)
                    _close(sock)

    def _pump(self, client: socket.socket, backend: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(client, selectors.EVENT_READ, backend)
            selector.register(backend, selectors.EVENT_READ, client)
            while not self._stopping.is_set():
                ready = selector.select(timeout=1.0)
                if isinstance(client, ssl.SSLSocket) and client.pending():
                    ready.append((selector.get_key(client), selectors.EVENT_READ))
                for key, _ in ready:
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    target: socket.socket = key.data
                    try:
                        data = source.recv(_CHUNK)
                    except ssl.SSLWantReadError:
                        continue
                    if not data:
                        return
                    target.sendall(data)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
