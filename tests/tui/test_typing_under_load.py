"""Typed keys are never lost or reordered in the prompts, the new-issue form and the filter, while a live writer
keeps the dashboard reloading (issue 9 item 14).

Textual delivers a burst of keys to the focused field all at once when the app is busy; the field's editing keys
(backspace, …) used to go the long way (bubble to the App, which runs the field's binding) and were overtaken by
the letters typed after them: 40 backspaces then 25 letters left a mangled title. Here the keys are posted as the
terminal driver posts them — all at once, no waiting between them — under a writer committing every 20 ms.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from textual import events
from textual.widgets import Input, TextArea

from tui.app import IssuesApp
from tuitest_helpers import SIZE, started, wait_for, wait_loaded

LETTERS = "abcdefghijklmnopqrstuvwxy"


class Writer:
    """Another process's agent: commits a change every 20 ms until stopped."""

    def __init__(self, path) -> None:
        self.path, self.stop, self.commits = path, threading.Event(), 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        while not self.stop.wait(0.02):
            conn.execute("UPDATE issues SET priority = CASE priority WHEN 'low' THEN 'high' ELSE 'low' END "
                         "WHERE number = ?", (1 + self.commits % 29,))
            self.commits += 1
        conn.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def burst(app, keys: list[str]) -> None:
    """Post keys the way the terminal driver does when they arrive together: all queued before any is handled."""
    for key in keys:
        char = key if len(key) == 1 else None
        app.post_message(events.Key(key, char))


async def type_burst(pilot, widget, value, prefix: str) -> None:
    app = pilot.app
    burst(app, list(prefix))
    await wait_for(pilot, lambda: value() == prefix, what=f"{prefix!r} typed")
    burst(app, ["backspace"] * 40 + list(LETTERS))
    last, steady = None, 0
    while steady < 6:  # every key handled: the value has not changed for 0.3 s
        await pilot.pause(0.05)
        steady = steady + 1 if value() == last else 0
        last = value()


@pytest.mark.parametrize("where", ["new-title", "new-description", "block-reason", "filter"])
async def test_a_burst_after_backspaces_lands_whole_under_a_live_writer(small_db, where):
    app = IssuesApp(small_db)  # live: the folder watcher reloads on each of the writer's commits
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        with Writer(small_db) as writer:
            loads = app.load_count
            if where.startswith("new"):
                await pilot.press("n")
            elif where == "block-reason":
                await pilot.press("b")
            else:
                await pilot.press("slash")
            await wait_for(pilot, lambda: isinstance(app.focused, (Input, TextArea)), what="a text field")
            if where == "new-description":
                await pilot.press("tab")
                await wait_for(pilot, lambda: isinstance(app.focused, TextArea), what="the description")
            field = app.focused
            value = (lambda: field.text) if isinstance(field, TextArea) else (lambda: field.value)
            await type_burst(pilot, field, value, "x" * 10)
            assert value() == LETTERS
            await wait_loaded(pilot, loads)  # the writer's commits were reloaded meanwhile
            assert writer.commits > 3 and app.load_count > loads
