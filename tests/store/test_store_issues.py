"""The crate's test list (README "Test Coverage") in pytest form, with compat.md's corrected behaviours."""

from __future__ import annotations

import re
import sqlite3

import pytest

from store import (ConflictError, IssueType, Priority, ReadOnlyError, Status, Store, StoreError, ValidationError,
                   open_store)
from storetest_helpers import T0, Clock, raw

TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.(\d{3}|\d{6}|\d{9}))?\+00:00$")


def events(path, issue_id=None):
    conn = raw(path)
    sql = "SELECT issue_id, actor, event_type, old_value, new_value, created_at FROM issue_events"
    rows = conn.execute(sql + (" WHERE issue_id = ?" if issue_id else "") + " ORDER BY rowid",
                        (issue_id,) if issue_id else ()).fetchall()
    conn.close()
    return rows


def row(path, number):
    conn = raw(path)
    conn.row_factory = sqlite3.Row
    r = conn.execute("SELECT * FROM issues WHERE number = ?", (number,)).fetchone()
    conn.close()
    return dict(r) if r else None


def counter(path):
    conn = raw(path)
    n = conn.execute("SELECT next_number FROM issue_counter").fetchone()[0]
    conn.close()
    return n


def make(store, clock, title, **kw):
    clock.tick()
    return store.create_issue(title, **kw)


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


# -- corrected behaviours (compat.md decisions) ----------------------------------------------------
def _set(path, number, **cols):
    conn = raw(path)
    conn.execute(f"UPDATE issues SET {', '.join(c + ' = ?' for c in cols)} WHERE number = ?", (*cols.values(), number))
    conn.close()


def _fmt(ns: int) -> str:
    from store.timestamps import format_ns
    return format_ns(ns)


MIN = 60 * 10**9


