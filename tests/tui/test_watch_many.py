"""One watch thread for several files (a multi-repo dashboard): a commit to file i calls on_change(i) only."""

from __future__ import annotations

import threading
import time

from later_schema import execute, make_repo
from tui.live.watch import watch_many


def test_a_commit_to_one_file_names_that_file(tmp_path):
    paths = [make_repo(tmp_path, name, 11) for name in ("a", "b", "c")]
    for p in paths:
        execute(p, "PRAGMA journal_mode = WAL")
    seen: list[int] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch_many, args=(paths, seen.append, stop), daemon=True)
    thread.start()
    try:
        time.sleep(0.5)  # the OS watch is set up
        for target in (1, 2, 0):
            seen.clear()
            execute(paths[target], "UPDATE issues SET title = title || '!' WHERE number = 1")
            deadline = time.monotonic() + 5
            while target not in seen and time.monotonic() < deadline:
                time.sleep(0.01)
            assert target in seen, f"no change reported for file {target}"
            time.sleep(0.2)
            assert set(seen) == {target}, seen
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(5)
