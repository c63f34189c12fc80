"""Files that are not issues DBs are refused, untouched; missing/empty files only with create."""

from __future__ import annotations

import os
import sqlite3

import pytest

from store import NotAnIssuesDb, Store, StoreError
from storetest_helpers import sha256

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200


def _other_app_db(path):
    conn = sqlite3.connect(str(path))
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('hello')")
    conn.commit()
    conn.close()


def _bad_issues_db(path):
    conn = sqlite3.connect(str(path))
    conn.execute("CREATE TABLE issues (id TEXT, title TEXT)")  # an `issues` table of another kind
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version VALUES (5)")
    conn.commit()
    conn.close()


MAKERS = {
    "text": lambda p: p.write_text("just some notes\n" * 100),
    "png": lambda p: p.write_bytes(PNG),
    "truncated-sqlite": lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20),
    "garbage-after-header": lambda p: p.write_bytes(b"SQLite format 3\x00" + os.urandom(4096 - 16)),
    "other-sqlite-app": _other_app_db,
    "issues-table-of-another-kind": _bad_issues_db,
}


@pytest.mark.parametrize("kind", sorted(MAKERS))
@pytest.mark.parametrize("read_only", [False, True])
def test_refused_and_untouched(tmp_path, kind, read_only):
    p = tmp_path / "file.db"
    MAKERS[kind](p)
    digest, listing = sha256(p), sorted(os.listdir(tmp_path))
    with pytest.raises(NotAnIssuesDb) as exc:
        Store.open(p, read_only=read_only)
    assert "\n" not in str(exc.value)
    assert sha256(p) == digest
    assert sorted(os.listdir(tmp_path)) == listing  # no -wal/-journal left behind


def test_directory_refused(tmp_path):
    d = tmp_path / "adir"
    d.mkdir()
    with pytest.raises(NotAnIssuesDb):
        Store.open(d)
    assert list(d.iterdir()) == []


def test_missing_path(tmp_path):
    p = tmp_path / "missing.db"
    with pytest.raises(NotAnIssuesDb):
        Store.open(p, create=False)
    with pytest.raises(NotAnIssuesDb):
        Store.open(p, read_only=True)
    assert not p.exists()
    with Store.open(p) as s:  # the default creates, as the crate's init_db does
        assert s.info.created and s.info.schema_version == 5
    with pytest.raises(StoreError):
        Store.open(tmp_path / "no" / "such" / "folder.db")


def test_empty_file(tmp_path):
    p = tmp_path / "empty.db"
    p.write_bytes(b"")
    with pytest.raises(NotAnIssuesDb):
        Store.open(p, create=False)
    with pytest.raises(NotAnIssuesDb):
        Store.open(p, read_only=True)
    assert p.read_bytes() == b""
    with Store.open(p, create=True) as s:
        assert s.info.schema_version == 5


def test_create_false_opens_existing(small_db):
    with Store.open(small_db, create=False) as s:
        assert len(s.list_issues()) == 29
