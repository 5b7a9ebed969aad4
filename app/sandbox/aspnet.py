"""What the ASP.NET Core apps (SCIM, API, Identity) do around every controller.

- `SecurityHeadersMiddleware` adds three headers to every answer (reference 2.1).
- Request bodies are read by System.Text.Json only for JSON media types (`application/json`,
  `text/json`, `application/*+json`); anything else is 415 with no body (reference 2.3).
- Property names are matched case-insensitively (reference 0), which `prop()` reproduces.
- Response content negotiation: an `Accept` of a JSON media type is echoed, otherwise
  `application/json` (the System.Text.Json output formatter's supported types).
- Dates are written as System.Text.Json writes `DateTime`: ISO 8601, fraction trimmed, `Z` for UTC.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from app.sandbox.router import Request, Response

SECURITY_HEADERS = (
    ("x-frame-options", "SAMEORIGIN"),
    ("x-xss-protection", "1; mode=block"),
    ("x-content-type-options", "nosniff"),
)

_JSON_MEDIA = re.compile(r"^(application/json|text/json|application/[a-z0-9.+-]+\+json)$")


def security_headers(request: Request, response: Response) -> Response:
    """`SecurityHeadersMiddleware`: on every response of the app, errors and 404s included."""
    present = {k.lower() for k, _ in response.headers}
    for key, value in SECURITY_HEADERS:
        if key not in present:
            response.headers.append((key, value))
    return response


def is_json_media(request: Request) -> bool:
    """True when System.Text.Json's input formatter would read this body."""
    return bool(_JSON_MEDIA.match(request.content_type))


def unsupported_media_type() -> Response:
    """`UnsupportedContentTypeFilter`: 415 with an empty body."""
    return Response.empty(415)


def negotiated_json(request: Request) -> str:
    """The content type an `ObjectResult` without `[Produces]` gets for this `Accept` header."""
    for part in (request.header("Accept") or "").split(","):
        media = part.split(";", 1)[0].strip().lower()
        if _JSON_MEDIA.match(media):
            return media + "; charset=utf-8"
    return "application/json; charset=utf-8"


def prop(obj: Any, name: str) -> Any:
    """A JSON object's property by case-insensitive name (System.Text.Json's web default)."""
    if not isinstance(obj, dict):
        return None
    if name in obj:
        return obj[name]
    lowered = name.lower()
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == lowered:
            return value
    return None


def has_prop(obj: Any, name: str) -> bool:
    if not isinstance(obj, dict):
        return False
    lowered = name.lower()
    return any(isinstance(k, str) and k.lower() == lowered for k in obj)


def dotnet_datetime(value: datetime | None, *, utc_kind: bool = True) -> str | None:
    """`DateTime` as System.Text.Json writes it (trailing zeros of the fraction trimmed)."""
    if value is None:
        return None
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}0".rstrip("0")
    return text + ("Z" if utc_kind else "")
