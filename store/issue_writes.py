"""Guarded issue writes on SQLite: create, update, delete (keeping what was removed) and undelete.

Every write is one `BEGIN IMMEDIATE` transaction that re-reads the row, checks it against an optional
`expect_updated_at` guard, writes, and appends an event (`_mutate`, which the transitions use too).
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Callable, Iterable

from .errors import ConflictError, ValidationError, check_guard
from .events import append_event, put_events, take_events
from .issue_input import (validate_agent, validate_description, validate_directive_id, validate_new_issue,
                          validate_title)
from .issue_reads import IssueReadOps
from .issue_rows import DeletedIssue
from .models import Issue, IssueType, Priority


def file_has_column(store, name: str) -> bool:
    """Whether the file has a later-schema column (False on a backend without them: PostgreSQL, whose ops
    borrow IssueOps' methods but not the class)."""
    has = getattr(store, "has_column", None)
    return bool(has and has(name))


class IssueWriteOps(IssueReadOps):
    # -- crate API: CRUD -----------------------------------------------------------------------
    def _newer_columns(self, conn: sqlite3.Connection, directive_id, project_id, auto_created) -> dict:
        """The v6/v7/v11 columns a write sets, checked: only where the file has them (a value for a column the
        file lacks is an error, never silently dropped; the file is never altered to add it)."""
        out: dict[str, object] = {}
        for col, value in (("directive_id", directive_id), ("project_id", project_id), ("auto_created", auto_created)):
            if value is None:
                continue
            if not file_has_column(self, col):
                raise ValidationError(col, f"this file (schema v{self.schema_version}) has no {col} column; "
                                           "nothing was written")
            if col == "directive_id":
                out[col] = validate_directive_id(value)
            elif col == "project_id":
                text = str(value).strip()
                if text and not conn.execute("SELECT 1 FROM projects WHERE id = ?", (text,)).fetchone():
                    raise ValidationError("project_id", f"no project with id {text[:60]!r}; nothing was written")
                out[col] = text or None
            else:
                out[col] = 1 if value else 0
        return out

    def create_issue(self, title: str, description: str | None = None, priority: Priority | str = Priority.MEDIUM,
                     issue_type: IssueType | str = IssueType.TASK, agent: str | None = None, *,
                     directive_id: str | None = None, project_id: str | None = None,
                     auto_created: bool | None = None, actor: str | None = None) -> Issue:
        """The crate's create_issue (v11: `create_issue_with_auto`). `directive_id`, `project_id` and
        `auto_created` are written where the file has those columns; given for a file without one, they raise."""
        title, description, priority, issue_type, agent = validate_new_issue(title, description, priority,
                                                                             issue_type, agent)
        issue_id = str(uuid.uuid4())
        with self._write() as conn:
            newer = self._newer_columns(conn, directive_id, project_id, auto_created)
            row = conn.execute(
                "UPDATE issue_counter SET next_number = next_number + 1 WHERE id = 1 RETURNING next_number - 1"
            ).fetchone()
            if row is None:
                number = conn.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM issues").fetchone()[0]
                conn.execute("INSERT OR REPLACE INTO issue_counter (id, next_number) VALUES (1, ?)", (number + 1,))
            else:
                number = row[0]
            now = self._now()
            values = {"id": issue_id, "number": number, "title": title, "description": description,
                      "priority": priority.value, "issue_type": issue_type.value, "agent": agent, **newer,
                      "created_at": now, "updated_at": now}
            conn.execute(f"INSERT INTO issues ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                         tuple(values.values()))
            append_event(conn, issue_id, self._actor(actor), "created", None, title, now)
            return self._get(conn, issue_id)

    def _guarded_row(self, conn: sqlite3.Connection, issue_id: str, expect_updated_at: str | None,
                     nothing: str) -> Issue | None:
        """The row inside a write transaction, checked against the `updated_at` the caller saw.

        None if it does not exist and no guard was asked for; ConflictError (with the fresh row) if it changed
        or vanished since the caller looked."""
        issue = self._get(conn, issue_id)
        check_guard(issue, expect_updated_at, nothing)
        return issue

    def _mutate(self, issue_id: str, *, allowed: Callable[[Issue], bool], changes: Callable[[Issue, str], dict],
                event: Callable[[Issue, dict], Iterable[tuple[str, object, object]]],
                expect_updated_at: str | None, actor: str | None) -> bool:
        with self._write() as conn:
            issue = self._guarded_row(conn, issue_id, expect_updated_at, "nothing was written")
            if issue is None:
                return False
            if not allowed(issue):
                return False
            now = self._now()
            fields = changes(issue, now)
            events = list(event(issue, fields))
            self.last_written_at = now if events else issue.updated_at  # the row's updated_at after this call
            if not events:
                # Every value already is what was asked (update/restore to the same value): write nothing, so
                # updated_at never moves without an event and no agent's expect_updated_at guard trips on it.
                return True
            fields["updated_at"] = now
            sets = ", ".join(f"{col} = ?" for col in fields)
            conn.execute(f"UPDATE issues SET {sets} WHERE id = ?", (*fields.values(), issue_id))
            for event_type, old, new in events:
                append_event(conn, issue_id, self._actor(actor), event_type, old, new, now)
            return True

    def update_issue(self, issue_id: str, title: str | None = None, description: str | None = None,
                     priority: Priority | str | None = None, issue_type: IssueType | str | None = None, *,
                     agent: str | None = None, directive_id: str | None = None, project_id: str | None = None,
                     expect_updated_at: str | None = None, actor: str | None = None) -> bool:
        """Change any of title, description ('' clears it), priority, type, agent, and where the file has the
        column directive_id / project_id ('' clears them). False if nothing given."""
        new: dict[str, object] = {}
        if title is not None:
            new["title"] = validate_title(title)
        if description is not None:
            new["description"] = validate_description(description)
        if priority is not None:
            new["priority"] = Priority.parse(priority, "priority").value
        if issue_type is not None:
            new["issue_type"] = IssueType.parse(issue_type, "type").value
        if agent is not None:
            new["agent"] = validate_agent(agent)
        newer_given = directive_id is not None or project_id is not None
        if not new and not newer_given:
            return False
        if newer_given and not hasattr(self, "_newer_columns"):  # a backend without the later columns
            raise ValidationError("directive_id" if directive_id is not None else "project_id",
                                  "this database has no such column; nothing was written")

        def changes(issue: Issue, now: str) -> dict:
            if newer_given:  # checked inside the write transaction (the project must exist now)
                new.update(self._newer_columns(self.wconn, directive_id, project_id, None))
            return dict(new)

        def events(issue: Issue, fields: dict):
            for col, value in new.items():
                old = getattr(issue, col)
                old = old.value if hasattr(old, "value") else old
                if old != value:
                    yield (col, old, value)

        return self._mutate(issue_id, allowed=lambda i: True, changes=changes, event=events,
                            expect_updated_at=expect_updated_at, actor=actor)

    def delete_issue(self, issue_id: str, *, expect_updated_at: str | None = None) -> bool:
        return self.delete_issue_keeping(issue_id, expect_updated_at=expect_updated_at) is not None

    def delete_issue_keeping(self, issue_id: str, *, expect_updated_at: str | None = None) -> DeletedIssue | None:
        """Delete the issue and its history in one transaction; what was removed (None: no such issue)."""
        with self._write() as conn:
            if self._guarded_row(conn, issue_id, expect_updated_at, "nothing was deleted") is None:
                return None
            cur = conn.execute("SELECT * FROM issues WHERE id = ?", (issue_id,))
            columns = tuple(d[0] for d in cur.description)
            row = cur.fetchone()
            event_columns, events = take_events(conn, issue_id)
            conn.execute("DELETE FROM issues WHERE id = ?", (issue_id,))
            return DeletedIssue(issue_id, row[columns.index("number")], columns, tuple(row), event_columns,
                                tuple(events))

    def undelete_issue(self, deleted: DeletedIssue, *, actor: str | None = None) -> None:
        """Put a deleted issue back with its whole history, as stored, plus one `restored` event, in one
        transaction. ConflictError (nothing written) if its id or number is taken again."""
        with self._write() as conn:
            taken = conn.execute("SELECT id FROM issues WHERE id = ? OR number = ?",
                                 (deleted.issue_id, deleted.number)).fetchone()
            if taken is not None:
                raise ConflictError(f"#{deleted.number} exists again; nothing was restored", self._get(conn, taken[0]))
            cols = ", ".join(f'"{c}"' for c in deleted.columns)
            conn.execute(f"INSERT INTO issues ({cols}) VALUES ({', '.join('?' * len(deleted.columns))})", deleted.row)
            put_events(conn, deleted.event_columns, list(deleted.events))
            append_event(conn, deleted.issue_id, self._actor(actor), "restored", None, None, self._now())
