"""The request exactly as Okta's "Test API Credentials" sends it, and its masked preview.

Okta sends one `GET {base}/Users?startIndex=1&count=2` with a fixed set of headers
(shared/reference/okta-scim.md §1). The User-Agent begins with Okta's, because Bitwarden's server
detects Okta by that prefix, so that the answer here is the answer Okta would get.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from app import __version__
from app.core.endpoints import parse_scim_url
from app.core.okta_check.result import CheckRequest

#: Okta's own User-Agent, then ours: Bitwarden treats any User-Agent starting with "Okta" as Okta.
USER_AGENT = f"Okta SCIM Client 1.0.0 scim-assistant/{__version__}"
USERS_QUERY = "/Users?startIndex=1&count=2"
GROUPS_QUERY = "/Groups?startIndex=1&count=100"
OKTA_TIMEOUT = 60.0
MASKED_AUTHORIZATION = "Bearer ***"
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")


def okta_headers(host: str, authorization: str) -> list[tuple[str, str]]:
    """Okta's headers in Okta's documented order (Host first, as every HTTP/1.1 client sends it)."""
    return [
        ("Host", host),
        ("Accept", "application/scim+json"),
        ("Accept-Charset", "utf-8"),
        ("User-Agent", USER_AGENT),
        ("Authorization", authorization),
        ("Connection", "Keep-Alive"),
        ("Accept-Encoding", "gzip,deflate"),
    ]


def okta_request_preview(scim_url: str) -> CheckRequest:
    """What Okta will send for Test API Credentials (key masked), for display."""
    check = parse_scim_url(scim_url)
    base = check.endpoints.scim_url if check.endpoints else _best_effort_base(scim_url)
    return masked_request(base + USERS_QUERY)


def masked_request(url: str) -> CheckRequest:
    host = _host_header(url)
    headers = dict(okta_headers(host, MASKED_AUTHORIZATION))
    return CheckRequest(method="GET", url=url, headers=headers)


def _host_header(url: str) -> str:
    try:
        parts = urlsplit(url)
        return parts.netloc.rpartition("@")[2]
    except ValueError:
        return ""


def _best_effort_base(text: str) -> str:
    """The pasted text as a base URL for display, without a `user:password@` part."""
    compact = re.sub(r"\s+", "", text or "")
    return _USERINFO.sub(r"\1", compact).rstrip("/")[:300]
