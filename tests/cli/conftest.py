"""Fixtures of the CLI tests: a copy of the crate's small fixture DB, and a path where no DB exists yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from .cli_helpers import copy_fixture


@pytest.fixture
def small_db(tmp_path) -> Path:
    return copy_fixture(tmp_path, "crate-v5-small.db")


@pytest.fixture
def new_db(tmp_path) -> Path:
    return tmp_path / "new.db"
