"""What a read-write open adds to a file, after every check passed: the store's indexes and counts table
(with their triggers), obsolete store objects dropped, WAL mode, `synchronous = NORMAL`.

Nothing here runs before the file was checked (store/connection.py), and nothing takes the write lock
when the file already has all of it. When another process holds the lock, the open does not wait for
it (a dashboard started during an agent's long write shows data at once): the setup is finished by the
first write, which waits for the lock anyway.

Durability: in WAL mode `synchronous = NORMAL` (SQLite's recommended setting for WAL) syncs at each
checkpoint instead of each commit. A crash of any process loses nothing and the file is never corrupted;
an OS crash or power cut can undo the last commits made before it. The crate's own writes keep whatever
their connection uses. A file that stays in rollback-journal mode keeps `synchronous = FULL`, and
`ISSUES_SYNCHRONOUS=FULL` in the environment makes every commit of ours fsync'd (about 0.2 ms more each).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace

from . import schema_check
from .opening import BUSY_TIMEOUT_S
from .opening import issue_columns
from .store_objects import COUNTS_DDL, COUNTS_TRIGGERS, STORE_INDEXES, wanted_column_indexes


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def finish(st, wait_ms: int | None) -> None:
    """Bring the file up to what the store uses. `wait_ms`: how long to wait for the write lock (None:
    the normal busy timeout); if that runs out, the setup is left pending for the next write."""
    conn = st.wconn
    if wait_ms is not None:
        conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
    try:
        _store_objects(st, conn)
        if not st.info.read_only:
            _wal(st, conn)
        st._setup_pending = False
    except sqlite3.OperationalError as exc:
        if wait_ms is None or not _is_busy(exc):
            raise
        st._setup_pending = True
    finally:
        if wait_ms is not None:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    jm = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.execute(f"PRAGMA synchronous = {synchronous(jm)}")
    st.info = replace(st.info, journal_mode=jm)


def synchronous(journal_mode: str) -> str:
    """NORMAL in WAL, FULL otherwise; `$ISSUES_SYNCHRONOUS=FULL` (or EXTRA) makes every commit fsync'd."""
    wanted = os.environ.get("ISSUES_SYNCHRONOUS", "").strip().upper()
    if wanted in ("FULL", "EXTRA"):
        return wanted
    return "NORMAL" if journal_mode == "wal" else "FULL"


def _store_objects(st, conn: sqlite3.Connection) -> None:
    report = schema_check.check(conn)
    column_indexes = wanted_column_indexes(issue_columns(conn))  # v6+/v11 files: indexes for their extra columns
    wanted = (*STORE_INDEXES, *column_indexes, "tui_issue_counts", *COUNTS_TRIGGERS)
    if report.trusted and not report.obsolete and all(n in report.present for n in wanted):
        _applied(st, conn, report)
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        report = schema_check.check(conn)  # again, under the lock
        if not report.trusted:
            conn.execute("ROLLBACK")
            _applied(st, conn, report)
            return
        for kind, name in report.obsolete:
            conn.execute(f"DROP {'INDEX' if kind == 'index' else 'TRIGGER'} IF EXISTS {schema_check.quote_ident(name)}")
        if any(n not in report.present for n in ("tui_issue_counts", *COUNTS_TRIGGERS)):
            for sql in COUNTS_DDL:
                conn.execute(sql)
            # (Re)build the counts from the table, inside the same lock as the triggers.
            conn.execute("DELETE FROM tui_issue_counts")
            conn.execute("INSERT INTO tui_issue_counts (status, blocked, n) "
                         "SELECT status, ifnull(is_blocked, 0) != 0, count(*) FROM issues GROUP BY 1, 2")
        conn.execute("COMMIT")
        # One short transaction per index: at 1M issues each takes the write lock for a second or two, so an
        # agent's write waits that long at most (never the crate's 5 s busy timeout for all of them together).
        # An index left unbuilt (lock busy, crash) is built by the next open; until then the views read late.
        for name, sql in {**STORE_INDEXES, **column_indexes}.items():
            if name not in report.present:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(sql)
                conn.execute("COMMIT")
    except BaseException:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        raise
    _applied(st, conn, schema_check.check(conn))


def _applied(st, conn: sqlite3.Connection, report: schema_check.SchemaReport) -> None:
    st.apply_report(report, conn)
    st._cookie = conn.execute("PRAGMA schema_version").fetchone()[0]
    if not report.trusted and not st.info.read_only:
        st.info = replace(st.info, read_only=True, read_only_reason=report.reason())
        st._ro_by_schema = True


def _wal(st, conn: sqlite3.Connection) -> None:
    if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    conn.execute("PRAGMA journal_mode = WAL").fetchone()
