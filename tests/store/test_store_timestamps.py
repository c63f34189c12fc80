"""Timestamp writing (the crate's AutoSi `+00:00` form) and reading (every form compat.md lists)."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timezone

import pytest

from store import timestamps

BASE = int(datetime(2025, 12, 20, 16, 59, 41, tzinfo=timezone.utc).timestamp()) * 10**9
DB_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.(\d{3}|\d{6}|\d{9}))?\+00:00$")


@pytest.mark.parametrize("frac, text", [
    (173094342, "2025-12-20T16:59:41.173094342+00:00"),
    (173094000, "2025-12-20T16:59:41.173094+00:00"),
    (173000000, "2025-12-20T16:59:41.173+00:00"),
    (100, "2025-12-20T16:59:41.000000100+00:00"),
    (0, "2025-12-20T16:59:41+00:00"),
])
def test_format_autosi(frac, text):
    assert timestamps.format_ns(BASE + frac) == text
    assert DB_RE.match(text)
    assert timestamps.parse_ns(text) == BASE + frac
    assert timestamps.to_export(text) == text.replace("+00:00", "Z")
    assert timestamps.to_db(timestamps.to_export(text)) == text


def test_now_form():
    for _ in range(50):
        v = timestamps.now()
        assert DB_RE.match(v) and "Z" not in v


@pytest.mark.parametrize("text, expected_ns", [
    ("2025-12-20T16:59:41Z", BASE),
    ("2025-12-20T16:59:41z", BASE),
    ("2025-12-20t16:59:41+00:00", BASE),
    ("2025-12-20T16:59:41.5Z", BASE + 500_000_000),
    ("2025-12-20T16:59:41.1+00:00", BASE + 100_000_000),
    ("2025-12-20T16:59:41.12+00:00", BASE + 120_000_000),
    ("2025-12-20T16:59:41.1234+00:00", BASE + 123_400_000),
    ("2025-12-20T16:59:41.12345+00:00", BASE + 123_450_000),
    ("2025-12-20T16:59:41.1234567+00:00", BASE + 123_456_700),
    ("2025-12-20T16:59:41.12345678+00:00", BASE + 123_456_780),
    ("2025-12-20T16:59:41.123456789+00:00", BASE + 123_456_789),
    ("2025-12-20T18:59:41+02:00", BASE),
    ("2025-12-20T11:29:41.25-05:30", BASE + 250_000_000),
    ("2025-12-21T01:59:41+09:00", BASE),  # other offsets cross the date
    ("2025-12-20 16:59:41", BASE),  # SQLite datetime()
    ("2025-12-20 16:59:41+00:00", BASE),
    ("2025-12-20T16:59:41", BASE),
])
def test_parse_every_form(text, expected_ns):
    assert timestamps.parse_ns(text) == expected_ns
    assert DB_RE.match(timestamps.to_db(text))
    assert timestamps.to_export(text).endswith("Z")
    # SQLite agrees on the instant (ms precision), which the ready queue relies on
    if "t" not in text and "z" not in text:
        jd = sqlite3.connect(":memory:").execute("SELECT (julianday(?) - 2440587.5) * 86400000", (text,)).fetchone()[0]
        assert abs(jd - expected_ns / 1e6) < 1


@pytest.mark.parametrize("text", [None, "", "garbage", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z",
                                  "20251220T165941Z", "2025-12-20"])
def test_unparseable(text):
    assert timestamps.parse_ns(text) is None
    assert timestamps.to_export(text) is None and timestamps.to_db(text) is None


def test_db_form_sorts_chronologically_as_text():
    values = [BASE + d for d in (0, 1, 999, 1000, 1_000_000, 999_999_999, 10**9, 10**9 + 5)]
    texts = [timestamps.format_ns(v) for v in values]
    assert sorted(texts) == texts
