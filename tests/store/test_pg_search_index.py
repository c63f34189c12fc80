"""PostgreSQL word search through the pg_trgm indexes (store/postgres/search_index.py): the plan at a modest
size uses them, an older database gets them on its next read-write open (not on a read-only one), and where
they cannot be built the store still opens, searches by the plain ILIKE scan and says so once."""

from __future__ import annotations

import logging

import psycopg
import pytest

from store import open_store
from store.postgres import search_index
from storetest_helpers import T0, Clock

COLS = ("title", "description", "blocked_reason")


def _drop_indexes(url: str) -> None:
    """What the store before the search indexes left: the same schema without them (nor the extension)."""
    with psycopg.connect(url, autocommit=True) as c:
        for col in COLS:
            c.execute(f"DROP INDEX tui_search_{col}")
        c.execute("DROP EXTENSION pg_trgm")


def _fill(url: str, n: int) -> None:
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("""INSERT INTO issues (id, number, title, description, blocked_reason, status, created_at_text,
                                         updated_at_text)
            SELECT 'id-' || g, g, 'task ' || g || ' ' || md5(g::text), CASE WHEN g %% 3 = 0 THEN NULL
                   ELSE 'details ' || md5((g * 7)::text) END, CASE WHEN g %% 50 = 0 THEN 'waits on ' || md5((g * 13)::text) END,
                   'open', '2025-12-20T16:59:41+00:00', '2025-12-20T16:59:41+00:00'
            FROM generate_series(1, %s) g""", (n,))
        c.execute("UPDATE issues SET title = title || ' quokka' WHERE number = 777")
        c.execute("UPDATE issues SET description = 'a Quokka-shaped bug' WHERE number = 12345")
        c.execute("UPDATE issues SET blocked_reason = 'QUOKKA upstream', is_blocked = true WHERE number = 19000")
        c.execute("VACUUM ANALYZE issues")  # as autovacuum would: statistics, and the GIN pending list merged


def test_word_search_plan_uses_the_trigram_indexes(pg_url):
    _fill(pg_url, 20_000)
    s = open_store(pg_url, clock=Clock(T0))
    try:
        assert s.search_note is None
        where, params, _ = s._pg_view("all", None, "quokka", None, None)
        plan = "\n".join(r[0] for r in s.conn.execute(f"EXPLAIN SELECT count(*) FROM issues WHERE {where}", params))
        for col in COLS:
            assert f"Bitmap Index Scan on tui_search_{col}" in plan, plan
        assert "Seq Scan" not in plan, plan
        assert [i.number for i in s.list_view("all", search="quokka")] == [777, 12345, 19000]
        assert s.count_view("all", search="QUOKKA") == 3
        assert s.count_view("blocked", search="quokka upstream") == 1
    finally:
        s.close()


def test_an_older_database_gets_the_indexes_on_its_next_read_write_open(pg_url):
    _drop_indexes(pg_url)
    ro = open_store(pg_url, read_only=True)
    try:
        assert not search_index.have(ro.conn)  # a read-only open never changes the database
        assert ro.count_view("all", search="nothing") == 0
    finally:
        ro.close()
    s = open_store(pg_url, clock=Clock(T0))
    try:
        assert search_index.have(s.conn) and s.search_note is None
        s.create_issue("Quokka sighting", description="seen at dawn")
        assert [i.title for i in s.list_view("all", search="DAWN")] == ["Quokka sighting"]
    finally:
        s.close()


def test_without_privilege_search_stays_unindexed_and_says_so_once(pg_url, pg_server, caplog):
    _drop_indexes(pg_url)
    db = pg_url.split("/")[3].split("?")[0]
    with pg_server.admin() as c:
        c.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tui_writer') THEN "
                  "CREATE ROLE tui_writer LOGIN; END IF; END $$")
    with psycopg.connect(pg_url, autocommit=True) as c:  # may write rows, does not own the tables
        c.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tui_writer")
        c.execute("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO tui_writer")
    caplog.set_level(logging.WARNING, logger="store")
    s = open_store(pg_server.url(db, user="tui_writer"), clock=Clock(T0))
    try:
        assert not s.read_only
        assert s.search_note and s.search_note.startswith(search_index.UNINDEXED), s.search_note
        assert [r.getMessage() for r in caplog.records if r.name == "store"] == [s.search_note]
        issue = s.create_issue("Quokka sighting", description="seen at dawn")
        assert [i.id for i in s.list_view("all", search="dawn")] == [issue.id]
        assert s.count_view("all", search="-quokka") == s.count_view("all") - 1
    finally:
        s.close()
    with psycopg.connect(pg_url, autocommit=True) as c:
        assert c.execute("SELECT to_regclass('tui_search_title')").fetchone()[0] is None
