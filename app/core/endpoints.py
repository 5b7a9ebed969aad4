"""What a pasted SCIM URL means: the deployment, the organization, and every URL derived from it.

Admins paste the SCIM URL the Admin Console shows (cloud US/EU, or a self-hosted server, possibly
published under a path prefix by a reverse proxy). Everything the program later contacts — the
Public API, the identity server, the Admin Console pages — follows from that one string, so it is
parsed strictly here and nowhere else. The web vault routes are bitwarden/clients' own
(`organizations/:organizationId/settings/scim` and `organizations/:organizationId/members`).
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from urllib.parse import SplitResult, urlsplit

from pydantic import BaseModel, ConfigDict, Field

from app.core import messages as msg


class Deployment(StrEnum):
    CLOUD_US = "cloud_us"
    CLOUD_EU = "cloud_eu"
    SELF_HOSTED = "self_hosted"


_CLOUD_SCIM_HOSTS = {
    "scim.bitwarden.com": Deployment.CLOUD_US,
    "scim.bitwarden.eu": Deployment.CLOUD_EU,
}
_CLOUD = {
    Deployment.CLOUD_US: (
        "https://api.bitwarden.com",
        "https://identity.bitwarden.com",
        "https://vault.bitwarden.com",
    ),
    Deployment.CLOUD_EU: (
        "https://api.bitwarden.eu",
        "https://identity.bitwarden.eu",
        "https://vault.bitwarden.eu",
    ),
}
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CONSOLE_FRAGMENT = re.compile(r"organizations/[0-9a-fA-F-]{36}", re.IGNORECASE)
_TRAILING_RESOURCE = re.compile(r"/(users|groups)$", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


class Endpoints(BaseModel):
    """Every URL of one organization, derived from its SCIM URL."""

    model_config = ConfigDict(frozen=True)

    deployment: Deployment
    organization_id: str
    scim_url: str
    server_url: str | None = None
    api_url: str
    identity_url: str
    vault_url: str

    @property
    def token_url(self) -> str:
        return f"{self.identity_url}/connect/token"

    @property
    def admin_console_scim_url(self) -> str:
        return f"{self.vault_url}/#/organizations/{self.organization_id}/settings/scim"

    @property
    def admin_console_members_url(self) -> str:
        return f"{self.vault_url}/#/organizations/{self.organization_id}/members"

    @property
    def scim_alive_url(self) -> str | None:
        if self.deployment is Deployment.SELF_HOSTED and self.server_url:
            return f"{self.server_url}/scim/alive"
        return None

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(urlsplit(self.scim_url).hostname or "")


class UrlCheck(BaseModel):
    """The outcome of parsing a pasted SCIM URL; `error` and `warnings` are plain sentences."""

    endpoints: Endpoints | None = None
    error: str | None = None
    warnings: list[str] = Field(default_factory=list)
    #: True when the error is "plain http to a non-loopback host" (category `insecure_url`).
    insecure: bool = False

    @property
    def ok(self) -> bool:
        return self.endpoints is not None and self.error is None


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost: the only hosts plain http is accepted for."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def deployment_name(deployment: Deployment) -> str:
    return msg.DEPLOYMENT_NAMES[deployment.value]


def parse_scim_url(
    text: str, expected: Deployment | None = None, server_url: str | None = None
) -> UrlCheck:
    """Parse a pasted SCIM URL; never raises. `expected`/`server_url` make a mismatch an error."""
    try:
        return _parse(text, expected, server_url)
    except ValueError as exc:  # urlsplit and .port raise ValueError on malformed netlocs
        return UrlCheck(error=msg.URL_UNPARSABLE.format(detail=_plain(exc)))


def console_url(deployment: Deployment, server_url: str | None = None) -> str:
    """The Admin Console's root, before the organization id is known."""
    if deployment is Deployment.SELF_HOSTED:
        if not server_url:
            raise ValueError("a self-hosted deployment needs its server URL")
        return f"{server_url.rstrip('/')}/#/"
    return f"{_CLOUD[deployment][2]}/#/"


