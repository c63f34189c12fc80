"""Keyboard triage driven by keys (Textual pilot): every write key (block, priority, type, agent, complete,
reopen, release, edit, delete). Each test checks the file itself (raw sqlite3) and the issue_events row;
bulk marks, undo and conflicts are in test_triage_undo.py, forms, read-only mode and key remapping in
test_triage_forms.py.

Waits are "until the app reports it" (writes_done counter, predicates, several-second deadline), never timings.
"""

from __future__ import annotations


import pytest
from textual.widgets import Input, Static, TextArea

from store import Store
from tui.screens.confirm import ConfirmScreen
from tui.screens.forms import IssueForm, PromptScreen
from tuitest_helpers import SIZE, issue_list, started, static_text, wait_for
from triage_helpers import (ACTOR, use_editor, all_events, current, db_events, db_row, make_app, modal, no_modal,
                            press_write, select, view)


# -- block / unblock --------------------------------------------------------------------------------
async def test_block_with_reason(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 3)
        await pilot.press("b")
        await modal(pilot, PromptScreen)
        await pilot.press(*"waiting on #2")
        await press_write(pilot, "enter")
        await no_modal(pilot)
    row = db_row(small_db, 3)
    assert row["is_blocked"] == 1 and row["blocked_reason"] == "waiting on #2"
    assert db_events(small_db, 3) == [(ACTOR, "blocked", None, "waiting on #2")]


async def test_block_escape_writes_nothing(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 3)
        await pilot.press("b")
        await modal(pilot, PromptScreen)
        await pilot.press(*"never mind", "escape")
        await no_modal(pilot)
        await pilot.pause()
        assert app.writes_done == 0
    assert db_row(small_db, 3)["is_blocked"] == 0
    assert all_events(small_db) == 0


@pytest.mark.parametrize("typed", ["", "   "])
async def test_block_without_reason_shows_error_and_writes_nothing(small_db, typed):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 3)
        await pilot.press("b")
        screen = await modal(pilot, PromptScreen)
        if typed:
            await pilot.press(*typed)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen, "the prompt stays open"
        assert "reason" in static_text(screen.query_one("#prompt-error", Static))
        assert screen.query_one("#prompt-input", Input).value == typed, "what the user typed is kept"
        await pilot.press("escape")
        await no_modal(pilot)
        assert app.writes_done == 0
    assert db_row(small_db, 3)["is_blocked"] == 0
    assert all_events(small_db) == 0


async def test_unblock(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "B", "blocked")
        await select(pilot, 14)
        await press_write(pilot, "u")
    row = db_row(small_db, 14)
    assert row["is_blocked"] == 0 and row["blocked_reason"] is None
    assert db_events(small_db, 14) == [(ACTOR, "unblocked", "Blocked mid-run", None)]


# -- priority, type, agent --------------------------------------------------------------------------
@pytest.mark.parametrize("key,number,old,new", [("plus", 3, "medium", "high"), ("minus", 3, "medium", "low"),
                                                 ("plus", 27, "high", "urgent"), ("minus", 1, "low", None)])
async def test_priority_step(small_db, key, number, old, new):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, number)
        await press_write(pilot, key)
    if new is None:  # already at the bottom: refused, nothing written
        assert db_row(small_db, number)["priority"] == old
        assert db_events(small_db, number) == []
        assert any("already low" in m and s == "warning" for m, s in app.notes)
    else:
        assert db_row(small_db, number)["priority"] == new
        assert db_events(small_db, number) == [(ACTOR, "priority", old, new)]


@pytest.mark.parametrize("key,number,old,new", [("1", 1, "low", "urgent"), ("2", 1, "low", "high"),
                                                 ("3", 1, "low", "medium"), ("4", 3, "medium", "low")])
async def test_priority_digits(small_db, key, number, old, new):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, number)
        await press_write(pilot, key)
    assert db_row(small_db, number)["priority"] == new
    assert db_events(small_db, number) == [(ACTOR, "priority", old, new)]


async def test_type_cycles_task_bug_feature_task(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 3)
        seen = []
        for _ in range(3):
            await press_write(pilot, "t")
            await wait_for(pilot, lambda: current(app).issue_type.value == db_row(small_db, 3)["issue_type"],
                           what="the fresh row")
            seen.append(db_row(small_db, 3)["issue_type"])
    assert seen == ["bug", "feature", "task"]
    assert db_events(small_db, 3) == [(ACTOR, "issue_type", "task", "bug"), (ACTOR, "issue_type", "bug", "feature"),
                                      (ACTOR, "issue_type", "feature", "task")]


async def test_set_agent_prompt_prefilled(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 3)
        await pilot.press("a")
        screen = await modal(pilot, PromptScreen)
        box = screen.query_one("#prompt-input", Input)
        assert box.value == "claude"
        box.value = ""
        await pilot.press(*"codex")
        await press_write(pilot, "enter")
    assert db_row(small_db, 3)["agent"] == "codex"
    assert db_events(small_db, 3) == [(ACTOR, "agent", "claude", "codex")]


