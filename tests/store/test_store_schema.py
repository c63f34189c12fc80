"""Schema of a new file, migrations v1-v4 -> v5, empty files, and newer (v11) schemas."""

from __future__ import annotations

import sqlite3

import pytest

from store import Status, Store
from store import migrations
from storetest_helpers import FIXTURES, Clock, copy_fixture, raw


def master(path) -> list[tuple]:
    """sqlite_master by rowid, without the store's own objects (tui_*) and without rootpage."""
    conn = sqlite3.connect(str(path))
    try:
        rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()
    finally:
        conn.close()
    return [r for r in rows if not r[1].startswith("tui_") and not r[1].startswith("sqlite_autoindex_tui_")]


def test_new_db_schema_equals_crate_except_agent_default(tmp_path):
    crate = copy_fixture(tmp_path, "crate-v5-small.db")
    expected = master(crate)  # read with plain sqlite3, never opened by the store
    Store.open(tmp_path / "new.db").close()
    got = master(tmp_path / "new.db")
    assert len(got) == len(expected) == 20
    for g, e in zip(got, expected):
        if g[1] == "issues":
            assert "DEFAULT 'codex'" in g[3] and "DEFAULT 'claude'" not in g[3]
            assert g[3] == e[3].replace("agent TEXT NOT NULL DEFAULT 'claude'", "agent TEXT NOT NULL DEFAULT 'codex'")
            assert g[:3] == e[:3]
        else:
            assert g == e


def test_new_db_settings(tmp_path):
    p = tmp_path / "new.db"
    with Store.open(p) as s:
        assert s.info.created and s.info.schema_version == 5
        assert s.info.journal_mode == "wal"
        assert s.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    conn = raw(p)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(5,)]
    assert conn.execute("SELECT id, next_number FROM issue_counter").fetchall() == [(1, 1)]
    cols = [r[1] for r in conn.execute("PRAGMA table_info(issues)")]
    assert cols == ["id", "number", "title", "description", "status", "priority", "issue_type", "is_blocked",
                    "blocked_reason", "claimed_by", "claimed_at", "created_at", "updated_at", "completed_at", "agent"]
    # the DDL default applies to rows written by others (the crate, raw sqlite3)
    conn.execute("INSERT INTO issues (id, number, title, created_at, updated_at) VALUES ('x', 1, 't', 'a', 'a')")
    assert conn.execute("SELECT agent, status, priority, issue_type, is_blocked FROM issues").fetchone() == \
        ("codex", "open", "medium", "task", 0)
    conn.close()


def test_crate_fixture_opened_keeps_claude_default(tmp_path):
    p = copy_fixture(tmp_path, "crate-v5-small.db")
    before = master(p)
    Store.open(p).close()
    assert master(p) == before  # only tui_* objects were added
    conn = raw(p)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"tui_ready_v2", "tui_ready_agent_v2", "tui_issue_counts"} <= names
    conn.close()


