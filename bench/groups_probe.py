"""Child process: the members window's groups against a sandbox (bench/groups.py starts it).

`python -m bench.groups_probe MEMBERS GROUPS` reads the sandbox's JSON-line info on stdin and
prints the groups figure lines (see bench/groups.py for what each measures).
"""

from __future__ import annotations

import json
import os
import sys
import time

from app.gui.application import MainThreadGarbageCollector, create_application
from app.gui.demo import create_demo_context
from app.gui.members.rows import Column
from app.gui.members.window import MembersWindow
from bench.figures import Figure, emit, median
from bench.members_probe import PROFILE, SandboxPeer, save_profile, wait_for

TARGET_FIRST_LOAD_S = 1.0
TARGET_MEMBER_LIST_MS = 50.0
TARGET_REFRESH_RATIO = 1.3
LOADS = 3
CHOICES = 20
REFRESH_PAIRS = 3


def run(members: int, groups: int, info: dict[str, str]) -> list[Figure]:
    app = create_application()
    collector = MainThreadGarbageCollector(app)  # as `app.gui.launch.run_gui` starts it
    collector.start()
    ctx = create_demo_context()
    ctx.sandbox_info = info
    save_profile(ctx, info)
    peer = SandboxPeer(info)
    peer.warm_list()
    window = MembersWindow(ctx, PROFILE)
    wait_for(window.groups_loaded, window.show)  # the members' first load, then the groups'
    if window.model.rowCount() < members or window.group_box.count() < groups + 1:
        raise RuntimeError("the window does not show every member and group")
    loads: list[float] = []
    reads: list[float] = []
    for _ in range(LOADS):
        window._groups = None  # as in a fresh window: the names are shown before the members
        started = time.monotonic()
        loads.append(wait_for(window.groups_loaded, window.refresh_groups))
        wait_for(window.groups_members_loaded, lambda: None)
        reads.append(time.monotonic() - started)

    choices: list[float] = []
    step = max(1, groups // CHOICES)
    for number in range(CHOICES):
        group_id = window.group_box.itemData(1 + number * step)
        started = time.monotonic()
        window.show_group(group_id)
        app.processEvents()
        choices.append(time.monotonic() - started)
        if window.filter.rowCount() < 1:
            raise RuntimeError("a group showed no members")
    window.show_group(None)
    app.processEvents()

    loaded = window._groups
    on: list[float] = []
    off: list[float] = []
    for _ in range(REFRESH_PAIRS):
        peer.warm_list()
        on.append(wait_for(window.refreshed, window.refresh_now))
        window.model.set_member_groups({})
        window.table.setColumnHidden(int(Column.GROUPS), True)
        window._groups = None
        peer.warm_list()
        off.append(wait_for(window.refreshed, window.refresh_now))
        assert loaded is not None
        window._groups = loaded
        window.model.set_member_groups(loaded.member_groups)
        window.table.setColumnHidden(int(Column.GROUPS), False)
    window.close()
    prefix = f"groups_{members}"
    return [
        Figure(f"{prefix}_first_load_seconds", median(loads), "s", TARGET_FIRST_LOAD_S),
        Figure(f"{prefix}_members_read_seconds", median(reads), "s"),
        Figure("groups_member_list_ms", median(choices) * 1000, "ms", TARGET_MEMBER_LIST_MS),
        Figure(
            f"members_{members}_refresh_groups_ratio",
            median(on) / median(off),
            "ratio",
            TARGET_REFRESH_RATIO,
        ),
        Figure(f"members_{members}_refresh_with_groups_seconds", median(on), "s"),
        Figure(f"members_{members}_refresh_without_groups_seconds", median(off), "s"),
    ]


def main() -> None:
    members, groups = int(sys.argv[1]), int(sys.argv[2])
    info = json.loads(sys.stdin.read())
    for figure in run(members, groups, info):
        emit(figure)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
