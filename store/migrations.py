"""Schema migrations v1 -> v5, with the crate's exact SQL text (compat.md section 2.2).

SQLite stores statement text in `sqlite_master`, so the strings below are verbatim, whitespace
included (each is what the crate passes to `execute_batch`, starting with a newline). Unlike the
crate, all steps run in one `BEGIN IMMEDIATE` transaction together with their
`set_schema_version`s, so a crash or a failing step never leaves a half-migrated file. A new file gets v5 with
`DEFAULT 'codex'` (compat.md decision 1).
"""

from __future__ import annotations

import sqlite3

V1_BATCH = "\n        -- Issues table\n        CREATE TABLE IF NOT EXISTS issues (\n            id TEXT PRIMARY KEY,\n            number INTEGER NOT NULL,\n            title TEXT NOT NULL,\n            description TEXT,\n            status TEXT NOT NULL DEFAULT 'open',\n            priority TEXT DEFAULT 'medium',\n            issue_type TEXT DEFAULT 'task',\n            is_blocked INTEGER DEFAULT 0,\n            blocked_reason TEXT,\n            claimed_by TEXT,\n            claimed_at TEXT,\n            created_at TEXT NOT NULL,\n            updated_at TEXT NOT NULL,\n            completed_at TEXT\n        );\n\n        CREATE INDEX IF NOT EXISTS idx_issues_status ON issues(status);\n        CREATE INDEX IF NOT EXISTS idx_issues_number ON issues(number);\n\n        -- Issue events table (audit log)\n        CREATE TABLE IF NOT EXISTS issue_events (\n            id TEXT PRIMARY KEY,\n            issue_id TEXT NOT NULL REFERENCES issues(id),\n            actor TEXT,\n            event_type TEXT NOT NULL,\n            old_value TEXT,\n            new_value TEXT,\n            created_at TEXT NOT NULL\n        );\n\n        CREATE INDEX IF NOT EXISTS idx_issue_events_issue ON issue_events(issue_id);\n\n        -- Issue counter for sequential numbering\n        CREATE TABLE IF NOT EXISTS issue_counter (\n            id INTEGER PRIMARY KEY CHECK (id = 1),\n            next_number INTEGER NOT NULL DEFAULT 1\n        );\n\n        INSERT OR IGNORE INTO issue_counter (id, next_number) VALUES (1, 1);\n        \n"

V2_BATCH = "\n        -- Create new table with proper constraints\n        CREATE TABLE issues_new (\n            id TEXT NOT NULL PRIMARY KEY,\n            number INTEGER NOT NULL UNIQUE,\n            title TEXT NOT NULL,\n            description TEXT,\n            status TEXT NOT NULL DEFAULT 'open',\n            priority TEXT DEFAULT 'medium',\n            issue_type TEXT DEFAULT 'task',\n            is_blocked INTEGER DEFAULT 0,\n            blocked_reason TEXT,\n            claimed_by TEXT,\n            claimed_at TEXT,\n            created_at TEXT NOT NULL,\n            updated_at TEXT NOT NULL,\n            completed_at TEXT,\n            CHECK(id != '')\n        );\n\n        -- Copy data from old table\n        INSERT INTO issues_new SELECT * FROM issues WHERE id IS NOT NULL AND id != '';\n\n        -- Drop old table\n        DROP TABLE issues;\n\n        -- Rename new table\n        ALTER TABLE issues_new RENAME TO issues;\n\n        -- Recreate indexes\n        CREATE INDEX idx_issues_status ON issues(status);\n        CREATE INDEX idx_issues_number ON issues(number);\n        \n"

V3_BATCH = '\n        UPDATE issue_counter\n        SET next_number = COALESCE((SELECT MAX(number) + 1 FROM issues), 1)\n        WHERE id = 1;\n\n        -- Create trigger to keep counter in sync when issues are inserted\n        -- This handles manual sqlite3 inserts that bypass the API\n        CREATE TRIGGER IF NOT EXISTS sync_issue_counter_on_insert\n        AFTER INSERT ON issues\n        BEGIN\n            UPDATE issue_counter\n            SET next_number = MAX(next_number, NEW.number + 1)\n            WHERE id = 1;\n        END;\n        \n'

