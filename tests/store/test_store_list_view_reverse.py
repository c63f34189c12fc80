"""list_view reads pages in the second half of a view from the far end of the index: same rows, same order."""

from __future__ import annotations

import pytest

from store import VIEWS, open_store


@pytest.fixture
def populated(new_target):
    s = open_store(new_target)
    for n in range(300):
        issue = s.create_issue(f"issue {n}", priority=["urgent", "high", "medium", "low"][n % 4],
                               agent=["claude", "codex"][n % 2])
        if n % 7 == 0:
            s.claim_issue(issue.id, f"run-{n}")
        elif n % 11 == 0:
            s.block_issue(issue.id, "waiting")
        elif n % 13 == 0:
            s.complete_issue(issue.id)
    yield s
    s.close()


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("agent", [None, "codex"])
def test_reverse_pages_equal_forward_pages(populated, view, agent):
    s = populated
    everything = s.list_view(view, agent=agent, limit=10_000)
    total = len(everything)
    assert total == s.count_view(view, agent=agent)
    for offset in {0, total // 2 + 1, max(total - 7, 0), max(total - 1, 0)}:
        page = s.list_view(view, agent=agent, limit=20, offset=offset, total=total)
        assert [i.id for i in page] == [i.id for i in everything[offset:offset + 20]], (view, offset)
