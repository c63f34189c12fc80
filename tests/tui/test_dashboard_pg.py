"""The dashboard on PostgreSQL (Textual pilot): another process's claims appear on screen via LISTEN/NOTIFY,
and triage keys, undo, forms, the conflict guard and the event history work as on SQLite. Each test checks
the database itself (through its own store connection) and its events."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from store import open_store
from store.transfer import migrate
from tui.config import Config
from tui.screens.confirm import ConfirmScreen
from tui.screens.forms import IssueForm, PromptScreen
from tui.widgets.detail import DetailPane, history_text
from tuitest_helpers import SIZE, issue_list, numbers, settle, started, static_text, wait_for
from triage_helpers import ACTOR, make_app, modal, no_modal, press_write, select, view

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def small_pg(tmp_path, pg_empty_url) -> str:
    src = tmp_path / "small.db"
    src.write_bytes((FIXTURES / "crate-v5-small.db").read_bytes())
    migrate(str(src), pg_empty_url)
    return pg_empty_url


def cli(*argv: str) -> subprocess.CompletedProcess:
    """`issues-tui ...` in another process (as an agent on another machine would run it)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "tui.cli", *argv], capture_output=True, text=True, env=env,
                          cwd=str(ROOT), timeout=60)


def events(url: str, number: int) -> list[tuple]:
    with open_store(url) as st:
        issue = st.get_issue_by_number(number)
        return [(e.actor, e.event_type, e.old_value, e.new_value) for e in st.issue_events(issue.id)]


async def test_another_process_claims_and_the_screen_follows(small_pg, ready_numbers):
    from tui.app import IssuesApp
    app = IssuesApp(small_pg, watch=True, config=Config(poll_seconds=3600.0))  # only LISTEN/NOTIFY can tell it
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert numbers(app) == ready_numbers[:len(numbers(app))]
        status = static_text(app.query_one("#status"), width=300)
        assert "live" in status
        counts0 = app.snapshot.counts
        done = cli("claim", "--run", "other-machine", "--json", "--db", small_pg)
        assert done.returncode == 0, done.stderr
        claimed = ready_numbers[0]
        await wait_for(pilot, lambda: claimed not in numbers(app), timeout=10, what=f"#{claimed} claimed")
        await wait_for(pilot, lambda: app.snapshot.counts.in_progress == counts0.in_progress + 1, timeout=10,
                       what="in-progress count")
        assert cli("complete", str(claimed), "--run", "other-machine", "--db", small_pg).returncode == 0
        await wait_for(pilot, lambda: app.snapshot.counts.done == counts0.done + 1, timeout=10, what="done count")
        assert cli("add", "from another machine", "-p", "urgent", "--db", small_pg).returncode == 0
        await wait_for(pilot, lambda: "from another machine" in [i.title for i in issue_list(app).rows], timeout=10,
                       what="the new issue")
        await settle(pilot)
        assert numbers(app) == [i.number for i in app.store.list_view("ready")][:len(numbers(app))]
        assert app.source.kind == "postgresql" and app.source.listener.notifications >= 3


async def test_block_undo_complete_and_history(small_pg):
    app = make_app(small_pg)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select(pilot, 3)
        await pilot.press("b")
        await modal(pilot, PromptScreen)
        await pilot.press(*"waiting on #2")
        await press_write(pilot, "enter")
        await no_modal(pilot)
        with open_store(small_pg) as st:
            row = st.get_issue_by_number(3)
            assert row.is_blocked and row.blocked_reason == "waiting on #2"
        assert events(small_pg, 3) == [(ACTOR, "blocked", None, "waiting on #2")]
        await press_write(pilot, "z")  # undo
        with open_store(small_pg) as st:
            assert not st.get_issue_by_number(3).is_blocked
        assert [e[1:] for e in events(small_pg, 3)] == [("blocked", None, "waiting on #2"),
                                                        ("restored:is_blocked", "1", "0"),
                                                        ("restored:blocked_reason", "waiting on #2", None)]
        await pilot.press("c")
        screen = await modal(pilot, ConfirmScreen)
        assert screen.focused.id == "no"
        await press_write(pilot, "y")
        with open_store(small_pg) as st:
            done = st.get_issue_by_number(3)
            assert str(done.status) == "done" and done.completed_at
        assert events(small_pg, 3)[-1] == (ACTOR, "completed", "open", "done")
        # the detail pane shows the history read from PostgreSQL
        await view(pilot, "A", "all")
        await select(pilot, 3)
        detail = app.query_one(DetailPane)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.number == 3
                       and [e.event_type for e in detail.events][-1:] == ["completed"], what="history in the detail pane")
        assert [e.event_type for e in detail.events][0] == "blocked"
        assert "completed" in history_text(detail.events).plain


