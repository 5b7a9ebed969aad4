"""Format checks for what admins paste as credentials: the SCIM API key and the Public API client.

Bitwarden makes both secrets with `CoreHelpers.SecureRandomString(30)` (letters and digits), so a
wrong length or a stray character is certainly a copy mistake, and is better caught here than as a
401 later. A pasted `Bearer ` is stripped with a warning: Okta's API Token field may add its own,
and a doubled prefix would make Bitwarden answer 401. No message ever contains the pasted text.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, SecretStr

from app.core import messages as msg

SECRET_LENGTH = 30
_ALNUM = re.compile(r"^[A-Za-z0-9]+$")
_BEARER = re.compile(r"^(authorization\s*:\s*)?(bearer(\s+|$))+", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
#: Control characters other than the whitespace that is stripped anyway (tab, CR, LF, VT, FF),
#: C1 controls, byte order marks and lone surrogates (undecodable input read with
#: `surrogateescape`).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ufffe\ud800-\udfff]")
_UTF16_SIGNS = ("\x00", "\ufeff", "\ufffe", "\udcff\udcfe", "\udcfe\udcff", "\xff\xfe", "\xfe\xff")
_CLIENT_ID = re.compile(
    r"^organization\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.IGNORECASE
)


class KeyCheck(BaseModel):
    """A checked secret: the bare, cleaned value (or why it cannot be right) and what changed."""

    value: SecretStr | None = None
    error: str | None = None
    warnings: list[str] = Field(default_factory=list)
    #: The text with what was removed taken out (quotes, `Bearer `, whitespace), valid or not:
    #: what a field should show, so that a length error counts what the admin sees.
    cleaned: SecretStr = Field(default_factory=lambda: SecretStr(""))

    @property
    def ok(self) -> bool:
        return self.value is not None and self.error is None


def control_character_problem(text: str, what: str) -> str | None:
    """Why `text` (a secret) must not be used, or None: it holds control characters.

    Such a key can never be right, cannot be sent in a header, and an exception text quoting the
    header would show it escaped. A key file saved as UTF-16 (PowerShell's `>`) reads as one with
    a NUL after every character; that case says which encoding to use. `what` names the secret,
    capitalised ("The SCIM API key"); the sentence never contains the secret.
    """
    if not _CONTROL.search(text) and not text.startswith(("\xff\xfe", "\xfe\xff")):
        return None
    if any(sign in text for sign in _UTF16_SIGNS):
        return msg.KEY_UTF16.format(what=what)
    return msg.KEY_CONTROL_CHARACTERS.format(what=what)


def check_scim_key(text: str) -> KeyCheck:
    """The SCIM API key: 30 letters and digits; strips whitespace, quotes and a pasted `Bearer `."""
    return _check_secret(
        text,
        what="The SCIM API key",
        strip_bearer=True,
        empty=msg.KEY_EMPTY,
        wrong_length=msg.KEY_WRONG_LENGTH,
        bad_characters=msg.KEY_BAD_CHARACTERS,
    )


def check_client_secret(text: str) -> KeyCheck:
    """The Public API client_secret: 30 letters and digits; strips whitespace and quotes."""
    return _check_secret(
        text,
        what="The client_secret",
        strip_bearer=False,
        empty=msg.CLIENT_CREDENTIAL_EMPTY,
        wrong_length=msg.CLIENT_CREDENTIAL_WRONG_LENGTH,
        bad_characters=msg.CLIENT_CREDENTIAL_BAD_CHARACTERS,
    )


def check_client_id(text: str, organization_id: str | None = None) -> tuple[str | None, str | None]:
    """`(value, error)` for a Public API client_id, `organization.<guid>` (made lower-case)."""
    cleaned = _WHITESPACE.sub("", text or "").strip("\"'")
    if not cleaned:
        return None, msg.CLIENT_ID_EMPTY
    match = _CLIENT_ID.match(cleaned)
    if not match:
        return None, msg.CLIENT_ID_INVALID
    guid = match.group(1).lower()
    if organization_id and guid != organization_id.strip().lower():
        return None, msg.CLIENT_ID_OTHER_ORG.format(actual=guid, expected=organization_id.lower())
    return f"organization.{guid}", None


def _check_secret(
    text: str,
    *,
    what: str,
    strip_bearer: bool,
    empty: str,
    wrong_length: str,
    bad_characters: str,
) -> KeyCheck:
    problem = control_character_problem(text or "", what)
    if problem is not None:
        return KeyCheck(error=problem)
    warnings: list[str] = []
    value = (text or "").strip()
    trimmed = value != (text or "")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
        warnings.append(msg.WARN_KEY_QUOTES)
    if strip_bearer:
        bearer = _BEARER.match(value)
        if bearer:
            value = value[bearer.end() :]
            warnings.append(msg.WARN_KEY_BEARER)
    squeezed = _WHITESPACE.sub("", value)
    if trimmed or squeezed != value:
        warnings.append(msg.WARN_KEY_WHITESPACE)
    cleaned = SecretStr(squeezed)
    if not squeezed:
        return KeyCheck(error=empty, warnings=warnings, cleaned=cleaned)
    if not _ALNUM.match(squeezed):
        return KeyCheck(error=bad_characters, warnings=warnings, cleaned=cleaned)
    if len(squeezed) != SECRET_LENGTH:
        error = wrong_length.format(length=len(squeezed))
        return KeyCheck(error=error, warnings=warnings, cleaned=cleaned)
    return KeyCheck(value=SecretStr(squeezed), warnings=warnings, cleaned=cleaned)
