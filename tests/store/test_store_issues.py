"""The crate's test list (README "Test Coverage") in pytest form, with compat.md's corrected behaviours
(those in test_store_compat.py; counts and read-only opens in test_store_counts.py)."""

from __future__ import annotations

import sqlite3

import pytest

from store import IssueType, Priority, Status, Store, open_store
from issuetest_helpers import TS_RE, counter, events, make, row
from storetest_helpers import Clock, raw


# -- db module -------------------------------------------------------------------------------------
def test_counter_increments(store, clock):
    numbers = [make(store, clock, f"t{i}").number for i in range(5)]
    assert numbers == [1, 2, 3, 4, 5]
    assert counter(store.path) == 6


def test_counter_resyncs_after_manual_insert(store, clock):
    make(store, clock, "one")
    conn = raw(store.path)
    conn.execute("INSERT INTO issues (id, number, title, created_at, updated_at) VALUES ('m', 41, 'manual', 'x', 'x')")
    conn.close()
    assert counter(store.path) == 42
    assert make(store, clock, "next").number == 42


def test_unique_constraints(store, clock):
    a = make(store, clock, "a")
    conn = raw(store.path)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO issues (id, number, title, created_at, updated_at) VALUES (?, 99, 't', 'x', 'x')", (a.id,))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO issues (id, number, title, created_at, updated_at) VALUES ('other', ?, 't', 'x', 'x')", (a.number,))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO issues (id, number, title, created_at, updated_at) VALUES ('', 100, 't', 'x', 'x')")
    conn.close()


def test_not_null_constraints(store):
    conn = raw(store.path)
    for cols, vals in [("id, number, created_at, updated_at", "'a', 1, 'x', 'x'"),          # title
                       ("id, title, created_at, updated_at", "'a', 't', 'x', 'x'"),         # number
                       ("id, number, title, updated_at", "'a', 1, 't', 'x'"),               # created_at
                       ("number, title, created_at, updated_at", "1, 't', 'x', 'x'")]:      # id
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(f"INSERT INTO issues ({cols}) VALUES ({vals})")
    conn.close()


# -- issue module ----------------------------------------------------------------------------------
def test_create_and_get(store, clock):
    issue = store.create_issue("Task", "some details", Priority.HIGH, IssueType.BUG, "claude")
    assert TS_RE.match(issue.created_at) and issue.created_at == issue.updated_at
    assert issue.status == Status.OPEN and not issue.is_blocked and issue.claimed_by is None
    assert store.get_issue_by_id(issue.id) == issue
    assert store.get_issue_by_number(issue.number) == issue
    assert store.get_issue_by_id("nope") is None and store.get_issue_by_number(999) is None
    r = row(store.path, issue.number)
    assert (r["title"], r["description"], r["priority"], r["issue_type"], r["agent"], r["status"], r["is_blocked"]) == \
        ("Task", "some details", "high", "bug", "claude", "open", 0)
    assert r["blocked_reason"] is None and r["claimed_at"] is None and r["completed_at"] is None
    default = make(store, clock, "defaults")
    assert (default.priority, default.issue_type, default.agent) == (Priority.MEDIUM, IssueType.TASK, "codex")


def test_timestamps_written_like_the_crate(tmp_path):
    for ns_frac, expected in [(173094342, ".173094342"), (173094000, ".173094"), (173000000, ".173"), (0, "")]:
        clock = Clock(1766249981 * 10**9 + ns_frac)
        with Store.open(tmp_path / f"t{ns_frac}.db", clock=clock) as s:
            i = s.create_issue("x")
            assert i.created_at == f"2025-12-20T16:59:41{expected}+00:00"
            s.claim_issue(i.id, "r")
            s.complete_issue(i.id)
            r = row(s.path, i.number)
            for col in ("created_at", "updated_at", "completed_at"):
                assert TS_RE.match(r[col]) and "Z" not in r[col]
            assert all(TS_RE.match(e[5]) for e in events(s.path))


def test_timestamps_with_real_clock(new_target):
    with open_store(new_target) as s:  # on PostgreSQL: the server's clock
        i = s.create_issue("x")
        s.claim_issue(i.id, "r")
        r = row(s.path, i.number)
        assert TS_RE.match(r["created_at"]) and TS_RE.match(r["claimed_at"])


def test_agent_filtering(store, clock):
    a = make(store, clock, "a", agent="claude")
    b = make(store, clock, "b", agent="codex")
    c = make(store, clock, "c", agent="Codex")
    assert [i.id for i in store.ready_queue(agent="claude")] == [a.id]
    assert [i.id for i in store.ready_queue(agent="codex")] == [b.id]
    assert [i.id for i in store.ready_queue(agent="Codex")] == [c.id]
    assert [i.id for i in store.ready_queue()] == [a.id, b.id, c.id]
    assert store.get_next_ready_issue("codex").id == b.id
    assert store.get_next_ready_issue("gemini") is None


def test_priority_ordering(store, clock):
    low = make(store, clock, "low", priority="low")
    med = make(store, clock, "med", priority="medium")
    urg = make(store, clock, "urg", priority="urgent")
    high = make(store, clock, "high", priority="high")
    urg2 = make(store, clock, "urg2", priority="urgent")
    assert [i.id for i in store.ready_queue()] == [urg.id, urg2.id, high.id, med.id, low.id]
    assert store.get_next_ready_issue().id == urg.id


def test_ready_ties_broken_by_number(store, clock):
    # same created_at (frozen clock): crate has no tie-breaker, we use number
    ids = [store.create_issue(f"t{i}").id for i in range(4)]
    assert [i.id for i in store.ready_queue()] == ids


