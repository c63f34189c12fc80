"""Multi-repo dashboard benchmark: ten 100k-issue v11 files open together. Prints a Markdown table.

    python bench/multi_bench.py [--files 10] [--issues 100000] [--commits 20] [--starts 3] [--idle 10] [--regen]

Files: bench/gen.py makes each repo's `.openagents/autopilot.db` (a crate-shaped v5 file, its own seed),
then the crate's later migrations (tests/later_schema.py) take it to v11, a newer autopilot's columns are
filled (every 40th issue auto-created, every 25th linked to one of three directives) and a `directives/`
folder is written beside it; one Store.open per file builds the store's indexes (the warm state a second
start sees). Cached under bench/out/multi/ (gitignored).

(a) process start -> first full screen: a fresh `python -c` runs the dashboard headless on all the files
    and reports the time of the first repaint after a merged snapshot holding every file's rows. Anchors,
    same run, interleaved: the same dashboard on one of the files, and a bare Textual app.
(b) another process's commit -> on screen: the app runs in this process (`run_test`, Ready view); a writer
    *subprocess* claims the top ready issue of file k (k = 0, 1, ... in turn), then unclaims it. Latency =
    the writer's time after COMMIT -> the first repaint after the row left (claim) / came back (unclaim).
(c) idle CPU of the running dashboard on all the files (live: a folder watch and a poll per file), from
    /proc/<pid>/stat over --idle seconds; anchor: the same on one file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

import ui_start  # noqa: E402  (the same start timing and bare-app anchor)
from p50_table import P50Table  # noqa: E402  (the same table)
from ui_bench import measure_idle  # noqa: E402  (the same idle-CPU reading)
from ui_setup import CSS, ENV  # noqa: E402  (the same environment: compiled bytecode, as the anchor has)

OUT = HERE / "out" / "multi"
DIRECTIVE = "---\nid: d-00{n}\ntitle: Directive {n}\nstatus: active\npriority: high\ncreated: 2025-12-2{n}\n---\nBody {n}.\n"


# -- files ---------------------------------------------------------------------------------------------
def repo_files(files: int, issues: int, regen: bool) -> list[Path]:
    from later_schema import upgrade
    from store import Store

    out = []
    for k in range(files):
        db = OUT / f"repo{k}" / ".openagents" / "autopilot.db"
        marker = db.with_suffix(".ok")
        if regen or not marker.exists() or marker.read_text() != str(issues):
            db.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            subprocess.run([sys.executable, str(HERE / "gen.py"), str(db), str(issues), "--seed", str(k), "--force",
                            "--no-open"], check=True, env=ENV, stdout=sys.stderr)
            upgrade(db, 11)
            conn = sqlite3.connect(str(db), isolation_level=None)
            conn.execute("BEGIN")
            conn.execute("UPDATE issues SET auto_created = 1 WHERE number % 40 = 0")
            conn.execute("UPDATE issues SET directive_id = 'd-00' || (1 + number % 3) WHERE number % 25 = 0")
            conn.execute("COMMIT")
            conn.close()
            folder = db.parent / "directives"
            folder.mkdir(exist_ok=True)
            for n in (1, 2, 3):
                (folder / f"d-00{n}.md").write_text(DIRECTIVE.format(n=n))
            Store.open(db).close()  # the store's indexes: the warm state
            marker.write_text(str(issues))
        out.append(db)
    return out


# -- (a) start -> first full screen ----------------------------------------------------------------------
def start_once(paths: list[Path] | None) -> dict:
    """One start of the dashboard on `paths` (None: ui_start.py's bare Textual app), at this bench's size; the
    first full screen is read off the frames (bench/frame_log.py): the first drawn once every file's rows were
    merged, and showing them."""
    return ui_start.start_once(paths, size=(140, 45), timeout=180)


# -- (b) commit -> screen --------------------------------------------------------------------------------
WRITER = r"""
import json, sys, time
from store import Store
stores = [Store.open(p, create=False, actor="bench:writer") for p in sys.argv[1:]]
print(json.dumps({"ready": True}), flush=True)
held = {}
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["op"] == "quit":
        break
    k = cmd["k"]
    s = stores[k]
    if cmd["op"] == "claim":
        issue = s.get_next_ready_issue()
        ok = s.claim_issue(issue.id, "bench-run")
        held[k] = issue.id
    else:
        issue = s.get_issue_by_id(held.pop(k))
        ok = s.unclaim_issue(issue.id)
    t = time.time()
    print(json.dumps({"t": t, "id": issue.id, "ok": ok}), flush=True)
for s in stores:
    s.close()
"""


async def commit_latency(paths: list[Path], commits: int) -> dict[str, list[float]]:
    from tui.app import IssuesApp
    from tui.multi import composite_id
    from tui.sources import specs

    seen: dict[tuple, float] = {}

    class Probe(IssuesApp):
        CSS_PATH = CSS
        target: tuple[str, bool, int] | None = None  # (row id, should be present, measurement number)

        def on_source_loaded(self, msg) -> None:  # before IssuesApp's handler: check after the repaint
            self.call_after_refresh(self._check)

        def _check(self) -> None:
            if self.target is None:
                return
            row_id, present, _n = self.target
            rows = {i.id for i in self.query_one("IssueList").rows}
            if (row_id in rows) == present and self.target not in seen:
                seen[self.target] = time.time()

    app = Probe(paths[0], sources=specs(paths), watch=True)
    results: dict[str, list[float]] = {"claim": [], "unclaim": []}
    missed = 0
    async with app.run_test(size=(140, 45)) as pilot:
        while app.multi is None or len(app.multi.parts) < len(paths):
            await asyncio.sleep(0.01)
        await pilot.pause(0.5)
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", WRITER, *map(str, paths), env=ENV,
                                                    cwd=str(ROOT), stdin=asyncio.subprocess.PIPE,
                                                    stdout=asyncio.subprocess.PIPE)
        assert json.loads(await proc.stdout.readline()) == {"ready": True}

        count = 0

        async def one(op: str, k: int) -> None:
            nonlocal missed, count
            count += 1
            proc.stdin.write((json.dumps({"op": op, "k": k}) + "\n").encode())
            await proc.stdin.drain()
            reply = json.loads(await proc.stdout.readline())
            assert reply["ok"], reply
            target = (composite_id(k, reply["id"]), op == "unclaim", count)
            app.target = target
            deadline = time.monotonic() + 5
            while target not in seen and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            if target in seen:
                results[op].append((seen[target] - reply["t"]) * 1000)
            else:
                missed += 1
            app.target = None
            await asyncio.sleep(0.15)  # each commit measured on its own

        for n in range(commits):
            k = n % len(paths)
            await one("claim", k)
            await one("unclaim", k)
        proc.stdin.write(b'{"op": "quit"}\n')
        await proc.stdin.drain()
        await proc.wait()
    results["missed"] = [missed]
    return results


# -- (c) idle CPU ------------------------------------------------------------------------------------------
IDLER = r"""
import sys
from tui.app import IssuesApp
from tui.sources import specs
paths = sys.argv[2:]

class Idle(IssuesApp):
    CSS_PATH = sys.argv[1]
    def on_source_loaded(self, msg):
        multi = self.multi
        if not getattr(self, "_said", False) and (multi is None or len(multi.parts) == len(paths)):
            self._said = True
            print("ready", flush=True)

Idle(paths[0], sources=specs(paths) if len(paths) > 1 else None, watch=True).run(headless=True, size=(140, 45))
"""


def idle_cpu(paths: list[Path], seconds: float) -> float:
    """ui_bench's idle measure, on a dashboard of `paths` (after every file's first load)."""
    proc = subprocess.Popen([sys.executable, "-c", IDLER, CSS, *map(str, paths)], env=ENV, cwd=str(ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return measure_idle(proc, seconds, settle_s=2.0)  # 2 s: each file's first loads and the first-screen wait


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/multi_bench.py")
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--issues", type=int, default=100_000)
    ap.add_argument("--commits", type=int, default=20, help="claim+unclaim pairs, round robin over the files")
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--idle", type=float, default=10.0)
    ap.add_argument("--regen", action="store_true")
    ap.add_argument("--only", choices=["a", "b", "c"])
    args = ap.parse_args(argv)
    print("generating/caching files …", file=sys.stderr)
    paths = repo_files(args.files, args.issues, args.regen)
    label = f"{args.files} × {args.issues // 1000}k v11"
    table = P50Table("files")
    add = table.add

    if args.only in (None, "a"):
        print(f"(a) start → first full screen, {args.starts} rounds …", file=sys.stderr)
        bare, one, many = [], [], []
        for _ in range(args.starts):
            bare.append(start_once(None))
            one.append(start_once(paths[:1]))
            many.append(start_once(paths))
        assert all(r["rows"] > 0 for r in many)
        add("(a) ANCHOR: bare Textual app, process start → its first frame", "—", [r["to_paint_ms"] for r in bare], "—")
        add("(a) ANCHOR: dashboard on one file, process start → first full screen", f"1 × {args.issues // 1000}k v11",
            [r["to_paint_ms"] for r in one], "—")
        add("(a) dashboard on all files, process start → first full screen (every file's rows)", label,
            [r["to_paint_ms"] for r in many], "≤ 1500 ms")
        table.row("(a) … rows in the merged ready view", label, f"{many[0]['total']:,}", "", "—")

    if args.only in (None, "b"):
        print("(b) commit → screen …", file=sys.stderr)
        lat = asyncio.run(commit_latency(paths, args.commits))
        n = len(lat["claim"]) + len(lat["unclaim"])
        add(f"(b) another process's commit → on screen, claim (row leaves the Ready view)", label, lat["claim"],
            "p95 ≤ 100 ms")
        add(f"(b) … unclaim (row comes back)", label, lat["unclaim"], "p95 ≤ 100 ms")
        add(f"(b) … both (n={n}/{2 * args.commits}, missed {lat['missed'][0]})", label,
            lat["claim"] + lat["unclaim"], "p95 ≤ 100 ms")

    if args.only in (None, "c"):
        print(f"(c) idle CPU over {args.idle:.0f} s …", file=sys.stderr)
        add("(c) ANCHOR: idle CPU, dashboard on one file", f"1 × {args.issues // 1000}k v11",
            [idle_cpu(paths[:1], args.idle)], "—", "%", ".2f")
        add("(c) idle CPU, dashboard on all files (live)", label, [idle_cpu(paths, args.idle)], "≤ 2 %", "%", ".2f")

    print(f"\n## Multi-repo dashboard ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)\n")
    print(table.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
