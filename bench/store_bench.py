"""Store benchmark: prints a Markdown table of median / p95 ms per operation at several DB sizes.

    python bench/store_bench.py [SIZES] [--repeat N] [--regen] [--explain]
    python bench/store_bench.py 1k,100k          # then: python bench/store_bench.py 1k,100k,1M

SIZES is a comma list (`1k,100k,1M`, default). Generated files are cached under bench/out/ (gitignored) as
crate-like DBs (`issues-N.crate.db`, made by bench/gen.py without the store's objects); every run works on a
fresh copy, so the first open (WAL switch + the store's indexes + counts table) is measured each time.
Claims in a cached file age: regenerate with --regen to get live (< 15 min) claims again.

Each write (create / claim / complete) is one `BEGIN IMMEDIATE ... COMMIT` with the store's settings
(WAL, synchronous=NORMAL: no fsync per commit, one per checkpoint), timed beside the crate's own write path
on a copy of the same file (autocommit, rollback journal, synchronous=FULL, the crate's statements), as a
ratio. The ready queue is also timed on a read-only open of the untouched crate file (no store indexes:
what `issues-tui ready` costs). `--explain` prints EXPLAIN QUERY PLAN for every read
and the same reads timed as raw SQL (no Issue objects), to tell SQLite time from Python time.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import gen  # noqa: E402
from store import Store  # noqa: E402

OUT = HERE / "out"

# (row label, target in ms at the largest size, or None)
TARGETS = {
    "ready queue, first page (200)": 1.0,
    "get_next_ready_issue()": 1.0,
    "get_next_ready_issue('codex')": 1.0,
    "counts()": 10.0,
    "create_issue": 2.0,
    "claim_issue": 2.0,
    "complete_issue": 2.0,
}


def parse_size(text: str) -> int:
    t = text.strip().lower().replace("_", "")
    mult = 1
    if t.endswith("k"):
        mult, t = 1_000, t[:-1]
    elif t.endswith("m"):
        mult, t = 1_000_000, t[:-1]
    return int(float(t) * mult)


def label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def stats(samples_ns: list[int]) -> tuple[float, float]:
    ms = sorted(s / 1e6 for s in samples_ns)
    p95 = ms[max(0, math.ceil(0.95 * len(ms)) - 1)]
    return statistics.median(ms), p95


def timeit(fn, repeat: int, warmup: int = 2) -> list[int]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        fn()
        out.append(time.perf_counter_ns() - t0)
    return out


def crate_file(n: int, regen: bool) -> tuple[Path, float | None]:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"issues-{n}.crate.db"
    if path.exists() and not regen:
        return path, None
    r = gen.generate(path, n, overwrite=True, first_open=False)
    return path, r["generate_s"]


def fresh_copy(src: Path, n: int, name: str | None = None) -> Path:
    dst = OUT / (name or f"work-{n}.db")
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(f"{dst}{suffix}")
        except FileNotFoundError:
            pass
    shutil.copyfile(src, dst)
    return dst


# The crate's own write path (compat.md section 4): autocommit, rollback journal, synchronous FULL (SQLite's
# default), the crate's exact statements; create_issue is three statements (counter, insert, re-read).
CRATE_NEXT = "UPDATE issue_counter SET next_number = next_number + 1 WHERE id = 1 RETURNING next_number - 1"
CRATE_INSERT = ("INSERT INTO issues (id, number, title, description, priority, issue_type, agent, created_at, updated_at)\n"
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
CRATE_CLAIM = ("UPDATE issues SET\n  status = 'in_progress',\n  claimed_by = ?,\n  claimed_at = ?,\n  updated_at = ?\n"
               "WHERE id = ?\n  AND status = 'open'\n  AND is_blocked = 0\n"
               "  AND (claimed_by IS NULL OR claimed_at < datetime('now', '-15 minutes'))")
CRATE_COMPLETE = ("UPDATE issues SET\n  status = 'done',\n  claimed_by = NULL,\n  claimed_at = NULL,\n"
                  "  completed_at = ?,\n  updated_at = ?\nWHERE id = ?")
WRITES = ("create_issue", "claim_issue", "complete_issue")


def crate_writes(src: Path, n: int, repeat: int) -> dict[str, list[int]]:
    """The three writes the crate's way, on a fresh copy of the crate-like file (none of the store's objects)."""
    import sqlite3
    import uuid

    from store import timestamps

    work = fresh_copy(src, n, name=f"crate-work-{n}.db")
    conn = sqlite3.connect(str(work), isolation_level=None)  # autocommit: each statement its own transaction
    conn.execute("PRAGMA foreign_keys = ON")  # the crate's only PRAGMA
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL

    def create() -> None:
        issue_id = str(uuid.uuid4())
        number = conn.execute(CRATE_NEXT).fetchone()[0]
        now = timestamps.now()
        conn.execute(CRATE_INSERT, (issue_id, number, "Bench issue", "created by store_bench", "high", "task",
                                    "codex", now, now))
        conn.execute("SELECT * FROM issues WHERE id = ?", (issue_id,)).fetchall()

    targets = [r[0] for r in conn.execute(
        "SELECT id FROM issues WHERE status = 'open' AND is_blocked = 0 AND claimed_by IS NULL LIMIT ?", (repeat + 4,))]
    claim_it, complete_it = iter(targets), iter(targets)

    def claim() -> None:
        now = timestamps.now()
        assert conn.execute(CRATE_CLAIM, ("bench-run", now, now, next(claim_it))).rowcount == 1

    def complete() -> None:
        now = timestamps.now()
        assert conn.execute(CRATE_COMPLETE, (now, now, next(complete_it))).rowcount == 1

    try:
        return {"create_issue": timeit(create, repeat), "claim_issue": timeit(claim, repeat),
                "complete_issue": timeit(complete, repeat)}
    finally:
        conn.close()


def read_only_reads(src: Path, n: int, repeat: int) -> dict[str, list[int]]:
    """What `issues-tui ready` costs on an untouched crate file (read-only open: no store indexes)."""
    work = fresh_copy(src, n, name=f"ro-work-{n}.db")
    st = Store.open(work, read_only=True, create=False, actor="bench")
    try:
        assert not st._has_store_indexes
        return {"read-only crate file: ready first page (20)": timeit(lambda: st.ready_queue(limit=20), repeat),
                "read-only crate file: get_next_ready_issue()": timeit(st.get_next_ready_issue, repeat)}
    finally:
        st.close()


def bench_size(n: int, repeat: int, regen: bool, explain: bool) -> tuple[dict[str, list[int]], dict]:
    src, gen_s = crate_file(n, regen)
    info: dict = {"generate_s": gen_s, "size_mb": src.stat().st_size / 1e6}
    res: dict[str, list[int]] = {}

    # First open: index build on a crate-like file (a fresh copy each time).
    first_repeats = 5 if n <= 100_000 else 3
    firsts = []
    for _ in range(first_repeats):
        work = fresh_copy(src, n)
        t0 = time.perf_counter_ns()
        st = Store.open(work, create=False, actor="bench")
        firsts.append(time.perf_counter_ns() - t0)
        st.close()
    res["first open (store indexes + counts)"] = firsts

    def reopen():
        Store.open(work, create=False, actor="bench").close()

    res["reopen"] = timeit(reopen, min(repeat, 20), warmup=1)

    st = Store.open(work, create=False, actor="bench")
    try:
        reads = {
            "ready queue, first page (200)": lambda: st.ready_queue(limit=200),
            "get_next_ready_issue()": lambda: st.get_next_ready_issue(),
            "get_next_ready_issue('codex')": lambda: st.get_next_ready_issue("codex"),
            "counts()": st.counts,
            "list_view in_progress (200)": lambda: st.list_view("in_progress", limit=200),
            "list_view blocked (200)": lambda: st.list_view("blocked", limit=200),
            "list_view done (200)": lambda: st.list_view("done", limit=200),
            "list_view stale (200)": lambda: st.list_view("stale", limit=200),
            "search ready 'foo' (200)": lambda: st.list_view("ready", search="foo", limit=200),
            "search ready, no match (200)": lambda: st.list_view("ready", search="zzqx", limit=200),
        }
        for name, fn in reads.items():
            res[name] = timeit(fn, repeat)

        # Writes: each one fsync'd transaction. Claim/complete distinct ready issues.
        res["create_issue"] = timeit(lambda: st.create_issue("Bench issue", "created by store_bench", "high",
                                                             "task", "codex"), repeat)
        targets = [i.id for i in st.ready_queue(limit=repeat + 4)]
        it = iter(targets)
        ok = []
        res["claim_issue"] = timeit(lambda: ok.append(st.claim_issue(next(it), "bench-run")), repeat)
        assert all(ok), "claim_issue refused a ready issue"
        claimed = iter(targets)
        done = []
        res["complete_issue"] = timeit(lambda: done.append(st.complete_issue(next(claimed))), repeat)
        assert all(done), "complete_issue refused a claimed issue"
        info["counts"] = st.counts()
        info["synchronous"] = st.wconn.execute("PRAGMA synchronous").fetchone()[0]
        if explain:
            info["explain"] = explain_reads(st)
    finally:
        st.close()
    info["crate_writes"] = crate_writes(src, n, repeat)
    res.update(read_only_reads(src, n, repeat))
    return res, info


def explain_reads(st: Store) -> list[str]:
    lines = []
    conn = st.conn
    queries = [("ready", None, None), ("ready", "codex", None), ("in_progress", None, None), ("blocked", None, None),
               ("done", None, None), ("stale", None, None), ("ready", None, "foo")]
    for view, agent, search in queries:
        sql, params = st._view_sql(view, agent, search, None)
        full = f"{sql} LIMIT ? OFFSET ?"
        args = (*params, 200, 0)
        plan = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {full}", args)]
        raw = timeit(lambda: conn.execute(full, args).fetchall(), 30)
        med, p95 = stats(raw)
        lines.append(f"- `{view}` agent={agent} search={search}: raw SQL {med:.3f} / {p95:.3f} ms; plan: "
                     + " | ".join(plan))
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/store_bench.py")
    ap.add_argument("sizes", nargs="?", default="1k,100k,1M")
    ap.add_argument("--repeat", type=int, default=50, help="timed runs per operation (default 50)")
    ap.add_argument("--regen", action="store_true", help="regenerate the cached DBs")
    ap.add_argument("--explain", action="store_true", help="print query plans and raw SQL timings")
    args = ap.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]

    results: dict[int, dict[str, list[int]]] = {}
    infos: dict[int, dict] = {}
    for n in sizes:
        print(f"... {label(n)} issues", file=sys.stderr, flush=True)
        results[n], infos[n] = bench_size(n, args.repeat, args.regen, args.explain)

    rows = list(next(iter(results.values())).keys())
    big = sizes[-1]
    header = ["operation"] + [f"{label(n)}: median / p95 ms" for n in sizes] + [f"target (at {label(big)})", "met"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["--:"] * len(sizes) + [":-:", ":-:"]) + "|")
    for row in rows:
        cells = [row]
        for n in sizes:
            med, p95 = stats(results[n][row])
            cells.append(f"{med:.3f} / {p95:.3f}")
        target = TARGETS.get(row)
        if target is None:
            cells += ["–", ""]
        else:
            med, _ = stats(results[big][row])
            cells += [f"<= {target:g} ms", "yes" if med <= target else "**NO**"]
        print("| " + " | ".join(cells) + " |")
    print()
    print("Writes side by side with the crate's own write path, same run (median ms; ratio = crate / ours, "
          "target >= 3x):")
    print()
    header = ["write"] + [f"{label(n)}: crate / ours / ratio" for n in sizes] + ["met (all sizes)"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["--:"] * len(sizes) + [":-:"]) + "|")
    for row in WRITES:
        cells, met = [row], True
        for n in sizes:
            crate, _ = stats(infos[n]["crate_writes"][row])
            ours, _ = stats(results[n][row])
            met &= crate / ours >= 3
            cells.append(f"{crate:.3f} / {ours:.3f} / **{crate / ours:.1f}x**")
        cells.append("yes" if met else "**NO**")
        print("| " + " | ".join(cells) + " |")
    print()
    print("- crate path: autocommit, rollback journal, synchronous=FULL, the crate's statements (create = 3); "
          f"ours: one BEGIN IMMEDIATE ... COMMIT with its event row, WAL, synchronous="
          f"{ {0: 'OFF', 1: 'NORMAL', 2: 'FULL', 3: 'EXTRA'}.get(infos[sizes[0]]['synchronous'], '?') } "
          "(durable across process crashes; an OS crash or power cut may undo the last commits, see store/setup.py)")
    print()
    for n in sizes:
        i = infos[n]
        c = i["counts"]
        gen_txt = f"generated in {i['generate_s']:.1f} s" if i["generate_s"] is not None else "cached file"
        print(f"- {label(n)}: {i['size_mb']:.1f} MB crate-like file ({gen_txt}); after the run: ready {c.ready:,}, "
              f"in_progress {c.in_progress:,} (stale {c.stale:,}), blocked {c.blocked:,}, done {c.done:,}")
    print(f"- {args.repeat} timed runs per operation after 2 warm-up runs (first open: 3-5 runs on fresh copies, "
          "reopen: 20); targets judged on the median.")
    if args.explain:
        for n in sizes:
            print(f"\nQuery plans at {label(n)}:")
            print("\n".join(infos[n]["explain"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
