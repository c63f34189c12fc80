"""`MultiSource`: several files (one repo each) shown as one source.

Each file is its own `SqliteSource` (its own folder watch, poll, coalesced reloads, worker group), so a
commit to one file reloads only that file's window. The children's host is a small proxy of the app: their
`SourceChanged` go to the app as they are (the app calls `child.changed()`), while their `SourceLoaded`,
`SourceOpened` and `SourceProblem` are re-addressed to this source, which keeps the latest snapshot of each
child and hands the app one merged `Snapshot` (tui/multi.py). A file that disappears or goes bad keeps its
last rows and shows its problem in the Repos pane while the others keep working. `store` is a
`RoutedStore`: every write goes to the row's own file.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..loader import Query, Snapshot
from ..multi import Merged, RepoState, covers, merge, plan, repo_filter
from ..sources import SourceSpec
from .routed import RoutedStore
from .source import Source, SourceChanged, SourceLoaded, SourceOpened, SourceProblem
from .sqlite import SqliteSource
from .watch import watch_many

if TYPE_CHECKING:
    from textual.app import App


FIRST_WAIT_S = 1.0  # longest the first screen waits for a slow file before showing the others


class _Host:
    """What a child sees as its host: the app, except that its results are re-addressed to the parent."""

    def __init__(self, parent: "MultiSource", app: "App") -> None:
        self._parent = parent
        self._app = app

    def post_message(self, message) -> bool:
        if isinstance(message, (SourceLoaded, SourceOpened, SourceProblem)) and message.source is not self._parent:
            message.child = message.source
            message.source = self._parent
            if isinstance(message, SourceOpened):
                with self._parent._opened_lock:
                    first = not self._parent._opened_posted
                    self._parent._opened_posted = True
                if not first:  # the app's writer and first load start once; a later file needs its own load
                    return self._app.post_message(SourceChanged(message.child, "opened"))
        return self._app.post_message(message)

    def __getattr__(self, name):  # set_interval, set_timer, run_worker, workers, ...
        return getattr(self._app, name)


class MultiSource(Source):
    kind = "multi"

    def __init__(self, specs: list[SourceSpec], *, read_only: bool = False, create: bool = False,
                 clock: Callable[[], int] | None = None, actor: str | None = None, watch: bool = True,
                 poll_seconds: float = 2.0) -> None:
        super().__init__("multi", f"{len(specs)} repos", watch=watch, poll_seconds=poll_seconds)
        self.specs = specs
        # The children do not watch on their own: one thread watches every file's folder (watch_many), so ten
        # repos cost one OS watch, not ten threads (thread workers share a small pool) and ten wake-up loops.
        self.children: list[SqliteSource] = [
            SqliteSource(spec.path, read_only=read_only, create=create, clock=clock, actor=actor, watch=False,
                         poll_seconds=poll_seconds, group_suffix=f"#{i}") for i, spec in enumerate(specs)]
        self._watch_all = watch
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._opened_lock = threading.Lock()
        self.names = [spec.name for spec in specs]
        self.routed = RoutedStore(self.children, self.names)
        self.parts: dict[int, Snapshot] = {}  # the latest snapshot of each child
        self.merged: Merged | None = None
        self._opened_posted = False
        self._shown = False  # the first merged snapshot waits for every file (or FIRST_WAIT_S)
        self._from_end = False
        self._totals: list[int | None] = [None] * len(specs)

    # -- the Source API -------------------------------------------------------------------------------
    @property
    def store(self):
        return self.routed if any(c.store is not None for c in self.children) else None

    @store.setter
    def store(self, value) -> None:  # the base class initialises it; the routed store is ours
        pass

    def attach(self, host: "App", query: Callable[[], Query] | None = None) -> None:
        super().attach(host, query)
        proxy = _Host(self, host)
        for i, child in enumerate(self.children):
            child.attach(proxy, query=lambda i=i: self._child_query(i, self._current_query()))

    def start(self) -> None:
        for child in self.children:
            if child.store is None:
                child.start()
        if self._watch_all and self._watcher is None:
            paths = [Path(os.path.abspath(c.path)) for c in self.children]
            self._watcher = threading.Thread(
                target=watch_many, args=(paths, self._file_changed, self._stop), name="issues-tui watch", daemon=True)
            self._watcher.start()
        if not self._shown and self.host is not None:
            self.host.set_timer(FIRST_WAIT_S, self.flush)

    def stop(self) -> None:
        self._stop.set()
        for child in self.children:
            child.stop()

    def _file_changed(self, index: int) -> None:  # the watch thread
        child = self.children[index]
        if child.store is not None:
            self.post(SourceChanged(child, "watch"))

    def want(self, query: Query) -> int:
        self.query = query
        p = plan(query, self._totals)
        self._from_end = p.from_end
        for i, child in enumerate(self.children):
            if child.store is not None:
                child.want(p.queries[i])
        return self.generation

    def changed(self, reason: str = "watch") -> None:
        for child in self.children:
            child.changed(reason)

    def pause(self) -> None:
        super().pause()
        for child in self.children:
            child.pause()

    def resume(self) -> None:
        super().resume()
        for child in self.children:
            child.resume()

    @property
    def generation(self) -> int:  # every open child's loads (tests wait for applied to catch up)
        return sum(c.generation for c in self.children if c.store is not None and c.problem is None)

    @generation.setter
    def generation(self, value) -> None:
        pass

    @property
    def applied_generation(self) -> int:
        return sum(max(c.applied_generation, 0) for c in self.children if c.store is not None and c.problem is None)

    @applied_generation.setter
    def applied_generation(self, value) -> None:
        pass

    @property
    def busy(self) -> bool:
        return any(c.busy for c in self.children)

    def accept(self, msg: SourceLoaded) -> bool:
        child = getattr(msg, "child", None)
        if getattr(msg, "flush", False):  # show what has loaded (a file failed, or is slow to open)
            return bool(self.parts) and self._remerge(msg)
        if child is None or child not in self.children:
            return False
        index = self.children.index(child)
        if not child.accept(msg):
            return False
        self.parts[index] = msg.snapshot
        self._totals[index] = msg.snapshot.total
        if not self._shown and any(i not in self.parts and c.problem is None for i, c in enumerate(self.children)):
            return False  # a steady first screen: every file's rows at once (flush() ends the wait)
        return self._remerge(msg)

    def flush(self) -> None:
        """End the first wait: merge what has loaded (called on a timer, and when a file reports a problem)."""
        if self.parts and self.host is not None:
            msg = SourceLoaded(self, None, 0)
            msg.flush = True
            self.host.post_message(msg)

    def _covered(self, q: Query) -> bool:
        """Every open file's latest window is one of this query and holds the rows the merged window needs
        (a half-updated merge would put the wrong rows on screen and lose the selection), and no load of it is
        in flight. A file whose window does not is asked again; the merge waits for it."""
        p = plan(q, self._totals)
        ok = True
        for i, child in enumerate(self.children):
            snap = self.parts.get(i)
            if snap is None or child.problem is not None or child.store is None:
                continue  # not loaded yet (the first wait), or broken: its last rows are shown as they are
            if child.generation > child.applied_generation:
                ok = False  # a load of this file is in flight (it may hold a write just made): wait for it
            elif not covers(snap, p.queries[i]):
                ok = False
                if child.applied_generation >= child.generation:  # nothing in flight for it: ask
                    child.want(p.queries[i])
        return ok

    def _remerge(self, msg: SourceLoaded | None = None) -> bool:
        q = self._current_query()
        if not self._covered(q):
            return False
        include = None
        if q.repo:
            include = {i for i, name in enumerate(self.names) if name == q.repo}
        typed = repo_filter(getattr(q, "full_search", q.search), self.names)
        if typed is not None:
            include = typed if include is None else include & typed
        merged = merge(q, self.parts, self.repos(), self._from_end, include)
        if merged is None:
            return False
        self._shown = True
        self.merged = merged
        merged.snapshot.source = self.key
        if msg is not None:
            msg.snapshot = merged.snapshot
        return True

    def problem_of(self, msg: SourceProblem) -> str:
        child = getattr(msg, "child", None)
        if not self._shown:
            self.flush()  # the others are shown without waiting for this one
        if child in self.children:
            return f"{self.names[self.children.index(child)]}: {msg.problem}"
        return msg.problem

    # -- per repo ------------------------------------------------------------------------------------------
    def _child_query(self, index: int, q: Query) -> Query:
        return plan(q, self._totals).queries[index]

    def repos(self) -> list[RepoState]:
        out = []
        for i, (child, name) in enumerate(zip(self.children, self.names)):
            snap = self.parts.get(i)
            info = snap.info if snap is not None else (child.store.info if child.store is not None else None)
            out.append(RepoState(
                i, name, os.fspath(child.path), counts=snap.counts if snap else None,
                total=snap.total if snap else None, problem=child.problem,
                version=info.schema_version if info else None, journal=info.journal_mode if info else "",
                read_only=info.read_only_reason if info and info.read_only else None,
                loaded_at=snap.loaded_at if snap else None))
        return out
