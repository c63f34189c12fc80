"""Opening an issues DB: file checks, connection settings, migrations and the store's own indexes.

Nothing here writes to a file before it is known to be an issues DB (or a new/empty one we were asked
to create): a PNG, a text file or another app's SQLite DB is refused untouched.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

from . import counts, migrations, schema_check, setup
from .errors import BusyError, NotAnIssuesDb, ReadOnlyError, StoreError, ValidationError

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 5.0

# Columns a v5 `issues` table must have (compat.md 2.3).
V5_ISSUE_COLUMNS = (
    "id", "number", "title", "description", "status", "priority", "issue_type", "is_blocked",
    "blocked_reason", "claimed_by", "claimed_at", "created_at", "updated_at", "completed_at", "agent",
)

# The ready queue's priority rank. Unknown/NULL ranks as medium (compat.md decision 5).
PRIORITY_RANK_SQL = (
    "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'low' THEN 3 ELSE 2 END"
)
READY_BASE_SQL = "status = 'open' AND ifnull(is_blocked, 0) = 0"

# Extra indexes the store adds on a read-write open (the crate ignores them). The partial
# expression indexes make the ready queue O(page) at any size; the planner is pointed at them
# with INDEXED BY, so no ANALYZE is needed.
STORE_INDEXES = {
    # title/claim columns make "filter as you type" over the ready queue an index-only scan
    "tui_ready_v2": f"CREATE INDEX IF NOT EXISTS tui_ready_v2 ON issues(({PRIORITY_RANK_SQL}), created_at, number, title, claimed_by, claimed_at) WHERE {READY_BASE_SQL}",
    "tui_ready_agent_v2": f"CREATE INDEX IF NOT EXISTS tui_ready_agent_v2 ON issues(agent, ({PRIORITY_RANK_SQL}), created_at, number, title, claimed_by, claimed_at) WHERE {READY_BASE_SQL}",
    "tui_in_progress_v2": "CREATE INDEX IF NOT EXISTS tui_in_progress_v2 ON issues(julianday(claimed_at), number) WHERE status = 'in_progress'",
    "tui_idx_open_claimed": f"CREATE INDEX IF NOT EXISTS tui_idx_open_claimed ON issues(julianday(claimed_at)) WHERE {READY_BASE_SQL} AND claimed_by IS NOT NULL AND claimed_by != ''",
    "tui_idx_blocked": "CREATE INDEX IF NOT EXISTS tui_idx_blocked ON issues(number) WHERE status = 'open' AND ifnull(is_blocked, 0) != 0",
    "tui_idx_events_time": "CREATE INDEX IF NOT EXISTS tui_idx_events_time ON issue_events(issue_id, created_at)",
}

# Indexes the store adds only where the file has the column (schema v6+ / v11 files): the status line's
# auto-created count reads the first, each directive's live progress the second (index-only).
COLUMN_INDEXES = {
    "tui_idx_auto": ("auto_created",
                     "CREATE INDEX IF NOT EXISTS tui_idx_auto ON issues(number) WHERE ifnull(auto_created, 0) != 0"),
    "tui_idx_directive": ("directive_id",
                          "CREATE INDEX IF NOT EXISTS tui_idx_directive ON issues(directive_id, status, is_blocked) "
                          "WHERE directive_id IS NOT NULL AND directive_id != ''"),
}


def wanted_column_indexes(conn: sqlite3.Connection) -> dict[str, str]:
    """The COLUMN_INDEXES this file's columns call for: name -> DDL."""
    cols = set(issue_columns(conn))
    return {name: sql for name, (col, sql) in COLUMN_INDEXES.items() if col in cols}


# Counts by (status, blocked) kept by triggers, so the status line costs O(1) at 1M issues
# whoever writes (the crate's writes fire them too).
COUNTS_DDL = [
    "CREATE TABLE IF NOT EXISTS tui_issue_counts (status TEXT NOT NULL, blocked INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (status, blocked))",
    """CREATE TRIGGER IF NOT EXISTS tui_counts_insert AFTER INSERT ON issues BEGIN
  INSERT OR IGNORE INTO tui_issue_counts (status, blocked, n) VALUES (NEW.status, ifnull(NEW.is_blocked, 0) != 0, 0);
  UPDATE tui_issue_counts SET n = n + 1 WHERE status = NEW.status AND blocked = (ifnull(NEW.is_blocked, 0) != 0);
END""",
    """CREATE TRIGGER IF NOT EXISTS tui_counts_delete AFTER DELETE ON issues BEGIN
  UPDATE tui_issue_counts SET n = n - 1 WHERE status = OLD.status AND blocked = (ifnull(OLD.is_blocked, 0) != 0);
END""",
    """CREATE TRIGGER IF NOT EXISTS tui_counts_update AFTER UPDATE OF status, is_blocked ON issues
WHEN OLD.status IS NOT NEW.status OR (ifnull(OLD.is_blocked, 0) != 0) IS NOT (ifnull(NEW.is_blocked, 0) != 0) BEGIN
  UPDATE tui_issue_counts SET n = n - 1 WHERE status = OLD.status AND blocked = (ifnull(OLD.is_blocked, 0) != 0);
  INSERT OR IGNORE INTO tui_issue_counts (status, blocked, n) VALUES (NEW.status, ifnull(NEW.is_blocked, 0) != 0, 0);
  UPDATE tui_issue_counts SET n = n + 1 WHERE status = NEW.status AND blocked = (ifnull(NEW.is_blocked, 0) != 0);
END""",
]
COUNTS_TRIGGERS = ("tui_counts_insert", "tui_counts_delete", "tui_counts_update")

