"""The live-source seam (tui/live): a backend plugs in by subclassing `Source`, without touching the App.

A test source here reads a real SQLite store but has its own change detection (the test says when something
changed), like a PostgreSQL source would with LISTEN/NOTIFY."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from store import Store, StoreError
import tui.app
from tui.app import IssuesApp
from tui.config import Config
from tui.live import Source, SourceChanged, SourceLoaded, SqliteSource
from tui.loader import load_snapshot
from tuitest_helpers import SIZE, numbers, settle, started, static_text, wait_for


class ScriptedSource(Source):
    """Change events come only when the test posts them; loads are counted; a load can be made to fail."""

    kind = "scripted"

    def __init__(self, path) -> None:
        super().__init__("scripted:" + str(path), "scripted " + str(path), watch=True, poll_seconds=3600.0)
        self.path = path
        self.loads = 0
        self.fail: str | None = None
        self.stopped = threading.Event()

    def _open(self) -> Store:
        return Store.open(self.path, create=False)

    def _watch(self) -> None:
        self.stopped.wait()

    def stop(self) -> None:
        self.stopped.set()

    def _changed_since(self, token) -> bool:
        return self.store.change_token() != token

    def _load(self, query, only_if_changed):
        self.loads += 1
        if self.fail:
            raise StoreError(self.fail)
        if only_if_changed and self.store.change_token() == self.last_token:
            return None
        return load_snapshot(self.store, query)


def bump(path, number: int, priority: str) -> None:
    con = sqlite3.connect(path)
    con.execute("UPDATE issues SET priority = ? WHERE number = ?", (priority, number))
    con.commit()
    con.close()


async def test_a_new_source_plugs_in_and_its_changes_coalesce(small_db, ready_numbers):
    source = ScriptedSource(small_db)
    app = IssuesApp(small_db, source=source, config=Config(poll_seconds=3600.0))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert app.snapshot.source == source.key  # every snapshot names the source it came from
        assert "scripted " in static_text(app.query_one("#status"), width=300)
        assert numbers(app) == ready_numbers[:len(numbers(app))]
        bump(small_db, 1, "urgent")  # written behind the app's back: nothing tells it but the source
        await pilot.pause(0.3)
        assert 1 not in numbers(app)[:3]
        loads = source.loads
        for _ in range(50):  # a storm of change events
            source.post(SourceChanged(source, "test"))
        await wait_for(pilot, lambda: 1 in numbers(app)[:3], what="#1 moved up after the change")
        await pilot.pause(0.3)
        await settle(pilot)
        assert 1 <= source.loads - loads <= 5  # coalesced: a handful of loads, not 50
        # a problem keeps the last data on screen and says why; the next good load clears it
        source.fail = "the server went away"
        bump(small_db, 2, "urgent")
        source.post(SourceChanged(source, "test"))
        await wait_for(pilot, lambda: app.problem == "the server went away", what="the problem shown")
        assert "the server went away" in static_text(app.query_one("#status"), width=300)
        assert 1 in numbers(app)[:3]
        source.fail = None
        source.post(SourceChanged(source, "test"))
        await wait_for(pilot, lambda: app.problem is None and 2 in numbers(app)[:4], what="recovery")


async def test_two_sources_in_one_app_do_not_cancel_each_other(small_db, edge_db):
    """A multi-source host gives each source its own worker groups (group_suffix)."""
    second = SqliteSource(edge_db, watch=False, poll_seconds=3600.0, group_suffix=":edge")
    loaded = []

    class TwoSourceApp(IssuesApp):
        CSS_PATH = str(Path(tui.app.__file__).with_name("app.tcss"))

        def on_source_loaded(self, msg: SourceLoaded) -> None:
            loaded.append((msg.source.key, msg.generation))
            if msg.source is second:  # this single-source app shows only its own source's rows
                msg.source.accept(msg)
                msg.prevent_default()

    app = TwoSourceApp(small_db, watch=False, config=Config(poll_seconds=3600.0))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        second.attach(app)
        second.start()
        await wait_for(pilot, lambda: second.store is not None, what="the second source open")
        for _ in range(3):
            app.source.want(app.query_state)
            second.want(app.query_state)
            await pilot.pause(0.05)
        await wait_for(pilot, lambda: second.applied_generation == second.generation
                       and app.source.applied_generation == app.source.generation, what="both sources' last loads")
        second.stop()
    keys = {k for k, _ in loaded}
    assert keys == {str(small_db), str(edge_db)}
