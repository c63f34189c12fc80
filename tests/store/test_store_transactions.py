"""Every multi-statement write is one transaction (compat.md decision 4); locks are waited for."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
import threading

import pytest

from store import BusyError, Store, StoreError
from storetest_helpers import dump_tables, open_and_create_worker, raw


def _run_sql(path, *sqls):
    """Make a later statement fail without a trigger (a trigger the store does not know makes the file
    read-only, see test_schema_trust.py): a UNIQUE index or a foreign key pointing at a row."""
    conn = raw(path)
    for sql in sqls:
        conn.execute(sql)
    conn.close()


def test_failed_insert_burns_no_number(store):
    store.create_issue("one")
    _run_sql(store.path, "CREATE UNIQUE INDEX one_title ON issues(title)")
    before = dump_tables(store.path)
    with pytest.raises(StoreError) as exc:
        store.create_issue("one")  # the counter is bumped, then the INSERT fails
    assert "\n" not in str(exc.value)
    assert dump_tables(store.path) == before
    assert store.create_issue("two").number == 2


def test_failed_delete_keeps_events(store):
    a = store.create_issue("a")
    store.claim_issue(a.id, "r")
    _run_sql(store.path, "CREATE TABLE pin (issue_id TEXT REFERENCES issues(id))",
             f"INSERT INTO pin VALUES ('{a.id}')")  # events are deleted first, then the issue's DELETE fails
    before = dump_tables(store.path)
    with pytest.raises(StoreError):
        store.delete_issue(a.id)
    assert dump_tables(store.path) == before
    assert len(store.issue_events(a.id)) == 2


def test_failed_import_row_rolls_back_all(store):
    import json
    store.create_issue("taken")
    _run_sql(store.path, "CREATE UNIQUE INDEX one_title ON issues(title)")
    before = dump_tables(store.path)
    rows = [{"id": f"id-{n}", "number": n + 10, "title": "taken" if n == 3 else f"t{n}", "status": "open", "priority": "low", "issue_type": "task",
             "agent": "codex", "is_blocked": False, "created_at": "2025-12-20T16:59:41Z",
             "updated_at": "2025-12-20T16:59:41Z"} for n in (1, 2, 3)]
    with pytest.raises(StoreError):
        store.import_json(json.dumps(rows))
    assert dump_tables(store.path) == before


def test_write_waits_for_another_writer(sqlite_store):
    store = sqlite_store
    """Another connection holds the write lock briefly: our write waits (busy timeout), then succeeds."""
    store.create_issue("one")
    other = sqlite3.connect(str(store.path), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE issues SET title = 'held' WHERE number = 1")
    worker = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    worker.start()
    issue = store.create_issue("two")  # blocks until the other commits
    worker.join()
    other.close()
    assert issue.number == 2
    assert store.get_issue_by_number(1).title == "held"


@pytest.mark.slow
def test_busy_beyond_timeout_is_busy_error(sqlite_store):
    store = sqlite_store
    store.create_issue("one")
    other = sqlite3.connect(str(store.path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        before_count = len(store.list_issues())  # reads still work (WAL)
        with pytest.raises(BusyError) as exc:
            store.create_issue("two")
        assert "\n" not in str(exc.value)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert len(store.list_issues()) == before_count
    assert store.create_issue("three").number == 2


@pytest.mark.parametrize("start", ["missing", "v3"])
def test_simultaneous_opens(tmp_path, start):
    """Four processes open the same new (or v3) file at once and write: all succeed, numbers unique."""
    p = tmp_path / "shared.db"
    if start == "v3":
        from store import migrations
        conn = sqlite3.connect(str(p), isolation_level=None)
        conn.execute(migrations.SCHEMA_VERSION_DDL)
        for step in (1, 2, 3):
            for statement in migrations.STEPS[step]:
                conn.execute(statement)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (step,))
        conn.close()
    ctx = mp.get_context("spawn")
    queue, barrier = ctx.Queue(), ctx.Barrier(4)
    procs = [ctx.Process(target=open_and_create_worker, args=(str(p), f"p{k}", queue, barrier)) for k in range(4)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    assert [(r, e) for r, _, e in results if e] == []
    numbers = sorted(n for _, ns, _ in results for n in ns)
    assert numbers == list(range(1, 41))
    conn = raw(p)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(5,)]
    assert conn.execute("SELECT count(*) FROM issues").fetchone()[0] == 40
    conn.close()
