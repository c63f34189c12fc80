"""Query plans of sorted and searched views: an indexed order reads its index and never sorts the rows; any
other order sorts only rowids (late row lookup); a word search goes through the side file's FTS5 table.
Checked at 20k rows after ANALYZE (the planner's real choice), and at 1M (slow) on bench/gen.py's file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from store import Store
from store.fts import SearchIndex
from store.views import SORT_KEYS, VIEWS, _INDEXED

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import gen  # noqa: E402


def _plan(store, sql, params) -> str:
    return " | ".join(r[3] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def _check_plans(store):
    for view in VIEWS:
        for key in SORT_KEYS:
            for desc in (False, True):
                vs = store._view_sql(view, None, None, None, (key, desc))
                sql, params = vs.page(200, 0)
                plan = _plan(store, sql, params)
                if (view, key) in _INDEXED:
                    assert "TEMP B-TREE FOR ORDER BY" not in plan, (view, key, desc, plan)
                    index = _INDEXED[(view, key)]
                    if index not in ("", "+"):
                        assert f"USING INDEX {index}" in plan, (view, key, plan)
                    elif index == "+" or view == "all":
                        assert "idx_issues_number" in plan or "PRIMARY KEY" in plan or "sqlite_autoindex_issues_2" in plan, plan
                else:
                    # late: the subquery sorts (rowid, key); the page's rows are fetched by rowid
                    assert "LIST SUBQUERY" in plan and "INTEGER PRIMARY KEY (rowid=?)" in plan, (view, key, plan)


def _check_search_plans(store, idx):
    store.search_index = idx
    assert idx.usable(store)
    for view in ("ready", "all", "done", "blocked"):
        vs = store._view_sql(view, None, "cache layer -flaky", None)
        sql, params = vs.page(200, 0)
        plan = _plan(store, sql, params)
        assert "VIRTUAL TABLE INDEX" in plan, (view, plan)
        if view == "ready":
            assert "USING INDEX tui_ready_v2" in plan and "TEMP B-TREE" not in plan, plan
    # agent:/pri: in the search use the agent-led ready index and its rank column
    vs = store._view_sql("ready", None, "agent:codex pri:urgent", None)
    sql, params = vs.page(200, 0)
    plan = _plan(store, sql, params)
    assert "USING INDEX tui_ready_agent_v2 (agent=? AND" in plan, plan
    # #N finds the row by number whatever the view
    vs = store._view_sql("ready", None, "#42", None)
    sql, params = vs.page(200, 0)
    assert "(number=?)" in _plan(store, sql, params)


@pytest.fixture(scope="module")
def mid_db(tmp_path_factory):
    p = tmp_path_factory.mktemp("vplan") / "mid.db"
    gen.generate(p, 20_000, first_open=True)
    with Store.open(p) as s:
        s.wconn.execute("ANALYZE")
    return p


def test_sorted_view_plans_after_analyze(mid_db):
    with Store.open(mid_db) as s:
        _check_plans(s)


def test_searched_view_plans(mid_db, tmp_path):
    with Store.open(mid_db) as s:
        idx = SearchIndex(mid_db, folder=tmp_path)
        assert idx.build(s)
        _check_search_plans(s, idx)
        idx.close()


@pytest.mark.slow
def test_plans_at_1m(tmp_path):
    p = tmp_path / "1m.db"
    gen.generate(p, 1_000_000, first_open=True)
    with Store.open(p) as s:
        _check_plans(s)
        idx = SearchIndex(p, folder=tmp_path)
        assert idx.build(s)
        _check_search_plans(s, idx)
        idx.close()
