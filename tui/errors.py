"""What the app does with failures (one place, harlequin style).

- A worker (any thread or async task the app runs) that raises does not end the app: every app worker
  runs with `exit_on_error=False`, and `on_worker_state_changed` turns the error into one toast line
  (DB text in it made visible). The same line is not repeated while it keeps happening (a bad row
  that fails every reload toasts once per `REPEAT_S`).
- An exception that does end the app (a bug in a handler) leaves no traceback on the terminal: it is
  kept in `app.crash`, `run_dashboard` prints one line on stderr (with where the details were saved)
  and the process exits non-zero.
- Late messages during shutdown (widgets already gone) are dropped (`while_running`).
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
import traceback

from textual.css.query import NoMatches
from textual.worker import Worker, WorkerState

from store import StoreError

from .text import visible

REPEAT_S = 30.0  # the same worker error is toasted again only after this long
LINE_LIMIT = 240

# What each worker group does, for the toast ("loading failed: ...").
WORK_NAMES = {"load": "loading", "open": "opening the database", "poll": "checking for changes",
              "watch": "watching the file", "writer": "saving", "detail": "loading the history",
              "goto": "going to the issue"}


def while_running(handler):
    """Late messages and timers can arrive while the app is shutting down (widgets already gone):
    they have nothing left to update, so they are dropped instead of raising NoMatches."""
    @functools.wraps(handler)
    def wrapper(self, *args, **kwargs):
        try:
            return handler(self, *args, **kwargs)
        except NoMatches:
            if self.is_running and not self._exit:
                raise
    return wrapper


def error_line(error: BaseException, limit: int = LINE_LIMIT) -> str:
    """One visible line for `error`: a StoreError's own sentence, else `Type: message`."""
    text = str(error) if isinstance(error, StoreError) else f"{type(error).__name__}: {error}"
    return visible(text.strip() or type(error).__name__, limit=limit)


def save_crash_report(error: BaseException) -> str | None:
    """Write the traceback to a private file in $TMPDIR; its path (None if that failed too)."""
    try:
        fd, path = tempfile.mkstemp(prefix="issues-tui-crash-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as fh:
            fh.write("".join(traceback.format_exception(error)))
        return path
    except Exception:
        return None


def crash_line(error: BaseException) -> str:
    """The one stderr line after a crash (the traceback goes to a file, not the terminal)."""
    path = save_crash_report(error)
    where = f" (details in {path})" if path else ""
    return f"issues-tui: error: the dashboard stopped: {error_line(error)}{where}"


class ErrorHandling:
    """Mixin for IssuesApp (before App in the bases)."""

    crash: BaseException | None = None

    def run_worker(self, work, name: str | None = "", group: str = "default", description: str = "",
                   exit_on_error: bool = True, start: bool = True, exclusive: bool = False,
                   thread: bool = False) -> Worker:
        # Every worker of the app reports instead of ending the app (see on_worker_state_changed).
        return super().run_worker(work, name, group, description, False, start, exclusive, thread)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        worker = event.worker
        group = (worker.group or "").split(":")[0]
        what = WORK_NAMES.get(group, worker.name or "a background task")
        line = f"{what} failed: {error_line(worker.error)}"
        last = getattr(self, "_last_worker_error", None)
        now = time.monotonic()
        if last is not None and last[0] == line and now - last[1] < REPEAT_S:
            return
        self._last_worker_error = (line, now)
        self.notify(line, severity="error", markup=False, timeout=8)

    def _handle_exception(self, error: Exception) -> None:
        """An exception nothing handled: the app ends (Textual's rule), but with one line, not a traceback."""
        self.crash = getattr(error, "error", None) or error  # WorkerFailed wraps the worker's error
        super()._handle_exception(error)
        self._exit_renderables.clear()
