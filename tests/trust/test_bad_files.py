"""Bad files: every path that is not a valid issues DB gets one clear line (exit 2, no traceback) from the
dashboard and from `list`, and not one byte of it (or of its folder) changes. Newer schemas and read-only
files open and work as far as they can.

Tests run as root in the sandbox, where chmod does not stop writes: the permission-specific parts are
skipped there and read-only mode is proven through `--read-only` / `IssuesApp(read_only=True)`.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from store import Store, StoreError
from tui.app import IssuesApp
from tui.widgets.ready_queue import IssueList

from .trust_helpers import ROOT, copy_fixture, folder_hashes, until

def _chmod_denies() -> bool:
    """Does a 0555 folder stop this process from writing? Not for root with CAP_DAC_OVERRIDE (the sandbox)."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o555)
        try:
            open(os.path.join(d, "probe"), "w").close()
            return False
        except PermissionError:
            return True
        finally:
            os.chmod(d, 0o755)


CHMOD_DENIES = _chmod_denies()
NOT_AS_ROOT = pytest.mark.skipif(not CHMOD_DENIES, reason="chmod does not stop this process (root): run by "
                                 "test_permission_cases_without_dac_override in a child without CAP_DAC_OVERRIDE")
NO_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
          "--inh-caps", "-dac_override,-dac_read_search", "--"]


def _cli(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               ISSUES_DB="", TERM="dumb")
    env.pop("ISSUES_DB")
    return subprocess.Popen([sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())", *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=str(ROOT))


def _finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"{proc.args[3:]} did not finish (the dashboard started on a bad file?)")
    return proc.returncode, out, err


# -- makers: each returns the path to hand to the commands ------------------------------------------------
def make_missing(d: Path) -> Path:
    return d / "nothing-here.db"


def make_directory(d: Path) -> Path:
    (d / "adir.db").mkdir()
    return d / "adir.db"


def make_empty(d: Path) -> Path:
    (d / "empty.db").write_bytes(b"")
    return d / "empty.db"


def make_text(d: Path) -> Path:
    (d / "notes.db").write_text("these are my notes\nnot a database\n")
    return d / "notes.db"


def make_png(d: Path) -> Path:
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
           b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    (d / "image.db").write_bytes(png)
    return d / "image.db"


def make_truncated(d: Path) -> Path:
    full = copy_fixture(d, as_name="full.tmp")
    (d / "truncated.db").write_bytes(full.read_bytes()[:4096])
    full.unlink()
    return d / "truncated.db"


def make_garbage_pages(d: Path) -> Path:
    import random

    path = copy_fixture(d, as_name="garbage.db")
    rnd = random.Random(1234)
    with open(path, "r+b") as fh:
        for page in (8, 10, 12):  # pages in the middle (page size 4096, 22 pages)
            fh.seek(page * 4096)
            fh.write(bytes(rnd.randrange(256) for _ in range(4096)))
    return path


def make_other_sqlite(d: Path) -> Path:
    conn = sqlite3.connect(d / "other-app.db")
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO photos (name) VALUES ('cat.jpg')")
    conn.commit()
    conn.close()
    return d / "other-app.db"


def make_missing_column(d: Path) -> Path:
    path = copy_fixture(d, as_name="nocol.db")
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE issues DROP COLUMN blocked_reason")
    conn.commit()
    conn.close()
    return path


def _fixture_with(*sqls: str):
    """A maker: a copy of the crate fixture with `sqls` run on it (an agent's hand edit)."""
    def make(d: Path) -> Path:
        path = copy_fixture(d, as_name="edited.db")
        conn = sqlite3.connect(path)
        for sql in sqls:
            conn.execute(sql)
        conn.commit()
        conn.close()
        return path
    return make


