"""`make bench` prints figure lines exactly as docs/interfaces.md ("Benchmarks") specifies.

Only the format is checked here, never a time: benchmarks are not tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.figures import KEYS, Figure, p95, parse_line

ROOT = Path(__file__).resolve().parents[2]
#: The example line of interfaces.md, verbatim.
INTERFACES_EXAMPLE = (
    '{"name": "startup_ratio_vs_bare_qt", "value": 1.31, "unit": "ratio", '
    '"target": 1.5, "ok": true}'
)


def test_the_documented_example_round_trips() -> None:
    figure = parse_line(INTERFACES_EXAMPLE)
    assert figure == Figure("startup_ratio_vs_bare_qt", 1.31, "ratio", 1.5)
    assert figure.line() == INTERFACES_EXAMPLE


def test_ok_is_value_at_most_target_and_null_target_is_reported_only() -> None:
    assert json.loads(Figure("a", 2.0, "s", 1.0).line())["ok"] is False
    assert json.loads(Figure("a", 1.0, "s", 1.0).line())["ok"] is True
    reported = json.loads(Figure("a", 5.0, "s").line())
    assert reported["target"] is None
    assert reported["ok"] is True
    assert tuple(reported) == KEYS


@pytest.mark.parametrize(
    "line",
    [
        '{"name": "x", "value": 1, "unit": "s", "target": 0.5, "ok": true}',  # ok contradicts
        '{"name": "x", "value": 1, "unit": "s", "ok": true}',  # target missing
        '{"name": "x", "value": true, "unit": "s", "target": null, "ok": true}',  # not a number
        '{"value": 1, "name": "x", "unit": "s", "target": null, "ok": true}',  # order
        '["x", 1, "s", null, true]',
    ],
)
def test_lines_off_the_format_are_rejected(line: str) -> None:
    with pytest.raises(ValueError, match="line"):
        parse_line(line)


def test_p95_is_the_nearest_rank() -> None:
    assert p95([float(i) for i in range(1, 101)]) == 95.0
    assert p95([3.0]) == 3.0


@pytest.mark.slow
def test_the_harness_prints_only_figure_lines() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    figures = [parse_line(line) for line in done.stdout.splitlines()]
    assert [f.name for f in figures] == [
        "bench_load_average_start",
        "version_seconds",
        "version_qt_modules_imported",
        "bench_load_average_end",
    ]
    version = figures[1]
    assert version.unit == "s"
    assert version.target == 0.15
