"""The soak's checks (bench/soak.py), from issue_events: double claims, lost updates, the file whole
afterwards; and the dashboard's refresh latency per commit."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from pathlib import Path


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
