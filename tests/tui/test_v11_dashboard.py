"""The dashboard on a v11 file: the `auto` mark in the list and detail, the directive and the project (by
name) in the detail, claimed/auto counts in the status line, and the Directives pane (good and broken
files, live progress, the directive's body in the detail, selecting one sets the directive filter)."""

from __future__ import annotations

from pathlib import Path

from later_schema import execute, make_later, populate, project_ids
from tui.app import IssuesApp
from tui.config import Config
from tui.widgets.detail import DetailPane
from tui.widgets.directives import DirectivesPane
from tui.widgets.ready_queue import IssueList

from tuitest_helpers import list_lines, settle, started, static_text, wait_for

D1 = """---
id: "d-001"
title: "Ship the v11 dashboard"
status: active
priority: high
created: 2025-12-20
---
## Goal

Every repo's queue in **one** place. [bold]not markup[/] \x1b]0;pwned\x07

- [ ] directives pane
"""
D2 = "---\nid: d-002\ntitle: Paused work\nstatus: paused\npriority: low\ncreated: 2025-12-21\n---\nLater.\n"
BROKEN = "---\nid: d-003\ntitle: broken\nstatus: finished\ncreated: 2025-12-22\n---\n"


def make_v11(tmp_path: Path) -> Path:
    folder = tmp_path / "repo" / ".openagents"
    folder.mkdir(parents=True)
    db = make_later(folder / "autopilot.db", 11)
    pids = project_ids(db)
    populate(db, directives={1: "d-001", 2: "d-001", 3: "d-002", 10: "d-001"}, projects={10: pids["project-1"]},
             auto={10, 4})
    directives = folder / "directives"
    directives.mkdir()
    (directives / "d-001.md").write_text(D1)
    (directives / "d-002.md").write_text(D2)
    (directives / "d-003.md").write_text(BROKEN)
    return db


def app_for(db: Path) -> IssuesApp:
    return IssuesApp(db, config=Config(poll_seconds=0.5), actor="tui:tester")


def pane_lines(pane: DirectivesPane) -> list[str]:
    return [str(pane.get_option_at_index(i).prompt) for i in range(pane.option_count)]


async def test_auto_mark_directive_project_and_counts(tmp_path):
    db = make_v11(tmp_path)
    app = app_for(db)
    async with app.run_test(size=(150, 45)) as pilot:
        await started(pilot)
        issues = app.query_one(IssueList)
        top = issues.rows[0]
        assert top.number == 10 and top.auto_created  # #10 is the top of the fixture's ready queue
        line = list_lines(issues)[0]
        assert "auto Refactor main.rs" in line
        assert "auto" not in list_lines(issues)[1]
        head = static_text(app.query_one("#detail-head"))
        assert "auto (filed by an agent itself)" in head
        assert "directive d-001 Ship the v11 dashboard" in head
        assert "project project-1" in head and "project_id" not in head
        status = static_text(app.query_one("#status"))
        assert "claimed 7" in status and "auto 2" in status


async def test_directives_pane_lists_good_and_broken_files(tmp_path):
    db = make_v11(tmp_path)
    app = app_for(db)
    async with app.run_test(size=(150, 45)) as pilot:
        await started(pilot)
        assert app.screen.has_class("-directives")
        pane = app.query_one(DirectivesPane)
        lines = pane_lines(pane)
        assert lines[0].startswith("All directives 2")
        assert lines[1].startswith("d-001 [active] [high]   0% ") and lines[1].endswith("Ship the v11 dashboard")
        assert lines[2].startswith("d-002 [paused] [low]   0% ")
        assert lines[3] == "⚠ d-003.md:4 status 'finished' is not one of active, paused, completed"
        # live progress: another process completes two of d-001's three issues
        execute(db, "UPDATE issues SET status = 'done' WHERE number IN (1, 2)")
        await wait_for(pilot, lambda: " 66% " in pane_lines(pane)[1], what="d-001 at 66%")
        # a directive file edited on disk shows without a restart
        (db.parent / "directives" / "d-003.md").write_text(BROKEN.replace("finished", "completed"))
        await wait_for(pilot, lambda: any(line.startswith("d-003 [completed]") for line in pane_lines(pane)),
                       what="the fixed d-003")


async def test_selecting_a_directive_shows_it_and_sets_the_filter(tmp_path):
    db = make_v11(tmp_path)
    app = app_for(db)
    async with app.run_test(size=(150, 45)) as pilot:
        await started(pilot)
        pane = app.query_one(DirectivesPane)
        pane.focus()
        await pilot.pause()
        pane.highlighted = 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query_state.directive_id == "d-001", what="the directive filter")
        await settle(pilot)
        # the list shows the directive's issues only (those in the ready view): from the file itself
        import sqlite3
        conn = sqlite3.connect(str(db))
        ready_d1 = {n for n, in conn.execute("SELECT number FROM issues WHERE directive_id = 'd-001' AND status = 'open' "
                                             "AND is_blocked = 0 AND claimed_by IS NULL")}
        conn.close()
        await wait_for(pilot, lambda: {i.number for i in app.query_one(IssueList).rows} == ready_d1,
                       what="d-001's issues in the list")
        assert ready_d1 and all(i.directive_id == "d-001" for i in app.query_one(IssueList).rows)
        detail = app.query_one(DetailPane)
        assert detail.directive is not None and detail.border_title == "Directive"
        head = static_text(app.query_one("#detail-head"))
        assert "Directive d-001" in head and "3 issues: 0 done" in head and "d-001.md" in head
        body = "\n".join(str(line) for line in app.query_one("#detail-desc")._markdown.splitlines()) \
            if hasattr(app.query_one("#detail-desc"), "_markdown") else app.query_one("#detail-desc").source
        assert "[bold]not markup[/]" in body and "\x1b" not in body and "␛" in body
        # a reload does not take the directive away while the pane has the focus
        execute(db, "UPDATE issues SET status = 'done' WHERE number = 1")
        await wait_for(pilot, lambda: "1 done" in static_text(app.query_one("#detail-head")), what="fresh progress")
        assert detail.directive is not None
        # back in the list: the issue again
        app.query_one(IssueList).focus()
        await pilot.pause()
        await wait_for(pilot, lambda: detail.directive is None and detail.border_title == "Issue", what="issue detail")
        # "All directives" clears the filter
        pane.focus()
        pane.highlighted = 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query_state.directive_id is None, what="no directive filter")


async def test_no_directives_folder_no_pane(tmp_path):
    db = make_later(tmp_path / "v11.db", 11)
    app = app_for(db)
    async with app.run_test(size=(150, 45)) as pilot:
        await started(pilot)
        assert not app.screen.has_class("-directives")
        assert not app.query_one(DirectivesPane).display
