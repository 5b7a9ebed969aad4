"""Process hygiene: no crash dump may hold a secret (issue 12, finding 6).

The SCIM key, the Public API client secret and, while confirming, the master password and the
organization key live in this process's memory; a core file written by a crash (kept or uploaded
by systemd-coredump or apport) would hold them. `harden_process` runs at the start of every run
(`app.cli.main`, so the GUI and every command) and again before a vault session:

- every platform with `RLIMIT_CORE` (Linux, macOS, the BSDs): the core size limit (the soft one,
  which the kernel applies) is set to 0. It is inherited by every child (`bw serve`, the browser
  opener), across exec; the hard limit is left, so a child could raise its own again, which none
  of the program's children do.
- Linux: `prctl(PR_SET_DUMPABLE, 0)` as well, so another process of the same user cannot read this
  one's memory through /proc/<pid>/mem or ptrace. The kernel resets it on exec of a non-setuid
  binary, so a child (`bw serve`) is dumpable again; the core limit of 0 is what covers children.
- Windows has no core limit: Windows Error Reporting may write a minidump of a crash if the
  machine is set up to keep them (LocalDumps); SECURITY.md names this.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def harden_process() -> bool:
    """No core files (and, on Linux, not dumpable); True when all of it took effect. Idempotent."""
    if sys.platform == "win32":
        return False
    import resource

    with contextlib.suppress(ValueError, OSError):
        # The soft limit is the one the kernel applies; the hard one stays, so that a deliberate
        # child (a test's, a debugging admin's) can still raise its own.
        _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
    if not sys.platform.startswith("linux"):
        return resource.getrlimit(resource.RLIMIT_CORE)[0] == 0
    libc = _libc()
    if libc is None:
        return False
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    return is_hardened()


def is_hardened() -> bool:
    """Whether this process can write no core file (and, on Linux, is not dumpable)."""
    if sys.platform == "win32":
        return False
    import resource

    no_core = resource.getrlimit(resource.RLIMIT_CORE)[0] == 0
    if not sys.platform.startswith("linux"):
        return no_core
    libc = _libc()
    return no_core and libc is not None and libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0


def _libc() -> ctypes.CDLL | None:
    """The C library the interpreter already has loaded (no `find_library`: it runs ldconfig,
    tens of milliseconds at every start)."""
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
