"""Fixtures and helpers for the dashboard tests (Textual pilot, never timing asserts).

Every fixture DB is copied to tmp_path first: opening read-write switches it to WAL and adds indexes.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
sys.path.insert(0, str(Path(__file__).resolve().parent))



@pytest.fixture
def small_db(tmp_path) -> Path:
    dst = tmp_path / "small.db"
    shutil.copyfile(FIXTURES / "crate-v5-small.db", dst)
    return dst


@pytest.fixture
def edge_db(tmp_path) -> Path:
    dst = tmp_path / "edge.db"
    shutil.copyfile(FIXTURES / "crate-v5-edge.db", dst)
    return dst


@pytest.fixture
def ready_numbers() -> list[int]:
    lines = (FIXTURES / "crate-v5-small.ready.jsonl").read_text().splitlines()
    return [json.loads(line)["number"] for line in lines if line.strip()]


@pytest.fixture(autouse=True)
def _private_state_and_cache(tmp_path, monkeypatch):
    """The dashboard's state file (sorts) and search index cache go to this test's folder, never ~/."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
