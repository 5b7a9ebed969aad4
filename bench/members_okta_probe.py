"""Child process: the members-window refresh at 10,000 members with the Okta side on and off.

`python -m bench.members_okta_probe` reads the sandbox's JSON-line info on stdin (a sandbox whose
Okta org assigned, and provisioned over real SCIM, 1,000 of the 10,000 members). One window; its
profile's secrets switch between refreshes from ones with the Okta token (this session's secrets)
to ones without (the keyring's), alternating which goes first. The once-a-minute limit is lifted,
so every refresh with the token reads Okta (the app, 1,000 app users, groups, mappings, the
System Log, the comparison) and every one without reads the keyring and finds no token. A refresh
is `refresh_now()` until the members are applied (`refreshed`) and the Okta side has ended. The
figure is the ratio of the medians (target 1.5); the time to `refreshed` alone (the table is
current; the Okta side follows it) is reported beside.
"""

from __future__ import annotations

import json
import os
import sys
import time

from pydantic import SecretStr

from app.core.secrets import ProfileSecrets
from app.gui import members as _members  # noqa: F401 - the package first, as the program does
from app.gui.application import MainThreadGarbageCollector, create_application
from app.gui.demo import create_demo_context
from app.gui.members import okta_side
from app.gui.members.window import MembersWindow
from bench.figures import Figure, emit, median
from bench.members_probe import PROFILE, SandboxPeer, save_profile, wait_for

REFRESHES = 6
TARGET_RATIO = 1.5


def timed_refresh(window: MembersWindow, *, first: bool = False) -> tuple[float, float]:
    """Seconds until the members are applied, and until the Okta side is shown as well."""
    started = time.monotonic()
    applied = wait_for(window.refreshed, window.show if first else window.refresh_now)
    if window.okta_side.busy:  # Okta read, or the rows matched with the last reading
        wait_for(window.okta_side.settled, lambda: None)
    return applied, time.monotonic() - started


def run(info: dict[str, str]) -> list[Figure]:
    app = create_application()
    collector = MainThreadGarbageCollector(app)
    collector.start()
    ctx = create_demo_context()
    ctx.sandbox_info = info
    save_profile(ctx, info)
    plain = ctx.secrets.load(PROFILE)
    assert plain is not None
    okta: ProfileSecrets = plain.model_copy(
        update={"okta_url": info["okta_url"], "okta_token": SecretStr(info["okta_token"])}
    )
    okta_side.MIN_INTERVAL_S = 0.0
    SandboxPeer(info).warm_list()
    window = MembersWindow(ctx, PROFILE)
    ctx.remember(PROFILE, okta)  # this session's secrets come before the keyring's
    timed_refresh(window, first=True)
    if window.okta_side.matches is None:
        raise RuntimeError("the Okta side was not read with the token")
    if window.model.rowCount() < 10_000:
        raise RuntimeError(f"the window shows {window.model.rowCount()} members")
    times: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    on_first = False
    for _ in range(REFRESHES):
        for with_okta in (on_first, not on_first):
            if with_okta:
                ctx.remember(PROFILE, okta)
            else:
                ctx.forget(PROFILE)  # the keyring's secrets: no Okta token
            times[with_okta].append(timed_refresh(window))
            if (window.okta_side.matches is not None) != with_okta:
                raise RuntimeError("the Okta side did not follow the saved token")
        on_first = not on_first  # neither side always goes first
    window.close()
    on = median([done for _, done in times[True]])
    off = median([done for _, done in times[False]])
    table_on = median([applied for applied, _ in times[True]])
    table_off = median([applied for applied, _ in times[False]])
    return [
        Figure("members_10000_refresh_okta_ratio", on / off, "ratio", TARGET_RATIO),
        Figure("members_10000_refresh_okta_on_seconds", on, "s"),
        Figure("members_10000_refresh_okta_off_seconds", off, "s"),
        Figure("members_10000_refresh_okta_table_ratio", table_on / table_off, "ratio"),
    ]


def main() -> None:
    info = json.loads(sys.stdin.read())
    for figure in run(info):
        emit(figure)
    sys.stdout.flush()
    os._exit(0)  # the window's pool threads and the keyring need no orderly teardown here


if __name__ == "__main__":
    main()
