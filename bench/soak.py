"""Soak: N agent processes work one DB while the dashboard runs headless in this process and triages.

    python bench/soak.py [--agents 8] [--seconds 60] [--issues 3000] [--think-ms 20] [--db PATH] [--seed S]

Each agent (its own process, its own Store) loops: get_next_ready_issue + claim_issue, then complete it
(mostly), block it (some) or give it back (some); it also creates issues and unblocks some. Every write it
reports as successful is recorded (kind, issue, actor), and its commit time is sent to this process.
The dashboard (IssuesApp(path, watch=True) under app.run_test()) refreshes live and triages: priority
keys, marks, blocks (key presses and app.submit jobs), view switches.

Afterwards it checks, from issue_events:
  double claims  - a `claimed` event while the issue was still claimed by someone else (a claim after an
                   unclaim/complete/block/release is fine);
  lost updates   - a write an agent reported as successful with no event, or whose event is the issue's
                   last one but the row does not show it;
  busy errors    - BusyError / "database is locked" surfaced to an agent or to the dashboard;
and reports the dashboard's refresh latency (agent commit -> first snapshot applied whose load started
after the commit) and the event loop's worst stall (a 10 ms asyncio timer's lateness).
Prints a Markdown table. Exit status 1 if a double claim, lost update or busy error happened.
The parts: soak_agents.py (the agent processes), soak_dashboard.py (the triaging dashboard), soak_checks.py
(the checks and the latency per commit); this file runs them and prints the report.
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
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from percentiles import percentile  # noqa: E402  (bench/ is on the path from here on)
from soak_agents import agent_main  # noqa: E402
from soak_checks import analyse, latencies  # noqa: E402
from soak_dashboard import run_dashboard  # noqa: E402


# -- driver -------------------------------------------------------------------------------------------
def run_soak(agents: int = 8, seconds: float = 60.0, issues: int = 3000, think_ms: float = 20.0,
             db: str | os.PathLike | None = None, seed: int = 0) -> dict:
    import gen

    folder = None
    if db is None:
        folder = tempfile.mkdtemp(prefix="issues-soak-")
        db = Path(folder) / "soak.db"
    db = Path(db)
    gen.generate(db, issues, open_frac=0.5, seed=seed, overwrite=True)
    ctx = mp.get_context("spawn")
    go = ctx.Event()
    commits = ctx.Queue()
    result_paths = [str(db) + f".agent-{i}.json" for i in range(agents)]
    procs = [ctx.Process(target=agent_main, args=(i, str(db), seconds, think_ms, seed, go, commits, result_paths[i]),
                         daemon=True) for i in range(agents)]
    for p in procs:
        p.start()
    t0 = time.monotonic()
    try:
        dash = asyncio.run(run_dashboard(db, procs, go, commits, seconds, seed))
    finally:
        go.set()
        for p in procs:
            p.join(30)
            if p.is_alive():
                p.kill()
    wall = time.monotonic() - t0
    results = []
    for i, path in enumerate(result_paths):
        try:
            results.append(json.loads(Path(path).read_text()))
            os.remove(path)
        except (OSError, ValueError):
            results.append({"name": f"agent-{i}", "ops": [], "stats": {"errors": 1},
                            "errors": [f"agent-{i} wrote no result (exit {procs[i].exitcode})"]})
    checks = analyse(db, results)
    lat = latencies(dash["commit_times"], dash["loads"])
    stalls = dash["lateness"]
    busy = sum(r["stats"].get("busy", 0) for r in results) + sum(
        1 for e in dash["write_errors"] if "busy" in e.lower() or "locked" in e.lower())
    return {
        "db": str(db), "agents": agents, "seconds": seconds, "wall_s": wall, "results": results, "dash": dash,
        "checks": checks, "busy": busy,
        "latency_ms": {"p50": percentile(lat, 50) * 1000, "p95": percentile(lat, 95) * 1000,
                       "max": max(lat, default=float("nan")) * 1000, "n": len(lat)},
        "load_ms": {"p50": percentile([l[2] for l in dash["loads"]], 50),
                    "p95": percentile([l[2] for l in dash["loads"]], 95)},
        "stall_ms": {"max": max(stalls, default=0.0) * 1000, "p99": percentile(stalls, 99) * 1000},
    }


def table(report: dict) -> str:
    lines = ["| process | claims | completes | blocks | unclaims | unblocks | creates | claim races lost | conflicts | busy errors | other errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    total = Counter()
    for r in report["results"]:
        s = Counter(r["stats"])
        total.update(s)
        lines.append(f"| {r['name']} | {s['claim']} | {s['complete']} | {s['block']} | {s['unclaim']} | {s['unblock']} "
                     f"| {s['create']} | {s['claim_races']} | {s['conflicts']} | {s['busy']} | {s['errors']} |")
    lines.append(f"| **agents total** | {total['claim']} | {total['complete']} | {total['block']} | {total['unclaim']} "
                 f"| {total['unblock']} | {total['create']} | {total['claim_races']} | {total['conflicts']} "
                 f"| {total['busy']} | {total['errors']} |")
    d = report["checks"]["dashboard_events"]
    dash = report["dash"]
    dash_busy = sum(1 for e in dash["write_errors"] if "busy" in e.lower() or "locked" in e.lower())
    lines.append(f"| dashboard (triage) | - | {d['completed']} | {d['blocked']} | {d['unclaimed']} | {d['unblocked']} "
                 f"| {d['created']} | - | {dash['warnings']} | {dash_busy} | {len(dash['write_errors']) - dash_busy} |")
    c = report["checks"]
    lat, st, lm = report["latency_ms"], report["stall_ms"], report["load_ms"]
    lines += [
        "",
        "| check | result |",
        "|---|---|",
        f"| agents x seconds | {report['agents']} x {report['seconds']:.0f} s (wall {report['wall_s']:.1f} s) |",
        f"| double claims | {len(c['double_claims'])} |",
        f"| lost updates | {len(c['lost_updates'])} |",
        f"| BusyError / database is locked | {report['busy']} |",
        f"| dashboard priority changes (events) | {d['priority']} |",
        f"| integrity_check / counts table / counter | {c['integrity']} / {'ok' if c['counts_ok'] else 'MISMATCH'} / {'ok' if c['counter_ok'] else 'BEHIND'} |",
        f"| dashboard refresh latency p50 / p95 / max (commit -> snapshot applied, n={lat['n']}) | {lat['p50']:.0f} / {lat['p95']:.0f} / {lat['max']:.0f} ms |",
        f"| snapshots applied / load_snapshot p50 / p95 | {dash['load_count']} / {lm['p50']:.1f} / {lm['p95']:.1f} ms |",
        f"| event loop stall max / p99 (10 ms timer lateness) | {st['max']:.0f} / {st['p99']:.0f} ms |",
        *answer_rows(dash.get("answers", [])),
        f"| events written | {c['events']} |",
    ]
    return "\n".join(lines)


def answer_rows(answers: list[tuple]) -> list[str]:
    """Key(s) → every write done → a snapshot after them on screen; split where the time goes."""
    rows = []
    for label, pick in (("single triage key", lambda k: k == 1), ("burst of 3-8 triage keys", lambda k: k > 1)):
        times = [a[1] * 1000 for a in answers if pick(a[0])]
        writes = [a[2] * 1000 for a in answers if pick(a[0])]
        shown = [(a[1] - a[2]) * 1000 for a in answers if pick(a[0])]
        if times:
            rows.append(f"| {label} → all written and on screen p50 / p95 / max (n={len(times)}) | "
                        f"{percentile(times, 50):.0f} / {percentile(times, 95):.0f} / {max(times):.0f} ms |")
            rows.append(f"| … of which keys → writes committed (writer thread, lock waits) p50 / p95 | "
                        f"{percentile(writes, 50):.0f} / {percentile(writes, 95):.0f} ms |")
            rows.append(f"| … of which last commit → snapshot on screen (reload + paint) p50 / p95 | "
                        f"{percentile(shown, 50):.0f} / {percentile(shown, 95):.0f} ms |")
    return rows


def failures(report: dict) -> list[str]:
    c = report["checks"]
    out = []
    if c["double_claims"]:
        out.append(f"double claims: {c['double_claims'][:5]}")
    if c["lost_updates"]:
        out.append(f"lost updates: {c['lost_updates'][:5]}")
    if report["busy"]:
        errs = [e for r in report["results"] for e in r["errors"]] + report["dash"]["write_errors"]
        out.append(f"busy errors: {report['busy']} {errs[:3]}")
    other = [e for r in report["results"] for e in r["errors"] if "busy" not in e.lower()]
    if other:
        out.append(f"agent errors: {other[:3]}")
    if c["integrity"] != "ok" or not c["counts_ok"] or not c["counter_ok"]:
        out.append(f"file: integrity {c['integrity']}, counts ok {c['counts_ok']}, counter ok {c['counter_ok']}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--agents", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--issues", type=int, default=3000)
    ap.add_argument("--think-ms", type=float, default=20.0, help="max random pause inside/between agent cycles")
    ap.add_argument("--db", default=None, help="where to write the soak DB (default: a new temp folder)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    report = run_soak(args.agents, args.seconds, args.issues, args.think_ms, args.db, args.seed)
    print(table(report))
    problems = failures(report)
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    print(f"\nDB: {report['db']}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
