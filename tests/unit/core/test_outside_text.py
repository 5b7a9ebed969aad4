"""The one clean-up of outside text, and the one Retry-After reader."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from app.core.bw_serve import BwServeError
from app.core.errors import ClientError
from app.core.outside_text import ELLIPSIS, clean, printable, retry_after_seconds, shorten
from app.core.public_api import PublicApiError
from app.core.scim_client import ScimError


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Eve\x1b]0;owned\x07", "Eve ]0;owned"),  # a terminal title escape loses its ESC and BEL
        ("Bob\r\n<ceo@example.com>", "Bob <ceo@example.com>"),  # no fake second line
        ("\u202emoc.elpmaxe@eve", "moc.elpmaxe@eve"),  # no right-to-left override
        ("a\u2066b\u2069c\u200bd", "a b c d"),  # isolates and zero-width space
        ("csi\x9b31m", "csi 31m"),  # C1 CSI
        ("  plain   words  ", "plain words"),
        ("👩\u200d💻 Zoë", "👩\u200d💻 Zoë"),  # joiners kept: they never reorder
    ],
)
def test_clean_makes_one_plain_line(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_printable_keeps_the_length_for_tables() -> None:
    raw = "a\tb\u202ec\nd"
    assert printable(raw) == "a b c d"
    assert len(printable(raw)) == len(raw)


def test_long_text_is_capped_with_an_ellipsis() -> None:
    assert clean("x" * 10_000) == "x" * 299 + ELLIPSIS
    assert clean("x" * 10_000, 40) == "x" * 39 + ELLIPSIS
    assert clean("short", 40) == "short"
    assert shorten("abc", 3) == "abc"
    assert shorten("abcd", 3) == "ab" + ELLIPSIS


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("30", 30.0),
        (" 2.5 ", 2.5),
        ("-4", 0.0),
        ("inf", None),
        ("nan", None),
        ("1e400", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # a date in the past
    ],
)
def test_retry_after_seconds(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value) == seconds


def test_retry_after_an_http_date_counts_from_now() -> None:
    now = 1_700_000_000.0
    assert retry_after_seconds(formatdate(now + 90, usegmt=True), now=now) == pytest.approx(90)


def test_every_client_error_has_one_base_with_status_and_retry_after() -> None:
    errors: list[ClientError] = [
        PublicApiError("slow down", status=429, retry_after=12.0),
        ScimError("refused", status=401),
        BwServeError("forbidden", status=403),
    ]
    assert [(e.message, e.status) for e in errors] == [
        ("slow down", 429),
        ("refused", 401),
        ("forbidden", 403),
    ]
    assert [e.retry_after for e in errors] == [12.0, None, None]
    assert all(str(e) == e.message for e in errors)
