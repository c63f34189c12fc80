"""Issue 9 item 5: undo keeps its promises — a delete comes back with its history, and "release all stale
claims" is one undo step (z right after it gives every claim back, not an older action)."""

from __future__ import annotations

import sqlite3

from store import Store
from tui.app import IssuesApp
from tui.screens.confirm import ConfirmScreen
from tuitest_helpers import SIZE, issue_list, settle, started, wait_for, quiet_app, select_number

ACTOR = "tui:tester"


def make_app(path, **kw) -> IssuesApp:
    return quiet_app(path, actor=ACTOR, **kw)


def rows(path, sql, *args):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


async def writes(pilot, before: int, count: int = 1) -> None:
    await wait_for(pilot, lambda: pilot.app.writes_done >= before + count, what="the write")
    await pilot.pause()
    await settle(pilot)


async def test_undo_of_delete_brings_back_the_history(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select_number(pilot, 2)
        for key in ("plus", "t"):  # some history first
            n = app.writes_done
            await pilot.press(key)
            await writes(pilot, n)
        issue_id = issue_list(app).current.id
        row = rows(small_db, "SELECT * FROM issues WHERE id = ?", issue_id)
        history = rows(small_db, "SELECT * FROM issue_events WHERE issue_id = ? ORDER BY rowid", issue_id)
        assert [h[3] for h in history] == ["priority", "issue_type"]
        n = app.writes_done
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm")
        await pilot.press("y")
        await writes(pilot, n)
        assert rows(small_db, "SELECT * FROM issue_events WHERE issue_id = ?", issue_id) == []
        n = app.writes_done
        await pilot.press("z")
        await writes(pilot, n)
        await wait_for(pilot, lambda: issue_list(app).current is not None and issue_list(app).current.id == issue_id,
                       what="the restored issue selected")
        detail_events = [e.event_type for e in app.query_one("#detail").events]
    assert rows(small_db, "SELECT * FROM issues WHERE id = ?", issue_id) == row
    after = rows(small_db, "SELECT * FROM issue_events WHERE issue_id = ? ORDER BY rowid", issue_id)
    assert after[:-1] == history and after[-1][2:4] == (ACTOR, "restored")
    assert detail_events == ["priority", "issue_type", "restored"]


async def test_release_all_stale_is_one_undo_step(small_db):
    with Store.open(small_db) as store:
        stale = {i.id: (i.claimed_by, i.claimed_at) for i in store.stale_claims()}
    assert len(stale) == 7
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select_number(pilot, 2)
        n = app.writes_done
        await pilot.press("plus")  # an older, unrelated action
        await writes(pilot, n)
        entry = [c for c in app.extra_commands() if c[0].startswith("Release all")]
        assert entry and entry[0][0] == "Release all 7 stale claims" and "z undoes it" in entry[0][2]
        n = app.writes_done
        entry[0][1]()
        await writes(pilot, n)
        assert rows(small_db, "SELECT count(*) FROM issues WHERE status='in_progress'")[0][0] == 0
        assert app.undo_stack[-1].label == "release of 7 stale claims"
        assert any(m.startswith("released the stale claims of #") for m, _ in app.notes)
        n = app.writes_done
        await pilot.press("z")
        await writes(pilot, n)
    back = {r[0]: (r[1], r[2]) for r in rows(small_db, "SELECT id, claimed_by, claimed_at FROM issues "
                                                      "WHERE status='in_progress'")}
    assert back == stale  # every claim given back, as it was
    assert rows(small_db, "SELECT priority FROM issues WHERE number = 2")[0][0] == "high"  # the older action stays
