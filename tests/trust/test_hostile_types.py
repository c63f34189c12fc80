"""Values of the wrong type (issue 8 items 1, 2 and 10): SQLite keeps text, blobs, fractions and Inf in
INTEGER/REAL columns. Each is mapped by the store to a `Hostile` (never formatted raw, never computed with),
shown as `⚠` + the value made visible in every pane, dialog, toast, the palette and the CLI, and written
as stored by JSON output. An unreadable `schema_version` is one line and exit 2. Invisible format
characters are made visible in the TUI and the CLI alike."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from textual.widgets import Static

from store import Store
from tui.text import visible
from tui.app import IssuesApp
from tui.cli import main, safe_terminal_text
from tui.widgets.detail import DetailPane
from tui.widgets.ready_queue import IssueList
from tui.widgets.sessions import sessions_table

from .test_hostile_pty import _plain, assert_clean, screen_text
from .trust_helpers import (NUM_CLEAR, NUM_OSC52, NUM_TITLE_REPORT, ROOT, SHOWN_NUM_CLEAR, SHOWN_NUM_OSC52,
                            SHOWN_NUM_TITLE, WIDE, close_screen, copy_fixture, dashboard, folder_hashes, open_screen,
                            plant_hostile_types, settled, until)



def _raw_controls(text: str) -> list[str]:
    return [c for c in text if ord(c) < 0x20 and c not in "\n" or 0x7F <= ord(c) <= 0x9F]


# -- the store's row mapping ------------------------------------------------------------------------------
def test_store_maps_every_wrong_typed_value_to_a_hostile(tmp_path):
    from store.hostile import Hostile, is_number
    db = copy_fixture(tmp_path)
    ids = plant_hostile_types(db)
    with Store.open(db, create=False) as s:
        by_id = {i.id: i for i in s.list_issues()}
        sessions = {x.id: x for x in s.list_sessions()}
        projects = s.list_projects()
        events = [e for i in by_id for e in s.issue_events(i)]
    osc = by_id[ids["osc52"]].number
    assert isinstance(osc, Hostile) and osc.raw == NUM_OSC52 and osc == SHOWN_NUM_OSC52
    assert by_id[ids["title"]].number == SHOWN_NUM_TITLE and by_id[ids["clear"]].number == SHOWN_NUM_CLEAR
    assert by_id[ids["blob"]].number == "⚠X'1B5D323B626C6F622070776E656407'"
    assert by_id[ids["blob"]].created_at == "⚠X'1B5B324A'"
    assert by_id[ids["frac"]].number == "⚠1.5" and by_id[ids["inf"]].number == "⚠inf"
    # Formatting a Hostile even raw, as any code might, gives visible text.
    assert f"#{osc}" == "#" + SHOWN_NUM_OSC52 and "\x1b" not in f"{osc}" + str(osc) + "%s" % osc
    assert not is_number(osc) and is_number(7) and not is_number(float("inf"))
    first, second, third = (sessions[i] for i in ids["sessions"][:3])
    assert first.pid == SHOWN_NUM_OSC52 and first.budget_spent == "⚠abc" and first.issues_completed == "⚠many"
    assert second.pid == "⚠X'1B5B324A'" and second.budget_spent == SHOWN_NUM_TITLE
    assert second.issues_completed == "⚠inf"  # 9e999 in an INTEGER column
    assert third.pid == "⚠2.5" and third.budget_spent == float("inf") and third.issues_completed == SHOWN_NUM_CLEAR
    assert sum(p.default_budget == "⚠ten" + visible(NUM_OSC52) for p in projects) == 2
    assert any(e.old_value == "⚠X'1B5B324A'" for e in events) or not events
    # Well-typed values stay plain Python values.
    plain = [x for x in sessions.values() if x.id not in ids["sessions"][:3]]
    assert all(type(x.budget_spent) is float and type(x.issues_completed) is int for x in plain)


def test_sessions_table_renders_every_wrong_typed_value(tmp_path):
    db = copy_fixture(tmp_path)
    plant_hostile_types(db)
    with Store.open(db, create=False) as s:
        sessions, projects = s.list_sessions(), {p.id: p for p in s.list_projects()}
    text = _plain(sessions_table(sessions, projects, 2**62, alive=lambda pid: True))
    assert_clean(text, "the sessions table")
    for shown in (SHOWN_NUM_OSC52, "⚠abc", "⚠many", "⚠inf", "⚠X'1B5B324A'", "⚠2.5"):
        assert shown[:11] in text, (shown, text)  # cells show at most 12 characters of a hostile value


# -- the CLI ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["list"], ["ready"], ["list", "--json"], ["ready", "--json"], ["export", "-o", "-"]])
def test_cli_output_shows_wrong_typed_values_as_visible_text(tmp_path, capsys, argv):
    db = copy_fixture(tmp_path)
    ids = plant_hostile_types(db)
    rc = main([*argv, "--db", str(db)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert not _raw_controls(out), f"raw control characters: {_raw_controls(out)[:5]!r}"
    if "--json" in argv or argv[0] == "export":
        rows = {r["id"]: r for r in json.loads(out)}
        # JSON writes what is stored (json escapes the controls), where JSON can hold it.
        assert rows[ids["osc52"]]["number"] == NUM_OSC52 and rows[ids["title"]]["number"] == NUM_TITLE_REPORT
        assert rows[ids["frac"]]["number"] == 1.5 and rows[ids["inf"]]["number"] == "inf"
    else:
        assert "⚠\\x1b]52;c;cHduZWQ=\\x07" in out and "⚠\\x1b]2;cy pwned\\x07\\x1b[21t" in out
        assert "⚠\\x1b[2J pwned" in out and "⚠1.5" in out


# -- schema_version -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["'abc'", "9e999", "X'00'", "-1", "2.5", "'7' || char(27) || '[2J'"])
def test_unreadable_schema_version_is_one_line_and_exit_2(tmp_path, capsys, value):
    db = copy_fixture(tmp_path)
    conn = sqlite3.connect(db)
    conn.execute(f"UPDATE schema_version SET version = {value}")
    conn.commit()
    conn.close()
    before = folder_hashes(tmp_path)
    rc = main(["list", "--db", str(db)])
    out, err = capsys.readouterr()
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and "schema_version holds " in err and "Traceback" not in err, err
    assert not _raw_controls(err)
    # The dashboard too: one line, exit 2, no traceback (run as the user would, no terminal needed).
    proc = subprocess.run([sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())", str(db)], capture_output=True, text=True, cwd=ROOT,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr[-2000:])
    assert proc.stderr.count("\n") == 1 and "schema_version holds " in proc.stderr, proc.stderr
    assert folder_hashes(tmp_path) == before, "a refused file must be left as it was"


# -- invisible format characters (item 10) -------------------------------------------------------------------
FORMAT_CHARS = ["\u061c", "\u00ad", *map(chr, range(0x2060, 0x2065)), *map(chr, range(0x206A, 0x2070)),
                *map(chr, range(0xFFF9, 0xFFFC)), "\U000E0001", "\U000E0041", "\U000E007F"]


@pytest.mark.parametrize("ch", FORMAT_CHARS, ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_format_characters_are_made_visible_in_tui_and_cli(ch):
    shown = visible(f"a{ch}b")
    assert ch not in shown and shown == f"a<U+{ord(ch):04X}>b"
    assert visible(f"a{ch}b", multiline=True) == shown
    cli = safe_terminal_text(f"a{ch}b")
    assert ch not in cli and cli.startswith("a\\") and cli.endswith("b")


async def test_format_characters_in_a_title_are_visible_on_the_dashboard(tmp_path):
    db = copy_fixture(tmp_path)
    with Store.open(db, create=False) as s:
        issue = s.create_issue("pay\u2060\u00ad\U000E0041ment \u061cok", priority="urgent")
    async with dashboard(db, notifications=False) as (app, pilot):
        app.query_one(IssueList).select_id(issue.id)
        detail = app.query_one(DetailPane)
        await until(pilot, lambda: detail.issue is not None and detail.issue.id == issue.id, what="detail")
        screen = screen_text(app)
        assert "pay<U+2060><U+00AD><U+E0041>ment <U+061C>ok" in screen
        assert not any(c in screen for c in "\u2060\u00ad\U000E0041\u061c")


# -- the dashboard: every pane, dialog, toast and the palette ------------------------------------------------
async def test_every_pane_and_dialog_shows_wrong_typed_values_literally(tmp_path):
    db = copy_fixture(tmp_path)
    ids = plant_hostile_types(db)
    async with dashboard(db) as (app, pilot):
        assert app.problem is None, app.problem
        lst = app.query_one(IssueList)
        detail = app.query_one(DetailPane)
        screen = screen_text(app)
        assert_clean(screen, "the main screen")
        for shown in ("⚠␛]52…", "⚠␛]2;…", "⚠␛[2J…", "⚠1.5", "⚠inf"):  # the list's number column (6 cells)
            assert shown in screen, shown
        for shown in (SHOWN_NUM_OSC52[:11], "⚠abc", "⚠many", "⚠X'1B5B324A'", "⚠ten␛]52"):  # sessions, projects
            assert shown in screen, shown
        for key, shown in (("osc52", SHOWN_NUM_OSC52), ("title", SHOWN_NUM_TITLE), ("clear", SHOWN_NUM_CLEAR)):
            lst.select_id(ids[key])
            await until(pilot, lambda: detail.issue is not None and detail.issue.id == ids[key], what=key)
            head = _plain(detail.query_one("#detail-head", Static).content)
            assert head.startswith("#" + shown), head[:200]
            assert_clean(screen_text(app), f"the detail of {key}")
        # dialogs name the issue by its number: confirm, block prompt, edit heading
        for key, screen_name, close in (("c", "ConfirmScreen", "n"), ("b", "PromptScreen", "escape"),
                                        ("e", "IssueForm", "escape")):
            await open_screen(pilot, key, screen_name, screen_name)
            await pilot.pause(0.1)
            text = screen_text(app)
            assert_clean(text, screen_name)
            assert "#" + SHOWN_NUM_CLEAR in text, (screen_name, text)
            await close_screen(pilot, close, screen_name, f"{screen_name} closed")
        # the palette offers triage on the selected issue, named by its number
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"Complete")
        await until(pilot, lambda: "#" + SHOWN_NUM_CLEAR in screen_text(app), what="the number in the palette")
        assert_clean(screen_text(app), "the palette")
        await pilot.press("escape")
        await pilot.pause(0.2)
        # a write's toast names the issue
        await pilot.press("4")
        await until(pilot, lambda: any(SHOWN_NUM_CLEAR in str(n.message) for n in app._notifications)
                    or app.writes_done > 0, what="the write")
        await pilot.pause(0.5)
        for n in app._notifications:
            assert_clean(str(n.message), "a toast")
        assert_clean(screen_text(app), "the toast")
        assert app.is_running





# -- paths built from data ---------------------------------------------------------------------------------
@pytest.mark.parametrize("number", ["/../../escaped", "nul\x00byte", "../x"])
async def test_external_editor_temp_file_stays_in_tmpdir_whatever_the_number_holds(tmp_path, monkeypatch, number):
    """`E` names its temp file after the issue: a number holding `/../` or NUL must neither crash nor put the
    file outside $TMPDIR. The editor (a script) records the path it was given and writes a new description."""
    import os
    import tempfile
    db = copy_fixture(tmp_path)
    conn = sqlite3.connect(db)
    issue_id = conn.execute("SELECT id FROM issues WHERE status='open' AND ifnull(is_blocked,0)=0 "
                            "ORDER BY number LIMIT 1").fetchone()[0]
    conn.execute("UPDATE issues SET number = ?, priority = 'urgent' WHERE id = ?", (number, issue_id))
    conn.commit()
    conn.close()
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read $TMPDIR
    record = tmp_path / "editor-got.txt"
    script = tmp_path / "editor.py"
    monkeypatch.delenv("VISUAL", raising=False)
    # the editor records the temp path it was given (its last argument), then writes a new description
    script.write_text("import sys\npath, out = sys.argv[-1], sys.argv[1]\nopen(out, 'w').write(path)\n"
                      "open(path, 'w', encoding='utf-8').write('edited\\n')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script} {record}")
    async with dashboard(db) as (app, pilot):
        app.query_one(IssueList).select_id(issue_id)
        await until(pilot, lambda: app.query_one(IssueList).current.id == issue_id, what="the issue")
        writes = app.writes_done
        await pilot.press("E")
        await until(pilot, lambda: app.writes_done > writes, what="the edit to be written")
        assert app.is_running
    got = record.read_text()
    assert os.path.dirname(os.path.realpath(got)) == os.path.realpath(tmp), got
    assert "\x00" not in got and ".." not in os.path.basename(got)
    with Store.open(db, create=False) as s:
        assert s.get_issue_by_id(issue_id).description == "edited\n"


def test_status_line_shows_wrong_typed_counts_and_version_as_visible_text():
    from store import Counts
    from store.hostile import Hostile
    from tui.widgets.status_bar import status_text
    from tui.widgets.view_tabs import tabs_text
    counts = Counts(open=Hostile("abc\x1b[2J"), ready=Hostile(2.5), in_progress=3, blocked=Hostile(b"\x00"),
                    done=Hostile(float("inf")), stale=Hostile("x"), other=0, total=Hostile("many"))
    line = status_text("/p\x1b]0;t\x07.db", Hostile("abc"), "wal", None, counts, None, True, None).plain
    views = tabs_text("ready", counts, [("saved:x", "x", Hostile("odd"))], "", None, None, 0, Hostile("lots"))[0].plain
    for text in (line, views):
        assert_clean(text, "the status line")
    assert "open ⚠abc␛[2J" in line and "blocked ⚠X'00'" in line and "done ⚠inf" in line and "v⚠abc" in line
    assert "Ready ⚠2.5" in views and "All ⚠many" in views and "x ⚠odd" in views


async def test_a_running_dashboard_survives_wrong_typed_rows_written_under_it(tmp_path):
    """One agent inserting such a row used to kill a running dashboard at its next reload."""
    db = copy_fixture(tmp_path)
    app = IssuesApp(db, watch=True)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settled(pilot)
        plant_hostile_types(db)  # another connection, as an agent's process would
        await until(pilot, lambda: "⚠␛]52…" in screen_text(app) and "⚠many" in screen_text(app), timeout=10,
                    what="the live reload to show the wrong-typed values")
        assert app.is_running and app.problem is None, app.problem
        assert_clean(screen_text(app), "the reloaded screen")
