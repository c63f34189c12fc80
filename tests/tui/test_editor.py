"""Issue 9 item 3 and issue 8 item 1 (paths): `E` with a missing or failing editor never hangs, $VISUAL wins,
arguments in the variable are honoured, and a hostile issue number never puts the temp file outside $TMPDIR."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from tui.app import IssuesApp
from tui.editor import EditorError, resolve_editor, safe_name, write_temp
from pty_helpers import PtyProcess, plain
from tuitest_helpers import SIZE, issue_list, settle, started, wait_for, quiet_app, select_number
from triage_helpers import all_events

ACTOR = "tui:tester"


def make_app(path, **kw) -> IssuesApp:
    return quiet_app(path, actor=ACTOR, **kw)


def description(path, number: int) -> str | None:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT description FROM issues WHERE number = ?", (number,)).fetchone()[0]
    finally:
        con.close()


def fake_program(folder: Path, name: str, body: str) -> Path:
    """An executable Python script called `name` in `folder` (put on $PATH by the test)."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(f"#!{sys.executable}\n{body}")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


# -- resolving the command (before anything is suspended) ---------------------------------------------
def test_visual_wins_and_arguments_are_kept(tmp_path):
    code = fake_program(tmp_path / "bin", "code", "pass\n")
    env = {"PATH": str(tmp_path / "bin"), "VISUAL": "code --wait", "EDITOR": "/nonexistent/editor"}
    command = resolve_editor(env)
    assert command.argv == [str(code), "--wait"] and command.origin == "$VISUAL"
    env["VISUAL"] = "  "
    with pytest.raises(EditorError) as err:
        resolve_editor(env)
    assert str(err.value) == ("cannot start editor '/nonexistent/editor' ($EDITOR): /nonexistent/editor not found or "
                              "not executable; nothing written")


@pytest.mark.parametrize("value,why", [
    ("'unbalanced", "No closing quotation"),
    ("/etc", "/etc not found or not executable"),  # a folder
    ("no-such-editor-here --flag", "no-such-editor-here not found or not executable"),
])
def test_an_editor_that_cannot_start_is_one_line(value, why, tmp_path):
    with pytest.raises(EditorError) as err:
        resolve_editor({"PATH": str(tmp_path), "EDITOR": value})
    line = str(err.value)
    assert line.startswith("cannot start editor ") and "($EDITOR)" in line and why in line and "\n" not in line


def test_no_editor_at_all_says_what_to_set(tmp_path):
    with pytest.raises(EditorError, match=r"set \$EDITOR"):
        resolve_editor({"PATH": str(tmp_path)})
    fake_program(tmp_path, "nano", "pass\n")
    assert resolve_editor({"PATH": str(tmp_path)}).origin == "default"


@pytest.mark.parametrize("number", ["1/../../../evil", "a\x00b", "../..", "\x1b]52;c;x\x07", "", 12])
def test_temp_file_stays_in_tmpdir(number):
    path, written = write_temp(number, "text\x00 with \udcff surrogate")
    try:
        assert os.path.dirname(path) == tempfile.gettempdir()
        assert os.path.basename(path).startswith("issue-") and path.endswith(".md")
        assert "\x00" not in path and ".." not in os.path.basename(path)
        assert Path(path).read_text(encoding="utf-8") == written
    finally:
        os.unlink(path)
    assert safe_name("1/../x") == "1_x"