def test_ready_orders_by_created_at_text(store, clock):
    a = make(store, clock, "a")
    b = make(store, clock, "b")
    conn = raw(store.path)
    # a crate-written row with an older created_at sorts first among equal priority
    conn.execute("INSERT INTO issues (id, number, title, created_at, updated_at, agent) "
                 "VALUES ('old', 50, 'old', '2020-01-01T00:00:00+00:00', '2020-01-01T00:00:00+00:00', 'claude')")
    conn.close()
    assert [i.id for i in store.ready_queue()] == ["old", a.id, b.id]


def test_claim_unclaim_complete(store, clock):
    issue = make(store, clock, "Task")
    assert store.claim_issue(issue.id, "run-123")
    claimed = store.get_issue_by_id(issue.id)
    assert claimed.status == Status.IN_PROGRESS and claimed.claimed_by == "run-123" and TS_RE.match(claimed.claimed_at)
    assert store.ready_queue() == []
    assert not store.claim_issue(issue.id, "run-456")  # already claimed
    assert store.unclaim_issue(issue.id)
    back = store.get_issue_by_id(issue.id)
    assert back.status == Status.OPEN and back.claimed_by is None and back.claimed_at is None
    assert store.claim_issue(issue.id, "run-456")
    assert store.complete_issue(issue.id)
    done = store.get_issue_by_id(issue.id)
    assert done.status == Status.DONE and done.claimed_by is None and done.claimed_at is None
    assert done.completed_at is not None and TS_RE.match(done.completed_at)
    assert not store.claim_issue(issue.id, "run-789")


def test_block_unblock(store, clock):
    issue = make(store, clock, "Task")
    assert store.claim_issue(issue.id, "run-1")
    assert store.block_issue(issue.id, "waiting on API")
    b = store.get_issue_by_id(issue.id)
    assert b.is_blocked and b.blocked_reason == "waiting on API" and b.status == Status.OPEN and b.claimed_by is None
    assert store.ready_queue() == [] and store.get_next_ready_issue() is None
    assert not store.claim_issue(issue.id, "run-2")
    assert store.unblock_issue(issue.id)
    u = store.get_issue_by_id(issue.id)
    assert not u.is_blocked and u.blocked_reason is None
    assert [i.id for i in store.ready_queue()] == [issue.id]


def test_delete_removes_events(store, clock):
    a = make(store, clock, "a")
    b = make(store, clock, "b")
    store.claim_issue(a.id, "r")
    store.update_issue(a.id, title="a2")
    assert len(events(store.path, a.id)) == 3
    assert store.delete_issue(a.id)
    assert store.get_issue_by_id(a.id) is None
    assert events(store.path, a.id) == []
    assert len(events(store.path, b.id)) == 1
    assert not store.delete_issue(a.id)
    assert make(store, clock, "c").number == 3  # numbers are not reused


def test_update_fields(store, clock):
    issue = make(store, clock, "Title", description="d")
    clock.advance(seconds=1)
    assert store.update_issue(issue.id, title="New", description="nd", priority="urgent", issue_type="feature")
    u = store.get_issue_by_id(issue.id)
    assert (u.title, u.description, u.priority, u.issue_type) == ("New", "nd", Priority.URGENT, IssueType.FEATURE)
    assert u.updated_at > issue.updated_at and u.created_at == issue.created_at
    assert not store.update_issue(issue.id)  # nothing given: no write
    assert store.get_issue_by_id(issue.id).updated_at == u.updated_at
    assert store.update_issue(issue.id, priority="low")
    assert store.get_issue_by_id(issue.id).title == "New"  # untouched fields kept
    assert not store.update_issue("missing", title="x")


def test_ready_queue_logic(store, clock):
    ready = make(store, clock, "ready")
    claimed = make(store, clock, "claimed")
    blocked = make(store, clock, "blocked")
    done = make(store, clock, "done")
    store.claim_issue(claimed.id, "r")
    store.block_issue(blocked.id, "why")
    store.complete_issue(done.id)
    assert [i.id for i in store.ready_queue()] == [ready.id]
    assert [i.id for i in store.list_view("in_progress")] == [claimed.id]
    assert [i.id for i in store.list_view("blocked")] == [blocked.id]
    assert [i.id for i in store.list_view("done")] == [done.id]


# -- concurrent claims (two stores on one file) ----------------------------------------------------
def test_two_stores_claim_once(new_target, clock):
    s1 = open_store(new_target, clock=clock)
    s2 = open_store(new_target, clock=clock)
    a = s1.create_issue("a")
    assert s2.get_next_ready_issue().id == a.id
    assert s1.claim_issue(a.id, "run-1")
    assert not s2.claim_issue(a.id, "run-2")
    assert s2.get_issue_by_id(a.id).claimed_by == "run-1"
    assert s2.get_next_ready_issue() is None
    s1.close(); s2.close()


# -- full lifecycle --------------------------------------------------------------------------------
def test_full_lifecycle(store, clock):
    a = make(store, clock, "feature", priority="high", issue_type="feature", agent="claude")
    b = make(store, clock, "bug", priority="urgent", issue_type="bug", agent="codex")
    assert store.get_next_ready_issue().id == b.id
    assert store.claim_issue(b.id, "run-1")
    assert store.get_next_ready_issue().id == a.id
    assert store.complete_issue(b.id)
    assert store.claim_issue(a.id, "run-2")
    assert store.block_issue(a.id, "needs design")
    assert store.get_next_ready_issue() is None
    assert store.unblock_issue(a.id)
    assert store.claim_issue(a.id, "run-3") and store.complete_issue(a.id)
    assert [i.status for i in store.list_issues()] == [Status.DONE, Status.DONE]
    assert store.list_issues(Status.OPEN) == []
