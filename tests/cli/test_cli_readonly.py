"""Read commands change nothing and never wait for a writer (issue 9 item 10, issue 8 item 8).

`list`, `ready` and `export` open the file `mode=ro`: a crate file stays byte for byte as it was (no WAL
switch, no store indexes or triggers), a WAL file in a folder we cannot write still reads, and a process
holding the write lock does not hold them up. The dashboard and the store's read-write open do not wait
for the lock either when nothing needs migrating.

The sandbox runs tests as root, where chmod does not deny anything; the read-only-folder cases run the
CLI in a child process without CAP_DAC_OVERRIDE (setpriv), where the folder's 0555 really applies.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from store import Store
from tui.app import IssuesApp

from .cli_helpers import folder_state

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
READS = (["list"], ["list", "--json"], ["ready"], ["ready", "--json", "-n", "5"], ["export", "-o", "-"],
         ["export", "-o", "-", "--include-completed"])
NO_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
          "--inh-caps", "-dac_override,-dac_read_search", "--"]


def crate_copy(folder: Path, name: str = "crate.db") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    dst = folder / name
    shutil.copyfile(FIXTURES / "crate-v5-small.db", dst)
    return dst


def cli(*args: str, prefix: list[str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="dumb")
    env.pop("ISSUES_DB", None)
    return subprocess.run([*(prefix or []), sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())",
                           *args], capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=timeout,
                          stdin=subprocess.DEVNULL)


class LockHolder:
    """Another process inside BEGIN IMMEDIATE (with an uncommitted UPDATE) until `release()`."""

    def __init__(self, path: Path) -> None:
        code = ("import sqlite3, sys\n"
                f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
                "c.execute('BEGIN IMMEDIATE')\n"
                "c.execute(\"UPDATE issues SET title = 'uncommitted' WHERE number = 1\")\n"
                "print('locked', flush=True)\n"
                "sys.stdin.read()\n"
                "c.execute('ROLLBACK')\n")
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def holding(self) -> bool:
        return self.proc.poll() is None

    def release(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def wal_file(folder: Path) -> Path:
    path = crate_copy(folder, "wal.db")
    Store.open(path, create=False).close()  # read-write open: WAL, store objects; closed cleanly
    assert not (folder / "wal.db-wal").exists()
    return path


@pytest.mark.parametrize("argv", READS, ids=" ".join)
def test_read_commands_leave_a_crate_file_byte_for_byte(tmp_path, argv):
    path = crate_copy(tmp_path / "f")
    before = folder_state(path.parent)
    r = cli(*argv, "--db", str(path))
    assert r.returncode == 0 and r.stdout.strip() and r.stderr == "", r
    assert folder_state(path.parent) == before  # no -wal/-shm/-journal either
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'tui%'").fetchall()
    finally:
        conn.close()


def test_ready_on_a_read_only_crate_file_is_the_same_queue(tmp_path):
    """Without the store's partial indexes (read-only open of a crate file) the queue is the same, in order."""
    path = crate_copy(tmp_path / "f")
    plain = cli("ready", "--json", "-n", "1000", "--db", str(path))
    assert plain.returncode == 0
    Store.open(path, create=False).close()  # now with the store's indexes
    indexed = cli("ready", "--json", "-n", "1000", "--db", str(path))
    assert json.loads(plain.stdout) == json.loads(indexed.stdout) and len(json.loads(plain.stdout)) > 5
    ready_jsonl = [json.loads(line)["number"] for line in (FIXTURES / "crate-v5-small.ready.jsonl").read_text().splitlines()
                   if line.strip()]
    assert [i["number"] for i in json.loads(plain.stdout)] == ready_jsonl


def test_writing_command_still_sets_wal_and_store_objects(tmp_path):
    path = crate_copy(tmp_path / "f")
    r = cli("add", "a new one", "--db", str(path))
    assert r.returncode == 0, r
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'tui%'").fetchone()[0] >= 6
    finally:
        conn.close()


def test_read_command_on_an_older_schema_reads_a_migrated_copy(tmp_path):
    """A v4 file (no agent column): `list` shows it without migrating the file itself."""
    from store import migrations
    path = tmp_path / "v4.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(migrations.SCHEMA_VERSION_DDL)
    for step in (1, 2, 3, 4):
        for sql in migrations.STEPS[step]:
            if sql.strip():
                conn.execute(sql)
    conn.execute("INSERT INTO schema_version VALUES (4)")
    conn.execute("INSERT INTO issues (id, number, title, created_at, updated_at) VALUES ('a', 1, 'old one', 'x', 'x')")
    conn.close()
    before = folder_state(tmp_path)
    r = cli("list", "--db", str(path))
    assert r.returncode == 0 and "old one" in r.stdout, r
    assert folder_state(tmp_path) == before


