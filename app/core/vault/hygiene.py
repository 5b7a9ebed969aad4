"""Process hygiene while the master password and the organization key live in this process.

On Linux the process (and every child it starts afterwards) is made not dumpable and gets no
core file: a crash during a confirm must not write the keys to disk, and another process of the
same user must not read them through /proc/<pid>/mem or ptrace.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sys

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def harden_process() -> bool:
    """No core files and not dumpable (Linux); True when both took effect. Idempotent."""
    if not sys.platform.startswith("linux"):
        return False
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    libc = _libc()
    if libc is None:
        return False
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    return is_hardened()


def is_hardened() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import resource

    libc = _libc()
    no_core = resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)
    return no_core and libc is not None and libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name or "libc.so.6", use_errno=True)
    except OSError:
        return None
