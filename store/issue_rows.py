"""Issue rows as read: a stored row -> `Issue` (every field through its column's check), and the raw
record of a deleted row that undo puts back."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .hostile import integer, text
from .models import Issue, IssueType, Priority, Status

_BASE_COLS = (
    "id", "number", "title", "description", "status", "priority", "issue_type", "agent", "is_blocked",
    "blocked_reason", "claimed_by", "claimed_at", "created_at", "updated_at", "completed_at",
)


@dataclass(frozen=True)
class DeletedIssue:
    """What a delete removed, exactly as stored (every column, raw values), so undo can put it back."""
    issue_id: str
    number: object
    columns: tuple[str, ...]
    row: tuple
    event_columns: tuple[str, ...]
    events: tuple[tuple, ...]

# -- reading rows ----------------------------------------------------------------------------------
def _blocked(value) -> bool:
    if value is None:
        return False
    try:
        return bool(int(value))
    except (TypeError, ValueError):
        return bool(value)


_NO_EMPTY: frozenset = frozenset()


def issue_reader(names: list[str]):
    """A fast row -> Issue function for one cursor's column list (positions worked out once)."""
    pos = {name: i for i, name in enumerate(names)}
    missing = [c for c in ("id", "number", "title") if c not in pos]
    if missing:
        raise KeyError(f"issues row lacks {missing}")
    get = {c: (lambda row, i=pos[c]: row[i]) if c in pos else (lambda row: None) for c in _BASE_COLS}
    extras = [(name, i) for name, i in pos.items() if name not in _BASE_COLS]
    i_id, i_num, i_title = pos["id"], pos["number"], pos["title"]
    g = get

    def read(row: tuple) -> Issue:
        # Every field through its column's check (store.hostile): a value of the wrong type (text in
        # `number`, a blob in `title`) becomes a Hostile, shown as visible text and never computed with.
        status = g["status"](row)
        title = row[i_title]
        description, reason, claimed_by = g["description"](row), g["blocked_reason"](row), g["claimed_by"](row)
        empty = (frozenset(name for name, v in (("description", description), ("blocked_reason", reason),
                                                 ("claimed_by", claimed_by)) if v == "")
                 if "" in (description, reason, claimed_by) else _NO_EMPTY)
        return Issue(
            id=row[i_id],
            number=integer(row[i_num]),
            title=text(title) if title is not None else "",
            description=text(description) or None,  # '' reads as NULL (compat.md decision 6)
            status=Status.lenient(text(status)) if status is not None else "",
            priority=Priority.lenient(text(g["priority"](row))),
            issue_type=IssueType.lenient(text(g["issue_type"](row))),
            agent=text(g["agent"](row)) or "",
            is_blocked=_blocked(g["is_blocked"](row)),
            blocked_reason=text(reason) or None,
            claimed_by=text(claimed_by) or None,
            claimed_at=text(g["claimed_at"](row)) or None,
            created_at=text(g["created_at"](row)) or "",
            updated_at=text(g["updated_at"](row)) or "",
            completed_at=text(g["completed_at"](row)) or None,
            extra={name: row[i] for name, i in extras} if extras else {},
            stored_empty=empty,
        )

    return read


def fetch_issues(cursor: sqlite3.Cursor) -> list[Issue]:
    rows = cursor.fetchall()
    if not rows:
        return []
    read = issue_reader([d[0] for d in cursor.description])
    return [read(row) for row in rows]
