"""Issue operations: the crate's API (same names, same semantics where compat.md keeps them) plus
what the dashboard needs (the whole ready queue paged, views, counts, stale claims, guarded writes).

Every write is one `BEGIN IMMEDIATE` transaction that re-reads the row, checks the transition
(compat.md decision 3) and an optional `expect_updated_at` guard, writes, and appends an event.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from typing import Callable, Iterable

from . import counts as counts_cache, timestamps
from .store_objects import PRIORITY_RANK_SQL, READY_BASE_SQL
from .errors import ConflictError, ValidationError
from .events import append_event, put_events, take_events
from .hostile import integer, stored, text
from .search import like_pattern  # noqa: F401 (the PostgreSQL backend's title filter uses it)
from .models import Counts, DirectiveCounts, Issue, IssueType, PRIORITY_ORDER, Priority, Status

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
REASON_MAX = 10_000
AGENT_MAX = 100
DEFAULT_AGENT = "codex"
CLAIM_MINUTES = 15
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

VIEWS = ("ready", "in_progress", "blocked", "done", "stale", "all")

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


# -- validation of new input ---------------------------------------------------------------------
def validate_title(title) -> str:
    if title is None or not str(title).strip():
        raise ValidationError("title", "must not be empty")
    text = str(title).strip()
    if len(text) > TITLE_MAX:
        raise ValidationError("title", f"is {len(text)} characters; at most {TITLE_MAX} allowed")
    return text


def validate_description(description) -> str | None:
    if description is None:
        return None
    text = str(description)
    if len(text) > DESCRIPTION_MAX:
        raise ValidationError("description", f"is {len(text)} characters; at most {DESCRIPTION_MAX} allowed")
    return text if text.strip() else None


def validate_agent(agent) -> str:
    if agent is None:
        return DEFAULT_AGENT
    text = str(agent).strip()
    if not text:
        raise ValidationError("agent", "must not be empty")
    if len(text) > AGENT_MAX:
        raise ValidationError("agent", f"is {len(text)} characters; at most {AGENT_MAX} allowed")
    return text


def validate_reason(reason) -> str:
    if reason is None or not str(reason).strip():
        raise ValidationError("reason", "a block needs a reason")
    text = str(reason).strip()
    if len(text) > REASON_MAX:
        raise ValidationError("reason", f"is {len(text)} characters; at most {REASON_MAX} allowed")
    return text


DIRECTIVE_ID_MAX = 100


def validate_directive_id(value) -> str | None:
    """A directive id as the autopilot names them (`d-001`); '' or None means no directive."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if len(text) > DIRECTIVE_ID_MAX:
        raise ValidationError("directive_id", f"is {len(text)} characters; at most {DIRECTIVE_ID_MAX} allowed")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValidationError("directive_id", f"{text[:40]!r} must not contain spaces or control characters")
    return text


