"""Every pane renders from each new snapshot, whatever it held before (issue 9 items 1 and 2).

Another process (a `sqlite3` subprocess, as a user would from another shell) changes the file while the
dashboard runs with its live watch on; nothing asserts a duration.
"""

from __future__ import annotations

import subprocess
import sys

from store import Store
from tui.app import IssuesApp
from tui.widgets.projects import ProjectsPane
from tui.widgets.sessions import SessionsPane
from tuitest_helpers import SIZE, issue_list, list_lines, settle, started, static_text, wait_for


def other_shell(db, sql: str) -> None:
    """Run SQL from another process, the way `sqlite3 file.db "UPDATE ..."` from another shell does."""
    code = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.close()"
    subprocess.run([sys.executable, "-c", code, str(db), sql], check=True, timeout=30)


def sessions_text(app) -> str:
    return static_text(app.query_one(SessionsPane), width=160)


def projects_text(app) -> list[str]:
    pane = app.query_one(ProjectsPane)
    return [str(pane.get_option_at_index(i).prompt) for i in range(pane.option_count)]


async def test_sessions_that_stop_running_elsewhere_show_as_stopped(small_db):
    with Store.open(small_db, create=False) as s:
        running = len(s.get_active_sessions())
    assert running >= 1
    app = IssuesApp(small_db, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert sessions_text(app).count("running") + sessions_text(app).count("DEAD") == running
        other_shell(small_db, "UPDATE sessions SET status='completed', "
                              "ended_at=strftime('%Y-%m-%dT%H:%M:%S+00:00','now') WHERE status='running'")
        await wait_for(pilot, lambda: any(line.startswith("All projects 0/") for line in projects_text(app)),
                       timeout=8, what="the projects pane to show 0 running")
        await settle(pilot)
        text = sessions_text(app)
        assert "running" not in text and "DEAD" not in text, text
        assert text.count("completed") >= running
        await pilot.press("r")
        await settle(pilot)
        assert "running" not in sessions_text(app)


async def test_picking_a_project_without_running_sessions_filters_the_sessions_pane(small_db):
    with Store.open(small_db, create=False) as s:
        projects = s.list_projects()
        sessions = s.list_sessions()
    idle = next(p for p in projects
                if not any(x.project_id == p.id and x.status == "running" for x in sessions)
                and any(x.project_id == p.id for x in sessions))
    others = [x for x in sessions if x.project_id != idle.id]
    # Running sessions of other projects are on screen at first; then pick the idle project.
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert "running" in sessions_text(app) or "DEAD" in sessions_text(app)  # DEAD: running, pid gone
        pane = app.query_one(ProjectsPane)
        index = pane._ids.index(idle.id)
        pane.focus()
        pane.highlighted = index
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query_state.project_id == idle.id, what="the project filter")
        await settle(pilot)
        text = sessions_text(app)
        assert "running" not in text and "DEAD" not in text, text
        mine = [x for x in sessions if x.project_id == idle.id]
        assert sum(line.strip().startswith(tuple(str(x.status) for x in mine)) for line in text.splitlines()) == len(mine)
        assert len(others) > 0


async def test_a_row_changed_without_touching_updated_at_is_redrawn(small_db):
    app = IssuesApp(small_db, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        lst = issue_list(app)
        row = next(i for i in lst.rows if str(i.priority) == "medium")
        number = row.number
        assert any(line.split()[:2] == [str(number), "medium"] for line in list_lines(lst))
        # A hand fix that leaves updated_at alone: priority and title change, the row moves to the urgent block.
        other_shell(small_db, f"UPDATE issues SET priority='urgent', title='hand fixed' WHERE number={number}")
        await wait_for(pilot, lambda: any(line.split()[:2] == [str(number), "urgent"] and "hand fixed" in line
                                          for line in list_lines(lst)),
                       timeout=8, what="the changed row to be drawn as it now is")
        await pilot.press("r")
        await settle(pilot)
        assert not any(line.split()[:2] == [str(number), "medium"] for line in list_lines(lst))


async def test_sessions_that_changed_while_the_panes_were_hidden_show_when_they_come_back(small_db):
    """(The pane draws once it is laid out — after the first frame, or when shown again — never from a
    snapshot that arrived while it had no size.)"""
    app = IssuesApp(small_db, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert "DEAD" in sessions_text(app)  # the fixture's running session (its pid is gone)
        await pilot.press("v")
        await wait_for(pilot, lambda: app.query_one(SessionsPane).size.height == 0, what="the panes hidden")
        other_shell(small_db, "UPDATE sessions SET status='completed', "
                              "ended_at=strftime('%Y-%m-%dT%H:%M:%S+00:00','now') WHERE status='running'")
        await wait_for(pilot, lambda: app.snapshot.sessions_running == 0, timeout=8, what="the change loaded")
        await pilot.press("v")
        await wait_for(pilot, lambda: "DEAD" not in sessions_text(app) and "running" not in sessions_text(app),
                       what="the sessions pane redrawn from the new snapshot")
