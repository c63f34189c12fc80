"""Issue 8 item 2 (app side): a worker error is one toast and the app keeps running; a crash that does end
the dashboard exits non-zero with one line on stderr and no traceback."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest

import tui.live.sqlite
from store import Store
from tui.app import IssuesApp
from pty_helpers import PtyProcess
from tuitest_helpers import SIZE, numbers, quiet_app, started, wait_for

HOSTILE = "bad \x1b]52;c;aGk=\x07 [bold]x[/] \x1b[2J row"


def make_app(path, **kw) -> IssuesApp:
    return quiet_app(path, **kw)


async def test_load_worker_error_is_one_toast_and_the_app_keeps_running(small_db, monkeypatch):
    app = make_app(small_db)
    real = tui.live.sqlite.load_snapshot
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        shown = numbers(app)

        def broken(store, query):
            raise ValueError(HOSTILE)

        monkeypatch.setattr(tui.live.sqlite, "load_snapshot", broken)
        for _ in range(3):  # the same failure again and again: one toast, not a storm
            await pilot.press("r")
            await pilot.pause(0.2)
        await wait_for(pilot, lambda: any(s == "error" for _m, s in app.notes), what="the error toast")
        errors = [m for m, s in app.notes if s == "error"]
        assert len(errors) == 1, errors
        line = errors[0]
        assert line.startswith("loading failed: ValueError: bad ")
        assert "\n" not in line and "\x1b" not in line and "\x07" not in line
        assert "␛]52;c;aGk=␇ [bold]x[/] ␛[2J row" in line  # hostile text made visible, not interpreted
        assert app.is_running and app.return_code is None
        assert numbers(app) == shown  # the last data stays on screen
        # the next load works again: the app did not lose its source or its workers
        monkeypatch.setattr(tui.live.sqlite, "load_snapshot", real)
        with Store.open(small_db) as store:
            store.create_issue("after the failure", None)
        loads = app.load_count
        await pilot.press("r")
        await wait_for(pilot, lambda: app.load_count > loads, what="a load after the failure")
        await pilot.press("A")
        await wait_for(pilot, lambda: app.snapshot.query.view == "all", what="the all view")
        assert app.snapshot.counts.total == 30


async def test_goto_worker_error_is_a_toast(small_db, monkeypatch):
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)

        def broken(number):
            raise OverflowError("Python int too large to convert to SQLite INTEGER")

        monkeypatch.setattr(app.store, "get_issue_by_number", broken)
        app.goto_number(10 ** 30)
        await wait_for(pilot, lambda: any(s == "error" for _m, s in app.notes), what="the error toast")
        assert [m for m, s in app.notes if s == "error"] == [
            "going to the issue failed: OverflowError: Python int too large to convert to SQLite INTEGER"]
        assert app.is_running


async def test_a_bad_value_written_by_an_agent_does_not_end_the_dashboard(small_db):
    """`sessions.budget_spent='abc'` arrives at a live reload: the dashboard keeps answering keys."""
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        con = sqlite3.connect(small_db)
        con.execute("UPDATE sessions SET budget_spent='abc' WHERE rowid=(SELECT min(rowid) FROM sessions)")
        con.commit()
        con.close()
        await pilot.press("r")
        await pilot.pause(0.5)
        assert app.is_running and app.return_code is None
        await pilot.press("D")
        await wait_for(pilot, lambda: app.query_state.view == "done", what="the done view asked for")
        assert app.is_running


# -- the process: exit status and stderr after a crash ----------------------------------------------------
CRASH_CODE = """
import sys
from tui.app import IssuesApp, run_dashboard
def boom(self, msg):
    raise RuntimeError("handler bug \\x1b]2;title\\x07 [/]")
IssuesApp.on_source_loaded = boom
sys.exit(run_dashboard(sys.argv[1]))
"""


def test_crash_exits_non_zero_with_one_line_and_no_traceback(small_db, tmp_path):
    run = PtyProcess(CRASH_CODE, str(small_db), env={"HOME": str(tmp_path)})
    code = run.close(timeout=30)
    text = run.text()
    assert code == 1, text[-2000:]
    assert "Traceback" not in text and "handler bug" in text
    after = text.rsplit("\x1b[?1049l", 1)[-1]  # what is left on the terminal after the app's screen closed
    lines = [ln for ln in after.replace("\r", "").split("\n") if ln.strip()]
    assert len(lines) == 1, lines
    line = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", lines[0])  # the terminal's mode resets
    assert line.startswith("issues-tui: error: the dashboard stopped: RuntimeError: handler bug ␛]2;title␇ [/]")
    assert "\x1b]2;" not in after  # the hostile title-set never reached the terminal
    log = line.split("(details in ", 1)[1].rstrip(")")
    assert "Traceback" in Path(log).read_text() and "handler bug" in Path(log).read_text()
    os.unlink(log)
