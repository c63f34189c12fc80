"""Agent commands (claim/complete/block/unblock/unclaim/heartbeat/release-stale) on both backends, `migrate`,
and PostgreSQL targets anywhere a path goes (bad ones: one line, exit 2, nothing written, no password shown).

In-process `tui.cli.main(argv)` with capsys, like test_cli.py.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import psycopg
import pytest

from store import Status, open_store
from tui.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def ready_ids(name: str = "crate-v5-small.ready.jsonl") -> list[str]:
    return [json.loads(line)["id"] for line in (FIXTURES / name).read_text().splitlines() if line.strip()]


def backdate(target: str, number: int, minutes: float) -> None:
    """Make issue N's claim `minutes` old: by the server's clock on PostgreSQL, in the file's text on SQLite."""
    if target.startswith("postgresql://"):
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute("UPDATE issues SET claimed_at = now() - make_interval(secs => %s) WHERE number = %s",
                         (minutes * 60, number))
    else:
        from store.timestamps import format_ns
        import time
        conn = sqlite3.connect(target)
        conn.execute("UPDATE issues SET claimed_at = ? WHERE number = ?",
                     (format_ns(time.time_ns() - int(minutes * 60e9)), number))
        conn.commit()
        conn.close()


@pytest.fixture
def small(crate_target) -> str:
    return crate_target("crate-v5-small.db")


# -- claim -------------------------------------------------------------------------------------------------
def test_claim_takes_the_crate_order_then_null(capsys, small):
    expected = ready_ids()
    got = []
    for _ in expected:
        rc, out, err = run(capsys, "claim", "--run", "run-1", "--json", "--db", small)
        assert rc == 0 and err == ""
        obj = json.loads(out)
        assert obj["status"] == "inprogress" and obj["claimed_by"] == "run-1"
        got.append(obj["id"])
    assert got == expected
    rc, out, err = run(capsys, "--db", small, "claim", "--run", "run-1", "--json")
    assert (rc, out.strip(), err) == (0, "null", "")
    rc, out, _ = run(capsys, "claim", "--run", "run-1", "--db", small)
    assert (rc, out.strip()) == (0, "No ready issues available")
    with open_store(small) as st:
        assert st.counts().ready == 0
        claimed = st.list_view("in_progress", limit=1000)
        assert {i.id for i in claimed if i.claimed_by == "run-1"} == set(expected)
        assert [e.event_type for e in st.issue_events(expected[0])] == ["claimed"]


def test_claim_for_one_agent(capsys, small):
    rc, out, _ = run(capsys, "claim", "--agent", "codex", "--run", "r", "--db", small, "--json")
    assert rc == 0 and json.loads(out)["id"] == ready_ids("crate-v5-small.ready-codex.jsonl")[0]


def test_claim_via_env(capsys, small, monkeypatch):
    monkeypatch.setenv("ISSUES_DB", small)
    rc, out, _ = run(capsys, "claim", "--run", "env-run")
    assert rc == 0 and out.startswith("Claimed issue #")


# -- transitions -------------------------------------------------------------------------------------------
def test_complete_block_unblock_unclaim(capsys, small):
    first = ready_ids()[0]
    rc, out, _ = run(capsys, "claim", "--run", "A", "--json", "--db", small)
    number = json.loads(out)["number"]
    # another run may not complete or unclaim it
    for cmd in (("complete", str(number), "--run", "B"), ("unclaim", str(number), "--run", "B")):
        rc, out, err = run(capsys, *cmd, "--db", small)
        assert rc == 1 and "held by run A, not B" in err and out == ""
    with open_store(small) as st:
        assert st.get_issue_by_id(first).status == Status.IN_PROGRESS
    assert run(capsys, "unclaim", str(number), "--run", "A", "--db", small)[0] == 0
    with open_store(small) as st:
        assert st.issue_events(first)[-1].actor == "A"  # the run that gave it back
    assert run(capsys, "unclaim", str(number), "--db", small)[0] == 1  # already open
    assert run(capsys, "block", str(number), "needs a decision", "--db", small)[0] == 0
    with open_store(small) as st:
        i = st.get_issue_by_id(first)
        assert i.is_blocked and i.blocked_reason == "needs a decision" and i.status == Status.OPEN
    assert run(capsys, "unblock", str(number), "--db", small)[0] == 0
    assert run(capsys, "unblock", str(number), "--db", small)[0] == 1
    rc, out, _ = run(capsys, "complete", f"#{number}", "--db", small)
    assert rc == 0 and out.startswith(f"Completed issue #{number}")
    rc, _, err = run(capsys, "complete", str(number), "--db", small)
    assert rc == 1 and "is done; cannot complete it" in err
    rc, _, err = run(capsys, "complete", "9999", "--db", small)
    assert rc == 2 and err.strip() == "issues-tui: error: no issue #9999"
    with open_store(small) as st:
        assert [e.event_type for e in st.issue_events(first)] == ["claimed", "unclaimed", "blocked", "unblocked",
                                                                  "completed"]


