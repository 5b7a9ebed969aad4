"""Reading the Okta service app's private key from a file or standard input (`profile save
--okta-private-key-file PATH|-`).

The key goes into the keyring; the file is only read, once. So the read is bounded (a key is a
few kilobytes), never blocks on something that is not a file (a FIFO or a device would hold
`open()` or `read()` for ever), and says when the file is readable by other users of this
computer: the key is the service app's whole credential, and once saved it need not stay there.
A symbolic link is followed (the admin named it), but what it leads to is held to the same rules.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from app.commands.common import UsageError
from app.core.okta.key_file import KEY_FILE_LIMIT, permission_warnings


def read_key_file(key_file: str) -> tuple[str, list[str]]:
    """The text of the key file `key_file`, and the warnings about it (its permissions)."""
    path = Path(key_file).expanduser()
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UsageError(
            f"the private key file {key_file} cannot be read ({exc.strerror})."
        ) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(
                f"{key_file} is not a regular file; give the path of the private key file "
                "(or - for standard input)."
            )
        try:
            data = handle.read(KEY_FILE_LIMIT + 1)
        except OSError as exc:
            raise UsageError(
                f"the private key file {key_file} cannot be read ({exc.strerror})."
            ) from None
    if len(data) > KEY_FILE_LIMIT:
        raise UsageError("that file is too large to be a private key.")
    return _decoded(data), permission_warnings(key_file, info)


def read_key_stdin() -> str:
    """The key from standard input, to its end, bounded as a file is."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text stream without bytes underneath (tests, embedding)
        text: str = sys.stdin.read(KEY_FILE_LIMIT + 1)
        if len(text) > KEY_FILE_LIMIT:
            raise UsageError("standard input holds too much to be a private key.")
        return text
    data: bytes = buffer.read(KEY_FILE_LIMIT + 1)
    if len(data) > KEY_FILE_LIMIT:
        raise UsageError("standard input holds too much to be a private key.")
    return _decoded(data)


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(
            "the private key is not UTF-8 text: give the PEM file (-----BEGIN PRIVATE KEY-----) "
            "or the JWK (JSON) Okta made."
        ) from None
