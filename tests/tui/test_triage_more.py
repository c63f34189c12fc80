"""Triage edge cases: bulk block/complete/delete and their undo, a bulk action where one row changed
underneath, `n` from an empty file or a view the new issue is not in, $EDITOR failures, undo of a create
someone else changed since, and the edit form on rows whose text has control characters.
"""

from __future__ import annotations

import sys

from textual.widgets import Input, TextArea

from store import Store
from tui.screens.confirm import ConfirmScreen
from tui.screens.forms import IssueForm, PromptScreen
from triage_helpers import (ACTOR, use_editor, all_events, current, db_events, db_row, issue_count, make_app, modal, no_modal,
                         press_write, select, view)
from tuitest_helpers import SIZE, issue_list, started, wait_for


async def mark_first_three_of_all(pilot) -> None:
    app = pilot.app
    await view(pilot, "A", "all")
    assert current(app).number == 1
    await pilot.press("space", "space", "space")
    assert len(issue_list(app).marked) == 3


async def test_bulk_block_one_reason_each_row_and_one_undo(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await mark_first_three_of_all(pilot)
        await pilot.press("b")
        await modal(pilot, PromptScreen)
        await pilot.press(*"release freeze")
        await press_write(pilot, "enter")
        for n in (1, 2, 3):
            assert db_row(small_db, n)["blocked_reason"] == "release freeze"
            assert db_events(small_db, n) == [(ACTOR, "blocked", None, "release freeze")]
        assert len(app.undo_stack) == 1
        await press_write(pilot, "z")
    for n in (1, 2, 3):
        row = db_row(small_db, n)
        assert row["is_blocked"] == 0 and row["blocked_reason"] is None
        assert [e[1] for e in db_events(small_db, n)] == ["blocked", "restored:is_blocked", "restored:blocked_reason"]


async def test_bulk_complete_and_delete(small_db):
    ids = {n: db_row(small_db, n)["id"] for n in (1, 2, 3, 5, 6, 7)}
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await mark_first_three_of_all(pilot)
        await pilot.press("c")
        await modal(pilot, ConfirmScreen)
        await press_write(pilot, "y")
        assert [db_row(small_db, n)["status"] for n in (1, 2, 3)] == ["done"] * 3
        await select(pilot, 5)
        await pilot.press("space", "space", "space")
        assert {i.number for i in issue_list(app).targets()} == {5, 6, 7}
        await pilot.press("delete")
        await modal(pilot, ConfirmScreen)
        await press_write(pilot, "y")
        assert [db_row(small_db, n) for n in (5, 6, 7)] == [None] * 3
        await press_write(pilot, "z")  # one undo brings all three back
        assert [db_row(small_db, n)["id"] for n in (5, 6, 7)] == [ids[5], ids[6], ids[7]]
    assert issue_count(small_db) == 29
    for n in (1, 2, 3):
        assert db_events(small_db, n) == [(ACTOR, "completed", "open", "done")]


async def test_bulk_with_one_row_changed_underneath(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await mark_first_three_of_all(pilot)
        other = Store.open(small_db, actor="agent:other")
        try:
            assert other.claim_issue(other.get_issue_by_number(2).id, "run-agent")
        finally:
            other.close()
        await press_write(pilot, "1")
        assert any("#2" in m and "changed" in m and s == "warning" for m, s in app.notes), app.notes
    assert db_row(small_db, 1)["priority"] == "urgent" and db_row(small_db, 3)["priority"] == "urgent"
    row = db_row(small_db, 2)
    assert row["priority"] == "medium" and row["claimed_by"] == "run-agent"
    assert [e[:2] for e in db_events(small_db, 2)] == [("run-agent", "claimed")]


async def test_new_issue_in_an_empty_file(tmp_path):
    path = tmp_path / "empty.db"
    app = make_app(path, create=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        assert current(app) is None
        await pilot.press("n")
        await modal(pilot, IssueForm)
        await pilot.press(*"First ever")
        await press_write(pilot, "enter")
        await wait_for(pilot, lambda: current(app) is not None and current(app).number == 1, what="#1 selected")
    assert db_row(path, 1)["title"] == "First ever"
    assert db_events(path, 1) == [(ACTOR, "created", None, "First ever")]


async def test_new_issue_from_done_view_is_selected_in_all(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "D", "done")
        await pilot.press("n")
        await modal(pilot, IssueForm)
        await pilot.press(*"Not done yet")
        await press_write(pilot, "enter")
        new_id = db_row(small_db, 31)["id"]
        await wait_for(pilot, lambda: current(app) is not None and current(app).id == new_id, what="new selected")
        assert app.query_state.view == "all"


async def test_external_editor_failure_writes_nothing(small_db, tmp_path, monkeypatch):
    use_editor(tmp_path, monkeypatch, "import sys\nopen(sys.argv[1], 'w').write('half done')\nsys.exit(3)\n")
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 2)
        await pilot.press("E")
        await wait_for(pilot, lambda: any("exited with 3" in m for m, _ in app.notes), what="the warning")
        assert app.writes_done == 0
    assert all_events(small_db) == 0


async def test_external_editor_too_long_or_unchanged_writes_nothing(small_db, tmp_path, monkeypatch):
    use_editor(tmp_path, monkeypatch, "import sys\nopen(sys.argv[1], 'w').write('x' * 10001)\n")
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 2)
        await pilot.press("E")
        await wait_for(pilot, lambda: any("10001" in m and s == "error" for m, s in app.notes), what="the error")
        use_editor(tmp_path, monkeypatch, "pass\n", "keep.py")
        await pilot.press("E")
        await wait_for(pilot, lambda: any("unchanged" in m for m, _ in app.notes), what="unchanged")
        assert app.writes_done == 0
    assert all_events(small_db) == 0
    assert db_row(small_db, 2)["description"] == "Details for issue 2.\nSecond line."


async def test_undo_of_create_changed_elsewhere_is_not_deleted(small_db):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("n")
        await modal(pilot, IssueForm)
        await pilot.press(*"Agent will take it")
        await press_write(pilot, "enter")
        other = Store.open(small_db, actor="agent:other")
        try:
            assert other.claim_issue(other.get_issue_by_number(31).id, "run-agent")
        finally:
            other.close()
        await press_write(pilot, "z")
        assert any("#31" in m and "changed" in m for m, _ in app.notes), app.notes
    row = db_row(small_db, 31)
    assert row is not None and row["claimed_by"] == "run-agent"


async def test_undo_of_action_on_a_new_issue_then_of_the_create(small_db):
    """n, then + on the new issue, then z z: priority restored, then the issue deleted."""
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("n")
        await modal(pilot, IssueForm)
        await pilot.press(*"Temp")
        await press_write(pilot, "enter")
        new_id = db_row(small_db, 31)["id"]
        await wait_for(pilot, lambda: current(app) is not None and current(app).id == new_id, what="new selected")
        await press_write(pilot, "plus")
        assert db_row(small_db, 31)["priority"] == "high"
        await press_write(pilot, "z")
        assert db_row(small_db, 31)["priority"] == "medium"
        await press_write(pilot, "z")
        assert db_row(small_db, 31) is None, app.notes


async def test_edit_form_untouched_text_with_controls_writes_nothing(edge_db):
    """Edge #4's title has a tab and a trailing space: saving the form unchanged must not rewrite it."""
    before = db_row(edge_db, 4)
    app = make_app(edge_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 4)
        await pilot.press("e")
        await modal(pilot, IssueForm)
        await pilot.press("ctrl+s")
        await no_modal(pilot)
        await wait_for(pilot, lambda: any("Nothing changed" in m for m, _ in app.notes), what="the notice")
        assert app.writes_done == 0
    assert db_row(edge_db, 4) == before
    assert all_events(edge_db) == 0


async def test_edit_form_description_only_keeps_odd_title(edge_db):
    before = db_row(edge_db, 4)
    app = make_app(edge_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 4)
        await pilot.press("e")
        form = await modal(pilot, IssueForm)
        form.query_one("#form-description", TextArea).load_text("only this")
        await press_write(pilot, "ctrl+s")
    row = db_row(edge_db, 4)
    assert row["title"] == before["title"] and row["description"] == "only this"
    assert [e[1] for e in db_events(edge_db, 4)] == ["description"]


async def test_agent_prompt_untouched_keeps_agent(edge_db):
    """Edge #4's agent is "Codex": enter on the untouched prompt is "already that agent", nothing written."""
    app = make_app(edge_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 4)
        await pilot.press("a")
        screen = await modal(pilot, PromptScreen)
        assert screen.query_one("#prompt-input", Input).value == "Codex"
        await press_write(pilot, "enter")
    assert db_row(edge_db, 4)["agent"] == "Codex"
    assert all_events(edge_db) == 0


async def test_edit_description_of_issue_with_long_stored_title(edge_db):
    """Edge #3's title is 640 characters (the crate allowed it): `e` still edits the description, title kept."""
    before = db_row(edge_db, 3)
    assert len(before["title"]) > 200
    app = make_app(edge_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 3)
        await pilot.press("e")
        form = await modal(pilot, IssueForm)
        form.query_one("#form-description", TextArea).load_text("new notes")
        await press_write(pilot, "ctrl+s")
        await no_modal(pilot)
    row = db_row(edge_db, 3)
    assert row["title"] == before["title"] and row["description"] == "new notes"
    assert db_events(edge_db, 3) == [(ACTOR, "description", None, "new notes")]


async def test_edit_long_stored_title_changed_is_still_checked(edge_db):
    """Typing into that 640-character title makes it new input: the 200-character rule applies."""
    app = make_app(edge_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 3)
        await pilot.press("e")
        form = await modal(pilot, IssueForm)
        title = form.query_one("#form-title", Input)
        title.value = title.value + "!"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        from tuitest_helpers import static_text
        assert "at most 200" in static_text(form.query_one("#error-title"))
        await pilot.press("escape")
        await no_modal(pilot)
        assert app.writes_done == 0
    assert all_events(edge_db) == 0
