"""Looking at a file before anything writes to it: what it is, which schema it has, whether a read-write
open would be refused (then nothing is written), and read-only connections that write nothing.

A PNG, a text file, another app's SQLite DB, a damaged file or one whose migration would fail is refused
untouched; see store/connection.py for the open itself.
"""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

from . import migrations, schema_check
from .errors import BusyError, NotAnIssuesDb, ReadOnlyError, StoreError
from .store_objects import COUNTS_TRIGGERS, STORE_INDEXES, V5_ISSUE_COLUMNS, wanted_column_indexes

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 5.0


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


def contains_casefold(text, word) -> int:
    """SQL `tui_contains(text, word)`: a case-insensitive substring test for any script (LIKE folds ASCII only)."""
    if text is None or word is None:
        return 0
    return int(str(word).casefold() in str(text).casefold())


def connect(path: Path, read_only: bool, immutable: bool = False) -> sqlite3.Connection:
    if read_only:
        uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    # Another writer may have stored bytes that are not UTF-8 in a TEXT column: read them with U+FFFD
    # (a C-level decode, as fast as the default) instead of failing the whole query.
    conn.text_factory = functools.partial(str, encoding="utf-8", errors="replace")
    conn.create_function("tui_contains", 2, contains_casefold, deterministic=True)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def connect_read_only(path: Path, recover: bool = False) -> tuple[sqlite3.Connection, bool]:
    """A `mode=ro` connection that writes nothing (no WAL switch, no journal). A WAL file in a folder we
    cannot write has no `-shm` to share, and SQLite then refuses `mode=ro`: fall back to `immutable=1`,
    which reads the main file as it is. Returns (connection, immutable)."""
    conn = connect(path, True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn, False
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise  # a writer mid-commit for the whole busy timeout: never read around it
    except BaseException:
        conn.close()
        raise
    journal = Path(f"{path}-journal")
    if journal.exists() and journal.stat().st_size > 0 and recover:
        # A read-write open is allowed to change the file: let SQLite roll the interrupted write back (what
        # the crate's next open does too), which restores the last committed state, then look again.
        rw = connect(path, False)
        try:
            rw.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            rw.close()
        return connect_read_only(path, recover=False)
    if journal.exists() and journal.stat().st_size > 0:
        # A hot journal (a writer was interrupted): only a read-write open can roll it back, and reading
        # the main file as it is (immutable) could show half a transaction.
        raise NotAnIssuesDb(f"{path} has an unfinished write (hot {journal.name}) that only a read-write open "
                            "can roll back (the dashboard or any writing command does it; nothing was read or changed)")
    conn = connect(path, True, immutable=True)
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
            or not all(n in present for n in (*STORE_INDEXES, *wanted_column_indexes(issue_columns(conn)),
                                              *COUNTS_TRIGGERS, "tui_issue_counts")))


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
    conn, _ = connect_read_only(path, recover=not read_only)  # (rolling back a hot journal is recovery)
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
