"""Timestamps exactly as the crate writes them (chrono `to_rfc3339()`, AutoSi, `+00:00`).

Reading accepts every form compat.md lists: `+00:00`, `Z`, other offsets, 0-9 fraction digits,
lowercase `t`/`z`, and SQLite's `YYYY-MM-DD HH:MM:SS`.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

_TS_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9})\d*)?"
    r"\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?\s*$"
)


def _fraction(ns: int) -> str:
    if ns == 0:
        return ""
    if ns % 1_000_000 == 0:
        return f".{ns // 1_000_000:03d}"
    if ns % 1_000 == 0:
        return f".{ns // 1_000:06d}"
    return f".{ns:09d}"


def format_ns(epoch_ns: int, suffix: str = "+00:00") -> str:
    """Render an instant (ns since the epoch) the way chrono's AutoSi does."""
    secs, ns = divmod(epoch_ns, 1_000_000_000)
    tm = time.gmtime(secs)  # (strftime's %Y is not zero-padded below year 1000 on glibc)
    base = f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d}T{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"
    return f"{base}{_fraction(ns)}{suffix}"


def now() -> str:
    """The current instant in the DB's form, e.g. `2025-12-20T16:59:41.173094342+00:00`."""
    return format_ns(time.time_ns())


def parse_ns(value: str | None) -> int | None:
    """Parse any accepted form to ns since the epoch (UTC). None if missing or unparseable."""
    if not value:
        return None
    m = _TS_RE.match(value)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, z, sign, oh, om = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=timezone.utc)
    except ValueError:
        return None
    ns = int(dt.timestamp()) * 1_000_000_000
    if frac:
        ns += int(frac.ljust(9, "0"))
    if sign:
        offset = (int(oh) * 60 + int(om)) * 60 * 1_000_000_000
        ns -= offset if sign == "+" else -offset
    return ns


_MIN_NS = int(datetime(1, 1, 1, tzinfo=timezone.utc).timestamp()) * 1_000_000_000
_MAX_NS = (int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp()) + 1) * 1_000_000_000 - 1


def parse_rfc3339_ns(value: str | None) -> int | None:
    """Strict RFC 3339 for imported values: date `T` (or space) time, an offset (`Z` or `±HH:MM` with hours
    00-23 and minutes 00-59), and an instant whose UTC form has a 4-digit year, so that what is stored
    reads back as the same instant. None otherwise (`+99:99`, `0001-01-01T00:00:00+23:59`, no offset)."""
    if not value:
        return None
    m = _TS_RE.match(value)
    if not m:
        return None
    *_, z, sign, oh, om = m.groups()
    if not z and not (sign and value.rstrip()[-3] == ":" and int(oh) <= 23 and int(om) <= 59):
        return None
    ns = parse_ns(value)
    if ns is None or not _MIN_NS <= ns <= _MAX_NS:
        return None
    return ns


def parse(value: str | None) -> datetime | None:
    """Parse to an aware UTC datetime (microsecond precision). None if missing or unparseable."""
    ns = parse_ns(value)
    if ns is None:
        return None
    return datetime.fromtimestamp(0, timezone.utc) + timedelta(microseconds=ns // 1000)


def to_export(value: str | None) -> str | None:
    """The crate's JSON form of a stored timestamp: re-rendered in UTC with `Z` (serde's chrono form)."""
    ns = parse_ns(value)
    if ns is None:
        return None
    return format_ns(ns, "Z")


def to_db(value: str | None) -> str | None:
    """Normalise an imported timestamp to the DB form (`+00:00`); None if missing or unparseable."""
    ns = parse_ns(value)
    if ns is None:
        return None
    return format_ns(ns)


def age_seconds(value: str | None, now_ns: int | None = None) -> float | None:
    ns = parse_ns(value)
    if ns is None:
        return None
    return ((now_ns if now_ns is not None else time.time_ns()) - ns) / 1e9
