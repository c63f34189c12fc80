"""tui/multi.py: per-source windows merged in the store's order for every view and sort (no app here)."""

from __future__ import annotations

import random

import pytest

from store import Store
from tui.loader import Query
from tui.multi import composite_id, merge_window, plan, split_id


def test_composite_ids_round_trip_and_never_look_real():
    cid = composite_id(3, "08c17230-5aaa-483a-8bf6-5b56098d6d4e")
    assert split_id(cid) == (3, "08c17230-5aaa-483a-8bf6-5b56098d6d4e")
    assert split_id("08c17230-5aaa-483a-8bf6-5b56098d6d4e") == (None, "08c17230-5aaa-483a-8bf6-5b56098d6d4e")


def make(tmp_path, k: int, n: int, seed: int) -> Store:
    rng = random.Random(seed)
    s = Store.open(tmp_path / f"s{k}.db")
    for i in range(n):
        issue = s.create_issue(f"t{rng.randint(0, 9)} {k}-{i}", priority=rng.choice(["urgent", "high", "medium", "low"]),
                               issue_type=rng.choice(["task", "bug", "feature"]), agent=rng.choice(["a", "b", None]))
        roll = rng.random()
        if roll < 0.3:
            s.claim_issue(issue.id, f"run-{rng.randint(0, 3)}")
        elif roll < 0.5:
            s.complete_issue(issue.id)
    return s


@pytest.mark.parametrize("view", ["ready", "in_progress", "done", "all"])
def test_merged_window_equals_sorting_the_union(tmp_path, view):
    stores = [make(tmp_path, k, 40, k) for k in range(3)]
    everything = []
    for k, s in enumerate(stores):
        everything += [(k, i) for i in s.list_view(view, limit=1000)]
    # the union in the view's order: the store's order within a file, files interleaved by the view's key
    from tui.multi import order_key
    key = order_key(view)
    expected = sorted(everything, key=lambda t: (key(t[1]), t[0]))
    totals = [s.count_view(view) for s in stores]
    for offset in (0, 7, sum(totals) // 2 + 3, max(sum(totals) - 5, 0)):
        q = Query(view=view, offset=offset, limit=10)
        p = plan(q, totals)
        parts = []
        for k, (s, sq) in enumerate(zip(stores, p.queries)):
            parts.append((k, totals[k], sq.offset, s.list_view(view, limit=sq.limit, offset=sq.offset)))
        got = merge_window(view, parts, offset, 10, p.from_end)
        assert [(k, i.id) for k, i in got] == [(k, i.id) for k, i in expected[offset:offset + 10]], (view, offset)
    for s in stores:
        s.close()
