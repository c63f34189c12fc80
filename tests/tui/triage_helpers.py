"""Helpers for the keyboard-triage tests (imported by name: tests/tui is on sys.path, no package): the app as
they open it, the file's rows and events read raw, and waits for writes and modals."""

from __future__ import annotations

import sqlite3
import sys

from tui.app import IssuesApp
from tui.config import Config
from tuitest_helpers import issue_list, record_notes, select_number, settle, wait_for

ACTOR = "tui:tester"
NO_POLL = 3600.0  # nothing reloads behind the test's back (watch=False too)


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
