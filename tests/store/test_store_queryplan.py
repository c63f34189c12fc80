"""The ready queue uses the store's partial indexes and never sorts in a temp B-tree."""

from __future__ import annotations

import random
import uuid

import pytest

from store import Store
from store.timestamps import format_ns
from storetest_helpers import T0, raw


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    p = tmp_path_factory.mktemp("plan") / "plan.db"
    Store.open(p).close()
    rnd = random.Random(5)
    rows = []
    for n in range(1, 5001):
        ts = format_ns(T0 - rnd.randrange(10**15))
        status = rnd.choice(["open", "open", "in_progress", "done"])
        rows.append((str(uuid.uuid4()), n, f"issue {n}", status, rnd.choice(["urgent", "high", "medium", "low", "critical"]),
                     rnd.choice(["claude", "codex"]), int(rnd.random() < 0.1), ts, ts))
    conn = raw(p)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO issues (id, number, title, status, priority, agent, is_blocked, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.close()
    return p


def _plan(store, agent):
    sql, params = store._ready_sql(agent)
    rows = store.conn.execute(f"EXPLAIN QUERY PLAN {sql} LIMIT 200", params).fetchall()
    return " | ".join(r[3] for r in rows)


@pytest.mark.parametrize("agent, index", [(None, "tui_ready_v2"), ("codex", "tui_ready_agent_v2")])
def test_ready_plan_uses_index(big_db, agent, index):
    with Store.open(big_db) as s:
        plan = _plan(s, agent)
        assert f"USING INDEX {index} " in plan + " ", plan
        assert "TEMP B-TREE" not in plan, plan
        # and the indexed query gives the queue in the contract's order
        got = s.ready_queue(agent=agent, limit=10_000)
    conn = raw(big_db)
    rank = {"urgent": 0, "high": 1, "medium": 2, "low": 3}
    rows = conn.execute("SELECT id, priority, created_at, number, agent FROM issues "
                        "WHERE status = 'open' AND is_blocked = 0").fetchall()
    conn.close()
    expected = sorted((r for r in rows if agent is None or r[4] == agent),
                      key=lambda r: (rank.get(r[1], 2), r[2], r[3]))
    assert [i.id for i in got] == [r[0] for r in expected]
    assert len(expected) > 1000


def test_ready_plan_read_only(big_db):
    with Store.open(big_db, read_only=True) as s:
        assert "USING INDEX tui_ready_v2 " in _plan(s, None) + " "


def test_true_recount_reads_indexes_only(big_db):
    """Verifying the counts cache (on open, and after changes) reads the covering status index and the blocked
    partial index — never every row (the GROUP BY over (status, is_blocked) did: ~700 ms at 1M issues) — and
    gives the same numbers as that full count."""
    from store import counts as counts_cache

    with Store.open(big_db) as st:
        conn = st.conn
        plans = [" | ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
                 for sql in (counts_cache.BY_STATUS_SQL,
                             counts_cache.OPEN_BLOCKED_SQL.format(idx=" INDEXED BY tui_idx_blocked"))]
        assert "COVERING INDEX idx_issues_status" in plans[0], plans[0]
        assert "tui_idx_blocked" in plans[1], plans[1]
        fast = counts_cache._recount(conn, counts_cache.CountsState(), indexed=True)
        full = conn.execute(counts_cache.RECOUNT_SQL).fetchall()
        assert counts_cache._normal(fast) == counts_cache._normal(full)
        assert any(status == "open" and blocked and n for status, blocked, n in fast)


def test_cheap_counts_checks_are_seeks(big_db):
    """The plausibility checks that run on every counts() read are O(log n): no statement scans the table."""
    from store import counts as counts_cache

    with Store.open(big_db) as st:
        conn = st.conn
        seen = []
        conn.set_trace_callback(seen.append)
        try:
            assert counts_cache.plausible(conn, counts_cache._recount(conn, counts_cache.CountsState(), True), True)
        finally:
            conn.set_trace_callback(None)
        checks = [sql for sql in seen if "rowid" in sql or "EXISTS" in sql]
        assert checks
        for sql in checks:
            plan = " | ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
            assert "SCAN issues USING COVERING INDEX idx_issues_number" not in plan and not plan.startswith("SCAN issues |"), (sql, plan)
