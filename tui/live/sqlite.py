"""The SQLite source: a folder watch + `PRAGMA data_version` + a slow poll, snapshots via the loader.

Change detection (measured in /work/shared/spec/pitfalls.md): the folder watch (`watch.py`) wakes us
within ~20 ms of a commit by another process; every wake-up and every poll compares the store's
change token (file identity + `data_version`), so our own commits and checkpoint-only wake-ups cost
one PRAGMA and no reload. A replaced file (os.replace, rm + recreate) is reopened; a deleted one is
reported and waited for.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable

from store import Store, StoreError

from ..loader import Query, Snapshot, load_snapshot, source_token
from .source import Source, SourceChanged
from .watch import watch_db


class SqliteSource(Source):
    kind = "sqlite"

    def __init__(self, path: str | os.PathLike, *, read_only: bool = False, create: bool = False,
                 clock: Callable[[], int] | None = None, actor: str | None = None, watch: bool = True,
                 poll_seconds: float = 2.0, group_suffix: str = "") -> None:
        self.path = Path(path)
        super().__init__(str(self.path), str(self.path), watch=watch, poll_seconds=poll_seconds,
                         group_suffix=group_suffix)
        self.read_only = read_only
        self.create = create
        self.clock = clock
        self.actor = actor
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def _open(self) -> Store:
        return Store.open(self.path, read_only=self.read_only, create=self.create, clock=self.clock, actor=self.actor)

    def _watch(self) -> None:
        watch_db(self.path.resolve(), lambda: self.post(SourceChanged(self, "watch")), self._stop)

    def _changed_since(self, token: tuple | None) -> bool:
        store = self.store
        return store.file_replaced() or source_token(store) != token

    def _load(self, query: Query, only_if_changed: bool) -> Snapshot | None:
        store = self.store
        if only_if_changed and not store.file_replaced() and source_token(store) == self.last_token:
            return None
        if not store.file_exists():
            raise StoreError(f"{store.path} was deleted — showing the last data; waiting for it to come back")
        problem = store.path_problem()  # e.g. its folder made unreadable: say so, keep the last data
        if problem:
            raise StoreError(problem)
        if store.file_replaced():
            self.store = store = store.reopen()  # closes the old connection first (its WAL is named after the path)
        return load_snapshot(store, query)
