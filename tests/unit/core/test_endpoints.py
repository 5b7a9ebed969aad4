"""SCIM URL parsing: every shape admins paste, what is refused, what is warned about."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import messages as msg
from app.core.endpoints import (
    Deployment,
    console_url,
    is_loopback_host,
    normalize_server_url,
    parse_scim_url,
)

ORG = "8f0e6c1a-1b2c-4d5e-9f00-123456789abc"


def test_cloud_us_derives_every_url() -> None:
    check = parse_scim_url(f"https://scim.bitwarden.com/v2/{ORG}")
    assert check.ok
    assert check.warnings == []
    ep = check.endpoints
    assert ep is not None
    assert ep.deployment is Deployment.CLOUD_US
    assert ep.organization_id == ORG
    assert ep.scim_url == f"https://scim.bitwarden.com/v2/{ORG}"
    assert ep.server_url is None
    assert ep.api_url == "https://api.bitwarden.com"
    assert ep.token_url == "https://identity.bitwarden.com/connect/token"
    assert ep.admin_console_scim_url == (
        f"https://vault.bitwarden.com/#/organizations/{ORG}/settings/scim"
    )
    assert (
        ep.admin_console_members_url == f"https://vault.bitwarden.com/#/organizations/{ORG}/members"
    )
    assert ep.scim_alive_url is None


def test_cloud_eu() -> None:
    ep = parse_scim_url(f"https://scim.bitwarden.eu/v2/{ORG}").endpoints
    assert ep is not None
    assert ep.deployment is Deployment.CLOUD_EU
    assert (ep.api_url, ep.identity_url, ep.vault_url) == (
        "https://api.bitwarden.eu",
        "https://identity.bitwarden.eu",
        "https://vault.bitwarden.eu",
    )


@pytest.mark.parametrize(
    ("url", "server"),
    [
        (f"https://bw.example.com/scim/v2/{ORG}", "https://bw.example.com"),
        (f"https://bw.example.com:8443/scim/v2/{ORG}", "https://bw.example.com:8443"),
        (
            f"https://tools.example.com/bitwarden/scim/v2/{ORG}",
            "https://tools.example.com/bitwarden",
        ),
        (f"https://a.example/x/v2/y/scim/v2/{ORG}", "https://a.example/x/v2/y"),
        (f"http://127.0.0.1:8080/scim/v2/{ORG}", "http://127.0.0.1:8080"),
        (f"http://[::1]:8080/scim/v2/{ORG}", "http://[::1]:8080"),
        (f"http://localhost/scim/v2/{ORG}", "http://localhost"),
    ],
)
def test_self_hosted_shapes(url: str, server: str) -> None:
    check = parse_scim_url(url)
    assert check.ok, check.error
    ep = check.endpoints
    assert ep is not None
    assert ep.deployment is Deployment.SELF_HOSTED
    assert ep.scim_url == url
    assert ep.server_url == server
    assert ep.api_url == f"{server}/api"
    assert ep.identity_url == f"{server}/identity"
    assert ep.token_url == f"{server}/identity/connect/token"
    assert ep.scim_alive_url == f"{server}/scim/alive"
    assert ep.admin_console_members_url == f"{server}/#/organizations/{ORG}/members"
    assert check.warnings == []


def test_what_admins_really_paste_is_cleaned_with_warnings() -> None:
    check = parse_scim_url(f"  https://scim.bitwarden.com/v2/{ORG.upper()}/Users/ \n")
    assert check.ok
    assert check.endpoints is not None
    assert check.endpoints.scim_url == f"https://scim.bitwarden.com/v2/{ORG}"
    assert check.endpoints.organization_id == ORG
    assert msg.WARN_URL_UPPERCASE_ORG in check.warnings
    assert msg.WARN_URL_USERS_SUFFIX.format(suffix="Users") in check.warnings


def test_trailing_slash_is_silently_dropped() -> None:
    check = parse_scim_url(f"https://scim.bitwarden.com/v2/{ORG}/")
    assert check.ok
    assert check.warnings == []
    assert check.endpoints is not None
    assert check.endpoints.scim_url.endswith(ORG)


def test_line_break_inside_is_removed_with_a_warning() -> None:
    check = parse_scim_url(f"https://scim.bitwarden.com/v2/\n{ORG}")
    assert check.ok
    assert msg.WARN_URL_WHITESPACE in check.warnings


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", msg.URL_EMPTY),
        ("   ", msg.URL_EMPTY),
        ("hello", msg.URL_NO_SCHEME),
        (f"scim.bitwarden.com/v2/{ORG}", msg.URL_NO_SCHEME),
        (f"ftp://scim.bitwarden.com/v2/{ORG}", msg.URL_BAD_SCHEME.format(scheme="ftp")),
        ("https://scim.bitwarden.com/", msg.URL_NO_V2),
        ("https://scim.bitwarden.com/v2/", msg.URL_MISSING_ORG),
        (
            "https://scim.bitwarden.com/v2/not-a-guid",
            msg.URL_INVALID_ORG.format(value="not-a-guid"),
        ),
        (f"https://scim.bitwarden.com/v2/{ORG}?x=1", msg.URL_QUERY_OR_FRAGMENT),
        (f"https://user:pw@bw.example.com/scim/v2/{ORG}", msg.URL_USERINFO),
        (f"https://bw.example.com/scim/v2/{ORG}/extra", msg.URL_EXTRA_PATH.format(extra="/extra")),
        (f"https://vault.bitwarden.com/#/organizations/{ORG}/settings/scim", msg.URL_CONSOLE_PAGE),
        (
            f"https://scim.bitwarden.com/scim/v2/{ORG}",
            msg.URL_CLOUD_PATH.format(host="scim.bitwarden.com"),
        ),
        (
            f"https://api.bitwarden.com/v2/{ORG}",
            msg.URL_BITWARDEN_NOT_SCIM_HOST.format(host="api.bitwarden.com"),
        ),
    ],
)
def test_refused(text: str, error: str) -> None:
    check = parse_scim_url(text)
    assert not check.ok
    assert check.endpoints is None
    assert check.error == error
    assert not check.insecure


@pytest.mark.parametrize(
    "url",
    [
        f"http://bw.example.com/scim/v2/{ORG}",
        f"http://scim.bitwarden.com/v2/{ORG}",
        f"http://10.0.0.5/scim/v2/{ORG}",
        f"http://128.0.0.1/scim/v2/{ORG}",
    ],
)
def test_plain_http_is_refused_except_to_loopback(url: str) -> None:
    check = parse_scim_url(url)
    assert not check.ok
    assert check.insecure
    assert check.error == msg.URL_HTTP_NOT_LOOPBACK


@pytest.mark.parametrize(
    "host",
    [
        "scim.bitwarden.com.evil.io",
        "scim-bitwarden.com",
        "scim.bitwarden.co",
        "scim.bitwarder.com",
        "scim.bltwarden.eu",
    ],
)
def test_look_alike_hosts_are_warned_about(host: str) -> None:
    check = parse_scim_url(f"https://{host}/v2/{ORG}")
    assert check.ok
    assert msg.WARN_URL_LOOKALIKE.format(host=host) in check.warnings


def test_a_self_hosted_server_may_be_called_bitwarden() -> None:
    check = parse_scim_url(f"https://bitwarden.company.com/scim/v2/{ORG}")
    assert check.ok
    assert check.warnings == []


def test_unusual_shape_is_warned_about() -> None:
    check = parse_scim_url(f"https://scim.example.com/v2/{ORG}")
    assert check.ok
    assert msg.WARN_URL_UNUSUAL_SHAPE in check.warnings
    assert check.endpoints is not None
    assert check.endpoints.server_url == "https://scim.example.com"


def test_internationalised_host_is_warned_about() -> None:
    check = parse_scim_url(f"https://bіtwarden.example.com/scim/v2/{ORG}")  # Cyrillic і
    assert check.ok
    assert any("other alphabets" in w for w in check.warnings)


def test_expected_deployment_and_server_mismatches_are_errors() -> None:
    eu = f"https://scim.bitwarden.eu/v2/{ORG}"
    assert parse_scim_url(eu, expected=Deployment.CLOUD_EU).ok
    wrong = parse_scim_url(eu, expected=Deployment.CLOUD_US)
    assert not wrong.ok
    assert wrong.error
    assert "Bitwarden cloud (EU)" in wrong.error
    url = f"https://bw.example.com/scim/v2/{ORG}"
    assert parse_scim_url(url, Deployment.SELF_HOSTED, "https://BW.example.com/").ok
    other = parse_scim_url(url, Deployment.SELF_HOSTED, "https://other.example.com")
    assert not other.ok
    assert other.error
    assert "other.example.com" in other.error


def test_normalize_server_url() -> None:
    assert normalize_server_url(" https://bw.example.com/ ") == ("https://bw.example.com", None)
    assert normalize_server_url("https://x.example/bitwarden/scim/v2/abc") == (
        "https://x.example/bitwarden",
        None,
    )
    assert normalize_server_url("")[1] == msg.SERVER_EMPTY
    assert normalize_server_url("http://bw.example.com")[1] == msg.URL_HTTP_NOT_LOOPBACK
    assert normalize_server_url("http://127.0.0.1:9000") == ("http://127.0.0.1:9000", None)


def test_console_url() -> None:
    assert console_url(Deployment.CLOUD_US) == "https://vault.bitwarden.com/#/"
    assert (
        console_url(Deployment.SELF_HOSTED, "https://bw.example.com/")
        == "https://bw.example.com/#/"
    )
    with pytest.raises(ValueError, match="server URL"):
        console_url(Deployment.SELF_HOSTED)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.9.9.9", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST.", True),
        ("10.0.0.1", False),
        ("example.com", False),
        ("", False),
    ],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_never_raises(text: str) -> None:
    check = parse_scim_url(text)
    assert check.ok == (check.error is None)
    normalize_server_url(text)


_url_parts = st.lists(
    st.sampled_from(
        [
            "https://",
            "http://",
            "scim.bitwarden.com",
            "bw.example.com",
            ":",
            "443",
            "/",
            "v2",
            "scim",
            "Users",
            ORG,
            ORG.upper(),
            "?",
            "#",
            "@",
            "[",
            "]",
            "%",
            " ",
            "\n",
            "..",
            "xn--",
            "ä",
        ]
    ),
    max_size=14,
)


@settings(max_examples=500, deadline=None)
@given(_url_parts)
def test_url_like_text_never_raises_and_ok_results_are_consistent(parts: list[str]) -> None:
    check = parse_scim_url("".join(parts))
    if check.ok:
        ep = check.endpoints
        assert ep is not None
        assert ep.scim_url.endswith("/" + ep.organization_id)
        assert ep.organization_id == ep.organization_id.lower()
        assert ep.scim_url.startswith("https://") or ep.is_loopback
        again = parse_scim_url(ep.scim_url)
        assert again.endpoints == ep
