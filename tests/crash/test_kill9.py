"""kill -9 of a writer at a random moment, for every kind of writer that shares the file.

After every kill the file must be whole: integrity_check ok, the counter above every number, no issue
without its `created`/`imported` event, no event without its change (the last event of each issue
matches its row; untouched seed rows are unchanged), every import all or nothing, the trigger-kept
counts equal a GROUP BY, and `Store.open` reopens it. The default run does a few kills per kind;
the `slow` variants do many.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crashtest_helpers import (ROOT, WORKERS, baseline, check_invariants, env, kill9, make_import_file, seed_db,
                               spawn, wait_ready)

QUICK = {"store": 3, "cli_add": 4, "cli_import": 2, "autopilot": 2, "dashboard": 2}
SLOW = {"store": 40, "cli_add": 40, "cli_import": 15, "autopilot": 20, "dashboard": 12}


def _rng(kind: str) -> random.Random:
    seed = int(os.environ.get("CRASH_SEED", time.time_ns()))
    print(f"CRASH_SEED={seed} ({kind})")
    return random.Random(seed)


def _assert_ok(path: Path, base, when: str, **kw) -> None:
    problems = check_invariants(path, base, **kw)
    assert problems == [], f"after {when}: " + "\n".join(problems[:20])


# -- (a) a Python process hammering the store ------------------------------------------------------
def _store_kills(tmp_path: Path, iterations: int) -> None:
    rng = _rng("store")
    db = tmp_path / "hammer.db"
    seed_db(db, 1500)
    base = baseline(db)
    for it in range(iterations):
        files = []
        for k in range(3):
            f = tmp_path / f"imp-{it}-{k}.json"
            base.imports.append(make_import_file(f, rng.randint(50, 400), 1_000_000 + it * 10_000 + k * 1_000))
            files.append(str(f))
        proc = spawn([str(WORKERS), "store", str(db), *files], tmp_path / "hammer.log")
        wait_ready(proc)
        delay = rng.uniform(0.05, 1.5)
        time.sleep(delay)
        assert proc.poll() is None, "the hammer exited on its own"
        kill9(proc)
        _assert_ok(db, base, f"kill #{it} of the store hammer at {delay:.2f} s")
    errors = (tmp_path / "hammer.log").read_text() if (tmp_path / "hammer.log").exists() else ""
    assert "Traceback" not in errors, errors[-2000:]


def test_kill9_store_hammer(tmp_path):
    _store_kills(tmp_path, QUICK["store"])


@pytest.mark.slow
def test_kill9_store_hammer_many(tmp_path):
    _store_kills(tmp_path, SLOW["store"])


# -- (b) the CLI: add, and import of a large file -------------------------------------------------
def _cli(db: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tui.cli", "--db", str(db), *args], cwd=str(ROOT), env=env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def _cli_kills(tmp_path: Path, adds: int, imports: int) -> None:
    rng = _rng("cli")
    db = tmp_path / "cli.db"
    seed_db(db, 1000)
    base = baseline(db)
    # A finished add first: tells us how long one takes, so the kills land across its whole life.
    t0 = time.monotonic()
    ok = _cli(db, "add", "a finished add", "-p", "high")
    assert ok.wait(30) == 0, ok.stderr.read()
    add_s = time.monotonic() - t0
    for it in range(adds):
        proc = _cli(db, "add", f"crash add {it}", "-d", "d" * rng.randint(0, 2000), "-p", "urgent")
        delay = rng.uniform(0.3, 1.0) * add_s
        time.sleep(delay)
        kill9(proc)
        _assert_ok(db, base, f"kill #{it} of `issues-tui add` at {delay:.3f} s (a full add takes {add_s:.2f} s)")
    for it in range(imports):
        f = tmp_path / f"big-{it}.json"
        base.imports.append(make_import_file(f, 15_000, 2_000_000 + it * 100_000))
        proc = _cli(db, "import", "-i", str(f))
        delay = rng.uniform(0.4, 2.5)
        time.sleep(delay)
        finished = proc.poll() is not None
        kill9(proc)
        _assert_ok(db, base, f"kill #{it} of `issues-tui import` at {delay:.2f} s (finished first: {finished})")


def test_kill9_cli(tmp_path):
    _cli_kills(tmp_path, QUICK["cli_add"], QUICK["cli_import"])


@pytest.mark.slow
def test_kill9_cli_many(tmp_path):
    _cli_kills(tmp_path, SLOW["cli_add"], SLOW["cli_import"])


# -- (c) the demo autopilot -----------------------------------------------------------------------
def _autopilot_kills(tmp_path: Path, iterations: int) -> None:
    from tui.demo import make_demo_db

    rng = _rng("autopilot")
    db = tmp_path / "demo.db"
    make_demo_db(db, seed=1)
    base = baseline(db)
    for it in range(iterations):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui.demo", "autopilot", str(db), "--speed", "50", "--agents", "4",
             "--parent-pid", str(os.getpid())],
            cwd=str(ROOT), env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        delay = rng.uniform(0.5, 3.0)
        time.sleep(delay)
        assert proc.poll() is None, "the autopilot exited on its own"
        kill9(proc)
        _assert_ok(db, base, f"kill #{it} of the demo autopilot at {delay:.2f} s")


def test_kill9_demo_autopilot(tmp_path):
    _autopilot_kills(tmp_path, QUICK["autopilot"])


@pytest.mark.slow
def test_kill9_demo_autopilot_many(tmp_path):
    _autopilot_kills(tmp_path, SLOW["autopilot"])


# -- (d) the dashboard doing triage ---------------------------------------------------------------
def _dashboard_kills(tmp_path: Path, iterations: int) -> None:
    rng = _rng("dashboard")
    db = tmp_path / "dash.db"
    seed_db(db, 800)
    base = baseline(db)
    for it in range(iterations):
        proc = spawn([str(WORKERS), "dashboard", str(db)], tmp_path / "dash.log")
        wait_ready(proc, timeout=60)
        delay = rng.uniform(0.2, 2.5)
        time.sleep(delay)
        assert proc.poll() is None, "the dashboard exited on its own: " + (tmp_path / "dash.log").read_text()[-2000:]
        kill9(proc)
        # The dashboard deletes (and undo re-imports) issues, so a seed row may be gone.
        _assert_ok(db, base, f"kill #{it} of the dashboard at {delay:.2f} s", deletes_allowed=True)
    log = (tmp_path / "dash.log").read_text() if (tmp_path / "dash.log").exists() else ""
    assert "Traceback" not in log, log[-2000:]


def test_kill9_dashboard(tmp_path):
    _dashboard_kills(tmp_path, QUICK["dashboard"])


@pytest.mark.slow
def test_kill9_dashboard_many(tmp_path):
    _dashboard_kills(tmp_path, SLOW["dashboard"])
