"""Hostile agent-written text: shown literally everywhere, never interpreted, never reaching the terminal.

One test runs the REAL app under a pseudo-terminal and parses every byte it writes; the pilot tests check
what each pane, dialog, toast and the palette shows, and that markup-looking text cannot be clicked.
"""

from __future__ import annotations

import sqlite3

from textual.widgets import Input, Static, TextArea

from store import Store
from tui.text import visible
from tui.widgets.detail import DetailPane
from tui.widgets.ready_queue import IssueList

from .trust_helpers import (close_screen, dashboard, open_screen, settled, type_through, until,
                            BIG_DESCRIPTION, HOSTILE, MARKERS, MARKUP, OSC_TITLE, SHOWN_OSC52, SHOWN_OSC_TITLE, PtyApp, c1_controls,
                            copy_fixture, escape_sequences, plant_hostile,
                            plant_hostile_types, SHOWN_NUM_CLEAR, SHOWN_NUM_OSC52, SHOWN_NUM_TITLE)



# -- the real app, the raw byte stream --------------------------------------------------------------------
def test_pty_no_byte_of_a_planted_escape_reaches_the_terminal(tmp_path):
    db = copy_fixture(tmp_path)
    plant_hostile(db)
    app = PtyApp(db, cols=200, rows=50)
    keys = ["j", "k", "j", "k", "R", "I", "B", "D", "S", "A", "R",
            "\r",                 # enter on the list / detail
            "c", "n",             # confirm dialog (shows the title), answered No
            "b", "\x1b",          # block prompt (shows the title), cancelled
            "e", "\x1b",          # edit form (title and description in inputs), cancelled
            "?", "\x1b",          # help
            "\x10", "\x1b",       # ctrl+p palette, escape
            "@", "@", "@",        # agent filter cycles through the hostile agent name
            "t",                  # a write: its toast names the issue
            "B", "I", "A", "R"]
    text, plain = type_through(app, SHOWN_OSC_TITLE, keys, what="the hostile title")
    assert "Traceback" not in plain and "MarkupError" not in plain, plain[-3000:]
    # Every escape sequence the app wrote is its own: none carries a planted payload.
    leaked = [s for s in escape_sequences(text) if any(m in s for m in MARKERS)]
    assert not leaked, f"planted bytes inside escape sequences: {leaked[:5]!r}"
    # No 8-bit C1 control (as a code point or a raw byte) at all: Textual never sends one; data must not.
    assert not c1_controls(text), f"C1 controls reached the terminal: {c1_controls(text)[:10]!r}"
    # No raw ESC outside a recognised sequence (a stray ESC would start whatever follows).
    assert "\x1b" not in plain, repr(plain[max(plain.find("\x1b") - 80, 0):plain.find("\x1b") + 80])
    # And the payloads were on screen, made visible.
    assert SHOWN_OSC_TITLE in plain and SHOWN_OSC52 in plain
    assert "[@click=app.quit]" in plain and "[/]" in plain
    assert "BAD_UTF8" in plain, "the row holding invalid UTF-8 must still be listed"
    assert "Could not decode" not in plain


def _issue_rows(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, status, priority, is_blocked, claimed_by, agent, title FROM issues "
                            "ORDER BY id").fetchall()
    finally:
        conn.close()


def test_pty_wrong_typed_values_never_reach_the_terminal_nor_type_keys(tmp_path):
    """ESC]52 (clipboard), ESC]2;…ESC[21t (set the title, then ask the terminal to type it back) and ESC[2J
    planted in INTEGER/REAL columns (issues.number, sessions.pid, budgets, counts): every byte the app writes
    is scanned, and the fake terminal answers any title report, as xterm does, by typing the title ("cy"
    would complete the selected issue). No such request may reach it, no key may be typed for the data."""
    db = copy_fixture(tmp_path)
    plant_hostile_types(db)
    before = _issue_rows(db)
    app = PtyApp(db, cols=200, rows=50, answer_title_reports=True)
    # Walk over every row with a hostile number, open the detail full screen, the dialogs that name the issue
        # (confirm, block prompt, edit form), the palette (names the selected issue), and back.
    keys = ["j", "j", "j", "j", "j", "k", "k", "k", "\r", "\x1b", "f", "f",
            "c", "n", "b", "\x1b", "e", "\x1b", "\x10", "\x1b", "?", "\x1b",
            "A", "j", "j", "j", "I", "B", "D", "S", "R"]
    # 0.15 s a key: a typed-back title ("…q…") would quit it early
    text, plain = type_through(app, SHOWN_NUM_TITLE[:5], keys, 0.15, what="the hostile number")
    assert "Traceback" not in plain, plain[-3000:]
    assert app.reports_answered == 0, "a title report request from the data reached the terminal"
    leaked = [s for s in escape_sequences(text) if any(m in s for m in MARKERS + ("blob pwned", "cy pwned"))]
    assert not leaked, f"planted bytes inside escape sequences: {leaked[:5]!r}"
    assert "\x1b[2J" not in text, "a planted clear-screen reached the terminal"
    assert not [s for s in escape_sequences(text) if s.startswith("\x1b]52")], "a clipboard write reached the terminal"
    assert not c1_controls(text), f"C1 controls reached the terminal: {c1_controls(text)[:10]!r}"
    assert "\x1b" not in plain, repr(plain[max(plain.find("\x1b") - 80, 0):plain.find("\x1b") + 80])
    # The values were on screen, made visible; nothing acted on the issues.
    for shown in (SHOWN_NUM_OSC52, SHOWN_NUM_CLEAR, "⚠X'1B5B324A'", "⚠abc", "⚠many", "⚠inf", "⚠1.5"):
        assert shown in plain or shown[:6] in plain, f"{shown!r} not shown"
    assert _issue_rows(db) == before, "data typed no key, so no issue may have changed"


