"""Helpers shared by the CLI tests."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

from tui.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """`issues-tui ARGV` in-process: (exit status, stdout, stderr)."""
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def folder_state(folder: Path) -> dict[str, str]:
    """sha256 of every file in the folder: detects changed bytes and new files (-wal, -journal, ...)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def copy_fixture(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    shutil.copyfile(FIXTURES / name, dst)
    return dst


def db_rows(path: Path) -> tuple[int, int, int]:
    """(issues, events, next_number) read with plain sqlite3, read-only."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return (conn.execute("SELECT count(*) FROM issues").fetchone()[0],
                conn.execute("SELECT count(*) FROM issue_events").fetchone()[0],
                conn.execute("SELECT next_number FROM issue_counter WHERE id = 1").fetchone()[0])
    finally:
        conn.close()


def assert_one_line_error(rc: int, out: str, err: str) -> None:
    assert rc == 2, (rc, out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("issues-tui: error: "), err
    assert err.endswith("\n")


UNSAFE = [chr(c) for c in range(0x20)] + [chr(0x7F)] + [chr(c) for c in range(0x80, 0xA0)] + ["\u202e", "\u2066"]


def assert_terminal_safe(text: str) -> None:
    body = text.replace("\n", "")  # our own line breaks
    for ch in UNSAFE:
        assert ch not in body, f"raw {ch!r} reached the terminal"
