"""The backend-neutral part of a live source: its messages and the base class (see the package docstring)."""

from __future__ import annotations

import functools
import threading
import time
from typing import TYPE_CHECKING, Callable

from textual.message import Message

from ..loader import Query, Snapshot

if TYPE_CHECKING:
    from textual.app import App

    from store import Store

MIN_RELOAD_S = 0.08  # change-driven reloads are coalesced to at most one per this interval
PREFETCH_WAIT_S = 0.1  # `prefetch` waits at most this long before Textual starts (see there)


# -- what a source hands the app (posted from any thread; handled on the UI thread) ----------------
class SourceMessage(Message):
    def __init__(self, source: "Source") -> None:
        super().__init__()
        self.source = source


class SourceOpened(SourceMessage):
    """The source's store is open (`source.store` is set): the app may write through it and load."""


class SourceChanged(SourceMessage):
    """Something changed (or may have): a burst of these coalesces, per source, into one reload."""

    def __init__(self, source: "Source", reason: str = "watch") -> None:
        super().__init__(source)
        self.reason = reason

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SourceChanged) and message.source is self.source


class SourceLoaded(SourceMessage):
    """A fresh snapshot for `generation` (None: nothing changed since the last one, nothing to redraw)."""

    def __init__(self, source: "Source", snapshot: Snapshot | None, generation: int) -> None:
        super().__init__(source)
        self.snapshot = snapshot
        self.generation = generation


class SourceProblem(SourceMessage):
    """The source cannot be read right now (deleted, damaged, locked, disconnected): keep the last data, say why."""

    def __init__(self, source: "Source", problem: str) -> None:
        super().__init__(source)
        self.problem = problem