def validate_minutes(minutes) -> float:
    """A claim age in minutes: a finite number >= 0."""
    try:
        value = float(minutes)
    except (TypeError, ValueError):
        raise ValidationError("minutes", f"{minutes!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise ValidationError("minutes", f"must be a number of minutes >= 0, not {minutes!r}")
    return value


def _has_col(store, name: str) -> bool:
    """Whether the file has a later-schema column (False on a backend without them: PostgreSQL, whose ops
    borrow IssueOps' methods but not the class)."""
    has = getattr(store, "has_column", None)
    return bool(has and has(name))


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


# Whether a row's claim is still live, decided by SQLite with the very expression the ready queue,
# stale list and counts use, so a claim can never be "ready" in the queue yet "live" to claim_issue
# (forms julianday() cannot read, e.g. a lowercase `t`, count as unparseable, hence expired).
_LIVE_CLAIM_SQL = ("SELECT claimed_by IS NOT NULL AND claimed_by != '' AND julianday(claimed_at) IS NOT NULL "
                   "AND julianday(claimed_at) >= julianday(?) FROM issues WHERE id = ?")


class IssueOps:
    # -- helpers -------------------------------------------------------------------------------
    def _cutoff(self, minutes: float = CLAIM_MINUTES) -> tuple[int, str]:
        ns = self.now_ns() - int(minutes * 60 * 1_000_000_000)
        return ns, timestamps.format_ns(ns)

    def _now(self) -> str:
        return timestamps.format_ns(self.now_ns())

    def _idx(self, name: str) -> str:
        return f" INDEXED BY {name}" if self._has_store_indexes else ""

    def _get(self, conn: sqlite3.Connection, issue_id: str) -> Issue | None:
        rows = fetch_issues(conn.execute("SELECT * FROM issues WHERE id = ?", (issue_id,)))
        return rows[0] if rows else None

    def _claim_live_in_db(self, issue: Issue, cutoff: str) -> bool:
        """Called inside _mutate's transaction (same connection, lock held)."""
        row = self.wconn.execute(_LIVE_CLAIM_SQL, (cutoff, issue.id)).fetchone()
        return bool(row and row[0])

    def _actor(self, actor: str | None) -> str:
        return actor or self.actor

    # -- crate API: CRUD -----------------------------------------------------------------------
    def _newer_columns(self, conn: sqlite3.Connection, directive_id, project_id, auto_created) -> dict:
        """The v6/v7/v11 columns a write sets, checked: only where the file has them (a value for a column the
        file lacks is an error, never silently dropped; the file is never altered to add it)."""
        out: dict[str, object] = {}
        for col, value in (("directive_id", directive_id), ("project_id", project_id), ("auto_created", auto_created)):
            if value is None:
                continue
            if not _has_col(self, col):
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
        title = validate_title(title)
        description = validate_description(description)
        priority = Priority.parse(priority, "priority")
        issue_type = IssueType.parse(issue_type, "type")
        agent = validate_agent(agent)
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

    def get_issue_by_id(self, issue_id: str) -> Issue | None:
        with self._read() as conn:
            return self._get(conn, issue_id)

    def get_issue_by_number(self, number: int) -> Issue | None:
        number = int(number)
        if not INT64_MIN <= number <= INT64_MAX:  # SQLite cannot even bind it (OverflowError): no such issue
            return None
        with self._read() as conn:
            rows = fetch_issues(conn.execute("SELECT * FROM issues WHERE number = ?", (number,)))
        return rows[0] if rows else None

    def list_issues(self, status: Status | str | None = None) -> list[Issue]:
        with self._read() as conn:
            if status is None:
                cur = conn.execute("SELECT * FROM issues ORDER BY number")
            else:
                cur = conn.execute("SELECT * FROM issues WHERE status = ? ORDER BY number", (str(Status.parse(status, "status")),))
            return fetch_issues(cur)

    def _guarded_row(self, conn: sqlite3.Connection, issue_id: str, expect_updated_at: str | None,
                     nothing: str) -> Issue | None:
        """The row inside a write transaction, checked against the `updated_at` the caller saw.

        None if it does not exist and no guard was asked for; ConflictError (with the fresh row) if it changed
        or vanished since the caller looked."""
        issue = self._get(conn, issue_id)
        if issue is None:
            if expect_updated_at is not None:
                raise ConflictError(f"the issue was deleted by someone else; {nothing}", None)
            return None
        if expect_updated_at is not None and issue.updated_at != expect_updated_at:
            raise ConflictError(f"issue #{issue.number} changed since you looked at it; {nothing}", issue)
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

    # -- crate API: workflow -------------------------------------------------------------------
    def get_next_ready_issue(self, agent: str | None = None) -> Issue | None:
        rows = self.ready_queue(agent=agent, limit=1)
        return rows[0] if rows else None

    def ready_queue(self, agent: str | None = None, limit: int = 200, offset: int = 0) -> list[Issue]:
        """The whole ready queue in the crate's order (priority, created_at, then number), paged."""
        return self.list_view("ready", agent=agent, limit=limit, offset=offset)

    def claim_issue(self, issue_id: str, run_id: str, *, expect_updated_at: str | None = None,
                    actor: str | None = None) -> bool:
        _, cutoff = self._cutoff()
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status == Status.OPEN and not i.is_blocked and not self._claim_live_in_db(i, cutoff),
            changes=lambda i, now: {"status": Status.IN_PROGRESS.value, "claimed_by": run_id, "claimed_at": now},
            event=lambda i, f: [("claimed", i.claimed_by, run_id)],
            expect_updated_at=expect_updated_at, actor=actor or run_id)

    def unclaim_issue(self, issue_id: str, *, expect_updated_at: str | None = None, actor: str | None = None) -> bool:
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status == Status.IN_PROGRESS,
            changes=lambda i, now: {"status": Status.OPEN.value, "claimed_by": None, "claimed_at": None},
            event=lambda i, f: [("unclaimed", i.claimed_by, None)],
            expect_updated_at=expect_updated_at, actor=actor)

    def complete_issue(self, issue_id: str, *, expect_updated_at: str | None = None, actor: str | None = None) -> bool:
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status in (Status.OPEN, Status.IN_PROGRESS),
            changes=lambda i, now: {"status": Status.DONE.value, "claimed_by": None, "claimed_at": None,
                                    "completed_at": now, "is_blocked": 0, "blocked_reason": None},
            event=lambda i, f: [("completed", i.status_text, Status.DONE.value)],
            expect_updated_at=expect_updated_at, actor=actor)

    def reopen_issue(self, issue_id: str, *, expect_updated_at: str | None = None, actor: str | None = None) -> bool:
        """Done -> open (clears completed_at). Not in the crate; the dashboard's `o` on a done issue."""
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status == Status.DONE,
            changes=lambda i, now: {"status": Status.OPEN.value, "completed_at": None},
            event=lambda i, f: [("reopened", Status.DONE.value, Status.OPEN.value)],
            expect_updated_at=expect_updated_at, actor=actor)

    def block_issue(self, issue_id: str, reason: str, *, expect_updated_at: str | None = None,
                    actor: str | None = None) -> bool:
        reason = validate_reason(reason)
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status in (Status.OPEN, Status.IN_PROGRESS),
            changes=lambda i, now: {"is_blocked": 1, "blocked_reason": reason, "status": Status.OPEN.value,
                                    "claimed_by": None, "claimed_at": None},
            event=lambda i, f: [("blocked", i.blocked_reason, reason)],
            expect_updated_at=expect_updated_at, actor=actor)

    def unblock_issue(self, issue_id: str, *, expect_updated_at: str | None = None, actor: str | None = None) -> bool:
        return self._mutate(
            issue_id,
            allowed=lambda i: i.is_blocked,
            changes=lambda i, now: {"is_blocked": 0, "blocked_reason": None},
            event=lambda i, f: [("unblocked", i.blocked_reason, None)],
            expect_updated_at=expect_updated_at, actor=actor)

    def restore_issue(self, issue_id: str, values: dict, *, expect_updated_at: str | None = None,
                      actor: str | None = None) -> bool:
        """Put back earlier field values (the dashboard's undo). Records one `restored` event per field."""
        allowed_cols = {"title", "description", "status", "priority", "issue_type", "agent", "is_blocked",
                        "blocked_reason", "claimed_by", "claimed_at", "completed_at"}
        allowed_cols |= {c for c in ("directive_id", "project_id") if _has_col(self, c)}
        bad = set(values) - allowed_cols
        if bad:
            raise ValidationError("restore", f"cannot restore column(s) {', '.join(sorted(bad))}")
        # A Hostile (a wrong-typed stored value) is put back as it was stored, never as its visible text.
        clean = {k: (v.value if hasattr(v, "value") else (int(v) if k == "is_blocked" else stored(v)))
                 for k, v in values.items()}

        def events(issue: Issue, fields: dict):
            for col, value in clean.items():
                old = getattr(issue, col)
                old = int(old) if col == "is_blocked" else (old.value if hasattr(old, "value") else stored(old))
                if old != value:
                    yield ("restored:" + col, old, value)

        return self._mutate(issue_id, allowed=lambda i: True, changes=lambda i, now: dict(clean), event=events,
                            expect_updated_at=expect_updated_at, actor=actor)

    # -- beyond the crate: views, counts, stale claims -----------------------------------------
    def ready_agents(self) -> list[str]:
        """Distinct agents that have ready-queue work (a skip-scan of the agent index: cheap at 1M)."""
        index = self._idx("tui_ready_agent_v2")
        sql = (f"WITH RECURSIVE a(agent) AS ("
               f" SELECT (SELECT min(agent) FROM issues{index} WHERE {READY_BASE_SQL})"
               f" UNION ALL SELECT (SELECT min(agent) FROM issues{index} WHERE {READY_BASE_SQL} AND agent > a.agent)"
               f" FROM a WHERE a.agent IS NOT NULL) SELECT agent FROM a WHERE agent IS NOT NULL")
        with self._read() as conn:
            return [r[0] for r in conn.execute(sql)]

    def counts(self) -> Counts:
        """Counts by status, blocked, ready, stale, claimed and (v11 files) auto-created; O(1) with the store's
        trigger-kept table."""
        _, cutoff = self._cutoff()
        with self._read() as conn:
            rows = counts_cache.status_rows(self, conn)
            open_claimed = conn.execute(
                f"SELECT count(*) FROM issues{self._idx('tui_idx_open_claimed')} WHERE {READY_BASE_SQL} "
                "AND claimed_by IS NOT NULL AND claimed_by != '' AND julianday(claimed_at) >= julianday(?)",
                (cutoff,)).fetchone()[0]
            stale = conn.execute(
                f"SELECT count(*) FROM issues{self._idx('tui_in_progress_v2')} WHERE status = 'in_progress' "
                "AND julianday(claimed_at) < julianday(?)", (cutoff,)).fetchone()[0]
            stale += conn.execute(
                f"SELECT count(*) FROM issues{self._idx('tui_in_progress_v2')} WHERE status = 'in_progress' "
                "AND julianday(claimed_at) IS NULL").fetchone()[0]
            auto = None
            if self._has_auto_created:
                index = " INDEXED BY tui_idx_auto" if "tui_idx_auto" in self._column_indexes else ""
                auto = conn.execute(f"SELECT count(*) FROM issues{index} WHERE ifnull(auto_created, 0) != 0").fetchone()[0]
        c = Counts.from_groups(rows, open_claimed, stale)
        c.auto = auto
        counts_cache.repair(self)  # outside the read lock
        return c

    def defer_first_count_check(self) -> None:
        """Let the first counts() use the trigger-kept cache if it passes the cheap checks (start-up: the first
        screen does not wait for a recount, ~45 ms at 1M issues); the next counts() verifies it for real."""
        self._counts_state.trust_first = True

    def distrust_counts(self) -> None:
        """The counts contradicted rows a caller read: the next counts() recounts from the table."""
        self._counts_state.force = True

    def directive_progress(self) -> dict[str, "DirectiveCounts"]:
        """directive id -> its issues by state (the crate's calculate_progress, for every directive at once).
        Empty for files without the column (before v6). Index-only where the store's directive index exists."""
        if not self._has_directive_id:
            return {}
        index = " INDEXED BY tui_idx_directive" if "tui_idx_directive" in self._column_indexes else ""
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT directive_id, count(*), sum(status = 'done'), sum(status = 'in_progress'), "
                f"sum(ifnull(is_blocked, 0) != 0) FROM issues{index} "
                "WHERE directive_id IS NOT NULL AND directive_id != '' GROUP BY directive_id").fetchall()
        return {d: DirectiveCounts(total, done or 0, in_progress or 0, blocked or 0)
                for d, total, done, in_progress, blocked in rows}

    def stale_claims(self, minutes: float = CLAIM_MINUTES) -> list[Issue]:
        """In-progress issues whose claim is older than `minutes` (or has no parseable claimed_at)."""
        _, cutoff = self._cutoff(minutes)
        with self._read() as conn:
            return fetch_issues(conn.execute(
                f"SELECT * FROM issues{self._idx('tui_in_progress_v2')} WHERE status = 'in_progress' "
                "AND (julianday(claimed_at) IS NULL OR julianday(claimed_at) < julianday(?)) "
                "ORDER BY julianday(claimed_at), number", (cutoff,)))

    def release_claim(self, issue_id: str, minutes: float = CLAIM_MINUTES, *, expect_updated_at: str | None = None,
                      actor: str | None = None) -> bool:
        """Release one stale claim (in progress, claim older than `minutes`): back to open."""
        _, cutoff = self._cutoff(minutes)
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status == Status.IN_PROGRESS and not self._claim_live_in_db(i, cutoff),
            changes=lambda i, now: {"status": Status.OPEN.value, "claimed_by": None, "claimed_at": None},
            event=lambda i, f: [("released", i.claimed_by, None)],
            expect_updated_at=expect_updated_at, actor=actor)

    def release_stale_claims(self, minutes: float = CLAIM_MINUTES, *, actor: str | None = None) -> int:
        """Release every stale claim in one transaction. Returns how many were released."""
        return len(self.release_stale(minutes, actor=actor))

    def release_stale(self, minutes: float = CLAIM_MINUTES, *, actor: str | None = None) -> list[Issue]:
        """Release every stale claim in one transaction; the issues as they were before (for undo).
        `last_written_at` is their new `updated_at`. Like the crate's `release_stale_issues` (the autopilot's
        `issue release`, whose CLI default is 60 minutes) but comparing instants, not strings, and with one
        `released` event per issue; a claim with no parseable `claimed_at` counts as stale."""
        minutes = validate_minutes(minutes)
        _, cutoff = self._cutoff(minutes)
        with self._write() as conn:
            stale = fetch_issues(conn.execute(
                "SELECT * FROM issues WHERE status = 'in_progress' "
                "AND (julianday(claimed_at) IS NULL OR julianday(claimed_at) < julianday(?))", (cutoff,)))
            now = self._now()
            for issue in stale:
                conn.execute("UPDATE issues SET status = 'open', claimed_by = NULL, claimed_at = NULL, updated_at = ? "
                             "WHERE id = ?", (now, issue.id))
                append_event(conn, issue.id, self._actor(actor), "released", issue.claimed_by, None, now)
            self.last_written_at = now
            return stale


__all__ = ["IssueOps", "PRIORITY_ORDER", "VIEWS", "TITLE_MAX", "DESCRIPTION_MAX"]
