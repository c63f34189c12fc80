"""Keyboard triage (Textual pilot): bulk marks, the undo chain, and conflicts with writes made elsewhere.
Each test checks the file itself (raw sqlite3) and the issue_events row.

Waits are "until the app reports it" (writes_done counter, predicates, several-second deadline), never timings.
"""

from __future__ import annotations


from textual.widgets import Input

from store import Store
from tui.screens.confirm import ConfirmScreen
from tui.screens.forms import IssueForm, PromptScreen
from tuitest_helpers import SIZE, issue_list, started, wait_for
from triage_helpers import ACTOR, all_events, current, db_events, db_row, make_app, modal, press_write, select, view


# -- bulk ---------------------------------------------------------------------------------------------
async def test_bulk_mark_three_then_urgent(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "A", "all")
        assert current(app).number == 1
        await pilot.press("space", "space", "space")
        assert len(issue_list(app).marked) == 3
        await press_write(pilot, "1")
        assert issue_list(app).marked == set()
    for number, old in ((1, "low"), (2, "medium"), (3, "medium")):
        assert db_row(small_db, number)["priority"] == "urgent"
        assert db_events(small_db, number) == [(ACTOR, "priority", old, "urgent")]
    assert all_events(small_db) == 3


async def test_escape_clears_marks(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "A", "all")
        await pilot.press("space", "space")
        assert len(issue_list(app).marked) == 2
        await pilot.press("escape")
        await pilot.pause()
        assert issue_list(app).marked == set()
        assert current(app).number == 3
        await press_write(pilot, "4")  # only the current row now
    assert db_row(small_db, 3)["priority"] == "low"
    assert db_row(small_db, 1)["priority"] == "low" and db_row(small_db, 2)["priority"] == "medium"
    assert all_events(small_db) == 1


# -- undo ---------------------------------------------------------------------------------------------
async def test_undo_chain_restores_step_by_step(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "A", "all")
        await select(pilot, 3)
        await press_write(pilot, "plus")  # medium -> high
        await press_write(pilot, "t")  # task -> bug
        await pilot.press("a")
        screen = await modal(pilot, PromptScreen)
        screen.query_one("#prompt-input", Input).value = "codex"
        await press_write(pilot, "enter")  # claude -> codex
        assert len(app.undo_stack) == 3
        row = db_row(small_db, 3)
        assert (row["priority"], row["issue_type"], row["agent"]) == ("high", "bug", "codex")

        await press_write(pilot, "z")
        row = db_row(small_db, 3)
        assert (row["priority"], row["issue_type"], row["agent"]) == ("high", "bug", "claude")
        await press_write(pilot, "z")
        row = db_row(small_db, 3)
        assert (row["priority"], row["issue_type"], row["agent"]) == ("high", "task", "claude"), app.notes
        await press_write(pilot, "z")
        row = db_row(small_db, 3)
        assert (row["priority"], row["issue_type"], row["agent"]) == ("medium", "task", "claude"), app.notes
        assert app.undo_stack == []
    assert db_events(small_db, 3)[3:] == [(ACTOR, "restored:agent", "codex", "claude"),
                                          (ACTOR, "restored:issue_type", "bug", "task"),
                                          (ACTOR, "restored:priority", "high", "medium")]


async def test_undo_chain_stops_at_a_change_made_elsewhere(small_db):
    """After `z` undid the last action, another process changes the row: the next `z` overwrites nothing."""
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "A", "all")
        await select(pilot, 3)
        await press_write(pilot, "plus")  # medium -> high
        await press_write(pilot, "t")  # task -> bug
        await press_write(pilot, "z")  # type back to task
        other = Store.open(small_db, actor="agent:other")
        try:
            assert other.claim_issue(other.get_issue_by_number(3).id, "run-agent")
        finally:
            other.close()
        await press_write(pilot, "z")
        row = db_row(small_db, 3)
        assert (row["priority"], row["issue_type"]) == ("high", "task")
        assert row["status"] == "in_progress" and row["claimed_by"] == "run-agent"
        assert any("changed" in m and s == "warning" for m, s in app.notes), app.notes
    assert [e[1] for e in db_events(small_db, 3)] == ["priority", "issue_type", "restored:issue_type", "claimed"]


async def test_undo_of_create_deletes_it(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("n")
        await modal(pilot, IssueForm)
        await pilot.press(*"Short lived")
        await press_write(pilot, "enter")
        row = db_row(small_db, 31)
        assert row is not None and row["title"] == "Short lived"
        await press_write(pilot, "z")
    assert db_row(small_db, 31) is None
    assert db_events(small_db, issue_id=row["id"]) == []


async def test_undo_of_delete_brings_it_back(small_db):
    before = db_row(small_db, 2)
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 2)
        await press_write(pilot, "delete", "y")
        assert db_row(small_db, 2) is None
        await press_write(pilot, "z")
        await wait_for(pilot, lambda: current(app) is not None and current(app).number == 2, what="#2 selected")
    after = db_row(small_db, 2)
    assert after is not None and after["id"] == before["id"]
    for col in ("title", "description", "status", "priority", "issue_type", "agent", "created_at"):
        assert after[col] == before[col], col
    events = db_events(small_db, 2)
    assert events and events[-1][0] == ACTOR


# -- conflicts ----------------------------------------------------------------------------------------
async def test_conflict_priority_does_not_undo_a_fresh_claim(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "A", "all")
        await select(pilot, 3)
        loads = app.load_count
        other = Store.open(small_db, actor="agent:other")
        try:
            assert other.claim_issue(other.get_issue_by_number(3).id, "run-agent")
        finally:
            other.close()
        assert app.load_count == loads and current(app).status.value == "open"  # the app did not see it
        await press_write(pilot, "plus")
        row = db_row(small_db, 3)
        assert row["priority"] == "medium"
        assert row["status"] == "in_progress" and row["claimed_by"] == "run-agent"
        assert [e[:2] for e in db_events(small_db, 3)] == [("run-agent", "claimed")]
        warnings = [m for m, s in app.notes if s == "warning"]
        assert any("changed" in m and "#3" in m for m in warnings), app.notes
        await wait_for(pilot, lambda: current(app).number == 3 and current(app).claimed_by == "run-agent",
                       what="the fresh row")
        assert app.undo_stack == []


async def test_complete_already_completed_elsewhere(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "A", "all")
        await select(pilot, 3)
        other = Store.open(small_db, actor="agent:other")
        try:
            assert other.complete_issue(other.get_issue_by_number(3).id)
        finally:
            other.close()
        await pilot.press("c")
        await modal(pilot, ConfirmScreen)
        await press_write(pilot, "y")
        assert any("#3" in m and s == "warning" for m, s in app.notes), app.notes
        await wait_for(pilot, lambda: current(app).status.value == "done", what="the fresh row")
    assert db_events(small_db, 3) == [("agent:other", "completed", "open", "done")]