@pytest.mark.parametrize("form", ["+00:00", "Z", "z", "+02:00", "-05:30", "space", "noffset", "frac0", "frac3"])
def test_claim_expiry_every_form(store, clock, form):
    """A claim 20 minutes old has expired, a 5-minute-old one has not, whatever form claimed_at takes."""
    from datetime import datetime, timedelta, timezone

    def render(ns):
        dt = datetime.fromtimestamp(ns / 1e9, timezone.utc).replace(microsecond=(ns // 1000) % 10**6)
        base = dt.strftime("%Y-%m-%dT%H:%M:%S")
        return {
            "+00:00": f"{base}.{ns % 10**9:09d}+00:00",
            "Z": f"{base}.{ns % 10**9:09d}Z",
            "z": f"{base}.{ns % 10**9:09d}z",
            "+02:00": (dt + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S") + ".5+02:00",
            "-05:30": (dt - timedelta(hours=5, minutes=30)).strftime("%Y-%m-%dT%H:%M:%S") + "-05:30",
            "space": base.replace("T", " "),
            "noffset": base,
            "frac0": f"{base}+00:00",
            "frac3": f"{base}.123+00:00",
        }[form]

    old = make(store, clock, "old")
    young = make(store, clock, "young")
    stale_ip = make(store, clock, "stale in progress")
    live_ip = make(store, clock, "live in progress")
    now = clock()
    # open rows carrying a claim (as older crate files can), and in_progress rows
    _set(store.path, old.number, claimed_by="run-a", claimed_at=render(now - 20 * MIN))
    _set(store.path, young.number, claimed_by="run-b", claimed_at=render(now - 5 * MIN))
    _set(store.path, stale_ip.number, status="in_progress", claimed_by="run-c", claimed_at=render(now - 20 * MIN))
    _set(store.path, live_ip.number, status="in_progress", claimed_by="run-d", claimed_at=render(now - 5 * MIN))

    assert [i.id for i in store.ready_queue()] == [old.id]
    assert [i.id for i in store.stale_claims()] == [stale_ip.id]
    assert store.counts().ready == 1 and store.counts().stale == 1
    assert not store.claim_issue(young.id, "run-x")
    assert not store.release_claim(live_ip.id)
    assert store.claim_issue(old.id, "run-x")
    assert store.get_issue_by_id(old.id).claimed_by == "run-x"
    assert store.release_claim(stale_ip.id)
    assert store.get_issue_by_id(stale_ip.id).status == Status.OPEN
    # time passes: the young claims expire too
    clock.advance(minutes=11)
    assert [i.id for i in store.ready_queue()] == [young.id, stale_ip.id]
    assert [i.id for i in store.stale_claims()] == [live_ip.id]
    assert store.release_stale_claims() == 1


def test_claim_expiry_with_clock(store, clock):
    """Claims made through the store: 5 minutes later still live, 20 minutes later stale."""
    a = make(store, clock, "a")
    store.claim_issue(a.id, "run-1")
    clock.advance(minutes=5)
    assert store.stale_claims() == [] and not store.release_claim(a.id)
    assert store.release_stale_claims() == 0
    clock.advance(minutes=15)
    assert [i.id for i in store.stale_claims()] == [a.id]
    assert store.release_claim(a.id)
    assert store.claim_issue(a.id, "run-2")
    assert store.get_issue_by_id(a.id).claimed_by == "run-2"


@pytest.mark.parametrize("claimed_at", ["2026-11-26t11:55:00+00:00", " 2026-11-26T11:55:00+00:00",
                                        "2026-11-26T11:55:00+0000", "2026-11-26T11:55Z", "26/11/2026 11:55",
                                        "2026-11-26T11:55:00.123456789123+00:00"])
def test_queue_and_claim_agree_on_odd_forms(store, clock, claimed_at):
    """Whatever a claimed_at form means, the ready queue and claim_issue agree (and stale list and
    release_claim), so an agent loop of get_next_ready_issue + claim_issue never spins on one row."""
    a = make(store, clock, "open claimed")
    b = make(store, clock, "in progress")
    _set(store.path, a.number, claimed_by="run-a", claimed_at=claimed_at)
    _set(store.path, b.number, status="in_progress", claimed_by="run-b", claimed_at=claimed_at)
    in_queue = a.id in [i.id for i in store.ready_queue()]
    is_stale = b.id in [i.id for i in store.stale_claims()]
    assert store.counts().ready == int(in_queue) and store.counts().stale == int(is_stale)
    assert store.claim_issue(a.id, "run-x") == in_queue
    assert store.release_claim(b.id) == is_stale


def test_unparseable_or_missing_claimed_at_counts_as_expired(store, clock):
    a = make(store, clock, "a")
    b = make(store, clock, "b")
    _set(store.path, a.number, claimed_by="run-a", claimed_at="garbage")
    _set(store.path, b.number, status="in_progress", claimed_by="run-b", claimed_at=None)
    assert [i.id for i in store.ready_queue()] == [a.id]
    assert store.claim_issue(a.id, "run-x")
    assert [i.id for i in store.stale_claims()] == [b.id]


def test_block_never_reopens_done(store, clock):
    a = make(store, clock, "a")
    store.complete_issue(a.id)
    before = row(store.path, a.number)
    assert not store.block_issue(a.id, "nope")
    assert row(store.path, a.number) == before


def test_complete_clears_block(store, clock):
    a = make(store, clock, "a")
    store.block_issue(a.id, "why")
    assert store.complete_issue(a.id)
    r = row(store.path, a.number)
    assert (r["status"], r["is_blocked"], r["blocked_reason"]) == ("done", 0, None)
    assert not store.complete_issue(a.id)  # done -> done refused


def test_unclaim_only_from_in_progress(store, clock):
    a = make(store, clock, "a")
    before = row(store.path, a.number)
    assert not store.unclaim_issue(a.id)
    store.complete_issue(a.id)
    done = row(store.path, a.number)
    assert not store.unclaim_issue(a.id)
    assert row(store.path, a.number) == done and before["status"] == "open"


def test_unblock_only_when_blocked(store, clock):
    a = make(store, clock, "a")
    before = row(store.path, a.number)
    n_events = len(events(store.path))
    assert not store.unblock_issue(a.id)
    assert row(store.path, a.number) == before and len(events(store.path)) == n_events


def test_unknown_priority_ranks_medium_shown_raw(store, clock):
    low = make(store, clock, "low", priority="low")
    med1 = make(store, clock, "med1")
    crit = make(store, clock, "crit")
    med2 = make(store, clock, "med2")
    high = make(store, clock, "high", priority="high")
    nul = make(store, clock, "null prio")
    _set(store.path, crit.number, priority="critical")
    _set(store.path, nul.number, priority=None)
    assert [i.id for i in store.ready_queue()] == [high.id, med1.id, crit.id, med2.id, nul.id, low.id]
    got = store.get_issue_by_id(crit.id)
    assert got.priority == "critical" and not isinstance(got.priority, Priority) and got.priority_rank == 2
    assert store.get_issue_by_id(nul.id).priority is None
    import json
    exported = {r["number"]: r for r in json.loads(store.export_json())}
    assert exported[crit.number]["priority"] == "medium" and exported[nul.number]["priority"] == "medium"


def test_unknown_status_never_ready_counted_as_other(store, clock):
    a = make(store, clock, "a")
    make(store, clock, "b")
    _set(store.path, a.number, status="blocked")
    assert store.get_issue_by_id(a.id).status == "blocked"
    assert a.id not in [i.id for i in store.ready_queue()]
    c = store.counts()
    assert c.other == 1 and c.open == 1 and c.total == 2


def test_null_is_blocked_and_type_read_leniently(store, clock):
    a = make(store, clock, "a")
    _set(store.path, a.number, is_blocked=None, issue_type=None)
    got = store.get_issue_by_id(a.id)
    assert got.is_blocked is False and got.issue_type is None
    assert [i.id for i in store.ready_queue()] == [a.id]
    assert store.counts().ready == 1
    assert store.claim_issue(a.id, "r")


def test_empty_strings_read_as_none(store, clock):
    a = make(store, clock, "a")
    _set(store.path, a.number, description="", blocked_reason="", claimed_by="", claimed_at="", completed_at="")
    got = store.get_issue_by_id(a.id)
    assert (got.description, got.blocked_reason, got.claimed_by, got.claimed_at, got.completed_at) == (None,) * 5
    # '' claim (crate import) is no claim: ready and claimable
    assert [i.id for i in store.ready_queue()] == [a.id]
    assert store.claim_issue(a.id, "r")


@pytest.mark.parametrize("kwargs", [
    {"title": ""}, {"title": "   \t "}, {"title": "x" * 201}, {"title": "ok", "description": "d" * 10_001},
    {"title": "ok", "priority": "urgnet"}, {"title": "ok", "issue_type": "epic"},
])
def test_validation_on_create_writes_nothing(store, clock, kwargs):
    make(store, clock, "existing")
    before_rows, before_counter, before_events = len(store.list_issues()), counter(store.path), len(events(store.path))
    with pytest.raises(ValidationError) as exc:
        store.create_issue(**kwargs)
    assert isinstance(exc.value, StoreError) and "\n" not in str(exc.value)
    assert len(store.list_issues()) == before_rows
    assert counter(store.path) == before_counter
    assert len(events(store.path)) == before_events


def test_validation_limits_are_inclusive(store):
    assert len(store.create_issue("x" * 200, "d" * 10_000).title) == 200


@pytest.mark.parametrize("kwargs", [{"title": ""}, {"title": " "}, {"title": "x" * 201},
                                    {"description": "d" * 10_001}, {"priority": "urgnet"}])
def test_validation_on_update_writes_nothing(store, clock, kwargs):
    a = make(store, clock, "a")
    before, n_events = row(store.path, a.number), len(events(store.path))
    with pytest.raises(ValidationError):
        store.update_issue(a.id, **kwargs)
    assert row(store.path, a.number) == before and len(events(store.path)) == n_events


def test_every_write_appends_an_event(new_target, clock):
    s = open_store(new_target, clock=clock, actor="alice")
    a = s.create_issue("a", priority="low")
    expected = [(a.id, "alice", "created", None, "a")]
    clock.tick(); s.update_issue(a.id, title="a2", priority="high")
    expected += [(a.id, "alice", "title", "a", "a2"), (a.id, "alice", "priority", "low", "high")]
    clock.tick(); s.claim_issue(a.id, "run-1")
    expected += [(a.id, "run-1", "claimed", None, "run-1")]
    clock.tick(); s.unclaim_issue(a.id, actor="bob")
    expected += [(a.id, "bob", "unclaimed", "run-1", None)]
    clock.tick(); s.block_issue(a.id, "because")
    expected += [(a.id, "alice", "blocked", None, "because")]
    clock.tick(); s.unblock_issue(a.id)
    expected += [(a.id, "alice", "unblocked", "because", None)]
    clock.tick(); s.complete_issue(a.id)
    expected += [(a.id, "alice", "completed", "open", "done")]
    clock.tick(); s.reopen_issue(a.id)
    expected += [(a.id, "alice", "reopened", "done", "open")]
    got = events(s.path, a.id)
    assert [g[:5] for g in got] == expected
    assert all(TS_RE.match(g[5]) for g in got)
    assert [(e.event_type, e.actor) for e in s.issue_events(a.id)] == [(e[2], e[1]) for e in expected]
    # refused transitions write no event
    n = len(got)
    assert not s.unblock_issue(a.id) and not s.unclaim_issue(a.id)
    assert len(events(s.path, a.id)) == n
    s.close()


def test_expect_updated_at_guard(store, clock):
    a = make(store, clock, "a")
    clock.tick()
    store.update_issue(a.id, title="changed elsewhere")
    fresh = row(store.path, a.number)
    n_events = len(events(store.path))
    for call in (lambda: store.claim_issue(a.id, "r", expect_updated_at=a.updated_at),
                 lambda: store.update_issue(a.id, title="mine", expect_updated_at=a.updated_at),
                 lambda: store.complete_issue(a.id, expect_updated_at=a.updated_at),
                 lambda: store.block_issue(a.id, "x", expect_updated_at=a.updated_at),
                 lambda: store.delete_issue(a.id, expect_updated_at=a.updated_at)):
        with pytest.raises(ConflictError) as exc:
            call()
        assert exc.value.issue is not None and exc.value.issue.title == "changed elsewhere"
        assert exc.value.issue.updated_at == fresh["updated_at"]
    assert row(store.path, a.number) == fresh and len(events(store.path)) == n_events
    # the right token works
    assert store.claim_issue(a.id, "r", expect_updated_at=fresh["updated_at"])
    # deleted meanwhile
    b = make(store, clock, "b")
    store.delete_issue(b.id)
    with pytest.raises(ConflictError) as exc:
        store.update_issue(b.id, title="x", expect_updated_at=b.updated_at)
    assert exc.value.issue is None


def _expected_counts(path, now_ns):
    from store.timestamps import parse_ns
    conn = raw(path)
    rows = conn.execute("SELECT status, ifnull(is_blocked, 0), claimed_by, claimed_at FROM issues").fetchall()
    grouped = dict(((s, b), n) for s, b, n in conn.execute(
        "SELECT status, ifnull(is_blocked, 0) != 0, count(*) FROM issues GROUP BY 1, 2"))
    conn.close()
    cutoff = now_ns - 15 * MIN
    live = lambda cb, ca: bool(cb) and parse_ns(ca) is not None and parse_ns(ca) >= cutoff
    return {
        "open": grouped.get(("open", 0), 0),
        "blocked": grouped.get(("open", 1), 0),
        "in_progress": sum(n for (s, _), n in grouped.items() if s == "in_progress"),
        "done": sum(n for (s, _), n in grouped.items() if s == "done"),
        "other": sum(n for (s, _), n in grouped.items() if s not in ("open", "in_progress", "done")),
        "total": sum(grouped.values()),
        "ready": sum(1 for s, b, cb, ca in rows if s == "open" and not b and not live(cb, ca)),
        "stale": sum(1 for s, b, cb, ca in rows if s == "in_progress" and not live("x", ca)),
    }


def _counts_dict(c):
    return {k: getattr(c, k) for k in ("open", "blocked", "in_progress", "done", "other", "total", "ready", "stale")}


def test_counts_match_group_by_including_raw_writes(store, clock):
    issues = [make(store, clock, f"i{i}") for i in range(10)]
    store.claim_issue(issues[0].id, "r")
    store.claim_issue(issues[1].id, "r")
    store.block_issue(issues[2].id, "x")
    store.complete_issue(issues[3].id)
    store.delete_issue(issues[4].id)
    assert _counts_dict(store.counts()) == _expected_counts(store.path, clock())
    # writes behind the store's back (the crate, sqlite3 CLI)
    conn = raw(store.path)
    conn.execute("INSERT INTO issues (id, number, title, created_at, updated_at) VALUES ('r1', 100, 't', 'x', 'x')")
    conn.execute("INSERT INTO issues (id, number, title, status, is_blocked, created_at, updated_at) "
                 "VALUES ('r2', 101, 't', 'weird', NULL, 'x', 'x')")
    conn.execute("UPDATE issues SET status = 'done' WHERE number = ?", (issues[5].number,))
    conn.execute("UPDATE issues SET is_blocked = 1 WHERE number = ?", (issues[6].number,))
    conn.execute("UPDATE issues SET is_blocked = NULL WHERE number = ?", (issues[2].number,))
    conn.execute("UPDATE issues SET status = 'open', claimed_by = 'z', claimed_at = ? WHERE number = ?",
                 (_fmt(clock() - MIN), issues[7].number))
    conn.execute("DELETE FROM issue_events WHERE issue_id = ?", (issues[8].id,))
    conn.execute("DELETE FROM issues WHERE number = ?", (issues[8].number,))
    conn.close()
    c = store.counts()
    assert _counts_dict(c) == _expected_counts(store.path, clock())
    assert c.ready == len(store.ready_queue(limit=1000)) and c.other == 1
    clock.advance(minutes=20)
    assert _counts_dict(store.counts()) == _expected_counts(store.path, clock())
    for view in ("ready", "in_progress", "blocked", "done", "stale", "all"):
        assert store.count_view(view) == len(store.list_view(view, limit=1000)), view


@pytest.mark.parametrize("read_only", [False, True])
def test_counts_on_crate_fixture(small_db, read_only):
    """With the trigger-kept table (read-write) and without it (read-only open of an untouched crate file)."""
    with Store.open(small_db, read_only=read_only) as s:
        assert s._has_counts == (not read_only)
        assert _counts_dict(s.counts()) == _expected_counts(small_db, s.now_ns())
        for view in ("ready", "in_progress", "blocked", "done", "stale", "all"):
            assert s.count_view(view) == len(s.list_view(view, limit=1000)), view
            assert s.count_view(view, agent="codex") == len(s.list_view(view, agent="codex", limit=1000)), view


def test_read_only_refuses_writes(small_db):
    from storetest_helpers import sha256
    Store.open(small_db).close()  # migrate/index/WAL first; then the file must not change
    digest = sha256(small_db)
    with Store.open(small_db, read_only=True) as s:
        issue = s.list_issues()[0]
        for call in (lambda: s.create_issue("x"), lambda: s.claim_issue(issue.id, "r"),
                     lambda: s.update_issue(issue.id, title="y"), lambda: s.delete_issue(issue.id),
                     lambda: s.import_json("[]"), lambda: s.release_stale_claims(),
                     lambda: s.create_project("p", "/p"), lambda: s.update_session_status("x", "failed")):
            with pytest.raises(ReadOnlyError):
                call()
        s.counts(); s.ready_queue(); s.export_json()
    assert sha256(small_db) == digest


def test_read_only_crate_file_never_touched(tmp_path):
    from storetest_helpers import copy_fixture, sha256
    p = copy_fixture(tmp_path, "crate-v5-small.db")
    digest = sha256(p)
    with Store.open(p, read_only=True) as s:
        assert s.info.journal_mode == "delete"
        with pytest.raises(ReadOnlyError):
            s.create_issue("x")
        assert len(s.list_issues()) == 29
    assert sha256(p) == digest
    assert sorted(x.name for x in tmp_path.iterdir()) == ["crate-v5-small.db"]


def test_reopen(store, clock):
    a = make(store, clock, "a")
    again = store.reopen()
    try:
        assert again.get_issue_by_id(a.id) == a and again.clock is store.clock and not again.read_only
    finally:
        again.close()


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


def test_export_writes_crate_defaults_for_unknown_values(store, clock, tmp_path):
    import json
    a = make(store, clock, "a")
    b = make(store, clock, "b")
    c = make(store, clock, "c")
    _set(store.path, a.number, status="blocked", priority="critical", issue_type=None)
    _set(store.path, b.number, issue_type="epic", is_blocked=None, description="", claimed_by="")
    _set(store.path, c.number, status="in_progress", claimed_by="r", claimed_at="2025-12-20 16:59:41")
    out = {r["number"]: r for r in json.loads(store.export_json())}
    assert (out[a.number]["status"], out[a.number]["priority"], out[a.number]["issue_type"]) == ("open", "medium", "task")
    assert (out[b.number]["issue_type"], out[b.number]["is_blocked"], out[b.number]["description"],
            out[b.number]["claimed_by"]) == ("task", False, "", "")  # what is stored ('' as "", compat.md 6)
    assert out[c.number]["claimed_at"] == "2025-12-20T16:59:41Z"
    # and the export imports back into a new DB
    with Store.open(tmp_path / "back.db") as s2:
        assert s2.import_json(store.export_json())["imported"] == 3
