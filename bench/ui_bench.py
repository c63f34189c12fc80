"""Dashboard benchmark: prints a Markdown table (median / p95 and targets).

    python bench/ui_bench.py [--commits 30] [--idle 10] [--skip-1m] [--regen]

(a) external commit -> change on screen: the app runs headless in this process (`run_test`), a writer
    *subprocess* holding its own Store commits on request (pipe). Each commit completes the
    highest-numbered open issue, so it lands at the top of the Done view (number DESC) the app shows.
    Latency = time.time() after the writer's COMMIT returned -> time.time() after the first screen
    refresh following the snapshot that has the row in IssueList.rows (and a load_count increment).
    100k-issue file. Also: a claim of the top ready issue -> its row leaves the Ready view.
(b) process start -> first full screen: `python -c` imports tui.app, runs IssuesApp headless
    (`app.run(headless=True)`), logs every frame it writes (bench/frame_log.py) and stays 1.2 s. The
    first full screen is the first frame drawn from the first snapshot, with the footer's keys, that shows
    them and the list's first row; "every pane drawn" is the first frame drawn once the detail's description,
    the projects and the sessions were in, that shows them (bench/ui_start.py says exactly what is checked). The anchor, a
    bare Textual app (one Static), is timed the same way, to its first frame. Wall time from Popen. Warm =
    the store's indexes exist (second and later opens) and the start-up caches (parsed CSS, compiled
    dataclass methods: tui/cache_files.py) are written; the first open of a crate-written file (WAL
    switch, indexes) is listed apart.
(c) peak RSS of that process: VmHWM from /proc/self/status at exit (ru_maxrss and RUSAGE_CHILDREN are
    printed too, but Linux carries the parent's hiwater mark into them across fork+exec, so they are
    measured before the in-process part (a) makes this process big).
(d) idle CPU of a running dashboard (live refresh on: folder watch + 2 s poll + 1 s tick) over
    `--idle` seconds, from /proc/<pid>/stat utime+stime.

Generated files are cached under bench/out/ (gitignored); every measured run works on a copy.
The parts: ui_setup.py (files, environment), ui_latency.py (a, e), ui_start.py (b, c); (d) and the table are here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from percentiles import median_p95 as stats  # noqa: E402  (bench/ is on the path from here on)
from ui_latency import commit_latency, key_latency  # noqa: E402
from ui_setup import BIG_FIXTURE, ROOT, CSS, ENV, OUT, generated, work_copy  # noqa: E402
from ui_start import start_once  # noqa: E402
from p50_table import P50Table  # noqa: E402


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

    table = P50Table()
    add = table.add

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
        small = ROOT / "tests" / "fixtures" / "crate-v5-small.db"  # "at any file size": 29 issues too
        files = ((("crate-v5-small (29)", small),) if small.exists() else ()) + (
            ("crate-v5-big (19.2k)", big_src), *(() if f1m is None else (("1M", f1m),)))
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
        add("(b) ANCHOR: bare Textual app (one Static), process start → its first frame", "—",
            [r["to_paint_ms"] for r in bare], "—")
        add("(b) … of which interpreter start / `import textual`", "—", [r["interp_ms"] + r["import_ms"] for r in bare], "—")
        for label, src in files:
            first, warm = firsts[label], warms[label]
            paint = [r["to_paint_ms"] for r in warm]
            every = [r["to_complete_ms"] for r in warm]
            add("(b) process start → first full screen (status, tabs, pulse, list page, footer keys; warm)", label,
                paint, "≤ 1.5× bare")
            table.row("(b) … ratio to the bare app (p50 / bare p50)", label,
                      f"{stats(paint)[0] / bare_p50:.2f}×", f"{stats(paint)[1] / bare_p50:.2f}×", "≤ 1.5×")
            add("(b) … its first frame (any content)", label, [r["to_first_frame_ms"] for r in warm], "—")
            add("(b) … of which interpreter start / `import tui.app`", label,
                [r["interp_ms"] + r["import_ms"] for r in warm], "—")
            add("(b) … the first snapshot's load_snapshot (on the prefetch thread, while Textual starts)", label,
                [r["load_ms"] for r in warm], "—")
            add("(b) process start → every pane drawn (detail description, projects, sessions)", label, every, "—")
            table.row("(b) … ratio to the bare app", label, f"{stats(every)[0] / bare_p50:.2f}×",
                      f"{stats(every)[1] / bare_p50:.2f}×", "—")
            table.row("(b) first run on a fresh copy" + (" (store builds its indexes: crate-written file)"
                                                           if src == big_src and BIG_FIXTURE.exists() else ""), label,
                      f"{first['to_paint_ms']:.0f} ms", "(1 run)", "—")
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
        table.row("(e) new-issue form: key presses beyond the title text (`n` … `enter`)", "—", str(form_keys), "—",
                     "≤ 3")

    if args.only in (None, "d"):
        # (d)
        print(f"(d) idle CPU over {args.idle:.0f} s …", file=sys.stderr)
        cpu = [idle_cpu(work_copy(f100k, "ui-idle-100k.db"), args.idle)]
        table.row(f"(d) idle CPU, live refresh on, {args.idle:.0f} s", "100k", f"{cpu[0]:.2f} %", "(1 run)", "< 2 %")

    print(f"\n{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; RUSAGE_CHILDREN max RSS {children_mb:.0f} MB (includes bench/gen.py if it generated a file in this run)\n")
    print(table.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
