"""Small pure formatters shared by the panes (ages, durations, money)."""

from __future__ import annotations

from store import timestamps


def ago(ts: str | None, now_ns: int) -> str:
    """Compact age: 42s, 5m, 3h, 2d, 7w."""
    secs = timestamps.age_seconds(ts, now_ns)
    if secs is None:
        return "?"
    return duration(max(secs, 0))


def duration(secs: float) -> str:
    secs = int(secs)
    if secs < 60:
        return f"{secs}s"
    if secs < 3600:
        return f"{secs // 60}m"
    if secs < 86400:
        return f"{secs // 3600}h"
    if secs < 14 * 86400:
        return f"{secs // 86400}d"
    return f"{secs // (7 * 86400)}w"


def clock(secs: float) -> str:
    """h:mm:ss (or m:ss) for ticking elapsed times and countdowns."""
    secs = int(max(secs, 0))
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def money(value: float | None) -> str:
    return "—" if value is None else f"${value:,.2f}"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """`1 match`, `7 matches`, `1,024 issues`: a number with its noun, properly pluralised."""
    if n == 1:
        return f"1 {singular}"
    if plural is None:
        plural = singular + ("es" if singular.endswith(("s", "x", "ch", "sh")) else "s")
    return f"{n:,} {plural}"
