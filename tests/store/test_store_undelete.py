"""Delete keeps what it removed; undelete puts the row and its whole history back, exactly as stored."""

from __future__ import annotations

import pytest

from store import ConflictError, open_store
from storetest_helpers import raw as connect

EVENTS = "SELECT id, issue_id, actor, event_type, old_value, new_value, created_at FROM issue_events"


def raw(path, sql, *args):
    con = connect(path)
    try:
        return [tuple(r) for r in con.execute(sql, args).fetchall()]
    finally:
        con.close()


def test_delete_then_undelete_restores_row_and_history(store):
    issue = store.create_issue("with a past", "body")
    store.block_issue(issue.id, "waiting")
    store.unblock_issue(issue.id)
    store.update_issue(issue.id, priority="urgent")
    path = store.path
    row_before = raw(path, "SELECT * FROM issues WHERE id = ?", issue.id)
    events_before = raw(path, EVENTS + " WHERE issue_id = ? ORDER BY rowid", issue.id)
    assert len(events_before) >= 3
    deleted = store.delete_issue_keeping(issue.id, expect_updated_at=store.get_issue_by_id(issue.id).updated_at)
    assert deleted is not None and deleted.number == issue.number
    assert raw(path, "SELECT * FROM issues WHERE id = ?", issue.id) == []
    assert raw(path, "SELECT * FROM issue_events WHERE issue_id = ?", issue.id) == []
    store.undelete_issue(deleted, actor="undoer")
    assert raw(path, "SELECT * FROM issues WHERE id = ?", issue.id) == row_before
    events_after = raw(path, EVENTS + " WHERE issue_id = ? ORDER BY rowid", issue.id)
    assert events_after[:-1] == events_before  # same ids, same values, same order
    assert events_after[-1][2:6] == ("undoer", "restored", None, None)


def test_undelete_refuses_a_taken_number_and_writes_nothing(store):
    issue = store.create_issue("gone")
    other = store.create_issue("other")
    deleted = store.delete_issue_keeping(issue.id)
    raw(store.path, "UPDATE issues SET number = ? WHERE id = ?", issue.number, other.id)  # a hand fix takes it
    before = raw(store.path, "SELECT count(*) FROM issue_events")
    with pytest.raises(ConflictError, match="exists again"):
        store.undelete_issue(deleted)
    assert raw(store.path, "SELECT count(*) FROM issue_events") == before
    assert store.get_issue_by_id(issue.id) is None


def test_delete_of_a_crate_row_keeps_every_column(small_target):
    with open_store(small_target) as store:
        issue = store.get_issue_by_number(2)
        row_before = raw(small_target, "SELECT * FROM issues WHERE number = 2")
        deleted = store.delete_issue_keeping(issue.id)
        store.undelete_issue(deleted)
    assert raw(small_target, "SELECT * FROM issues WHERE number = 2") == row_before


def test_release_stale_returns_what_it_released(small_target):
    with open_store(small_target) as store:
        stale = {i.id: i for i in store.stale_claims()}
        released = store.release_stale()
        assert {i.id for i in released} == set(stale) and stale
        assert all(i.claimed_by for i in released)  # as they were before the release
        assert store.stale_claims() == []
        assert store.release_stale_claims() == 0
