"""PostgreSQL beside SQLite: agents claiming at once, write -> dashboard screen, the ready queue at 1M.

    python bench/pg_bench.py                    # 16 agents x 60 s on each backend, screen latency, 1M ready page
    python bench/pg_bench.py --seconds 10 --agents 8 --big 100000      # a quick run
    python bench/pg_bench.py --only agents|screen|big|search|start

A PostgreSQL server of its own is started (tests/pg_server.py: a temp folder, unix socket only, fsync off --
as the tests run it; a production server with fsync on is slower per commit) unless `--pg URL` names one
(each part then creates its own database there, and needs the right to). Every table prints the SQLite anchor
measured in the same run beside the PostgreSQL number.

(1) agents: N processes, each its own store, loop `claim_next` -> `complete_issue` for S seconds against a
    queue big enough not to drain. Claims/s, claim latency p50/p95 (the `claim_next` call, retries included),
    double claims (an issue claimed twice, from the agents' own lists and from the `claimed` events: must be
    0), errors that reached an agent (any exception left after the agent CLI's busy retry: must be 0), and
    how many busy waits that retry absorbed.
(2) screen: the dashboard runs headless in this process on each backend; another process claims the top
    ready issue; latency = the writer's COMMIT returned -> the row gone from the painted list (p50/p95).
(3) big: the ready queue's first page (50 rows, what the dashboard asks for) at --big issues, p50/p95 of
    `list_view("ready")`; target on PostgreSQL <= 5 ms. Counts and the first dashboard load for context.
(4) search: word searches at --big issues through the pg_trgm indexes, then with them dropped (the ILIKE scan,
    the anchor: what every PostgreSQL search was before), same rows asserted; and the time to build them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

OUT = ROOT / "bench" / "out"

from percentiles import percentile as pct  # noqa: E402  (the same nearest-rank percentile as the other benches)


def table(title: str, headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    out = [f"\n{title}", line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    return "\n".join(out + [line(r) for r in rows])


# -- targets ----------------------------------------------------------------------------------------------------
class Targets:
    def __init__(self, pg_url: str | None) -> None:
        self.server = None
        self.base = pg_url
        self.tmp = Path(tempfile.mkdtemp(prefix="pg-bench-"))
        self.n = 0

    def pg_db(self) -> str:
        import psycopg
        if self.base is None:
            from pg_server import start_server
            self.server = start_server()
            self.base = self.server.url("postgres")
        self.n += 1
        name = f"bench_{os.getpid()}_{self.n}"
        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        head, _, query = self.base.partition("?")
        return head.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")

    def sqlite_copy(self, src: Path, name: str) -> str:
        dst = self.tmp / name
        dst.write_bytes(src.read_bytes())
        return str(dst)

    def close(self) -> None:
        import shutil
        if self.server is not None:
            self.server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def generated(n: int, open_frac: float) -> Path:
    from gen import generate
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"pg-bench-{n}-{int(open_frac * 100)}.db"
    if not path.exists():
        print(f"  generating {n:,} issues ...", file=sys.stderr, flush=True)
        generate(path, n, open_frac, 0, overwrite=True, first_open=False)
    return path


def on_both(targets: Targets, src: Path, name: str) -> dict[str, str]:
    """The same crate file on each backend: a copy of the file, and a PostgreSQL DB it was migrated into."""
    from store.transfer import migrate
    pg = targets.pg_db()
    t0 = time.perf_counter()
    migrate(str(src), pg)
    print(f"  migrated {name} into PostgreSQL in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    from store import open_store
    sq = targets.sqlite_copy(src, name)
    open_store(sq).close()  # the first read-write open (WAL, store indexes) is not part of the measurement
    return {"SQLite": sq, "PostgreSQL": pg}


# -- (1) agents -------------------------------------------------------------------------------------------------
def agent(target: str, run_id: str, seconds: float, barrier, queue) -> None:
    """One agent process. Each call goes through the retry the agent CLI uses (`issues-tui claim/complete`
    wait out a busy database): what is counted as an error is what still reaches the agent after it;
    `busy` counts the BusyErrors that retry absorbed (SQLite's lock held past its 5 s busy timeout)."""
    from store import BusyError, open_store
    lat, ids, errors, empty, busy = [], [], [], 0, [0]

    def call(fn):
        for attempt in range(12):
            try:
                return fn()
            except BusyError:
                busy[0] += 1
                if attempt == 11:
                    raise
                time.sleep(min(0.05 * 2 ** attempt, 2.0))

    try:
        st = open_store(target, actor=run_id)
    except Exception as exc:
        queue.put((run_id, [], [], [f"open: {exc}"], 0, 0))
        return
    barrier.wait(timeout=120)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        try:
            issue = call(lambda: st.claim_next(run_id))
        except Exception as exc:
            errors.append(f"claim: {type(exc).__name__}: {exc}")
            continue
        lat.append(time.perf_counter() - t0)
        if issue is None:
            empty += 1
            if empty > 50:
                break
            continue
        ids.append(issue.id)
        try:
            call(lambda: st.complete_issue(issue.id))
        except Exception as exc:
            errors.append(f"complete: {type(exc).__name__}: {exc}")
    st.close()
    queue.put((run_id, lat, ids, errors, empty, busy[0]))


def double_claims_in_db(target: str) -> int:
    from store import open_store
    with open_store(target, read_only=True) as st:
        with st._read() as conn:
            return conn.execute("SELECT count(*) FROM (SELECT issue_id FROM issue_events WHERE event_type = 'claimed' "
                                "GROUP BY issue_id HAVING count(*) > 1) d").fetchone()[0]


def bench_agents(targets: Targets, agents: int, seconds: float) -> str:
    n = max(20_000, int(seconds * agents * 150))
    src = generated(n, 0.98)
    rows = []
    for backend, target in on_both(targets, src, f"agents-{n}.db").items():
        print(f"  {agents} agents x {seconds:g} s on {backend} ...", file=sys.stderr, flush=True)
        ctx = mp.get_context("spawn")
        queue, barrier = ctx.Queue(), ctx.Barrier(agents + 1)
        procs = [ctx.Process(target=agent, args=(target, f"agent-{k}", seconds, barrier, queue)) for k in range(agents)]
        for p in procs:
            p.start()
        barrier.wait(timeout=120)
        t0 = time.perf_counter()
        results = [queue.get(timeout=seconds + 300) for _ in procs]
        wall = time.perf_counter() - t0
        for p in procs:
            p.join(30)
        lat = [x for r in results for x in r[1]]
        ids = [x for r in results for x in r[2]]
        errors = [x for r in results for x in r[3]]
        drained = sum(r[4] for r in results)
        busy = sum(r[5] for r in results)
        doubles = (len(ids) - len(set(ids))) + double_claims_in_db(target)
        rows.append([backend, f"{agents} x {seconds:g} s", f"{len(ids):,}", f"{len(ids) / wall:,.0f}",
                     f"{pct(lat, 50) * 1000:.2f}", f"{pct(lat, 95) * 1000:.2f}", str(doubles), str(len(errors)),
                     str(busy), "yes" if drained else "no"])
        if errors:
            print(f"  {backend} errors (first 3): {errors[:3]}", file=sys.stderr)
    return table("(1) agents: claim_next -> complete_issue loops, one store per process",
                 ["backend", "agents", "claims", "claims/s", "claim p50 ms", "claim p95 ms", "double claims (0)",
                  "errors reaching an agent (0)", "busy waits retried", "queue ran dry"], rows)


# -- (2) write -> screen ----------------------------------------------------------------------------------------
WRITER = r"""
import json, sys, time
from store import open_store
s = open_store(sys.argv[1], create=False, actor="bench:writer")
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    if json.loads(line)["op"] == "quit":
        break
    issue = s.claim_next("bench-run")
    print(json.dumps({"t": time.time(), "id": issue.id}), flush=True)
s.close()
"""


async def screen_latency(target: str, commits: int) -> list[float]:
    from tui.app import IssuesApp
    from tui.config import Config

    seen: dict[str, float] = {}

    class Probe(IssuesApp):
        CSS_PATH = str(ROOT / "tui" / "app.tcss")  # relative paths resolve against this file's folder
        target_id: str | None = None

        def on_source_loaded(self, msg) -> None:  # runs before IssuesApp's handler (MRO dispatch)
            self.call_after_refresh(self._check)

        def _check(self) -> None:
            if self.target_id and self.target_id not in {i.id for i in self.query_one("IssueList").rows}:
                seen.setdefault(self.target_id, time.time())

    app = Probe(target, watch=True, config=Config(poll_seconds=3600.0))
    out: list[float] = []
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    async with app.run_test(size=(120, 40)) as pilot:
        while app.load_count == 0:
            await asyncio.sleep(0.01)
        await pilot.pause(0.5)
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", WRITER, target, env=env, cwd=str(ROOT),
                                                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        assert json.loads(await proc.stdout.readline()) == {"ready": True}
        for _ in range(commits):
            top = app.query_one("IssueList").rows[0].id
            app.target_id = top
            proc.stdin.write(b'{"op": "claim"}\n')
            await proc.stdin.drain()
            reply = json.loads(await proc.stdout.readline())
            assert reply["id"] == top, "the writer claimed another issue than the top of the screen"
            deadline = time.monotonic() + 5
            while top not in seen and time.monotonic() < deadline:
                await asyncio.sleep(0.001)
            if top in seen:
                out.append((seen[top] - reply["t"]) * 1000)
            app.target_id = None
            await asyncio.sleep(0.2)
        proc.stdin.write(b'{"op": "quit"}\n')
        await proc.stdin.drain()
        await proc.wait()
    return out


def bench_screen(targets: Targets, commits: int) -> str:
    src = generated(20_000, 0.3)
    rows = []
    for backend, target in on_both(targets, src, "screen-20k.db").items():
        print(f"  write -> screen x {commits} on {backend} ...", file=sys.stderr, flush=True)
        lat = asyncio.run(screen_latency(target, commits))
        rows.append([backend, f"{len(lat)}/{commits}", f"{pct(lat, 50):.1f}", f"{pct(lat, 95):.1f}",
                     f"{max(lat):.1f}" if lat else "-", "≤ 100 (p95)" if backend == "PostgreSQL" else "anchor"])
    return table("(2) another process claims the top ready issue -> the row is gone from the painted list (20k issues)",
                 ["backend", "seen", "p50 ms", "p95 ms", "max ms", "target ms"], rows)


# -- (3) the ready queue at 1M ----------------------------------------------------------------------------------
def timed(fn, repeat: int) -> list[float]:
    fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def bench_big(targets: Targets, n: int, repeat: int) -> str:
    from store import open_store
    from tui.loader import Query, load_snapshot
    src = generated(n, 0.3)
    rows = []
    for backend, target in on_both(targets, src, f"big-{n}.db").items():
        with open_store(target, read_only=True) as st:
            if backend == "PostgreSQL":
                with st._read() as conn:
                    conn.execute("ANALYZE")
            measures = {
                "ready queue, first page (50)": (lambda: st.list_view("ready", limit=50), "≤ 5" if backend == "PostgreSQL" else "anchor"),
                "ready queue, page at offset 10k": (lambda: st.list_view("ready", limit=50, offset=10_000), ""),
                "next ready issue (agent's read)": (lambda: st.get_next_ready_issue(), ""),
                "counts (status line)": (lambda: st.counts(), ""),
                "dashboard load (snapshot)": (lambda: load_snapshot(st, Query(limit=50)), ""),
            }
            for name, (fn, target_ms) in measures.items():
                t = timed(fn, repeat if "snapshot" not in name and "counts" not in name else max(3, repeat // 5))
                rows.append([name, backend, f"{pct(t, 50):.2f}", f"{pct(t, 95):.2f}", target_ms])
    order = list(dict.fromkeys(r[0] for r in rows))
    rows.sort(key=lambda r: order.index(r[0]))  # each measure's backends side by side
    return table(f"(3) reads at {n:,} issues (30 % open), read-only store", ["measure", "backend", "p50 ms", "p95 ms",
                                                                            "target ms"], rows)


PG_SEARCHES = ["cache", "claim expiry", "upstream", "zzqx", "type:bug -cache", "cache is:blocked", "(12345)"]


def bench_search(targets: Targets, n: int, repeat: int) -> str:
    """(4) word search on PostgreSQL: the pg_trgm indexes vs the plain ILIKE scan (anchor), same DB, same run."""
    from store import open_store
    from store.postgres import search_index
    src = generated(n, 0.3)
    pg = targets.pg_db()
    from store.transfer import migrate
    t0 = time.perf_counter()
    migrate(str(src), pg)
    print(f"  migrated {n:,} issues (trigram indexes included) in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    rows, found = [], {}
    with open_store(pg) as st:
        st.conn.execute("VACUUM ANALYZE issues")
        for mode in ("pg_trgm indexes", "ILIKE scan (anchor)"):
            if mode.startswith("ILIKE"):
                for col in schema_cols():
                    st.conn.execute(f"DROP INDEX tui_search_{col}")
            for view in ("all", "ready"):
                for q in PG_SEARCHES:
                    hits = st.count_view(view, search=q)
                    assert found.setdefault((view, q), hits) == hits, (view, q, hits, found[(view, q)])
                    c = timed(lambda: st.count_view(view, search=q), max(2, repeat // 5))
                    p = timed(lambda: st.list_view(view, search=q, limit=50, total=hits), max(2, repeat // 5))
                    rows.append([f"{view}: `{q}`", mode, f"{hits:,}", f"{pct(c, 50):.1f}", f"{pct(p, 50):.1f}"])
        t0 = time.perf_counter()
        assert search_index.ensure(st.conn) is None
        build = time.perf_counter() - t0
    order = list(dict.fromkeys(r[0] for r in rows))
    rows.sort(key=lambda r: order.index(r[0]))
    return table(f"(4) word search at {n:,} issues on PostgreSQL (count / first page of 50, p50 ms); building the "
                 f"three indexes on an existing DB took {build:.1f} s",
                 ["search", "path", "matches", "count ms", "page ms"], rows)


def schema_cols() -> tuple[str, ...]:
    from store.postgres.schema import SEARCH_COLUMNS
    return SEARCH_COLUMNS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/pg_bench.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--agents", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--commits", type=int, default=30)
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--only", choices=["agents", "screen", "big", "search", "start"])
    ap.add_argument("--starts", type=int, default=7, help="(5) rounds of fresh dashboard processes")
    ap.add_argument("--pg", metavar="URL", help="a PostgreSQL server to use (default: start one)")
    args = ap.parse_args(argv)
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the server we started
    targets = Targets(args.pg)
    out = []
    try:
        if args.only in (None, "agents"):
            out.append(bench_agents(targets, args.agents, args.seconds))
            print(out[-1], flush=True)
        if args.only in (None, "screen"):
            out.append(bench_screen(targets, args.commits))
            print(out[-1], flush=True)
        if args.only in (None, "big"):
            out.append(bench_big(targets, args.big, args.repeat))
            print(out[-1], flush=True)
        if args.only in (None, "search"):
            out.append(bench_search(targets, args.big, args.repeat))
            print(out[-1], flush=True)
        if args.only in (None, "start"):
            from pg_start import bench_start
            from ui_setup import BIG_FIXTURE
            out.append(bench_start(targets, BIG_FIXTURE, args.starts, on_both, table))
            print(out[-1], flush=True)
    finally:
        targets.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
