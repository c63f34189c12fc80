"""Issue writes on PostgreSQL: the same API and semantics as store/issues.py, in this backend's SQL.

Writes lock the row (`SELECT ... FOR UPDATE`) inside one transaction, check the transition and the caller's
`expect_updated_at`, write native values and their crate text, and append events. Reads are in issue_reads.py,
claims and leases (server clock, `FOR UPDATE SKIP LOCKED`) in claims.py, the shared SQL in issue_sql.py.
"""

from __future__ import annotations

import uuid
from typing import Callable, Iterable

from .. import issues as neutral
from .. import timestamps
from ..errors import ConflictError, check_guard
from ..issue_input import validate_new_issue
from ..models import Issue, IssueType, Priority
from .claims import PgClaimOps
from .connection import dt_to_ns
from .issue_reads import PgIssueReads
from .issue_sql import set_clause

_SERVER_ISSUE_COLS = ("change_seq", "change_xid")  # stamped by the server on every write
_SERVER_EVENT_COLS = ("ord",)  # GENERATED ALWAYS: a re-inserted history gets new ones, in the same order


def _raw(conn, sql: str, params, skip: tuple[str, ...], many: bool = False):
    """(columns, row or rows) exactly as stored, without the columns the server writes itself."""
    cur = conn.execute(sql, params)
    names = [d.name for d in cur.description]
    keep = [i for i, n in enumerate(names) if n not in skip]
    rows = [tuple(r[i] for i in keep) for r in cur.fetchall()]
    return tuple(names[i] for i in keep), (tuple(rows) if many else rows[0])


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return (f"INSERT INTO {table} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})")


