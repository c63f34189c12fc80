"""The statistics the bench scripts print: nearest-rank percentiles and median / p95 of a sample."""

from __future__ import annotations

import math
import statistics


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def median_p95(values: list[float]) -> tuple[float, float]:
    s = sorted(values)
    p95 = s[min(len(s) - 1, math.ceil(0.95 * len(s)) - 1)]
    return statistics.median(s), p95
