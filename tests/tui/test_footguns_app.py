"""Dashboard foot-guns (issue 8 item 9): a huge issue number in the palette, a folder made unreadable
while the app runs. Neither crashes the app; each is said in one line."""

from __future__ import annotations

import errno
import os

from textual.command import CommandList, CommandPalette

from tui.app import IssuesApp
from tuitest_helpers import SIZE, settle, started, wait_for


async def test_palette_go_to_a_number_sqlite_cannot_hold(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        before = issue_list_current(app)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        await pilot.press(*"#100000000000000000000")
        clist = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: clist.option_count and "Go to issue #100000000000000000000"
                       in str(clist.get_option_at_index(0).prompt), what="the go-to hit")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("There is no issue #100000000000000000000" in str(n.message)
                                          for n in app._notifications), what="the 'no such issue' toast")
        assert app.is_running and issue_list_current(app) == before
        for text in ("#²", "#" + "9" * 5000):  # not a number int() takes: no hit, no crash
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
            app.screen.query_one("Input").value = text
            await pilot.pause(0.3)
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette), what="palette closed")
        assert app.is_running


def issue_list_current(app):
    from tui.widgets.ready_queue import IssueList
    cur = app.query_one(IssueList).current
    return cur.number if cur else None


async def test_folder_made_unreadable_while_running(small_db, monkeypatch):
    """chmod 000 on the DB's folder (simulated: tests run as root, where chmod denies nothing): every stat
    of a path inside it fails with EACCES, as Path.exists() does then. The app says so and keeps running;
    when the folder is readable again, it shows data again."""
    app = IssuesApp(small_db, watch=False)
    folder = str(small_db.parent)
    real_stat = os.stat
    denied = [False]

    def stat(path, *args, **kwargs):
        if denied[0] and str(os.fspath(path)).startswith(folder + os.sep):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        monkeypatch.setattr(os, "stat", stat)
        denied[0] = True
        await pilot.press("r")
        await wait_for(pilot, lambda: app.problem is not None, what="the problem line")
        assert "Permission denied" in app.problem and "\n" not in app.problem
        await pilot.press("j", "k", "r")
        await pilot.pause(0.3)
        assert app.is_running
        denied[0] = False
        await pilot.press("r")
        await wait_for(pilot, lambda: app.problem is None and app.snapshot is not None, what="data again")
        await settle(pilot)
        assert app.is_running and app.snapshot.counts.total == 29
