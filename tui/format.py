"""Small pure formatters shared by the panes (ages, durations, money, counts).

Each takes a stored value of any type: a value of the wrong type (a `Hostile`, or anything that is
not a number) comes back as its visible text (`⚠abc`), never formatted raw, never an exception.
"""

from __future__ import annotations

from store import timestamps

from .text import visible


def _real(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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


def money(value: object) -> str:
    if value is None:
        return "—"
    return f"${value:,.2f}" if _real(value) else visible(value, limit=12)


def count(value: object) -> str:
    """An integer with thousands separators (`1,234`); anything else as visible text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return visible(value, limit=12)


def ratio(num: object, den: object) -> float | None:
    """num/den where both are finite numbers and den is not 0, else None (nothing to compute with)."""
    if not (_real(num) and _real(den)) or not den:
        return None
    try:
        out = num / den
    except (OverflowError, ZeroDivisionError):
        return None
    return out if out == out and abs(out) != float("inf") else None


def plural(n: object, singular: str, plural_form: str | None = None) -> str:
    """`1 match`, `7 matches`, `1,024 issues`: a number with its noun, properly pluralised."""
    if n == 1:
        return f"1 {singular}"
    if plural_form is None:
        plural_form = singular + ("es" if singular.endswith(("s", "x", "ch", "sh")) else "s")
    return f"{count(n)} {plural_form}"