V4_BATCH = "\n        -- Projects table\n        CREATE TABLE IF NOT EXISTS projects (\n            id TEXT NOT NULL PRIMARY KEY,\n            name TEXT NOT NULL UNIQUE,\n            path TEXT NOT NULL,\n            description TEXT,\n            default_model TEXT,\n            default_budget REAL,\n            created_at TEXT NOT NULL,\n            updated_at TEXT NOT NULL,\n            CHECK(id != ''),\n            CHECK(name != '')\n        );\n\n        CREATE INDEX IF NOT EXISTS idx_projects_name ON projects(name);\n\n        -- Sessions table\n        CREATE TABLE IF NOT EXISTS sessions (\n            id TEXT NOT NULL PRIMARY KEY,\n            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,\n            status TEXT NOT NULL DEFAULT 'running',\n            prompt TEXT NOT NULL,\n            model TEXT NOT NULL,\n            pid INTEGER,\n            trajectory_path TEXT,\n            started_at TEXT NOT NULL,\n            ended_at TEXT,\n            budget_spent REAL DEFAULT 0.0,\n            issues_completed INTEGER DEFAULT 0,\n            CHECK(id != ''),\n            CHECK(status IN ('running', 'completed', 'failed', 'cancelled'))\n        );\n\n        CREATE INDEX IF NOT EXISTS idx_sessions_project ON sessions(project_id);\n        CREATE INDEX IF NOT EXISTS idx_sessions_status ON sessions(status);\n        CREATE INDEX IF NOT EXISTS idx_sessions_started ON sessions(started_at);\n        \n"

V5_BATCH_CRATE = "\n        -- Add agent column (default: 'claude')\n        ALTER TABLE issues ADD COLUMN agent TEXT NOT NULL DEFAULT 'claude';\n        \n"

V5_BATCH = V5_BATCH_CRATE.replace("DEFAULT 'claude'", "DEFAULT 'codex'")

V2_PRE = [
    "DELETE FROM issues WHERE id IS NULL OR id = ''",
    "DELETE FROM issue_events WHERE id IS NULL OR id = ''",
]

SCHEMA_VERSION_DDL = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
LATEST = 5


def _split(batch: str) -> list[str]:
    """Split a batch into statements (sqlite3.complete_statement aware, so triggers stay whole)."""
    out, buf = [], ""
    for line in batch.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf)
            buf = ""
    if buf.strip():
        out.append(buf)
    return out


STEPS: dict[int, list[str]] = {
    1: _split(V1_BATCH),
    2: V2_PRE + _split(V2_BATCH),
    3: _split(V3_BATCH),
    4: _split(V4_BATCH),
    5: _split(V5_BATCH),
}


class UnreadableVersion(ValueError):
    """`schema_version` holds something that is not a version number (text, a blob, a real, < 0)."""


def read_version(conn: sqlite3.Connection) -> int:
    """The crate's get_schema_version (no table or no row means 0), but a value that is not a whole
    number >= 0 raises UnreadableVersion instead of being taken as 0 and "migrated" over."""
    try:
        row = conn.execute("SELECT version FROM schema_version LIMIT 1").fetchone()
    except sqlite3.Error:
        return 0
    if row is None:
        return 0
    value = row[0]
    if type(value) is int and value >= 0:
        return value
    shown = repr(value)
    raise UnreadableVersion(f"schema_version holds {shown[:40]}, not a schema version number")


def migrate(conn: sqlite3.Connection) -> tuple[int, int]:
    """Bring the file to v5 in ONE transaction: (version before, version after). Never migrates down.

    All steps commit together or not at all, so a file whose migration fails (a `schema_version` that
    does not match its tables, say) is left exactly as it was. `conn` must be in autocommit mode.
    """
    # v2 rebuilds `issues` (DROP TABLE + rename). With foreign_keys ON the DROP's implicit DELETE
    # fails as soon as issue_events holds a row (the store writes events), so the steps run with
    # foreign keys off, as SQLite's table-rebuild procedure says; the rows are copied unchanged.
    fk = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(SCHEMA_VERSION_DDL)
            before = version = read_version(conn)  # inside the lock: another process may have migrated
            while version < LATEST:
                version += 1
                for statement in STEPS[version]:
                    # Each statement is run with execute() so the text stored in sqlite_master is exact;
                    # comment-only fragments are skipped by SQLite itself.
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if fk else 'OFF'}")
    return before, max(version, before)


def dry_run(conn: sqlite3.Connection) -> None:
    """Run the migration on an in-memory copy of `conn`'s database (which is left untouched): raises what
    the real migration would raise. For checks that must not write (the dashboard's start-up check)."""
    mem = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.backup(mem)
        migrate(mem)
    finally:
        mem.close()
