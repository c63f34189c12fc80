"""Many repos in one dashboard: three files (v11, v6, v5) shown in the same views, each row naming its repo;
triage, forms and undo act on the row's own file only; each file refreshes live on its own; a file deleted
under the app shows as such while the others keep working; the ready view merges in the crate's order."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from later_schema import insert_issue, make_repo, populate
from tui.app import IssuesApp
from tui.config import Config
from tui.multi import split_id
from tui.sources import specs
from tui.widgets.list_header import ListHeader
from tui.widgets.ready_queue import IssueList
from tui.widgets.repos import ReposPane

from tuitest_helpers import list_lines, settle, started, static_text, wait_for

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPOS = (("api", 11), ("web", 6), ("cli", 5))


def make_repos(root: Path) -> list[Path]:
    """Three repos, each `<repo>/.openagents/autopilot.db`: copies of the crate's small fixture (so the
    same issue ids live in all three files) at schema v11, v6 and v5."""
    paths = [make_repo(root, name, version) for name, version in REPOS]
    populate(paths[0], auto={2, 4})
    return paths


def dump(path: Path) -> dict:
    conn = sqlite3.connect(str(path))
    try:
        return {"issues": sorted(conn.execute("SELECT * FROM issues").fetchall(), key=repr),
                "events": conn.execute("SELECT count(*) FROM issue_events").fetchone()[0]}
    finally:
        conn.close()


def app_for(root: Path, **kw) -> IssuesApp:
    return IssuesApp(root / "api", sources=specs([root / n for n, _ in REPOS]), config=Config(poll_seconds=0.5),
                     actor="tui:tester", **kw)


def crate_ready_order(path: Path) -> list[tuple]:
    """The crate's ready order of one file (priority rank, created_at; number breaks ties), as plain SQL."""
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(
            "SELECT CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'low' THEN 3 ELSE 2 END, "
            "created_at, number FROM issues WHERE status = 'open' AND is_blocked = 0 "
            "AND (claimed_by IS NULL OR claimed_by = '') ORDER BY 1, 2, 3").fetchall()
    finally:
        conn.close()


async def all_loaded(pilot) -> None:
    """The first screen is up with every repo's rows in it."""
    await started(pilot)
    await wait_for(pilot, lambda: len(pilot.app.source.parts) == len(REPOS), what="all three repos loaded")
    await settle(pilot)


def repo_rows(app) -> list[tuple[str, int]]:
    issues = app.query_one(IssueList)
    return [(i.extra['__repo'], i.number) for i in issues.rows]


async def test_three_repos_in_one_ready_view_in_the_crates_order(tmp_path):
    paths = make_repos(tmp_path)
    app = app_for(tmp_path)
    async with app.run_test(size=(150, 45)) as pilot:
        await all_loaded(pilot)
        rows = repo_rows(app)
        per_repo = [crate_ready_order(p) for p in paths]
        assert len(rows) == sum(len(r) for r in per_repo) == app.snapshot.total
        # merged: by (priority rank, created_at, number), ties between files in the order they were given
        expected = sorted(((key, i) for i, keys in enumerate(per_repo) for key in keys))
        assert rows == [(REPOS[i][0], key[2]) for key, i in expected]
        # every row names its repo on screen, and the header has the column
        lines = list_lines(app.query_one(IssueList))
        assert lines[0].split()[1] == "api" and lines[1].split()[1] == "web" and lines[2].split()[1] == "cli"
        assert list_lines(app.query_one(ListHeader))[0].split()[:2] == ["#", "repo"]
        # counts are summed, and kept per repo
        assert app.snapshot.counts.total == 3 * 29
        repos = app.source.repos()
        assert [(r.name, r.counts.total, r.version) for r in repos] == [("api", 29, 11), ("web", 29, 6), ("cli", 29, 5)]
        assert app.snapshot.counts.auto == 2  # only the v11 file has auto-created issues
        # projects and sessions of every file
        assert len(app.snapshot.projects) == 3 * 3
        assert len({p.project.id for p in app.snapshot.projects}) == 9


async def test_triage_on_one_repos_row_changes_only_that_file(tmp_path):
    paths = make_repos(tmp_path)
    before = [dump(p) for p in paths]
    app = app_for(tmp_path)
    async with app.run_test(size=(150, 45)) as pilot:
        await all_loaded(pilot)
        issues = app.query_one(IssueList)
        # the second row is web's copy of the top issue (same id in all three files)
        issues.move_to(1)
        await pilot.pause()
        target = issues.current
        assert target.extra['__repo'] == "web"
        real_id = split_id(target.id)[1]
        await pilot.press("4")  # priority low
        await wait_for(pilot, lambda: app.writes_done >= 1, what="the write")
        await settle(pilot)
        after = [dump(p) for p in paths]
        assert after[0] == before[0] and after[2] == before[2]  # api and cli untouched
        conn = sqlite3.connect(str(paths[1]))
        assert conn.execute("SELECT priority FROM issues WHERE id = ?", (real_id,)).fetchone() == ("low",)
        conn.close()
        # the detail shows the row's own history, read from its own file
        await wait_for(pilot, lambda: "priority" in static_text(app.query_one("#detail-history")),
                       what="the write in the row's history")
        for p in (paths[0], paths[2]):
            conn = sqlite3.connect(str(p))
            assert conn.execute("SELECT priority FROM issues WHERE id = ?", (real_id,)).fetchone() != ("low",)
            conn.close()
        # undo puts web's row back, and still touches nothing else
        await pilot.press("z")
        await wait_for(pilot, lambda: app.writes_done >= 2, what="the undo")
        await settle(pilot)
        def values(rows):  # undo restores the values; updated_at moves on, as for any write
            return [r[:12] + r[13:] for r in rows]
        assert values(dump(paths[1])["issues"]) == values(before[1]["issues"])
        assert dump(paths[0]) == before[0] and dump(paths[2]) == before[2]
        # a new issue goes to the selected row's repo (cli here)
        await wait_for(pilot, lambda: repo_rows(app)[:3] == [("api", 10), ("web", 10), ("cli", 10)],
                       what="web's #10 back in its place")
        issues.move_to(2)
        await pilot.pause()
        assert issues.current.extra['__repo'] == "cli"
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"filed in cli")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.writes_done >= 3, what="the create")
        await settle(pilot)
        # the new issue is selected where it sits in the merged view
        await wait_for(pilot, lambda: issues.current is not None and issues.current.title == "filed in cli",
                       what="the new issue selected")
        assert issues.current.extra["__repo"] == "cli"
    titles = [[r[2] for r in dump(p)["issues"]] for p in paths]
    assert "filed in cli" in titles[2] and "filed in cli" not in titles[0] + titles[1]


