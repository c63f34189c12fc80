"""Issue 9 item 6: every key answers at once. `b`/`c`/`x`/`o` where they cannot apply say why before any
dialog; `x` on an unclaimed issue says it is not claimed; read-only write keys say "read-only: <reason>"; the
bulk confirm names the issues; a write waiting for another process's lock shows "saving…"."""

from __future__ import annotations

import sqlite3

import pytest

from tui.app import IssuesApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.forms import PromptScreen
from tuitest_helpers import SIZE, issue_list, started, static_text, view, wait_for, quiet_app, select_number
from triage_helpers import all_events

ACTOR = "tui:tester"
DONE = 11  # done in crate-v5-small


def make_app(path, **kw) -> IssuesApp:
    return quiet_app(path, actor=ACTOR, **kw)


async def said(pilot, predicate, what: str) -> str:
    """The first warning whose text satisfies `predicate` (waits briefly for it)."""
    app = pilot.app
    await wait_for(pilot, lambda: any(s == "warning" and predicate(m) for m, s in app.notes), what=what)
    return next(m for m, s in app.notes if s == "warning" and predicate(m))


@pytest.mark.parametrize("key,number,why", [
    ("c", DONE, f"#{DONE}: already done"),
    ("b", DONE, f"#{DONE}: done issues cannot be blocked"),
    ("x", 3, "#3: not claimed (nothing to release)"),
    ("x", DONE, f"#{DONE}: done, not claimed (nothing to release)"),
    ("o", 3, "#3: already open (o unclaims in-progress issues and reopens done ones)"),
])
async def test_refused_at_once_without_a_dialog(small_db, key, number, why):
    before = all_events(small_db)
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select_number(pilot, number)
        await pilot.press(key)
        line = await said(pilot, lambda m: m.startswith(f"#{number}:"), "the reason")
        assert line == why
        assert "15 minutes old" not in line and "less than" not in line
        await pilot.pause(0.2)
        assert len(app.screen_stack) == 1  # no question was asked first
        assert app.writes_done == 0
    assert all_events(small_db) == before


async def test_release_of_a_fresh_claim_says_how_old_it_is(small_db):
    from store import Store

    with Store.open(small_db, actor="agent:other") as other:
        assert other.claim_issue(other.get_issue_by_number(3).id, "run-fresh")
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select_number(pilot, 3)
        await pilot.press("x")
        line = await said(pilot, lambda m: m.startswith("#3:"), "the reason")
        assert line == "#3: the claim is not stale yet (claimed 0 min ago; stale after 15 min)"
        assert app.writes_done == 0


@pytest.mark.parametrize("key", ["b", "c", "x", "o", "plus", "1", "t", "a", "n", "e", "E", "delete", "z"])
async def test_read_only_write_keys_say_why(small_db, key):
    app = make_app(small_db, read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press(key)
        line = await said(pilot, lambda m: m.startswith("read-only"), "read-only reason")
        assert line == "read-only: opened read-only"
        assert len(app.screen_stack) == 1


async def test_bulk_confirm_names_the_issues_and_skips_the_refused(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "A", "all")
        await select_number(pilot, 7)
        for _ in range(6):  # marks #7..#12 (the All view is in number order): #11 is done
            await pilot.press("space")
        marked = sorted(i.number for i in issue_list(app).targets())
        assert marked == [7, 8, 9, 10, 11, 12]
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm")
        assert app.screen.question == "Complete 5 marked issues (#7, #8, #9, #10 and 1 more)?"
        assert ("#11: already done", "warning") in app.notes  # said before the question
        await pilot.press("n")
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the prompt")
        assert app.screen.title_text.startswith("Block 5 marked issues (#7, #8, #9, #10 and 1 more)")


async def test_saving_shows_while_another_process_holds_the_lock(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select_number(pilot, 3)
        holder = sqlite3.connect(small_db, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")  # another process's write lock
        try:
            await pilot.press("plus")
            await wait_for(pilot, lambda: "saving…" in static_text(app.query_one("#status")), timeout=4,
                           what="saving… in the status line")
            assert app.writes_done == 0
        finally:
            holder.execute("COMMIT")
            holder.close()
        await wait_for(pilot, lambda: app.writes_done == 1, what="the write after the lock")
        await wait_for(pilot, lambda: "saving…" not in static_text(app.query_one("#status")), what="saving… gone")
    con = sqlite3.connect(small_db)
    assert con.execute("SELECT priority FROM issues WHERE number = 3").fetchone()[0] == "high"
    con.close()
