"""Found by the kill -9 invariants: a write that changes no value must not move updated_at without an event.

`update_issue(priority=<the same>)` used to bump updated_at and write no event, so a no-op key press in
the dashboard (e.g. `1` on an urgent issue) made an agent's guarded `complete_issue` fail with a conflict.
"""

from __future__ import annotations

from store import Store


def test_same_value_update_writes_nothing(tmp_path):
    with Store.open(tmp_path / "n.db", actor="t") as s:
        issue = s.create_issue("x", priority="urgent")
        s.claim_issue(issue.id, "run-1")
        claimed = s.get_issue_by_id(issue.id)
        assert s.update_issue(issue.id, priority="urgent") is True
        assert s.restore_issue(issue.id, {"priority": "urgent"}) is True
        after = s.get_issue_by_id(issue.id)
        assert after.updated_at == claimed.updated_at
        assert [e.event_type for e in s.issue_events(issue.id)] == ["created", "claimed"]
        # the agent's guard still holds
        assert s.complete_issue(issue.id, expect_updated_at=claimed.updated_at) is True
        # a real change still writes and records it
        assert s.update_issue(issue.id, priority="low") is True
        assert s.issue_events(issue.id)[-1].event_type == "priority"