def normalize_server_url(text: str) -> tuple[str | None, str | None]:
    """`(url, error)` for the wizard's self-hosted server field (scheme, host, optional prefix)."""
    cleaned = _WHITESPACE.sub("", text or "")
    if not cleaned:
        return None, msg.SERVER_EMPTY
    try:
        parts, error = _split_http_url(cleaned)
        if error or parts is None:
            return None, error
    except ValueError as exc:
        return None, msg.URL_UNPARSABLE.format(detail=_plain(exc))
    if parts.query:
        return None, msg.URL_QUERY_OR_FRAGMENT
    path = parts.path.rstrip("/")
    # An admin may paste the SCIM URL or the web vault's login page; keep only the server part.
    marker = path.lower().rfind("/scim/v2")
    if marker >= 0:
        path = path[:marker]
    return f"{parts.scheme.lower()}://{parts.netloc}{path}", None


# ---------------------------------------------------------------- internals


def _parse(text: str, expected: Deployment | None, server_url: str | None) -> UrlCheck:
    warnings: list[str] = []
    stripped = (text or "").strip().strip("<>\"'")
    cleaned = _WHITESPACE.sub("", stripped)
    if cleaned != stripped.strip():
        warnings.append(msg.WARN_URL_WHITESPACE)
    if not cleaned:
        return UrlCheck(error=msg.URL_EMPTY)
    parts, error = _split_http_url(cleaned)
    if error or parts is None:
        return UrlCheck(error=error, warnings=warnings, insecure=error == msg.URL_HTTP_NOT_LOOPBACK)
    host = (parts.hostname or "").rstrip(".")
    if parts.fragment and _CONSOLE_FRAGMENT.search(parts.fragment):
        return UrlCheck(error=msg.URL_CONSOLE_PAGE, warnings=warnings)
    if parts.query or parts.fragment or cleaned.endswith(("?", "#")):
        return UrlCheck(error=msg.URL_QUERY_OR_FRAGMENT, warnings=warnings)

    path = parts.path.rstrip("/")
    suffix = _TRAILING_RESOURCE.search(path)
    if suffix:
        warnings.append(msg.WARN_URL_USERS_SUFFIX.format(suffix=suffix.group(1)))
        path = path[: suffix.start()].rstrip("/")

    segments = path.split("/")
    v2_positions = [i for i, seg in enumerate(segments) if seg.lower() == "v2"]
    if not v2_positions:
        return UrlCheck(error=msg.URL_NO_V2, warnings=warnings)
    v2 = v2_positions[-1]
    after = segments[v2 + 1 :]
    if not after or not after[0]:
        return UrlCheck(error=msg.URL_MISSING_ORG, warnings=warnings)
    raw_org = after[0]
    if not _GUID.match(raw_org):
        return UrlCheck(
            error=msg.URL_INVALID_ORG.format(value=_shorten(raw_org)), warnings=warnings
        )
    if len(after) > 1:
        extra = "/" + "/".join(after[1:])
        return UrlCheck(error=msg.URL_EXTRA_PATH.format(extra=_shorten(extra)), warnings=warnings)
    org = raw_org.lower()
    if org != raw_org:
        warnings.append(msg.WARN_URL_UPPERCASE_ORG)

    prefix_path = "/".join(segments[:v2])  # everything before /v2, exactly as given
    origin = f"{parts.scheme.lower()}://{parts.netloc}"
    scim_url = f"{origin}{prefix_path}/{segments[v2]}/{org}"

    if _non_ascii_host(parts):
        warnings.append(msg.WARN_URL_IDN.format(host=host))

    cloud = _CLOUD_SCIM_HOSTS.get(host.lower())
    if cloud is not None:
        if prefix_path:
            return UrlCheck(error=msg.URL_CLOUD_PATH.format(host=host), warnings=warnings)
        if parts.port not in (None, 443):
            warnings.append(msg.WARN_URL_CLOUD_PORT.format(port=parts.port))
        api, identity, vault = _CLOUD[cloud]
        endpoints = Endpoints(
            deployment=cloud,
            organization_id=org,
            scim_url=scim_url,
            api_url=api,
            identity_url=identity,
            vault_url=vault,
        )
    else:
        if _is_bitwarden_owned(host):
            return UrlCheck(
                error=msg.URL_BITWARDEN_NOT_SCIM_HOST.format(host=host), warnings=warnings
            )
        shaped = prefix_path.lower().endswith("/scim")
        server_path = prefix_path[: -len("/scim")] if shaped else prefix_path
        if _looks_like_cloud(host, shaped):
            warnings.append(msg.WARN_URL_LOOKALIKE.format(host=host))
        elif not shaped:
            warnings.append(msg.WARN_URL_UNUSUAL_SHAPE)
        server = f"{origin}{server_path}"
        endpoints = Endpoints(
            deployment=Deployment.SELF_HOSTED,
            organization_id=org,
            scim_url=scim_url,
            server_url=server,
            api_url=f"{server}/api",
            identity_url=f"{server}/identity",
            vault_url=server,
        )

    mismatch = _mismatch(endpoints, expected, server_url)
    if mismatch:
        return UrlCheck(endpoints=None, error=mismatch, warnings=warnings)
    return UrlCheck(endpoints=endpoints, warnings=warnings)


