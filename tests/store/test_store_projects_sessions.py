"""Projects and sessions (crate project.rs / session.rs), with the fixed crate bugs 12 and 13."""

from __future__ import annotations

import pytest

from store import SessionStatus, StoreError, ValidationError
from storetest_helpers import raw


def test_create_and_list_projects(store, clock):
    p1 = store.create_project("one", "/code/one", "first", "opus", 5.0)
    clock.tick()
    p2 = store.create_project("two", "/code/two")
    assert (p1.name, p1.path, p1.description, p1.default_model, p1.default_budget) == ("one", "/code/one", "first", "opus", 5.0)
    assert p1.created_at == p1.updated_at
    assert [p.id for p in store.list_projects()] == [p2.id, p1.id]  # created_at DESC
    assert store.get_project_by_name("one") == p1 and store.get_project_by_id(p2.id) == p2
    assert store.get_project_by_name("three") is None and store.get_project_by_id("x") is None


def test_unique_project_name(store):
    store.create_project("one", "/a")
    with pytest.raises(ValidationError):
        store.create_project("one", "/b")
    assert len(store.list_projects()) == 1
    conn = raw(store.path)
    import sqlite3
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO projects (id, name, path, created_at, updated_at) VALUES ('x', 'one', '/c', 'a', 'a')")
    conn.close()


def test_create_and_list_sessions(store, clock):
    p = store.create_project("one", "/a")
    q = store.create_project("two", "/b")
    clock.tick(); s1 = store.create_session(p.id, "prompt 1", "opus", pid=42)
    clock.tick(); s2 = store.create_session(q.id, "prompt 2", "sonnet")
    clock.tick(); s3 = store.create_session(p.id, "prompt 3", "opus")
    assert (s1.status, s1.pid, s1.budget_spent, s1.issues_completed, s1.ended_at) == (SessionStatus.RUNNING, 42, 0.0, 0, None)
    assert [s.id for s in store.list_sessions()] == [s3.id, s2.id, s1.id]
    assert [s.id for s in store.list_sessions(p.id)] == [s3.id, s1.id]
    assert store.get_session(s2.id) == s2 and store.get_session("nope") is None
    with pytest.raises(StoreError):
        store.create_session("no-such-project", "x", "opus")


def test_update_session_status_trajectory_metrics(store, clock):
    p = store.create_project("one", "/a")
    s = store.create_session(p.id, "go", "opus")
    clock.tick()
    assert store.update_session_status(s.id, "completed")
    done = store.get_session(s.id)
    assert done.status == SessionStatus.COMPLETED and done.ended_at is not None and done.ended_at > s.started_at
    assert store.update_session_status(s.id, "running")
    assert store.get_session(s.id).ended_at is None  # crate bug 13: running keeps no end time
    conn = raw(store.path)
    assert conn.execute("SELECT ended_at FROM sessions WHERE id = ?", (s.id,)).fetchone() == (None,)
    conn.close()
    assert store.update_session_trajectory(s.id, "docs/logs/x.rlog")
    assert store.update_session_metrics(s.id, 1.25, 3)
    got = store.get_session(s.id)
    assert (got.trajectory_path, got.budget_spent, got.issues_completed) == ("docs/logs/x.rlog", 1.25, 3)
    with pytest.raises(ValidationError):
        store.update_session_status(s.id, "paused")
    assert not store.update_session_status("missing", "failed")


def test_active_sessions(store, clock):
    p = store.create_project("one", "/a")
    a = store.create_session(p.id, "a", "opus")
    clock.tick(); b = store.create_session(p.id, "b", "opus")
    clock.tick(); c = store.create_session(p.id, "c", "opus")
    store.update_session_status(b.id, "failed")
    assert [s.id for s in store.get_active_sessions()] == [c.id, a.id]


def test_delete_project_cascades_sessions(store, clock):
    p = store.create_project("one", "/a")
    q = store.create_project("two", "/b")
    store.create_session(p.id, "a", "opus")
    store.create_session(p.id, "b", "opus")
    keep = store.create_session(q.id, "c", "opus")
    assert store.delete_project(p.id)
    assert store.get_project_by_id(p.id) is None
    assert [s.id for s in store.list_sessions()] == [keep.id]
    conn = raw(store.path)
    assert conn.execute("SELECT count(*) FROM sessions WHERE project_id = ?", (p.id,)).fetchone() == (0,)
    conn.close()
    assert not store.delete_project(p.id)


def test_list_sessions_with_quote_in_project_id_is_safe(store):
    p = store.create_project("one", "/a")
    s = store.create_session(p.id, "a", "opus")
    evil = "x' OR '1'='1"
    assert store.list_sessions(evil) == []
    assert store.list_sessions("'; DROP TABLE sessions; --") == []
    # a project whose id really holds a quote (written by someone else)
    conn = raw(store.path)
    conn.execute("INSERT INTO projects (id, name, path, created_at, updated_at) VALUES (?, 'q', '/q', 'a', 'a')", (evil,))
    conn.execute("INSERT INTO sessions (id, project_id, prompt, model, started_at) VALUES ('s-q', ?, 'p', 'm', 'z')", (evil,))
    conn.close()
    assert [x.id for x in store.list_sessions(evil)] == ["s-q"]
    assert [x.id for x in store.list_sessions(p.id)] == [s.id]
    assert len(store.list_sessions()) == 2
