"""Issue operations on PostgreSQL: the same API and semantics as store/issues.py, in this backend's SQL.

Writes lock the row (`SELECT ... FOR UPDATE`) inside one transaction, check the transition and the caller's
`expect_updated_at`, write native values and their crate text, and append events. Leases compare with the
server's `now()` (a test's frozen clock when one is given). `claim_next` takes the next ready issue with
`FOR UPDATE SKIP LOCKED`, so many agents never wait on, or take, the same row.
"""

from __future__ import annotations

import uuid
from typing import Callable, Iterable

from .. import issues as neutral
from .. import timestamps
from ..errors import ConflictError, StoreError, ValidationError
from ..issues import (CLAIM_MINUTES, VIEWS, issue_reader, like_pattern, validate_agent,
                      validate_description, validate_title)
from ..models import Counts, Issue, IssueType, Priority, Status
from .connection import dt_to_ns, ns_to_dt
from .schema import COUNTS_COMPACT, COUNTS_COMPACT_ROWS, PRIORITY_RANK_SQL, READY_BASE_SQL, TOMBSTONES_PRUNE

BASE_SELECT = ("id, number, title, description, status, priority, issue_type, agent, is_blocked, blocked_reason, "
               "claimed_by, claimed_at_text AS claimed_at, created_at_text AS created_at, "
               "updated_at_text AS updated_at, completed_at_text AS completed_at")
TIME_COLS = ("claimed_at", "created_at", "updated_at", "completed_at")
NOW = "coalesce(%s::timestamptz, now())"
LIVE_CLAIM = "coalesce(claimed_by, '') <> '' AND claimed_at IS NOT NULL AND claimed_at >= {now} - make_interval(secs => %s)"
EXPIRED_CLAIM = "(coalesce(claimed_by, '') = '' OR claimed_at IS NULL OR claimed_at < {now} - make_interval(secs => %s))"

# (expression, direction) per view; flipped for pages read from the far end.
_ORDERS = {
    "ready": [(PRIORITY_RANK_SQL, "ASC"), ("created_at_text", "ASC"), ("number", "ASC")],
    "in_progress": [("claimed_at", "ASC NULLS FIRST"), ("number", "ASC")],
    "stale": [("claimed_at", "ASC NULLS FIRST"), ("number", "ASC")],
    "blocked": [("number", "ASC")],
    "done": [("number", "DESC")],
    "all": [("number", "ASC")],
}
_FLIP = {"ASC": "DESC", "DESC": "ASC", "ASC NULLS FIRST": "DESC NULLS LAST"}


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


def _order_sql(order, flip: bool = False) -> str:
    return ", ".join(f"{expr} {_FLIP[d] if flip else d}" for expr, d in order)


def db_time(text: str | None):
    """The native value stored beside a timestamp's text (None if missing or unreadable)."""
    ns = timestamps.parse_ns(text) if text else None
    return ns_to_dt(ns) if ns is not None else None


def _db_value(col: str, value):
    if hasattr(value, "value"):
        value = value.value
    if col == "is_blocked":
        return None if value is None else bool(int(value))
    return value


def set_clause(fields: dict) -> tuple[str, list]:
    """`col = %s, ...` for a dict of store-level values: timestamps as native + text, flags as booleans."""
    parts, params = [], []
    for col, value in fields.items():
        if col in TIME_COLS:
            parts += [f"{col} = %s", f"{col}_text = %s"]
            params += [db_time(value), value]
        else:
            parts.append(f"{col} = %s")
            params.append(_db_value(col, value))
    return ", ".join(parts), params


