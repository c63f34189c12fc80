"""Keyboard triage driven by keys (Textual pilot): every write key, bulk marks, undo, conflicts, forms,
read-only mode and key remapping. Each test checks the file itself (raw sqlite3) and the issue_events row.

Waits are "until the app reports it" (writes_done counter, predicates, several-second deadline), never timings.
"""

from __future__ import annotations

import sqlite3
import sys

import pytest
from textual.binding import Binding
from textual.widgets import Input, Select, Static, TextArea

from store import Priority, IssueType, Store
from tui.app import IssuesApp
from tui.config import Config
from tui.screens.confirm import ConfirmScreen
from tui.screens.forms import IssueForm, PromptScreen
from tui.screens.help import HelpScreen
from tuitest_helpers import SIZE, issue_list, record_notes, select_number, settle, started, static_text, wait_for

ACTOR = "tui:tester"
NO_POLL = 3600.0  # nothing reloads behind the test's back (watch=False too)


# -- helpers ------------------------------------------------------------------------------------------
def make_app(path, **kw) -> IssuesApp:
    kw.setdefault("config", Config(poll_seconds=NO_POLL))
    return record_notes(IssuesApp(path, watch=False, actor=ACTOR, **kw))  # app.notes: (message, severity)


def db_row(path, number: int) -> dict | None:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        row = con.execute("SELECT * FROM issues WHERE number = ?", (number,)).fetchone()
        return dict(row) if row else None
    finally:
        con.close()


def db_events(path, number: int | None = None, issue_id: str | None = None) -> list[tuple]:
    """(actor, event_type, old_value, new_value) of the issue's events, in insertion order."""
    con = sqlite3.connect(path)
    try:
        if issue_id is None:
            row = con.execute("SELECT id FROM issues WHERE number = ?", (number,)).fetchone()
            if row is None:
                return []
            issue_id = row[0]
        return con.execute("SELECT actor, event_type, old_value, new_value FROM issue_events WHERE issue_id = ? "
                           "ORDER BY rowid", (issue_id,)).fetchall()
    finally:
        con.close()


def _count(path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def all_events(path) -> int:
    return _count(path, "issue_events")


def issue_count(path) -> int:
    return _count(path, "issues")


def use_editor(tmp_path, monkeypatch, code: str, name: str = "editor.py"):
    """Point $EDITOR at a small Python script (and clear $VISUAL, which would win)."""
    script = tmp_path / name
    script.write_text(code)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    return script


select = select_number  # select #number (in the current view, else in "all") and wait for it


async def view(pilot, key: str, name: str) -> None:
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: app.snapshot.query.view == name, what=f"view {name}")
    await settle(pilot)


async def written(pilot, before: int, count: int = 1) -> None:
    """Wait until `count` more writes ran on the writer thread and the app reloaded after them."""
    app = pilot.app
    await wait_for(pilot, lambda: app.writes_done >= before + count, what=f"{count} write(s) after {before}")
    await pilot.pause()
    await settle(pilot)


async def press_write(pilot, *keys: str, count: int = 1) -> None:
    before = pilot.app.writes_done
    await pilot.press(*keys)
    await written(pilot, before, count)


async def modal(pilot, kind) -> object:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, kind), what=kind.__name__)
    await pilot.pause()
    return app.screen