class PgIssueOps(PgClaimOps, PgIssueReads):
    # The transitions are backend-neutral: the same guarded steps as SQLite, through this class's _mutate.
    update_issue = neutral.IssueOps.update_issue
    unclaim_issue = neutral.IssueOps.unclaim_issue
    complete_issue = neutral.IssueOps.complete_issue
    reopen_issue = neutral.IssueOps.reopen_issue
    block_issue = neutral.IssueOps.block_issue
    unblock_issue = neutral.IssueOps.unblock_issue
    restore_issue = neutral.IssueOps.restore_issue
    get_next_ready_issue = neutral.IssueOps.get_next_ready_issue
    ready_queue = neutral.IssueOps.ready_queue
    _actor = neutral.IssueOps._actor

    def _guarded(self, conn, issue_id: str, expect_updated_at: str | None, nothing: str, with_now: bool = False):
        """The row, locked for this transaction, checked against the `updated_at` the caller saw
        (with `with_now`: (row, the transaction's now as crate text), read in the same round trip)."""
        rows = self._fetch(conn, f"SELECT {self._select}, coalesce(%s::timestamptz, now()) AS tx_now FROM issues "
                           "WHERE id = %s FOR UPDATE", (self._clock_dt(), issue_id))
        issue = rows[0] if rows else None
        now = None
        if issue is not None:
            tx_now = issue.extra.pop("tx_now")
            now = timestamps.format_ns(self._clock() if self._clock is not None else dt_to_ns(tx_now))
        elif with_now:
            now = self._tx_now(conn)[1]
        check_guard(issue, expect_updated_at, nothing)
        return (issue, now) if with_now else issue

    # -- CRUD ------------------------------------------------------------------------------------
    def create_issue(self, title: str, description: str | None = None, priority: Priority | str = Priority.MEDIUM,
                     issue_type: IssueType | str = IssueType.TASK, agent: str | None = None, *,
                     actor: str | None = None) -> Issue:
        title, description, priority, issue_type, agent = validate_new_issue(title, description, priority,
                                                                             issue_type, agent)
        issue_id = str(uuid.uuid4())

        def body(conn):
            row = conn.execute("UPDATE issue_counter SET next_number = next_number + 1 WHERE id = 1 "
                               "RETURNING next_number - 1").fetchone()
            if row is None:
                number = conn.execute("SELECT coalesce(max(number), 0) + 1 FROM issues").fetchone()[0]
                conn.execute("INSERT INTO issue_counter (id, next_number) VALUES (1, %s)", (number + 1,))
            else:
                number = row[0]
            dt, now = self._tx_now(conn)
            conn.execute(
                "INSERT INTO issues (id, number, title, description, priority, issue_type, agent, created_at, "
                "created_at_text, updated_at, updated_at_text) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (issue_id, number, title, description, priority.value, issue_type.value, agent, dt, now, dt, now))
            self._event(conn, issue_id, self._actor(actor), "created", None, title, now)
            return self._get(conn, issue_id)

        return self._transact(body)

    def _mutate(self, issue_id: str, *, allowed: Callable[[Issue], bool], changes: Callable[[Issue, str], dict],
                event: Callable[[Issue, dict], Iterable[tuple[str, object, object]]],
                expect_updated_at: str | None, actor: str | None) -> bool:
        def body(conn):
            issue, now = self._guarded(conn, issue_id, expect_updated_at, "nothing was written", with_now=True)
            if issue is None or not allowed(issue):
                return False
            fields = changes(issue, now)
            events = list(event(issue, fields))
            self.last_written_at = now if events else issue.updated_at
            if not events:
                return True
            fields["updated_at"] = now
            sets, params = set_clause(fields)
            with conn.pipeline():  # the update and its events in one round trip
                conn.execute(f"UPDATE issues SET {sets} WHERE id = %s", (*params, issue_id))
                for event_type, old, new in events:
                    self._event(conn, issue_id, self._actor(actor), event_type, old, new, now)
            return True

        return self._transact(body)

    def delete_issue(self, issue_id: str, *, expect_updated_at: str | None = None) -> bool:
        def body(conn):
            if self._guarded(conn, issue_id, expect_updated_at, "nothing was deleted") is None:
                return False
            conn.execute("DELETE FROM issue_events WHERE issue_id = %s", (issue_id,))
            return conn.execute("DELETE FROM issues WHERE id = %s", (issue_id,)).rowcount > 0

        return self._transact(body)

    def delete_issue_keeping(self, issue_id: str, *, expect_updated_at: str | None = None) -> neutral.DeletedIssue | None:
        """As on SQLite: delete with the history, and return every stored value (undo puts them back)."""
        def body(conn):
            if self._guarded(conn, issue_id, expect_updated_at, "nothing was deleted") is None:
                return None
            columns, row = _raw(conn, "SELECT * FROM issues WHERE id = %s", (issue_id,), _SERVER_ISSUE_COLS)
            event_columns, events = _raw(conn, "SELECT * FROM issue_events WHERE issue_id = %s "
                                         "ORDER BY created_at_text, ord", (issue_id,), _SERVER_EVENT_COLS, many=True)
            conn.execute("DELETE FROM issue_events WHERE issue_id = %s", (issue_id,))
            conn.execute("DELETE FROM issues WHERE id = %s", (issue_id,))
            return neutral.DeletedIssue(issue_id, row[columns.index("number")], columns, row, event_columns, events)

        return self._transact(body)

    def undelete_issue(self, deleted: neutral.DeletedIssue, *, actor: str | None = None) -> None:
        def body(conn):
            taken = conn.execute("SELECT id FROM issues WHERE id = %s OR number = %s",
                                 (deleted.issue_id, deleted.number)).fetchone()
            if taken is not None:
                raise ConflictError(f"#{deleted.number} exists again; nothing was restored", self._get(conn, taken[0]))
            conn.execute(_insert_sql("issues", deleted.columns), deleted.row)
            if deleted.events:
                conn.cursor().executemany(_insert_sql("issue_events", deleted.event_columns), list(deleted.events))
            _dt, now = self._tx_now(conn)
            self._event(conn, deleted.issue_id, self._actor(actor), "restored", None, None, now)

        self._transact(body)
