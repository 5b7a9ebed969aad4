"""The groups figures: 100,000 members in 2,000 groups (each member in one group of 50).

- `groups_100000_first_load_seconds` (target 1.0): the groups view's load in the members window,
  `refresh_groups()` to `groups_loaded` (the group list, the 2,000 member-id lists four at a time,
  the lookups built on the worker, the Group filter filled and the Groups column updated); median
  of 3 after the window's own first load.
- `groups_member_list_ms` (target 50): choosing a group in the Group filter until the table shows
  its members (`show_group` + `processEvents`), median over 20 groups.
- `members_100000_refresh_groups_ratio` (target 1.3): a members refresh (`refresh_now()` to
  `refreshed`) with the groups loaded and shown (Groups column, filter filled) against the same
  refresh with no groups, interleaved, median of each. The groups are re-read on their own timer
  (every 2 minutes), not in the members refresh; that re-read is the first-load figure.

The sandbox runs in its own process; the 2,000 groups are made through its Public API (POST, then
PUT member-ids) before the probe starts, untimed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import httpx

from bench.figures import Figure, parse_line
from bench.procs import ROOT, SandboxProcess, child_env

MEMBERS = 100_000
GROUPS = 2_000
PROBE_TIMEOUT_S = 900.0


def make_groups(info: dict[str, str], groups: int = GROUPS) -> None:
    """`groups` groups with the members split evenly among them, as an admin's API script would."""
    with httpx.Client(timeout=120.0) as http:
        form = {
            "grant_type": "client_credentials",
            "scope": "api.organization",
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
        }
        token = http.post(info["identity_url"] + "/connect/token", data=form)
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        api = info["api_url"] + "/public"
        listed = http.get(api + "/members", headers=headers)
        listed.raise_for_status()
        member_ids = [m["id"] for m in listed.json()["data"]]
        size = max(1, len(member_ids) // groups)
        for number in range(groups):
            body = {"name": f"Team {number:04d}", "externalId": f"00g{number:017d}"}
            made = http.post(api + "/groups", json=body, headers=headers)
            made.raise_for_status()
            group_id = made.json()["id"]
            chosen = member_ids[number * size : (number + 1) * size]
            put = http.put(
                f"{api}/groups/{group_id}/member-ids",
                json={"memberIds": chosen},
                headers=headers,
            )
            put.raise_for_status()


def probe(info: dict[str, str]) -> list[Figure]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.groups_probe", str(MEMBERS), str(GROUPS)],
        input=json.dumps(info),
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=ROOT,
        timeout=PROBE_TIMEOUT_S,
    )
    if done.returncode != 0:
        raise RuntimeError(f"groups probe failed: {done.stderr[-1500:]}")
    return [parse_line(line) for line in done.stdout.splitlines() if line.startswith("{")]


def figures() -> Iterator[Figure]:
    with SandboxProcess(members=MEMBERS) as sandbox:
        make_groups(sandbox.info)
        yield from probe(sandbox.info)
