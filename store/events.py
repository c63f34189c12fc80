"""The audit log: every write made through the store appends an `issue_events` row."""

from __future__ import annotations

import sqlite3
import uuid

from . import timestamps
from .hostile import text
from .models import Event

EVENT_COLUMNS = "id, issue_id, actor, event_type, old_value, new_value, created_at"


def _text(value) -> str | None:
    if value is None:
        return None
    return str(value)


def append_event(conn: sqlite3.Connection, issue_id: str, actor: str | None, event_type: str,
                 old_value=None, new_value=None, at: str | None = None) -> None:
    conn.execute(
        f"INSERT INTO issue_events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (str(uuid.uuid4()), issue_id, actor, event_type, _text(old_value), _text(new_value), at or timestamps.now()),
    )


def take_events(conn: sqlite3.Connection, issue_id: str) -> tuple[tuple[str, ...], list[tuple]]:
    """Delete the issue's events inside the caller's transaction; (columns, rows) exactly as stored."""
    cur = conn.execute("SELECT * FROM issue_events WHERE issue_id = ? ORDER BY created_at, rowid", (issue_id,))
    columns = tuple(d[0] for d in cur.description)
    rows = cur.fetchall()
    conn.execute("DELETE FROM issue_events WHERE issue_id = ?", (issue_id,))
    return columns, rows


def put_events(conn: sqlite3.Connection, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Re-insert rows `take_events` returned (same ids, same values) inside the caller's transaction."""
    if rows:
        cols = ", ".join(f'"{c}"' for c in columns)
        conn.executemany(f"INSERT INTO issue_events ({cols}) VALUES ({', '.join('?' * len(columns))})", rows)


def _event(row) -> Event:
    """Every text field through store.hostile's check (a blob in `old_value` is a Hostile)."""
    eid, issue_id, actor, event_type, old, new, created = row
    return Event(eid, issue_id, text(actor), text(event_type), text(old), text(new), text(created))


class EventOps:
    def issue_events(self, issue_id: str) -> list[Event]:
        """The issue's history, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {EVENT_COLUMNS} FROM issue_events WHERE issue_id = ? ORDER BY created_at, rowid",
                (issue_id,),
            ).fetchall()
        return [_event(row) for row in rows]

    def recent_issue_events(self, issue_id: str, limit: int = 200) -> tuple[int, list[Event]]:
        """(events the issue has, its newest `limit` events oldest first): the history pane's window, so
        100k events on one issue cost what 200 do."""
        with self._read() as conn:
            total = conn.execute("SELECT count(*) FROM issue_events WHERE issue_id = ?", (issue_id,)).fetchone()[0]
            rows = conn.execute(
                f"SELECT {EVENT_COLUMNS} FROM issue_events WHERE issue_id = ? ORDER BY created_at DESC, rowid DESC "
                "LIMIT ?", (issue_id, limit)).fetchall()
        rows.reverse()
        return total, [_event(row) for row in rows]
