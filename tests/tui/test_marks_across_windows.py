"""Marks survive scrolling: rows marked at the top of a long view still get the bulk action after the
list has loaded another window (the end of the view)."""

from __future__ import annotations

from store import Store
from tui.app import IssuesApp
from tui.config import Config
from tuitest_helpers import SIZE, issue_list, settle, started, wait_for


async def test_bulk_action_reaches_marks_outside_the_loaded_window(tmp_path):
    path = tmp_path / "long.db"
    with Store.open(path) as s:
        for n in range(700):
            s.create_issue(f"task {n}", priority="low")
    app = IssuesApp(path, watch=False, actor="tui:tester", config=Config(poll_seconds=3600))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        lst = issue_list(app)
        await pilot.press("space", "space", "space")
        marked = set(lst.marked)
        assert len(marked) == 3
        await pilot.press("G")
        await wait_for(pilot, lambda: lst.current is not None and lst.cursor == lst.total - 1, what="the last row")
        await settle(pilot)
        assert not marked & {i.id for i in lst.rows}, "the marked rows are outside the loaded window now"
        done = app.writes_done
        await pilot.press("1")
        await wait_for(pilot, lambda: app.writes_done > done, what="the bulk write")
    with Store.open(path, read_only=True) as s:
        assert {str(s.get_issue_by_id(i).priority) for i in marked} == {"urgent"}
        assert sum(1 for i in s.list_issues() if str(i.priority) == "urgent") == 3
