"""CLI foot-guns (issue 8 item 9): each is refused in one line, or just works, and never loses data."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from .cli_helpers import FIXTURES, folder_state, run


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    dst = tmp_path / "x.db"
    shutil.copyfile(FIXTURES / "crate-v5-small.db", dst)
    return dst


def _one_line_refusal(rc, out, err, *words):
    assert rc == 2 and out == "", (rc, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("issues-tui: error: "), err
    for w in words:
        assert w in lines[0], lines[0]


@pytest.mark.parametrize("spelling", ["x.db", "./x.db", "{abs}", "link.db", "hard.db", "x.db-wal", "x.db-shm",
                                      "./sub/../x.db", "x.db-journal"])
def test_export_onto_the_database_is_refused(db, capsys, spelling):
    tmp = db.parent
    (tmp / "sub").mkdir()
    os.symlink(db, tmp / "link.db")
    os.link(db, tmp / "hard.db")
    target = spelling.format(abs=str(db))
    before = folder_state(tmp)
    rc, out, err = run(capsys, "export", "-o", target, "--db", "x.db")
    _one_line_refusal(rc, out, err, "database itself")
    assert folder_state(tmp) == before


def test_export_through_a_symlinked_db_onto_its_target_is_refused(db, capsys):
    os.symlink(db, db.parent / "link.db")
    before = folder_state(db.parent)
    rc, out, err = run(capsys, "export", "-o", "x.db", "--db", "link.db")
    _one_line_refusal(rc, out, err, "database itself")
    assert folder_state(db.parent) == before


def test_export_elsewhere_still_works(db, capsys):
    rc, out, err = run(capsys, "export", "-o", "out.json", "--db", "x.db")
    assert rc == 0 and "Exported" in out
    assert json.loads((db.parent / "out.json").read_text())


@pytest.mark.parametrize("argv", [["add", "T", "--db", ""], ["list", "--db", ""], ["--db", "", "ready"],
                                  ["export", "-o", "-", "--db", ""], ["import", "--db", " "], ["--db", ""], [""]])
def test_empty_db_path_is_refused(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ISSUES_DB", raising=False)
    rc, out, err = run(capsys, *argv)
    _one_line_refusal(rc, out, err, "empty")
    assert list(tmp_path.iterdir()) == []  # no ./autopilot.db


def test_ready_with_a_huge_limit_lists_everything(db, capsys):
    rc, out, err = run(capsys, "ready", "-n", "9" * 40, "--db", "x.db", "--json")
    assert rc == 0 and err == "", err
    rc2, out2, _ = run(capsys, "ready", "-n", "1000", "--db", "x.db", "--json")
    assert json.loads(out) == json.loads(out2) and len(json.loads(out)) > 5


def _export_row(number: int, **changes) -> dict:
    row = {"id": f"id-{number}", "number": number, "title": "t", "description": None, "status": "open",
           "priority": "low", "issue_type": "task", "agent": "codex", "is_blocked": False, "blocked_reason": None,
           "claimed_by": None, "claimed_at": None, "created_at": "2025-12-20T16:59:41Z",
           "updated_at": "2025-12-20T16:59:41Z", "completed_at": None}
    row.update(changes)
    return row


@pytest.mark.parametrize("stamp", ["2025-12-20T16:59:41+99:99", "2025-12-20T16:59:41+24:00",
                                   "2025-12-20T16:59:41+05:60", "0001-01-01T00:00:00+23:59",
                                   "9999-12-31T23:59:59-00:01", "2025-12-20T16:59:41", "2025-12-20T16:59:41+0100"])
def test_import_refuses_timestamps_it_cannot_store(db, capsys, stamp):
    (db.parent / "in.json").write_text(json.dumps([_export_row(900, created_at=stamp)]))
    before = folder_state(db.parent)
    rc, out, err = run(capsys, "import", "-i", "in.json", "--db", "x.db")
    _one_line_refusal(rc, out, err, "RFC 3339", "nothing was imported")
    assert folder_state(db.parent) == before


@pytest.mark.parametrize("stamp, stored", [
    ("0001-01-01T00:00:00-01:00", "0001-01-01T01:00:00+00:00"),
    ("2025-12-20T17:59:41.5+01:00", "2025-12-20T16:59:41.500+00:00"),
    ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59+00:00"),
])
def test_import_stores_instants_that_read_back(db, capsys, stamp, stored):
    (db.parent / "in.json").write_text(json.dumps([_export_row(900, created_at=stamp, updated_at=stamp)]))
    rc, out, err = run(capsys, "import", "-i", "in.json", "--db", "x.db")
    assert rc == 0, err
    import sqlite3
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT created_at FROM issues WHERE number = 900").fetchone()[0] == stored
    conn.close()
    rc, out, _ = run(capsys, "export", "-o", "-", "--db", "x.db")
    row = next(r for r in json.loads(out) if r["number"] == 900)
    assert row["created_at"] == stored.replace("+00:00", "Z")
