"""The pace of the queue: completions per hour over the last day, the ready depth, when it drains.

`completion_times` is one indexed range read (`tui_idx_done_completed`): the done rows completed since an
instant, however many issues the file holds. `pulse` is a pure function of those instants and the clock,
so the strip can move with the hour without reading the file again.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import timestamps

HOUR_NS = 3600 * 1_000_000_000
HOURS = 24
RATE_HOURS = 3  # the "current rate": completions over the last three hours


@dataclass(frozen=True, slots=True)
class Pulse:
    per_hour: tuple[int, ...]  # oldest hour first, the current (partial) hour last
    ready: int
    rate_per_hour: float  # over the last RATE_HOURS (or fewer, if nothing older is known)
    drain_s: float | None  # seconds until the ready queue is empty at that rate; None: no progress

    @property
    def total(self) -> int:
        return sum(self.per_hour)


class PulseOps:
    def completion_times(self, since_ns: int) -> list[int]:
        """Instants (ns) of the completions since `since_ns` (done rows, completed_at parseable)."""
        since = timestamps.format_ns(since_ns)
        idx = self._idx("tui_idx_done_completed")
        # The crate writes `+00:00`, so text order is time order; a `Z`/offset value from another writer is
        # parsed below and kept only if it really falls in the window.
        # julianday() reads every form the crate and other writers store, in C (a Python parse per row costs
        # ~10x more); to milliseconds since the epoch, which is all an hourly sparkline needs.
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT CAST(round((julianday(completed_at) - 2440587.5) * 86400000.0) AS INTEGER) FROM issues{idx} "
                "WHERE status = 'done' AND completed_at >= ? AND julianday(completed_at) IS NOT NULL",
                (since[:10],)).fetchall()
        since_ms = since_ns // 1_000_000
        return [ms * 1_000_000 for (ms,) in rows if ms >= since_ms]


def pulse(times_ns: list[int], now_ns: int, ready: int, hours: int = HOURS) -> Pulse:
    buckets = [0] * hours
    start = now_ns - hours * HOUR_NS
    recent = 0
    for t in times_ns:
        if start < t <= now_ns:
            buckets[min(hours - 1, (t - start) // HOUR_NS)] += 1
        if now_ns - RATE_HOURS * HOUR_NS < t <= now_ns:
            recent += 1
    rate = recent / RATE_HOURS
    drain = ready / rate * 3600 if rate > 0 and ready > 0 else (0.0 if ready == 0 else None)
    return Pulse(tuple(buckets), ready, rate, drain)


__all__ = ["Pulse", "PulseOps", "pulse", "HOUR_NS"]