def test_heartbeat_extends_only_the_holders_claim(capsys, small):
    rc, out, _ = run(capsys, "claim", "--run", "A", "--json", "--db", small)
    number = json.loads(out)["number"]
    backdate(small, number, 14)
    rc, _, err = run(capsys, "heartbeat", str(number), "--run", "B", "--db", small)
    assert rc == 1 and "held by run A, not B; lease not extended" in err
    assert run(capsys, "heartbeat", str(number), "--run", "A", "--db", small)[0] == 0
    backdate_check = open_store(small)
    try:
        issue = backdate_check.get_issue_by_number(number)
        assert issue.claimed_by == "A"
        assert number not in [i.number for i in backdate_check.stale_claims(minutes=1)]  # the heartbeat made it fresh
        assert [e.event_type for e in backdate_check.issue_events(issue.id)] == ["claimed"]  # no event per beat
    finally:
        backdate_check.close()


def test_release_stale_default_is_60_minutes_one_event_each(capsys, small):
    numbers = [json.loads(run(capsys, "claim", "--run", f"r{i}", "--json", "--db", small)[1])["number"]
               for i in range(3)]
    backdate(small, numbers[0], 30)
    backdate(small, numbers[1], 61)
    with open_store(small) as st:  # the fixture's own in-progress issues are days old
        old = len(st.stale_claims(minutes=60))
    rc, out, _ = run(capsys, "release-stale", "--db", small)
    assert rc == 0 and out.strip() == f"Released {old} stale claims (older than 60 minutes)"
    with open_store(small) as st:
        states = [st.get_issue_by_number(n).status for n in numbers]
        assert states == [Status.IN_PROGRESS, Status.OPEN, Status.IN_PROGRESS]
        released = st.get_issue_by_number(numbers[1])
        assert [(e.event_type, e.old_value) for e in st.issue_events(released.id)] == [("claimed", None), ("released", "r1")]
    rc, out, _ = run(capsys, "release-stale", "--minutes", "20", "--db", small)
    assert (rc, out.strip()) == (0, "Released 1 stale claim (older than 20 minutes)")


# -- migrate ----------------------------------------------------------------------------------------------
def test_migrate_both_ways_byte_identical(capsys, tmp_path, pg_empty_url):
    src = tmp_path / "src.db"
    src.write_bytes((FIXTURES / "crate-v5-small.db").read_bytes())
    before = src.read_bytes()
    rc, out, err = run(capsys, "migrate", str(src), pg_empty_url)
    assert rc == 0 and out.startswith("Copied 29 issues, 0 events, 3 projects, 5 sessions (schema v5, next number 31)")
    assert src.read_bytes() == before  # the source is never changed
    for include, answer in (("--include-completed", "export-all"), (None, "export-open")):
        argv = ["export", "-o", str(tmp_path / f"{answer}.json"), "--db", pg_empty_url] + ([include] if include else [])
        assert run(capsys, *argv)[0] == 0
        assert (tmp_path / f"{answer}.json").read_bytes() == (FIXTURES / f"crate-v5-small.{answer}.json").read_bytes()
    # and back into a new file: every table equal to the source, row for row
    back = tmp_path / "back.db"
    assert run(capsys, "migrate", pg_empty_url, str(back))[0] == 0
    for table in ("issues", "issue_events", "projects", "sessions", "issue_counter", "schema_version"):
        q = f"SELECT * FROM {table} ORDER BY 1"
        assert sqlite3.connect(back).execute(q).fetchall() == sqlite3.connect(src).execute(q).fetchall(), table
    # into something that is not empty / already exists: refused, untouched
    rc, _, err = run(capsys, "migrate", str(src), pg_empty_url)
    assert rc == 2 and "is not empty" in err
    rc, _, err = run(capsys, "migrate", pg_empty_url, str(back))
    assert rc == 2 and "already exists" in err
    rc, _, err = run(capsys, "migrate", str(src), str(tmp_path / "x.db"))
    assert rc == 2 and "give one of each" in err


