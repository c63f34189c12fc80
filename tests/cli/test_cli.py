"""`issues-tui` CLI: subcommands against real crate fixtures, hostile text, and every bad input.

Everything runs `tui.cli.main(argv)` in-process (capsys), except one test that runs the installed
`issues-tui` console script. Fixture DBs are copied to tmp_path before use.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import types
import unicodedata
from pathlib import Path

import pytest

from store import Store
from store.export import issue_to_export
from tui import cli
from tui.cli import main, safe_terminal_text

from .cli_helpers import folder_state, run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


# -- helpers --------------------------------------------------------------------------------------
def copy_fixture(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    shutil.copyfile(FIXTURES / name, dst)
    return dst



def db_rows(path: Path) -> tuple[int, int, int]:
    """(issues, events, next_number) read with plain sqlite3, read-only."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return (conn.execute("SELECT count(*) FROM issues").fetchone()[0],
                conn.execute("SELECT count(*) FROM issue_events").fetchone()[0],
                conn.execute("SELECT next_number FROM issue_counter WHERE id = 1").fetchone()[0])
    finally:
        conn.close()


def assert_one_line_error(rc: int, out: str, err: str) -> None:
    assert rc == 2, (rc, out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("issues-tui: error: "), err
    assert err.endswith("\n")


UNSAFE = [chr(c) for c in range(0x20)] + [chr(0x7F)] + [chr(c) for c in range(0x80, 0xA0)] + ["\u202e", "\u2066"]


def assert_terminal_safe(text: str) -> None:
    body = text.replace("\n", "")  # our own line breaks
    for ch in UNSAFE:
        assert ch not in body, f"raw {ch!r} reached the terminal"


@pytest.fixture
def small_db(tmp_path) -> Path:
    return copy_fixture(tmp_path, "crate-v5-small.db")


@pytest.fixture
def new_db(tmp_path) -> Path:
    return tmp_path / "new.db"


# -- safe_terminal_text -----------------------------------------------------------------------------
def test_safe_terminal_text_makes_controls_visible():
    hostile = "a\x1b]52;c;SGVsbG8=\x07b\x9b31m\x7f\r\n\t\u202eevil\u2066\udcff"
    shown = safe_terminal_text(hostile)
    assert shown == "a\\x1b]52;c;SGVsbG8=\\x07b\\x9b31m\\x7f\\r\\n\\t\\u202eevil\\u2066\\udcff"
    for ch in shown:
        assert unicodedata.category(ch) not in ("Cc", "Cs"), repr(ch)
    assert safe_terminal_text("Plain [bold]text[/] ünïcødé 日本 🙂") == "Plain [bold]text[/] ünïcødé 日本 🙂"
    assert safe_terminal_text(None) == ""


def test_every_control_char_is_escaped():
    for ch in UNSAFE:
        assert ch not in safe_terminal_text(f"x{ch}y")


# -- add ---------------------------------------------------------------------------------------------
def test_add_creates_db_and_issue(capsys, new_db):
    rc, out, err = run(capsys, "add", "Fix the counter", "-d", "Line one\nline two", "-p", "high", "-t", "bug",
                       "-a", "claude", "--db", str(new_db))
    assert (rc, err) == (0, "")
    assert out == "Created issue #1: Fix the counter (agent: claude)\n"
    rc, out, _ = run(capsys, "--db", str(new_db), "add", "  Second one  ")
    assert rc == 0 and out == "Created issue #2: Second one (agent: codex)\n"

    with Store.open(new_db, create=False) as st:
        one, two = st.list_issues()
        assert (one.number, one.title, one.description) == (1, "Fix the counter", "Line one\nline two")
        assert (str(one.priority), str(one.issue_type), one.agent, str(one.status)) == ("high", "bug", "claude", "open")
        assert (two.number, two.title, str(two.priority), str(two.issue_type), two.agent) == \
            (2, "Second one", "medium", "task", "codex")
        events = st.issue_events(one.id)
        assert [e.event_type for e in events] == ["created"]
        assert events[0].actor.startswith("cli:")
        assert events[0].new_value == "Fix the counter"
    assert db_rows(new_db) == (2, 2, 3)


def test_add_priority_and_type_are_case_insensitive(capsys, new_db):
    rc, _, err = run(capsys, "add", "Loud", "-p", "URGENT", "-t", "Feature", "--db", str(new_db))
    assert (rc, err) == (0, "")
    with Store.open(new_db, create=False) as st:
        (issue,) = st.list_issues()
    assert (str(issue.priority), str(issue.issue_type)) == ("urgent", "feature")


def test_add_to_crate_fixture_continues_numbering(capsys, small_db):
    before = db_rows(small_db)
    rc, out, _ = run(capsys, "add", "After the crate", "--db", str(small_db))
    assert rc == 0
    assert out == f"Created issue #{before[2]}: After the crate (agent: codex)\n"
    assert db_rows(small_db)[0] == before[0] + 1
    assert db_rows(small_db)[2] == before[2] + 1


def test_add_hostile_title_printed_escaped_stored_raw(capsys, new_db):
    title = "Pwn \x1b]0;owned\x07 \x9b2J [bold]x[/]"
    rc, out, _ = run(capsys, "add", title, "--db", str(new_db))
    assert rc == 0
    assert_terminal_safe(out)
    assert "\\x1b]0;owned\\x07" in out and "\\x9b2J" in out and "[bold]x[/]" in out
    with Store.open(new_db, create=False) as st:
        assert st.list_issues()[0].title == title
    rc, out, _ = run(capsys, "list", "--db", str(new_db))
    assert rc == 0
    assert_terminal_safe(out)
    rc, out, _ = run(capsys, "ready", "--json", "--db", str(new_db))
    assert rc == 0
    assert_terminal_safe(out)
    assert json.loads(out)[0]["title"] == title  # same JSON value, escaped on the wire


def test_db_option_positions_env_and_default(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ISSUES_DB", raising=False)
    assert run(capsys, "add", "default path")[0] == 0
    assert (tmp_path / "autopilot.db").exists()
    monkeypatch.setenv("ISSUES_DB", str(tmp_path / "env.db"))
    assert run(capsys, "add", "env path")[0] == 0
    assert db_rows(tmp_path / "env.db")[0] == 1
    assert run(capsys, "--db", "before.db", "add", "before")[0] == 0
    assert run(capsys, "add", "after", "--db", "after.db")[0] == 0
    assert run(capsys, "add", "--db=eq.db", "equals")[0] == 0
    for name in ("before.db", "after.db", "eq.db"):
        assert db_rows(tmp_path / name)[0] == 1
    assert db_rows(tmp_path / "autopilot.db")[0] == 1
    rc, out, _ = run(capsys, "list")  # $ISSUES_DB again
    assert rc == 0 and "env path" in out


# -- list / ready ------------------------------------------------------------------------------------
def _table_numbers(out: str) -> list[int]:
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["#", "STATUS"]
    return [int(line.split()[0]) for line in lines[1:]]


def test_list_matches_store(capsys, small_db):
    with Store.open(small_db, create=False) as st:
        everything = st.list_issues()
        opened = st.list_issues("open")
        done = st.list_issues("done")
    rc, out, err = run(capsys, "list", "--db", str(small_db))
    assert (rc, err) == (0, "")
    assert _table_numbers(out) == [i.number for i in everything]
    assert _table_numbers(run(capsys, "list", "-s", "open", "--db", str(small_db))[1]) == [i.number for i in opened]
    assert _table_numbers(run(capsys, "list", "--status", "done", "--db", str(small_db))[1]) == [i.number for i in done]
    blocked_rows = [line for line in out.splitlines()[1:] if " blocked " in f" {line} "]
    assert len(blocked_rows) == sum(1 for i in everything if i.is_blocked)


def test_list_json_is_export_shape(capsys, small_db):
    rc, out, _ = run(capsys, "list", "--json", "--db", str(small_db))
    assert rc == 0
    expected = json.loads((FIXTURES / "crate-v5-small.export-all.json").read_text(encoding="utf-8"))
    assert json.loads(out) == expected
    rc, out, _ = run(capsys, "list", "-s", "in_progress", "--json", "--db", str(small_db))
    assert rc == 0
    assert json.loads(out) == [e for e in expected if e["status"] == "inprogress"]


def test_ready_matches_store_ready_queue(capsys, small_db):
    with Store.open(small_db, create=False) as st:
        queue = st.ready_queue(limit=20)
        queue_all = st.ready_queue(limit=1000)
        codex = st.ready_queue(agent="codex", limit=20)
        now = st._now()
    assert queue, "fixture should have ready issues"
    rc, out, _ = run(capsys, "ready", "--db", str(small_db))
    assert rc == 0 and _table_numbers(out) == [i.number for i in queue]
    rc, out, _ = run(capsys, "ready", "-n", "1000", "--db", str(small_db))
    assert _table_numbers(out) == [i.number for i in queue_all]
    rc, out, _ = run(capsys, "ready", "-n", "3", "--db", str(small_db))
    assert _table_numbers(out) == [i.number for i in queue[:3]]
    rc, out, _ = run(capsys, "--db", str(small_db), "ready", "-a", "codex")
    assert _table_numbers(out) == [i.number for i in codex]
    rc, out, _ = run(capsys, "ready", "-a", "codex", "--json", "--db", str(small_db))
    assert json.loads(out) == [issue_to_export(i, now) for i in codex]


def test_ready_and_list_on_empty_db(capsys, new_db):
    rc, out, _ = run(capsys, "list", "--create", "--db", str(new_db))
    assert (rc, out) == (0, "No issues found\n")
    assert db_rows(new_db) == (0, 0, 1)
    assert run(capsys, "ready", "--db", str(new_db)) == (0, "No ready issues available\n", "")
    assert run(capsys, "ready", "--json", "--db", str(new_db)) == (0, "[]\n", "")


def test_reading_commands_create_zero_byte_file_only_with_create(capsys, tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for command in ("list", "ready", "export"):
        rc, out, err = run(capsys, command, "--db", str(empty))
        assert_one_line_error(rc, out, err)
        assert empty.stat().st_size == 0
    rc, _, _ = run(capsys, "list", "--create", "--db", str(empty))
    assert rc == 0 and empty.stat().st_size > 0


def test_writing_command_initialises_zero_byte_file(capsys, tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert run(capsys, "add", "first", "--db", str(empty))[0] == 0
    assert db_rows(empty)[0] == 1


# -- export / import ---------------------------------------------------------------------------------
def test_export_include_completed_is_byte_identical_to_crate(capsys, small_db, tmp_path):
    out_file = tmp_path / "deep" / "er" / "issues.json"
    rc, out, err = run(capsys, "export", "--include-completed", "-o", str(out_file), "--db", str(small_db))
    assert (rc, err) == (0, "")
    assert out.startswith("Exported 29 issues to ")
    assert out_file.read_bytes() == (FIXTURES / "crate-v5-small.export-all.json").read_bytes()


def test_export_default_path_and_open_only(capsys, small_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, _, _ = run(capsys, "export", "--db", str(small_db))
    assert rc == 0
    assert (tmp_path / ".openagents" / "issues.json").read_bytes() == \
        (FIXTURES / "crate-v5-small.export-open.json").read_bytes()


def test_export_to_stdout_is_exact(capsys, small_db):
    rc, out, _ = run(capsys, "export", "-o", "-", "--include-completed", "--db", str(small_db))
    assert rc == 0
    assert out == (FIXTURES / "crate-v5-small.export-all.json").read_text(encoding="utf-8")  # no trailing newline


def test_import_round_trip(capsys, small_db, tmp_path):
    exported = tmp_path / "x.json"
    assert run(capsys, "export", "--include-completed", "-o", str(exported), "--db", str(small_db))[0] == 0
    target = tmp_path / "restored.db"
    rc, out, err = run(capsys, "import", "-i", str(exported), "--db", str(target))
    assert (rc, err) == (0, "")
    assert out == "Imported: 29, Updated: 0, Skipped: 0\n"
    again = tmp_path / "again.json"
    assert run(capsys, "export", "--include-completed", "-o", str(again), "--db", str(target))[0] == 0
    assert again.read_bytes() == exported.read_bytes()
    issues, events, counter = db_rows(target)
    assert issues == 29 and events == 29 and counter == db_rows(small_db)[2]
    assert run(capsys, "import", "-i", str(exported), "--db", str(target))[1] == "Imported: 0, Updated: 0, Skipped: 29\n"
    assert run(capsys, "import", "-i", str(exported), "--force", "--db", str(target))[1] == \
        "Imported: 0, Updated: 29, Skipped: 0\n"


def test_import_default_path_and_stdin(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".openagents").mkdir()
    shutil.copyfile(FIXTURES / "crate-v5-small.export-open.json", tmp_path / ".openagents" / "issues.json")
    rc, out, _ = run(capsys, "import", "--db", "a.db")
    assert rc == 0
    n_open = len(json.loads((FIXTURES / "crate-v5-small.export-open.json").read_text(encoding="utf-8")))
    assert out == f"Imported: {n_open}, Updated: 0, Skipped: 0\n"
    data = (FIXTURES / "crate-v5-small.export-all.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=__import__("io").BytesIO(data)))
    rc, out, _ = run(capsys, "import", "-i", "-", "--db", "a.db")
    n_all = len(json.loads(data))
    assert (rc, out) == (0, f"Imported: {n_all - n_open}, Updated: 0, Skipped: {n_open}\n")


# -- bad input: exit 2, one line, nothing written ----------------------------------------------------
BAD_ADD = [
    (["add", "x", "-p", "urgnet"], "priority"),
    (["add", "x", "-t", "epic"], "type"),
    (["add", ""], "title"),
    (["add", "   \t "], "title"),
    (["add", "x" * 201], "200"),
    (["add", "x", "-d", "y" * 10_001], "description"),
    (["add", "x", "-a", "  "], "agent"),
    (["add", "x\udcff"], "UTF-8"),
    (["list", "-s", "blocked"], "status"),
    (["list", "-s", ""], "status"),
    (["ready", "-n", "0"], "at least 1"),
    (["ready", "-n", "lots"], "whole number"),
    (["ready", "--bogus"], "unrecognized"),
    (["add"], "required"),
    (["frobnicate", "--db", "DB"], "two databases"),  # dashboard form: a path and a different --db
]


@pytest.mark.parametrize("argv,needle", BAD_ADD, ids=[" ".join(a)[:30] for a, _ in BAD_ADD])
def test_bad_values_on_existing_db(capsys, tmp_path, argv, needle):
    db = tmp_path / "x.db"
    assert run(capsys, "add", "existing", "--db", str(db))[0] == 0
    before_rows, before_files = db_rows(db), folder_state(tmp_path)
    argv = [str(db) if a == "DB" else a for a in argv]
    rc, out, err = run(capsys, *argv) if "--db" in argv else run(capsys, *argv, "--db", str(db))
    assert_one_line_error(rc, out, err)
    assert needle in err
    assert db_rows(db) == before_rows
    assert folder_state(tmp_path) == before_files


@pytest.mark.parametrize("argv", [a for a, _ in BAD_ADD if a[0] == "add"], ids=lambda a: " ".join(a)[:30])
def test_bad_add_never_creates_a_file(capsys, tmp_path, argv):
    rc, out, err = run(capsys, *argv, "--db", str(tmp_path / "never.db"))
    assert_one_line_error(rc, out, err)
    assert list(tmp_path.iterdir()) == []


def _other_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.commit()
    conn.close()


NOT_ISSUES = {
    "png": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
    "text": lambda p: p.write_text("just some notes\n"),
    "other-sqlite": _other_sqlite,
    "truncated-sqlite": lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20),
}


@pytest.mark.parametrize("kind", sorted(NOT_ISSUES))
@pytest.mark.parametrize("command", [["add", "t"], ["list"], ["list", "--create"], ["ready"], ["export", "-o", "-"],
                                     ["import", "-i", "IMPORT"]], ids=lambda c: "-".join(c[:2]))
def test_not_an_issues_db_is_never_touched(capsys, tmp_path, kind, command):
    target = tmp_path / "db" / "victim.db"
    target.parent.mkdir()
    NOT_ISSUES[kind](target)
    src = tmp_path / "in.json"
    shutil.copyfile(FIXTURES / "crate-v5-small.export-open.json", src)
    command = [str(src) if c == "IMPORT" else c for c in command]
    before = folder_state(target.parent)
    rc, out, err = run(capsys, *command, "--db", str(target))
    assert_one_line_error(rc, out, err)
    assert folder_state(target.parent) == before  # not one byte changed, no -journal/-wal left behind


@pytest.mark.parametrize("command", [["list"], ["ready"], ["export"], ["list", "--json"]])
def test_reading_commands_refuse_missing_path(capsys, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(capsys, *command, "--db", "missing.db")
    assert_one_line_error(rc, out, err)
    assert "does not exist" in err
    assert list(tmp_path.iterdir()) == []


BAD_IMPORT = {
    "missing-file": None,
    "not-json": "[{",
    "not-array": '{"id": "x"}',
    "bad-status": "STATUS",
    "missing-agent": "AGENT",
    "not-utf8": b"\xff\xfe[]",
    "directory": "DIR",
}


def _bad_import_file(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "in" / f"{kind}.json"
    path.parent.mkdir(exist_ok=True)
    content = BAD_IMPORT[kind]
    if content is None:
        return path
    if content == "DIR":
        path.mkdir()
        return path
    if content in ("STATUS", "AGENT"):
        rows = json.loads((FIXTURES / "crate-v5-small.export-open.json").read_text(encoding="utf-8"))
        if content == "STATUS":
            rows[-1]["status"] = "blocked"
        else:
            del rows[-1]["agent"]
        content = json.dumps(rows)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


@pytest.mark.parametrize("kind", sorted(BAD_IMPORT))
def test_bad_import_changes_nothing(capsys, tmp_path, kind):
    src = _bad_import_file(tmp_path, kind)
    db_dir = tmp_path / "db"
    db_dir.mkdir()
    # 1. into a DB that does not exist yet: it is not created
    rc, out, err = run(capsys, "import", "-i", str(src), "--db", str(db_dir / "new.db"))
    assert_one_line_error(rc, out, err)
    assert list(db_dir.iterdir()) == []
    # 2. into an existing DB: not one byte changes
    db = copy_fixture(db_dir, "crate-v5-small.db")
    before = folder_state(db_dir)
    rc, out, err = run(capsys, "import", "-i", str(src), "--db", str(db))
    assert_one_line_error(rc, out, err)
    assert folder_state(db_dir) == before


def test_import_number_clash_rolls_back(capsys, tmp_path):
    db = tmp_path / "x.db"
    assert run(capsys, "add", "mine", "--db", str(db))[0] == 0  # takes number 1
    rows = json.loads((FIXTURES / "crate-v5-small.export-all.json").read_text(encoding="utf-8"))
    src = tmp_path / "in.json"
    src.write_text(json.dumps(rows), encoding="utf-8")  # contains another issue numbered 1
    before = db_rows(db)
    rc, out, err = run(capsys, "import", "-i", str(src), "--db", str(db))
    assert_one_line_error(rc, out, err)
    assert "nothing was imported" in err
    assert db_rows(db) == before


def test_export_into_directory_is_an_error(capsys, small_db, tmp_path):
    rc, out, err = run(capsys, "export", "-o", str(tmp_path), "--db", str(small_db))
    assert_one_line_error(rc, out, err)


def test_help_exits_zero(capsys):
    assert main(["--help"]) == 0
    assert "usage: issues-tui" in capsys.readouterr().out
    assert main(["add", "--help"]) == 0
    assert "TITLE" in capsys.readouterr().out


# -- dashboard dispatch ------------------------------------------------------------------------------
@pytest.fixture
def fake_app(monkeypatch):
    calls = []
    module = types.ModuleType("tui.app")

    def run_dashboard(**kwargs):
        calls.append(kwargs)
        return 0

    module.run_dashboard = run_dashboard
    monkeypatch.setitem(sys.modules, "tui.app", module)
    return calls


@pytest.mark.parametrize("argv,expected", [
    ([], {"db_path": None, "create": False, "demo": False}),  # the dashboard resolves config/$ISSUES_DB/default
    (["path/to.db"], {"db_path": "path/to.db", "create": False, "demo": False}),
    (["--demo"], {"db_path": None, "create": False, "demo": True}),
    (["--db", "f.db"], {"db_path": "f.db", "create": False, "demo": False}),
    (["f.db", "--create"], {"db_path": "f.db", "create": True, "demo": False}),
    (["--create", "--db", "list.db"], {"db_path": "list.db", "create": True, "demo": False}),
    (["--", "add"], {"db_path": "add", "create": False, "demo": False}),
    (["x.db", "--read-only"], {"db_path": "x.db", "create": False, "demo": False, "read_only": True}),
])
def test_dashboard_arguments(capsys, fake_app, monkeypatch, argv, expected):
    monkeypatch.delenv("ISSUES_DB", raising=False)
    assert main(argv) == 0
    assert fake_app == [expected]


def test_dashboard_leaves_default_to_the_app(fake_app, monkeypatch):
    monkeypatch.setenv("ISSUES_DB", "/tmp/env-issues.db")
    assert main([]) == 0
    assert fake_app[0]["db_path"] is None  # run_dashboard: config file, then $ISSUES_DB, then ./autopilot.db


def test_dashboard_typo_is_not_a_db_path(capsys, fake_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(capsys, "lsit")
    assert_one_line_error(rc, out, err)
    assert "'list'" in err and fake_app == []


def test_dashboard_not_available(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tui.app", None)  # import raises ImportError
    rc = main(["--demo"])
    out, err = capsys.readouterr()
    assert rc == 2 and out == ""
    assert err == "issues-tui: the dashboard is not available\n"


# -- the installed console script ---------------------------------------------------------------------
def test_installed_script(tmp_path):
    script = Path(sys.executable).parent / "issues-tui"
    if not script.exists():
        found = shutil.which("issues-tui")
        if not found:
            pytest.skip("issues-tui console script is not installed")
        script = Path(found)
    env = {**os.environ, "ISSUES_DB": str(tmp_path / "s.db")}
    env.pop("PYTHONWARNINGS", None)

    def sh(*argv):
        return subprocess.run([str(script), *argv], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)

    r = sh("add", "From \x1b[1mthe shell", "-p", "urgent")
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "Created issue #1: From \\x1b[1mthe shell (agent: codex)\n"
    r = sh("ready", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)[0]["priority"] == "urgent"
    r = sh("add", "x", "-p", "urgnet")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("issues-tui: error: ") and len(r.stderr.splitlines()) == 1
    assert "Traceback" not in r.stderr
    r = sh("list", "--db", str(tmp_path / "missing.db"))
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1
    assert not (tmp_path / "missing.db").exists()
    assert db_rows(tmp_path / "s.db")[0] == 1


@pytest.mark.parametrize("argv", [
    ["--read-only", "--create", "new.db"],
    ["--create", "--read-only", "--db", "new.db"],
    ["--demo", "--create"],
    ["--demo", "x.db"],
])
def test_dashboard_contradicting_flags_are_one_line(capsys, fake_app, tmp_path, monkeypatch, argv):
    """`--read-only --create PATH` used to start the dashboard (and, with no terminal, hang): now one line, exit 2,
    the dashboard never starts and nothing is created."""
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(capsys, *argv)
    assert_one_line_error(rc, out, err)
    assert fake_app == [] and list(tmp_path.iterdir()) == []


def test_read_only_create_script_does_not_hang(tmp_path):
    """The real console script with no terminal: exits at once with the one line, creates nothing."""
    r = subprocess.run([sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))",
                        "--read-only", "--create", str(tmp_path / "new.db")],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30, cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("issues-tui: error: --read-only and --create") and len(r.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
