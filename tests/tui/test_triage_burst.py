"""A burst of triage keys does what was typed (issue 8 "bursts"): every key of `1 2 3 4 1` is written — the guard
follows our own earlier writes instead of refusing them as "changed underneath you" — and the burst is answered
with one toast and one reload, not one per key. A change by someone else in between is still refused."""

from __future__ import annotations

import sqlite3

from textual import events

from tui.app import IssuesApp
from tuitest_helpers import SIZE, issue_list, settle, started, wait_for


def burst(app, keys) -> None:
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


def priority_events(db, number: int) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT e.old_value, e.new_value FROM issue_events e JOIN issues i ON i.id = e.issue_id "
                            "WHERE i.number = ? AND e.event_type = 'priority' ORDER BY e.rowid",
                            (number,)).fetchall()
    finally:
        conn.close()


async def test_every_key_of_a_burst_is_written_and_answered_once(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        first = issue_list(app).current
        toasts = len(app._notifications)
        writes = app.writes_done
        burst(app, ["2", "3", "4", "1", "plus", "minus", "minus"])
        await wait_for(pilot, lambda: app.writes_done == writes + 7, what="seven writes")
        await settle(pilot)
        changes = priority_events(small_db, first.number)
        # `+` on urgent changes nothing (no event); the two `-` step down from urgent: high, then medium
        assert [new for _old, new in changes] == ["high", "medium", "low", "urgent", "high", "medium"], changes
        shown = [(n.severity, n.message) for n in list(app._notifications)[toasts:]]
        assert sorted(sev for sev, _m in shown) == ["information", "warning"], shown  # one toast per severity
        assert "already urgent" in dict(shown)["warning"] and dict(shown)["information"].count("\n") == 5
        assert not any("changed underneath" in m for _s, m in shown)


async def test_a_foreign_change_in_a_burst_is_still_refused(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        first = issue_list(app).current
        writes = app.writes_done
        burst(app, ["2"])
        await wait_for(pilot, lambda: app.writes_done == writes + 1, what="one write")
        conn = sqlite3.connect(small_db)  # another process changes the row; the list has not reloaded yet
        conn.execute("UPDATE issues SET title = 'agent edit', updated_at = '2030-01-01T00:00:00+00:00' "
                     "WHERE number = ?", (first.number,))
        conn.commit()
        conn.close()
        burst(app, ["4"])  # pressed on the row as shown before the agent's edit
        await wait_for(pilot, lambda: app.writes_done == writes + 2, what="the second write")
        await settle(pilot)
        assert [new for _o, new in priority_events(small_db, first.number)] == ["high"]
        assert any("changed underneath" in n.message for n in app._notifications)
