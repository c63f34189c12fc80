"""Fixtures for the store tests. Crate fixture DBs are copied to tmp_path before any open.

`store`, `small` and `edge` are parametrised over both backends: each test that uses them runs on a new
SQLite file and on a fresh PostgreSQL database (the crate's files are copied in with `migrate`).
Tests that need SQLite itself (its files, pragmas, locks) use `sqlite_store` or the `*_db` paths.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from store import Store, open_store
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
def new_target(backend, tmp_path, request) -> str:
    """Where a new, empty issues DB lives on this backend (a file path, or a fresh PostgreSQL DB's URL)."""
    if backend == "postgres":
        return request.getfixturevalue("pg_url")
    return str(tmp_path / "new.db")


@pytest.fixture
def store(new_target, clock):
    s = open_store(new_target, clock=clock, actor="tester")
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path, clock):
    s = Store.open(tmp_path / "new.db", clock=clock, actor="tester")
    yield s
    s.close()


@pytest.fixture
def small_target(crate_target) -> str:
    return crate_target("crate-v5-small.db")


@pytest.fixture
def edge_target(crate_target) -> str:
    return crate_target("crate-v5-edge.db")