async def test_new_issue_form_writes_to_postgres(small_pg):
    app = make_app(small_pg)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("n")
        await modal(pilot, IssueForm)
        await pilot.press(*"Brand new on pg")
        await press_write(pilot, "enter")
        await no_modal(pilot)
        await wait_for(pilot, lambda: issue_list(app).current is not None
                       and issue_list(app).current.title == "Brand new on pg", what="the new issue selected")
    with open_store(small_pg) as st:
        new = [i for i in st.list_issues() if i.title == "Brand new on pg"]
        assert len(new) == 1 and new[0].number == 31  # the migrated counter continues
        assert [(e.actor, e.event_type) for e in st.issue_events(new[0].id)] == [(ACTOR, "created")]


async def test_conflict_guard_on_postgres(small_pg):
    app = make_app(small_pg)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await view(pilot, "A", "all")
        await select(pilot, 3)
        with open_store(small_pg, actor="agent:other") as other:
            assert other.claim_issue(other.get_issue_by_number(3).id, "run-agent")
        await press_write(pilot, "plus")
        with open_store(small_pg) as st:
            row = st.get_issue_by_number(3)
            assert str(row.priority) == "medium" and row.claimed_by == "run-agent"
        assert [e[:2] for e in events(small_pg, 3)] == [("run-agent", "claimed")]
        assert any("changed" in m and "#3" in m for m, s in app.notes if s == "warning"), app.notes
        assert app.undo_stack == []


def test_dashboard_refuses_a_bad_url_in_one_line(capsys, pg_server):
    from pg_server import PW, PW_USER
    from tui.cli import main
    for target in (f"postgresql://{PW_USER}:{PW}@127.0.0.1:1/x",
                   f"postgresql://{PW_USER}:wrong{PW}@/postgres?host={pg_server.sock}&port={pg_server.port}"):
        rc = main([target])
        out, err = capsys.readouterr()
        assert rc == 2 and out == "" and err.count("\n") == 1 and err.startswith("issues-tui: error: ")
        assert PW not in err


async def test_password_never_on_screen(small_pg):
    from pg_server import PW, PW_USER
    from tui.app import IssuesApp
    from tuitest_helpers import screen_lines
    target = small_pg.replace("postgresql://postgres@", f"postgresql://{PW_USER}:{PW}@")
    app = IssuesApp(target, watch=True, config=Config(poll_seconds=3600.0))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert numbers(app)  # it really is open, through the password
        text = "\n".join(screen_lines(app))
        assert PW not in text and PW not in app.source.label and PW not in app.store.path
        assert app.source.label.startswith(f"postgresql://{PW_USER}@/")


def test_url_from_config_or_env_stays_a_url(pg_url, monkeypatch):
    from tui.paths import check_dashboard_path, dashboard_target
    monkeypatch.delenv("ISSUES_DB", raising=False)
    assert dashboard_target(None, pg_url) == pg_url  # the config's `db` (a Path would fold `//` away)
    monkeypatch.setenv("ISSUES_DB", pg_url)
    assert dashboard_target(None, None) == pg_url
    assert check_dashboard_path(pg_url, create=False, read_only=False) is None
    keyword = pg_url.replace("postgresql://postgres@/", "user=postgres dbname=").replace("?host=", " host=").replace("&port=", " port=")
    assert dashboard_target(keyword, None) == keyword and check_dashboard_path(keyword, False, False) is None


def test_empty_database_needs_create_on_the_dashboard(pg_empty_url):
    from tui.paths import check_dashboard_path
    problem = check_dashboard_path(pg_empty_url, create=False, read_only=False)
    assert problem and "empty database" in problem and "--create" in problem
    assert check_dashboard_path(pg_empty_url, create=True, read_only=False) is None