# -- pilot: what every pane shows ---------------------------------------------------------------------------
def _plain(renderable, width: int = 400) -> str:
    from rich.console import Console

    console = Console(record=True, width=width, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.export_text()


def screen_text(app) -> str:
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "\n".join("".join(seg.text for seg in strip) for strip in update.strips)


def assert_clean(text: str, where: str) -> None:
    bad = [c for c in text if c in "\x1b\x07\x00\x9b\x9d\x9c\x90" or 0xD800 <= ord(c) <= 0xDFFF]
    assert not bad, f"raw control characters in {where}: {bad[:5]!r}"






async def test_every_pane_dialog_and_palette_shows_payloads_literally(tmp_path):
    db = copy_fixture(tmp_path)
    ids = plant_hostile(db)
    # (the 1 MB description goes through the edit form in the pty test; 40 KB keeps this one quick)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE issues SET description = ? WHERE id = ?", (BIG_DESCRIPTION[:40_000], ids["head"]))
    conn.commit()
    conn.close()
    async with dashboard(db) as (app, pilot):
        assert app.problem is None, app.problem
        lst = app.query_one(IssueList)
        assert {ids["head"], ids["bad_utf8"]} <= {i.id for i in lst.rows}
        detail = app.query_one(DetailPane)
        lst.select_id(ids["head"])
        await until(pilot, lambda: detail.issue is not None and detail.issue.id == ids["head"], what="head in detail")
        screen = screen_text(app)
        assert_clean(screen, "the main screen")
        head = _plain(detail.query_one("#detail-head", Static).content)
        assert SHOWN_OSC_TITLE in head and MARKUP in head and "<U+009B>" in head and "<U+202E>" in head
        assert "A␛]0;pwned␇[/]" in head.replace("\n", "")[:2000] or "A␛]0;pwned␇" in head  # agent
        assert SHOWN_OSC_TITLE in screen and SHOWN_OSC52 in screen and "[@click=app.quit]Q[/]" in screen
        assert "P H ␛]0;pwned␇" in screen, "project name"
        assert "model ␛]0;pwned␇[/]" in screen, "session model"
        # the blocked issue: 10k-character title and hostile reason
        await pilot.press("B")
        await settled(pilot)
        lst.select_id(ids["blocked"])
        await until(pilot, lambda: detail.issue is not None and detail.issue.id == ids["blocked"], what="blocked")
        head = _plain(detail.query_one("#detail-head", Static).content, width=12000)
        assert "blocked: R H ␛]0;pwned␇" in head
        assert_clean(screen_text(app), "the blocked view")
        # the claimed one
        await pilot.press("I")
        await settled(pilot)
        lst.select_id(ids["claimed"])
        await until(pilot, lambda: detail.issue is not None and detail.issue.id == ids["claimed"], what="claimed")
        head = _plain(detail.query_one("#detail-head", Static).content)
        assert "claimed by C H ␛]0;pwned␇" in head
        assert_clean(screen_text(app), "the in-progress view")
        # the hostile status (view "all") and the invalid UTF-8 row
        await pilot.press("A")
        await settled(pilot)
        screen = screen_text(app)
        assert_clean(screen, "the all view")
        assert "weird status [/] [bold]b[/bold]" in screen
        assert "BAD_UTF8" in screen
        await pilot.press("R")
        await settled(pilot)
        lst.select_id(ids["bad_utf8"])
        await until(pilot, lambda: detail.issue is not None and detail.issue.id == ids["bad_utf8"], what="bad utf8")
        assert "BAD_UTF8" in _plain(detail.query_one("#detail-head", Static).content)
        # dialogs: confirm, block prompt, edit form
        lst.select_id(ids["head"])
        await until(pilot, lambda: detail.issue is not None and detail.issue.id == ids["head"], what="head again")
        await open_screen(pilot, "c", "ConfirmScreen", "confirm dialog")
        screen = screen_text(app)
        assert_clean(screen, "the confirm dialog")
        assert "Complete #" in screen and "T H ␛]0;pwned␇" in screen
        await close_screen(pilot, "n", "ConfirmScreen", "confirm closed")
        await open_screen(pilot, "b", "PromptScreen", "block prompt")
        screen = screen_text(app)
        assert_clean(screen, "the block prompt")
        assert "Block #" in screen and "T H ␛]0;pwned␇" in screen
        await close_screen(pilot, "escape", "PromptScreen", "prompt closed")
        await open_screen(pilot, "e", "IssueForm", "edit form")
        await pilot.pause(0.2)
        # Input and TextArea pass ESC to the terminal: they get the text with controls made visible ...
        assert app.screen.query_one("#form-title", Input).value == visible("T " + HOSTILE)
        assert app.screen.query_one("#form-description", TextArea).text.startswith(visible(HOSTILE, multiline=True))
        assert_clean(screen_text(app), "the edit form")
        await close_screen(pilot, "escape", "IssueForm", "form closed")
        # ... and the set-agent prompt too
        await open_screen(pilot, "a", "PromptScreen", "agent prompt")
        assert app.screen.query_one(Input).value == visible("A" + OSC_TITLE + MARKUP)
        assert_clean(screen_text(app), "the agent prompt")
        await close_screen(pilot, "escape", "PromptScreen", "agent prompt closed")
        # help and palette (the palette lists the hostile agent as a filter)
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert_clean(screen_text(app), "help")
        await pilot.press("escape")
        await pilot.pause(0.1)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: "Filter: agent A␛]0;pwned␇" in screen_text(app), what="the agent in the palette")
        assert_clean(screen_text(app), "the command palette")
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.is_running


