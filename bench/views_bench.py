"""Views benchmark (issue 11): sorted first pages, searches, the search side index, the crate's writes, the pulse.

    python bench/views_bench.py [SIZE] [--repeat N] [--only sort,search,fts,writes,pulse,locks] [--regen]

SIZE defaults to 1M. The crate-like file is generated once into bench/out/ (bench/gen.py) and copied fresh for
each run; the first store open (indexes) and the side index build are timed on that copy. Every table prints its
anchor beside it: the target from the issue (≤ 50 ms first page where the store has an index for the order,
≤ 300 ms otherwise), the unsorted LIKE scan for searches, and the same crate statements on the crate-only file for
writes (a dashboard that slows an agent's writes noticeably fails the issue).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import gen  # noqa: E402
from store_bench import label, parse_size, stats, timeit  # noqa: E402
from store import Store, timestamps  # noqa: E402
from store.fts import SearchIndex  # noqa: E402
from store.pulse import HOUR_NS, pulse  # noqa: E402
from store.views import DEFAULT_SORT, VIEWS, sort_indexed  # noqa: E402

OUT = HERE / "out"
SEARCHES = ["cache", "claim expiry", "upstream", "zzqx", "agent:codex pri:urgent", "type:bug -cache",
            "is:stale", "#4242", "cache is:blocked"]
# The columns each view shows (tui/columns.py DEFAULTS): the sorts a header click offers there.
VIEW_SORTS = {
    "ready": ["priority", "number", "type", "agent", "created", "title"],
    "in_progress": ["claimed", "number", "priority", "agent", "claimed_by", "title"],
    "blocked": ["number", "priority", "type", "agent", "reason", "title"],
    "done": ["number", "completed", "priority", "type", "agent", "title"],
    "all": ["number", "status", "priority", "type", "agent", "created", "updated", "title"],
}


def fresh_copy(n: int, regen: bool) -> Path:
    OUT.mkdir(exist_ok=True)
    src = OUT / f"issues-{label(n)}.crate.db"
    if regen or not src.exists():
        gen.generate(src, n, overwrite=True, first_open=False)
    dst = Path(tempfile.mkdtemp(prefix="views-bench-")) / "bench.db"
    shutil.copyfile(src, dst)
    return dst


def ms(samples) -> str:
    med, p95 = stats(samples)
    return f"{med:.1f} / {p95:.1f}"


def bench_sort(st: Store, repeat: int) -> None:
    print("\n### First page (200 rows) of each view in each order\n")
    print("| view | sort | rows in view | indexed | median / p95 ms | target ms | met |")
    print("|---|---|---|---|---|---|---|")
    for view in VIEWS:
        if view == "stale":
            continue
        total = st.count_view(view)
        for key in VIEW_SORTS[view]:
            for desc in (False, True):
                idx = sort_indexed(view, key)
                target = 50 if idx else 300
                samples = timeit(lambda: st.list_view(view, sort=(key, desc), limit=200, total=total), repeat, 1)
                med, _ = stats(samples)
                default = " (default)" if DEFAULT_SORT[view] == (key, desc) else ""
                print(f"| {view} | {key} {'▼' if desc else '▲'}{default} | {total:,} | {'yes' if idx else 'no'} | "
                      f"{ms(samples)} | ≤ {target} | {'yes' if med <= target else '**NO**'} |")


def bench_search(st: Store, idx: SearchIndex, repeat: int) -> None:
    print("\n### Search: count + first page, FTS side index vs the LIKE scan (anchor)\n")
    print("| view | search | matches | FTS: count / page ms | LIKE scan: count / page ms |")
    print("|---|---|---|---|---|")
    for view in ("ready", "all", "done"):
        for q in SEARCHES:
            rows = {}
            for mode in ("fts", "like"):
                st.search_index = idx if mode == "fts" else None
                n = st.count_view(view, search=q)
                c = timeit(lambda: st.count_view(view, search=q), max(repeat // 2, 2), 1)
                p = timeit(lambda: st.list_view(view, search=q, limit=200, total=n), max(repeat // 2, 2), 1)
                rows[mode] = (n, stats(c)[0], stats(p)[0])
            st.search_index = idx
            assert rows["fts"][0] == rows["like"][0], (view, q, rows)
            f, l = rows["fts"], rows["like"]
            print(f"| {view} | `{q}` | {f[0]:,} | {f[1]:.1f} / {f[2]:.1f} | {l[1]:.1f} / {l[2]:.1f} |")


def bench_fts(st: Store, path: Path, folder: Path) -> SearchIndex:
    print("\n### Search side index\n")
    idx = SearchIndex(path, folder=folder)
    t0 = time.perf_counter()
    idx.build(st)
    build = time.perf_counter() - t0
    size = os.path.getsize(idx.path) / 1e6
    st.search_index = idx
    idx.usable(st)
    for k in range(100):
        st.update_issue(st.list_view("all", limit=1, offset=k * 997)[0].id, title=f"quokka {k}")
    t0 = time.perf_counter()
    synced = idx.sync(st)
    sync_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    idle = idx.sync(st)
    idle_ms = (time.perf_counter() - t0) * 1000
    found = st.count_view("all", search="quokka")
    print("| what | value |\n|---|---|")
    print(f"| build from scratch (once per file, in a worker thread) | {build:.1f} s |")
    print(f"| side file size | {size:.0f} MB (in {folder}, never beside or inside the issues DB) |")
    print(f"| sync after 100 writes | {synced} rows in {sync_ms:.1f} ms; all 100 found: {found == 100} |")
    print(f"| sync with nothing new | {idle} rows in {idle_ms:.2f} ms |")
    return idx


CRATE = {
    "create (counter + insert)": [
        ("UPDATE issue_counter SET next_number = next_number + 1 WHERE id = 1 RETURNING next_number - 1", None),
        ("INSERT INTO issues (id, number, title, description, priority, issue_type, agent, created_at, updated_at)\n"
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "insert")],
    "claim": [("UPDATE issues SET\n  status = 'in_progress',\n  claimed_by = ?,\n  claimed_at = ?,\n  updated_at = ?\n"
               "WHERE id = ?\n  AND status = 'open'\n  AND is_blocked = 0\n  AND (claimed_by IS NULL OR claimed_at < "
               "datetime('now', '-15 minutes'))", "claim")],
    "complete": [("UPDATE issues SET\n  status = 'done',\n  claimed_by = NULL,\n  claimed_at = NULL,\n  completed_at = ?,\n"
                  "  updated_at = ?\nWHERE id = ?", "complete")],
}


def crate_writes(path: Path, repeat: int) -> dict[str, float]:
    """The crate's statements on a raw autocommit connection (its settings: foreign_keys, busy 5 s)."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=5)
    conn.execute("PRAGMA foreign_keys = ON")
    ready = [r[0] for r in conn.execute("SELECT id FROM issues WHERE status = 'open' AND is_blocked = 0 LIMIT ?",
                                        (repeat * 2 + 4,))]
    out: dict[str, list[int]] = {k: [] for k in CRATE}
    for k in range(repeat):
        now = timestamps.now()
        for name, stmts in CRATE.items():
            t0 = time.perf_counter_ns()
            number = None
            for sql, kind in stmts:
                if kind is None:
                    number = conn.execute(sql).fetchone()[0]
                elif kind == "insert":
                    conn.execute(sql, (str(uuid.uuid4()), number, "bench", "d", "high", "bug", "claude", now, now))
                elif kind == "claim":
                    conn.execute(sql, ("run-b", now, now, ready[k]))
                else:
                    conn.execute(sql, (now, now, ready[k]))
            out[name].append(time.perf_counter_ns() - t0)
    conn.close()
    return {k: stats(v)[0] for k, v in out.items()}