def test_migrate_keeps_events_and_nanoseconds(capsys, tmp_path, pg_empty_url):
    src = tmp_path / "src.db"
    with open_store(src) as st:
        a = st.create_issue("with history")
        st.claim_issue(a.id, "r")
        st.block_issue(a.id, "why")
        expected_events = st.issue_events(a.id)
        expected = st.get_issue_by_id(a.id)
    assert run(capsys, "migrate", str(src), pg_empty_url)[0] == 0
    with open_store(pg_empty_url) as pg:
        got = pg.get_issue_by_id(a.id)
        assert (got.created_at, got.updated_at) == (expected.created_at, expected.updated_at)
        assert pg.issue_events(a.id) == expected_events
        assert pg.create_issue("next").number == 2


def test_failed_migrate_leaves_the_database_empty(capsys, tmp_path, pg_empty_url):
    src = tmp_path / "src.db"
    src.write_bytes((FIXTURES / "crate-v5-small.db").read_bytes())
    conn = sqlite3.connect(src)
    conn.execute("UPDATE sessions SET project_id = 'nowhere' WHERE rowid = 1")  # breaks the foreign key
    conn.commit()
    conn.close()
    rc, _, err = run(capsys, "migrate", str(src), pg_empty_url)
    assert rc == 2 and "nothing was written" in err
    with psycopg.connect(pg_empty_url) as conn:
        assert conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").fetchone()[0] == 0


# -- PostgreSQL targets that do not work: one line, exit 2, nothing written, no password -----------------------
def _one_line_error(rc, out, err):
    assert rc == 2 and out == "" and err.startswith("issues-tui: error: ") and err.count("\n") == 1, (rc, out, err)


@pytest.mark.parametrize("argv", [("list",), ("ready", "--json"), ("claim", "--run", "r"), ("export", "-o", "-"),
                                  ("release-stale",), ("add", "title")])
def test_bad_targets_fail_cleanly_and_hide_the_password(capsys, pg_server, argv, monkeypatch):
    from pg_server import PW, PW_USER
    monkeypatch.setenv("ISSUES_TUI_CONNECT_WAIT", "0")  # agent commands would wait out a refused server
    sock, port = pg_server.sock, pg_server.port
    targets = [
        f"postgresql://{PW_USER}:wrong-{PW}@/postgres?host={sock}&port={port}",  # bad credentials
        f"postgresql://{PW_USER}:{PW}@127.0.0.1:1/postgres",  # refused
        f"postgresql://{PW_USER}:{PW}@/postgres?host={sock}&port={port}&bogus=1",  # wrong URL
        f"host={sock} port={port} user={PW_USER} password={PW} dbname=nosuchdb",  # keyword string, no such DB
    ]
    if argv[0] != "add":  # an empty database is not an issues DB yet (only writing commands initialise one)
        targets.append(f"postgres://{PW_USER}:{PW}@/postgres?host={sock}&port={port}")
    for target in targets:
        rc, out, err = run(capsys, *argv, "--db", target)
        _one_line_error(rc, out, err)
        assert PW not in err and "wrong-" not in err
    # nothing was written: the postgres DB still has no tables
    with pg_server.admin() as conn:
        assert conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").fetchone()[0] == 0


def test_password_target_that_works(capsys, pg_server, pg_url):
    from pg_server import PW, PW_USER
    target = pg_url.replace("postgresql://postgres@", f"postgresql://{PW_USER}:{PW}@")
    rc, out, err = run(capsys, "add", "via password", "--db", target)
    assert rc == 0 and "Created issue #1" in out
    rc, out, err = run(capsys, "list", "--db", target)
    assert rc == 0 and "via password" in out and PW not in out + err