# -- migrations ------------------------------------------------------------------------------------
def build_version(path, k: int) -> sqlite3.Connection:
    """A file at schema v`k`, made with the crate's exact SQL (migrations.STEPS), as the crate would."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(migrations.SCHEMA_VERSION_DDL)
    for step in range(1, k + 1):
        for statement in migrations.STEPS[step]:
            conn.execute(statement)
        conn.execute("DELETE FROM schema_version")
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (step,))
    return conn


ISSUE_ROWS = [
    # id, number, title, description, status, priority, issue_type, is_blocked, blocked_reason,
    # claimed_by, claimed_at, created_at, updated_at, completed_at
    ("aaaaaaaa-0000-4000-8000-000000000001", 1, "First", "desc 1", "open", "high", "bug", 0, None, None, None,
     "2025-12-20T16:59:41.173094342+00:00", "2025-12-20T16:59:41.173094342+00:00", None),
    ("aaaaaaaa-0000-4000-8000-000000000002", 2, "Second [b]x[/]", None, "in_progress", "urgent", "task", 0, None,
     "run-1", "2025-12-20T17:00:00+00:00", "2025-12-20T17:00:00.5+00:00", "2025-12-20T17:00:00.5+00:00", None),
    ("aaaaaaaa-0000-4000-8000-000000000003", 7, "Third", "d", "done", "low", "feature", 0, None, None, None,
     "2025-12-20T17:01:00.123+00:00", "2025-12-20T17:02:00.123+00:00", "2025-12-20T17:02:00.123+00:00"),
    ("aaaaaaaa-0000-4000-8000-000000000004", 4, "Fourth", None, "open", "medium", "task", 1, "waiting", None, None,
     "2025-12-20T17:03:00.123456+00:00", "2025-12-20T17:03:00.123456+00:00", None),
]
EVENT_ROWS = [
    ("ev-1", "aaaaaaaa-0000-4000-8000-000000000001", "someone", "created", None, "First", "2025-12-20T16:59:41+00:00"),
    ("ev-2", "aaaaaaaa-0000-4000-8000-000000000002", "run-1", "claimed", None, "run-1", "2025-12-20T17:00:00+00:00"),
]
ISSUE_COLS = ("id, number, title, description, status, priority, issue_type, is_blocked, blocked_reason, "
              "claimed_by, claimed_at, created_at, updated_at, completed_at")
PROJECT = ("p-1", "proj", "/tmp/proj", None, "opus", 2.5, "2025-12-20T16:00:00+00:00", "2025-12-20T16:00:00+00:00")
SESSION = ("s-1", "p-1", "running", "go", "opus", 123, None, "2025-12-20T16:30:00+00:00", None, 0.0, 0)


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_migrate_from_version_keeps_rows(tmp_path, k):
    p = tmp_path / f"v{k}.db"
    conn = build_version(p, k)
    conn.executemany(f"INSERT INTO issues ({ISSUE_COLS}) VALUES ({', '.join('?' * 14)})", ISSUE_ROWS)
    conn.executemany("INSERT INTO issue_events VALUES (?, ?, ?, ?, ?, ?, ?)", EVENT_ROWS)
    if k >= 4:
        conn.execute("INSERT INTO projects VALUES (?, ?, ?, ?, ?, ?, ?, ?)", PROJECT)
        conn.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", SESSION)
    if k < 3:
        # before v3 nothing keeps the counter in step: leave it behind the rows
        assert conn.execute("SELECT next_number FROM issue_counter").fetchone()[0] == 1
    conn.close()

    with Store.open(p, actor="migrator") as s:
        assert s.info.schema_version == 5
        assert s.info.migrated_from == k
        new = s.create_issue("after migration")
        assert new.number == 8  # counter ahead of max(number) = 7
        assert new.agent == "codex"

    conn = raw(p)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(5,)]
    got = conn.execute(f"SELECT {ISSUE_COLS}, agent FROM issues WHERE id != ? ORDER BY number", (new.id,)).fetchall()
    assert got == [r + ("codex",) for r in sorted(ISSUE_ROWS, key=lambda r: r[1])]
    assert sorted(conn.execute("SELECT * FROM issue_events WHERE issue_id != ?", (new.id,)).fetchall()) == EVENT_ROWS
    assert conn.execute("SELECT next_number FROM issue_counter").fetchone()[0] == 9
    if k >= 4:
        assert conn.execute("SELECT * FROM projects").fetchall() == [PROJECT]
        assert conn.execute("SELECT * FROM sessions").fetchall() == [SESSION]
    # the DDL default of the migrated column is codex (compat.md decision 1)
    conn.execute("INSERT INTO issues (id, number, title, created_at, updated_at) VALUES ('raw', 100, 't', 'a', 'a')")
    assert conn.execute("SELECT agent FROM issues WHERE id = 'raw'").fetchone() == ("codex",)
    conn.close()
    # the migrated schema is the new-file schema
    Store.open(tmp_path / "fresh.db").close()
    assert master(p) == master(tmp_path / "fresh.db")


def test_migrated_file_reads_like_a_v5_file(tmp_path):
    p = tmp_path / "v1.db"
    conn = build_version(p, 1)
    conn.executemany(f"INSERT INTO issues ({ISSUE_COLS}) VALUES ({', '.join('?' * 14)})", ISSUE_ROWS)
    conn.close()
    with Store.open(p, clock=Clock()) as s:
        assert [i.number for i in s.ready_queue(limit=100)] == [1]  # #4 blocked, #2 in progress, #7 done
        assert [i.number for i in s.ready_queue(agent="codex", limit=100)] == [1]
        assert s.get_issue_by_number(2).status == Status.IN_PROGRESS
        c = s.counts()
        assert (c.open, c.blocked, c.in_progress, c.done, c.total) == (1, 1, 1, 1, 4)


def test_v1_rows_with_empty_id_are_dropped_by_v2(tmp_path):
    """The crate's v2 step deletes rows with NULL/'' ids; everything else survives."""
    p = tmp_path / "v1.db"
    conn = build_version(p, 1)
    conn.executemany(f"INSERT INTO issues ({ISSUE_COLS}) VALUES ({', '.join('?' * 14)})", ISSUE_ROWS)
    conn.execute("INSERT INTO issues (id, number, title, created_at, updated_at) VALUES ('', 50, 'bad', 'a', 'a')")
    conn.close()
    with Store.open(p) as s:
        assert sorted(i.number for i in s.list_issues()) == [1, 2, 4, 7]


