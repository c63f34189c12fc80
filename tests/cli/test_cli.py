"""`issues-tui` CLI: subcommands (add, list, ready, export, import) against real crate fixtures, and hostile
text made safe for the terminal. Bad input is in test_cli_bad_input.py, the dashboard's dispatch and the
installed console script in test_cli_dashboard.py.

Everything runs `tui.cli.main(argv)` in-process (capsys) unless it says otherwise. Fixture DBs are copied to
tmp_path before use.
"""

from __future__ import annotations

import json
import shutil
import sys
import types
import unicodedata


from store import Store
from store.export import issue_to_export
from tui.cli import safe_terminal_text

from .cli_helpers import FIXTURES, UNSAFE, assert_one_line_error, assert_terminal_safe, db_rows, run


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
