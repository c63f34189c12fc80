"""Top-level test setup: tests/ is put on sys.path so every test folder can import the shared helpers
(`later_schema`) by name."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
