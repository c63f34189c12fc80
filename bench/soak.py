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
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import queue as queue_mod
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

KINDS = ("claim", "complete", "block", "unclaim", "unblock", "create")
BLOCK_REASONS = ("waiting on upstream", "needs a decision", "flaky CI", "missing credentials")


# -- the agents ---------------------------------------------------------------------------------------
def agent_main(idx: int, db: str, seconds: float, think_ms: float, seed: int, go, commits, result_path: str) -> None:
    from store import BusyError, ConflictError, Store, StoreError

    rng = random.Random(seed * 1000 + idx)
    name = f"agent-{idx}"
    ops: list[tuple[str, str, str]] = []  # (kind, issue_id, actor) of every write reported successful
    stats = Counter()
    errors: list[str] = []
    store = None
    try:
        store = Store.open(db, create=False, actor=name)
        go.wait(120)
        deadline = time.time() + seconds
        n = 0

        def done(kind: str, issue_id: str, actor: str) -> None:
            ops.append((kind, issue_id, actor))
            stats[kind] += 1
            commits.put(time.time())

        def guarded(fn, *args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except ConflictError:
                stats["conflicts"] += 1
                return None
            except BusyError as exc:
                stats["busy"] += 1
                errors.append(f"{type(exc).__name__}: {exc}")
                return None
            except StoreError as exc:
                stats["errors"] += 1
                errors.append(f"{type(exc).__name__}: {exc}")
                return None

        while time.time() < deadline:
            n += 1
            issue = guarded(store.get_next_ready_issue)
            if issue is not None:
                run = f"{name}-r{n}"
                if guarded(store.claim_issue, issue.id, run, actor=run):
                    done("claim", issue.id, run)
                    claimed = guarded(store.get_issue_by_id, issue.id)
                    time.sleep(rng.uniform(0, think_ms) / 1000)
                    guard = claimed.updated_at if claimed else None
                    roll = rng.random()
                    if roll < 0.10:
                        if guarded(store.block_issue, issue.id, rng.choice(BLOCK_REASONS), expect_updated_at=guard,
                                   actor=run):
                            done("block", issue.id, run)
                    elif roll < 0.17:
                        if guarded(store.unclaim_issue, issue.id, expect_updated_at=guard, actor=run):
                            done("unclaim", issue.id, run)
                    else:
                        if guarded(store.complete_issue, issue.id, expect_updated_at=guard, actor=run):
                            done("complete", issue.id, run)
                else:
                    stats["claim_races"] += 1
            if rng.random() < (0.9 if issue is None else 0.45):
                made = guarded(store.create_issue, f"{name} follow-up {n}", "made by the soak",
                               rng.choice(["urgent", "high", "medium", "medium", "low"]), actor=name)
                if made is not None:
                    done("create", made.id, name)
            if rng.random() < 0.06:
                blocked = guarded(store.list_view, "blocked", limit=30) or []
                if blocked:
                    target = rng.choice(blocked)
                    if guarded(store.unblock_issue, target.id, expect_updated_at=target.updated_at, actor=name):
                        done("unblock", target.id, name)
            time.sleep(rng.uniform(0, think_ms) / 1000)
    except BaseException as exc:  # noqa: BLE001 - report it instead of dying silently
        errors.append(f"agent crashed: {type(exc).__name__}: {exc}")
        stats["errors"] += 1
    finally:
        if store is not None:
            store.close()
        Path(result_path).write_text(json.dumps({"name": name, "ops": ops, "stats": stats, "errors": errors[:20]}))


# -- the dashboard ------------------------------------------------------------------------------------
async def run_dashboard(db: Path, agents: list, go, commits, seconds: float, seed: int) -> dict:
    import tui.app
    from store import Store
    from tui.app import IssuesApp

    starts: dict[int, float] = {}
    real_load = tui.live.sqlite.load_snapshot

    def timed_load(store, q):
        t = time.time()
        snap = real_load(store, q)
        starts[id(snap)] = t
        return snap

    tui.live.sqlite.load_snapshot = timed_load
    loads: list[tuple[float, float, float]] = []  # (load started, applied, load_ms)
    write_errors: list[str] = []
    warnings = Counter()

    class SoakApp(IssuesApp):
        CSS_PATH = str(Path(tui.app.__file__).resolve().parent / IssuesApp.CSS_PATH)

        def on_source_loaded(self, msg) -> None:
            before = self.load_count
            super().on_source_loaded(msg)
            if self.load_count > before:
                start = starts.pop(id(msg.snapshot), None)
                if start is not None:
                    loads.append((start, time.time(), msg.snapshot.load_ms))

        def on_write_done(self, msg) -> None:
            if msg.severity == "error":
                write_errors.append(msg.message)
            elif msg.severity == "warning":
                warnings["warnings"] += 1
            super().on_write_done(msg)

    rng = random.Random(seed)
    answers: list[tuple[int, float]] = []  # (keys in the burst, seconds until all written and on screen)
    commit_times: list[float] = []
    lateness: list[float] = []
    app = SoakApp(db, watch=True, cursor_blink=False, actor="tui:soak")
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:  # toasts on, as in a terminal
            t0 = time.monotonic()
            while app.load_count == 0:
                if time.monotonic() - t0 > 60:
                    raise RuntimeError("the dashboard never loaded")
                await pilot.pause(0.05)
            running = True

            async def probe() -> None:
                loop = asyncio.get_running_loop()
                while running:
                    t = loop.time()
                    await asyncio.sleep(0.01)
                    lateness.append(loop.time() - t - 0.01)

            async def drain() -> None:
                while running:
                    try:
                        while True:
                            commit_times.append(commits.get_nowait())
                    except queue_mod.Empty:
                        pass
                    await asyncio.sleep(0.05)

            tasks = [asyncio.create_task(probe()), asyncio.create_task(drain())]
            go.set()
            end = time.monotonic() + seconds
            n = 0
            while time.monotonic() < end:
                n += 1
                if len(app.screen_stack) > 1:
                    send_keys(app, "escape")
                    await asyncio.sleep(0.1)
                roll = rng.random()
                if roll < 0.25:  # a single triage key or a burst of 3-8: time until every write is done and shown
                    k = 1 if rng.random() < 0.4 else rng.randint(3, 8)
                    await answer_time(app, [rng.choice(TRIAGE_KEYS) for _ in range(k)], answers)
                elif roll < 0.35:
                    send_keys(app, rng.choice(TRIAGE_KEYS))
                elif roll < 0.50:
                    send_keys(app, rng.choice(["down", "down", "up", "space", "space", "escape"]))
                elif roll < 0.60:
                    send_keys(app, "b")
                    await asyncio.sleep(0.3)
                    if len(app.screen_stack) > 1:  # the reason prompt is up
                        send_keys(app, *"soak", "enter")
                elif roll < 0.65:
                    send_keys(app, "u")
                elif roll < 0.72:
                    send_keys(app, rng.choice(["R", "R", "R", "I", "B", "A"]))
                elif roll < 0.80:
                    send_keys(app, "r")
                else:
                    k = n

                    def job(store: Store, k=k, pick=rng.random()):
                        rows = store.list_view("ready", limit=40)
                        if not rows:
                            return None
                        target = rows[int(pick * len(rows))]
                        if pick < 0.5:
                            store.block_issue(target.id, f"triage {k}", expect_updated_at=target.updated_at)
                        else:
                            store.update_issue(target.id, priority="low" if pick < 0.75 else "urgent",
                                               expect_updated_at=target.updated_at)
                        return None

                    app.submit(_surface_errors(job, write_errors))
                await asyncio.sleep(rng.uniform(0.1, 0.3))
            # let the agents finish, then give the dashboard a moment to show their last commits
            while any(p.is_alive() for p in agents):
                await pilot.pause(0.2)
            await pilot.pause(1.5)
            running = False
            for t in tasks:
                await t
            try:
                while True:
                    commit_times.append(commits.get_nowait())
            except queue_mod.Empty:
                pass
            final_load_count = app.load_count
            iterations = n
            writes_done = app.writes_done
    finally:
        tui.live.sqlite.load_snapshot = real_load
    return {"loads": loads, "commit_times": commit_times, "lateness": lateness, "write_errors": write_errors,
            "warnings": warnings["warnings"], "load_count": final_load_count, "writes_done": writes_done,
            "iterations": iterations, "answers": answers}


TRIAGE_KEYS = ("plus", "minus", "1", "2", "3", "4", "t")


async def answer_time(app, keys: list[str], sink: list, timeout: float = 15.0) -> None:
    """Send `keys` at once (a burst, as a terminal delivers them) and wait until every write they made is done
    and a snapshot loaded after the last one is on screen: what the user waits for."""
    if len(app.screen_stack) > 1 or app.query_one("IssueList").current is None:
        return
    t0 = time.monotonic()
    writes = app.writes_done
    send_keys(app, *keys)
    while app.writes_done < writes + len(keys):
        if time.monotonic() - t0 > timeout:
            sink.append((len(keys), float("inf"), float("inf")))
            return
        await asyncio.sleep(0.005)
    written = time.monotonic() - t0
    loads = app.load_count
    while app.load_count == loads and time.monotonic() - t0 < timeout:
        await asyncio.sleep(0.005)
    sink.append((len(keys), time.monotonic() - t0, written))


_CHARS = {"plus": "+", "minus": "-", "space": " ", "enter": "\r", "escape": "\x1b", "up": None, "down": None}


def send_keys(app, *keys: str) -> None:
    """Key presses as a terminal delivers them (through the driver), without the pilot's wait-for-idle,
    which under a constant stream of reloads takes up to a second per key."""
    from textual import events

    for key in keys:
        event = events.Key(key, _CHARS.get(key, key if len(key) == 1 else None))
        event.set_sender(app)
        app._driver.send_message(event)


def _surface_errors(job, sink: list):
    """app.submit job wrapper: a StoreError raised in a job is recorded (the app only notifies it)."""
    from store import ConflictError, StoreError

    def run(store):
        try:
            return job(store)
        except ConflictError:
            return None
        except StoreError as exc:
            sink.append(f"{type(exc).__name__}: {exc}")
            raise
    return run


# -- checks -------------------------------------------------------------------------------------------
def analyse(db: Path, results: list[dict]) -> dict:
    conn = sqlite3.connect(str(db), timeout=30)
    events = conn.execute("SELECT rowid, issue_id, actor, event_type, new_value FROM issue_events ORDER BY rowid").fetchall()
    rows = {r[0]: r for r in conn.execute("SELECT id, status, is_blocked, claimed_by FROM issues")}
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    counts = sorted(conn.execute("SELECT status, blocked, n FROM tui_issue_counts WHERE n != 0"))
    truth = sorted(conn.execute("SELECT status, ifnull(is_blocked, 0) != 0, count(*) FROM issues GROUP BY 1, 2"))
    nxt = conn.execute("SELECT next_number FROM issue_counter").fetchone()[0]
    top = conn.execute("SELECT max(number) FROM issues").fetchone()[0]
    conn.close()

    by_issue: dict[str, list] = defaultdict(list)
    for e in events:
        by_issue[e[1]].append(e)

    # double claims: a claim while someone still holds it
    double = []
    for iid, evs in by_issue.items():
        holder = None
        for _rowid, _iid, actor, etype, new in evs:
            if etype == "claimed":
                if holder is not None:
                    double.append((iid, holder, new))
                holder = new
            elif etype in ("completed", "unclaimed", "released", "blocked", "imported", "reopened"):
                holder = None
            elif etype == "restored:claimed_by":
                holder = new

    # lost updates: every write reported successful has its event; if that event is the issue's last one,
    # the row shows it
    expect = {"claim": "claimed", "complete": "completed", "block": "blocked", "unclaim": "unclaimed",
              "unblock": "unblocked", "create": "created"}
    have = Counter((e[1], e[2], e[3]) for e in events)
    want = Counter((iid, actor, expect[kind]) for r in results for kind, iid, actor in r["ops"])
    lost = [(k, n - have[k]) for k, n in want.items() if have[k] < n]
    for r in results:
        for kind, iid, actor in r["ops"]:
            evs = by_issue.get(iid)
            row = rows.get(iid)
            if not evs or row is None:
                continue  # reported above (no event) or deleted
            _rowid, _iid, last_actor, last_type, new = evs[-1]
            if last_type != expect[kind] or last_actor != actor:
                continue  # a later recorded event explains the current row
            status, blocked, claimed_by = row[1], bool(row[2]), row[3]
            ok = {"claimed": status == "in_progress" and claimed_by == new,
                  "completed": status == "done", "blocked": blocked, "unclaimed": status == "open" and not claimed_by,
                  "unblocked": not blocked, "created": True}[last_type]
            if not ok:
                lost.append(((iid, actor, last_type), f"row is {row}"))
    dash = Counter(e[3] for e in events if e[2] == "tui:soak")
    return {"double_claims": double, "lost_updates": lost, "integrity": integrity, "counts_ok": counts == truth,
            "counter_ok": top is None or nxt > top, "dashboard_events": dash, "events": len(events)}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def latencies(commit_times: list[float], loads: list[tuple[float, float, float]]) -> list[float]:
    """For each commit: the first applied snapshot whose load started after it, minus the commit time."""
    import bisect

    loads = sorted(loads)
    starts = [l[0] for l in loads]
    # the applied time of the earliest-applied load among those starting at or after index i
    best = [0.0] * len(loads)
    running = float("inf")
    for i in range(len(loads) - 1, -1, -1):
        running = min(running, loads[i][1])
        best[i] = running
    out = []
    for c in commit_times:
        i = bisect.bisect_left(starts, c)
        if i < len(loads):
            out.append(best[i] - c)
    return out


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
