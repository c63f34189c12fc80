"""The dashboard driven by keys (Textual pilot): views, filters, selection, detail, panes, status, help, palette.

Waits are always "until the app shows it" (load_count / predicates, several-second deadline), never timings.
"""

from __future__ import annotations

import re

import pytest
from textual.command import CommandPalette
from textual.widgets import Input

from store import Store
from tui.app import VIEW_KEYS, IssuesApp
from tui.screens.help import HelpScreen
from tui.widgets.detail import DetailPane
from tui.widgets.projects import ProjectsPane
from tui.widgets.sessions import SessionsPane
from tuitest_helpers import (SIZE, issue_list, numbers, settle, started, static_text, view, wait_for, wait_loaded)

VIEW_BY_KEY = {"R": "ready", "I": "in_progress", "B": "blocked", "D": "done", "S": "stale", "A": "all"}


def expected(app, view: str, **filters) -> list[int]:
    return [i.number for i in app.store.list_view(view, limit=200, **filters)]


async def test_ready_pane_shows_crate_ready_order(small_db, ready_numbers):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert app.query_state.view == "ready"
        assert numbers(app) == ready_numbers
        assert issue_list(app).total == len(ready_numbers)
        assert issue_list(app).current.number == ready_numbers[0]


@pytest.mark.parametrize("key", list(VIEW_BY_KEY))
async def test_view_key_switches_view(small_db, key):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        before = app.load_count
        await pilot.press(key)
        view = VIEW_BY_KEY[key]
        await wait_for(pilot, lambda: app.snapshot.query.view == view and app.load_count > before, what=view)
        await settle(pilot)
        want = expected(app, view)
        assert numbers(app) == want
        assert issue_list(app).total == app.store.count_view(view)
        if want:
            assert issue_list(app).current.number == want[0]


async def test_view_keys_on_views_with_rows(small_db):
    """Each view of the small fixture has rows; every one matches store.list_view in its own order."""
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        seen = {}
        for key, name in VIEW_BY_KEY.items():
            await view(pilot, key, name)
            seen[name] = numbers(app)
            assert seen[name] == expected(app, name), name
        assert all(seen[v] for v in ("ready", "in_progress", "blocked", "done", "all"))
        assert len(seen["all"]) == 29


async def test_brackets_cycle_views(small_db):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        order = []
        for _ in VIEW_KEYS:
            await pilot.press("right_square_bracket")
            await settle(pilot)
            order.append(app.snapshot.query.view)
            assert numbers(app) == expected(app, app.snapshot.query.view)
        assert order == VIEW_KEYS[1:] + VIEW_KEYS[:1]
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.snapshot.query.view == VIEW_KEYS[-1]
        assert numbers(app) == expected(app, VIEW_KEYS[-1])


async def test_slash_filters_as_you_type_and_escape_clears(small_db, ready_numbers):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("slash")
        box = app.query_one("#filter", Input)
        assert app.focused is box
        await pilot.press(*"flaky")  # no enter: it filters as you type
        await wait_for(pilot, lambda: app.snapshot.query.search == "flaky", what="the filter to apply")
        await settle(pilot)
        got = numbers(app)
        assert got and len(got) < len(ready_numbers)
        assert all("flaky" in i.title.lower() for i in issue_list(app).rows)
        assert got == expected(app, "ready", search="flaky")
        assert got == [n for n in ready_numbers if n in got]  # still the ready order
        assert "filter: flaky" in static_text(app.query_one("#views"))
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace", *"SIGINT")
        await wait_for(pilot, lambda: app.snapshot.query.search == "SIGINT", what="the new filter")
        await settle(pilot)
        assert numbers(app) == expected(app, "ready", search="SIGINT")
        assert all("sigint" in i.title.lower() for i in issue_list(app).rows)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.snapshot.query.search == "", what="the filter to clear")
        await settle(pilot)
        assert numbers(app) == ready_numbers
        assert box.value == ""
        assert app.focused is issue_list(app)


async def test_filter_with_no_match_shows_empty_list(small_db):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("slash", *"zzz-no-such", "enter")
        await wait_for(pilot, lambda: app.snapshot.query.search == "zzz-no-such", what="the filter")
        await settle(pilot)
        assert numbers(app) == [] and issue_list(app).current is None
        assert app.query_one(DetailPane).issue is None


