"""Snapshot tests (pytest-textual-snapshot) of the main screen and the dialogs.

Frozen clock, UTC, relative DB path, fixed pid liveness and no cursor blink, so ages, countdowns and
the status line are stable. Every SVG under __snapshots__ was looked at before it was accepted.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest

from store import timestamps
from tui.app import IssuesApp
from tui.alerts import AlertConfig
from tui.config import Config

from tuitest_helpers import settle, started, wait_for

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# 2026-11-26T06:00:00Z: two hours after the crate wrote the fixtures.
FROZEN_NS = timestamps.parse_ns("2026-11-26T06:00:00+00:00")


@pytest.fixture(autouse=True)
def _stable_env(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.chdir(tmp_path)
    yield
    time.tzset()


def make_app(fixture: str, theme: str = "textual-dark") -> IssuesApp:
    name = fixture.replace("crate-v5-", "")
    shutil.copyfile(FIXTURES / fixture, name)
    # alerts off: their toasts would cover the panes these snapshots are about (test_views_snapshots has them)
    return IssuesApp(name, clock=lambda: FROZEN_NS, config=Config(theme=theme, alerts=AlertConfig(frozenset())),
                     watch=False,
                     actor="tui:tester", pid_alive=lambda pid: pid == 10001, cursor_blink=False)


async def ready(pilot) -> None:
    await started(pilot)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_main_screen_small(snap_compare, theme, size):
    assert snap_compare(make_app("crate-v5-small.db", theme), terminal_size=size, run_before=ready)


def test_edge_titles_literal(snap_compare):
    """Markup, unicode, a 640-character title and a tab show literally in the ready queue and detail."""
    assert snap_compare(make_app("crate-v5-edge.db"), terminal_size=(120, 40), run_before=ready)


def test_edge_stale_claim(snap_compare):
    async def stale_view(pilot):
        await started(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: pilot.app.query_state.view == "stale" and pilot.app.snapshot.query.view == "stale")
        await settle(pilot)
    assert snap_compare(make_app("crate-v5-edge.db"), terminal_size=(120, 40), run_before=stale_view)


def test_block_modal(snap_compare):
    async def open_block(pilot):
        await started(pilot)
        await pilot.press("b")
        await pilot.pause()
    assert snap_compare(make_app("crate-v5-small.db"), terminal_size=(120, 40), run_before=open_block)


def test_new_issue_form_validation_error(snap_compare):
    async def bad_title(pilot):
        await started(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("space", "space", "enter")  # whitespace-only title
        await pilot.pause()
    assert snap_compare(make_app("crate-v5-small.db"), terminal_size=(120, 40), run_before=bad_title)


def test_confirm_complete_dialog(snap_compare):
    async def confirm(pilot):
        await started(pilot)
        await pilot.press("c")
        await pilot.pause()
    assert snap_compare(make_app("crate-v5-small.db"), terminal_size=(120, 40), run_before=confirm)


def test_help_screen(snap_compare):
    async def help_(pilot):
        await started(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
    assert snap_compare(make_app("crate-v5-small.db"), terminal_size=(120, 40), run_before=help_)
