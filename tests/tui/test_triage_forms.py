"""Keyboard triage (Textual pilot): the new-issue and edit forms (defaults, invalid input writes nothing),
read-only mode and key remapping. Each test checks the file itself (raw sqlite3).

Waits are "until the app reports it" (writes_done counter, predicates, several-second deadline), never timings.
"""

from __future__ import annotations


import pytest
from textual.binding import Binding
from textual.widgets import Input, Select, Static, TextArea

from store import Priority, IssueType
from tui.config import Config
from tui.screens.confirm import ConfirmScreen
from tui.screens.forms import IssueForm
from tui.screens.help import HelpScreen
from tuitest_helpers import SIZE, started, static_text, wait_for
from triage_helpers import (ACTOR, NO_POLL, all_events, current, db_events, db_row, issue_count, make_app, modal,
                            no_modal, press_write, select)


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
