"""Fixtures for the store tests. Crate fixture DBs are copied to tmp_path before any open."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import Store
from storetest_helpers import Clock, copy_fixture


@pytest.fixture
def small_db(tmp_path) -> Path:
    return copy_fixture(tmp_path, "crate-v5-small.db")


@pytest.fixture
def edge_db(tmp_path) -> Path:
    return copy_fixture(tmp_path, "crate-v5-edge.db")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    s = Store.open(tmp_path / "new.db", clock=clock, actor="tester")
    yield s
    s.close()