def bench_writes(n: int, regen: bool, repeat: int) -> None:
    print("\n### The crate's own write statements (compat.md §4), autocommit as the crate runs them\n")
    crate_only = fresh_copy(n, regen)
    base = crate_writes(crate_only, repeat)
    dash = fresh_copy(n, False)
    st = Store.open(dash, create=False)  # the store's indexes (incl. this issue's three) and counts triggers
    idx = SearchIndex(dash, folder=dash.parent)
    idx.build(st)
    st.search_index = idx
    st.list_view("all", search="cache", limit=5)  # the side file is attached and in use
    mode = st.conn.execute("PRAGMA journal_mode").fetchone()[0]
    with_dash = crate_writes(dash, repeat)
    st.close()
    # the same file in the same journal mode without this issue's indexes: what they cost alone
    conn = sqlite3.connect(str(dash), isolation_level=None)
    for name in ("tui_idx_done_completed", "tui_idx_updated", "tui_idx_created"):
        conn.execute(f"DROP INDEX {name}")
    conn.close()
    without_new = crate_writes(dash, repeat)
    print(f"| statement | crate-only file (rollback journal, anchor) | dashboard's file ({mode}, all store indexes, "
          "search index attached) | same without this issue's 3 indexes |")
    print("|---|---|---|---|")
    for name in CRATE:
        print(f"| {name} | {base[name]:.2f} ms | {with_dash[name]:.2f} ms | {without_new[name]:.2f} ms |")


