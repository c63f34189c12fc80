"""Issue 11 in the dashboard (pilot): columns per view, sort (picker, reverse, header ▲/▼, header click,
remembered across restarts), search language with highlighted matches, saved views as tabs with live counts,
mouse (tab click, header click, double-click), pulse strip and spend bars."""

from __future__ import annotations

import json


from store import Store
from tui.alerts import AlertConfig
from tui.app import IssuesApp
from tui.columns import parse_columns
from tui.config import Config, load_config
from tui.saved_views import SavedView
from tui.screens.sort_picker import SortPicker
from tui.widgets.list_header import ListHeader
from tui.widgets.pulse import PulseStrip
from tui.widgets.sessions import SessionsPane
from tui.widgets.view_tabs import ViewTabs
from tuitest_helpers import SIZE, issue_list, list_lines, numbers, screen_lines, settle, started, static_text, wait_for

QUIET = AlertConfig(frozenset())  # no alert toasts in these tests (test_alert_ui.py has them)


def make(db, **cfg) -> IssuesApp:
    return IssuesApp(db, watch=False, config=Config(alerts=QUIET, **cfg), pid_alive=lambda pid: True)


def app_with_config(db, text: str, tmp_path) -> IssuesApp:
    """An app on `db` with this config file (which must load without a problem), alerts off."""
    path = tmp_path / "config.toml"
    path.write_text(text)
    cfg = load_config(path)
    assert not cfg.problems
    cfg.alerts = QUIET
    return IssuesApp(db, watch=False, config=cfg)


def header(app) -> str:
    return static_text(app.query_one(ListHeader))


async def show(pilot, key: str, view: str) -> None:
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: app.snapshot.query.view == view, what=view)
    await settle(pilot)


async def test_columns_fit_each_view(small_db):
    app = make(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert header(app).split()[:6] == ["#", "pri▲", "type", "agent", "age", "title"]
        await show(pilot, "I", "in_progress")
        assert "claimed by" in header(app) and "claim▲" in header(app)
        first = list_lines(issue_list(app))[0]
        issue = issue_list(app).rows[0]
        assert issue.claimed_by in first and "STALE" in first  # the fixture's claims are days old
        await show(pilot, "B", "blocked")
        assert "blocked reason" in header(app)
        reason = issue_list(app).rows[0].blocked_reason
        assert reason[:20] in list_lines(issue_list(app))[0]
        await show(pilot, "D", "done")
        assert "completed" in header(app)
        await show(pilot, "A", "all")
        assert "status" in header(app)
        assert any("in_progress" in line for line in list_lines(issue_list(app)))


async def test_live_claim_counts_toward_15_minutes(small_db):
    with Store.open(small_db) as s:
        target = s.list_view("ready", limit=1)[0]
        s.claim_issue(target.id, "run-live")
    app = make(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await show(pilot, "I", "in_progress")
        line = next(line for line in list_lines(issue_list(app)) if "run-live" in line)
        assert "/15" in line and "STALE" not in line


async def test_configured_columns_which_order_width(small_db, tmp_path):
    app = app_with_config(small_db, '[columns]\nin_progress = ["claimed_by:20", "number", "title"]\n', tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await show(pilot, "I", "in_progress")
        assert header(app).split()[:4] == ["claimed", "by", "#", "title"]
        line = list_lines(issue_list(app))[0]
        issue = issue_list(app).rows[0]
        # claimed_by first, 20 cells wide, then the number
        assert line[2:22].rstrip() == issue.claimed_by and line[23:29].strip() == str(issue.number)


async def test_sort_picker_narrows_applies_reverses_and_is_remembered(small_db, tmp_path):
    app = make(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await show(pilot, "A", "all")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SortPicker), what="the sort picker")
        await pilot.press("t", "i", "t")
        options = app.screen.query_one("#sort-options")
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == ["title"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.snapshot.query.sort == ("title", False), what="sorted by title")
        await settle(pilot)
        want = [i.number for i in app.store.list_view("all", sort=("title", False), limit=200)]
        assert numbers(app) == want and "title▲" in header(app)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SortPicker), what="the sort picker")
        await pilot.press("t", "i", "t", "enter")  # the same key again: reversed
        await wait_for(pilot, lambda: app.snapshot.query.sort == ("title", True), what="reversed")
        await settle(pilot)
        assert numbers(app) == [i.number for i in app.store.list_view("all", sort=("title", True), limit=200)]
        assert "title▼" in header(app)
    state = json.loads((tmp_path / "state" / "issues-tui" / "state.json").read_text())
    assert state["sort"]["all"] == ["title", True]
    again = make(small_db)  # a restart: the view keeps its sort; ready keeps the crate's order
    async with again.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert again.snapshot.query.sort is None and "pri▲" in header(again)
        await show(pilot, "A", "all")
        assert again.snapshot.query.sort == ("title", True) and "title▼" in header(again)


