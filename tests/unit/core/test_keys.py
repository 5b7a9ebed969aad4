"""Credential format checks: what admins paste, what is cleaned, what is refused, nothing leaked."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import messages as msg
from app.core.keys import check_client_id, check_client_secret, check_scim_key

KEY = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy"
ORG = "8f0e6c1a-1b2c-4d5e-9f00-123456789abc"


def test_a_bare_key_passes_without_warnings() -> None:
    check = check_scim_key(KEY)
    assert check.ok
    assert check.value is not None
    assert check.value.get_secret_value() == KEY
    assert check.warnings == []


@pytest.mark.parametrize(
    ("pasted", "warnings"),
    [
        (f"Bearer {KEY}", [msg.WARN_KEY_BEARER]),
        (f"bearer   {KEY}", [msg.WARN_KEY_BEARER]),
        (f"Bearer Bearer {KEY}", [msg.WARN_KEY_BEARER]),
        (f"Authorization: Bearer {KEY}", [msg.WARN_KEY_BEARER]),
        (f"  {KEY}\n", [msg.WARN_KEY_WHITESPACE]),
        (f"{KEY[:10]} {KEY[10:]}", [msg.WARN_KEY_WHITESPACE]),
        (f'"{KEY}"', [msg.WARN_KEY_QUOTES]),
        (f" Bearer {KEY} ", [msg.WARN_KEY_BEARER, msg.WARN_KEY_WHITESPACE]),
    ],
)
def test_pasted_decorations_are_removed_with_a_warning(pasted: str, warnings: list[str]) -> None:
    check = check_scim_key(pasted)
    assert check.ok, check.error
    assert check.value is not None
    assert check.value.get_secret_value() == KEY
    assert check.warnings == warnings


@pytest.mark.parametrize(
    ("pasted", "error"),
    [
        ("", msg.KEY_EMPTY),
        ("Bearer ", msg.KEY_EMPTY),
        (KEY[:-1], msg.KEY_WRONG_LENGTH.format(length=29)),
        (KEY + "Z", msg.KEY_WRONG_LENGTH.format(length=31)),
        (KEY[:-1] + "-", msg.KEY_BAD_CHARACTERS),
        (KEY[:-1] + "é", msg.KEY_BAD_CHARACTERS),
    ],
)
def test_wrong_keys_are_refused(pasted: str, error: str) -> None:
    check = check_scim_key(pasted)
    assert not check.ok
    assert check.value is None
    assert check.error == error


def test_the_key_is_in_no_message_or_repr() -> None:
    wrong = KEY + "!"
    check = check_scim_key(wrong)
    assert wrong not in (check.error or "")
    good = check_scim_key(f"Bearer {KEY}")
    assert KEY not in repr(good)
    assert KEY not in good.model_dump_json()
    assert KEY not in " ".join(good.warnings)


def test_client_id() -> None:
    assert check_client_id(f"organization.{ORG}") == (f"organization.{ORG}", None)
    assert check_client_id(f" Organization.{ORG.upper()} ", ORG) == (f"organization.{ORG}", None)
    assert check_client_id("") == (None, msg.CLIENT_ID_EMPTY)
    assert check_client_id(ORG) == (None, msg.CLIENT_ID_INVALID)
    assert check_client_id(f"user.{ORG}") == (None, msg.CLIENT_ID_INVALID)
    other = "11111111-2222-3333-4444-555555555555"
    value, error = check_client_id(f"organization.{other}", ORG)
    assert value is None
    assert error == msg.CLIENT_ID_OTHER_ORG.format(actual=other, expected=ORG)


def test_client_secret() -> None:
    check = check_client_secret(f" {KEY} ")
    assert check.ok
    assert check.warnings == [msg.WARN_KEY_WHITESPACE]
    short = check_client_secret("abc")
    assert short.error == msg.CLIENT_CREDENTIAL_WRONG_LENGTH.format(length=3)
    # A client secret has no Bearer form; the prefix is a mistake, not a decoration.
    assert not check_client_secret(f"Bearer {KEY}").ok


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_never_raises_and_ok_means_thirty_alphanumerics(text: str) -> None:
    for check in (check_scim_key(text), check_client_secret(text)):
        assert check.ok == (check.error is None)
        if check.ok:
            assert check.value is not None
            bare = check.value.get_secret_value()
            assert len(bare) == 30
            assert bare.isascii()
            assert bare.isalnum()
    client_id, error = check_client_id(text)
    assert (client_id is None) != (error is None)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["", " ", "\n", "\t", "Bearer ", "bearer ", '"']),
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        min_size=30,
        max_size=30,
    ),
    st.sampled_from(["", " ", "\r\n", '"']),
)
def test_decorated_valid_keys_come_back_bare(prefix: str, key: str, suffix: str) -> None:
    check = check_scim_key(prefix + key + suffix)
    if check.ok:
        assert check.value is not None
        assert check.value.get_secret_value() == key
    else:  # only a lone quote on one side is not cleaned
        assert '"' in prefix + suffix
