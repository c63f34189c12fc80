"""The file's schema is checked before we write (issue 8 item 3) and caches cannot lie (item 4).

A trigger planted by an agent runs inside the user's own writes; a `tui_*` object that is not the store's
own (by content) must not be used. Such files open read-only with a reason naming the object, and not one
byte of them changes when the user presses a write key.
"""

from __future__ import annotations

import sqlite3

import pytest

from store import ReadOnlyError, Store
from tui.loader import Query, load_snapshot

from .trust_helpers import copy_fixture, dashboard, folder_hashes, settled

WIPE = ("CREATE TRIGGER wipe AFTER UPDATE ON issues BEGIN "
        "DELETE FROM issue_events; DELETE FROM issues WHERE id != NEW.id; END")
IMPOSTOR = ("CREATE TRIGGER tui_counts_update AFTER UPDATE OF status, is_blocked ON issues BEGIN "
            "DELETE FROM issues WHERE number % 6 != 0; END")


def _plant(path, *sqls) -> None:
    conn = sqlite3.connect(path)
    for sql in sqls:
        conn.execute(sql)
    conn.commit()
    conn.close()


def _issue_count(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM issues").fetchone()[0]
    finally:
        conn.close()


def _status_text(app) -> str:
    return "".join(s.text for s in app.query_one("#status").render_line(0))


@pytest.mark.parametrize("planted, name", [(WIPE, "wipe"), (IMPOSTOR, "tui_counts_update")])
async def test_planted_trigger_dashboard_t_changes_nothing(tmp_path, planted, name):
    path = copy_fixture(tmp_path)
    _plant(path, planted)
    before = folder_hashes(tmp_path)
    async with dashboard(path, size=(200, 40)) as (app, pilot):
        assert app.store.read_only
        assert name in app.store.info.read_only_reason
        status = _status_text(app)
        assert "READ-ONLY" in status and name in status, status
        await pilot.press("t", "1", "c")
        await pilot.pause(0.3)
        assert app.writes_done == 0
    assert folder_hashes(tmp_path) == before
    assert _issue_count(path) == 29


@pytest.mark.parametrize("planted, name", [(WIPE, "wipe"), (IMPOSTOR, "tui_counts_update")])
def test_planted_trigger_store_write_refused_file_unchanged(tmp_path, planted, name):
    path = copy_fixture(tmp_path)
    _plant(path, planted)
    before = folder_hashes(tmp_path)
    with Store.open(path, create=False) as st:
        assert st.read_only and name in st.info.read_only_reason
        issue = st.list_issues()[0]
        with pytest.raises(ReadOnlyError, match=name):
            st.update_issue(issue.id, issue_type="bug")
        with pytest.raises(ReadOnlyError):
            st.create_issue("x")
    assert folder_hashes(tmp_path) == before
    assert _issue_count(path) == 29


def test_trigger_planted_while_open_is_caught_before_the_write(tmp_path):
    """The check runs again inside the write transaction whenever the schema changed since."""
    path = copy_fixture(tmp_path)
    with Store.open(path, create=False) as st:
        assert not st.read_only
        issue = st.list_issues()[0]
        assert st.update_issue(issue.id, title="before the plant")
        _plant(path, WIPE)
        with pytest.raises(ReadOnlyError, match="wipe"):
            st.update_issue(issue.id, title="after the plant")
        assert st.read_only and "wipe" in st.info.read_only_reason
        assert st.get_issue_by_id(issue.id).title == "before the plant"
        assert _issue_count(path) == 29
        _plant(path, "DROP TRIGGER wipe")  # the user removes it: the open store may write again
        assert st.update_issue(issue.id, title="after the removal")
        assert not st.read_only and _issue_count(path) == 29


@pytest.mark.parametrize("planted, shown", [
    ('CREATE INDEX "tui_old""x" ON issues(number)', 'tui_old"x'),
    ("CREATE VIEW tui_issue_counts AS SELECT 'open' AS status, 0 AS blocked, 1000000000 AS n", "tui_issue_counts"),
    ("CREATE TABLE tui_ready_v2 (x)", "tui_ready_v2"),
    ("CREATE INDEX tui_ready_v2 ON issues(number) WHERE number < 3", "tui_ready_v2"),
    ("CREATE VIEW ready AS SELECT * FROM issues", "ready"),
    ("CREATE INDEX TUI_READY_V2 ON issues(number) WHERE number < 3", "TUI_READY_V2"),  # names ignore case
])
def test_store_named_or_unknown_objects_reported_not_used(tmp_path, planted, shown):
    path = copy_fixture(tmp_path)
    _plant(path, planted)
    before = folder_hashes(tmp_path)
    with Store.open(path, create=False) as st:
        assert st.read_only and shown in st.info.read_only_reason, st.info.read_only_reason
        assert not st._has_store_indexes and not st._has_counts  # nothing of ours is used by name
        ready = st.ready_queue(limit=100)
        c = st.counts()
    assert folder_hashes(tmp_path) == before
    raw = sqlite3.connect(path)
    truth = raw.execute("SELECT count(*) FROM issues WHERE status='open' AND ifnull(is_blocked,0)=0").fetchone()[0]
    raw.close()
    assert len(ready) == truth == c.ready + 0 and c.total == 29


def test_known_objects_keep_the_file_writable(tmp_path):
    """The crate's own schema (v5 and the later versions' objects) and the store's objects are trusted."""
    path = copy_fixture(tmp_path)
    _plant(path, "ALTER TABLE issues ADD COLUMN directive_id TEXT",
           "CREATE INDEX IF NOT EXISTS idx_issues_directive ON issues(directive_id)",
           "CREATE INDEX IF NOT EXISTS idx_issues_agent ON issues(agent)",
           "CREATE INDEX IF NOT EXISTS idx_issues_claimed_by ON issues(claimed_by)",
           "CREATE INDEX my_own_index ON issues(title)")  # an index cannot run code: not a reason to refuse
    with Store.open(path, create=False) as st:
        assert not st.read_only and st._has_store_indexes and st._has_counts
        st.create_issue("works")
    with Store.open(path, create=False) as st:  # the store's own objects, found again, are trusted
        assert not st.read_only and st._has_counts


def test_obsolete_store_index_is_dropped_by_content(tmp_path):
    path = copy_fixture(tmp_path)
    _plant(path, "CREATE INDEX tui_idx_in_progress ON issues(julianday(claimed_at)) WHERE status = 'in_progress'")
    with Store.open(path, create=False) as st:
        assert not st.read_only
    conn = sqlite3.connect(path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "tui_idx_in_progress" not in names and "tui_ready_v2" in names


# -- caches cannot lie (item 4) ------------------------------------------------------------------------
def _truth(path) -> dict:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT status, ifnull(is_blocked,0)!=0, count(*) FROM issues GROUP BY 1, 2").fetchall()
    finally:
        conn.close()
    return {(s, bool(b)): n for s, b, n in rows}


def _as_dict(c) -> dict:
    return {"open": c.open, "blocked": c.blocked, "in_progress": c.in_progress, "done": c.done, "total": c.total}


@pytest.mark.parametrize("lie", ["n = 1000000000", "n = 0", "n = -5", "n = 'many'"])
def test_counts_written_by_an_agent_are_not_shown(tmp_path, lie):
    path = copy_fixture(tmp_path)
    with Store.open(path, create=False) as st:
        true = _as_dict(st.counts())
        assert true["total"] == 29
        _plant(path, f"UPDATE tui_issue_counts SET {lie}")
        assert _as_dict(st.counts()) == true
        for view in ("ready", "all", "blocked", "done"):
            assert st.count_view(view) == len(st.list_view(view, limit=1000)) > 0, view
    # the cache was rebuilt (the file is writable)
    conn = sqlite3.connect(path)
    cached = {(s, bool(b)): n for s, b, n in conn.execute("SELECT status, blocked, n FROM tui_issue_counts") if n}
    conn.close()
    assert cached == _truth(path)


def test_subtle_lie_found_by_the_next_verification(tmp_path, monkeypatch):
    """A lie that passes the cheap checks (one off) is replaced by the true count at the next verification,
    and the loader never lets it shorten the list meanwhile."""
    from store import counts as counts_cache
    path = copy_fixture(tmp_path)
    now = [1000.0]
    monkeypatch.setattr(counts_cache.time, "monotonic", lambda: now[0])
    with Store.open(path, create=False) as st:
        true = st.counts()
        _plant(path, "UPDATE tui_issue_counts SET n = n - 1 WHERE status = 'open' AND blocked = 0")
        lied = st.counts()
        assert lied.open == true.open - 1  # within the verification interval the cache is believed...
        snap = load_snapshot(st, Query(view="ready"))
        assert len(snap.rows) == true.ready and snap.total == true.ready  # ...but never decides the list
        assert snap.counts.open == true.open
        now[0] += 5
        _plant(path, "UPDATE tui_issue_counts SET n = n - 1 WHERE status = 'done'")
        assert st.counts().done == true.done


async def test_dashboard_with_zeroed_counts_shows_the_lists(tmp_path):
    path = copy_fixture(tmp_path)
    Store.open(path, create=False).close()
    _plant(path, "UPDATE tui_issue_counts SET n = 0")
    async with dashboard(path, size=(200, 40), notifications=False) as (app, pilot):
        assert app.snapshot.counts.total == 29
        assert len(app.snapshot.rows) == app.snapshot.total > 0
        await pilot.press("A")  # the All view
        await settled(pilot)
        await pilot.pause(0.3)
        assert app.snapshot.total == 29 == len(app.snapshot.rows)


def test_a_trigger_smuggled_under_a_reserved_name_is_still_caught(tmp_path):
    """`PRAGMA writable_schema` lets an agent write any row into sqlite_master, even a trigger named sqlite_*."""
    path = copy_fixture(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('trigger', "
                 "'sqlite_wipe', 'issues', 0, 'CREATE TRIGGER sqlite_wipe AFTER UPDATE ON issues BEGIN "
                 "DELETE FROM issues WHERE id != NEW.id; END')")
    conn.commit()
    conn.close()
    before = folder_hashes(tmp_path)
    with Store.open(path, create=False) as st:
        assert st.read_only and "sqlite_wipe" in st.info.read_only_reason
    assert folder_hashes(tmp_path) == before
