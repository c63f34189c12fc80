"""Helpers shared by the tests in tests/tui (imported by name; tests/tui is put on sys.path by conftest)."""

from __future__ import annotations

import time
from typing import Callable

from rich.console import Console

from tui.widgets.ready_queue import IssueList

DEADLINE_S = 8.0
SIZE = (120, 40)


async def wait_for(pilot, predicate: Callable[[], bool], timeout: float = DEADLINE_S, what: str = "condition") -> None:
    """Let the app run until `predicate()` holds (poll every 50 ms); fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await pilot.pause(0.05)


async def wait_loaded(pilot, after: int | None = None, timeout: float = DEADLINE_S) -> int:
    """Wait until app.load_count exceeds `after` (default: its current value); return the new count.

    Also waits for the app to be idle (workers done) so the widgets show that snapshot."""
    app = pilot.app
    start = app.load_count if after is None else after
    await wait_for(pilot, lambda: app.load_count > start, timeout, f"a snapshot after load #{start}")
    await pilot.pause()
    return app.load_count


async def settle(pilot, timeout: float = DEADLINE_S) -> None:
    """Wait until no load is pending: the applied generation caught up with the last request."""
    app = pilot.app
    await wait_for(pilot, lambda: app._applied_generation >= app._generation and not _busy(app), timeout,
                   "the pending loads to finish")
    await pilot.pause()


def _busy(app) -> bool:
    return any(w.group in ("load", "open") and not w.is_finished for w in app.workers)


async def started(pilot) -> None:
    """The first snapshot is on screen."""
    await wait_for(pilot, lambda: pilot.app.load_count > 0, what="the first snapshot")
    await settle(pilot)


def numbers(app) -> list[int]:
    return [i.number for i in app.query_one(IssueList).rows]


def issue_list(app) -> IssueList:
    return app.query_one(IssueList)


def list_lines(widget) -> list[str]:
    """Every visible line of a Line-API widget as plain text (segment texts joined)."""
    return ["".join(seg.text for seg in widget.render_line(y)) for y in range(widget.size.height)]


def rich_to_text(renderable, width: int = 200) -> str:
    console = Console(record=True, width=width, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.export_text()


def static_text(widget, width: int = 200) -> str:
    """What a Static shows, as plain text (its content - Text, Table, str - rendered by a recording Console)."""
    content = widget.content
    if isinstance(content, str):
        return content
    return rich_to_text(content, width)


def screen_lines(app) -> list[str]:
    """The whole screen as the terminal would get it (text of every segment of a full compositor update)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return ["".join(seg.text for seg in strip) for strip in update.strips]
