"""What the Okta service app's private key file says about who else can read it.

The key is the service app's whole credential. `profile save --okta-private-key-file` and the
wizard's "Choose file…" both read it (bounded, non-blocking: each its own way of saying no), and
both warn, in these words, when the file's mode lets other users of this computer read it, or when
it belongs to someone else. Only a warning: the key has been read by then, and refusing a file
just exported from Okta would only get in the way. POSIX modes only: on Windows the mode bits
Python reports say nothing about who may read a file, so nothing is claimed there.
"""

from __future__ import annotations

import os
import shlex
import stat

from app.core.outside_text import printable

#: A private key file is a few kilobytes; anything much larger is not one.
KEY_FILE_LIMIT = 64 * 1024


def permission_warnings(path: str, info: os.stat_result) -> list[str]:
    """The sentences about other users' access to the key file at `path` (as the admin named
    it), from `info` (`os.fstat` of the file as opened); none where the OS has no POSIX modes."""
    if os.name != "posix":
        return []
    shown = printable(path)
    if info.st_mode & (stat.S_IRGRP | stat.S_IROTH):
        return [
            f"The private key file {shown} can be read by other users of this computer "
            f"(mode {stat.S_IMODE(info.st_mode):o}). The key was read; keep the file readable by "
            f"you only (chmod 600 {printable(shlex.quote(path))}), or delete it once the key is "
            "saved in the keyring."
        ]
    if info.st_uid != os.getuid():
        return [
            f"The private key file {shown} belongs to another user of this computer, who could "
            "have changed it; check that it is the key you registered in Okta."
        ]
    return []
