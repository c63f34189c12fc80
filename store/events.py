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