class Source:
    """One place issues come from, watched live. Subclasses implement `_open`, `_watch`, `_changed_since`
    and `_load` (all called on worker threads); this class does the threading, ordering and coalescing.

    The app (the *host*: a Textual App) calls, on the UI thread: `attach(host)`, `start()`, `want(query)`,
    `changed(reason)` (forwarding `SourceChanged`), `accept(msg)` (on `SourceLoaded`), `pause()`/`resume()`,
    `stop()`. Everything that touches the backend runs in thread workers owned by the host, so the UI never
    waits for it."""

    kind = "source"

    def __init__(self, key: str, label: str, *, watch: bool = True, poll_seconds: float = 2.0,
                 group_suffix: str = "") -> None:
        self.key = key  # names the source in messages and on snapshots (unique among the app's sources)
        self.label = label  # what the status line shows (never a password)
        self.watch_enabled = watch
        self.poll_seconds = max(poll_seconds, 0.5)
        self.group_suffix = group_suffix  # keeps worker groups apart when an app runs several sources
        self.store: "Store | None" = None
        self.host: "App | None" = None
        self.paused = False
        self.problem: str | None = None  # the last problem posted, until a snapshot clears it
        self.query = Query()
        self.generation = 0  # last load requested
        self.applied_generation = -1  # last load the host applied
        self.last_token: tuple | None = None  # change token of the last applied snapshot
        self._reload_timer = None
        self._poll_timer = None
        self._last_change_load = 0.0
        self._current_query: Callable[[], Query] = lambda: self.query
        self._prefetch_thread: threading.Thread | None = None
        self._prefetched: tuple = (None, None, None)  # (store, snapshot, problem) from `prefetch`
        self._fresh: Query | None = None  # the query of the prefetched snapshot, until the host wants another

    # -- called by the host (UI thread) --------------------------------------------------------------
    def attach(self, host: "App", query: Callable[[], Query] | None = None) -> None:
        """`query` returns what the host shows now (change-driven reloads load it; default: the last wanted)."""
        self.host = host
        self._current_query = query or (lambda: self.query)

    def prefetch(self, query: Query) -> None:
        """Start opening the store and loading `query` on a plain thread *now*, before the host's event loop
        runs: the open and the first snapshot overlap Textual's own start-up (CSS, compose, mount) instead of
        following it, so the first frame the user sees already holds the data. `start()` picks it up."""
        def run() -> None:
            from store import StoreError
            try:
                self.store = self._open()
                defer = getattr(self.store, "defer_first_count_check", None)
                if defer is not None:
                    defer()  # verified by `_verify_counts` right after the first screen
                snapshot = self._load(query, False)
                self._prefetched = (self.store, snapshot, None)
            except StoreError as exc:
                self._prefetched = (None, None, str(exc))
            except Exception as exc:  # reported like a worker error would be, never lost
                self._prefetched = (None, None, f"{type(exc).__name__}: {exc}")
        self._prefetch_thread = threading.Thread(target=run, name=f"{self.kind} prefetch", daemon=True)
        self._prefetch_thread.start()
        # Give it the interpreter for a moment: its work is mostly Python (rows into models), and run side by
        # side with Textual's start-up (also Python) the two share the GIL — the open and first page then took
        # ~70 ms instead of ~12 ms (1M issues) and were not ready when the first layout was. No UI runs yet, so
        # nothing waits on this; a slow or locked file simply goes on in the background after it.
        self._prefetch_thread.join(PREFETCH_WAIT_S)

    def start(self) -> None:
        """Open the store off the UI thread, then watch it (called again after a failed open: retries)."""
        if self._poll_timer is None:
            self._poll_timer = self.host.set_interval(self.poll_seconds, self._poll)
        if self._prefetch_thread is not None:
            if self._prefetch_thread.is_alive():
                self._run(self._prefetch_worker, "open")  # wait for it off the UI thread
            else:  # already there: applied now, so the first frame Textual paints already holds it
                self._prefetch_done()
            return
        self._run(self._open_worker, "open")

    def stop(self) -> None:
        """The host is closing: end watch threads, drop connections."""

    def want(self, query: Query) -> int:
        """Load a snapshot of `query` now (the user asked); returns its generation."""
        self.query = query
        fresh, self._fresh = self._fresh, None
        if fresh is not None and fresh == query.with_(selected_id=fresh.selected_id or query.selected_id):
            # The prefetched snapshot is of this very query (its selected row is the one the list then
            # highlighted); a change made since is caught by the poll's change token.
            return self.generation
        return self._request(only_if_changed=False)

    def changed(self, reason: str = "watch") -> None:
        """Reload for a change, at most one reload in flight and one per MIN_RELOAD_S window: a lone
        commit shows at once, a storm of agent commits costs ~10 redraws a second."""
        if self.paused or self.store is None or self._reload_timer is not None:
            return
        wait = self._last_change_load + MIN_RELOAD_S - time.monotonic()
        if wait > 0 or self.applied_generation < self.generation:
            self._reload_timer = self.host.set_timer(max(wait, MIN_RELOAD_S / 2), self._trailing_reload)
            return
        self._change_load()

    def accept(self, msg: SourceLoaded) -> bool:
        """Whether the host should apply `msg` (False: an older load finished late, or nothing changed)."""
        if msg.generation < self.applied_generation:
            return False
        self.applied_generation = msg.generation
        if msg.snapshot is None:
            return False
        self.problem = None
        self.last_token = msg.snapshot.token
        return True

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        """Live refresh on again; the host then asks for a fresh snapshot (`want`)."""
        self.paused = False

    @property
    def busy(self) -> bool:
        """A load or open is still running (tests and benchmarks wait for it)."""
        groups = (self._group("load"), self._group("open"))
        return any(w.group in groups and not w.is_finished for w in self.host.workers)

    # -- for subclasses (worker threads) -------------------------------------------------------------
    def _open(self) -> "Store":
        """Open the backend; raise StoreError with one clear line when it cannot be."""
        raise NotImplementedError

    def _watch(self) -> None:
        """Block, posting `SourceChanged` for every change seen, until `stop()`."""

    def _changed_since(self, token: tuple | None) -> bool:
        """Cheap check: has anything changed since the snapshot with `token`? (the poll's question)"""
        raise NotImplementedError

    def _load(self, query: Query, only_if_changed: bool) -> Snapshot | None:
        """A snapshot of `query` (None when `only_if_changed` and nothing changed since `last_token`);
        raise StoreError (one line) when it cannot be read now: the host keeps the last data and says why."""
        raise NotImplementedError

    def post(self, message: Message) -> None:
        if self.host is not None:
            self.host.post_message(message)

    # -- the machinery ---------------------------------------------------------------------------
    def _group(self, name: str) -> str:
        return name + self.group_suffix

    def _run(self, fn: Callable, group: str, *args) -> None:
        self.host.run_worker(functools.partial(fn, *args), thread=True, exclusive=True, group=self._group(group),
                             name=f"{self.kind} {group}")

    def _open_worker(self) -> None:
        from store import StoreError

        try:
            store = self._open()
        except StoreError as exc:
            self._problem(str(exc))
            return
        self.store = store
        self.post(SourceOpened(self))
        if self.watch_enabled:
            self._run(self._watch, "watch")

    def _prefetch_worker(self) -> None:
        thread = self._prefetch_thread
        if thread is not None:
            thread.join()
        self.host.call_from_thread(self.host.call_after_refresh, self._prefetch_done)

    def _prefetch_done(self) -> None:
        """On the UI thread: hand over what `prefetch` got — the snapshot first, then SourceOpened."""
        self._prefetch_thread = None
        store, snapshot, problem = self._prefetched
        self._prefetched = (None, None, None)
        if problem is not None:
            self.store = None
            self._problem(problem)
            return
        self.store = store
        self.generation += 1
        snapshot.source = self.key
        selected = snapshot.selected.id if snapshot.selected is not None else None
        self._fresh = snapshot.query.with_(selected_id=snapshot.query.selected_id or selected)
        self.post(SourceLoaded(self, snapshot, self.generation))
        self.post(SourceOpened(self))
        # The watch thread (it imports watchfiles) and the counts check are Python on other threads: run
        # beside the first layout they take the GIL from it (5 ms a switch), so they start after the first frame.
        self.host.call_after_refresh(self._after_first_frame, snapshot.counts)

    def _after_first_frame(self, counts) -> None:
        if self.watch_enabled:
            self._run(self._watch, "watch")
        self._run(self._verify_counts, "verify", counts)

    def _verify_counts(self, shown) -> None:
        """The first screen used the counts cache unverified: count for real now; if it lied, reload."""
        from store import StoreError
        try:
            true = self.store.counts()
        except StoreError:
            return  # the next load reports it
        if true != shown:
            self.host.call_from_thread(lambda: self.want(self._current_query()))

    def _request(self, *, only_if_changed: bool) -> int:
        self.generation += 1
        self._run(self._load_worker, "load", self.query, self.generation, only_if_changed)
        return self.generation

    def _load_worker(self, query: Query, generation: int, only_if_changed: bool) -> None:
        from textual.worker import get_current_worker

        from store import StoreError

        if self.store is None:
            return
        try:
            snapshot = self._load(query, only_if_changed and self.problem is None)
        except StoreError as exc:
            self._problem(str(exc))
            return
        if snapshot is not None:
            snapshot.source = self.key
        if not get_current_worker().is_cancelled:
            self.post(SourceLoaded(self, snapshot, generation))

    def _problem(self, text: str) -> None:
        self.problem = text
        self.post(SourceProblem(self, text))

    def _trailing_reload(self) -> None:
        self._reload_timer = None
        if not self.paused and self.store is not None:
            self._change_load()

    def _change_load(self) -> None:
        self._last_change_load = time.monotonic()
        self.query = self._current_query()
        self._request(only_if_changed=True)

    def _poll(self) -> None:
        if self.paused:
            return
        if self.store is not None:
            self._run(self._poll_worker, "poll")
        elif self.problem is not None and not any(
                w.group == self._group("open") and not w.is_finished for w in self.host.workers):
            self._run(self._open_worker, "open")  # the first open failed (locked, briefly missing): keep trying

    def _poll_worker(self) -> None:
        if self.store is not None and self._changed_since(self.last_token):
            self.post(SourceChanged(self, "poll"))
