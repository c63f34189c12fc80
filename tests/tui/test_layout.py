"""The issue list wins the space (issue 9 item 8): rows at every size from 40x12, the bottom panes and the detail
pane hide first (by themselves on short terminals, and with `v` / `d`), the DB path is on the status line at
120 columns, empty views say what to do, and with NO_COLOR the markers differ by style, not by grey."""

from __future__ import annotations

import pytest
from rich.style import Style

from store import Counts
from tui.app import IssuesApp
from tui.widgets.ready_queue import IssueList
from tui.widgets.status_bar import EMPTY_VIEW, status_text
from tuitest_helpers import list_lines, rich_to_text, settle, started, wait_for

WIDTHS = (40, 50, 60, 80, 100, 110, 120, 160, 200)
HEIGHTS = (12, 14, 16, 20, 24, 29, 30, 40, 50)


def shown_numbers(app) -> list[str]:
    return [line.split()[0] for line in list_lines(app.query_one(IssueList)) if line.strip()]


async def test_list_rows_at_every_size(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        rows = {}
        for w in WIDTHS:
            for h in HEIGHTS:
                await pilot.resize_terminal(w, h)
                await pilot.pause()
                rows[w, h] = app.query_one(IssueList).size.height
                assert rows[w, h] >= 1 and shown_numbers(app), (w, h, rows[w, h])
        assert rows[80, 24] >= 12 and len(shown_numbers_at(app)) >= 0
        assert rows[100, 20] >= 8
        assert rows[120, 40] >= 20
        # the bottom panes went first on short terminals, then the detail pane on tiny ones
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not app.query_one("#bottom").display and app.query_one("DetailPane").display
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert not app.query_one("DetailPane").display


def shown_numbers_at(app):
    return shown_numbers(app)


async def test_80x24_shows_twelve_issues(small_db, ready_numbers):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        assert [int(n) for n in shown_numbers(app)] == ready_numbers[:12]


async def test_pane_keys_toggle_and_the_list_takes_the_room(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        issues = app.query_one(IssueList)
        tall, wide = issues.size.height, issues.size.width
        assert app.query_one("#bottom").display
        await pilot.press("v")
        await pilot.pause()
        assert not app.query_one("#bottom").display and issues.size.height > tall
        await pilot.press("d")
        await pilot.pause()
        assert not app.query_one("DetailPane").display and issues.size.width > wide
        await pilot.press("v", "d")
        await pilot.pause()
        assert app.query_one("#bottom").display and app.query_one("DetailPane").display
        assert (issues.size.height, issues.size.width) == (tall, wide)
        # short terminal: hidden by themselves; `v` brings them back
        await pilot.resize_terminal(100, 24)
        await pilot.pause()
        assert not app.query_one("#bottom").display
        await pilot.press("v")
        await pilot.pause()
        assert app.query_one("#bottom").display
        ids = {b.id: b for _k, b in app._bindings if b.id}
        assert ids["app.bottom_panes"].tooltip and ids["app.detail_pane"].tooltip


def test_db_path_is_visible_at_120_columns():
    path = "/home/someone/code/openagents/crates/autopilot/data/autopilot.db"
    counts = Counts(open=1_000_000, ready=999_999, in_progress=100_000, blocked=300_000, done=7_000_000,
                    stale=12_345, total=8_400_000)
    line = rich_to_text(status_text(path, 5, "wal", None, counts, 1.0e9, True, None), 120).splitlines()[0]
    assert path in line and "v5 wal" in line
    long = "/very/long/" + "nested/" * 20 + "autopilot.db"
    line = rich_to_text(status_text(long, 5, "wal", None, counts, 1.0e9, True, None), 120).splitlines()[0]
    assert "autopilot.db v5 wal" in line and line.count("…") >= 1


@pytest.mark.parametrize("view", sorted(EMPTY_VIEW))
async def test_empty_views_say_what_to_do(tmp_path, view):
    app = IssuesApp(tmp_path / "new.db", create=True, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        key = {"ready": "R", "in_progress": "I", "blocked": "B", "done": "D", "stale": "S", "all": "A"}[view]
        await pilot.press(key)
        await settle(pilot)
        first = list_lines(app.query_one(IssueList))[0]
        assert EMPTY_VIEW[view][:40] in first


async def test_a_filter_that_matches_nothing_says_how_to_clear_it(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("slash", *"zzzqqq")
        await wait_for(pilot, lambda: app.snapshot is not None and app.snapshot.total == 0, what="no match")
        await settle(pilot)
        first = list_lines(app.query_one(IssueList))[0]
        assert "match" in first and "escape clears" in first


def _row_style(app, number: int, word: str) -> Style:
    """The style of `word` in the list row of issue `number`."""
    issues = app.query_one(IssueList)
    for y in range(issues.size.height):
        segments = list(issues.render_line(y))
        text = "".join(s.text for s in segments)
        if text.split() and text.split()[0] == str(number):
            for seg in segments:
                if word in seg.text:
                    return seg.style or Style()
    raise AssertionError(f"#{number} {word!r} not drawn")


async def test_no_color_keeps_markers_apart(edge_db, monkeypatch):
    """NO_COLOR=1: urgent, blocked, STALE and DEAD differ by bold / italic / reverse / symbols, not grey."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = IssuesApp(edge_db, watch=False, pid_alive=lambda pid: False)
    async with app.run_test(size=(160, 50)) as pilot:
        await started(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert app.screen.has_class("-no-color")
        plain = _row_style(app, 2, "medium")
        urgent = _row_style(app, 5, "urgent")
        stale = _row_style(app, 5, "STALE")
        assert urgent.bold and urgent.underline and not plain.bold
        assert stale.reverse and stale.bold
        for style in (urgent, stale):  # the normal text colour, not a dark grey
            assert style.color is None or style.color.get_truecolor().red > 150


async def test_no_color_blocked_and_dead(small_db, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = IssuesApp(small_db, watch=False, pid_alive=lambda pid: False)
    async with app.run_test(size=(160, 50)) as pilot:
        await started(pilot)
        await pilot.press("B")
        await wait_for(pilot, lambda: app.snapshot.query.view == "blocked" and app.snapshot.total > 0, what="blocked")
        await settle(pilot)
        issues = app.query_one(IssueList)
        segments = list(issues.render_line(1))  # not the cursor row
        blocked = next(s for s in segments if "⊘" in s.text or (s.style and s.style.italic))
        assert "⊘" in "".join(s.text for s in segments) and blocked.style.italic
        from textual.strip import Strip
        pane = app.query_one("SessionsPane")
        lines = [pane.render_line(y) for y in range(pane.size.height)]
        dead = [s for line in lines for s in line if "DEAD" in s.text]
        assert dead and all(s.style.reverse and s.style.bold for s in dead)


@pytest.mark.parametrize("size", [(60, 30), (120, 40), (80, 14)])
async def test_full_detail_fills_the_screen_even_with_the_pane_hidden(small_db, size):
    from tui.widgets.detail import DetailPane
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        if app.query_one(DetailPane).display:
            await pilot.press("d")  # hidden: enter still shows the issue full screen
            await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen.maximized, DetailPane), what="full detail")
        await pilot.pause()
        detail = app.query_one(DetailPane)
        assert detail.display and detail.region.width == size[0] and detail.region.height >= size[1] - 2