async def test_header_click_sorts_and_tab_click_switches(small_db):
    app = make(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        tabs = app.query_one(ViewTabs)
        start, end, key = next(s for s in tabs.spans if s[2] == "blocked")
        await pilot.click(ViewTabs, offset=(start + 2 + tabs.styles.padding.left, 0))
        await wait_for(pilot, lambda: app.snapshot.query.view == "blocked", what="the blocked tab")
        await settle(pilot)
        head = app.query_one(ListHeader)
        x = header(app).index("agent")
        await pilot.click(ListHeader, offset=(x + 1, 0))
        await wait_for(pilot, lambda: app.snapshot.query.sort == ("agent", False), what="sorted by agent")
        await settle(pilot)
        assert numbers(app) == [i.number for i in app.store.list_view("blocked", sort=("agent", False), limit=200)]
        await pilot.click(ListHeader, offset=(x + 1, 0))
        await wait_for(pilot, lambda: app.snapshot.query.sort == ("agent", True), what="reversed by agent")
        assert "agent▼" in static_text(head)


async def test_double_click_opens_the_detail(small_db):
    app = make(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        second = issue_list(app).rows[1]
        await pilot.click("#issues", offset=(10, 1))
        await pilot.pause()
        assert issue_list(app).current.id == second.id and app.screen.maximized is None
        await pilot.click("#issues", offset=(10, 1), times=2)
        await wait_for(pilot, lambda: app.screen.maximized is not None, what="the full-screen detail")
        assert app.screen.maximized.id == "detail"


async def test_search_language_and_highlight(small_db):
    with Store.open(small_db) as s:
        blocked = s.list_view("blocked", limit=1)[0]
        s.update_issue(blocked.id, description="the quokka migration is waiting")
    app = make(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await show(pilot, "A", "all")
        await pilot.press("slash")
        for ch in "quokka is:blocked":
            await pilot.press(ch if ch != " " else "space")
        await wait_for(pilot, lambda: app.snapshot.query.search == "quokka is:blocked", what="the search")
        await settle(pilot)
        assert numbers(app) == [blocked.number]  # matched in the description, not the title
        await pilot.press("escape")
        await settle(pilot)
        # a title word is highlighted in the row; `-word` excludes; `#N` finds one issue
        word = issue_list(app).rows[0].title.split()[0]
        app.query_one("#filter").value = f"{word} -zzz"
        await wait_for(pilot, lambda: app.snapshot.query.search == f"{word} -zzz", what="the search")
        await settle(pilot)
        lst = issue_list(app)
        assert lst.highlight == (word,)
        segments = lst._row_segments(lst.rows[0], lst.size.width)
        match = lst._style("issue-list--match", True)
        assert any(seg.text.lower() == word.lower() and seg.style == match for seg in segments), segments
        app.query_one("#filter").value = "#3"
        await wait_for(pilot, lambda: app.snapshot.query.search == "#3", what="#3")
        await settle(pilot)
        assert numbers(app) == [3]
        app.query_one("#filter").value = "nosuch:thing"
        await wait_for(pilot, lambda: app.snapshot.query.search == "nosuch:thing", what="the search")
        await settle(pilot)
        assert "nosuch: is not a filter" in static_text(app.query_one(ViewTabs))


async def test_is_mine_uses_the_configured_runs(small_db):
    app = make(small_db, my_runs=("run-4",))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await show(pilot, "A", "all")
        app.query_one("#filter").value = "is:mine"
        await wait_for(pilot, lambda: app.snapshot.query.search == "is:mine", what="is:mine")
        await settle(pilot)
        rows = issue_list(app).rows
        assert rows and all(i.claimed_by == "run-4" for i in rows)
        assert len(rows) == len([i for i in app.store.list_view("in_progress", limit=200) if i.claimed_by == "run-4"])


async def test_saved_views_are_tabs_with_live_counts_and_palette_saves(small_db, tmp_path):
    app = app_with_config(small_db, '[[views]]\nname = "Urgent bugs"\nfilter = "pri:urgent type:bug"\n'
                                    'sort = "-number"\ncolumns = ["number", "status", "title"]\n', tmp_path)
    cfg_file = tmp_path / "config.toml"
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        with Store.open(small_db) as s:
            want = [i.number for i in s.list_view("all", search="pri:urgent type:bug", sort=("number", True), limit=200)]
        assert want
        assert f"Urgent bugs {len(want)}" in static_text(app.query_one(ViewTabs))
        await pilot.press("right_square_bracket")  # ready -> in progress
        for _ in range(5):  # … -> all -> the saved view
            await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: app.snapshot.query.tab == "saved:Urgent bugs", what="the saved view")
        await settle(pilot)
        assert numbers(app) == want
        assert header(app).split()[:3] == ["#▼", "status", "title"]
        # live: another writer files one more urgent bug; the tab's count follows
        with Store.open(small_db) as s:
            s.create_issue("urgent bug from an agent", priority="urgent", issue_type="bug")
        await pilot.press("r")
        await wait_for(pilot, lambda: f"Urgent bugs {len(want) + 1}" in static_text(app.query_one(ViewTabs)),
                       what="the count to follow")
        # the palette saves the current filter + sort as a new view (config appended, new tab)
        await pilot.press("A")
        await settle(pilot)
        app.query_one("#filter").value = "is:blocked"
        await wait_for(pilot, lambda: app.snapshot.query.search == "is:blocked", what="the search")
        app.apply_sort("agent")
        await settle(pilot)
        app.save_current_view()
        await pilot.pause()
        for ch in "Blocked by agent":
            await pilot.press(ch if ch != " " else "space")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.snapshot.query.tab == "saved:Blocked by agent", what="the new tab")
    reread = load_config(cfg_file)
    assert not reread.problems
    saved = {v.name: v for v in reread.views}
    assert saved["Blocked by agent"].filter == "is:blocked" and saved["Blocked by agent"].sort == ("agent", False)
    assert saved["Blocked by agent"].view == "all" and saved["Urgent bugs"].sort == ("number", True)


async def test_pulse_strip_and_spend_bars_update_live(small_db):
    app = make(small_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        strip = app.query_one(PulseStrip)
        text = static_text(strip)
        assert "done/h 24h" in text and f"ready {app.snapshot.counts.ready}" in text
        before = app.snapshot.completions
        with Store.open(small_db) as s:
            for issue in s.list_view("ready", limit=3):
                s.complete_issue(issue.id)
        await pilot.press("r")
        await wait_for(pilot, lambda: len(app.snapshot.completions) == len(before) + 3, what="3 more completions")
        await pilot.pause()
        text = static_text(strip)
        assert f"ready {app.snapshot.counts.ready}" in text and "drains in ~" in text
        assert text.split("done/h 24h ")[1][23] == "█"  # this hour is the busiest
        sessions = static_text(app.query_one(SessionsPane))
        assert "▰" in sessions and "%" in sessions


def test_saved_view_toml_round_trip(tmp_path):
    from tui.saved_views import append_to_config
    layout = parse_columns(["number", "title"], [], "t")
    path = tmp_path / "c.toml"
    path.write_text('theme = "textual-light"')  # no trailing newline
    append_to_config(path, SavedView('we "quote" \\ and ☃', 'agent:"a b" -x', "ready", ("created", True), layout,
                                     ("number", "title")))
    cfg = load_config(path)
    assert not cfg.problems and cfg.theme == "textual-light"
    v = cfg.views[0]
    assert (v.name, v.filter, v.view, v.sort) == ('we "quote" \\ and ☃', 'agent:"a b" -x', "ready", ("created", True))


async def test_a_saved_view_name_is_drawn_literally_in_the_list_title(small_db, tmp_path):
    app = app_with_config(small_db, '[[views]]\nname = "[bold red]x[/] views"\nfilter = "pri:urgent"\n', tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.set_view("saved:[bold red]x[/] views")
        await wait_for(pilot, lambda: app.snapshot.query.tab == "saved:[bold red]x[/] views", what="the saved view")
        await settle(pilot)
        assert "─ [bold red]x[/] views ─" in screen_lines(app)[3]  # the list box's top border