def _split_http_url(cleaned: str) -> tuple[SplitResult | None, str | None]:
    if "://" not in cleaned:
        return None, msg.URL_NO_SCHEME
    parts = urlsplit(cleaned)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return None, msg.URL_BAD_SCHEME.format(scheme=_shorten(parts.scheme or "?"))
    if "@" in parts.netloc:
        return None, msg.URL_USERINFO
    host = parts.hostname
    if not host:
        return None, msg.URL_NO_HOST
    _ = parts.port  # raises ValueError on a port that is not a number in range
    if any(ch in host for ch in "\\%") or host.startswith(".") or ".." in host:
        return None, msg.URL_UNPARSABLE.format(detail=f"'{_shorten(host)}' is not a host name")
    if scheme == "http" and not is_loopback_host(host):
        return None, msg.URL_HTTP_NOT_LOOPBACK
    return parts, None


def _is_bitwarden_owned(host: str) -> bool:
    """A real Bitwarden host other than the SCIM one (vault., api., identity., bitwarden.com)."""
    host = host.lower()
    return host in ("bitwarden.com", "bitwarden.eu") or host.endswith(
        (".bitwarden.com", ".bitwarden.eu")
    )


def _looks_like_cloud(host: str, self_hosted_shape: bool) -> bool:
    """A host imitating scim.bitwarden.com/.eu (scim.bitwarden.com.evil.io, scim-bitwarden.com)."""
    labels = host.lower().split(".")
    for i, label in enumerate(labels):
        if label == "bitwarden" and i + 1 < len(labels) and labels[i + 1] in ("com", "eu"):
            return True  # scim.bitwarden.com.evil.io
        if (
            label != "bitwarden"
            and "bitwarden" in label
            and ("scim" in label or label.endswith(("com", "eu")))
        ):
            return True  # scim-bitwarden.com, bitwardencom.net
        words = re.split(r"[-_]", label)
        if any(w != "bitwarden" and _distance(w, "bitwarden") <= 2 for w in words):
            return True  # bitwarder.com, scim.bltwarden.com
    # A self-hosted server may well be called bitwarden.example.com; only the cloud's own path shape
    # on a Bitwarden-sounding host is suspicious there.
    return not self_hosted_shape and "bitwarden" in host.lower()


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, bounded work (labels are short; long ones are simply far)."""
    if abs(len(a) - len(b)) > 2:
        return 3
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _non_ascii_host(parts: SplitResult) -> bool:
    host = parts.hostname or ""
    return not host.isascii() or any(label.startswith("xn--") for label in host.split("."))


def _mismatch(
    endpoints: Endpoints, expected: Deployment | None, server_url: str | None
) -> str | None:
    if expected is not None and endpoints.deployment is not expected:
        return msg.URL_EXPECTED_DEPLOYMENT.format(
            actual=deployment_name(endpoints.deployment), expected=deployment_name(expected)
        )
    if server_url and endpoints.deployment is Deployment.SELF_HOSTED:
        wanted, _ = normalize_server_url(server_url)
        if wanted and (endpoints.server_url or "").lower() != wanted.lower():
            return msg.URL_EXPECTED_SERVER.format(actual=endpoints.server_url, expected=wanted)
    return None


def _shorten(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _plain(exc: ValueError) -> str:
    return _shorten(str(exc) or "malformed address", 120)
