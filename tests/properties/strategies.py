"""Hypothesis strategies for what outside servers and people hand the program.

Bodies are drawn three ways: any bytes; any JSON value; and JSON shaped like Bitwarden's own
answers with every field replaced, dropped or mistyped at random, which reaches the parsers'
deeper branches far more often than random bytes do.
"""

from __future__ import annotations

import json
import string

from hypothesis import strategies as st

SECRET_ALPHABET = string.ascii_letters + string.digits

#: Text a hostile server sends to a terminal: escapes, BEL, bidi overrides, CR/LF, NUL.
hostile_text = st.lists(
    st.sampled_from(["\x1b[2J", "\x1b]0;title\x07", "\u202e", "\r\n", "\x00", "\x9b", "ok"])
    | st.text(max_size=10),
    max_size=6,
).map("".join)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | hostile_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=16,
)


def shaped(fields: dict[str, st.SearchStrategy[object]]) -> st.SearchStrategy[dict[str, object]]:
    """A dict with each field optional, holding either a plausible value or any JSON value."""
    return st.fixed_dictionaries({}, optional={k: v | json_values for k, v in fields.items()})


uuids = st.uuids().map(str)
emails = st.emails()

member = shaped(
    {
        "object": st.just("member"),
        "id": uuids,
        "userId": uuids | st.none(),
        "name": st.text(max_size=30) | st.none(),
        "email": emails,
        "status": st.integers(-2, 4),
        "type": st.integers(-1, 5),
        "externalId": st.text(max_size=20) | st.none(),
        "twoFactorEnabled": st.booleans(),
        "resetPasswordEnrolled": st.booleans(),
    }
)
member_list = shaped({"object": st.just("list"), "data": st.lists(member, max_size=5)})
token = shaped(
    {
        "access_token": st.text(max_size=60),
        "expires_in": st.integers(-10, 10**6) | st.floats(),
        "token_type": st.just("Bearer"),
        "scope": st.just("api.organization"),
    }
)
api_error = shaped(
    {
        "object": st.just("error"),
        "message": st.text(max_size=400) | hostile_text,
        "error": st.sampled_from(["invalid_client", "invalid_scope", "unauthorized_client"]),
        "error_description": st.text(max_size=100),
        "errors": st.dictionaries(st.text(max_size=10), st.lists(st.text(max_size=20), max_size=2)),
    }
)
scim_email = shaped({"value": emails, "primary": st.booleans(), "type": st.just("work")})
scim_user = shaped(
    {
        "schemas": st.just(["urn:ietf:params:scim:schemas:core:2.0:User"]),
        "id": uuids,
        "userName": emails,
        "displayName": st.text(max_size=30),
        "emails": st.lists(scim_email, max_size=3),
        "externalId": st.text(max_size=20),
        "active": st.booleans(),
    }
)
scim_list = shaped(
    {
        "schemas": st.just(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]),
        "totalResults": st.integers(-1, 5),
        "startIndex": st.integers(0, 3),
        "itemsPerPage": st.integers(0, 100),
        "resources": st.lists(scim_user, max_size=3),
        "Resources": st.lists(scim_user, max_size=3),
    }
)
scim_error = shaped(
    {
        "schemas": st.just(["urn:ietf:params:scim:api:messages:2.0:Error"]),
        "status": st.integers(400, 599) | st.text(max_size=4),
        "detail": st.text(max_size=200) | hostile_text,
        "scimType": st.text(max_size=20),
    }
)
bw_member = shaped(
    {
        "object": st.just("org-member"),
        "id": uuids,
        "email": emails,
        "name": st.text(max_size=30),
        "status": st.integers(-2, 4),
        "type": st.integers(-1, 5),
        "twoFactorEnabled": st.booleans(),
    }
)
bw_envelope = shaped(
    {
        "success": st.booleans(),
        "message": st.text(max_size=100) | st.sampled_from(["Vault is locked.", "Not found."]),
        "data": shaped(
            {
                "object": st.sampled_from(["list", "template", "string", "message"]),
                "data": st.lists(bw_member, max_size=4) | st.text(max_size=40),
                "template": shaped({"status": st.sampled_from(["locked", "unlocked"])}),
                "raw": st.text(max_size=40),
            }
        ),
    }
)


def bodies(shape: st.SearchStrategy[dict[str, object]]) -> st.SearchStrategy[bytes]:
    """Any bytes, any JSON, or `shape`-like JSON (sometimes cut short)."""
    as_json = (json_values | shape).map(lambda v: json.dumps(v).encode())
    cut = st.tuples(shape.map(lambda v: json.dumps(v).encode()), st.integers(0, 200)).map(
        lambda pair: pair[0][: pair[1]]
    )
    return st.binary(max_size=300) | as_json | shape.map(lambda v: json.dumps(v).encode()) | cut


statuses = st.sampled_from([200, 201, 204, 301, 302, 400, 401, 403, 404, 405, 429, 500, 503]) | (
    st.integers(100, 599)
)
content_types = st.sampled_from(
    [
        "application/json; charset=utf-8",
        "application/scim+json",
        "text/html",
        "text/plain",
        "",
        "application/json; charset=latin-1",
    ]
)
#: Header values servers and proxies really send wrong, beside random text.
nasty_header_values = st.sampled_from(
    [
        "inf",
        "-inf",
        "nan",
        "1e400",
        "-1",
        "0",
        "99999999999999999999999",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Sat, 01 Jan 10000 00:00:00 GMT",
        "",
        "javascript:alert(1)",
        "//evil.example/",
        "https://login.example.com/sso?next=/scim",
    ]
)
extra_headers = st.lists(
    st.sampled_from(["Retry-After", "Location", "WWW-Authenticate"]).flatmap(
        lambda name: st.tuples(
            st.just(name),
            nasty_header_values
            | st.text(alphabet=string.printable.strip("\r\n\x0b\x0c"), max_size=40),
        )
    ),
    max_size=2,
)
secrets = st.text(alphabet=SECRET_ALPHABET, min_size=12, max_size=40)
