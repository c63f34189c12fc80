"""Dashboard benchmark: prints a Markdown table (median / p95 and targets).

    python bench/ui_bench.py [--commits 30] [--idle 10] [--skip-1m] [--regen]

(a) external commit -> change on screen: the app runs headless in this process (`run_test`), a writer
    *subprocess* holding its own Store commits on request (pipe). Each commit completes the
    highest-numbered open issue, so it lands at the top of the Done view (number DESC) the app shows.
    Latency = time.time() after the writer's COMMIT returned -> time.time() after the first screen
    refresh following the snapshot that has the row in IssueList.rows (and a load_count increment).
    100k-issue file. Also: a claim of the top ready issue -> its row leaves the Ready view.
(b) process start -> first full paint: `python -c` imports tui.app, runs IssuesApp headless
    (`app.run(headless=True)`) and exits right after the first Loaded snapshot is painted. Wall time
    from Popen to the child's paint timestamp (and to its exit). Warm = the store's indexes exist
    (second and later opens); first open of a crate-written file (WAL switch + indexes) is listed apart.
(c) peak RSS of that process: VmHWM from /proc/self/status at exit (ru_maxrss and RUSAGE_CHILDREN are
    printed too, but Linux carries the parent's hiwater mark into them across fork+exec, so they are
    measured before the in-process part (a) makes this process big).
(d) idle CPU of a running dashboard (live refresh on: folder watch + 2 s poll + 1 s tick) over
    `--idle` seconds, from /proc/<pid>/stat utime+stime.

Generated files are cached under bench/out/ (gitignored); every measured run works on a copy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

OUT = HERE / "out"
BIG_FIXTURE = Path("/work/shared/fixtures/crate-v5-big.db")
CSS = str(ROOT / "tui" / "app.tcss")
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
# Started processes use compiled bytecode, as an installed app does (site-packages, Textual included, always
# has its .pyc): with PYTHONDONTWRITEBYTECODE set, our own modules would be compiled from source on every
# start (~25 ms) while the bare-app anchor's Textual is not. The cache goes to bench/out, not the tree.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
ENV["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")


# -- files ---------------------------------------------------------------------------------------------
def generated(n: int, regen: bool = False) -> Path:
    """A cached generated file with the store's indexes already built (bench/gen.py), or a local fallback."""
    path = OUT / f"ui-{n}.db"
    if path.exists() and not regen:
        return path
    OUT.mkdir(exist_ok=True)
    if (HERE / "gen.py").exists():  # bench/gen.py, in a subprocess: its 1 GiB page cache must not inflate us
        subprocess.run([sys.executable, str(HERE / "gen.py"), str(path), str(n), "--force"], check=True, env=ENV,
                       stdout=sys.stderr)
    else:
        _local_generate(path, n)
    return path


def _local_generate(path: Path, n: int) -> None:
    """Minimal fallback generator: n issues via the crate schema, 30 % open."""
    import random
    import sqlite3
    import uuid

    from store import Store, migrations, timestamps

    if path.exists():
        path.unlink()
    conn = sqlite3.connect(str(path), isolation_level=None)
    migrations.migrate(conn)
    conn.execute("BEGIN")
    rng = random.Random(0)
    now = time.time_ns() - n * 1_000_000
    rows = []
    for i in range(1, n + 1):
        ts = timestamps.format_ns(now + i * 1_000_000)
        status = "open" if rng.random() < 0.3 else "done"
        rows.append((str(uuid.UUID(int=rng.getrandbits(128), version=4)), i, f"Issue {i}", None, status,
                     rng.choice(["urgent", "high", "medium", "low"]), "task", 0, ts, ts, rng.choice(["claude", "codex"])))
    conn.executemany("INSERT INTO issues (id, number, title, description, status, priority, issue_type, is_blocked, "
                     "created_at, updated_at, agent) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("UPDATE issue_counter SET next_number = ? WHERE id = 1", (n + 1,))
    conn.execute("COMMIT")
    conn.close()
    Store.open(path, create=False).close()


def work_copy(src: Path, name: str) -> Path:
    dst = OUT / name
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(dst) + suffix)
        if p.exists():
            p.unlink()
    shutil.copyfile(src, dst)
    return dst


def stats(values: list[float]) -> tuple[float, float]:
    s = sorted(values)
    p95 = s[min(len(s) - 1, math.ceil(0.95 * len(s)) - 1)]
    return statistics.median(s), p95


