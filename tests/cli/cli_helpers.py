"""Helpers shared by the CLI tests."""

from __future__ import annotations

import hashlib
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
