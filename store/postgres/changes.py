"""What changed since a cursor, and a listener that reads it on every NOTIFY, after every reconnect, and on a
slow poll, so a lost notification, a dropped connection or a restarted server loses nothing.

Every write stamps its rows with a change number (one sequence) and its transaction id (schema.py).
Numbers are taken in one order but committed in another: a transaction holding number 10 may commit after
one holding 11. So a cursor is (the highest number seen, the transactions that were still in flight when it
was read): the next read takes rows numbered higher *or* written by one of those transactions. Read in one
REPEATABLE READ snapshot, this misses nothing: a writer takes its transaction id before its number, so a
number lower than the cursor's belongs either to a transaction visible then (already read) or to one in
that snapshot's in-flight list.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import psycopg

from .conninfo import display, scrub
from .schema import CHANNEL

POLL_SECONDS = 5.0  # the safety net: read even when no notification came
RECONNECT_MIN_S, RECONNECT_MAX_S = 0.05, 5.0


@dataclass(frozen=True)
class Cursor:
    seq: int = 0
    pending: tuple = ()  # xid8 values in flight at the last read


@dataclass
class Changes:
    cursor: Cursor
    issues: list[str] = field(default_factory=list)  # ids inserted or updated
    deleted: list[str] = field(default_factory=list)  # ids of deleted issues
    projects: bool = False
    sessions: bool = False
    reconnected: bool = False  # read right after a (re)connect

    def __bool__(self) -> bool:
        return bool(self.issues or self.deleted or self.projects or self.sessions)


def current_cursor(conn: psycopg.Connection) -> Cursor:
    """A cursor at "now": nothing before it is reported (start listening from here)."""
    return read_changes(conn, None).cursor


def read_changes(conn: psycopg.Connection, cursor: Cursor | None) -> Changes:
    """Everything committed since `cursor` (None: only a fresh cursor) in one consistent snapshot."""
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    with conn.transaction():
        snap_xip = [r[0] for r in conn.execute(
            "SELECT pg_snapshot_xip(pg_current_snapshot())").fetchall()]
        if cursor is None:
            top = conn.execute("SELECT greatest((SELECT max(change_seq) FROM issues), "
                               "(SELECT max(change_seq) FROM projects), (SELECT max(change_seq) FROM sessions), "
                               "(SELECT max(change_seq) FROM tui_tombstones))").fetchone()[0] or 0
            return Changes(Cursor(int(top), tuple(snap_xip)))
        params = (cursor.seq, list(cursor.pending))
        where = "change_seq > %s OR change_xid = ANY(%s::xid8[])"
        out = Changes(cursor)
        top = cursor.seq
        for table in ("issues", "projects", "sessions"):
            rows = conn.execute(f"SELECT id, change_seq FROM {table} WHERE {where}", params).fetchall()
            if rows:
                top = max(top, max(r[1] for r in rows))
                if table == "issues":
                    out.issues = [r[0] for r in rows]
                else:
                    setattr(out, table, True)
        for tbl, row_id, seq in conn.execute(f"SELECT tbl, id, change_seq FROM tui_tombstones WHERE {where}", params):
            top = max(top, seq)
            if tbl == "issues":
                out.deleted.append(row_id)
            elif tbl in ("projects", "sessions"):
                setattr(out, tbl, True)
        out.cursor = Cursor(int(top), tuple(snap_xip))
    return out


class ChangeListener:
    """LISTEN on a dedicated autocommit connection; `on_changes(Changes)` for every batch of changes.

    `run()` blocks until `stop()`; `start()` runs it on a daemon thread. `on_state(text | None)` is told when
    the connection is lost (one line, no password) and when it is back (None)."""

    def __init__(self, target: str, on_changes: Callable[[Changes], None], *, cursor: Cursor | None = None,
                 poll_seconds: float = POLL_SECONDS, on_state: Callable[[str | None], None] | None = None,
                 on_notify: Callable[[], None] | None = None) -> None:
        self.target = target
        self.on_changes = on_changes
        self.on_notify = on_notify  # called the moment a notification arrives, before the changes are read
        self.on_state = on_state
        self.cursor = cursor
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.conn: psycopg.Connection | None = None
        self.connects = 0
        self.notifications = 0

    def start(self) -> "ChangeListener":
        self._thread = threading.Thread(target=self.run, name="issues-tui pg listener", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _connect(self) -> psycopg.Connection:
        conn = psycopg.connect(self.target, autocommit=True, connect_timeout=10,
                               application_name="issues-tui listener")
        conn.execute("SET TIME ZONE 'UTC'")
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def _read(self, reconnected: bool = False) -> None:
        changes = read_changes(self.conn, self.cursor)
        first = self.cursor is None
        self.cursor = changes.cursor
        changes.reconnected = reconnected
        if changes or (reconnected and not first):
            self.on_changes(changes)

    def run(self) -> None:
        delay = RECONNECT_MIN_S
        lost = False
        while not self._stop.is_set():
            try:
                self.conn = self._connect()
                self.connects += 1
                # after every (re)connect: whatever was committed while nobody listened
                self._read(reconnected=self.connects > 1)
                if lost and self.on_state:
                    self.on_state(None)
                lost, delay = False, RECONNECT_MIN_S
                self._listen()
            except (psycopg.Error, OSError) as exc:
                if self._stop.is_set():
                    break
                if not lost and self.on_state:
                    self.on_state(f"lost the connection to {display(self.target)} "
                                  f"({' '.join(scrub(str(exc), self.target).split())[:200]}); reconnecting")
                lost = True
                self._stop.wait(delay * (0.5 + random.random()))  # jittered, so many dashboards don't stampede
                delay = min(delay * 2, RECONNECT_MAX_S)
            finally:
                if self.conn is not None:
                    try:
                        self.conn.close()
                    except Exception:
                        pass
                    self.conn = None

    def _listen(self) -> None:
        last_read = time.monotonic()
        while not self._stop.is_set():
            got = 0
            for _ in self.conn.notifies(timeout=0.25, stop_after=1):
                got += 1
            if got:
                self.notifications += 1
                if self.on_notify is not None:
                    self.on_notify()
                for _ in self.conn.notifies(timeout=0.001):  # a burst: one read for all of it
                    pass
            if got or time.monotonic() - last_read >= self.poll_seconds:
                self._read()
                last_read = time.monotonic()