@pytest.mark.parametrize("mode", ["wal", "rollback"])
def test_read_commands_in_a_read_only_folder(tmp_path, mode):
    folder = tmp_path / "ro"
    path = wal_file(folder) if mode == "wal" else crate_copy(folder)
    before = folder_state(folder)
    folder.chmod(0o555)
    try:
        probe = subprocess.run([*NO_DAC, "touch", str(folder / "x")], capture_output=True)
        assert probe.returncode != 0, "setpriv did not drop CAP_DAC_OVERRIDE: the folder would be writable"
        for argv in READS:
            r = cli(*argv, "--db", str(path), prefix=NO_DAC)
            assert r.returncode == 0 and r.stdout.strip() and r.stderr == "", (argv, r)
        r = cli("add", "x", "--db", str(path), prefix=NO_DAC)  # a write says why, in one line
        assert r.returncode == 2 and len(r.stderr.splitlines()) == 1 and "Traceback" not in r.stderr, r
    finally:
        folder.chmod(0o755)
    assert folder_state(folder) == before


@pytest.mark.parametrize("mode", ["wal", "rollback"])
def test_reads_answer_while_another_process_holds_the_write_lock(tmp_path, mode):
    folder = tmp_path / "f"
    path = wal_file(folder) if mode == "wal" else crate_copy(folder)
    holder = LockHolder(path)
    try:
        for argv in (["list"], ["ready"], ["export", "-o", "-"]):
            r = cli(*argv, "--db", str(path))
            assert r.returncode == 0 and r.stdout.strip(), (argv, r)  # not "database is busy" after 5 s
            assert "uncommitted" not in r.stdout
        with Store.open(path, create=False) as st:  # the read-write open does not wait for the lock either
            assert len(st.list_issues()) == 29 and st.counts().total == 29
            assert st._setup_pending == (mode == "rollback")  # WAL + objects deferred to the first write
            pending = Store.open(path, create=False)
        assert holder.holding()
    finally:
        holder.release()
    try:
        pending._setup_tried = 0.0
        pending.change_token()  # the reload after the lock is gone finishes the setup, without a write
        assert not pending._setup_pending and pending.info.journal_mode == "wal" and pending._has_counts
    finally:
        pending.close()
    with Store.open(path, create=False) as st:
        st.create_issue("after the lock")
        assert st.info.journal_mode == "wal" and st._has_store_indexes and st._has_counts


async def test_dashboard_started_during_the_lock_shows_data(tmp_path):
    path = crate_copy(tmp_path / "f")
    holder = LockHolder(path)
    try:
        app = IssuesApp(path, watch=False)
        async with app.run_test(size=(160, 40)) as pilot:
            for _ in range(100):
                if app.snapshot is not None or app.problem:
                    break
                await pilot.pause(0.05)
            assert app.problem is None and app.snapshot is not None
            assert app.snapshot.counts.total == 29 and len(app.snapshot.rows) > 0
            assert holder.holding()
    finally:
        holder.release()


def test_hot_journal_is_not_read_around(tmp_path):
    """A writer killed mid-transaction leaves a hot -journal: a read-only open must not read the half-written
    main file (immutable would); it says so in one line and changes nothing. A read-write open recovers it."""
    import signal
    path = crate_copy(tmp_path / "f")
    code = ("import sqlite3, sys\n"
            f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
            "c.execute('PRAGMA cache_size = 1')\n"
            "c.execute('BEGIN')\n"
            "c.execute(\"UPDATE issues SET description = randomblob(3000)\")\n"
            "print('ready', flush=True)\n"
            "sys.stdin.read()\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (path.parent / "crate.db-journal").stat().st_size > 0
    before = folder_state(path.parent)
    r = cli("list", "--db", str(path))
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1 and "unfinished write" in r.stderr, r
    assert folder_state(path.parent) == before
    with Store.open(path, create=False) as st:  # read-write: SQLite rolls the journal back
        assert all(i.description is None or isinstance(i.description, str) for i in st.list_issues())
        assert len(st.list_issues()) == 29


@pytest.mark.parametrize("mode", ["wal", "rollback"])
def test_read_write_open_in_a_read_only_folder_falls_back_to_read_only(tmp_path, mode):
    """What the dashboard does (Store.open asked for read-write) when the folder cannot take a -wal/-shm."""
    folder = tmp_path / "ro"
    path = wal_file(folder) if mode == "wal" else crate_copy(folder)
    before = folder_state(folder)
    code = ("from store import Store\n"
            f"st = Store.open({str(path)!r}, create=False)\n"
            "print(st.read_only, st.counts().total, len(st.ready_queue()), '|', st.info.read_only_reason)\n")
    folder.chmod(0o555)
    try:
        r = subprocess.run([*NO_DAC, sys.executable, "-c", code], capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=str(ROOT))
    finally:
        folder.chmod(0o755)
    assert r.returncode == 0, r.stderr
    head, reason = r.stdout.split("|")
    assert head.split() == ["True", "29", "14"] and "folder is not writable" in reason
    assert folder_state(folder) == before