def bench_lock_holds(n: int) -> None:
    """How long a first open holds the write lock per store object (an agent's write waits at most that)."""
    from store.store_objects import COUNTS_DDL, STORE_INDEXES
    print("\n### First open of a crate file: the write lock held per step (the crate's busy timeout is 5 s)\n")
    path = fresh_copy(n, False)
    conn = sqlite3.connect(str(path), isolation_level=None)
    print("| step (one transaction each) | lock held |\n|---|---|")
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for sql in COUNTS_DDL:
        conn.execute(sql)
    conn.execute("INSERT INTO tui_issue_counts (status, blocked, n) "
                 "SELECT status, ifnull(is_blocked, 0) != 0, count(*) FROM issues GROUP BY 1, 2")
    conn.execute("COMMIT")
    print(f"| counts table + triggers | {time.perf_counter() - t0:.2f} s |")
    for name, sql in STORE_INDEXES.items():
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(sql)
        conn.execute("COMMIT")
        print(f"| {name} | {time.perf_counter() - t0:.2f} s |")
    conn.close()
    shutil.rmtree(path.parent, ignore_errors=True)


def bench_pulse(st: Store, repeat: int) -> None:
    print("\n### Pulse and alerts: what each load reads\n")
    now = st.now_ns()
    times = st.completion_times(now - 24 * HOUR_NS)
    c = st.counts()
    rows = [
        ("completion_times(last 24 h)", timeit(lambda: st.completion_times(now - 24 * HOUR_NS), repeat), len(times)),
        ("pulse() over them (pure, each tick)", timeit(lambda: pulse(times, now, c.ready), repeat), 24),
        ("watched_claims() (alerts)", timeit(lambda: st.watched_claims(), repeat), 100),
    ]
    print("| read | median / p95 ms | rows |\n|---|---|---|")
    for name, samples, k in rows:
        print(f"| {name} | {ms(samples)} | {k:,} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("size", nargs="?", default="1M")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--only", default="sort,search,fts,writes,pulse,locks")
    ap.add_argument("--regen", action="store_true")
    args = ap.parse_args(argv)
    n = parse_size(args.size)
    parts = set(args.only.split(","))
    path = fresh_copy(n, args.regen)
    t0 = time.perf_counter()
    st = Store.open(path, create=False)
    print(f"## views_bench at {label(n)} issues ({path.stat().st_size / 1e6:.0f} MB); first store open "
          f"{time.perf_counter() - t0:.1f} s (indexes built once)")
    if "sort" in parts:
        bench_sort(st, args.repeat)
    idx = None
    if parts & {"fts", "search"}:
        idx = bench_fts(st, path, path.parent)
    if "search" in parts:
        bench_search(st, idx, args.repeat)
    if "pulse" in parts:
        bench_pulse(st, args.repeat)
    st.close()
    shutil.rmtree(path.parent, ignore_errors=True)
    if "writes" in parts:
        bench_writes(n, False, args.repeat * 5)
    if "locks" in parts:
        bench_lock_holds(n)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