# -- (a) commit -> screen ---------------------------------------------------------------------------
WRITER = r"""
import json, sys, time
from store import Store
s = Store.open(sys.argv[1], create=False, actor="bench:writer")
open_desc = [r[0] for r in s.conn.execute(
    "SELECT number FROM issues WHERE status = 'open' ORDER BY number DESC LIMIT 200")]
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["op"] == "quit":
        break
    if cmd["op"] == "complete":
        number = open_desc.pop(0)
        issue = s.get_issue_by_number(number)
        ok = s.complete_issue(issue.id)
    else:  # claim the first ready issue
        issue = s.get_next_ready_issue()
        ok = s.claim_issue(issue.id, "bench-run")
    t = time.time()
    print(json.dumps({"t": t, "id": issue.id, "ok": ok}), flush=True)
s.close()
"""


async def commit_latency(path: Path, commits: int) -> dict[str, list[float]]:
    from tui.app import IssuesApp

    seen: dict[str, float] = {}

    class Probe(IssuesApp):
        CSS_PATH = CSS
        target: tuple[str, bool] | None = None  # (issue id, should be present)

        def on_source_loaded(self, msg) -> None:  # runs before IssuesApp.on_source_loaded (MRO dispatch)
            count = self.load_count
            self.call_after_refresh(self._check, count)

        def _check(self, before: int) -> None:
            if self.target is None or self.load_count <= before:
                return
            issue_id, present = self.target
            rows = {i.id for i in self.query_one("IssueList").rows}
            if (issue_id in rows) == present and issue_id not in seen:
                seen[issue_id] = time.time()

    app = Probe(path, watch=True)
    results: dict[str, list[float]] = {"complete": [], "claim": []}
    load_ms: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        while app.load_count == 0:
            await asyncio.sleep(0.01)
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", WRITER, str(path), env=ENV, cwd=str(ROOT),
                                                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        assert json.loads(await proc.stdout.readline()) == {"ready": True}

        async def one(op: str, present: bool) -> None:
            proc.stdin.write((json.dumps({"op": op}) + "\n").encode())
            await proc.stdin.drain()
            reply = json.loads(await proc.stdout.readline())
            assert reply["ok"], reply
            app.target = (reply["id"], present)
            deadline = time.monotonic() + 5
            while reply["id"] not in seen and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            if reply["id"] in seen:
                results[op].append((seen[reply["id"]] - reply["t"]) * 1000)
                load_ms.append(app.snapshot.load_ms)
            app.target = None
            await asyncio.sleep(0.15)  # let the burst settle: each commit is measured on its own

        app.set_view("done")
        await pilot.pause(0.3)
        for _ in range(commits):
            await one("complete", True)
        app.set_view("ready")
        await pilot.pause(0.3)
        for _ in range(commits):
            await one("claim", False)
        proc.stdin.write(b'{"op": "quit"}\n')
        await proc.stdin.drain()
        await proc.wait()
    results["load_ms"] = load_ms
    return results


# -- (e) key press -> committed write visible in the row -------------------------------------------------
async def key_latency(path: Path, presses: int) -> tuple[list[float], int]:
    """Press `+`/`-` alternately on the selected issue; time until the row shows the committed value."""
    from store import Store
    from tui.app import IssuesApp
    from tui.widgets.ready_queue import IssueList

    app = IssuesApp(path, watch=True)
    out: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        while app.load_count == 0:
            await asyncio.sleep(0.01)
        app.set_view("all")  # priority changes do not move rows in this view
        await pilot.pause(0.5)
        issues = app.query_one(IssueList)
        issues.move_to(50)
        await pilot.pause(0.3)
        check = Store.open(path, read_only=True)
        for n in range(presses):
            issue = issues.current
            key = "minus" if issue.priority_rank < 2 else "plus"
            expected = {"plus": issue.priority_rank - 1, "minus": issue.priority_rank + 1}[key]
            t0 = time.perf_counter()
            app.simulate_key(key)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                row = issues.current
                if row is not None and row.id == issue.id and row.priority_rank == expected:
                    break
                await asyncio.sleep(0.001)
            elapsed = (time.perf_counter() - t0) * 1000
            committed = check.get_issue_by_id(issue.id)
            if committed.priority_rank == expected:
                out.append(elapsed)
            await asyncio.sleep(0.1)
        check.close()
    # The new-issue form: `n`, the title, then `enter` saves — keys beyond the title text:
    return out, 2


