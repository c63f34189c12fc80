"""Helpers for the issue-operation tests (imported by name: tests/store is on sys.path, no package)."""

from __future__ import annotations

import re
import sqlite3

from storetest_helpers import raw

TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.(\d{3}|\d{6}|\d{9}))?\+00:00$")


def events(path, issue_id=None):
    conn = raw(path)
    sql = "SELECT issue_id, actor, event_type, old_value, new_value, created_at FROM issue_events"
    rows = conn.execute(sql + (" WHERE issue_id = ?" if issue_id else "") + " ORDER BY rowid",
                        (issue_id,) if issue_id else ()).fetchall()
    conn.close()
    return rows


def row(path, number):
    conn = raw(path)
    conn.row_factory = sqlite3.Row
    r = conn.execute("SELECT * FROM issues WHERE number = ?", (number,)).fetchone()
    conn.close()
    return dict(r) if r else None


def counter(path):
    conn = raw(path)
    n = conn.execute("SELECT next_number FROM issue_counter").fetchone()[0]
    conn.close()
    return n


def make(store, clock, title, **kw):
    clock.tick()
    return store.create_issue(title, **kw)


def set_columns(path, number, **cols):
    """Write columns of issue `number` straight into the file (what another writer or the crate could leave)."""
    conn = raw(path)
    conn.execute(f"UPDATE issues SET {', '.join(c + ' = ?' for c in cols)} WHERE number = ?", (*cols.values(), number))
    conn.close()


def fmt_ns(ns: int) -> str:
    from store.timestamps import format_ns
    return format_ns(ns)


MIN = 60 * 10**9
