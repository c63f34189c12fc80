"""Side tables at scale (issue 8 item 7): 10k / 100k sessions, 100k events on the selected issue.

    python bench/side_tables.py [--sizes 10k,100k] [--events 100k] [--keys 10] [--idle 3]

Prints a Markdown table, each figure beside its anchor in the same run:
  * "whole table" = what the dashboard did before (every session read and turned into a Session, grouped and
    sorted in Python, the pane's table built from all of them; every event of the issue read and drawn);
  * "window" = what it does now (one GROUP BY for the per-project counts, SESSIONS_WINDOW sessions, the newest
    HISTORY_WINDOW events, counted).
Then the running dashboard (headless, in this process) on each file: time per `j` key until the detail pane
shows the next issue with its history (p50 / p95), the time to the first snapshot, and the idle CPU over
`--idle` seconds with a running session ticking. Target: under 1 s per key, idle CPU near 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import statistics
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

OUT = HERE / "out"
DRAW_CAP = 10_000


def _n(text: str) -> int:
    text = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * mult)


def build(path: Path, sessions: int, events: int) -> str:
    """A 2,000-issue file with `sessions` sessions over 40 projects (1 % running, one of them ours, so it is
    alive and ticks) and `events` events on the ready queue's head. Returns that issue's id."""
    import gen
    from store import Store
    gen.generate(path, 2_000, overwrite=True, first_open=False)
    conn = sqlite3.connect(path)
    now = time.time()
    projects = [(str(uuid.uuid4()), f"project-{i}", f"/code/p{i}", None, "opus", 10.0,
                 "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00") for i in range(40)]
    conn.executemany("INSERT INTO projects VALUES (?,?,?,?,?,?,?,?)", projects)

    def stamp(secs_ago: float) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now - secs_ago))

    rows = []
    for i in range(sessions):
        running = i % 100 == 0
        rows.append((str(uuid.uuid4()), projects[i % 40][0], "running" if running else "completed", f"run {i}",
                     "sonnet", os.getpid() if i == 0 else (None if running else 40_000 + i), None,
                     stamp(i * 30 + 60), None if running else stamp(i * 30), 0.01 * (i % 500), i % 7))
    conn.executemany("INSERT INTO sessions (id, project_id, status, prompt, model, pid, trajectory_path, started_at, "
                     "ended_at, budget_spent, issues_completed) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.commit()
    conn.close()
    with Store.open(path, create=False) as s:
        head = s.list_view("ready", limit=1)[0]
        base = time.time() - events
        conn = sqlite3.connect(path)
        conn.executemany("INSERT INTO issue_events VALUES (?,?,?,?,?,?,?)",
                         ((str(uuid.uuid4()), head.id, "agent", "priority_changed", "low", "high",
                           time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(base + k))) for k in range(events)))
        conn.commit()
        conn.close()
        return head.id


def best(fn, repeat: int = 3) -> float:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def reads(path: Path, issue_id: str) -> dict[str, tuple[float, float]]:
    """{what: (whole table s, window s)}: one load's reads and the pane render, old way vs new way."""
    from rich.console import Console
    from store import Store
    from tui.loader import HISTORY_WINDOW, SESSIONS_WINDOW, History
    from tui.widgets.detail import history_text
    from tui.widgets.sessions import sessions_table
    console = Console(file=open(os.devnull, "w"), width=120, height=12)

    with Store.open(path, create=False) as s:
        projects = {p.id: p for p in s.list_projects()}

        def whole_sessions():
            all_sessions = s.list_sessions()
            per: dict[str, list[int]] = {}
            for x in all_sessions:
                stats = per.setdefault(x.project_id, [0, 0])
                stats[0] += 1
                stats[1] += x.status == "running"
            all_sessions.sort(key=lambda x: (x.status != "running", x.started_at), reverse=False)
            return all_sessions

        def window_sessions():
            s.session_counts()
            return s.sessions_window(None, limit=SESSIONS_WINDOW)[2]

        every = whole_sessions()
        window = window_sessions()
        out = {"sessions: read": (best(whole_sessions), best(window_sessions))}
        # Drawing everything grows linearly (~0.8 ms a session, ~2 ms an event here): past DRAW_CAP rows the
        # "before" figure draws the first DRAW_CAP only, and says so (a lower bound), to keep the run short.
        note = f" (first {DRAW_CAP:,} drawn: a lower bound)" if len(every) > DRAW_CAP else ""
        out["sessions: draw the pane" + note] = (
            best(lambda: console.print(sessions_table(every[:DRAW_CAP], projects, time.time_ns())), 1),
            best(lambda: console.print(sessions_table(window, projects, time.time_ns()))))
        out["history: read"] = (best(lambda: s.issue_events(issue_id)),
                                best(lambda: s.recent_issue_events(issue_id, HISTORY_WINDOW)))
        all_events = s.issue_events(issue_id)
        recent = History.of(*s.recent_issue_events(issue_id, HISTORY_WINDOW))
        note = f" (first {DRAW_CAP:,} drawn: a lower bound)" if len(all_events) > DRAW_CAP else ""
        out["history: draw" + note] = (best(lambda: console.print(history_text(all_events[:DRAW_CAP])), 1),
                                       best(lambda: console.print(history_text(recent))))
    return out


