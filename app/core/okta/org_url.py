"""The Okta org URL an admin types: checked before an API token is ever sent to it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import BaseModel

from app.core.endpoints import is_loopback_host
from app.core.outside_text import printable

#: Okta's own domains (a tenant subdomain of one of these); anything else is a custom domain.
OKTA_DOMAINS = ("okta.com", "okta-emea.com", "oktapreview.com")


class OrgUrlCheck(BaseModel):
    """`url` is the org's origin (`https://example.okta.com`), or None with `error` saying why."""

    url: str | None = None
    error: str | None = None
    warnings: list[str] = []

    @property
    def ok(self) -> bool:
        return self.url is not None


#: A DNS host name (ASCII), or an IP address literal (IPv6 without its brackets).
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|[0-9a-f:.]+")


def check_org_url(text: str) -> OrgUrlCheck:
    """Normalise to `scheme://host[:port]` and refuse what cannot be an Okta org's API host.

    http:// only for loopback (the sandbox); an Admin Console host (`-admin`) is refused, since the
    API lives on the org host; a custom domain is accepted with a warning."""
    raw = text.strip()
    if not raw:
        return OrgUrlCheck(error="Type the Okta org URL, e.g. https://example.okta.com.")
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return OrgUrlCheck(error="This is not a URL. Type it as https://example.okta.com.")
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host or raw.count("://") > 1:
        return OrgUrlCheck(error="This is not a URL. Type it as https://example.okta.com.")
    if parts.username or parts.password:
        return OrgUrlCheck(error="The Okta org URL must not contain a user name or password.")
    if not _HOST.fullmatch(host):
        # `https://evil.example\.okta.com` ended in .okta.com, so it passed without the custom
        # domain's warning, yet names no Okta host (a browser reads the backslash as a `/`).
        return OrgUrlCheck(
            error=f"{printable(host)!r} is not a host name: it is letters, digits, '-' and '.' "
            "(an international name in its xn-- form)."
        )
    if parts.scheme == "http" and not is_loopback_host(host):
        return OrgUrlCheck(
            error="The Okta org URL must start with https:// (plain http only for this computer)."
        )
    if "-admin." in host:
        fixed = host.replace("-admin.", ".", 1)
        return OrgUrlCheck(
            error=f"{host} is the Admin Console; Okta's API is on the org host: https://{fixed}."
        )
    if host.endswith(".com.com"):
        return OrgUrlCheck(error=f"{host} ends in .com.com; check the Okta org URL.")
    shown = f"[{host}]" if ":" in host else host
    origin = f"{parts.scheme}://{shown}" + (f":{port}" if port else "")
    warnings: list[str] = []
    if not is_loopback_host(host) and not any(host.endswith("." + d) for d in OKTA_DOMAINS):
        warnings.append(
            f"{host} is not an Okta domain (okta.com, okta-emea.com, oktapreview.com): "
            "fine if it is your org's custom domain; the API token will be sent to it."
        )
    return OrgUrlCheck(url=origin, warnings=warnings)
