"""`store` is a pure data layer: importing it never pulls in textual, and no store file imports the UI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import store

STORE_DIR = Path(store.__file__).resolve().parent


def test_import_store_does_not_load_textual():
    code = ("import store, sys; bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'tui', 'watchfiles')]; "
            "assert not bad, bad; assert 'textual' not in sys.modules")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=STORE_DIR.parent, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_no_store_file_imports_textual_or_tui():
    files = sorted(STORE_DIR.rglob("*.py"))
    assert len(files) >= 10
    for f in files:
        text = f.read_text()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in ("textual", "tui", "rich", "watchfiles"), (f.name, name)
        for word in ("import textual", "from textual", "import tui", "from tui"):
            assert word not in text, (f.name, word)
