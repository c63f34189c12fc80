"""Issues files of the crate's later schema versions (v6-v11), made the way the crate makes them.

The crate's migrations after v5 (compat.md section 7; the SQL of OpenAgentsInc/openagents
crates/issues/src/db.rs, migrate_v6..migrate_v11) are kept here, in one place, and applied with a plain
sqlite3 connection on top of a v5 file (a crate-written fixture, or a new file made with the v5 SQL), so
no store code is involved in making them. `make_later(path, version)` gives a file at that version; the
`populate_*` helpers fill the new columns the way a newer autopilot does.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

from store import migrations

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# version -> the statements that migration runs (each followed by set_schema_version).
LATER_DDL: dict[int, list[str]] = {
    6: ["ALTER TABLE issues ADD COLUMN directive_id TEXT",
        "CREATE INDEX IF NOT EXISTS idx_issues_directive ON issues(directive_id)"],
    7: ["ALTER TABLE issues ADD COLUMN project_id TEXT",
        "CREATE INDEX IF NOT EXISTS idx_issues_project ON issues(project_id)"],
    # v8 rebuilds issue_events with ON DELETE CASCADE (copy, drop, rename, re-index).
    8: ["""CREATE TABLE issue_events_new (
            id TEXT PRIMARY KEY,
            issue_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
            actor TEXT,
            event_type TEXT NOT NULL,
            old_value TEXT,
            new_value TEXT,
            created_at TEXT NOT NULL
        )""",
        "INSERT INTO issue_events_new SELECT * FROM issue_events",
        "DROP TABLE issue_events",
        "ALTER TABLE issue_events_new RENAME TO issue_events",
        "CREATE INDEX idx_issue_events_issue ON issue_events(issue_id)"],
    9: ["CREATE INDEX IF NOT EXISTS idx_issues_agent ON issues(agent)"],
    10: ["CREATE INDEX IF NOT EXISTS idx_issues_claimed_by ON issues(claimed_by)"],
    11: ["ALTER TABLE issues ADD COLUMN auto_created INTEGER DEFAULT 0"],
}
LATER_VERSIONS = tuple(sorted(LATER_DDL))


def new_v5(path: Path) -> Path:
    """A new, empty v5 file made with the crate's v5 SQL (plain sqlite3, rollback journal)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        migrations.migrate(conn)
    finally:
        conn.close()
    return path


def upgrade(path: Path, version: int, *, wal: bool = True) -> Path:
    """Run the crate's migrations v6..`version` on a v5 file, as its init_db does (WAL from v6 on)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        if wal:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        current = conn.execute("SELECT version FROM schema_version").fetchone()[0]
        for step in range(current + 1, version + 1):
            for statement in LATER_DDL[step]:
                conn.execute(statement)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (step,))
    finally:
        conn.close()
    return path


def make_later(path: Path, version: int, *, base: str | None = "crate-v5-small.db") -> Path:
    """A file at `version` (5..11): a copy of the crate fixture `base` (or a new v5 file if None), upgraded."""
    path = Path(path)
    if base is None:
        new_v5(path)
    else:
        shutil.copyfile(FIXTURES / base, path)
    return upgrade(path, version)


def columns(path: Path) -> list[str]:
    conn = sqlite3.connect(str(path))
    try:
        return [r[1] for r in conn.execute("PRAGMA table_info(issues)")]
    finally:
        conn.close()


def populate(path: Path, *, directives: dict[int, str] | None = None, projects: dict[int, str] | None = None,
             auto: set[int] | None = None) -> None:
    """Set directive_id / project_id / auto_created on issues by number (as a newer autopilot writes them)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("BEGIN")
        for number, directive in (directives or {}).items():
            conn.execute("UPDATE issues SET directive_id = ? WHERE number = ?", (directive, number))
        for number, project in (projects or {}).items():
            conn.execute("UPDATE issues SET project_id = ? WHERE number = ?", (project, number))
        for number in auto or ():
            conn.execute("UPDATE issues SET auto_created = 1 WHERE number = ?", (number,))
        conn.execute("COMMIT")
    finally:
        conn.close()


def insert_issue(path: Path, number: int, title: str, *, status: str = "open", priority: str = "medium",
                 created_at: str = "2026-01-01T00:00:00+00:00", **extra) -> str:
    """Insert one row with raw SQL, as another process (the autopilot) would. Returns its id."""
    issue_id = str(uuid.uuid4())
    cols = {"id": issue_id, "number": number, "title": title, "status": status, "priority": priority,
            "created_at": created_at, "updated_at": created_at, **extra}
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=5)
    try:
        conn.execute(f"INSERT INTO issues ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                     tuple(cols.values()))
    finally:
        conn.close()
    return issue_id


def project_ids(path: Path) -> dict[str, str]:
    """name -> id of the file's projects."""
    conn = sqlite3.connect(str(path))
    try:
        return {name: pid for pid, name in conn.execute("SELECT id, name FROM projects")}
    finally:
        conn.close()


def make_repo(root: Path, name: str, version: int) -> Path:
    """`<root>/<name>/.openagents/autopilot.db`, a copy of the crate's small fixture at `version` (5..11)."""
    folder = Path(root) / name / ".openagents"
    folder.mkdir(parents=True)
    db = folder / "autopilot.db"
    if version > 5:
        return make_later(db, version)
    shutil.copyfile(FIXTURES / "crate-v5-small.db", db)
    return db


def execute(path: Path, sql: str, params: tuple = ()) -> None:
    """One statement from another connection (another process's commit, as the autopilot makes it)."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=5)
    try:
        conn.execute(sql, params)
    finally:
        conn.close()
