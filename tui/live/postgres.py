"""The PostgreSQL source: LISTEN/NOTIFY + change numbers on a dedicated connection, snapshots via the loader.

The listener (`store.postgres.changes.ChangeListener`) reads what changed since the last change number on every
notification, after every reconnect and on a slow poll, and each batch becomes one `SourceChanged` (the base
class coalesces them into reloads). A lost connection is one line on the status bar until it is back; the
data on screen stays. `_changed_since` (the app's own poll) compares the store's change token (the change
sequence + the server's in-flight transactions), so a load after our own write or a quiet server costs one
query and no redraw.
"""

from __future__ import annotations

import threading
from typing import Callable

from store import display_target, open_store
from store.postgres.changes import ChangeListener

from ..loader import Query, Snapshot, load_snapshot
from .source import Source, SourceChanged

LISTENER_POLL_S = 5.0


class PostgresSource(Source):
    kind = "postgresql"

    def __init__(self, target: str, *, read_only: bool = False, create: bool = False,
                 clock: Callable[[], int] | None = None, actor: str | None = None, watch: bool = True,
                 poll_seconds: float = 2.0, group_suffix: str = "") -> None:
        label = display_target(target)  # never the password
        super().__init__(label, label, watch=watch, poll_seconds=poll_seconds, group_suffix=group_suffix)
        self.target = target
        self.read_only = read_only
        self.create = create
        self.clock = clock
        self.actor = actor
        self.listener: ChangeListener | None = None
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()
        if self.listener is not None:
            self.listener.stop(timeout=0)

    def _open(self):
        return open_store(self.target, read_only=self.read_only, create=self.create, clock=self.clock,
                          actor=self.actor)

    def _watch(self) -> None:
        if self._stopped.is_set():
            return
        # A notification reloads at once; the changes read after it (and after a reconnect or the listener's
        # poll) reload again only if the notification did not already cover them (the load compares tokens).
        self.listener = ChangeListener(self.target, lambda changes: self.post(SourceChanged(self, "changes")),
                                       poll_seconds=LISTENER_POLL_S, on_state=self._connection_state,
                                       on_notify=lambda: self.post(SourceChanged(self, "notify")))
        if self._stopped.is_set():
            return
        self.listener.run()  # this worker thread, until stop()

    def _connection_state(self, problem: str | None) -> None:
        if problem is not None:
            self._problem(problem)
        else:
            self.post(SourceChanged(self, "reconnected"))  # read what happened meanwhile (also clears the line)

    def _changed_since(self, token: tuple | None) -> bool:
        return self.store.change_token() != token

    def _load(self, query: Query, only_if_changed: bool) -> Snapshot | None:
        store = self.store
        if only_if_changed and store.change_token() == self.last_token:
            return None
        return load_snapshot(store, query)
