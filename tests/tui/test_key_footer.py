"""The key footer (one widget, tui/widgets/footer.py) does what Textual's Footer of one widget per key did:
draws the shown keys and the palette key at the right edge, presses a key on a click (a disabled one rings
the bell), highlights the key under the mouse and shows its tooltip, and follows the bindings."""

from __future__ import annotations

from textual.widgets import Input

from tui.app import IssuesApp
from tui.screens.help import HelpScreen
from tui.widgets.footer import KeyFooter
from tuitest_helpers import started, wait_for


def footer_line(app) -> str:
    footer = app.query_one(KeyFooter)
    return footer.render_line(0).text


def x_of(app, label: str) -> int:
    return footer_line(app).index(label)


async def test_keys_and_the_palette_at_the_right_edge(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await started(pilot)
        line = footer_line(app)
        assert line.startswith(" ? Help  q Quit  r Refresh")
        assert line.endswith("▏^p palette ") and len(line) == 120
        assert " n New  b Block  c Complete  z Undo " in line


async def test_narrow_terminal_cuts_keys_but_keeps_the_palette(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(50, 24)) as pilot:
        await started(pilot)
        line = footer_line(app)
        assert len(line) == 50 and line.endswith("▏^p palette ") and line.startswith(" ? Help  q Quit")
        assert "z Undo" not in line


async def test_a_click_presses_the_key(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await started(pilot)
        await pilot.click(KeyFooter, offset=(x_of(app, "? Help") + 1, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")


async def test_a_click_on_the_palette_key_opens_the_palette(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await started(pilot)
        await pilot.click(KeyFooter, offset=(x_of(app, "^p") + 1, 0))
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandPalette", what="the palette")


async def test_disabled_keys_are_dim_and_ring_the_bell(small_db):
    app = IssuesApp(small_db, watch=False, read_only=True)
    bells = []
    async with app.run_test(size=(120, 30)) as pilot:
        await started(pilot)
        app.bell = lambda: bells.append(1)
        footer = app.query_one(KeyFooter)
        segments = {seg.text.strip(): seg.style for seg in footer.render_line(0) if seg.text.strip()}
        assert segments["n"].dim and segments["Complete"].dim  # write keys: shown disabled
        assert not segments["q"].dim and not segments["Quit"].dim
        screen_before = app.screen
        await pilot.click(KeyFooter, offset=(x_of(app, " n New") + 1, 0))
        await pilot.pause(0.1)
        assert bells == [1] and app.screen is screen_before


async def test_hover_highlights_the_key_and_shows_its_tooltip(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await started(pilot)
        footer = app.query_one(KeyFooter)
        plain = {seg.text: seg.style for seg in footer.render_line(0)}
        await pilot.hover(KeyFooter, offset=(x_of(app, "r Refresh") + 1, 0))
        await pilot.pause(0.05)
        assert footer.tooltip == "Reload from the file now"
        hovered = {seg.text: seg.style for seg in footer.render_line(0)}
        assert hovered["Refresh "].bgcolor != plain["Refresh "].bgcolor
        assert hovered["Quit "] == plain["Quit "]  # only the key under the mouse
        await pilot.hover(KeyFooter, offset=(x_of(app, "^p") + 1, 0))
        await pilot.pause(0.05)
        assert "palette" in footer.tooltip.lower()


async def test_it_follows_the_focused_bindings(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await started(pilot)
        before = footer_line(app)
        await pilot.press("slash")  # the search field takes the focus: its own keys, and the app's still shown
        await wait_for(pilot, lambda: isinstance(app.focused, Input), what="the search field")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.focused, Input), what="the list again")
        assert footer_line(app) == before