# The store's objects of earlier versions, by their exact DDL: dropped (quoted) on a read-write open.
OBSOLETE_STORE_DDL = [
    f"CREATE INDEX tui_idx_ready ON issues(({PRIORITY_RANK_SQL}), created_at, number) WHERE {READY_BASE_SQL}",
    f"CREATE INDEX tui_idx_ready_agent ON issues(agent, ({PRIORITY_RANK_SQL}), created_at, number) WHERE {READY_BASE_SQL}",
    "CREATE INDEX tui_idx_in_progress ON issues(julianday(claimed_at)) WHERE status = 'in_progress'",
]
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


def inspect_path(path: Path, create: bool) -> bool:
    """Refuse what is not an issues DB before any connection touches it. Returns True if it is new."""
    try:
        return _inspect_path(path, create)
    except OSError as exc:  # e.g. a folder made unreadable: stat() itself fails
        raise NotAnIssuesDb(f"cannot read {path}: {exc.strerror or exc}") from None


def _inspect_path(path: Path, create: bool) -> bool:
    if path.is_dir():
        raise NotAnIssuesDb(f"{path} is a directory, not an issues database")
    if not path.exists():
        if not create:
            raise NotAnIssuesDb(f"{path} does not exist (create one with --create, or `issues-tui add TITLE --db {path}`)")
        if not path.parent.exists():
            raise NotAnIssuesDb(f"cannot create {path}: folder {path.parent} does not exist")
        return True
    size = path.stat().st_size
    if size == 0:
        if not create:
            raise NotAnIssuesDb(f"{path} is an empty file, not an issues database (use --create to initialise it)")
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise NotAnIssuesDb(f"cannot read {path}: {exc.strerror or exc}") from None
    if not head.startswith(SQLITE_MAGIC):
        raise NotAnIssuesDb(f"{path} is not a SQLite database (not an issues DB)")
    if len(head) < 100:
        raise NotAnIssuesDb(f"{path} is a truncated SQLite file (only {size} bytes)")
    return False


