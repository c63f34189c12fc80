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

WATCH_SUFFIXES = ("", "-wal", "-journal")


def watched_names(db_path: Path) -> set[str]:
    return {db_path.name + suffix for suffix in WATCH_SUFFIXES}


def _exists(path: Path) -> bool:
    """Path.exists() raises PermissionError when a parent folder is made unreadable: that is "not there"."""
    try:
        return path.exists()
    except OSError:
        return False


def watch_db(db_path: Path, on_change: Callable[[], None], stop: threading.Event,
             debounce_ms: int = 30, step_ms: int = 10) -> None:
    """Block until `stop` is set, calling `on_change()` after each burst of relevant file events."""
    from watchfiles import watch  # on the watch thread, after the first screen: not on the start-up path

    names = watched_names(db_path)
    folder = db_path.parent

    def relevant(_change, path: str) -> bool:
        return Path(path).name in names

    while not stop.is_set():
        if not _exists(folder):
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


def watch_many(db_paths: list[Path], on_change: Callable[[int], None], stop: threading.Event,
               debounce_ms: int = 30, step_ms: int = 10) -> None:
    """`watch_db` for several files in one thread and one OS watch (a multi-repo dashboard): calls
    `on_change(i)` for each file `i` touched by a burst. Folders that do not exist (yet, or any more) are
    looked for again every second; the watch is restarted when the set of existing folders changes."""
    from watchfiles import watch  # on the watch thread, after the first screen: not on the start-up path

    names: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(db_paths):
        for name in watched_names(p):
            names.setdefault((str(p.parent), name), []).append(i)
    folders = sorted({str(p.parent) for p in db_paths})

    def relevant(_change, path: str) -> bool:
        p = Path(path)
        return (str(p.parent), p.name) in names

    while not stop.is_set():
        present = [f for f in folders if Path(f).is_dir()]
        if not present:
            stop.wait(1.0)
            continue
        try:
            for changes in watch(*present, watch_filter=relevant, debounce=debounce_ms, step=step_ms,
                                 recursive=False, stop_event=stop, rust_timeout=1000, yield_on_timeout=True,
                                 raise_interrupt=False):
                hit: set[int] = set()
                for _change, path in changes:
                    p = Path(path)
                    hit.update(names.get((str(p.parent), p.name), ()))
                for i in sorted(hit):
                    on_change(i)
                if not changes and [f for f in folders if Path(f).is_dir()] != present:
                    break  # a folder appeared or vanished: watch the new set
        except (FileNotFoundError, OSError, RuntimeError):
            time.sleep(0.5)