# -- in the app -----------------------------------------------------------------------------------------------
async def test_missing_editor_is_one_line_and_nothing_suspends_or_writes(small_db, monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    before = all_events(small_db)
    app = make_app(small_db)
    suspended = []
    monkeypatch.setattr(app, "suspend", lambda: suspended.append(1))  # would fail the `with` if ever entered
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select_number(pilot, 2)
        await pilot.press("E")
        await wait_for(pilot, lambda: any(s == "error" for _m, s in app.notes), what="the error line")
        assert [m for m, s in app.notes if s == "error"] == [
            "cannot start editor '/nonexistent/editor' ($EDITOR): /nonexistent/editor not found or not executable;"
            " nothing written"]
        assert suspended == [] and app.writes_done == 0 and app.is_running
    assert all_events(small_db) == before
    assert description(small_db, 2) == "Details for issue 2.\nSecond line."


async def test_visual_with_arguments_edits(small_db, tmp_path, monkeypatch):
    log = tmp_path / "argv.json"
    fake_program(tmp_path / "bin", "myedit",
                 f"import json, sys\njson.dump(sys.argv[1:], open({str(log)!r}, 'w'))\n"
                 "open(sys.argv[-1], 'w').write('Edited with flags\\n')\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    monkeypatch.setenv("VISUAL", "myedit --wait -n 'two words'")
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select_number(pilot, 2)
        await pilot.press("E")
        await wait_for(pilot, lambda: app.writes_done == 1, what="the edit written")
    args = json.loads(log.read_text())
    assert args[:3] == ["--wait", "-n", "two words"]
    assert os.path.dirname(args[3]) == tempfile.gettempdir() and not os.path.exists(args[3])
    assert description(small_db, 2) == "Edited with flags\n"


async def test_editor_that_fails_to_exec_inside_is_caught(small_db, tmp_path, monkeypatch):
    """The program exists when checked but cannot be executed (no exec permission by the time it runs)."""
    script = fake_program(tmp_path / "bin", "flaky", "pass\n")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(script))
    import tui.editor

    real = tui.editor.resolve_editor

    def resolve_then_break(*a, **kw):
        command = real(*a, **kw)
        script.write_bytes(b"\x7fELF garbage")  # exec now fails with ENOEXEC/permission inside suspend
        script.chmod(0o600)
        return command

    monkeypatch.setattr(tui.editor, "resolve_editor", resolve_then_break)
    before = all_events(small_db)
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await select_number(pilot, 2)
        await pilot.press("E")
        await wait_for(pilot, lambda: any(s == "error" for _m, s in app.notes), what="the error line")
        line = [m for m, s in app.notes if s == "error"][0]
        assert line.startswith(f"cannot start editor '{script}' ($EDITOR): ") and line.endswith("; nothing written")
        assert app.is_running and app.writes_done == 0
    assert all_events(small_db) == before


async def test_hostile_number_keeps_the_temp_file_in_tmpdir(small_db, tmp_path, monkeypatch):
    """issues.number holding `/../` or NUL (SQLite keeps text in an INTEGER column): no crash, file in $TMPDIR."""
    log = tmp_path / "argv.json"
    fake_program(tmp_path / "bin", "rec", f"import json, sys\njson.dump(sys.argv[1:], open({str(log)!r}, 'w'))\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    monkeypatch.setenv("VISUAL", "rec")
    con = sqlite3.connect(small_db)
    issue_id = con.execute("SELECT id FROM issues WHERE number = 2").fetchone()[0]
    con.execute("UPDATE issues SET number = '2/../../../x' || char(0) || 'y' WHERE number = 2")
    con.commit()
    con.close()
    app = make_app(small_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        app.select_issue(issue_id)
        await wait_for(pilot, lambda: issue_list(app).current is not None and issue_list(app).current.id == issue_id,
                       what="the hostile issue selected")
        await settle(pilot)
        await pilot.press("E")
        await wait_for(pilot, lambda: log.exists(), what="the editor to run")
        await wait_for(pilot, lambda: any("unchanged" in m for m, _ in app.notes), what="unchanged")
        assert app.is_running
    path = json.loads(log.read_text())[-1]
    assert os.path.dirname(path) == tempfile.gettempdir()
    assert os.path.basename(path).startswith("issue-2_x_y-")


# -- a real terminal: the app comes back --------------------------------------------------------------------
APP = "import sys; from tui.app import IssuesApp; IssuesApp(sys.argv[1], watch=False).run()"


def test_missing_editor_in_a_real_terminal_returns_to_the_dashboard(small_db, tmp_path):
    env = {"EDITOR": "/nonexistent/editor", "VISUAL": "", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    run = PtyProcess(APP, str(small_db), env=env)
    try:
        assert run.wait_for_text("open 14"), plain(run.text())[-2000:]
        run.send("E", pause=0.5)
        assert run.wait_for_text("cannot start editor"), plain(run.text())[-2000:]
        run.send("q")  # the dashboard still answers keys (a hung suspend would echo this into the shell)
    finally:
        code = run.close()
    assert code == 0
    assert description(small_db, 2) == "Details for issue 2.\nSecond line."


def test_editor_round_trip_in_a_real_terminal(small_db, tmp_path):
    script = fake_program(tmp_path / "bin", "ed", "import sys\nopen(sys.argv[-1], 'w').write('Typed in a real terminal')\n")
    env = {"EDITOR": str(script), "VISUAL": "", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    con = sqlite3.connect(small_db)
    first = con.execute("SELECT number FROM issues WHERE status='open' AND is_blocked=0 ORDER BY "
                        "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, "
                        "created_at LIMIT 1").fetchone()[0]
    con.close()
    run = PtyProcess(APP, str(small_db), env=env)
    try:
        assert run.wait_for_text("open 14"), plain(run.text())[-2000:]
        run.send("E", pause=1.0)
        assert run.wait_for_text("Typed in a real terminal"), plain(run.text())[-2000:]  # the detail shows it
        run.send("q")
    finally:
        code = run.close()
    assert code == 0
    assert description(small_db, first) == "Typed in a real terminal"
