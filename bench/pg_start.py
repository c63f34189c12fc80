"""bench/pg_bench.py's (5): a fresh dashboard process on a PostgreSQL URL, process start → first full screen,
beside the same file in SQLite and the bare Textual app, all timed off their frames (bench/ui_start.py)."""

from __future__ import annotations

import sys

from percentiles import percentile as pct
from ui_start import start_once


def bench_start(targets, src, starts: int, on_both, table) -> str:
    """`on_both` gives the same crate file on each backend; `table` is pg_bench's table printer."""
    where = on_both(targets, src, "start-19k.db")
    start_once(None)
    for target in where.values():  # warm: the start-up caches written, the store's objects there
        start_once(target)
    runs: dict[str, list[dict]] = {"bare Textual app": [], **{k: [] for k in where}}
    print(f"  start -> first full screen x {starts} ...", file=sys.stderr, flush=True)
    for _ in range(starts):  # interleaved: a busy neighbour slows them alike
        runs["bare Textual app"].append(start_once(None))
        for backend, target in where.items():
            runs[backend].append(start_once(target))
    bare = pct([r["to_paint_ms"] for r in runs["bare Textual app"]], 50)
    rows = []
    for name, rs in runs.items():
        paint = [r["to_paint_ms"] for r in rs]
        every = [r["to_complete_ms"] for r in rs]
        rows.append([name, f"{pct(paint, 50):.0f}", f"{pct(paint, 95):.0f}", f"{pct(paint, 50) / bare:.2f}×",
                     f"{pct(every, 50):.0f}", "anchor" if name.startswith("bare") else "—"])
    return table("(5) process start -> first full screen (list page, status, footer; crate-v5-big, 19.2k issues)",
                 ["run", "p50 ms", "p95 ms", "ratio to bare (p50)", "every pane drawn p50 ms", "note"], rows)