async def test_toasts_show_payloads_literally(tmp_path):
    """A conflict toast names who now holds the claim: another agent's claimed_by must not reach the terminal."""
    db = copy_fixture(tmp_path)
    ids = plant_hostile(db)
    async with dashboard(db) as (app, pilot):
        lst = app.query_one(IssueList)
        lst.select_id(ids["head"])
        await pilot.pause(0.1)
        # Another agent claims it behind our back (we do not watch, so the row we hold is stale).
        conn = sqlite3.connect(db)
        conn.execute("UPDATE issues SET status='in_progress', claimed_by=?, claimed_at=?, updated_at=? WHERE id=?",
                     ("X" + HOSTILE, "2030-01-01T00:00:00+00:00", "2030-01-01T00:00:00+00:00", ids["head"]))
        conn.commit()
        conn.close()
        writes = app.writes_done
        await pilot.press("4")  # priority low: guarded by updated_at -> conflict
        await until(pilot, lambda: app.writes_done > writes, what="the write")
        await until(pilot, lambda: len(app._notifications) > 0, what="a toast")
        await pilot.pause(0.5)
        messages = [n.message for n in app._notifications]
        assert any("changed underneath you" in m for m in messages), messages
        screen = screen_text(app)
        assert_clean(screen, "the toast")
        for m in messages:
            assert_clean(m, "a notification message")


async def test_clicking_markup_text_runs_nothing(tmp_path):
    db = copy_fixture(tmp_path)
    ids = plant_hostile(db)
    with Store.open(db, create=False) as s:
        click = s.create_issue("[@click=app.quit]CLICK[/] [link=https://evil.example]here[/]", priority="urgent")
    async with dashboard(db, notifications=False) as (app, pilot):
        lst = app.query_one(IssueList)
        row = next(n for n, i in enumerate(lst.rows) if i.id == click.id) + lst.window_offset
        y = row - int(lst.scroll_offset.y)
        line = "".join(seg.text for seg in lst.render_line(y))
        x = line.index("[@click=app.quit]CLICK")
        for dx in (0, 17, 19, len("[@click=app.quit]CLICK[/] [link=https://evil.example]h")):
            await pilot.click(IssueList, offset=(x + dx, y))
            await pilot.pause(0.1)
            assert app.is_running, "clicking the title ran its markup action"
        assert lst.current.id == click.id  # the click selected the row, nothing more
        detail = app.query_one(DetailPane)
        await until(pilot, lambda: detail.issue is not None and detail.issue.id == click.id, what="click in detail")
        await pilot.click("#detail-head", offset=(2, 1))
        await pilot.pause(0.1)
        assert app.is_running
        assert not app._exit_renderables


async def test_edit_form_left_untouched_keeps_the_stored_text(tmp_path):
    """The form shows controls as symbols; saving without touching a field must not write the symbols."""
    db = copy_fixture(tmp_path)
    ids = plant_hostile(db)
    with Store.open(db, create=False) as s:
        s.update_issue(ids["head"], title="t " + OSC_TITLE + " \x9b2J nul\x00 " + MARKUP,
                       description="d " + OSC_TITLE + "\n\tline two\r\n" + MARKUP)
        before = s.get_issue_by_id(ids["head"])
    async with dashboard(db) as (app, pilot):
        app.query_one(IssueList).select_id(ids["head"])
        await pilot.pause(0.1)
        await open_screen(pilot, "e", "IssueForm", "edit form")
        await close_screen(pilot, "ctrl+s", "IssueForm", "the form to save and close")
        await open_screen(pilot, "a", "PromptScreen", "agent prompt")
        await close_screen(pilot, "enter", "PromptScreen", "the prompt to close")
        await pilot.pause(0.3)
        await until(pilot, lambda: app._writes.empty(), what="queued writes")
        await pilot.pause(0.3)
    with Store.open(db, create=False) as s:
        after = s.get_issue_by_id(ids["head"])
    assert after.title == before.title and after.description == before.description and after.agent == before.agent