def _connect(path: Path, read_only: bool, immutable: bool = False) -> sqlite3.Connection:
    if read_only:
        uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    # Another writer may have stored bytes that are not UTF-8 in a TEXT column: read them with U+FFFD
    # (a C-level decode, as fast as the default) instead of failing the whole query.
    conn.text_factory = functools.partial(str, encoding="utf-8", errors="replace")
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def connect_read_only(path: Path) -> tuple[sqlite3.Connection, bool]:
    """A `mode=ro` connection that writes nothing (no WAL switch, no journal). A WAL file in a folder we
    cannot write has no `-shm` to share, and SQLite then refuses `mode=ro`: fall back to `immutable=1`,
    which reads the main file as it is. Returns (connection, immutable)."""
    conn = _connect(path, True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn, False
    except sqlite3.OperationalError:
        conn.close()
    except BaseException:
        conn.close()
        raise
    conn = _connect(path, True, immutable=True)
    return conn, True


def table_names(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def issue_columns(conn: sqlite3.Connection) -> list[str]:
    return [r[1] for r in conn.execute("PRAGMA table_info(issues)")]


def classify(conn: sqlite3.Connection, path: Path) -> tuple[int, set[str]]:
    """Check the schema of an existing SQLite file: (schema version, tables). Raises if not ours."""
    try:
        tables = table_names(conn)
    except sqlite3.DatabaseError as exc:
        raise NotAnIssuesDb(f"{path} cannot be read as SQLite: {exc}") from None
    if "issues" not in tables:
        if tables - {"schema_version"}:
            raise NotAnIssuesDb(f"{path} is a SQLite database of another kind (no `issues` table), not an issues DB")
        return 0, tables
    try:
        version = migrations.read_version(conn)
    except migrations.UnreadableVersion as exc:
        raise NotAnIssuesDb(f"{path}: {exc}; cannot tell which schema it has (nothing was written)") from None
    cols = set(issue_columns(conn))
    needed = set(V5_ISSUE_COLUMNS) if version >= 5 else set(V5_ISSUE_COLUMNS) - {"agent"}
    missing = sorted(needed - cols)
    if missing:
        raise NotAnIssuesDb(f"{path}: table `issues` lacks column(s) {', '.join(missing)}; not a valid issues DB (schema v{version})")
    return version, tables


def needs_setup(conn: sqlite3.Connection, report: "schema_check.SchemaReport") -> bool:
    """Would a read-write open change this file (WAL switch, the store's objects)?"""
    present = report.present
    return (conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal" or bool(report.obsolete)
            or not all(n in present for n in (*STORE_INDEXES, *wanted_column_indexes(conn), *COUNTS_TRIGGERS,
                                              "tui_issue_counts")))


def check_migration(conn: sqlite3.Connection, path: Path) -> None:
    """Would migrating this file to v5 work? Tried on an in-memory copy; raises NotAnIssuesDb if not."""
    try:
        version = migrations.read_version(conn)
        if version < migrations.LATEST:
            migrations.dry_run(conn)
    except migrations.UnreadableVersion as exc:
        raise NotAnIssuesDb(f"{path}: {exc}; nothing was written") from None
    except sqlite3.DatabaseError as exc:
        raise NotAnIssuesDb(f"{path}: its schema v{version} cannot be migrated to v{migrations.LATEST} "
                            f"({exc}); nothing was written") from None


def check_before_first_write(conn: sqlite3.Connection, path: Path) -> None:
    """The first read-write open changes the file (WAL mode, store indexes): check the file is sound before
    that (once per file: skipped when it already is in WAL mode with our objects), so a damaged file is
    refused untouched instead of being half-converted."""
    if not needs_setup(conn, schema_check.check(conn)):
        return
    try:
        result = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        result = str(exc)
    if result != "ok":
        raise NotAnIssuesDb(f"{path} is damaged ({' '.join(result.split())}); nothing was written")


def preflight(path: Path, create: bool, read_only: bool) -> None:
    """Raise NotAnIssuesDb if opening `path` (read-write unless `read_only`) would be refused. Writes nothing.

    For callers that must say no before starting anything (the dashboard): the same checks as the open,
    with the migration tried on an in-memory copy."""
    if inspect_path(path, create and not read_only):
        return
    conn, _ = connect_read_only(path)
    try:
        try:
            version, tables = classify(conn, path)
        except sqlite3.DatabaseError as exc:
            raise NotAnIssuesDb(f"{path} cannot be read as SQLite: {exc}") from None
        if read_only:
            if "issues" not in tables:
                raise NotAnIssuesDb(f"{path} holds no issues table yet and is read-only, so it cannot be initialised")
            if version < migrations.LATEST:
                raise NotAnIssuesDb(f"{path} has schema v{version} and needs migrating to v5, but it is read-only")
            return
        check_migration(conn, path)
        if schema_check.check(conn).trusted:  # an untrusted file opens read-only: nothing would be written
            check_before_first_write(conn, path)
    finally:
        conn.close()


def translate(exc: sqlite3.Error, path: str) -> StoreError:
    """Turn a sqlite3 error into a one-line StoreError."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return BusyError(f"database is busy (locked by another process for over {BUSY_TIMEOUT_S:.0f} s): {path}")
    if "readonly" in text or "read-only" in text:
        return ReadOnlyError(f"{path} is read-only: {text}")
    if "malformed" in text or "not a database" in text:
        return NotAnIssuesDb(f"{path} is damaged ({text})")
    if "unable to open" in text:
        return StoreError(f"cannot open {path}: {text}")
    return StoreError(f"{path}: {text}")


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
            probe, immutable = connect_read_only(path)
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
        self.conn = self.wconn = _connect(path, False)
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
        self.conn = _connect(path, False)
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
        """Cheap token that changes when another connection commits or the file is replaced/removed."""
        ident = self._file_identity()
        with self._lock:
            try:
                dv = self.conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                dv = -1
        return (ident, dv)

    def file_replaced(self) -> bool:
        """True if the path now names another file (or none) than the one we opened."""
        return self._file_identity() != self._identity

    def file_exists(self) -> bool:
        """False only when the path is gone; a folder we may no longer read is not "deleted" (the next
        read or reopen reports it)."""
        try:
            os.stat(self.path)
        except FileNotFoundError:
            return False
        except OSError:
            return True
        return True
