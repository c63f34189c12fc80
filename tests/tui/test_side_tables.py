"""The sessions pane and the history read a counted window, like the issue list (issue 8 item 7).

Figures at 10k / 100k sessions and 100k events are in bench/side_tables.py; here: the windows hold the right
rows in the pane's order, the counts are true, and a dashboard on 10,000 sessions and 5,000 events on one issue
shows a window of each, with the totals said."""

from __future__ import annotations

import sqlite3
import time
import uuid

from store import Store
from tui.app import IssuesApp
from tui.loader import HISTORY_WINDOW, SESSIONS_WINDOW
from tui.widgets.detail import DetailPane
from tui.widgets.sessions import SessionsPane
from tuitest_helpers import SIZE, issue_list, settle, started, static_text, wait_for


def add_sessions(db, n: int, every_running: int = 100) -> list[str]:
    """`n` sessions over the file's projects, one in `every_running` running; returns the project ids."""
    conn = sqlite3.connect(db)
    projects = [r[0] for r in conn.execute("SELECT id FROM projects ORDER BY rowid")]
    now = time.time()
    rows = []
    for i in range(n):
        running = i % every_running == 0
        started = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now - 60 - i * 7))
        ended = None if running else time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now - i * 7))
        rows.append((str(uuid.uuid4()), projects[i % len(projects)], "running" if running else "completed",
                     f"run {i}", "sonnet", None, None, started, ended, 0.5, i % 5))
    conn.executemany("INSERT INTO sessions (id, project_id, status, prompt, model, pid, trajectory_path, started_at, "
                     "ended_at, budget_spent, issues_completed) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.commit()
    conn.close()
    return projects


def add_events(db, issue_id: str, n: int) -> None:
    conn = sqlite3.connect(db)
    base = time.time() - n
    conn.executemany("INSERT INTO issue_events VALUES (?,?,?,?,?,?,?)",
                     ((str(uuid.uuid4()), issue_id, "agent", "note", None, f"event {k}",
                       time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(base + k))) for k in range(n)))
    conn.commit()
    conn.close()


def opened(backend, db, request):
    """The file as it is now, on this backend (PostgreSQL: migrated into a fresh database)."""
    if backend == "postgres":
        from store import open_store
        from store.transfer import migrate
        url = request.getfixturevalue("pg_empty_url")
        migrate(str(db), url)
        return open_store(url, create=False)
    return Store.open(db, create=False)


def pane_order(sessions):
    return sorted(sessions, key=lambda s: (s.status != "running", [-ord(c) for c in s.started_at]))


def test_sessions_window_is_the_pane_order_with_true_counts(small_db, backend, request):
    projects = add_sessions(small_db, 700, every_running=9)
    with opened(backend, small_db, request) as s:
        every = s.list_sessions()
        for project in (None, projects[0]):
            mine = [x for x in every if project is None or x.project_id == project]
            want = pane_order(mine)
            running = sum(x.status == "running" for x in mine)
            for offset in (0, 10, running - 3, running, running + 5, len(mine) - 4):
                total, run, window = s.sessions_window(project, limit=25, offset=max(offset, 0))
                assert (total, run) == (len(mine), running)
                assert [x.id for x in window] == [x.id for x in want[max(offset, 0):max(offset, 0) + 25]]
        stats = s.session_counts()
        for project in projects:
            mine = [x for x in every if x.project_id == project]
            assert stats[project] == (len(mine), sum(x.status == "running" for x in mine))


def test_recent_issue_events_is_the_newest_window_oldest_first(small_db, backend, request):
    with Store.open(small_db, create=False) as s:
        issue = s.list_view("ready", limit=1)[0]
    add_events(small_db, issue.id, 1_000)
    with opened(backend, small_db, request) as s:
        every = s.issue_events(issue.id)
        total, window = s.recent_issue_events(issue.id, 50)
    assert total == len(every) >= 1_000
    assert [e.id for e in window] == [e.id for e in every[-50:]]


async def test_dashboard_shows_a_window_of_10k_sessions_and_5k_events(small_db):
    add_sessions(small_db, 10_000)
    with Store.open(small_db, create=False) as s:
        head = s.list_view("ready", limit=1)[0]
        running = len(s.get_active_sessions())
    add_events(small_db, head.id, 5_000)
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        snap = app.snapshot
        assert len(snap.sessions) == SESSIONS_WINDOW and snap.sessions_total == 10_005
        assert snap.sessions_running == running
        pane = app.query_one(SessionsPane)
        rows = len(pane._visible())
        assert rows >= 3 and pane.border_subtitle == f"1-{rows:,} of 10,005 · {running:,} running"
        assert [s.status for s in snap.sessions[:running]] == ["running"] * min(running, SESSIONS_WINDOW)
        issue_list(app).select_id(head.id)
        detail = app.query_one(DetailPane)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.id == head.id, what="the head")
        await settle(pilot)
        history = static_text(detail.query_one("#detail-history"), width=200)
        assert f"{5_000 - HISTORY_WINDOW:,} earlier events not shown" in history
        assert "event 4999" in history and "event 4000 " not in history
        assert len(detail.events) == HISTORY_WINDOW


async def test_sessions_pane_scrolls_through_every_session_a_window_at_a_time(small_db):
    add_sessions(small_db, 2_000)
    with Store.open(small_db, create=False) as s:
        total, running, _ = s.sessions_window(None, limit=1)
        _, _, last = s.sessions_window(None, limit=1, offset=total - 1)
        _, _, middle = s.sessions_window(None, limit=1, offset=1_000)
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        pane = app.query_one(SessionsPane)
        pane.focus()
        await pilot.press("end")
        await wait_for(pilot, lambda: app.snapshot.sessions_offset > 0 and pane._visible()
                       and pane._visible()[-1].id == last[0].id, what="the last window")
        rows = len(pane._visible())
        assert pane.border_subtitle == f"{total - rows + 1:,}-{total:,} of {total:,} · {running:,} running"
        await pilot.press("home")
        await wait_for(pilot, lambda: app.snapshot.sessions_offset == 0 and pane.first == 0, what="back to the top")
        assert pane._visible()[0].status == "running"
        # page down step by step never shows a blank pane and reaches the middle with the right session
        pane.action_scroll_to(1_000)
        await wait_for(pilot, lambda: pane._visible() and pane._visible()[0].id == middle[0].id, what="the middle")
        await pilot.press("pagedown")
        await settle(pilot)
        assert pane.first == 1_000 + rows and len(pane._visible()) == rows
