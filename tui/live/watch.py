"""Watching the DB for changes made by other processes.

We watch the *folder* (not the file: a replace/recreate must keep working, and WAL commits only touch
`-wal`), non-recursively, filtered to the DB and its `-wal`/`-journal` files. Each burst of events
becomes one `DbChanged` (which coalesces in the queue); the reload worker then compares
`store.change_token()` so self-caused and checkpoint-only wake-ups cost one cheap PRAGMA.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from watchfiles import watch

WATCH_SUFFIXES = ("", "-wal", "-journal")


def watched_names(db_path: Path) -> set[str]:
    return {db_path.name + suffix for suffix in WATCH_SUFFIXES}


def watch_db(db_path: Path, on_change: Callable[[], None], stop: threading.Event,
             debounce_ms: int = 30, step_ms: int = 10) -> None:
    """Block until `stop` is set, calling `on_change()` after each burst of relevant file events."""
    names = watched_names(db_path)
    folder = db_path.parent

    def relevant(_change, path: str) -> bool:
        return Path(path).name in names

    while not stop.is_set():
        if not folder.exists():
            stop.wait(1.0)
            continue
        try:
            for _changes in watch(folder, watch_filter=relevant, debounce=debounce_ms, step=step_ms,
                                  recursive=False, stop_event=stop, rust_timeout=1000, yield_on_timeout=False,
                                  raise_interrupt=False):
                on_change()
        except (FileNotFoundError, OSError, RuntimeError):
            # The folder vanished or the platform watcher failed: retry; the poll timer still covers us.
            time.sleep(0.5)
