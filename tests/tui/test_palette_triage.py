"""The command palette offers triage on the selected/marked issues (with the real key) only when it makes
sense: never in read-only mode, and the action it runs writes through the store like the key does."""

from __future__ import annotations

from textual.command import CommandPalette

from store import Store
from tui.app import IssuesApp
from tui.config import Config
from tuitest_helpers import SIZE, issue_list, started, wait_for


def palette_texts(app) -> list[str]:
    return [text for text, _cb, _help in app.extra_commands()]


async def test_palette_lowers_priority_of_selected(small_db):
    app = IssuesApp(small_db, watch=False, actor="tui:tester",
                    config=Config(poll_seconds=3600, keymap={"issue.priority_down": "ctrl+d"}))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        first = issue_list(app).current
        texts = palette_texts(app)
        assert f"Lower priority one step — #{first.number}" in texts
        entry = next(e for e in app.extra_commands() if e[0].startswith("Lower priority"))
        assert entry[2] == "key: ^d"  # the remapped key, not the default
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"lower priority")
        await pilot.pause(0.3)
        done = app.writes_done
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.writes_done > done)
        with Store.open(small_db, read_only=True) as s:
            fresh = s.get_issue_by_id(first.id)
            assert str(fresh.priority) == "high" and str(first.priority) == "urgent"
            assert [(e.actor, e.event_type, e.old_value, e.new_value) for e in s.issue_events(first.id)] == [
                ("tui:tester", "priority", "urgent", "high")]


async def test_palette_offers_no_writes_when_read_only(small_db):
    app = IssuesApp(small_db, watch=False, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert app.extra_commands() == []


async def test_palette_names_marked_issues(small_db):
    app = IssuesApp(small_db, watch=False, config=Config(poll_seconds=3600))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("space", "space")
        assert any(t.startswith("Complete (asks to confirm) — 2 marked issues") for t in palette_texts(app))