async def test_at_cycles_agent_filter(small_db, ready_numbers):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        agents = app.known_agents()
        assert agents[:2] == ["claude", "codex"]
        for agent in [*agents, None]:
            await pilot.press("at")
            await wait_for(pilot, lambda: app.snapshot.query.agent == agent, what=f"agent {agent}")
            await settle(pilot)
            if agent is None:
                assert numbers(app) == ready_numbers
            else:
                assert numbers(app) == expected(app, "ready", agent=agent)
                assert numbers(app) and all(i.agent == agent for i in issue_list(app).rows)
                assert f"agent: {agent}" in static_text(app.query_one("#views"))


async def test_selecting_project_filters_sessions(small_db):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        sessions = app.query_one(SessionsPane)
        assert len(sessions.sessions) == 5
        projects = app.query_one(ProjectsPane)
        projects.focus()
        await pilot.pause()
        assert projects.highlighted == 0  # "All projects"
        chosen = {}
        for step in range(1, len(app.snapshot.projects) + 1):
            await pilot.press("down", "enter")
            pid = app.snapshot.projects[step - 1].project.id
            await wait_for(pilot, lambda: app.snapshot.query.project_id == pid, what=f"project {pid}")
            await settle(pilot)
            got = sessions.sessions
            assert all(s.project_id == pid for s in got)
            assert len(got) == len(app.store.list_sessions(project_id=pid))
            chosen[pid] = len(got)
        assert sum(chosen.values()) == 5
        assert any(n > 0 for n in chosen.values())
        await pilot.press("home", "enter")  # back to "All projects"
        await wait_for(pilot, lambda: app.snapshot.query.project_id is None, what="all projects")
        await settle(pilot)
        assert len(sessions.sessions) == 5


async def test_detail_follows_cursor(small_db, ready_numbers):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        detail = app.query_one(DetailPane)
        lst = issue_list(app)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.id == lst.current.id,
                       what="the first issue in the detail pane")
        for key, index in (("j", 1), ("down", 2), ("j", 3), ("k", 2), ("up", 1)):
            await pilot.press(key)
            assert lst.cursor == index
            assert lst.current.number == ready_numbers[index]
            await wait_for(pilot, lambda: detail.issue is not None and detail.issue.id == lst.current.id,
                           what=f"detail of #{lst.current.number}")
            head = static_text(detail.query_one("#detail-head"))
            assert f"#{lst.current.number} " in head
            assert lst.current.title in head
        await pilot.press("G")
        assert lst.current.number == ready_numbers[-1]
        await wait_for(pilot, lambda: detail.issue.id == lst.current.id, what="detail of the last issue")
        await pilot.press("g")
        assert lst.current.number == ready_numbers[0]


async def test_detail_shows_stale_for_edge_5(edge_db):
    app = IssuesApp(edge_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await view(pilot, "S", "stale")
        assert numbers(app) == [5]
        detail = app.query_one(DetailPane)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.number == 5, what="#5 in detail")
        head = static_text(detail.query_one("#detail-head"))
        assert "claimed by run-stale" in head
        assert re.search(r"STALE for (\d+:\d\d(:\d\d)?|\d+[smhdw])\b", head), head
        line = "\n".join(_lines(app))
        assert "STALE" in line  # the list row flags it too


async def test_detail_counts_down_a_live_claim(edge_db):
    """With the clock five minutes after #5's claim, the detail shows "expires in 10:00" and ticks down."""
    from store import timestamps

    claimed = timestamps.parse_ns("2020-01-01T00:00:00.123456789+00:00")
    now = [claimed + 5 * 60 * 1_000_000_000]
    app = IssuesApp(edge_db, clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await view(pilot, "I", "in_progress")
        assert numbers(app) == [5]
        assert app.snapshot.counts.stale == 0
        detail = app.query_one(DetailPane)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.number == 5, what="#5 in detail")
        assert "expires in 10:00" in static_text(detail.query_one("#detail-head"))
        now[0] += 61 * 1_000_000_000
        await wait_for(pilot, lambda: "expires in 8:59" in static_text(detail.query_one("#detail-head")),
                       what="the countdown to tick (1 s timer)")
        now[0] += 9 * 60 * 1_000_000_000
        await wait_for(pilot, lambda: "STALE for 0:01" in static_text(detail.query_one("#detail-head")),
                       what="the claim to turn stale")


def _lines(app) -> list[str]:
    from tuitest_helpers import list_lines
    return list_lines(issue_list(app))


