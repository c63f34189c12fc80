"""Session-wide fixtures: the real PostgreSQL server (tests/pg_server.py), started on first use."""

from __future__ import annotations

import pytest

from pg_server import PgServerError, start_server


@pytest.fixture(scope="session")
def pg_server():
    try:
        server = start_server()
    except PgServerError as exc:
        pytest.fail(str(exc), pytrace=False)  # never a skip: the run fails and says why
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server):
    """A fresh issues DB (cloned from the prepared template) for this test; dropped afterwards."""
    url = pg_server.new_db()
    yield url
    pg_server.drop_db(url)


@pytest.fixture
def pg_empty_url(pg_server):
    """A fresh database with no tables at all (a `migrate` target, or a `--create` one)."""
    url = pg_server.new_db(empty=True)
    yield url
    pg_server.drop_db(url)
