"""What only the PostgreSQL backend has: native types, leases by the server's clock, row locks, reconnects,
read-only sessions enforced by the server, text PostgreSQL cannot hold. (The shared API runs on both
backends in the other store test files.)"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from store import BusyError, ReadOnlyError, Status, StoreError, ValidationError, open_store


@pytest.fixture
def pg(pg_url):
    s = open_store(pg_url, actor="tester")
    yield s
    s.close()


def backdate(url: str, number: int, minutes: float) -> None:
    """Server-side: the claim was made `minutes` ago by the server's clock (text follows via the trigger)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE issues SET claimed_at = now() - make_interval(secs => %s) WHERE number = %s",
                     (minutes * 60, number))


def test_native_types_and_v11_columns(pg, pg_url):
    with psycopg.connect(pg_url) as conn:
        types = dict(conn.execute("SELECT column_name, data_type FROM information_schema.columns "
                                  "WHERE table_name = 'issues'").fetchall())
    assert types["claimed_at"] == types["created_at"] == types["updated_at"] == "timestamp with time zone"
    assert types["is_blocked"] == types["auto_created"] == "boolean"
    assert {"directive_id", "project_id", "auto_created"} <= set(types)
    assert pg.schema_version == 11 and pg.info.journal_mode == "postgresql"
    issue = pg.create_issue("typed")
    with psycopg.connect(pg_url) as conn:
        created, text, blocked = conn.execute("SELECT created_at, created_at_text, is_blocked FROM issues").fetchone()
    assert text == issue.created_at and blocked is False
    assert created.isoformat().replace("+00:00", "")[:26] == text.replace("+00:00", "")[:26]


def test_lease_expires_by_server_time(pg, pg_url):
    a = pg.create_issue("a")
    assert pg.claim_next("run-1").id == a.id
    assert pg.claim_next("run-2") is None  # live claim
    backdate(pg_url, a.number, 14)
    assert pg.claim_next("run-2") is None
    assert pg.stale_claims() == []
    backdate(pg_url, a.number, 16)
    assert [i.id for i in pg.stale_claims()] == [a.id]  # in progress, lease gone: stale, released back to open
    assert pg.release_stale_claims() == 1
    got = pg.claim_next("run-2")
    assert got.id == a.id and got.claimed_by == "run-2"


def test_open_row_with_an_old_claim_is_claimable(pg, pg_url):
    a = pg.create_issue("a")
    with psycopg.connect(pg_url, autocommit=True) as conn:  # an open row still carrying a claim (crate files do)
        conn.execute("UPDATE issues SET claimed_by = 'dead', claimed_at = now() - interval '16 minutes'")
    assert pg.ready_queue()[0].id == a.id and pg.counts().ready == 1
    assert pg.claim_issue(a.id, "run-2")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE issues SET status = 'open', claimed_by = 'dead', claimed_at = now() - interval '14 minutes'")
    assert pg.ready_queue() == [] and not pg.claim_issue(a.id, "run-3") and pg.claim_next("run-3") is None


def test_heartbeat_keeps_the_lease(pg, pg_url):
    a = pg.create_issue("a")
    pg.claim_next("run-1")
    backdate(pg_url, a.number, 16)
    assert not pg.heartbeat(a.id, "run-2")  # another run cannot keep it alive
    assert [i.id for i in pg.stale_claims()] == [a.id]
    assert pg.heartbeat(a.id, "run-1")
    assert pg.stale_claims() == [] and pg.release_stale_claims() == 0
    assert pg.get_issue_by_id(a.id).claimed_by == "run-1"
    backdate(pg_url, a.number, 10)
    assert pg.heartbeat(a.id, "run-1") and pg.stale_claims(minutes=5) == []


def test_a_wrong_client_clock_changes_nothing(pg, pg_url, monkeypatch):
    a = pg.create_issue("a")
    pg.claim_next("run-1")
    backdate(pg_url, a.number, 5)
    real = time.time_ns
    monkeypatch.setattr(time, "time_ns", lambda: real() + 3600 * 10**9)  # this client is an hour ahead
    with open_store(pg_url) as skewed:
        assert skewed.claim_next("thief") is None and skewed.stale_claims() == []
        assert skewed.release_stale_claims() == 0
        b = skewed.create_issue("b")
    monkeypatch.setattr(time, "time_ns", real)
    # its timestamps are the server's too
    from store.timestamps import parse_ns
    assert abs(parse_ns(b.created_at) - time.time_ns()) < 60 * 10**9


