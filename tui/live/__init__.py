"""Live sources: where the dashboard's data comes from, and how it learns that the data changed.

The app never talks to a backend's change machinery itself. It *subscribes* to one or more `Source`s
and reacts to four typed messages, each carrying `msg.source`:

    SourceOpened(source)                      source.store is open: writes may go through it; load now
    SourceChanged(source, reason)             something changed (a burst coalesces per source)
    SourceLoaded(source, snapshot, generation) a fresh `loader.Snapshot` (snapshot.source == source.key),
                                               or None when a change-driven load found nothing new
    SourceProblem(source, problem)            cannot read now (deleted, locked, disconnected): one line;
                                               keep showing the last data; the source keeps retrying

The app's side of the contract (all on the UI thread):

    source.attach(app, query=lambda: app.query)   once; `query` is what the app shows now (change-driven
                                               reloads load it)
    source.start()                             open off the UI thread, start watching and the safety-net poll
                                               (again after a failed open: retries)
    source.want(query) -> generation           load a snapshot of a `loader.Query` now (view, filters, window)
    on SourceChanged:  source.changed(reason)  the source decides when to reload (coalesced: at most one
                                               load in flight and one per MIN_RELOAD_S) the last wanted query
    on SourceLoaded:   if source.accept(msg):  drop late/unchanged loads (by generation), then apply
                       apply msg.snapshot
    source.pause() / source.resume()           live refresh off/on (after resume the app calls want())
    source.stop()                              on unmount: end watch threads
    source.store                               the open `store.Store` (backend-neutral API) or None
    source.key / source.label                  a unique id (tags snapshots and rows) / what to show (no password)

A backend implements four methods of `Source`, all run on worker threads the base class starts through
the host (`run_worker(thread=True)`, groups "open"/"watch"/"load"/"poll" + `group_suffix`):

    _open() -> Store                            raise StoreError (one line) when it cannot be opened
    _watch()                                    block until stop(), posting SourceChanged for each change
    _changed_since(token) -> bool               cheap "anything new since this snapshot's token?" (the poll)
    _load(query, only_if_changed) -> Snapshot|None   usually `loader.load_snapshot(store, query)`;
                                               raise StoreError when it cannot be read now

`SqliteSource` (sqlite.py): folder watch + `PRAGMA data_version` + poll; reopens a replaced file.
A PostgreSQL source does the same with LISTEN/NOTIFY on its own connection plus change numbers
(`_changed_since` compares the last change number seen; `_watch` re-reads after every reconnect).
Several sources at once (a multi-repo dashboard): one Source per file or URL, each with its own
`group_suffix` (so one source's load does not cancel another's) and `key`; every message and snapshot
names its source, so each row knows where it came from and where its writes go.

`PostgresSource` (postgres.py): LISTEN/NOTIFY on its own connection + change numbers read after every
notification and reconnect (store/postgres/changes.py), the app's poll as a safety net.

`make_source(target, ...)` picks the backend for a path or a URL — the one place to add one.
"""

from __future__ import annotations

import os

from .source import (MIN_RELOAD_S, Source, SourceChanged, SourceLoaded, SourceMessage, SourceOpened,
                     SourceProblem)
from .sqlite import SqliteSource

__all__ = ["MIN_RELOAD_S", "Source", "SourceChanged", "SourceLoaded", "SourceMessage", "SourceOpened",
           "SourceProblem", "SqliteSource", "make_source"]


def make_source(target: str | os.PathLike, **options) -> Source:
    """The source for `target`: a SQLite file path, or a PostgreSQL URL / libpq string. Options: read_only,
    create, clock, actor, watch, poll_seconds, group_suffix."""
    from store import is_server_target
    if is_server_target(target):
        from .postgres import PostgresSource
        return PostgresSource(str(target), **options)
    return SqliteSource(target, **options)
