"""Counts (against GROUP BY, raw writes and the crate fixture), read-only opens that never write, reopen."""

from __future__ import annotations

import pytest

from store import ReadOnlyError, Store
from issuetest_helpers import MIN, fmt_ns, make
from storetest_helpers import raw


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
                 (fmt_ns(clock() - MIN), issues[7].number))
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
