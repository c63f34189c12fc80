"""Several processes, each with its own Store on one DB (a file, or a PostgreSQL database), race for the
ready queue: every issue is claimed exactly once, by read-then-claim (the crate's agents) or claim_next."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from store import open_store
from storetest_helpers import claim_worker, raw

N_ISSUES = 400
N_PROCS = 4


@pytest.mark.parametrize("claim_next", [False, True], ids=["read-then-claim", "claim_next"])
def test_processes_never_claim_twice(new_target, claim_next):
    _race(new_target, N_ISSUES, claim_next)


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(5))
def test_processes_never_claim_twice_soak(new_target, round_):
    _race(new_target, 3000, round_ % 2 == 1)


def _race(p, n_issues, claim_next=False):
    with open_store(p) as s:
        ids = {s.create_issue(f"task {i}", priority=["urgent", "high", "medium", "low"][i % 4]).id for i in range(n_issues)}
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    barrier = ctx.Barrier(N_PROCS)
    procs = [ctx.Process(target=claim_worker, args=(str(p), f"run-{k}", queue, barrier, claim_next)) for k in range(N_PROCS)]
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

    conn = raw(p)
    events = conn.execute("SELECT issue_id, actor, new_value FROM issue_events WHERE event_type = 'claimed'").fetchall()
    rows = dict(conn.execute("SELECT id, claimed_by FROM issues WHERE status = 'in_progress'").fetchall())
    conn.close()
    assert len(events) == n_issues and len({e[0] for e in events}) == n_issues
    for issue_id, actor, run in events:
        assert actor == run and issue_id in per_proc[run] and rows[issue_id] == run
    assert set(rows) == ids
