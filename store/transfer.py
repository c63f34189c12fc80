"""`migrate SRC DST`: copy an issues DB between the backends (SQLite file -> empty PostgreSQL DB, and back).

Everything is copied as stored: ids, numbers, the counter, events (in order), projects, sessions, the schema
version, and every timestamp's text to the nanosecond, so `export` of the copy is byte-identical to the
crate's export of the source. The copy is one transaction: on PostgreSQL a failure leaves the database
empty; a new SQLite file is removed again. The source is opened read-only and never changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import timestamps
from .errors import NotAnIssuesDb, StoreError
from .postgres.conninfo import display, is_pg_target, scrub

ISSUE_COLS = ("id", "number", "title", "description", "status", "priority", "issue_type", "is_blocked",
              "blocked_reason", "claimed_by", "claimed_at", "created_at", "updated_at", "completed_at", "agent")
EXTRA_COLS = ("directive_id", "project_id", "auto_created")
EVENT_COLS = ("id", "issue_id", "actor", "event_type", "old_value", "new_value", "created_at")
PROJECT_COLS = ("id", "name", "path", "description", "default_model", "default_budget", "created_at", "updated_at")
SESSION_COLS = ("id", "project_id", "status", "prompt", "model", "pid", "trajectory_path", "started_at", "ended_at",
                "budget_spent", "issues_completed")
TIMES = {"issues": ("claimed_at", "created_at", "updated_at", "completed_at"), "issue_events": ("created_at",),
         "projects": ("created_at", "updated_at"), "sessions": ("started_at", "ended_at")}
BOOLS = ("is_blocked", "auto_created")
INTS = ("number", "pid", "issues_completed")
FLOATS = ("default_budget", "budget_spent")


@dataclass
class Report:
    source: str
    target: str
    issues: int = 0
    events: int = 0
    projects: int = 0
    sessions: int = 0
    counter: int = 0
    schema_version: int = 5
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (f"Copied {self.issues} issues, {self.events} events, {self.projects} projects, {self.sessions} "
                f"sessions (schema v{self.schema_version}, next number {self.counter}) from {self.source} "
                f"to {self.target}")
        return text + ("; " + "; ".join(self.notes) if self.notes else "")


def migrate(src: str, dst: str) -> Report:
    """Copy `src` into `dst` (one must be a file path, the other a PostgreSQL target)."""
    if is_pg_target(src) == is_pg_target(dst):
        raise StoreError("migrate copies between a SQLite file and a PostgreSQL database: give one of each "
                         "(e.g. `migrate autopilot.db postgresql://host/issues`)")
    if is_pg_target(dst):
        return _sqlite_to_pg(str(src), str(dst))
    return _pg_to_sqlite(str(src), str(dst))


# -- reading ---------------------------------------------------------------------------------------------
def _text(value):
    """A value bound into a text column: as text, NUL (which PostgreSQL text cannot hold) made U+FFFD."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).replace("\x00", "\ufffd")


def _to_pg(table: str, cols: tuple, row: tuple, nul_count: list) -> list:
    from .postgres.connection import ns_to_dt
    out = []
    for col, value in zip(cols, row):
        if col in BOOLS:
            try:
                out.append(None if value is None else bool(int(value)))
            except (TypeError, ValueError):
                out.append(bool(value))
        elif col in INTS:
            out.append(None if value is None else int(value))
        elif col in FLOATS:
            out.append(None if value is None else float(value))
        else:
            text = _text(value)
            if isinstance(value, str) and "\x00" in value:
                nul_count[0] += 1
            out.append(text)
            if col in TIMES.get(table, ()):
                ns = timestamps.parse_ns(text) if text else None
                out.append(ns_to_dt(ns) if ns is not None else None)
    return out


def _pg_cols(table: str, cols: tuple) -> list[str]:
    names = []
    for col in cols:
        if col in TIMES.get(table, ()):
            names += [f"{col}_text", col]
        else:
            names.append(col)
    return names