async def no_modal(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the modal to close")


def current(app):
    return issue_list(app).current


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


# -- new issue form -----------------------------------------------------------------------------------
async def test_new_issue_enter_saves_and_selects(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("n")
        form = await modal(pilot, IssueForm)
        assert form.focused is form.query_one("#form-title", Input)
        await pilot.press(*"Brand new")
        await press_write(pilot, "enter")
        row = db_row(small_db, 31)
        assert row["title"] == "Brand new"
        await wait_for(pilot, lambda: current(app) is not None and current(app).id == row["id"], what="new selected")
    assert (row["priority"], row["issue_type"], row["agent"]) == ("medium", "task", "codex")
    assert db_events(small_db, 31) == [(ACTOR, "created", None, "Brand new")]


async def test_new_issue_defaults_remembered_and_from_config(small_db):
    config = Config(poll_seconds=NO_POLL, new_issue={"priority": "high", "type": "bug", "agent": "claude"})
    app = make_app(small_db, config=config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("n")
        form = await modal(pilot, IssueForm)
        assert form.query_one("#form-priority", Select).value == Priority.HIGH
        assert form.query_one("#form-type", Select).value == IssueType.BUG
        assert form.query_one("#form-agent", Input).value == "claude"
        form.query_one("#form-priority", Select).value = Priority.LOW
        form.query_one("#form-type", Select).value = IssueType.FEATURE
        form.query_one("#form-agent", Input).value = "gemini"
        await pilot.press(*"First")
        await press_write(pilot, "ctrl+s")
        await no_modal(pilot)
        await pilot.press("n")
        form = await modal(pilot, IssueForm)
        assert form.query_one("#form-priority", Select).value == Priority.LOW
        assert form.query_one("#form-type", Select).value == IssueType.FEATURE
        assert form.query_one("#form-agent", Input).value == "gemini"
        assert form.query_one("#form-title", Input).value == ""
        await pilot.press("escape")
        await no_modal(pilot)
    row = db_row(small_db, 31)
    assert (row["title"], row["priority"], row["issue_type"], row["agent"]) == ("First", "low", "feature", "gemini")
    assert issue_count(small_db) == 30


@pytest.mark.parametrize("field,title,description,message", [
    ("title", "   ", "", "title must not be empty"),
    ("title", "x" * 201, "", "title is 201 characters; at most 200 allowed"),
    ("description", "Fine", "d" * 10_001, "description is 10001 characters; at most 10000 allowed"),
], ids=["blank-title", "title-201", "description-10001"])
async def test_new_issue_invalid_input_writes_nothing(small_db, field, title, description, message):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("n")
        form = await modal(pilot, IssueForm)
        form.query_one("#form-title", Input).value = title
        form.query_one("#form-description", TextArea).load_text(description)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form, "the form stays open"
        assert message in static_text(form.query_one(f"#error-{field}", Static))
        other = "description" if field == "title" else "title"
        assert static_text(form.query_one(f"#error-{other}", Static)).strip() == ""
        assert form.query_one("#form-title", Input).value == title
        assert form.query_one("#form-description", TextArea).text == description
        form.query_one("#form-title", Input).focus()
        await pilot.press("enter")  # enter on the title: same check
        await pilot.pause()
        assert app.screen is form
        await pilot.press("escape")
        await no_modal(pilot)
        assert app.writes_done == 0
    assert issue_count(small_db) == 29
    assert all_events(small_db) == 0


async def test_edit_form_invalid_title_writes_nothing(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 2)
        await pilot.press("e")
        form = await modal(pilot, IssueForm)
        form.query_one("#form-title", Input).value = " \t "
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "title must not be empty" in static_text(form.query_one("#error-title", Static))
        assert form.query_one("#form-title", Input).value == " \t "
        await pilot.press("escape")
        await no_modal(pilot)
        assert app.writes_done == 0
    assert db_row(small_db, 2)["title"] == "Document session lifecycle (2)"
    assert all_events(small_db) == 0


# -- read-only ----------------------------------------------------------------------------------------
async def _read_only_checks(app, path) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        assert app.store.read_only
        assert app.check_action("block", ()) is None
        assert app.check_action("new_issue", ()) is None
        for key in ("b", "c", "n", "plus", "1", "t", "delete", "z"):
            await pilot.press(key)
            await pilot.pause()
            assert len(app.screen_stack) == 1, f"{key} opened {app.screen}"
        assert app.writes_done == 0
        assert "READ-ONLY" in static_text(app.query_one("#status", Static))
    assert all_events(path) == 0


async def test_read_only_flag_disables_write_keys(small_db):
    before = db_row(small_db, 10)
    await _read_only_checks(make_app(small_db, read_only=True), small_db)
    assert db_row(small_db, 10) == before


@pytest.mark.skipif(hasattr(__import__("os"), "geteuid") and __import__("os").geteuid() == 0,
                    reason="root can write a 0o444 file")
async def test_read_only_file_disables_write_keys(small_db):
    small_db.chmod(0o444)
    try:
        await _read_only_checks(make_app(small_db), small_db)
    finally:
        small_db.chmod(0o644)


# -- keymap ---------------------------------------------------------------------------------------------
async def test_keymap_remaps_complete(small_db):
    config = Config(poll_seconds=NO_POLL, keymap={"issue.complete": "ctrl+k"})
    app = make_app(small_db, config=config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 3)
        ctrl_k = app.get_key_display(Binding("ctrl+k", "complete"))  # "^k"
        rows = {binding_id: key for key, _desc, binding_id in app.binding_rows()}
        assert rows["issue.complete"] == ctrl_k
        assert rows["issue.block"] == "b"
        await pilot.press("question_mark")
        help_screen = await modal(pilot, HelpScreen)
        line = next(l for l in static_text(help_screen.query_one(Static)).splitlines() if "issue.complete" in l)
        assert line.split()[0] == ctrl_k
        await pilot.press("escape")
        await no_modal(pilot)
        await pilot.press("c")  # no longer bound
        await pilot.pause()
        assert len(app.screen_stack) == 1
        await pilot.press("ctrl+k")
        await modal(pilot, ConfirmScreen)
        await press_write(pilot, "y")
    assert db_row(small_db, 3)["status"] == "done"
    assert db_events(small_db, 3) == [(ACTOR, "completed", "open", "done")]