# -- complete / reopen / release --------------------------------------------------------------------
async def test_complete_confirmed_with_y(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 3)
        await pilot.press("c")
        screen = await modal(pilot, ConfirmScreen)
        assert screen.focused.id == "no"
        await press_write(pilot, "y")
    row = db_row(small_db, 3)
    assert row["status"] == "done" and row["completed_at"]
    assert db_events(small_db, 3) == [(ACTOR, "completed", "open", "done")]


async def test_complete_enter_means_no(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 3)
        await pilot.press("c")
        await modal(pilot, ConfirmScreen)
        await pilot.press("enter")
        await no_modal(pilot)
        await pilot.pause()
        assert app.writes_done == 0
    assert db_row(small_db, 3)["status"] == "open"
    assert all_events(small_db) == 0


async def test_reopen_in_progress_unclaims(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "I", "in_progress")
        issue = current(app)
        assert issue.status.value == "in_progress"
        await press_write(pilot, "o")
    row = db_row(small_db, issue.number)
    assert row["status"] == "open" and row["claimed_by"] is None and row["claimed_at"] is None
    assert db_events(small_db, issue.number) == [(ACTOR, "unclaimed", issue.claimed_by, None)]


async def test_reopen_done(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "D", "done")
        issue = current(app)
        assert issue.status.value == "done"
        await press_write(pilot, "o")
    row = db_row(small_db, issue.number)
    assert row["status"] == "open" and row["completed_at"] is None
    assert db_events(small_db, issue.number) == [(ACTOR, "reopened", "done", "open")]


async def test_reopen_refused_on_open_issue(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 3)
        await pilot.press("o")  # refused at once, from the row on screen: nothing is queued
        await wait_for(pilot, lambda: any(s == "warning" and "#3" in m for m, s in app.notes), what="why")
        assert app.writes_done == 0
    assert db_row(small_db, 3)["status"] == "open"
    assert all_events(small_db) == 0
    assert any(s == "warning" and "#3" in m for m, s in app.notes)


async def test_release_stale_claim(edge_db):
    app = make_app(edge_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "S", "stale")
        assert current(app).number == 5
        await press_write(pilot, "x")
    row = db_row(edge_db, 5)
    assert row["status"] == "open" and row["claimed_by"] is None
    assert db_events(edge_db, 5) == [(ACTOR, "released", "run-stale", None)]


async def test_release_refused_on_fresh_claim(small_db):
    other = Store.open(small_db, actor="agent:other")
    try:
        assert other.claim_issue(other.get_issue_by_number(3).id, "run-fresh")
    finally:
        other.close()
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "I", "in_progress")
        await select(pilot, 3)
        await pilot.press("x")  # refused at once, from the row on screen: nothing is queued
        await wait_for(pilot, lambda: any(s == "warning" and "not stale" in m for m, s in app.notes), what="why")
        assert app.writes_done == 0
    row = db_row(small_db, 3)
    assert row["status"] == "in_progress" and row["claimed_by"] == "run-fresh"
    assert [e[1] for e in db_events(small_db, 3)] == ["claimed"]
    assert any(s == "warning" and "not stale" in m for m, s in app.notes)


# -- edit / $EDITOR / delete ------------------------------------------------------------------------
async def test_edit_form_saves_title_and_description(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 2)
        await pilot.press("e")
        form = await modal(pilot, IssueForm)
        title = form.query_one("#form-title", Input)
        assert title.value == "Document session lifecycle (2)"
        assert form.query_one("#form-description", TextArea).text == "Details for issue 2.\nSecond line."
        title.value = "Renamed"
        form.query_one("#form-description", TextArea).load_text("New body")
        await press_write(pilot, "ctrl+s")
        await no_modal(pilot)
    row = db_row(small_db, 2)
    assert (row["title"], row["description"]) == ("Renamed", "New body")
    assert db_events(small_db, 2) == [
        (ACTOR, "title", "Document session lifecycle (2)", "Renamed"),
        (ACTOR, "description", "Details for issue 2.\nSecond line.", "New body")]


async def test_edit_in_external_editor(small_db, tmp_path, monkeypatch):
    use_editor(tmp_path, monkeypatch, "import sys\nopen(sys.argv[1], 'w', encoding='utf-8').write('Written by the editor\\n')\n")
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 2)
        await press_write(pilot, "E")
    assert db_row(small_db, 2)["description"] == "Written by the editor\n"
    assert db_events(small_db, 2) == [(ACTOR, "description", "Details for issue 2.\nSecond line.",
                                       "Written by the editor\n")]


async def test_delete_confirmed_with_y(small_db):
    issue_id = db_row(small_db, 2)["id"]
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 2)
        await press_write(pilot, "d" if False else "delete", "y")
        assert 2 not in [i.number for i in issue_list(app).rows]
    assert db_row(small_db, 2) is None
    assert db_events(small_db, issue_id=issue_id) == []


async def test_delete_enter_keeps_it(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 2)
        await pilot.press("delete")
        screen = await modal(pilot, ConfirmScreen)
        assert screen.focused.id == "no"
        await pilot.press("enter")
        await no_modal(pilot)
        await pilot.pause()
        assert app.writes_done == 0
    assert db_row(small_db, 2) is not None
