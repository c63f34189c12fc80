"""Windowed, counted reads for the dashboard's side panes (issue 8 item 7), on both backends: the sessions
window is the pane's order (running first, each part newest first) with true counts, and the history window
is an issue's newest events, oldest first."""

from __future__ import annotations


def test_sessions_window_and_counts_match_the_whole_table(store, clock):
    projects = [store.create_project(f"p{n}", f"/code/p{n}") for n in range(3)]
    made = []
    for n in range(45):
        clock.advance(seconds=1)
        s = store.create_session(projects[n % 3].id, f"run {n}", "sonnet")
        if n % 4:
            store.update_session_status(s.id, "completed")
        made.append(s.id)
    every = store.list_sessions()
    for project in (None, projects[1].id):
        mine = [x for x in every if project is None or x.project_id == project]
        want = [x.id for x in sorted(mine, key=lambda x: x.started_at, reverse=True) if x.status == "running"] + \
               [x.id for x in sorted(mine, key=lambda x: x.started_at, reverse=True) if x.status != "running"]
        running = sum(x.status == "running" for x in mine)
        for offset in (0, 3, running - 1, running, running + 2, len(mine) - 2):
            total, run, window = store.sessions_window(project, limit=7, offset=max(offset, 0))
            assert (total, run) == (len(mine), running)
            assert [x.id for x in window] == want[max(offset, 0):max(offset, 0) + 7], (project, offset)
    counts = store.session_counts()
    for p in projects:
        mine = [x for x in every if x.project_id == p.id]
        assert counts[p.id] == (len(mine), sum(x.status == "running" for x in mine))


def test_recent_issue_events_is_the_newest_window(store, clock):
    issue = store.create_issue("busy issue")
    for n in range(30):
        clock.tick()
        store.update_issue(issue.id, title=f"title {n}")
    every = store.issue_events(issue.id)
    total, window = store.recent_issue_events(issue.id, 10)
    assert total == len(every) == 31
    assert [e.id for e in window] == [e.id for e in every[-10:]]
    assert window[-1].new_value == "title 29"
