"""Helpers for the kill -9 tests: seeding, spawning writers in their own process group, killing them,
and checking every invariant a crash must not break (tests/crash is put on sys.path by pytest)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKERS = Path(__file__).resolve().parent / "crash_workers.py"

# Column values compared for a seed issue that has no event written during the test.
_ROW_COLS = ("id", "number", "title", "description", "status", "priority", "issue_type", "agent", "is_blocked",
             "blocked_reason", "claimed_by", "claimed_at", "created_at", "updated_at", "completed_at")


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e["PYTHONUNBUFFERED"] = "1"
    return e


def seed_db(path: Path, n: int = 1500, seed: int = 0) -> None:
    """A crate-like DB (no events) made by bench/gen.py, then opened once by the store (WAL, indexes)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import gen  # bench/gen.py
    finally:
        sys.path.remove(str(ROOT / "bench"))
    gen.generate(path, n, open_frac=0.6, seed=seed)


def make_import_file(path: Path, n: int, base_number: int) -> list[str]:
    """An export-format file of `n` new open issues numbered from `base_number`; returns their ids."""
    ids = [str(uuid.uuid4()) for _ in range(n)]
    rows = [{
        "id": iid, "number": base_number + k, "title": f"imported {base_number + k}",
        "description": "from a crash test import" if k % 3 else None, "status": ["open", "inprogress", "done"][k % 3],
        "priority": ["urgent", "high", "medium", "low"][k % 4], "issue_type": "task", "agent": "codex",
        "is_blocked": k % 7 == 0 and k % 3 == 0, "blocked_reason": "imported block" if k % 7 == 0 and k % 3 == 0 else None,
        "claimed_by": "run-imp" if k % 3 == 1 else None,
        "claimed_at": "2025-12-20T17:47:32.433214889Z" if k % 3 == 1 else None,
        "created_at": "2025-12-20T17:47:32.433214889Z", "updated_at": "2025-12-20T20:36:49.307714419Z",
        "completed_at": "2025-12-21T10:00:00Z" if k % 3 == 2 else None,
    } for k, iid in enumerate(ids)]
    path.write_text(json.dumps(rows, indent=2))
    return ids


@dataclass
class Baseline:
    rows: dict[str, tuple]
    max_event_rowid: int
    imports: list[list[str]] = field(default_factory=list)  # id lists of every import that may have run


def baseline(path: Path) -> Baseline:
    conn = sqlite3.connect(str(path))
    try:
        rows = {r[0]: r for r in conn.execute(f"SELECT {', '.join(_ROW_COLS)} FROM issues")}
        max_rowid = conn.execute("SELECT ifnull(max(rowid), 0) FROM issue_events").fetchone()[0]
    finally:
        conn.close()
    return Baseline(rows, max_rowid)


def spawn(args: list[str], log: Path | None = None) -> subprocess.Popen:
    """Start a writer in its own session (so killpg reaches all of it), stdout piped for the READY line."""
    return subprocess.Popen(
        [sys.executable, *args], cwd=str(ROOT), env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=open(log, "ab") if log else subprocess.DEVNULL, start_new_session=True)