async def test_sessions_flags_dead_pid(small_db, tmp_path):
    import os
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    dead_pid = proc.pid  # reaped: no process has this pid now (pids are not reused this fast)
    with Store.open(small_db, create=False) as s:
        project = s.list_projects()[0]
        s.create_session(project.id, "dead one", "model-dead", pid=dead_pid)
        s.create_session(project.id, "alive one", "model-alive", pid=os.getpid())
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        pane = app.query_one(SessionsPane)
        text = static_text(pane, width=160)
        rows = {line.split()[1]: line for line in text.splitlines() if "model-" in line}
        assert rows["model-dead"].split()[0] == "DEAD", text
        assert f"{dead_pid} ✗" in rows["model-dead"]
        assert rows["model-alive"].split()[0] == "running", text
        assert f"{os.getpid()} ✓" in rows["model-alive"]
        # running sessions are listed first
        assert [s.status for s in pane.sessions][:2] == ["running", "running"]


async def test_status_line_counts_equal_store_counts(small_db):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        c = app.store.counts()
        text = static_text(app.query_one("#status"), width=300)
        shown = {k: int(v.replace(",", "")) for k, v in re.findall(r"(open|in progress|blocked|done|stale) ([\d,]+)", text)}
        assert shown == {"open": c.open, "in progress": c.in_progress, "blocked": c.blocked, "done": c.done,
                         "stale": c.stale}, text
        assert "● live" in text
        views = static_text(app.query_one("#views"), width=300)
        assert f"Ready {c.ready}" in views and f"All {c.total}" in views


async def test_p_pauses_live_refresh_and_r_reloads(small_db):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("p")
        assert app.paused
        assert "paused" in static_text(app.query_one("#status"), width=300)
        count = app.load_count
        with Store.open(small_db, create=False) as s:
            new = s.create_issue("written while paused", priority="urgent")
        # Give the watcher (~30 ms) and the poll timer (2 s) time to fire: nothing may load.
        await pilot.pause(2.5)
        assert app.load_count == count
        assert new.number not in numbers(app)
        await pilot.press("r")  # an explicit reload works even when paused
        await wait_for(pilot, lambda: new.number in numbers(app), what="r to show the new issue")
        assert app.paused
        with Store.open(small_db, create=False) as s:
            second = s.create_issue("second while paused", priority="urgent")
        await pilot.pause(2.5)
        assert second.number not in numbers(app)
        await pilot.press("p")  # resume: reloads at once
        assert not app.paused
        await wait_for(pilot, lambda: second.number in numbers(app), what="resume to show the write")
        assert "● live" in static_text(app.query_one("#status"), width=300)


async def test_question_mark_opens_help_with_binding_ids(small_db):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
        await pilot.pause()
        text = static_text(app.screen.query_one("Static"), width=200)
        ids = {b.id for _, b in app._bindings if b.id} | {b.id for _, b in issue_list(app)._bindings if b.id}
        assert {"app.help", "app.quit", "view.ready", "view.stale", "list.down", "app.pause"} <= ids
        for binding_id in ids:
            assert binding_id in text, binding_id
        assert "?" in text and "Ready queue" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="help to close")


async def _palette_prompts(pilot) -> list[str]:
    from textual.command import CommandList

    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    clist = app.screen.query_one(CommandList)
    await wait_for(pilot, lambda: clist.option_count > 0, what="palette options")
    await pilot.pause(0.2)
    return [str(clist.get_option_at_index(i).prompt) for i in range(clist.option_count)]


async def test_palette_lists_views(small_db):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("ctrl+p")
        prompts = await _palette_prompts(pilot)
        joined = "\n".join(prompts)
        for label in ("In progress", "Blocked", "Done", "Stale", "All"):
            assert f"View: {label}" in joined, joined
        assert "View: Ready" not in joined  # the current view is not offered
        await pilot.press(*"View: Done")
        await pilot.pause(0.3)
        await view(pilot, "enter", "done")
        assert numbers(app) == expected(app, "done")


async def test_palette_goes_to_issue_number(small_db):
    app = IssuesApp(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert 12 not in numbers(app)  # #12 is in progress: not in the ready view
        await pilot.press("ctrl+p")
        await _palette_prompts(pilot)
        await pilot.press(*"#12")
        from textual.command import CommandList
        clist = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: clist.option_count and "Go to issue #12" in str(clist.get_option_at_index(0).prompt),
                       what="the go-to hit")
        await pilot.press("enter")
        lst = issue_list(app)
        await wait_for(pilot, lambda: lst.current is not None and lst.current.number == 12, what="#12 selected")
        await settle(pilot)
        assert lst.current.number == 12
        assert app.snapshot.query.view == "all"
        detail = app.query_one(DetailPane)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.number == 12, what="#12 in detail")
