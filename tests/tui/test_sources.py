"""Which files a multi-repo dashboard shows and what each is called (tui/sources.py; no app here)."""

from __future__ import annotations

from pathlib import Path

from tui.sources import repo_name, resolve_db, sources_from_config, specs, unique_names


def test_folder_argument_finds_the_autopilot_db(tmp_path):
    repo = tmp_path / "api"
    (repo / ".openagents").mkdir(parents=True)
    assert resolve_db(repo) == repo / ".openagents" / "autopilot.db"
    assert resolve_db(repo / ".openagents") == repo / ".openagents" / "autopilot.db"
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "autopilot.db").write_bytes(b"")
    assert resolve_db(flat) == flat / "autopilot.db"  # a folder that holds the DB itself
    assert resolve_db(tmp_path / "A.db") == tmp_path / "A.db"


def test_repo_name_is_the_folder_holding_openagents_else_the_file_name(tmp_path):
    assert repo_name(tmp_path / "api" / ".openagents" / "autopilot.db") == "api"
    assert repo_name(tmp_path / "B.db") == "B.db"


def test_names_are_made_unique_with_parent_folders():
    paths = [Path("/home/me/work/api/.openagents/autopilot.db"), Path("/home/me/play/api/.openagents/autopilot.db"),
             Path("/srv/x.db"), Path("/tmp/x.db"), Path("/home/me/web/.openagents/autopilot.db")]
    assert unique_names(paths) == ["work/api", "play/api", "srv/x.db", "tmp/x.db", "web"]
    assert unique_names([Path("/a/x.db"), Path("/b/y.db")], ["same", "same"]) == ["same#1", "same#2"]


def test_specs_keep_order_drop_the_same_file_twice_and_keep_given_names(tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    got = specs([a, b, tmp_path / "." / "a.db"], ["alpha", None, None])
    assert [(s.path, s.name) for s in got] == [(a, "alpha"), (b, "b.db")]


def test_config_sources_entries_and_problems():
    value = [{"path": "~/code/api", "name": "api"}, "/srv/b.db", {"name": "no path"}, 5,
             {"path": "/c.db", "name": "", "colour": "red"}]
    got, problems = sources_from_config(value, "config X")
    assert got[0][1] == "api" and not got[0][0].startswith("~")
    assert got[1:] == [("/srv/b.db", None), ("/c.db", None)]
    assert len(problems) == 4
    assert any("#3" in p and "needs `path" in p for p in problems)
    assert any("#4" in p for p in problems)
    assert any("#5" in p and "colour" in p for p in problems)
    assert any("#5" in p and "`name`" in p for p in problems)
    assert sources_from_config({"path": "x"}, "c")[1] == ["c: sources: must be a list of [[sources]] tables; ignored"]