def test_not_an_issues_db(capsys, pg_empty_url):
    with psycopg.connect(pg_empty_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE customers (id int)")
    for argv in (("list",), ("add", "x"), ("claim", "--run", "r")):
        rc, out, err = run(capsys, *argv, "--db", pg_empty_url)
        _one_line_error(rc, out, err)
        assert "another kind" in err
    with psycopg.connect(pg_empty_url) as conn:
        tables = [r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]
    assert tables == ["customers"]


def test_empty_pg_db_needs_create_for_reads(capsys, pg_empty_url):
    rc, out, err = run(capsys, "list", "--db", pg_empty_url)
    _one_line_error(rc, out, err)
    assert "--create" in err
    assert run(capsys, "list", "--create", "--db", pg_empty_url)[0] == 0
    assert run(capsys, "add", "first", "--db", pg_empty_url)[0] == 0


def test_someone_elses_issues_table_is_refused(capsys, pg_empty_url):
    with psycopg.connect(pg_empty_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE issues (id int PRIMARY KEY, title text)")
        conn.execute("INSERT INTO issues VALUES (1, 'theirs')")
    for argv in (("list",), ("add", "x"), ("claim", "--run", "r"), ("import", "-i", str(FIXTURES / "crate-v5-small.export-all.json"))):
        rc, out, err = run(capsys, *argv, "--db", pg_empty_url)
        _one_line_error(rc, out, err)
        assert "not an issues DB made by issues-tui" in err
    with psycopg.connect(pg_empty_url) as conn:
        assert conn.execute("SELECT * FROM issues").fetchall() == [(1, "theirs")]
        assert [r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = 'public'")] == ["issues"]


def test_a_new_postgres_db_migrates_to_a_v11_file(capsys, tmp_path, pg_url):
    with open_store(pg_url) as pg:
        a = pg.create_issue("made on postgres", priority="high")
        pg.claim_next("run-1")
        pg.block_issue(pg.create_issue("blocked one").id, "why")
        export = pg.export_json(include_completed=True)
        history = pg.issue_events(a.id)
    back = tmp_path / "back.db"
    rc, out, _ = run(capsys, "migrate", pg_url, str(back))
    assert rc == 0 and "schema v11" in out
    with open_store(back) as sq:
        assert sq.schema_version == 11
        # a v11 file's export has the crate's later fields (compat.md 7; issue 12); the rest is PG's export
        rows = json.loads(sq.export_json(include_completed=True))
        assert all((r.pop("directive_id"), r.pop("project_id"), r.pop("auto_created")) == (None, None, False)
                   for r in rows)
        assert json.dumps(rows, indent=2, ensure_ascii=False) == export
        assert sq.issue_events(a.id) == history
        assert sq.get_issue_by_id(a.id).extra == {"directive_id": None, "project_id": None, "auto_created": 0}


def test_an_agent_rides_out_a_server_restart(capsys, pg_server, small):
    """The server is down when `claim` starts; it comes back within the agent's connect wait: exit 0, a claim."""
    import threading
    if not small.startswith("postgresql://"):
        assert run(capsys, "claim", "--run", "r", "--db", small)[0] == 0
        return
    pg_server.pause()
    t = threading.Timer(1.5, pg_server.resume)
    t.start()
    try:
        t0 = time.monotonic()
        rc, out, err = run(capsys, "claim", "--run", "patient", "--json", "--db", small)
        waited = time.monotonic() - t0
    finally:
        t.join()
    assert rc == 0 and err == "" and json.loads(out)["claimed_by"] == "patient"
    assert waited >= 1.0  # it really did wait for the server


def test_wrong_password_is_not_waited_for(capsys, pg_server):
    from pg_server import PW_USER
    target = f"postgresql://{PW_USER}:nope@/postgres?host={pg_server.sock}&port={pg_server.port}"
    t0 = time.monotonic()
    rc, out, err = run(capsys, "claim", "--run", "r", "--db", target)
    assert rc == 2 and "password authentication failed" in err and time.monotonic() - t0 < 5


def test_migrate_an_older_crate_file(capsys, tmp_path, pg_empty_url):
    """A v3 file (before projects and agent) is read as v5 in memory, copied, and left byte for byte as it was."""
    from store import migrations
    src = tmp_path / "v3.db"
    conn = sqlite3.connect(src, isolation_level=None)
    conn.execute(migrations.SCHEMA_VERSION_DDL)
    for step in (1, 2, 3):
        for statement in migrations.STEPS[step]:
            if statement.strip():
                conn.execute(statement)
    conn.execute("DELETE FROM schema_version")
    conn.execute("INSERT INTO schema_version (version) VALUES (3)")
    conn.execute("INSERT INTO issues (id, number, title, created_at, updated_at) VALUES "
                 "('old-1', 1, 'from v3', '2025-12-20T16:59:41.173094342+00:00', '2025-12-20T16:59:41.173094342+00:00')")
    conn.close()
    before = src.read_bytes()
    rc, out, err = run(capsys, "migrate", str(src), pg_empty_url)
    assert rc == 0, err
    assert src.read_bytes() == before
    with open_store(pg_empty_url) as pg:
        got = pg.get_issue_by_number(1)
        assert (got.title, got.created_at, got.agent) == ("from v3", "2025-12-20T16:59:41.173094342+00:00", "codex")  # v5 step, compat decision 1
        assert pg.schema_version == 5 and pg.create_issue("next").number == 2