class PgIssueOps:
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

    @property
    def _select(self) -> str:
        return BASE_SELECT + "".join(f", {c}" for c in self.extra_columns)

    @property
    def _has_project_id(self) -> bool:
        return "project_id" in self.extra_columns

    def _fetch(self, conn, sql: str, params=()) -> list[Issue]:
        cur = conn.execute(sql, params)
        rows = cur.fetchall()
        if not rows:
            return []
        read = issue_reader([d.name for d in cur.description])
        return [read(r) for r in rows]

    def _get(self, conn, issue_id: str, lock: bool = False) -> Issue | None:
        rows = self._fetch(conn, f"SELECT {self._select} FROM issues WHERE id = %s{' FOR UPDATE' if lock else ''}",
                           (issue_id,))
        return rows[0] if rows else None

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
        result = (issue, now) if with_now else issue
        if issue is None:
            if expect_updated_at is not None:
                raise ConflictError(f"the issue was deleted by someone else; {nothing}", None)
            return result
        if expect_updated_at is not None and issue.updated_at != expect_updated_at:
            raise ConflictError(f"issue #{issue.number} changed since you looked at it; {nothing}", issue)
        return result

    # -- CRUD ------------------------------------------------------------------------------------
    def create_issue(self, title: str, description: str | None = None, priority: Priority | str = Priority.MEDIUM,
                     issue_type: IssueType | str = IssueType.TASK, agent: str | None = None, *,
                     actor: str | None = None) -> Issue:
        title = validate_title(title)
        description = validate_description(description)
        priority = Priority.parse(priority, "priority")
        issue_type = IssueType.parse(issue_type, "type")
        agent = validate_agent(agent)
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

    def get_issue_by_id(self, issue_id: str) -> Issue | None:
        with self._read() as conn:
            return self._get(conn, issue_id)

    def get_issue_by_number(self, number: int) -> Issue | None:
        with self._read() as conn:
            rows = self._fetch(conn, f"SELECT {self._select} FROM issues WHERE number = %s", (int(number),))
        return rows[0] if rows else None

    def list_issues(self, status: Status | str | None = None) -> list[Issue]:
        with self._read() as conn:
            if status is None:
                return self._fetch(conn, f"SELECT {self._select} FROM issues ORDER BY number")
            return self._fetch(conn, f"SELECT {self._select} FROM issues WHERE status = %s ORDER BY number",
                               (str(Status.parse(status, "status")),))

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

    # -- claims and leases (server clock) ----------------------------------------------------------
    def _live_claim(self, issue_id: str, minutes: float) -> bool:
        """Called inside _mutate's transaction (writes are serialised on wconn under _wlock)."""
        row = self.wconn.execute(f"SELECT {LIVE_CLAIM.format(now=NOW)} FROM issues WHERE id = %s",
                                 (self._clock_dt(), minutes * 60, issue_id)).fetchone()
        return bool(row and row[0])

    def claim_issue(self, issue_id: str, run_id: str, *, expect_updated_at: str | None = None,
                    actor: str | None = None) -> bool:
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status == Status.OPEN and not i.is_blocked and not self._live_claim(i.id, CLAIM_MINUTES),
            changes=lambda i, now: {"status": Status.IN_PROGRESS.value, "claimed_by": run_id, "claimed_at": now},
            event=lambda i, f: [("claimed", i.claimed_by, run_id)],
            expect_updated_at=expect_updated_at, actor=actor or run_id)

    def release_claim(self, issue_id: str, minutes: float = CLAIM_MINUTES, *, expect_updated_at: str | None = None,
                      actor: str | None = None) -> bool:
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status == Status.IN_PROGRESS and not self._live_claim(i.id, minutes),
            changes=lambda i, now: {"status": Status.OPEN.value, "claimed_by": None, "claimed_at": None},
            event=lambda i, f: [("released", i.claimed_by, None)],
            expect_updated_at=expect_updated_at, actor=actor)

    def claim_next(self, run_id: str, agent: str | None = None, *, actor: str | None = None) -> Issue | None:
        """Atomically claim the next ready issue in the crate's order (None when none is ready).

        One statement (its own transaction): pick with FOR UPDATE SKIP LOCKED, claim, record the event."""
        where, params = self._ready_where(agent, None, None)
        clock = self._clock_dt()
        text = timestamps.format_ns(self._clock()) if self._clock is not None else None
        cols = self._select
        sql = (f"WITH t AS (SELECT coalesce(%s::timestamptz, now()) AS ts), "
               f"n AS (SELECT t.ts, coalesce(%s::text, tui_rfc3339(t.ts)) AS txt FROM t), "
               f"next AS (SELECT id, claimed_by FROM issues WHERE {where} ORDER BY {_order_sql(_ORDERS['ready'])} "
               f"LIMIT 1 FOR UPDATE SKIP LOCKED), "
               f"upd AS (UPDATE issues SET status = 'in_progress', claimed_by = %s, claimed_at = n.ts, "
               f"claimed_at_text = n.txt, updated_at = n.ts, updated_at_text = n.txt FROM next, n "
               f"WHERE issues.id = next.id RETURNING issues.*, next.claimed_by AS previous), "
               f"ev AS (INSERT INTO issue_events (id, issue_id, actor, event_type, old_value, new_value, created_at, "
               f"created_at_text) SELECT gen_random_uuid()::text, id, %s, 'claimed', nullif(previous, ''), %s, "
               f"claimed_at, claimed_at_text FROM upd) "
               f"SELECT {cols} FROM upd")
        args = (clock, text, *params, run_id, actor or run_id, run_id)
        rows = self._transact(lambda conn: self._fetch(conn, sql, args), atomic=False)
        if not rows:
            return None
        self.last_written_at = rows[0].updated_at
        return rows[0]

    def heartbeat(self, issue_id: str, run_id: str) -> bool:
        """Extend the lease of a claim held by `run_id` (claimed_at = now). False if another run holds it."""
        def body(conn):
            dt, now = self._tx_now(conn)
            return conn.execute("UPDATE issues SET claimed_at = %s, claimed_at_text = %s WHERE id = %s "
                                "AND status = 'in_progress' AND claimed_by = %s", (dt, now, issue_id, run_id)).rowcount > 0

        return self._transact(body)

    def stale_claims(self, minutes: float = CLAIM_MINUTES) -> list[Issue]:
        with self._read() as conn:
            return self._fetch(conn, f"SELECT {self._select} FROM issues WHERE status = 'in_progress' AND "
                               f"(claimed_at IS NULL OR claimed_at < {NOW} - make_interval(secs => %s)) "
                               "ORDER BY claimed_at NULLS FIRST, number", (self._clock_dt(), minutes * 60))

    def release_stale_claims(self, minutes: float = CLAIM_MINUTES, *, actor: str | None = None) -> int:
        def body(conn):
            dt, now = self._tx_now(conn)
            rows = conn.execute(
                "UPDATE issues SET status = 'open', claimed_by = NULL, claimed_at = NULL, claimed_at_text = NULL, "
                "updated_at = %s, updated_at_text = %s FROM (SELECT id AS sid, claimed_by AS old FROM issues "
                "WHERE status = 'in_progress' AND (claimed_at IS NULL OR claimed_at < %s - make_interval(secs => %s)) "
                "FOR UPDATE SKIP LOCKED) s WHERE issues.id = s.sid RETURNING issues.id, s.old",
                (dt, now, dt, minutes * 60)).fetchall()
            for issue_id, old in rows:
                self._event(conn, issue_id, self._actor(actor), "released", old, None, now)
            return len(rows)

        return self._transact(body)

    def release_stale(self, minutes: float = CLAIM_MINUTES, *, actor: str | None = None) -> list[Issue]:
        """As on SQLite: release every stale claim in one transaction; the issues as they were before."""
        def body(conn):
            dt, now = self._tx_now(conn)
            stale = self._fetch(conn, f"SELECT {self._select} FROM issues WHERE status = 'in_progress' AND "
                                "(claimed_at IS NULL OR claimed_at < %s - make_interval(secs => %s)) "
                                "ORDER BY number FOR UPDATE SKIP LOCKED", (dt, minutes * 60))
            for issue in stale:
                conn.execute("UPDATE issues SET status = 'open', claimed_by = NULL, claimed_at = NULL, "
                             "claimed_at_text = NULL, updated_at = %s, updated_at_text = %s WHERE id = %s",
                             (dt, now, issue.id))
                self._event(conn, issue.id, self._actor(actor), "released", issue.claimed_by, None, now)
            self.last_written_at = now
            return stale

        return self._transact(body)

    # -- views -------------------------------------------------------------------------------------
    def _ready_where(self, agent, search, project_id) -> tuple[str, list]:
        where = [READY_BASE_SQL, "id <> ''", EXPIRED_CLAIM.format(now=NOW)]
        params: list = [self._clock_dt(), CLAIM_MINUTES * 60]
        if agent is not None:
            where.append("agent = %s")
            params.append(agent)
        self._filters(where, params, search, project_id)
        return " AND ".join(where), params

    def _filters(self, where: list, params: list, search: str | None, project_id: str | None) -> None:
        if search:
            where.append("title ILIKE %s ESCAPE '\\'")
            params.append(like_pattern(search))
        if project_id is not None and self._has_project_id:
            where.append("project_id = %s")
            params.append(project_id)

    def _view_where(self, view: str, agent, search, project_id) -> tuple[str, list]:
        if view == "ready":
            return self._ready_where(agent, search, project_id)
        where: list[str] = []
        params: list = []
        if view == "in_progress":
            where.append("status = 'in_progress'")
        elif view == "stale":
            where.append(f"status = 'in_progress' AND (claimed_at IS NULL OR claimed_at < {NOW} - make_interval(secs => %s))")
            params += [self._clock_dt(), CLAIM_MINUTES * 60]
        elif view == "blocked":
            where.append("status = 'open' AND coalesce(is_blocked, false)")
        elif view == "done":
            where.append("status = 'done'")
        elif view != "all":
            raise ValidationError("view", f"unknown view {view!r} (choose one of: {', '.join(VIEWS)})")
        if agent is not None:
            where.append("agent = %s")
            params.append(agent)
        self._filters(where, params, search, project_id)
        return " AND ".join(where) or "true", params

    def count_view(self, view: str = "ready", *, agent: str | None = None, search: str | None = None,
                   project_id: str | None = None, counts: Counts | None = None) -> int:
        if agent is None and not search and project_id is None:
            c = counts or self.counts()
            return {"ready": c.ready, "in_progress": c.in_progress, "blocked": c.blocked, "done": c.done,
                    "stale": c.stale, "all": c.total}[view]
        where, params = self._view_where(view, agent, search, project_id)
        with self._read() as conn:
            return conn.execute(f"SELECT count(*) FROM issues WHERE {where}", params).fetchone()[0]

    def ready_agents(self) -> list[str]:
        sql = (f"WITH RECURSIVE a(agent) AS ("
               f" SELECT (SELECT min(agent) FROM issues WHERE {READY_BASE_SQL})"
               f" UNION ALL SELECT (SELECT min(agent) FROM issues WHERE {READY_BASE_SQL} AND agent > a.agent)"
               f" FROM a WHERE a.agent IS NOT NULL) SELECT agent FROM a WHERE agent IS NOT NULL")
        with self._read() as conn:
            return [r[0] for r in conn.execute(sql)]

    def counts(self) -> Counts:
        cutoff = (self._clock_dt(), CLAIM_MINUTES * 60)
        with self._read() as conn:
            if self._has_counts:
                rows = conn.execute("SELECT status, blocked, sum(n)::bigint, count(*) FROM tui_issue_counts "
                                    "GROUP BY 1, 2").fetchall()
            else:  # a database from before the counts table, opened read-only (a read-write open adds it)
                rows = conn.execute("SELECT status, coalesce(is_blocked, false), count(*), 1 FROM issues "
                                    "GROUP BY 1, 2").fetchall()
            open_claimed = conn.execute(f"SELECT count(*) FROM issues WHERE {READY_BASE_SQL} AND "
                                        f"{LIVE_CLAIM.format(now=NOW)}", cutoff).fetchone()[0]
            stale = conn.execute(f"SELECT count(*) FROM issues WHERE status = 'in_progress' AND "
                                 f"(claimed_at IS NULL OR claimed_at < {NOW} - make_interval(secs => %s))",
                                 cutoff).fetchone()[0]
        if sum(r[3] for r in rows) > COUNTS_COMPACT_ROWS and not self.read_only:
            try:
                self._transact(lambda conn: (conn.execute(COUNTS_COMPACT), conn.execute(TOMBSTONES_PRUNE)))
            except StoreError:
                pass  # folding is housekeeping: the sums stay right without it
        c = Counts.from_groups([r[:3] for r in rows], open_claimed, stale)
        return c

    def distrust_counts(self) -> None:
        """Counts on PostgreSQL are always read from the table (nothing cached to distrust)."""
