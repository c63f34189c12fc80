"""The PostgreSQL change feed: NOTIFY + change numbers, read after every notification, every reconnect and a
slow poll. Nothing is missed (killed listener, out-of-order commits, lost notifications); a rolled-back
write sends nothing."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from pg_server import wait_until
from store import open_store
from store.postgres.changes import ChangeListener, read_changes


class Seen:
    def __init__(self):
        self.lock = threading.Lock()
        self.batches = []
        self.states = []

    def __call__(self, changes):
        with self.lock:
            self.batches.append(changes)

    def state(self, text):
        self.states.append(text)

    def issues(self) -> set[str]:
        with self.lock:
            return {i for b in self.batches for i in b.issues}

    def deleted(self) -> set[str]:
        with self.lock:
            return {i for b in self.batches for i in b.deleted}


@pytest.fixture
def pg(pg_url):
    s = open_store(pg_url, actor="tester")
    yield s
    s.close()


@pytest.fixture
def listen(pg_url):
    made = []

    def start(**kw):
        seen = Seen()
        listener = ChangeListener(pg_url, seen, on_state=seen.state, **kw).start()
        assert wait_until(lambda: listener.cursor is not None, 10)
        made.append(listener)
        return listener, seen

    yield start
    for listener in made:
        listener.stop()


def test_a_write_is_seen_at_once(pg, listen):
    listener, seen = listen(poll_seconds=60)
    t0 = time.monotonic()
    a = pg.create_issue("a")
    assert wait_until(lambda: a.id in seen.issues(), 5)
    assert time.monotonic() - t0 < 2 and listener.notifications >= 1
    pg.delete_issue(a.id)
    assert wait_until(lambda: a.id in seen.deleted(), 5)
    p = pg.create_project("p", "/p")
    assert wait_until(lambda: any(b.projects for b in seen.batches), 5)
    pg.create_session(p.id, "go", "m")
    assert wait_until(lambda: any(b.sessions for b in seen.batches), 5)


def test_rolled_back_write_sends_nothing(pg, pg_url, listen):
    a = pg.create_issue("a")
    listener, seen = listen(poll_seconds=0.3)
    probe = psycopg.connect(pg_url, autocommit=True)
    probe.execute("LISTEN issues_tui")
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE issues SET title = 'never' WHERE id = %s", (a.id,))
        conn.rollback()
    time.sleep(1.0)  # several polls' worth
    assert list(probe.notifies(timeout=0.2)) == []  # no NOTIFY reached anyone
    assert seen.batches == [] and listener.notifications == 0
    assert pg.get_issue_by_id(a.id).title == "a"
    probe.close()


def test_killed_listener_reconnects_and_misses_nothing(pg, pg_url, listen):
    listener, seen = listen(poll_seconds=60)
    written: list[str] = []
    stop = threading.Event()

    def writer():
        with open_store(pg_url) as w:
            while not stop.is_set() and len(written) < 150:
                written.append(w.create_issue(f"t{len(written)}").id)
                time.sleep(0.005)

    t = threading.Thread(target=writer)
    t.start()
    with psycopg.connect(pg_url, autocommit=True) as admin:
        for _ in range(4):
            time.sleep(0.15)
            killed = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE application_name = 'issues-tui listener'").fetchall()
            assert killed and all(r[0] for r in killed)
    t.join(30)
    stop.set()
    assert len(written) == 150
    assert wait_until(lambda: set(written) <= seen.issues(), 15), len(set(written) - seen.issues())
    assert listener.connects >= 3  # it really was cut off, and came back each time
    assert any(s and "reconnecting" in s for s in seen.states) and seen.states[-1] is None


def test_out_of_order_commit_is_not_missed(pg, pg_url):
    a = pg.create_issue("a")
    b = pg.create_issue("b")
    reader = psycopg.connect(pg_url, autocommit=True)
    cursor = read_changes(reader, None).cursor
    slow = psycopg.connect(pg_url)
    slow.execute("UPDATE issues SET title = 'slow' WHERE id = %s", (a.id,))  # takes the lower number, stays open
    pg.update_issue(b.id, title="fast")  # higher number, commits first
    first = read_changes(reader, cursor)
    assert first.issues == [b.id]
    slow.commit()
    second = read_changes(reader, first.cursor)
    assert second.issues == [a.id]  # a cursor on "highest number seen" alone would have skipped it
    assert not read_changes(reader, second.cursor)
    slow.close()
    reader.close()


def test_lost_notifications_are_caught_by_the_poll(pg, pg_url, listen):
    listener, seen = listen(poll_seconds=0.3)
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("ALTER TABLE issues DISABLE TRIGGER tui_notify")  # as if every NOTIFY were lost
    a = pg.create_issue("silent")
    assert wait_until(lambda: a.id in seen.issues(), 5)
    assert listener.notifications == 0


def test_server_restart_loses_nothing(pg_server, pg_url, listen):
    listener, seen = listen(poll_seconds=60)
    with open_store(pg_url) as w:
        before = w.create_issue("before")
        assert wait_until(lambda: before.id in seen.issues(), 5)
        pg_server.restart()
        for _ in range(50):  # the store reconnects on its own too
            try:
                after = w.create_issue("after")
                break
            except Exception:
                time.sleep(0.1)
    assert wait_until(lambda: after.id in seen.issues(), 15)
    assert listener.connects >= 2