# -- SQLite file -> PostgreSQL ---------------------------------------------------------------------------
def _sqlite_to_pg(src: str, dst: str) -> Report:
    import psycopg

    from .postgres import schema, search_index
    from .store import Store

    report = Report(src, display(dst))
    with Store.open(src, read_only=True, create=False, migrate_in_memory=True) as source:  # v1-v4: read as v5
        conn = source.conn
        version = source.schema_version
        file_cols = [r[1] for r in conn.execute("PRAGMA table_info(issues)")]
        extras = tuple(c for c in EXTRA_COLS if c in file_cols)
        dropped = [c for c in file_cols if c not in ISSUE_COLS and c not in EXTRA_COLS]
        if dropped:
            report.notes.append(f"columns not copied: {', '.join(dropped)}")
        issue_cols = ISSUE_COLS + extras
        issues = conn.execute(f"SELECT {', '.join(issue_cols)} FROM issues ORDER BY number").fetchall()
        ids = {r[0] for r in issues}
        events = conn.execute(f"SELECT {', '.join(EVENT_COLS)} FROM issue_events ORDER BY rowid").fetchall()
        kept = [e for e in events if e[0] and e[1] in ids]
        if len(kept) != len(events):
            report.notes.append(f"{len(events) - len(kept)} events without an id or an issue skipped")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        projects = conn.execute(f"SELECT {', '.join(PROJECT_COLS)} FROM projects").fetchall() if "projects" in tables else []
        sessions = conn.execute(f"SELECT {', '.join(SESSION_COLS)} FROM sessions").fetchall() if "sessions" in tables else []
        row = conn.execute("SELECT next_number FROM issue_counter WHERE id = 1").fetchone()
        counter = int(row[0]) if row and row[0] is not None else 1

    try:
        pg = psycopg.connect(dst, autocommit=True, connect_timeout=10, application_name="issues-tui migrate")
    except Exception as exc:
        raise StoreError(f"cannot connect to {display(dst)}: {' '.join(scrub(str(exc), dst).split())}") from None
    nuls = [0]
    try:
        pg.execute("SET TIME ZONE 'UTC'")
        tables_there = [r[0] for r in pg.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
        if tables_there:
            raise NotAnIssuesDb(f"{display(dst)} is not empty (it has {len(tables_there)} tables); migrate copies "
                                "into an empty database only, so nothing is overwritten")
        with pg.transaction():
            tables, rest = schema.ddl_parts(max(version, 5))
            for statement in tables:
                pg.execute(statement)
            for table, cols, rows in (("projects", PROJECT_COLS, projects), ("sessions", SESSION_COLS, sessions),
                                      ("issues", issue_cols, issues), ("issue_events", EVENT_COLS, kept)):
                with pg.cursor().copy(f"COPY {table} ({', '.join(_pg_cols(table, cols))}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(_to_pg(table, cols, r, nuls))
            # indexes, triggers and counts once the rows are in (the rows already carry both timestamp forms;
            # their change number is 0: the copy is the starting point every change is counted from)
            for statement in rest:
                pg.execute(statement)
            search_index.ensure(pg, lock=False)  # or the first read-write open says why search is unindexed
            pg.execute("UPDATE issue_counter SET next_number = greatest(next_number, "
                       "(SELECT coalesce(max(number), 0) + 1 FROM issues)) WHERE id = 1")
            pg.execute("UPDATE issue_counter SET next_number = greatest(next_number, %s) WHERE id = 1", (counter,))
            report.counter = pg.execute("SELECT next_number FROM issue_counter").fetchone()[0]
    except StoreError:
        raise
    except psycopg.Error as exc:
        raise StoreError(f"migrate to {display(dst)} failed, nothing was written: "
                         f"{' '.join(scrub(str(exc), dst).split())}") from None
    finally:
        pg.close()
    if nuls[0]:
        report.notes.append(f"{nuls[0]} values held NUL characters (PostgreSQL text cannot): stored as U+FFFD")
    report.issues, report.events, report.projects, report.sessions = len(issues), len(kept), len(projects), len(sessions)
    report.schema_version = max(version, 5)
    return report


# -- PostgreSQL -> new SQLite file -----------------------------------------------------------------------
def _pg_to_sqlite(src: str, dst: str) -> Report:
    import sqlite3

    from .postgres import PgStore
    from .store import Store

    path = Path(dst)
    if path.exists() and (path.is_dir() or path.stat().st_size > 0):
        raise StoreError(f"{dst} already exists; migrate writes a new SQLite file only, so nothing is overwritten")
    if not path.parent.exists():
        raise StoreError(f"cannot create {dst}: folder {path.parent} does not exist")
    report = Report(display(src), dst)
    with PgStore.open(src, read_only=True, create=False) as source:
        version = source.schema_version
        extras = tuple(c for c, v in (("directive_id", 6), ("project_id", 7), ("auto_created", 11)) if version >= v)
        issue_cols = ISSUE_COLS + extras

        def sel(table, cols, order):
            names = [f"{c}_text" if c in TIMES[table] else c for c in cols]
            with source._read() as conn:
                return conn.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY {order}").fetchall()

        issues = [tuple(int(v) if isinstance(v, bool) else v for v in r) for r in sel("issues", issue_cols, "number")]
        events = sel("issue_events", EVENT_COLS, "ord")
        projects = sel("projects", PROJECT_COLS, "created_at_text, id")
        sessions = sel("sessions", SESSION_COLS, "started_at_text, id")
        with source._read() as conn:
            counter = conn.execute("SELECT next_number FROM issue_counter WHERE id = 1").fetchone()[0]
    created = not path.exists()
    try:
        Store.open(dst, create=True).close()
        conn = sqlite3.connect(dst, isolation_level=None, timeout=5)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("BEGIN IMMEDIATE")
            have = {r[1] for r in conn.execute("PRAGMA table_info(issues)")}
            for col, kind in (("directive_id", "TEXT"), ("project_id", "TEXT"), ("auto_created", "INTEGER DEFAULT 0")):
                if col in extras and col not in have:
                    conn.execute(f"ALTER TABLE issues ADD COLUMN {col} {kind}")
            for table, cols, rows in (("projects", PROJECT_COLS, projects), ("sessions", SESSION_COLS, sessions),
                                      ("issues", issue_cols, issues), ("issue_events", EVENT_COLS, events)):
                conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
            conn.execute("UPDATE issue_counter SET next_number = max(next_number, ?) WHERE id = 1", (counter,))
            if version > 5:
                conn.execute("UPDATE schema_version SET version = ?", (version,))
            conn.execute("COMMIT")
            report.counter = conn.execute("SELECT next_number FROM issue_counter").fetchone()[0]
        finally:
            conn.close()
    except BaseException as exc:
        if created:
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.unlink(dst + suffix)
                except OSError:
                    pass
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"migrate to {dst} failed, nothing was written: {exc}") from None
        raise
    report.issues, report.events, report.projects, report.sessions = len(issues), len(events), len(projects), len(sessions)
    report.schema_version = max(version, 5)
    return report