def test_failed_migration_changes_nothing(tmp_path):
    """A v1 file whose rows break v2's UNIQUE(number): the step fails as one transaction, the file stays v1."""
    p = tmp_path / "v1dup.db"
    conn = build_version(p, 1)
    conn.executemany(f"INSERT INTO issues ({ISSUE_COLS}) VALUES ({', '.join('?' * 14)})", ISSUE_ROWS)
    dup = ("dup-id",) + ISSUE_ROWS[0][1:]
    conn.execute(f"INSERT INTO issues ({ISSUE_COLS}) VALUES ({', '.join('?' * 14)})", dup)
    before = conn.execute("SELECT * FROM issues ORDER BY id").fetchall()
    conn.close()
    with pytest.raises(Exception) as exc_info:
        Store.open(p)
    from store import StoreError
    assert isinstance(exc_info.value, StoreError)
    assert "\n" not in str(exc_info.value)
    conn = raw(p)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    assert conn.execute("SELECT * FROM issues ORDER BY id").fetchall() == before
    assert "issues_new" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()


# -- empty files -----------------------------------------------------------------------------------
def test_zero_byte_file_is_initialised(tmp_path):
    p = tmp_path / "empty.db"
    p.write_bytes(b"")
    with Store.open(p) as s:
        assert s.info.schema_version == 5
        assert s.create_issue("hello").number == 1


def test_sqlite_file_with_no_tables_is_initialised(tmp_path):
    p = tmp_path / "notables.db"
    conn = sqlite3.connect(str(p))
    conn.execute("CREATE TABLE t (x)")
    conn.execute("DROP TABLE t")
    conn.commit()
    conn.close()
    assert p.stat().st_size > 0
    with Store.open(p) as s:
        assert s.info.schema_version == 5 and s.info.migrated_from == 0
        assert s.create_issue("hello").number == 1
    Store.open(tmp_path / "fresh.db").close()
    assert master(p) == master(tmp_path / "fresh.db")


# -- newer schema ----------------------------------------------------------------------------------
def build_v11(path) -> None:
    conn = build_version(path, 5)
    conn.execute("ALTER TABLE issues ADD COLUMN directive_id TEXT")
    conn.execute("CREATE INDEX idx_issues_directive ON issues(directive_id)")
    conn.execute("ALTER TABLE issues ADD COLUMN project_id TEXT")
    conn.execute("ALTER TABLE issues ADD COLUMN auto_created INTEGER DEFAULT 0")
    conn.execute("DELETE FROM schema_version")
    conn.execute("INSERT INTO schema_version (version) VALUES (11)")
    conn.execute(
        "INSERT INTO issues (id, number, title, status, priority, issue_type, is_blocked, created_at, updated_at, "
        "agent, directive_id, project_id, auto_created) VALUES "
        "('v11-a', 1, 'from v11', 'open', 'high', 'task', 0, '2025-12-23T10:00:00+00:00', "
        "'2025-12-23T10:00:00+00:00', 'codex', 'd-1', 'p-9', 1)")
    conn.close()


def test_newer_schema_opens_and_works(tmp_path):
    p = tmp_path / "v11.db"
    build_v11(p)
    cols_before = [r[1] for r in raw(p).execute("PRAGMA table_info(issues)")]
    with Store.open(p) as s:
        assert s.info.schema_version == 11
        assert s.info.migrated_from is None
        old = s.get_issue_by_number(1)
        assert old.extra == {"directive_id": "d-1", "project_id": "p-9", "auto_created": 1}
        assert old.project_id == "p-9"
        new = s.create_issue("made by us", priority="urgent")
        assert new.number == 2
        assert new.extra == {"directive_id": None, "project_id": None, "auto_created": 0}
        assert [i.number for i in s.ready_queue(limit=10)] == [2, 1]
        assert s.get_next_ready_issue().number == 2
        assert s.claim_issue(old.id, "run-x")
        assert s.complete_issue(old.id)
        assert s.update_issue(old.id, title="renamed")
        assert [i.number for i in s.ready_queue(limit=10)] == [2]
        assert [i.number for i in s.list_view("ready", project_id="p-9", limit=10)] == []
    conn = raw(p)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(11,)]
    assert [r[1] for r in conn.execute("PRAGMA table_info(issues)")] == cols_before
    row = conn.execute("SELECT status, title, directive_id, project_id, auto_created FROM issues WHERE id = 'v11-a'").fetchone()
    assert row == ("done", "renamed", "d-1", "p-9", 1)
    assert "idx_issues_directive" in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    # reopening never migrates down
    with Store.open(p) as s:
        assert s.info.schema_version == 11


def test_newer_schema_read_only(tmp_path):
    p = tmp_path / "v11.db"
    build_v11(p)
    with Store.open(p, read_only=True) as s:
        assert s.info.schema_version == 11
        assert s.get_issue_by_number(1).extra["directive_id"] == "d-1"
