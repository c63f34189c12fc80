"""Opening an issues DB and the store's two connections (reads, writes), their locks and change detection.

Look first, change after: the file is checked on a read-only connection (store/opening.py, store/schema_check.py)
before anything is written; then migrations (store/migrations.py) and the store's objects and WAL mode
(store/setup.py).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

from . import counts, migrations, schema_check, setup
from .errors import NotAnIssuesDb, ReadOnlyError, ValidationError
from .opening import (BUSY_TIMEOUT_S, check_before_first_write, classify, connect, connect_read_only, contains_casefold,
                      inspect_path, issue_columns, needs_setup, translate)
from .store_objects import COLUMN_INDEXES, COUNTS_TRIGGERS, STORE_INDEXES


# How long a read-write open waits for the write lock to add the store's objects / switch to WAL when
# nothing needs migrating: a dashboard started while an agent holds the lock opens at once and finishes
# the setup at its first write (or next open) instead of waiting (reads never wait for a writer).
SETUP_WAIT_MS = 50


@dataclass(frozen=True, slots=True)
class FileInfo:
    """What the store found when it opened the file."""

    path: str
    schema_version: int
    migrated_from: int | None
    read_only: bool
    read_only_reason: str | None
    journal_mode: str
    created: bool


def _bad_text(suffix: str = "; nothing was written") -> ValidationError:
    return ValidationError("text", f"contains invalid Unicode (a lone surrogate){suffix}")


class Connection:
    """Two long-lived connections (reads, writes; each shared across threads under a lock) plus file
    bookkeeping. See store/setup.py for what a read-write open adds to the file, and when."""

    conn: sqlite3.Connection
    info: FileInfo

    def __init__(self, path: str | os.PathLike, *, read_only: bool = False, create: bool = True,
                 clock: Callable[[], int] | None = None, actor: str = "store",
                 migrate_in_memory: bool = False) -> None:
        if not str(path):
            raise NotAnIssuesDb("no database path given (an empty path would mean a file in the current folder)")
        self.path = Path(path)
        self.actor = actor
        self.clock = clock or time.time_ns
        self._lock = threading.RLock()  # the read connection
        self._wlock = threading.RLock()  # the write connection
        self._has_store_indexes = False
        self._has_counts = False
        self._setup_pending = False
        self._setup_tried = 0.0
        self._ro_by_schema = False  # made read-only by a schema check while open read-write (reversible)
        self._cookie = None
        self._counts_state = counts.CountsState()
        self._migrate_in_memory = migrate_in_memory
        try:
            self._open(read_only, create)
        except sqlite3.Error as exc:
            raise translate(exc, str(self.path)) from None
        self._identity = self._file_identity()

    # -- opening -------------------------------------------------------------------------------
    def _open(self, read_only: bool, create: bool) -> None:
        """Look first, change after: every check runs on a read-only connection, and a file that fails one
        is refused (or opened read-only) before anything is written to it."""
        path = self.path
        new = inspect_path(path, create and not read_only)
        ro_reason = None
        if not new and not read_only and not os.access(path, os.W_OK):
            read_only, ro_reason = True, "the file is not writable"
        if not new and not read_only and not os.access(path.parent, os.W_OK):
            read_only, ro_reason = True, "its folder is not writable (no room for the -wal/-journal file)"
        if read_only and ro_reason is None:
            ro_reason = "opened read-only"

        version = 0
        if not new:
            probe, immutable = connect_read_only(path, recover=not read_only)
            kept = False
            try:
                version, tables = classify(probe, path)
                report = schema_check.check(probe)
                if not read_only and not report.trusted:
                    read_only, ro_reason = True, report.reason()
                if read_only:
                    kept = True  # the probe becomes the store's connection
                    self._open_read_only(probe, version, tables, report, ro_reason, immutable)
                    return
                if version < migrations.LATEST or needs_setup(probe, report):
                    check_before_first_write(probe, path)
            finally:
                if not kept:
                    probe.close()
        self.conn = self.wconn = connect(path, False)
        try:
            self._open_read_write(new, version)
        except BaseException:
            self.wconn.close()
            raise

    def _open_read_write(self, new: bool, version: int) -> None:
        path = self.path
        before, after = version, version
        if new or version < migrations.LATEST:
            try:
                before, after = migrations.migrate(self.wconn)
            except migrations.UnreadableVersion as exc:
                raise NotAnIssuesDb(f"{path}: {exc}; nothing was written") from None
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
                    raise
                raise NotAnIssuesDb(f"{path}: its schema v{version} cannot be migrated to v{migrations.LATEST} "
                                    f"({exc}); nothing was written") from None
        self.info = FileInfo(str(path), after, before if before < after else None, False, None,
                             "delete", new)
        setup.finish(self, wait_ms=None if new else SETUP_WAIT_MS)
        # Two connections: writes (which may wait out another process's lock for the busy timeout) never
        # hold up reads, and in WAL mode reads never wait for writers.
        self.conn = connect(path, False)
        self.conn.execute("PRAGMA query_only = 1")

    def _open_read_only(self, conn: sqlite3.Connection, version: int, tables: set[str],
                        report: "schema_check.SchemaReport", reason: str, immutable: bool) -> None:
        path = self.path
        if "issues" not in tables:
            conn.close()
            raise NotAnIssuesDb(f"{path} holds no issues table yet and is read-only, so it cannot be initialised")
        if version < migrations.LATEST and self._migrate_in_memory:
            conn = self._migrated_copy(conn)
            reason += f" (schema v{version} read from a copy migrated in memory)"
            version = migrations.LATEST
        if version < migrations.LATEST:
            conn.close()
            raise NotAnIssuesDb(f"{path} has schema v{version} and needs migrating to v5, but it is read-only")
        if immutable and os.path.exists(f"{path}-wal") and os.path.getsize(f"{path}-wal") > 0:
            reason += "; its -wal cannot be shared from this folder, so changes not yet checkpointed do not show"
        self.conn = self.wconn = conn
        self.apply_report(report, conn)
        self._cookie = conn.execute("PRAGMA schema_version").fetchone()[0]
        jm = conn.execute("PRAGMA journal_mode").fetchone()[0]
        self.info = FileInfo(str(path), version, None, True, reason, jm, False)

    def _migrated_copy(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        """An in-memory copy of the file, migrated to v5 (the file itself is not touched)."""
        mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        mem.text_factory = conn.text_factory
        mem.create_function("tui_contains", 2, contains_casefold, deterministic=True)
        try:
            conn.backup(mem)
            migrations.migrate(mem)
        except migrations.UnreadableVersion as exc:
            mem.close()
            raise NotAnIssuesDb(f"{self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            mem.close()
            raise NotAnIssuesDb(f"{self.path}: its schema cannot be migrated to v{migrations.LATEST} ({exc})") from None
        finally:
            conn.close()
        mem.execute("PRAGMA foreign_keys = ON")
        return mem

    def apply_report(self, report: "schema_check.SchemaReport", conn: sqlite3.Connection) -> None:
        """Use only the store objects whose content was verified (an impostor index is never INDEXED BY)."""
        present = report.present
        self._has_store_indexes = all(name in present for name in STORE_INDEXES)
        self._has_counts = "tui_issue_counts" in present and all(t in present for t in COUNTS_TRIGGERS)
        self._issue_columns = issue_columns(conn)
        cols = set(self._issue_columns)
        self._has_project_id = "project_id" in cols
        self._has_directive_id = "directive_id" in cols
        self._has_auto_created = "auto_created" in cols
        self._column_indexes = {name for name in COLUMN_INDEXES if name in present}
        table_sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'issues'").fetchone()
        self._id_checked = bool(table_sql and "CHECK(id != '')" in (table_sql[0] or ""))
        self._counts_state.reset()

    def _recheck_schema(self, conn: sqlite3.Connection, writing: bool) -> None:
        """The schema changed since we checked it (SQLite's schema cookie moved): check it again."""
        cookie = conn.execute("PRAGMA schema_version").fetchone()[0]
        if cookie == self._cookie:
            return
        report = schema_check.check(conn)
        self.apply_report(report, conn)
        self._cookie = cookie
        try:  # a newer autopilot migrated the file (v5 -> v11) while we have it open: say the version it has now
            version = migrations.read_version(conn)
        except (migrations.UnreadableVersion, sqlite3.Error):
            version = self.info.schema_version
        if version > self.info.schema_version:
            self.info = replace(self.info, schema_version=version)
        if not report.trusted and not self.info.read_only:
            self.info = replace(self.info, read_only=True, read_only_reason=report.reason())
            self._ro_by_schema = True
        elif report.trusted and self._ro_by_schema:
            # The unknown object is gone again (someone dropped the planted trigger): writable again.
            self.info = replace(self.info, read_only=False, read_only_reason=None)
            self._ro_by_schema = False
        if writing and self.info.read_only:
            raise ReadOnlyError(f"{self.path} is open read-only ({self.info.read_only_reason}); nothing was written")

    # -- plumbing ------------------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return self.info.read_only

    @property
    def schema_version(self) -> int:
        return self.info.schema_version

    def has_column(self, name: str) -> bool:
        """Whether the file's `issues` table has this column (`directive_id` v6+, `project_id` v7+,
        `auto_created` v11+)."""
        return name in self._issue_columns

    def close(self) -> None:
        with self._wlock, self._lock:
            self.conn.close()
            if self.wconn is not self.conn:
                self.wconn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def now_ns(self) -> int:
        return self.clock()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._recheck_schema(self.conn, writing=False)
                yield self.conn
            except sqlite3.Error as exc:
                raise translate(exc, str(self.path)) from None
            except UnicodeEncodeError:
                raise _bad_text("") from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One BEGIN IMMEDIATE ... COMMIT, retried while another process holds the lock."""
        if self.info.read_only and self._ro_by_schema:
            with self._lock:  # the unknown object may be gone since: look again
                self._recheck_schema(self.conn, writing=False)
        if self.info.read_only:
            raise ReadOnlyError(f"{self.path} is open read-only ({self.info.read_only_reason}); nothing was written")
        with self._wlock:
            conn = self.wconn
            try:
                if self._setup_pending:
                    setup.finish(self, wait_ms=None)  # a write waits for the lock anyway
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise translate(exc, str(self.path)) from None
            try:
                # An agent may have planted a trigger since we looked: check again (under the lock) first.
                self._recheck_schema(conn, writing=True)
                yield conn
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise translate(exc, str(self.path)) from None
            except UnicodeEncodeError:
                # A str holding a lone surrogate cannot be stored as UTF-8 (sqlite3 raises on bind).
                self._rollback()
                raise _bad_text() from None
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        try:
            self.wconn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    # -- change detection ----------------------------------------------------------------------
    def _file_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def change_token(self) -> tuple:
        """Cheap token that changes when another connection commits or the file is replaced/removed.

        Also finishes a setup the open left pending (the lock was held then), at most every 2 s and
        without waiting for the lock (so the dashboard gets WAL and its indexes once the agent lets go)."""
        self._retry_setup()
        ident = self._file_identity()
        with self._lock:
            try:
                dv = self.conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                dv = -1
        return (ident, dv)

    def _retry_setup(self) -> None:
        now = time.monotonic()
        if not self._setup_pending or now - self._setup_tried < 2.0 or not self._wlock.acquire(blocking=False):
            return
        try:
            self._setup_tried = now
            if self._setup_pending and not self.info.read_only:
                setup.finish(self, wait_ms=0)
        except sqlite3.Error:
            pass  # e.g. busy after all: the next write (or the next try) finishes it
        finally:
            self._wlock.release()

    def file_replaced(self) -> bool:
        """True if the path now names another file (or none) than the one we opened. A path we cannot stat
        any more (its folder made unreadable) is not "replaced": see path_problem()."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return (st.st_dev, st.st_ino) != self._identity

    def file_exists(self) -> bool:
        """False only when the path is gone (a folder we may no longer read is a path_problem())."""
        try:
            os.stat(self.path)
        except FileNotFoundError:
            return False
        except OSError:
            return True
        return True

    def path_problem(self) -> str | None:
        """One line if the path cannot be looked at any more (e.g. its folder was made unreadable)."""
        try:
            os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return f"cannot see {self.path}: {exc.strerror or exc} — showing the last data; waiting for access"
        return None