BAD = {
    "missing": (make_missing, "does not exist"),
    "directory": (make_directory, "directory"),
    "empty": (make_empty, "empty"),
    "text": (make_text, "not a SQLite database"),
    "png": (make_png, "not a SQLite database"),
    "truncated": (make_truncated, ""),
    "garbage-pages": (make_garbage_pages, "damaged"),
    "other-sqlite": (make_other_sqlite, "another kind"),
    "missing-column": (make_missing_column, "blocked_reason"),
    # schema_version that is not a version number: refused before anything is written
    "version-text": (_fixture_with("UPDATE schema_version SET version = 'abc'"), "schema_version holds 'abc'"),
    "version-inf": (_fixture_with("UPDATE schema_version SET version = 'Inf'"), "schema_version holds"),
    "version-blob": (_fixture_with("UPDATE schema_version SET version = X'00'"), "schema_version holds"),
    "version-real": (_fixture_with("UPDATE schema_version SET version = 9e999"), "schema_version holds"),
    "version-negative": (_fixture_with("UPDATE schema_version SET version = -1"), "schema_version holds -1"),
    # a version that does not match the tables: the migration fails, and nothing of it is committed
    # (today's main: switched to WAL and committed schema_version 2 -> 4, or [] -> 1, before refusing)
    "version-2-of-a-v5-file": (_fixture_with("UPDATE schema_version SET version = 2"), "cannot be migrated"),
    "version-4-of-a-v5-file": (_fixture_with("UPDATE schema_version SET version = 4"), "cannot be migrated"),
    "version-row-missing": (_fixture_with("DELETE FROM schema_version"), "cannot be migrated"),
    "version-table-missing": (_fixture_with("DROP TABLE schema_version"), "cannot be migrated"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_file_one_line_exit_2_nothing_written(tmp_path, case):
    make, words = BAD[case]
    folder = tmp_path / "f"
    folder.mkdir()
    path = make(folder)
    before = folder_hashes(folder)
    procs = {"dashboard": _cli(str(path)), "list": _cli("list", "--db", str(path))}
    for name, proc in procs.items():
        code, out, err = _finish(proc)
        lines = err.splitlines()
        assert code == 2, f"{name}: exit {code}, stderr {err!r}"
        assert len(lines) == 1 and lines[0].startswith("issues-tui: error: "), f"{name}: {err!r}"
        assert "Traceback" not in err and out == "", f"{name}: {out!r} {err!r}"
        assert words.lower() in lines[0].lower(), f"{name}: {lines[0]!r} should say {words!r}"
    with pytest.raises(StoreError):  # the store's own read-write open: refused, and nothing written first
        Store.open(path, create=False).close()
    after = folder_hashes(folder)
    assert after == before, f"files changed or appeared: {set(after.items()) ^ set(before.items())}"


@pytest.mark.parametrize("case", ["garbage-pages", "missing-column", "other-sqlite", "truncated"])
async def test_bad_file_in_the_app_is_a_problem_not_a_crash(tmp_path, case):
    """IssuesApp given such a file directly (no CLI check first): a one-line problem, nothing written."""
    make, _ = BAD[case]
    folder = tmp_path / "f"
    folder.mkdir()
    path = make(folder)
    before = folder_hashes(folder)
    app = IssuesApp(path, watch=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause(0.1)
        for _ in range(40):
            if app.problem:
                break
            await pilot.pause(0.1)
        assert app.problem and "\n" not in app.problem
        await pilot.press("j", "1", "r")
        await pilot.pause(0.2)
        assert app.is_running
    assert folder_hashes(folder) == before


# -- newer schema ------------------------------------------------------------------------------------------
def make_v11(d: Path) -> Path:
    path = copy_fixture(d, as_name="v11.db")
    conn = sqlite3.connect(path)
    for col in ("directive_id TEXT", "project_id TEXT", "auto_created INTEGER DEFAULT 0"):
        conn.execute(f"ALTER TABLE issues ADD COLUMN {col}")
    conn.execute("UPDATE issues SET directive_id='dir-7', auto_created=1")
    conn.execute("CREATE TABLE directives (id TEXT PRIMARY KEY, body TEXT)")
    conn.execute("DELETE FROM schema_version")
    conn.execute("INSERT INTO schema_version (version) VALUES (11)")
    conn.commit()
    conn.close()
    return path


async def test_newer_schema_v11_opens_works_and_says_v11(tmp_path):
    path = make_v11(tmp_path)
    code, out, err = _finish(_cli("list", "--db", str(path)))
    assert code == 0 and err == "" and out.strip(), (code, err)
    app = IssuesApp(path, watch=False)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await until(pilot, lambda: app.load_count, what="the first load")
        assert app.problem is None and app.snapshot is not None
        status = "".join(s.text for s in app.query_one("#status").render_line(0))
        assert " v11 " in status, status
        lst = app.query_one(IssueList)
        target = lst.current
        writes = app.writes_done
        await pilot.press("1")  # a write works
        await until(pilot, lambda: app.writes_done > writes, what="the write")
        assert app.writes_done > writes
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(11,)]
        assert conn.execute("SELECT priority, directive_id, auto_created FROM issues WHERE id=?",
                            (target.id,)).fetchone() == ("urgent", "dir-7", 1)
        assert "directives" in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


# -- read-only ---------------------------------------------------------------------------------------------
async def _read_only_app_checks(path: Path, app: IssuesApp, reason: str) -> None:
    folder = path.parent
    before = folder_hashes(folder)
    async with app.run_test(size=(200, 40), notifications=True) as pilot:
        await until(pilot, lambda: app.load_count, what="the first load")
        assert app.problem is None and app.snapshot is not None
        assert app.store.read_only
        status = "".join(s.text for s in app.query_one("#status").render_line(0))
        assert "READ-ONLY" in status and reason in status, status
        for action, params in (("priority", ("urgent",)), ("complete", ()), ("block", ()), ("new_issue", ())):
            assert app.check_action(action, params) is None, f"{action} should be disabled"
        await pilot.press("1", "c", "b", "n", "t", "delete", "z")
        await pilot.pause(0.3)
        assert app.writes_done == 0 and app.screen is app.screen_stack[0]  # no dialog opened
        await pilot.press("j", "k", "A", "R")
        await pilot.pause(0.2)
        assert app.is_running
    after = folder_hashes(folder)
    # Every file that was there is byte-identical. A reader of a WAL file needs the -shm index (SQLite makes
    # it, with an empty -wal, when the folder allows); nothing else may appear, and the -wal holds nothing.
    assert {k: v for k, v in after.items() if k in before} == before
    assert set(after) - set(before) <= {path.name + "-shm", path.name + "-wal"}, after
    wal = folder / (path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


async def test_read_only_flag_opens_read_only_with_reason(tmp_path):
    path = copy_fixture(tmp_path)
    code, out, err = _finish(_cli("--db", str(path), "list"))
    assert code == 0
    await _read_only_app_checks(path, IssuesApp(path, watch=False, read_only=True), "opened read-only")


@NOT_AS_ROOT
async def test_chmod_444_file_opens_read_only(tmp_path):
    path = copy_fixture(tmp_path)
    path.chmod(0o444)
    try:
        await _read_only_app_checks(path, IssuesApp(path, watch=False), "not writable")
    finally:
        path.chmod(0o644)


def _wal_db(folder: Path) -> Path:
    path = copy_fixture(folder, as_name="wal.db")
    with Store.open(path, create=False):  # read-write open: WAL mode, store indexes; closed cleanly
        pass
    assert not (folder / "wal.db-wal").exists()
    return path


@pytest.mark.parametrize("mode", ["wal", "rollback"])
async def test_read_only_folder_read_only_mode(tmp_path, mode):
    """A WAL file with no -wal/-shm beside it (nowhere to create them) and a rollback-journal file, opened
    read-only: data shows, nothing is created or changed."""
    folder = tmp_path / "ro"
    folder.mkdir()
    path = _wal_db(folder) if mode == "wal" else copy_fixture(folder)
    await _read_only_app_checks(path, IssuesApp(path, watch=False, read_only=True), "read-only")
    if mode == "rollback":
        assert not (folder / (path.name + "-wal")).exists() and not (folder / (path.name + "-journal")).exists()


@NOT_AS_ROOT
@pytest.mark.parametrize("mode", ["wal", "rollback"])
async def test_chmod_555_folder(tmp_path, mode):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = _wal_db(folder) if mode == "wal" else copy_fixture(folder)
    before = folder_hashes(folder)
    folder.chmod(0o555)
    try:
        code, out, err = _finish(_cli("list", "--db", str(path)))
        assert code == 0 or (code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err), err
        app = IssuesApp(path, watch=False)
        async with app.run_test(size=(200, 40)) as pilot:
            await until(pilot, lambda: bool(app.load_count or app.problem), what="the first load or a problem")
            assert app.is_running
            assert (app.store is not None and app.store.read_only) or (app.problem and "\n" not in app.problem)
    finally:
        folder.chmod(0o755)
    assert folder_hashes(folder) == before


@pytest.mark.skipif(CHMOD_DENIES, reason="chmod already applies here: the permission tests ran directly")
def test_permission_cases_without_dac_override():
    """As root (the sandbox) the chmod tests above run in a child pytest that lacks CAP_DAC_OVERRIDE, where a
    0444 file and a 0555 folder really are read-only."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([*NO_DAC, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
                           str(Path(__file__)), "-k", "chmod"], capture_output=True, text=True, env=env,
                          cwd=str(ROOT), timeout=300)
    tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr
    assert proc.returncode == 0 and "3 passed" in tail and "skipped" not in tail, proc.stdout[-3000:] + proc.stderr[-2000:]
