"""Session-wide fixtures: the real PostgreSQL server (tests/pg_server.py), started on first use."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# tests/ on sys.path: every test folder can import the shared helpers (`later_schema`, `pg_server`) by name.
_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from pg_server import PgServerError, start_server

# The start-up caches (parsed CSS, compiled dataclass methods: tui/cache_files.py) and the search side index
# go to a folder of this run, never to the user's ~/.cache.
import tempfile  # noqa: E402

os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="issues-tui-test-cache-")


@pytest.fixture(scope="session")
def pg_server():
    import signal
    try:
        server = start_server()
    except PgServerError as exc:
        pytest.fail(str(exc), pytrace=False)  # never a skip: the run fails and says why
    # `timeout`/`kill` send SIGTERM: stop the server before dying (a later run also reaps what a SIGKILL left)
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):
        server.stop()
        signal.signal(signal.SIGTERM, previous if callable(previous) else signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_term)
    yield server
    server.stop()
    signal.signal(signal.SIGTERM, previous)


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


BACKENDS = ["sqlite", "postgres"]
FIXTURES = __import__("pathlib").Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Run the test on a SQLite file and on a PostgreSQL database."""
    return request.param


@pytest.fixture
def crate_target(backend, tmp_path, request):
    """`crate_target(name)`: the crate fixture file `name` on this backend (a copy of the file, or a fresh
    PostgreSQL database it was migrated into)."""
    import shutil

    def make(name: str) -> str:
        path = tmp_path / name
        if not path.exists():
            shutil.copyfile(FIXTURES / name, path)
        if backend == "sqlite":
            return str(path)
        from store.transfer import migrate
        server = request.getfixturevalue("pg_server")
        url = server.new_db(empty=True)
        request.addfinalizer(lambda: server.drop_db(url))
        migrate(str(path), url)
        return url

    return make