# -- (b)/(c) start -> first paint ----------------------------------------------------------------------
STARTER = r"""
import json, resource, sys, time
t_start = time.time()
from tui.app import IssuesApp
t_import = time.time()

class Once(IssuesApp):
    CSS_PATH = sys.argv[2]
    def on_source_loaded(self, msg):  # runs before IssuesApp.on_source_loaded: check after the repaint that follows it
        self.call_after_refresh(self._done)
    def _done(self):
        if self.load_count >= 1 and not getattr(self, "_reported", False):
            self._reported = True
            rows = len(self.query_one("IssueList").rows)
            self._report = {"paint": time.time(), "start": t_start, "import": t_import, "rows": rows,
                            "load_ms": self.snapshot.load_ms}
            self.exit()

app = Once(sys.argv[1], watch=True)
app.run(headless=True, size=(120, 40))
r = app._report
r["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
# VmHWM is this process image's own peak: ru_maxrss also keeps the hiwater mark inherited through fork+exec
# (a child of a 130 MB parent reports >= 130 MB), so VmHWM is the number to trust.
r["hwm_kb"] = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps(r), flush=True)
"""


# The anchor: a bare Textual app (one Static) in a fresh process, timed the same way (Popen -> first paint).
BARE = r"""
import json, resource, sys, time
t_start = time.time()
from textual.app import App
from textual.widgets import Static
t_import = time.time()

class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self._done)
    def _done(self):
        self._report = {"paint": time.time(), "start": t_start, "import": t_import, "rows": 0, "load_ms": 0.0}
        self.exit()

app = Bare()
app.run(headless=True, size=(120, 40))
r = app._report
r["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r["hwm_kb"] = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps(r), flush=True)
"""


def start_once(path: Path | None) -> dict:
    """One start of the dashboard on `path` (or of the bare Textual app, for None) in a fresh process."""
    t0 = time.time()
    argv = [sys.executable, "-c", STARTER, str(path), CSS] if path is not None else [sys.executable, "-c", BARE]
    out = subprocess.run(argv, env=ENV, cwd=str(ROOT),
                         capture_output=True, text=True, timeout=120)
    t_exit = time.time()
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"starter failed ({out.returncode}): {out.stderr[-2000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r["to_paint_ms"] = (r["paint"] - t0) * 1000
    r["to_exit_ms"] = (t_exit - t0) * 1000
    r["interp_ms"] = (r["start"] - t0) * 1000
    r["import_ms"] = (r["import"] - r["start"]) * 1000
    return r


# -- (d) idle CPU --------------------------------------------------------------------------------------
IDLER = r"""
import sys, time
from tui.app import IssuesApp

class Idle(IssuesApp):
    CSS_PATH = sys.argv[2]
    def on_source_loaded(self, msg):
        if not getattr(self, "_said", False):
            self._said = True
            print("ready", flush=True)

Idle(sys.argv[1], watch=True).run(headless=True, size=(120, 40))
"""


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the full line)


