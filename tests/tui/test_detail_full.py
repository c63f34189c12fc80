"""Enter (or f) shows the selected issue's detail full screen; escape (or f) goes back to the list, which
has the focus again, so j/k move the cursor at once."""

from __future__ import annotations

from tui.app import IssuesApp
from tui.widgets.detail import DetailPane
from tuitest_helpers import issue_list, started, wait_for


async def test_enter_and_escape_toggle_full_detail(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        selected = issue_list(app).current
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen.maximized, DetailPane))
        assert app.focused is app.query_one(DetailPane)
        assert app.query_one(DetailPane).issue.id == selected.id
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.maximized is None)
        assert app.focused is issue_list(app)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen.maximized, DetailPane))
        await pilot.press("f")
        await wait_for(pilot, lambda: app.screen.maximized is None)
        await pilot.press("j")
        assert issue_list(app).cursor == 1
