"""`issues-tui` with no subcommand: the arguments handed to the dashboard (a fake tui.app), flags that
contradict each other, and the installed console script run as a subprocess.

Everything runs `tui.cli.main(argv)` in-process (capsys) unless it says otherwise. Fixture DBs are copied to
tmp_path before use.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from tui.cli import main

from .cli_helpers import assert_one_line_error, db_rows, run


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
