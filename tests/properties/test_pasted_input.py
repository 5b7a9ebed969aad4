"""What people paste and what lies on disk: URLs, keys, client ids, profile names, the keyring item
and the profile file. Every parser returns its result or its documented error, never raises
anything else, and never repeats a pasted secret in a message."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.endpoints import normalize_server_url, parse_scim_url
from app.core.keys import check_client_id, check_client_secret, check_scim_key
from app.core.memory_keyring import MemoryKeyring
from app.core.profiles import ProfileError, ProfileStore, check_name
from app.core.secrets import SecretStore, SecretStoreError
from tests.properties import strategies as s

PURE = settings(max_examples=200, deadline=None)
FILES = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

url_parts = st.sampled_from(
    [
        "https://",
        "http://",
        "https://scim.bitwarden.com",
        "https://scim.bitwarden.eu",
        "http://127.0.0.1:8080",
        "https://[::1]",
        "https://bw.example.com:8443",
        "/scim",
        "/v2/",
        "/Users",
        "/",
        "?",
        "#",
        "@",
        ":",
        "%2F",
        "%00",
        " ",
        "\t",
        "Bearer ",
        "scim.bitwarden.com",
        "xn--bcher-kva.example",
        "bücher.example",
        "0d9b6a3e-8f7c-4b1d-9a2e-3c4d5e6f7a8b",
        "0D9B6A3E-8F7C-4B1D-9A2E-3C4D5E6F7A8B",
        "[",
        "]",
        "\\",
        "\u200b",
    ]
)
pasted_urls = st.lists(url_parts | st.text(max_size=12), max_size=10).map("".join) | st.text()


@PURE
@given(text=pasted_urls)
def test_scim_url_parsing_never_raises(text: str) -> None:
    check = parse_scim_url(text)
    assert (check.endpoints is None) == (check.error is not None)
    if check.endpoints is not None:
        endpoints = check.endpoints
        assert endpoints.scim_url.startswith(("https://", "http://"))
        assert endpoints.token_url.startswith(("https://", "http://"))


@PURE
@given(text=pasted_urls, expected=st.sampled_from([None, "cloud_us", "cloud_eu", "self_hosted"]))
def test_scim_url_against_an_expectation_never_raises(text: str, expected: str | None) -> None:
    from app.core.endpoints import Deployment

    parse_scim_url(text, Deployment(expected) if expected else None, server_url=text[:40] or None)


@PURE
@given(text=pasted_urls)
def test_server_url_never_raises(text: str) -> None:
    url, error = normalize_server_url(text)
    assert (url is None) != (error is None)


def _noise() -> st.SearchStrategy[str]:
    return st.text(alphabet=string.printable + "\u00a0\u200b“”", max_size=6)


@PURE
@given(secret=s.secrets, before=_noise(), after=_noise(), bearer=st.booleans())
def test_key_checks_never_echo_the_key(secret: str, before: str, after: str, bearer: bool) -> None:
    pasted = before + ("Bearer " if bearer else "") + secret + after
    for check in (check_scim_key(pasted), check_client_secret(pasted)):
        text = " ".join([check.error or "", *check.warnings, repr(check), str(check)])
        assert secret not in text
        if check.ok:
            assert check.value is not None
            assert len(check.value.get_secret_value()) == 30


@PURE
@given(text=st.text())
def test_key_checks_take_any_text(text: str) -> None:
    for check in (check_scim_key(text), check_client_secret(text)):
        assert check.ok != (check.error is not None)


@PURE
@given(text=st.text() | st.uuids().map(lambda u: f"organization.{u}"), org=st.none() | s.uuids)
def test_client_id_check_never_raises(text: str, org: str | None) -> None:
    value, error = check_client_id(text, org)
    assert (value is None) != (error is None)


@PURE
@given(name=st.text())
def test_profile_names(name: str) -> None:
    try:
        cleaned: str | None = check_name(name)
        problem = ""
    except ProfileError as exc:
        cleaned, problem = None, str(exc)
    assert (cleaned is not None and cleaned.isprintable()) or problem


@FILES
@given(
    blob=st.text()
    | s.json_values.map(json.dumps)
    | s.bodies(s.scim_user).map(lambda b: b.decode("utf-8", "replace"))
)
def test_a_damaged_keyring_item_is_a_store_error(blob: str) -> None:
    backend = MemoryKeyring()
    backend.set_password("scim-assistant", "profile/p", blob)
    try:
        SecretStore(backend).load("p")
        problem = ""
    except SecretStoreError as exc:
        problem = str(exc)
    assert blob not in problem or len(blob) < 4


@FILES
@given(data=st.binary(max_size=400) | s.json_values.map(lambda v: json.dumps(v).encode()))
def test_a_damaged_profile_file_is_set_aside(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    config = tmp_path_factory.mktemp("config")
    (config / "profiles.json").write_bytes(data)
    store = ProfileStore(config_dir=config, secrets=SecretStore(MemoryKeyring()))
    profiles = store.list()
    assert isinstance(profiles, list)
    assert all(isinstance(p.name, str) for p in profiles)
    assert Path(config).exists()
