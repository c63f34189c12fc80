"""Several processes, each with its own Store on one file, race for the ready queue."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3

import pytest

from store import Store
from storetest_helpers import claim_worker

N_ISSUES = 400
N_PROCS = 4


def test_processes_never_claim_twice(tmp_path):
    _race(tmp_path, N_ISSUES)


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(5))
def test_processes_never_claim_twice_soak(tmp_path, round_):
    _race(tmp_path, 3000)


def _race(tmp_path, n_issues):
    p = tmp_path / "race.db"
    with Store.open(p) as s:
        ids = {s.create_issue(f"task {i}", priority=["urgent", "high", "medium", "low"][i % 4]).id for i in range(n_issues)}
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    barrier = ctx.Barrier(N_PROCS)
    procs = [ctx.Process(target=claim_worker, args=(str(p), f"run-{k}", queue, barrier)) for k in range(N_PROCS)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    errors = [(run, err) for run, _, err in results if err]
    assert errors == []
    per_proc = {run: claimed for run, claimed, _ in results}
    all_claims = [iid for claimed in per_proc.values() for iid in claimed]
    assert len(all_claims) == len(set(all_claims)) == n_issues
    assert set(all_claims) == ids

    conn = sqlite3.connect(str(p))
    events = conn.execute("SELECT issue_id, actor, new_value FROM issue_events WHERE event_type = 'claimed'").fetchall()
    rows = dict(conn.execute("SELECT id, claimed_by FROM issues WHERE status = 'in_progress'").fetchall())
    conn.close()
    assert len(events) == n_issues and len({e[0] for e in events}) == n_issues
    for issue_id, actor, run in events:
        assert actor == run and issue_id in per_proc[run] and rows[issue_id] == run
    assert set(rows) == ids
