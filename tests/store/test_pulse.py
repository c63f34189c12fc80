"""Completions per hour over the last day, the drain estimate, and the indexed read behind them."""

from __future__ import annotations

from store import Store
from store.pulse import HOUR_NS, pulse
from storetest_helpers import T0, Clock, raw


def test_pulse_buckets_rate_and_drain():
    now = T0
    times = [now - 30 * 60 * 10**9, now - 90 * 60 * 10**9, now - 2.5 * HOUR_NS, now - 23.5 * HOUR_NS, now - 30 * HOUR_NS]
    p = pulse([int(t) for t in times], now, ready=12)
    assert len(p.per_hour) == 24 and p.total == 4
    assert p.per_hour[-1] == 1 and p.per_hour[-2] == 1 and p.per_hour[-3] == 1 and p.per_hour[0] == 1
    assert p.rate_per_hour == 1.0  # 3 in the last 3 hours
    assert p.drain_s == 12 * 3600
    assert pulse([], now, ready=5).drain_s is None  # no progress: no estimate
    assert pulse([], now, ready=0).drain_s == 0.0


def test_completion_times_reads_the_window_only(tmp_path):
    clock = Clock(T0 - 30 * HOUR_NS)
    s = Store.open(tmp_path / "p.db", clock=clock)
    done = []
    for hours in (0, 10, 20, 29, 29.5):
        clock.ns = T0 - 30 * HOUR_NS + int(hours * HOUR_NS)
        i = s.create_issue(f"t{hours}")
        s.complete_issue(i.id)
        done.append(clock.ns)
    # a completion written by another tool with `Z`, inside the window, counts too
    conn = raw(tmp_path / "p.db")
    conn.execute("UPDATE issues SET completed_at = replace(completed_at, '+00:00', 'Z') WHERE title = 't20'")
    conn.close()
    clock.ns = T0
    got = sorted(s.completion_times(T0 - 24 * HOUR_NS))
    assert got == sorted(done[1:])  # hours 10, 20 (as Z), 29, 29.5 of 30
    plan = " ".join(r[3] for r in s.conn.execute(
        "EXPLAIN QUERY PLAN SELECT completed_at FROM issues INDEXED BY tui_idx_done_completed "
        "WHERE status = 'done' AND completed_at >= ?", ("2026",)))
    assert "tui_idx_done_completed (completed_at>?)" in plan, plan
    s.close()


def test_completions_and_watched_claims_on_both_backends(store, clock):
    """The pulse's and the alerts' reads give the same answers on SQLite and PostgreSQL."""
    made = []
    for n in range(4):
        clock.advance(minutes=5)
        made.append(store.create_issue(f"t{n}"))
    clock.advance(minutes=1)
    store.complete_issue(made[0].id)
    done_at = clock.ns
    store.claim_issue(made[1].id, "run-1")
    clock.advance(minutes=10)
    store.claim_issue(made[2].id, "run-2")
    clock.advance(minutes=7)  # run-1's claim is 17 min old (stale), run-2's 7 min (live)
    assert store.completion_times(clock.ns - 24 * HOUR_NS) == [done_at]
    assert store.completion_times(done_at + 1_000_000) == []  # (PostgreSQL keeps microseconds)
    live, stale = store.watched_claims()
    assert [i.id for i in live] == [made[2].id] and [i.id for i in stale] == [made[1].id]
    assert store.search_problems("foo:bar is:nope") and store.search_problems("agent:x") == []
