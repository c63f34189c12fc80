"""Snapshots of issue 11's screens: a sorted view with the pulse strip, the sort picker, search highlights and
the alert list (frozen clock, UTC; every SVG looked at before it was accepted)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from tui.alerts import AlertConfig
from tui.app import IssuesApp
from tui.config import Config
from test_snapshots import FIXTURES, FROZEN_NS, _stable_env  # noqa: F401 (the autouse fixture: UTC, tmp cwd)
from tuitest_helpers import settle, started, wait_for


def make_app(alerts: bool = False, sorts: dict | None = None) -> IssuesApp:
    shutil.copyfile(FIXTURES / "crate-v5-small.db", "small.db")
    if sorts:
        state = Path(os.environ["XDG_STATE_HOME"]) / "issues-tui" / "state.json"
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps({"sort": sorts}))
    cfg = Config(alerts=AlertConfig() if alerts else AlertConfig(frozenset()))
    return IssuesApp("small.db", clock=lambda: FROZEN_NS, config=cfg, watch=False, actor="tui:tester",
                     pid_alive=lambda pid: pid == 10001, cursor_blink=False)


def test_sorted_in_progress_with_pulse(snap_compare):
    async def run(pilot):
        await started(pilot)
        await pilot.press("I")
        await wait_for(pilot, lambda: pilot.app.snapshot.query.view == "in_progress", what="in progress")
        await settle(pilot)
    assert snap_compare(make_app(sorts={"in_progress": ["agent", True]}), terminal_size=(120, 40), run_before=run)


def test_sort_picker_narrowed(snap_compare):
    async def run(pilot):
        await started(pilot)
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("s", "c", "l")
        await pilot.pause()
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run)


def test_search_highlights_matches(snap_compare):
    async def run(pilot):
        app = pilot.app
        await started(pilot)
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("slash")
        app.query_one("#filter").value = "investigate FLAKY -#12"
        await wait_for(pilot, lambda: app.snapshot.query.search == "investigate FLAKY -#12", what="the search")
        await settle(pilot)
        for _ in range(100):  # the side index builds in the background; the screen says so until it is done
            if not app.snapshot.search_indexing:
                break
            app.action_refresh()  # (the filter box has the focus: a key would be typed into it)
            await pilot.pause(0.05)
            await settle(pilot)
        assert not app.snapshot.search_indexing
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run)


def test_alert_list(snap_compare):
    async def run(pilot):
        app = pilot.app
        await started(pilot)
        await wait_for(pilot, lambda: len(app.alert_state.history) >= 2, what="the alerts at open")
        await pilot.press("exclamation_mark")
        await pilot.pause()
    assert snap_compare(make_app(alerts=True), terminal_size=(120, 40), run_before=run)
