"""What a read-write open adds, and when (store/setup.py): WAL with synchronous=NORMAL, the store's objects,
obsolete ones dropped by quoted name; nothing when there is nothing to add."""

from __future__ import annotations

import sqlite3

from store import Store
from storetest_helpers import sha256


def test_wal_with_synchronous_normal(small_db):
    with Store.open(small_db, create=False) as st:
        assert st.info.journal_mode == "wal"
        assert st.wconn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_synchronous_full_on_request(small_db, monkeypatch):
    monkeypatch.setenv("ISSUES_SYNCHRONOUS", "full")
    with Store.open(small_db, create=False) as st:
        assert st.info.journal_mode == "wal"
        assert st.wconn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_file_that_stays_in_rollback_mode_keeps_full(small_db, monkeypatch):
    from store import setup
    monkeypatch.setattr(setup, "_wal", lambda st, conn: None)  # e.g. a filesystem without shared memory
    with Store.open(small_db, create=False) as st:
        assert st.info.journal_mode == "delete"
        assert st.wconn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_second_open_writes_nothing(small_db):
    Store.open(small_db, create=False).close()
    digest = sha256(small_db)
    with Store.open(small_db, create=False) as st:
        assert not st._setup_pending and st._has_counts and st._has_store_indexes
    assert sha256(small_db) == digest


def test_store_objects_match_the_catalogue(small_db):
    """The objects the store creates are exactly the ones the schema check trusts (no drift between them)."""
    from store import schema_check
    with Store.open(small_db, create=False):
        pass
    conn = sqlite3.connect(small_db)
    report = schema_check.check(conn)
    conn.close()
    assert report.trusted and not report.obsolete
    from store.store_objects import COLUMN_INDEXES  # only on files with those columns (v6+/v11)
    assert report.present == {o[1] for o in schema_check.catalogue().current} - set(COLUMN_INDEXES)