def test_write_waits_for_a_row_lock_then_succeeds(pg, pg_url):
    a = pg.create_issue("a")
    other = psycopg.connect(pg_url)
    other.execute("SELECT 1 FROM issues WHERE id = %s FOR UPDATE", (a.id,))
    timer = threading.Timer(0.3, other.commit)
    timer.start()
    t0 = time.monotonic()
    assert pg.block_issue(a.id, "why")
    assert time.monotonic() - t0 >= 0.25
    timer.join()
    other.close()


def test_lock_held_too_long_is_busy_error(pg, pg_url, monkeypatch):
    a = pg.create_issue("a")
    pg.wconn.execute("SET lock_timeout = 200")
    other = psycopg.connect(pg_url)
    other.execute("SELECT 1 FROM issues WHERE id = %s FOR UPDATE", (a.id,))
    try:
        with pytest.raises(BusyError) as exc:
            pg.block_issue(a.id, "why")
        assert "\n" not in str(exc.value)
        assert pg.claim_next("r") is None  # claim_next skips the locked row instead of waiting
    finally:
        other.close()
    assert pg.get_issue_by_id(a.id).is_blocked is False


def test_read_only_is_enforced_by_the_server(pg_url):
    with open_store(pg_url) as rw:
        a = rw.create_issue("a")
    with open_store(pg_url, read_only=True) as ro:
        assert ro.read_only and ro.get_issue_by_id(a.id).title == "a"
        with pytest.raises(ReadOnlyError):
            ro.complete_issue(a.id)
        with pytest.raises(StoreError):  # even a raw write on its connection is refused by the server
            with ro._read() as conn:
                conn.execute("UPDATE issues SET title = 'x'")
    with open_store(pg_url) as rw:
        assert rw.get_issue_by_id(a.id).title == "a"


def test_nul_in_text_is_refused_and_nothing_written(pg):
    with pytest.raises(ValidationError):
        pg.create_issue("nul \x00 inside")
    assert pg.list_issues() == [] and pg.create_issue("next").number == 1


def test_store_reconnects_after_its_connections_are_killed(pg, pg_url):
    a = pg.create_issue("a")
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'issues-tui' "
                      "AND pid <> pg_backend_pid()")
    time.sleep(0.1)
    assert pg.claim_next("r").id == a.id  # the write reconnects and retries
    for _ in range(2):  # the read connection may report the loss once
        try:
            assert pg.get_issue_by_id(a.id).status == Status.IN_PROGRESS
            break
        except StoreError:
            continue
    else:
        pytest.fail("reads never recovered")


def test_every_change_is_numbered(pg, pg_url):
    def seqs():
        with psycopg.connect(pg_url) as conn:
            return dict(conn.execute("SELECT number, change_seq FROM issues").fetchall())
    a = pg.create_issue("a")
    b = pg.create_issue("b")
    first = seqs()
    assert first[1] < first[2]
    pg.block_issue(a.id, "why")
    second = seqs()
    assert second[1] > first[2] and second[2] == first[2]
    pg.delete_issue(b.id)
    with psycopg.connect(pg_url) as conn:
        (tomb,) = conn.execute("SELECT change_seq FROM tui_tombstones WHERE id = %s", (b.id,)).fetchone()
    assert tomb > second[1]


def test_display_never_shows_the_password():
    from store.postgres.conninfo import display, scrub
    assert display("postgresql://al:s3cr%40t@db.example/issues?sslmode=require") == \
        "postgresql://al@db.example/issues?sslmode=require"
    assert display("postgresql://al@/issues?host=/run/pg&password=pw9") == "postgresql://al@/issues?host=/run/pg"
    assert display("host=/run/pg password='a b' dbname=x") == "host=/run/pg dbname=x"
    target = "postgresql://al:s3cr%40t@db/x"
    assert "s3cr" not in scrub('error near "s3cr@t" and s3cr%40t', target)


