"""Whether Okta's cloud could reach the address that answered here: the probes and their warnings.

Passing here is not passing for Okta: Okta connects from its cloud. So the check also warns when
the host is private, the certificate is trusted only through a private CA, the URL has an
underscore, or the URL is not https.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import urllib.request
from urllib.parse import urlsplit

from app.core import messages as msg
from app.core.endpoints import Endpoints
from app.core.http import exception_detail
from app.core.okta_check.result import Category, Outcome


def reachability_warnings(
    endpoints: Endpoints, outcome: Outcome, timeout: float
) -> tuple[list[str], list[str]]:
    """What would fail for Okta though it worked (or may work) from here: the certain blockers,
    and the doubts (whether the CA is public could not be checked)."""
    parts = urlsplit(endpoints.scim_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    blockers: list[str] = []
    doubts: list[str] = []
    if "_" in endpoints.scim_url:
        blockers.append(msg.WARN_UNDERSCORE)
    if parts.scheme != "https":
        blockers.append(msg.WARN_NOT_HTTPS)
    if outcome.category is not Category.DNS:
        blockers += _address_warnings(host, port)
    if parts.scheme == "https" and outcome.status is not None:
        ca_warnings = _public_ca_warnings(host, port, timeout)
        target = blockers if ca_warnings == [msg.WARN_PRIVATE_CA] else doubts
        target += ca_warnings
    return blockers, doubts


def _address_warnings(host: str, port: int) -> list[str]:
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return []
        addresses = []
        for info in infos:
            with contextlib.suppress(ValueError):
                addresses.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
    for address in dict.fromkeys(addresses):
        if address.is_global:
            continue
        if address.is_loopback:
            kind = msg.DEPLOYMENT_KIND_LOOPBACK
        elif address.is_link_local:
            kind = msg.DEPLOYMENT_KIND_LINK_LOCAL
        elif address.is_private:
            kind = msg.DEPLOYMENT_KIND_PRIVATE
        else:
            kind = msg.DEPLOYMENT_KIND_RESERVED
        subject = (
            host
            if str(address) == host.strip("[]")
            else msg.ADDRESS_RESOLVED.format(host=host, address=address)
        )
        return [msg.WARN_PRIVATE_ADDRESS.format(subject=subject, kind=kind)]
    return []


def _public_ca_warnings(host: str, port: int, timeout: float) -> list[str]:
    """Verify the server's certificate again against the public roots only (certifi's bundle).

    Okta trusts public CAs; this computer may also trust a company CA (OS store or --ca-file).
    This is a TLS handshake only: no HTTP request is sent.
    """
    proxies = urllib.request.getproxies()
    if proxies.get("https") and not urllib.request.proxy_bypass(host):
        return [msg.WARN_PUBLIC_CA_UNKNOWN.format(detail=msg.PUBLIC_CA_PROXY)]
    try:
        import certifi
    except ImportError:
        return [msg.WARN_PUBLIC_CA_UNKNOWN.format(detail=msg.PUBLIC_CA_NO_CERTIFI)]
    context = ssl.create_default_context(cafile=certifi.where())
    try:
        with (
            socket.create_connection((host, port), timeout=min(timeout, 15.0)) as sock,
            context.wrap_socket(sock, server_hostname=host),
        ):
            return []
    except ssl.SSLCertVerificationError:
        return [msg.WARN_PRIVATE_CA]
    except (OSError, ssl.SSLError) as exc:
        return [msg.WARN_PUBLIC_CA_UNKNOWN.format(detail=exception_detail(exc, 200))]
