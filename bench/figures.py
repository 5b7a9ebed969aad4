"""A benchmark figure and its JSON line, as docs/interfaces.md ("Benchmarks") says."""

from __future__ import annotations

import json
import math
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

#: The keys of every line, in this order.
KEYS = ("name", "value", "unit", "target", "ok")


@dataclass(frozen=True)
class Figure:
    """One measured value; `ok` is `value <= target` (always true when there is no target)."""

    name: str
    value: float
    unit: str
    target: float | None = None

    @property
    def ok(self) -> bool:
        return self.target is None or self.value <= self.target

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": _rounded(self.value),
            "unit": self.unit,
            "target": self.target,
            "ok": self.ok,
        }

    def line(self) -> str:
        return json.dumps(self.to_json())


def _rounded(value: float) -> float:
    """Three significant decimals are plenty for a benchmark, and keep the lines readable."""
    if value == 0 or not math.isfinite(value):
        return value
    digits = max(0, 3 - math.floor(math.log10(abs(value))))
    return round(value, digits)


def emit(figure: Figure, out: TextIO | None = None) -> None:
    """Print the figure's line at once (a long run shows its progress)."""
    stream = out if out is not None else sys.stdout
    stream.write(figure.line() + "\n")
    stream.flush()


def parse_line(line: str) -> Figure:
    """The inverse of `Figure.line`; raises ValueError on a line that does not follow the format."""
    data = json.loads(line)
    if not isinstance(data, dict) or tuple(data) != KEYS:
        raise ValueError(f"not a figure line: {line!r}")
    name, value, unit, target, ok = (data[k] for k in KEYS)
    if not isinstance(name, str) or not isinstance(unit, str) or not isinstance(ok, bool):
        raise ValueError(f"not a figure line: {line!r}")
    if not _number(value) or not (target is None or _number(target)):
        raise ValueError(f"not a figure line: {line!r}")
    figure = Figure(name, float(value), unit, None if target is None else float(target))
    if figure.ok != ok:
        raise ValueError(f"ok must be value <= target in line {line!r}")
    return figure


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (nearest rank): the value 95 % of the samples do not exceed."""
    ordered = sorted(values)
    rank = max(1, math.ceil(0.95 * len(ordered)))
    return ordered[rank - 1]
