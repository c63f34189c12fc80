"""Demo mode (tui/demo.py): the demo DB, the in-process autopilot, and the autopilot as a separate process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import store as store_pkg
from store import BusyError, SessionStatus, Status, Store, timestamps
from tui import demo


def _events(path: Path, event_type: str, since: str | None = None) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        sql = "SELECT issue_id, actor, old_value, new_value, created_at FROM issue_events WHERE event_type = ?"
        params: list = [event_type]
        if since is not None:
            sql += " AND julianday(created_at) >= julianday(?)"
            params.append(since)
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:  # a zombie nobody reaps still answers kill(0)
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


@pytest.fixture
def demo_db(tmp_path) -> Path:
    return demo.demo_setup(tmp_path, seed=7)


# -- make_demo_db ----------------------------------------------------------------------------------

def test_demo_setup_makes_a_fresh_folder(tmp_path):
    db = demo.demo_setup(tmp_path, seed=1)
    assert db.name == "autopilot.db" and db.exists()
    assert db.parent.parent == tmp_path and db.parent.name.startswith("issues-tui-demo-")
    assert demo.demo_setup(tmp_path, seed=1) != db  # a new folder every time


def test_demo_db_contents(demo_db):
    expected = demo.expected_demo_counts()
    with Store.open(demo_db, create=False) as s:
        assert s.schema_version == 5
        projects = s.list_projects()
        assert {p.name for p in projects} >= {"openagents"} and 3 <= len(projects) <= 4
        oa = s.get_project_by_name("openagents")
        assert (oa.path, oa.default_model, oa.default_budget) == ("~/code/openagents", "sonnet", 10.0)

        c = s.counts()
        assert 55 <= c.total <= 65
        assert c.done == expected["done"] >= 15
        assert c.blocked == expected["blocked"] >= 3
        assert c.in_progress == expected["progress"] + expected["stale"] >= 3
        assert c.ready == expected["open"] >= 15
        assert c.stale == 1

        issues = s.list_issues()
        assert {i.agent for i in issues} == {"claude", "codex"}
        assert {str(i.priority) for i in issues} == {"urgent", "high", "medium", "low"}
        assert {str(i.issue_type) for i in issues} == {"bug", "feature", "task"}
        blocked = [i for i in issues if i.is_blocked]
        assert all(i.status == Status.OPEN and i.blocked_reason == demo.SEED_BLOCK_REASONS[i.title] for i in blocked)
        assert all(i.completed_at for i in issues if i.status == Status.DONE)
        # Markdown descriptions: headings, lists, code spans, several paragraphs.
        for i in issues:
            assert i.description.startswith("## Summary") and "\n- " in i.description and "`" in i.description
            assert i.description.count("\n\n") >= 3
        hostile = [i for i in issues if "[bold]" in i.title or "[/" in i.title]
        assert 1 <= len(hostile) <= 2
        # Nothing is dated in the future; history is spread over days.
        now = time.time_ns()
        stamps = [timestamps.parse_ns(i.created_at) for i in issues] + [timestamps.parse_ns(i.updated_at) for i in issues]
        assert max(stamps) <= now and now - min(stamps) > 3 * 24 * 3600 * 10**9

        # The stale claim: in progress, claimed ~25 minutes ago.
        stale = s.stale_claims()
        assert len(stale) == 1
        age_min = (now - timestamps.parse_ns(stale[0].claimed_at)) / 60e9
        assert 24 <= age_min <= 30 and stale[0].claimed_by.startswith("run-")

        sessions = s.list_sessions()
        running = [x for x in sessions if x.status == SessionStatus.RUNNING]
        assert len(running) == 1 and running[0].pid and _pid_gone(running[0].pid)
        ended = [x for x in sessions if x.status != SessionStatus.RUNNING]
        assert len(ended) >= 5 and all(x.ended_at for x in ended)
        assert any(x.status == SessionStatus.COMPLETED and x.issues_completed > 0 and x.budget_spent > 0 for x in ended)
        assert sum(x.issues_completed for x in sessions) == c.done
        assert all(x.trajectory_path for x in sessions if x.status in (SessionStatus.COMPLETED, SessionStatus.FAILED))

    # History went through the store: every done issue has claimed + completed events.
    assert len(_events(demo_db, "completed")) == expected["done"]
    assert len(_events(demo_db, "claimed")) == expected["done"] + expected["blocked"] + expected["progress"] + 1


def test_make_demo_db_is_deterministic_per_seed_and_refuses_existing(tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    demo.make_demo_db(a, seed=3)
    demo.make_demo_db(b, seed=3)
    with Store.open(a, create=False) as sa, Store.open(b, create=False) as sb:
        assert [(i.title, i.description, i.status) for i in sa.list_issues()] == \
               [(i.title, i.description, i.status) for i in sb.list_issues()]
    size = a.stat().st_size
    with pytest.raises(FileExistsError):
        demo.make_demo_db(a)
    assert a.stat().st_size == size


def test_cli_make(tmp_path):
    db = tmp_path / "cli.db"
    run = lambda: subprocess.run([sys.executable, "-m", "tui.demo", "make", str(db)], capture_output=True, text=True,
                                 timeout=60)
    first = run()
    assert first.returncode == 0, first.stderr
    with Store.open(db, create=False) as s:
        assert s.counts().total == len(demo.ISSUES)
    second = run()
    assert second.returncode == 1 and "already exists" in second.stderr


# -- run_autopilot in-process ----------------------------------------------------------------------

def test_run_autopilot_works_the_queue(demo_db):
    start = timestamps.now()
    with Store.open(demo_db, create=False) as s:
        stale_before = [i.id for i in s.stale_claims()]
    errors = demo.run_autopilot(demo_db, agents=2, speed=10, duration=4, seed=11)
    assert isinstance(errors, list)

    claimed = _events(demo_db, "claimed", since=start)
    completed = _events(demo_db, "completed", since=start)
    assert len(claimed) >= 2 and len(completed) >= 2
    assert {e[1] for e in completed} <= {e[3] for e in claimed}  # completed by the run that claimed it
    assert all(e[3].startswith("run-") for e in claimed)
    assert len({e[3] for e in claimed}) == len(claimed)  # run ids are never reused
    old_runs = {e[3] for e in _events(demo_db, "claimed") if e[4] < start}
    assert not old_runs & {e[3] for e in claimed}

    with Store.open(demo_db, create=False) as s:
        mine = [x for x in s.list_sessions() if x.pid == os.getpid()]
        assert mine, "the simulated agents start sessions with their own pid"
        assert sum(x.issues_completed for x in mine) >= 2 and sum(x.budget_spent for x in mine) > 0
        assert {x.model for x in mine} <= {"sonnet", "opus", "haiku", "gpt-5-codex"}
        # On stop nothing is left behind: no running session, no claim held by this run.
        assert all(x.status != SessionStatus.RUNNING and x.ended_at for x in mine)
        ours = {e[3] for e in claimed}
        assert not [i for i in s.list_view("in_progress") if i.claimed_by in ours]
        # The dead session's stale claim is for the dashboard to release, not the autopilot.
        assert [i.id for i in s.stale_claims()] == stale_before


def test_run_autopilot_refills_a_dry_queue(tmp_path):
    db = tmp_path / "empty.db"
    Store.open(db).close()  # a valid, empty issues DB: no projects, no issues
    stop = threading.Event()
    t = threading.Thread(target=demo.run_autopilot, args=(db,), kwargs={"agents": 1, "speed": 10, "stop_event": stop})
    t.start()
    try:
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not _events(db, "completed"):
            time.sleep(0.1)
    finally:
        stop.set()
        t.join(10)
    assert not t.is_alive()
    assert _events(db, "created") and _events(db, "completed")
    with Store.open(db, create=False) as s:
        assert [p.name for p in s.list_projects()] == ["openagents"]


def test_run_autopilot_rides_out_busy_errors(demo_db, monkeypatch):
    real_complete = store_pkg.Store.complete_issue
    calls = {"n": 0}

    def flaky_complete(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] % 2 == 1:
            raise BusyError(f"{self.path} is locked by another process")
        return real_complete(self, *args, **kwargs)

    monkeypatch.setattr(store_pkg.Store, "complete_issue", flaky_complete)
    start = timestamps.now()
    errors = demo.run_autopilot(demo_db, agents=2, speed=10, duration=3, seed=5)
    assert any(isinstance(e, BusyError) for e in errors)
    assert calls["n"] >= 2
    assert _events(demo_db, "claimed", since=start)  # it kept going after the errors


# -- spawn_autopilot / stop_autopilot ----------------------------------------------------------------

def test_spawn_and_stop_autopilot(demo_db):
    before = {e[3] for e in _events(demo_db, "claimed")}
    proc = demo.spawn_autopilot(demo_db, agents=2, speed=10)
    try:
        deadline = time.monotonic() + 15
        new = set()
        while time.monotonic() < deadline and not new:
            assert proc.poll() is None, "the autopilot process died"
            new = {e[3] for e in _events(demo_db, "claimed")} - before
            time.sleep(0.1)
        assert new, "the autopilot process wrote no claim within 15 s"
        assert os.getpgid(proc.pid) == proc.pid  # its own process group
    finally:
        rc = demo.stop_autopilot(proc)
    assert rc is not None and proc.poll() is not None
    assert rc == 0  # SIGTERM is handled: it cleaned up and exited by itself
    with Store.open(demo_db, create=False) as s:
        theirs = [x for x in s.list_sessions() if x.pid == proc.pid]
        assert theirs and all(x.status != SessionStatus.RUNNING for x in theirs)
    assert demo.stop_autopilot(proc) == rc  # idempotent
    assert demo.stop_autopilot(None) is None


def test_autopilot_exits_when_its_parent_dies(demo_db):
    # An intermediate process spawns the autopilot and exits at once: the orphan must notice and stop.
    code = ("import sys, time; from tui import demo; "
            "p = demo.spawn_autopilot(sys.argv[1], agents=1, speed=10); print(p.pid, flush=True); time.sleep(1.5)")
    out = subprocess.run([sys.executable, "-c", code, str(demo_db)], capture_output=True, text=True, timeout=30,
                         cwd=str(Path(demo.__file__).resolve().parent.parent))
    assert out.returncode == 0, out.stderr
    pid = int(out.stdout.split()[0])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _pid_gone(pid):
            time.sleep(0.1)
        assert _pid_gone(pid), "orphaned autopilot kept running"
        with Store.open(demo_db, create=False) as s:  # it did run, and cleaned up when it noticed
            theirs = [x for x in s.list_sessions() if x.pid == pid]
            assert theirs and all(x.status != SessionStatus.RUNNING for x in theirs)
    finally:
        if not _pid_gone(pid):
            os.kill(pid, 9)


def test_demo_removes_its_temp_folder_on_quit(tmp_path, monkeypatch):
    """`issues-tui --demo`: the temp folder (DB, -wal, -shm) exists while the dashboard runs and is gone after quit,
    and the simulated autopilot is stopped."""
    import tempfile

    from tui import app as app_module

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    seen = {}
    real_spawn = demo.spawn_autopilot

    def spawn(path, *a, **kw):
        seen["proc"] = real_spawn(path, *a, **kw)
        return seen["proc"]

    def run(self, *a, **kw):  # stands in for the terminal session: the demo DB is there and in use
        seen["path"] = self.db_path
        seen["during"] = sorted(p.name for p in self.db_path.parent.iterdir())

    monkeypatch.setattr(demo, "spawn_autopilot", spawn)
    monkeypatch.setattr(app_module.IssuesApp, "run", run)
    assert app_module.run_dashboard(demo=True) == 0
    assert seen["path"].parent.parent == tmp_path and "autopilot.db" in seen["during"]
    assert not seen["path"].parent.exists()
    assert seen["proc"].poll() is not None
    assert list(tmp_path.iterdir()) == [tmp_path / "no-config"] or list(tmp_path.iterdir()) == []


def test_demo_cleanup_only_removes_demo_folders(tmp_path):
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "autopilot.db").write_text("x")
    demo.demo_cleanup(keep / "autopilot.db")
    assert (keep / "autopilot.db").exists()
