"""The file changes under the running app (watch=True): deleted, replaced, vacuumed/checkpointed, and locked
by another process for longer than the 5 s busy timeout. Deadlines are generous; nothing asserts a duration.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest

from store import Store
from tui.widgets.ready_queue import IssueList

from .trust_helpers import dashboard, settled, until, FIXTURES, ROOT, copy_fixture

SIZE = (160, 40)






def numbers(app) -> list[int]:
    return [i.number for i in app.query_one(IssueList).rows]


def ready_in_file(path) -> list[int]:
    with Store.open(path, read_only=True, create=False) as s:
        return [i.number for i in s.list_view("ready")]


def integrity(path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


async def test_deleted_while_open_keeps_rows_and_recovers(tmp_path):
    db = copy_fixture(tmp_path, as_name="live.db")
    async with dashboard(db, size=SIZE, watch=True, notifications=False) as (app, pilot):
        before = numbers(app)
        assert before
        os.remove(db)
        await until(pilot, lambda: app.problem is not None, what="the deletion to be noticed")
        assert "deleted" in app.problem
        assert numbers(app) == before, "the last rows stay visible"
        await pilot.press("j")  # still usable
        assert app.query_one(IssueList).cursor == 1
        shutil.copyfile(FIXTURES / "crate-v5-small.db", db)
        await until(pilot, lambda: app.problem is None, what="recovery after the file came back")
        await settled(pilot)
        assert numbers(app) == ready_in_file(db)
    assert integrity(db) == "ok"


async def test_replaced_by_another_db_shows_the_new_data(tmp_path):
    db = copy_fixture(tmp_path, as_name="live.db")
    async with dashboard(db, size=SIZE, watch=True, notifications=False) as (app, pilot):
        old = set(numbers(app))
        other = copy_fixture(tmp_path, "crate-v5-edge.db", as_name="other.db")
        expected = ready_in_file(other)
        os.replace(other, db)
        await until(pilot, lambda: numbers(app) == expected, what="the replacement's rows")
        await settled(pilot)
        assert app.problem is None and set(numbers(app)) != old
        assert app.snapshot.counts.total == 6
    assert integrity(db) == "ok"


async def test_vacuum_and_checkpoint_truncate_by_another_connection(tmp_path):
    db = copy_fixture(tmp_path, as_name="live.db")
    async with dashboard(db, size=SIZE, watch=True, notifications=False) as (app, pilot):
        want = ready_in_file(db)
        assert numbers(app) == want
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("PRAGMA busy_timeout = 5000")
        other.execute("UPDATE issues SET title = 'after vacuum ' || number WHERE number = ?", (want[0],))
        other.execute("VACUUM")
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        await until(pilot, lambda: app.query_one(IssueList).rows[0].title == f"after vacuum {want[0]}",
                     what="the change made before VACUUM")
        other.execute("DELETE FROM issues WHERE number = ?", (want[-1],))
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        other.execute("VACUUM")
        other.close()
        await until(pilot, lambda: numbers(app) == want[:-1], what="the delete made before a checkpoint")
        await settled(pilot)
        assert app.problem is None
        assert app.snapshot.counts == app.store.counts()
        writes = app.writes_done
        await pilot.press("4")  # our own write still works after the file was rewritten
        await until(pilot, lambda: app.writes_done > writes, what="our write")
    assert integrity(db) == "ok"
    with Store.open(db, read_only=True, create=False) as s:
        assert s.get_issue_by_number(want[0]).priority == "low"


# -- another process holds the write lock ---------------------------------------------------------------
LOCKER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
conn.execute("UPDATE issues SET title = 'written under the lock' WHERE number = ?", (int(sys.argv[3]),))
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
conn.close()
print("released", flush=True)
"""


async def _locked_for(tmp_path, seconds: float) -> None:
    db = copy_fixture(tmp_path, as_name="live.db")
    async with dashboard(db, size=SIZE, watch=True) as (app, pilot):
        lst = app.query_one(IssueList)
        target = lst.current
        other_number = numbers(app)[-1]
        locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(db), str(seconds), str(other_number)],
                                  stdout=subprocess.PIPE, text=True, cwd=str(ROOT))
        try:
            assert locker.stdout.readline().strip() == "locked"
            t0 = time.monotonic()
            writes = app.writes_done
            assert target.priority == "urgent"
            await pilot.press("4")  # set low: waits out the busy timeout in the writer thread
            # The UI stays responsive the whole time: the cursor moves on every key press.
            moves = 0
            while app.writes_done == writes and time.monotonic() - t0 < seconds + 10:
                before = lst.cursor
                await pilot.press("j" if before == 0 else "k")
                await pilot.pause(0.05)
                assert lst.cursor != before, "a key press did not move the cursor while the file was locked"
                moves += 1
            assert app.writes_done > writes, "the write never finished"
            assert moves >= 10
            await pilot.pause(0.2)
            messages = [n.message for n in app._notifications]
            assert any("busy" in m for m in messages), messages
            # Longer locks: every retry reports busy again, the UI still moves.
            while locker.poll() is None and time.monotonic() - t0 < seconds - 5.5:
                writes = app.writes_done
                await pilot.press("4")
                await until(pilot, lambda: app.writes_done > writes, timeout=10, what="a retry under the lock")
                before = lst.cursor
                await pilot.press("j" if before == 0 else "k")
                assert lst.cursor != before
            assert locker.stdout.readline().strip() == "released"
            assert locker.wait(10) == 0
        finally:
            if locker.poll() is None:
                locker.kill()
                locker.wait()
        # After release: nothing lost, and a retry works.
        lst.select_id(target.id)
        await pilot.pause(0.1)
        writes = app.writes_done
        assert lst.current.id == target.id
        await pilot.press("4")
        await until(pilot, lambda: app.writes_done > writes, what="the retry after release")
    assert integrity(db) == "ok"
    with Store.open(db, read_only=True, create=False) as s:
        assert s.get_issue_by_id(target.id).priority == "low"
        assert s.get_issue_by_number(other_number).title == "written under the lock"
        assert s.counts().total == 29


async def test_locked_longer_than_busy_timeout_stays_responsive(tmp_path):
    await _locked_for(tmp_path, 6.0)


@pytest.mark.slow
async def test_locked_for_30_seconds_stays_responsive(tmp_path):
    await _locked_for(tmp_path, 30.0)
