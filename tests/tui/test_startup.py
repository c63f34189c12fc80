"""Start-up (issue 9 item 13): the terminal run opens the file and reads the first page on a thread while
Textual starts (`Source.prefetch`), the first screen may use the counts cache when it passes the cheap checks,
and the real count follows at once — a cache that lies is corrected without a key press. Timing is in
bench/ui_bench.py (side by side with a bare Textual app), never asserted here."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tui.app import IssuesApp
from tui.loader import Query
from tui.widgets.ready_queue import IssueList


class FirstPaint(IssuesApp):
    """Runs headless through `App.run` (the real path, prefetch included) and records what it showed."""

    CSS_PATH = str(Path(__file__).resolve().parents[2] / "tui" / "app.tcss")
    seen: list = []

    def on_source_loaded(self, msg) -> None:
        self.call_after_refresh(self._record)

    def _record(self) -> None:
        if self.snapshot is None:
            return
        self.seen.append((self.snapshot.counts, [i.number for i in self.query_one(IssueList).rows]))
        if len(self.seen) >= self.want_loads:
            self.exit()


def run_headless(db, loads: int, timeout: float = 20.0) -> list:
    app = FirstPaint(db, watch=False)
    app.seen, app.want_loads = [], loads
    t0 = time.monotonic()
    app.run(headless=True, size=(120, 40))
    assert app.return_code in (0, None) and app.crash is None, app.crash
    assert time.monotonic() - t0 < timeout
    return app.seen


def test_run_prefetches_and_shows_the_crate_order(small_db, ready_numbers):
    seen = run_headless(small_db, loads=1)
    counts, rows = seen[0]
    assert rows == ready_numbers[:len(rows)] and rows
    assert counts.ready == len(ready_numbers)


def test_a_lying_counts_cache_is_corrected_right_after_the_first_screen(small_db):
    from store import Store
    Store.open(small_db).close()  # the store's objects (counts table and triggers) exist
    conn = sqlite3.connect(small_db)
    # a plausible lie (passes the cheap checks): one open issue fewer than there are
    conn.execute("UPDATE tui_issue_counts SET n = n - 1 WHERE status = 'open' AND blocked = 0")
    conn.commit()
    true_open = conn.execute("SELECT count(*) FROM issues WHERE status = 'open' AND NOT is_blocked").fetchone()[0]
    conn.close()
    seen = run_headless(small_db, loads=2)
    assert seen[-1][0].open == true_open  # verified without a key press or a file change


def test_prefetch_reports_a_problem_in_one_line(tmp_path):
    bad = tmp_path / "not.db"
    bad.write_text("hello, not sqlite")
    from tui.live import make_source
    src = make_source(bad, read_only=False, create=False, clock=None, actor="t", watch=False, poll_seconds=2)
    src.prefetch(Query())
    src._prefetch_thread.join(10)
    store, snapshot, problem = src._prefetched
    assert store is None and snapshot is None and "not a SQLite database" in problem