async def dashboard(path: Path, head_id: str, keys: int, idle: float, n_events: int) -> dict[str, float]:
    from tui.app import IssuesApp
    from tui.widgets.detail import DetailPane
    from tui.widgets.ready_queue import IssueList

    t0 = time.perf_counter()
    app = IssuesApp(path, watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.load_count == 0:
            await pilot.pause(0.02)
        first = time.perf_counter() - t0
        detail = app.query_one(DetailPane)
        lst = app.query_one(IssueList)
        per_key = []
        for n in range(keys):
            direction = "j" if n < keys // 2 else "k"
            t = time.perf_counter()
            await pilot.press(direction)
            target = lst.current.id
            # answered = the detail shows the issue and its history read (the detail worker) is drawn
            while (detail.issue is None or detail.issue.id != target
                   or any(w.group == "detail" and not w.is_finished for w in app.workers)):
                await pilot.pause(0.005)
            await pilot.pause()
            per_key.append(time.perf_counter() - t)
        # back on the head (its 100k events), then idle with the running session ticking
        lst.move_to(lst.window_offset + 1 if lst.current.id == head_id else lst.cursor)
        while detail.issue is None or detail.issue.id == head_id:
            await pilot.pause(0.005)
        t = time.perf_counter()
        lst.select_id(head_id)
        while detail.issue is None or detail.issue.id != head_id or getattr(detail.events, "total", 0) < n_events:
            await pilot.pause(0.005)
        await pilot.pause()
        to_head = time.perf_counter() - t
        await pilot.pause(0.5)
        c0, w0 = time.process_time(), time.perf_counter()
        await pilot.pause(idle)
        cpu = (time.process_time() - c0) / (time.perf_counter() - w0)
    per_key.sort()
    return {"first snapshot s": first, "key p50 s": statistics.median(per_key),
            "key p95 s": per_key[min(len(per_key) - 1, int(round(0.95 * (len(per_key) - 1))))],
            "select the 100k-event issue s": to_head, "idle CPU %": 100 * cpu}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10k,100k", help="session counts (comma-separated, k/M suffixes)")
    ap.add_argument("--events", default="100k", help="events on the selected issue")
    ap.add_argument("--keys", type=int, default=10, help="j/k presses timed per file")
    ap.add_argument("--idle", type=float, default=3.0, help="seconds of idle CPU measured")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    events = _n(args.events)
    print(f"| sessions | events | what | whole table (before) | window (now) | ratio |")
    print("|---:|---:|---|---:|---:|---:|")
    app_rows = []
    for size in [_n(x) for x in args.sizes.split(",")]:
        path = OUT / f"side-{size}-{events}.db"
        head = build(path, size, events)
        for what, (old, new) in reads(path, head).items():
            print(f"| {size:,} | {events:,} | {what} | {old * 1000:,.1f} ms | {new * 1000:,.1f} ms | {old / new:,.0f}× |")
        work = OUT / f"side-{size}-run.db"
        shutil.copyfile(path, work)
        app_rows.append((size, asyncio.run(dashboard(work, head, args.keys, args.idle, events))))
    print()
    print("| sessions | events | first snapshot | per key p50 | per key p95 | select the big-history issue | idle CPU | target |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for size, r in app_rows:
        print(f"| {size:,} | {events:,} | {r['first snapshot s']:.2f} s | {r['key p50 s'] * 1000:.0f} ms | "
              f"{r['key p95 s'] * 1000:.0f} ms | {r['select the 100k-event issue s'] * 1000:.0f} ms | "
              f"{r['idle CPU %']:.1f} % | < 1 s per key |")


if __name__ == "__main__":
    main()