def wait_ready(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Block until the worker prints READY (it has opened the store and starts writing)."""
    import selectors

    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    buf = b""
    while b"READY" not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None:
            kill9(proc)
            raise AssertionError(f"worker did not become ready (exit {proc.returncode}): {buf[-500:]!r}")
        if sel.select(min(left, 0.2)):
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                continue
            buf += chunk
    sel.close()


def kill9(proc: subprocess.Popen) -> None:
    """SIGKILL the worker's whole process group (it was started in its own session) and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(10)
    if proc.stdout:
        proc.stdout.close()


def check_invariants(path: Path, base: Baseline, *, deletes_allowed: bool = False) -> list[str]:
    """Everything a kill -9 must not break. Returns the problems found (empty = all good)."""
    problems: list[str] = []
    conn = sqlite3.connect(str(path), timeout=10)
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            return [f"integrity_check: {integrity[:5]}"]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:5]}")
        nxt = conn.execute("SELECT next_number FROM issue_counter WHERE id = 1").fetchone()
        top = conn.execute("SELECT max(number) FROM issues").fetchone()[0]
        if nxt is None or (top is not None and nxt[0] <= top):
            problems.append(f"counter {nxt} not above the highest number {top}")
        dup = conn.execute("SELECT number, count(*) FROM issues GROUP BY number HAVING count(*) > 1").fetchall()
        if dup:
            problems.append(f"duplicate numbers {dup[:5]}")

        counts = sorted(conn.execute("SELECT status, blocked, n FROM tui_issue_counts WHERE n != 0"))
        truth = sorted(conn.execute(
            "SELECT status, ifnull(is_blocked, 0) != 0, count(*) FROM issues GROUP BY 1, 2"))
        if counts != truth:
            problems.append(f"tui_issue_counts {counts} != GROUP BY {truth}")

        rows = {r[0]: r for r in conn.execute(f"SELECT {', '.join(_ROW_COLS)} FROM issues")}
        events = conn.execute(
            "SELECT rowid, issue_id, event_type, new_value FROM issue_events WHERE rowid > ? ORDER BY rowid",
            (base.max_event_rowid,)).fetchall()
        orphans = conn.execute("SELECT count(*) FROM issue_events e LEFT JOIN issues i ON i.id = e.issue_id "
                               "WHERE i.id IS NULL").fetchone()[0]
        if orphans:
            problems.append(f"{orphans} events whose issue does not exist (an event without its change)")
        kinds = {}
        for _rowid, iid, etype, _new in conn.execute(
                "SELECT rowid, issue_id, event_type, new_value FROM issue_events"):
            kinds.setdefault(iid, set()).add(etype)
    finally:
        conn.close()

    # No half-created issue: every row that was not there before has its `created` (or `imported`) event.
    for iid in rows.keys() - base.rows.keys():
        if not kinds.get(iid, set()) & {"created", "imported"}:
            problems.append(f"issue {iid} (#{rows[iid][1]}) exists without a created/imported event")

    # Seed rows untouched by any event are exactly as they were (no change without its event).
    touched = {e[1] for e in events}
    for iid, old in base.rows.items():
        new = rows.get(iid)
        if new is None:
            if not deletes_allowed:
                problems.append(f"seed issue #{old[1]} vanished")
            continue
        if iid not in touched and new != old:
            problems.append(f"seed issue #{old[1]} changed without an event: {old} -> {new}")

    # The last event written during the test for each issue matches the row (the change is there).
    last: dict[str, tuple] = {}
    for e in events:
        last[e[1]] = e
    col = {c: i for i, c in enumerate(_ROW_COLS)}
    for iid, (_rowid, _iid, etype, new_value) in last.items():
        row = rows.get(iid)
        if row is None:
            continue  # its events would be gone too (orphans are reported above)
        status, blocked, claimed_by = row[col["status"]], bool(row[col["is_blocked"]]), row[col["claimed_by"]]
        ok = {
            "created": lambda: status == "open" and not blocked,
            "claimed": lambda: status == "in_progress" and claimed_by == new_value,
            "completed": lambda: status == "done" and not blocked and not claimed_by,
            "blocked": lambda: blocked and row[col["blocked_reason"]] == new_value and not claimed_by,
            "unblocked": lambda: not blocked,
            "unclaimed": lambda: status == "open" and not claimed_by,
            "released": lambda: status == "open" and not claimed_by,
            "reopened": lambda: status == "open",
            "priority": lambda: row[col["priority"]] == new_value,
            "issue_type": lambda: row[col["issue_type"]] == new_value,
            "agent": lambda: row[col["agent"]] == new_value,
        }.get(etype)
        if ok is not None and not ok():
            problems.append(f"issue #{row[1]}: last event {etype!r} ({new_value!r}) but row is {row}")

    # Imports are all or nothing.
    for ids in base.imports:
        present = sum(1 for i in ids if i in rows)
        if present not in (0, len(ids)):
            problems.append(f"partial import: {present} of {len(ids)} rows present")
        with_event = sum(1 for i in ids if "imported" in kinds.get(i, set()))
        if with_event != present:
            problems.append(f"import: {present} rows but {with_event} imported events")

    # The store still opens the file (and the counts it reports match).
    from store import Store

    try:
        with Store.open(path, create=False, actor="crash-check") as s:
            c = s.counts()
            if c.total != len(rows):
                problems.append(f"Store.counts().total {c.total} != {len(rows)} rows")
    except Exception as exc:  # noqa: BLE001 - any failure to reopen is the finding
        problems.append(f"Store.open failed after the kill: {type(exc).__name__}: {exc}")
    return problems


def random_delays(rng: random.Random, n: int, lo: float, hi: float) -> list[float]:
    return [rng.uniform(lo, hi) for _ in range(n)]
