"""Live refresh: another *process* writes the file while the app runs (watch=True); no key is pressed.

Deadlines are generous (several seconds); nothing asserts a duration.
"""

from __future__ import annotations

import os
import shutil

import pytest
from pathlib import Path
from textual import work

from store import Store, StoreError
import tui.app
from tui.app import IssuesApp
from tui.widgets.detail import DetailPane
from tuitest_helpers import (SIZE, Writer, issue_list, numbers, settle, started, static_text, wait_for)

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")


async def test_other_process_claims_completes_creates(small_db, ready_numbers):
    app = IssuesApp(small_db, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        counts0 = app.snapshot.counts
        with Writer(small_db) as w:
            # claim: leaves the ready view, in progress +1
            claimed = ready_numbers[1]
            assert w.call("claim", number=claimed) == {"ok": True}
            await wait_for(pilot, lambda: claimed not in numbers(app), timeout=5, what=f"#{claimed} claimed")
            await wait_for(pilot, lambda: app.snapshot.counts.in_progress == counts0.in_progress + 1, timeout=5,
                           what="in-progress count")
            # complete: leaves the ready view, done +1
            done = ready_numbers[2]
            assert w.call("complete", number=done) == {"ok": True}
            await wait_for(pilot, lambda: done not in numbers(app), timeout=5, what=f"#{done} done")
            await wait_for(pilot, lambda: app.snapshot.counts.done == counts0.done + 1, timeout=5, what="done count")
            # create: appears at its place in the ready order
            new = w.call("create", title="made by another process", priority="low")
            await wait_for(pilot, lambda: new["number"] in numbers(app), timeout=5, what="the new issue")
            assert numbers(app)[-1] == new["number"]  # low and newest: last
            await settle(pilot)
            c = app.store.counts()
            assert app.snapshot.counts == c
            assert c.ready == counts0.ready - 2 + 1 and c.total == counts0.total + 1
            status = static_text(app.query_one("#status"), width=300)
            assert f"in progress {c.in_progress}" in status and f"done {c.done}" in status
            assert numbers(app) == [i.number for i in app.store.list_view("ready")]


async def test_cursor_stays_on_its_issue_and_new_row_is_marked(small_db, ready_numbers):
    app = IssuesApp(small_db, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        lst = issue_list(app)
        # ready order: urgent 10, 18, 22, high 27, medium 2, ... ; select #2 (index 4)
        for _ in range(4):
            await pilot.press("j")
        x = lst.current
        assert x.number == ready_numbers[4] and lst.cursor == 4
        detail = app.query_one(DetailPane)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.id == x.id, what="X in detail")
        assert not lst._first_seen  # nothing is "new" on the first load
        loads = app.load_count
        with Writer(small_db) as w:
            new = w.call("create", title="urgent from another process", priority="urgent")
        await wait_for(pilot, lambda: new["number"] in numbers(app), timeout=5, what="the new urgent issue")
        assert app.load_count > loads
        assert numbers(app).index(new["number"]) == 3  # after the older urgent ones, above X
        assert lst.current.id == x.id, "the cursor must stay on X"
        assert lst.cursor == 5, "X moved down by one"
        assert lst.selected_id == x.id
        assert detail.issue.id == x.id
        assert new["id"] in lst._first_seen and x.id not in lst._first_seen
        line = lst.render_line(3 - int(lst.scroll_offset.y))
        assert "".join(s.text for s in line).startswith("●")  # the new row shows the "new" dot


APPS = [pytest.param(IssuesApp, id="IssuesApp")]


def integrity(path) -> str:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check").fetchall())
    finally:
        conn.close()


@pytest.mark.parametrize("app_cls", APPS)
async def test_file_replaced_shows_new_data(small_db, tmp_path, app_cls):
    app = app_cls(small_db, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert len(numbers(app)) == 14
        other = tmp_path / "other.db"
        shutil.copyfile(os.path.join(FIXTURES, "crate-v5-edge.db"), other)
        os.replace(other, small_db)
        await wait_for(pilot, lambda: numbers(app) == [1, 2, 4, 3], timeout=5, what="the replacement's rows")
        await settle(pilot)
        assert app.problem is None
        assert app.snapshot.counts.total == 6
        assert "Fix [bold red]markup[/] in titles" in [i.title for i in issue_list(app).rows]
        # and it is live on the new file
        with Writer(small_db) as w:
            new = w.call("create", title="after replace", priority="urgent")
        await wait_for(pilot, lambda: new["number"] in numbers(app), timeout=5, what="a write to the new file")
        assert app.snapshot.counts.total == 7
    assert integrity(small_db) == "ok"


@pytest.mark.parametrize("app_cls", [IssuesApp])
async def test_file_deleted_then_restored(small_db, ready_numbers, app_cls):
    app = app_cls(small_db, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        before = numbers(app)
        os.remove(small_db)
        await wait_for(pilot, lambda: app.problem is not None, timeout=5, what="the deletion to be noticed")
        assert "deleted" in app.problem and str(small_db) in app.problem
        assert numbers(app) == before  # the last data stays on screen
        assert "deleted" in static_text(app.query_one("#status"), width=400)
        shutil.copyfile(os.path.join(FIXTURES, "crate-v5-small.db"), small_db)
        await wait_for(pilot, lambda: app.problem is None, timeout=5, what="recovery")
        await settle(pilot)
        assert numbers(app) == ready_numbers
        with Writer(small_db) as w:
            new = w.call("create", title="after restore", priority="urgent")
        await wait_for(pilot, lambda: new["number"] in numbers(app), timeout=5, what="a write after restore")
        await settle(pilot)
        assert app.problem is None
    assert integrity(small_db) == "ok"