def idle_cpu(path: Path, seconds: float) -> float:
    proc = subprocess.Popen([sys.executable, "-c", IDLER, str(path), CSS], env=ENV, cwd=str(ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return measure_idle(proc, seconds)


def measure_idle(proc: subprocess.Popen, seconds: float, settle_s: float = 1.0) -> float:
    """CPU % of a started dashboard process (it prints `ready` after its first load) over `seconds`."""
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(settle_s)  # let start-up work finish
        hz = os.sysconf("SC_CLK_TCK")
        c0, t0 = cpu_ticks(proc.pid), time.monotonic()
        time.sleep(seconds)
        c1, t1 = cpu_ticks(proc.pid), time.monotonic()
        return 100.0 * (c1 - c0) / hz / (t1 - t0)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- main ----------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/ui_bench.py")
    ap.add_argument("--commits", type=int, default=30)
    ap.add_argument("--starts", type=int, default=5, help="warm starts per file")
    ap.add_argument("--idle", type=float, default=10.0)
    ap.add_argument("--skip-1m", action="store_true")
    ap.add_argument("--regen", action="store_true")
    ap.add_argument("--only", choices=["a", "b", "d", "e"], help="run one part")
    args = ap.parse_args(argv)
    OUT.mkdir(exist_ok=True)

    rows: list[tuple[str, str, str, str, str]] = []  # (measure, file, p50, p95, target)

    def add(measure: str, file: str, values: list[float], target: str, unit: str = "ms") -> None:
        p50, p95 = stats(values)
        rows.append((measure, file, f"{p50:.0f} {unit}", f"{p95:.0f} {unit}", target))

    print("generating/caching files …", file=sys.stderr)
    f100k = generated(100_000, args.regen)
    f1m = None if args.skip_1m else generated(1_000_000, args.regen)
    if BIG_FIXTURE.exists():
        big_src = OUT / "crate-v5-big.db"
        if not big_src.exists():
            shutil.copyfile(BIG_FIXTURE, big_src)
    else:
        big_src = generated(20_000, args.regen)

    children_mb = 0.0
    if args.only in (None, "b"):
        # (b)/(c); the anchor first: a bare Textual app (one Static), same machine, same run. The starts are
        # interleaved (bare, dashboard, bare, …) so a busy neighbour slows both alike.
        files = (("crate-v5-big (19.2k)", big_src), *(() if f1m is None else (("1M", f1m),)))
        copies = {label: work_copy(src, f"ui-start-{label.split()[0]}.db") for label, src in files}
        firsts = {label: start_once(path) for label, path in copies.items()}
        bare: list[dict] = []
        warms: dict[str, list[dict]] = {label: [] for label in copies}
        print(f"(b) start → first paint, {args.starts} rounds …", file=sys.stderr)
        for _ in range(args.starts):
            bare.append(start_once(None))
            for label, path in copies.items():
                warms[label].append(start_once(path))
        bare_p50 = stats([r["to_paint_ms"] for r in bare])[0]
        add("(b) ANCHOR: bare Textual app (one Static), process start → first paint", "—",
            [r["to_paint_ms"] for r in bare], "—")
        add("(b) … of which interpreter start / `import textual`", "—", [r["interp_ms"] + r["import_ms"] for r in bare], "—")
        for label, src in files:
            first, warm = firsts[label], warms[label]
            paint = [r["to_paint_ms"] for r in warm]
            add("(b) process start → first full paint (warm)", label, paint, "≤ 1.5× bare")
            rows.append(("(b) … ratio to the bare app (p50 / bare p50)", label,
                         f"{stats(paint)[0] / bare_p50:.2f}×", f"{stats(paint)[1] / bare_p50:.2f}×", "≤ 1.5×"))
            add("(b) … of which interpreter start / `import tui.app`", label,
                [r["interp_ms"] + r["import_ms"] for r in warm], "—")
            add("(b) … of which load_snapshot", label, [r["load_ms"] for r in warm], "—")
            add("(b) process start → exit (warm)", label, [r["to_exit_ms"] for r in warm], "—")
            rows.append(("(b) first run on a fresh copy" + (" (store builds its indexes: crate-written file)"
                                                              if src == big_src and BIG_FIXTURE.exists() else ""), label,
                         f"{first['to_paint_ms']:.0f} ms", "(1 run)", "—"))
            add("(c) peak RSS (VmHWM of the process)", label, [r["hwm_kb"] / 1024 for r in warm], "≤ 100 MB", "MB")
            add("(c) … ru_maxrss of the process (check)", label, [r["maxrss_kb"] / 1024 for r in warm], "—", "MB")
        children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    if args.only in (None, "a"):
        # (a)
        print("(a) commit -> screen …", file=sys.stderr)
        lat = asyncio.run(commit_latency(work_copy(f100k, "ui-work-100k.db"), args.commits))
        add(f"(a) commit → row on screen, complete → Done view top (n={len(lat['complete'])}/{args.commits})", "100k",
            lat["complete"], "p95 ≤ 100 ms")
        add(f"(a) commit → row gone, claim → Ready view (n={len(lat['claim'])}/{args.commits})", "100k",
            lat["claim"], "p95 ≤ 100 ms")
        add("(a) load_snapshot time inside it", "100k", lat["load_ms"], "—")

    if args.only in (None, "e"):
        # (e)
        print("(e) key press -> committed write visible …", file=sys.stderr)
        keys, form_keys = asyncio.run(key_latency(work_copy(f100k, "ui-keys-100k.db"), args.commits))
        add(f"(e) key press (+/-) → committed write visible in the row (n={len(keys)}/{args.commits})", "100k", keys,
            "p95 ≤ 50 ms")
        rows.append(("(e) new-issue form: key presses beyond the title text (`n` … `enter`)", "—", str(form_keys), "—",
                     "≤ 3"))

    if args.only in (None, "d"):
        # (d)
        print(f"(d) idle CPU over {args.idle:.0f} s …", file=sys.stderr)
        cpu = [idle_cpu(work_copy(f100k, "ui-idle-100k.db"), args.idle)]
        rows.append((f"(d) idle CPU, live refresh on, {args.idle:.0f} s", "100k", f"{cpu[0]:.2f} %", "(1 run)", "< 2 %"))

    print(f"\n{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; RUSAGE_CHILDREN max RSS {children_mb:.0f} MB (includes bench/gen.py if it generated a file in this run)\n")
    print("| measure | file | p50 | p95 | target |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
