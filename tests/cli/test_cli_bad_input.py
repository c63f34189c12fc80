"""`issues-tui` CLI, every bad input: exit 2, one line, nothing written (bad values, files that are not an
issues DB, missing paths, bad imports, number clashes).

Everything runs `tui.cli.main(argv)` in-process (capsys) unless it says otherwise. Fixture DBs are copied to
tmp_path before use.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tui.cli import main

from .cli_helpers import FIXTURES, assert_one_line_error, copy_fixture, db_rows, folder_state, run


# -- bad input: exit 2, one line, nothing written ----------------------------------------------------
BAD_ADD = [
    (["add", "x", "-p", "urgnet"], "priority"),
    (["add", "x", "-t", "epic"], "type"),
    (["add", ""], "title"),
    (["add", "   \t "], "title"),
    (["add", "x" * 201], "200"),
    (["add", "x", "-d", "y" * 10_001], "description"),
    (["add", "x", "-a", "  "], "agent"),
    (["add", "x\udcff"], "UTF-8"),
    (["list", "-s", "blocked"], "status"),
    (["list", "-s", ""], "status"),
    (["ready", "-n", "0"], "at least 1"),
    (["ready", "-n", "lots"], "whole number"),
    (["ready", "--bogus"], "unrecognized"),
    (["add"], "required"),
    (["frobnicate", "--db", "DB"], "two databases"),  # dashboard form: a path and a different --db
]


@pytest.mark.parametrize("argv,needle", BAD_ADD, ids=[" ".join(a)[:30] for a, _ in BAD_ADD])
def test_bad_values_on_existing_db(capsys, tmp_path, argv, needle):
    db = tmp_path / "x.db"
    assert run(capsys, "add", "existing", "--db", str(db))[0] == 0
    before_rows, before_files = db_rows(db), folder_state(tmp_path)
    argv = [str(db) if a == "DB" else a for a in argv]
    rc, out, err = run(capsys, *argv) if "--db" in argv else run(capsys, *argv, "--db", str(db))
    assert_one_line_error(rc, out, err)
    assert needle in err
    assert db_rows(db) == before_rows
    assert folder_state(tmp_path) == before_files


@pytest.mark.parametrize("argv", [a for a, _ in BAD_ADD if a[0] == "add"], ids=lambda a: " ".join(a)[:30])
def test_bad_add_never_creates_a_file(capsys, tmp_path, argv):
    rc, out, err = run(capsys, *argv, "--db", str(tmp_path / "never.db"))
    assert_one_line_error(rc, out, err)
    assert list(tmp_path.iterdir()) == []


def _other_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.commit()
    conn.close()


NOT_ISSUES = {
    "png": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
    "text": lambda p: p.write_text("just some notes\n"),
    "other-sqlite": _other_sqlite,
    "truncated-sqlite": lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20),
}


@pytest.mark.parametrize("kind", sorted(NOT_ISSUES))
@pytest.mark.parametrize("command", [["add", "t"], ["list"], ["list", "--create"], ["ready"], ["export", "-o", "-"],
                                     ["import", "-i", "IMPORT"]], ids=lambda c: "-".join(c[:2]))
def test_not_an_issues_db_is_never_touched(capsys, tmp_path, kind, command):
    target = tmp_path / "db" / "victim.db"
    target.parent.mkdir()
    NOT_ISSUES[kind](target)
    src = tmp_path / "in.json"
    shutil.copyfile(FIXTURES / "crate-v5-small.export-open.json", src)
    command = [str(src) if c == "IMPORT" else c for c in command]
    before = folder_state(target.parent)
    rc, out, err = run(capsys, *command, "--db", str(target))
    assert_one_line_error(rc, out, err)
    assert folder_state(target.parent) == before  # not one byte changed, no -journal/-wal left behind


@pytest.mark.parametrize("command", [["list"], ["ready"], ["export"], ["list", "--json"]])
def test_reading_commands_refuse_missing_path(capsys, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(capsys, *command, "--db", "missing.db")
    assert_one_line_error(rc, out, err)
    assert "does not exist" in err
    assert list(tmp_path.iterdir()) == []


BAD_IMPORT = {
    "missing-file": None,
    "not-json": "[{",
    "not-array": '{"id": "x"}',
    "bad-status": "STATUS",
    "missing-agent": "AGENT",
    "not-utf8": b"\xff\xfe[]",
    "directory": "DIR",
}


def _bad_import_file(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "in" / f"{kind}.json"
    path.parent.mkdir(exist_ok=True)
    content = BAD_IMPORT[kind]
    if content is None:
        return path
    if content == "DIR":
        path.mkdir()
        return path
    if content in ("STATUS", "AGENT"):
        rows = json.loads((FIXTURES / "crate-v5-small.export-open.json").read_text(encoding="utf-8"))
        if content == "STATUS":
            rows[-1]["status"] = "blocked"
        else:
            del rows[-1]["agent"]
        content = json.dumps(rows)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


@pytest.mark.parametrize("kind", sorted(BAD_IMPORT))
def test_bad_import_changes_nothing(capsys, tmp_path, kind):
    src = _bad_import_file(tmp_path, kind)
    db_dir = tmp_path / "db"
    db_dir.mkdir()
    # 1. into a DB that does not exist yet: it is not created
    rc, out, err = run(capsys, "import", "-i", str(src), "--db", str(db_dir / "new.db"))
    assert_one_line_error(rc, out, err)
    assert list(db_dir.iterdir()) == []
    # 2. into an existing DB: not one byte changes
    db = copy_fixture(db_dir, "crate-v5-small.db")
    before = folder_state(db_dir)
    rc, out, err = run(capsys, "import", "-i", str(src), "--db", str(db))
    assert_one_line_error(rc, out, err)
    assert folder_state(db_dir) == before


def test_import_number_clash_rolls_back(capsys, tmp_path):
    db = tmp_path / "x.db"
    assert run(capsys, "add", "mine", "--db", str(db))[0] == 0  # takes number 1
    rows = json.loads((FIXTURES / "crate-v5-small.export-all.json").read_text(encoding="utf-8"))
    src = tmp_path / "in.json"
    src.write_text(json.dumps(rows), encoding="utf-8")  # contains another issue numbered 1
    before = db_rows(db)
    rc, out, err = run(capsys, "import", "-i", str(src), "--db", str(db))
    assert_one_line_error(rc, out, err)
    assert "nothing was imported" in err
    assert db_rows(db) == before


def test_export_into_directory_is_an_error(capsys, small_db, tmp_path):
    rc, out, err = run(capsys, "export", "-o", str(tmp_path), "--db", str(small_db))
    assert_one_line_error(rc, out, err)


def test_help_exits_zero(capsys):
    assert main(["--help"]) == 0
    assert "usage: issues-tui" in capsys.readouterr().out
    assert main(["add", "--help"]) == 0
    assert "TITLE" in capsys.readouterr().out