@pytest.mark.parametrize("us", [0, 123_000, 123_456, 1_000, 999_999, 500_000])
def test_server_renders_timestamps_like_the_crate(pg_url, us):
    """The trigger's text for a native value equals the store's own rendering (AutoSi: 0/3/6 digits)."""
    from store.postgres.connection import ns_to_dt
    from store.timestamps import format_ns
    ns = 1_795_694_400 * 10**9 + us * 1000
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT tui_rfc3339(%s)", (ns_to_dt(ns),)).fetchone()[0] == format_ns(ns)


def test_claim_next_with_a_frozen_clock_keeps_nanoseconds(pg_url):
    from storetest_helpers import T0, Clock
    clock = Clock(T0 + 123_456_789)
    with open_store(pg_url, clock=clock) as st:
        st.create_issue("a")
        got = st.claim_next("r")
        assert got.claimed_at == got.updated_at == "2026-11-26T12:00:00.123456789+00:00"
        assert [e.created_at for e in st.issue_events(got.id)][-1] == got.claimed_at


def test_counts_stay_exact_under_many_writers_and_fold(pg_url):
    """The counts table takes one appended row per changed group per statement; sums equal a GROUP BY after
    many concurrent claims/completes, and counts() folds the table back to a few rows."""
    import multiprocessing as mp
    from storetest_helpers import claim_worker
    with open_store(pg_url) as st:
        for i in range(300):
            st.create_issue(f"t{i}")
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=claim_worker, args=(pg_url, f"run-{k}", queue, None, True)) for k in range(3)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert all(err is None for _, _, err in results)
    with open_store(pg_url) as st:
        for issue in st.list_view("in_progress", limit=100):
            st.complete_issue(issue.id)
        with psycopg.connect(pg_url) as conn:
            raw_rows = conn.execute("SELECT count(*) FROM tui_issue_counts").fetchone()[0]
            truth = dict(((s, b), n) for s, b, n in conn.execute(
                "SELECT status, coalesce(is_blocked, false), count(*) FROM issues GROUP BY 1, 2"))
        assert raw_rows > 200  # one appended row per change, before folding
        c = st.counts()
        assert (c.in_progress, c.done, c.total) == (truth.get(("in_progress", False), 0), truth[("done", False)], 300)
        st.counts()
        with psycopg.connect(pg_url) as conn:
            assert conn.execute("SELECT count(*) FROM tui_issue_counts").fetchone()[0] <= 3
        assert st.counts() == c


def test_a_database_without_the_counts_table_still_counts(pg_url):
    """A database made before the counts table: read-only counts from the table; a read-write open adds it."""
    with open_store(pg_url) as st:
        st.create_issue("a")
        st.block_issue(st.create_issue("b").id, "why")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE tui_issue_counts CASCADE")
        conn.execute("DROP FUNCTION tui_counts_changed() CASCADE")
    with open_store(pg_url, read_only=True) as ro:
        c = ro.counts()
        assert (c.ready, c.blocked, c.total) == (1, 1, 2)
    with open_store(pg_url) as rw:
        rw.create_issue("c")
        assert rw.counts().ready == 2 and rw._has_counts


def test_old_tombstones_are_dropped_when_counts_fold(pg_url, monkeypatch):
    import store.postgres.issue_reads as pgi  # counts() folds there
    monkeypatch.setattr(pgi, "TOMBSTONES_PRUNE", pgi.TOMBSTONES_PRUNE.replace("OFFSET 5000", "OFFSET 5"))
    monkeypatch.setattr(pgi, "COUNTS_COMPACT_ROWS", 3)
    with open_store(pg_url) as st:
        ids = [st.create_issue(f"t{i}").id for i in range(12)]
        for issue_id in ids:
            st.delete_issue(issue_id)
        st.counts()
        with psycopg.connect(pg_url) as conn:
            assert conn.execute("SELECT count(*) FROM tui_tombstones").fetchone()[0] == 6  # the newest kept
        assert st.counts().total == 0