async def test_each_file_refreshes_live_on_its_own(tmp_path):
    paths = make_repos(tmp_path)
    app = app_for(tmp_path)
    async with app.run_test(size=(150, 45)) as pilot:
        await all_loaded(pilot)
        for n, (path, (name, _)) in enumerate(zip(paths, REPOS)):
            title = f"urgent from another writer in {name}"
            insert_issue(path, 500 + n, title, priority="urgent", created_at="2020-01-01T00:00:00+00:00",
                         agent="codex")
            await wait_for(pilot, lambda: any(i.title == title for i in app.query_one(IssueList).rows),
                           what=f"{name}'s new row")
            row = next(i for i in app.query_one(IssueList).rows if i.title == title)
            assert row.extra['__repo'] == name
        # the three new urgent rows (oldest created_at) head the merged queue, in repo order
        assert repo_rows(app)[:3] == [("api", 500), ("web", 501), ("cli", 502)]


async def test_a_deleted_file_shows_as_such_while_the_others_keep_working(tmp_path):
    paths = make_repos(tmp_path)
    app = app_for(tmp_path)
    async with app.run_test(size=(150, 45)) as pilot:
        await all_loaded(pilot)
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(f"{paths[1]}{suffix}")
            except FileNotFoundError:
                pass
        await wait_for(pilot, lambda: app.source.repos()[1].problem is not None, what="web's problem")
        assert "deleted" in app.source.repos()[1].problem
        pane = app.query_one(ReposPane)
        await wait_for(pilot, lambda: any("⚠" in str(pane.get_option_at_index(i).prompt)
                                          for i in range(pane.option_count)), what="the Repos pane's warning")
        assert "web: " in str(app.query_one("#status").content)
        # the others keep working: a commit to cli still shows
        insert_issue(paths[2], 777, "cli still live", priority="urgent", created_at="2020-01-01T00:00:00+00:00")
        await wait_for(pilot, lambda: any(i.title == "cli still live" for i in app.query_one(IssueList).rows),
                       what="cli's new row")
        # a write to a row of the deleted file is refused, never made into the unlinked file
        issues = app.query_one(IssueList)
        web_row = next(n for n, i in enumerate(issues.rows) if i.extra['__repo'] == "web")
        issues.move_to(issues.window_offset + web_row)
        await pilot.pause()
        writes = app.writes_done
        await pilot.press("4")
        await wait_for(pilot, lambda: app.writes_done > writes, what="the refused write")
        assert not paths[1].exists()


async def test_one_source_looks_as_before(tmp_path):
    """With a single file there is no repo column and no Repos pane (the dashboard looks as it did)."""
    paths = make_repos(tmp_path)
    app = IssuesApp(paths[2], sources=specs([paths[2]]), config=Config(), actor="tui:tester")
    async with app.run_test(size=(150, 45)) as pilot:
        await started(pilot)
        assert app.multi is None
        assert all(c.id != "repo" for c, _ in app.query_one(IssueList).columns.columns)
        assert not app.query_one(ReposPane).display or not app.screen.has_class("-repos")
        assert "repo" not in list_lines(app.query_one(ListHeader))[0]


async def test_repo_filter_from_the_pane_and_the_search_language(tmp_path):
    make_repos(tmp_path)
    app = app_for(tmp_path)
    async with app.run_test(size=(150, 45)) as pilot:
        await all_loaded(pilot)
        pane = app.query_one(ReposPane)
        pane.focus()
        pane.highlighted = 2  # web
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query_state.repo == "web" and repo_rows(app)
                       and {r for r, _ in repo_rows(app)} == {"web"}, what="only web's rows")
        assert app.snapshot.total == 14
        pane.highlighted = 0  # all repos
        await pilot.press("enter")
        await wait_for(pilot, lambda: {r for r, _ in repo_rows(app)} == {"api", "web", "cli"}, what="every repo")
        # typed: `repo:cli` keeps cli, `-repo:api` drops api
        app.request_load(search="repo:cli", offset=0)
        await wait_for(pilot, lambda: repo_rows(app) and {r for r, _ in repo_rows(app)} == {"cli"}, what="repo:cli")
        app.request_load(search="-repo:api", offset=0)
        await wait_for(pilot, lambda: repo_rows(app) and {r for r, _ in repo_rows(app)} == {"web", "cli"},
                       what="-repo:api")
        assert not app.snapshot.search_problems
