"""`python -m bench` (what `make bench` runs): every figure, one JSON line each, on stdout.

    python -m bench                      # everything (a few minutes on 2 cores)
    python -m bench --only check,version # some groups
    python -m bench --sizes 1000         # the members figures for some sizes only
    python -m bench --strict             # exit 1 when a figure misses its target

A summary goes to stderr, so stdout holds only figure lines. Exit status 1 when a group could not
be measured (or, with --strict, when a target is missed).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator

from bench import (
    check_overhead,
    groups,
    members,
    okta_verify,
    sandbox_throughput,
    startup,
    vault,
    version,
)
from bench.figures import Figure, emit

GROUPS: dict[str, Callable[[argparse.Namespace], Iterator[Figure]]] = {
    "version": lambda _args: version.figures(),
    "startup": lambda _args: startup.figures(),
    "check": lambda _args: check_overhead.figures(),
    "sandbox": lambda _args: sandbox_throughput.figures(),
    "members": lambda args: members.figures(args.sizes),
    "vault": lambda _args: vault.figures(),
    "okta": lambda _args: okta_verify.figures(),
    "groups": lambda _args: groups.figures(),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default=",".join(GROUPS), help="comma-separated groups")
    parser.add_argument(
        "--sizes",
        default=",".join(str(n) for n in members.SIZES),
        help="member counts for the members figures",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    args.groups = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = [g for g in args.groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s): {', '.join(unknown)}; known: {', '.join(GROUPS)}")
    args.sizes = tuple(int(n) for n in args.sizes.split(",") if n.strip())
    return args


def load_figure(when: str) -> Figure:
    """The machine's 1-minute load average: on a shared 2-core box it explains noisy figures."""
    return Figure(f"bench_load_average_{when}", os.getloadavg()[0], "load")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    emit(load_figure("start"))
    failed: list[str] = []
    missed: list[str] = []
    for group in args.groups:
        try:
            for figure in GROUPS[group](args):
                emit(figure)
                if not figure.ok:
                    missed.append(figure.name)
        except Exception:
            failed.append(group)
            sys.stderr.write(f"bench: group {group!r} failed:\n{traceback.format_exc()}")
    emit(load_figure("end"))
    sys.stderr.write(
        f"bench: {time.monotonic() - started:.0f} s; "
        f"missed targets: {', '.join(missed) or 'none'}; "
        f"failed groups: {', '.join(failed) or 'none'}\n"
    )
    if failed or (args.strict and missed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
