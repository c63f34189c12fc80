"""The XDG config file: default DB, theme, keymap, new-issue defaults; a broken file is reported, not fatal."""

from __future__ import annotations

from tui.config import Config, config_path, load_config


def test_config_path_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_path() == tmp_path / "issues-tui" / "config.toml"


def test_missing_file_gives_defaults(tmp_path):
    cfg = load_config(tmp_path / "nope.toml")
    assert cfg == Config()


def test_values_are_read(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('db = "~/x/autopilot.db"\ntheme = "textual-light"\npoll_seconds = 5\n'
                    '[keymap]\n"issue.complete" = "ctrl+k"\n[new_issue]\npriority = "high"\ntype = "bug"\n'
                    'agent = "claude"\n', encoding="utf-8")
    cfg = load_config(path)
    assert cfg.db.endswith("/x/autopilot.db") and not cfg.db.startswith("~")
    assert cfg.theme == "textual-light" and cfg.poll_seconds == 5.0
    assert cfg.keymap == {"issue.complete": "ctrl+k"}
    assert cfg.new_issue == {"priority": "high", "type": "bug", "agent": "claude"}
    assert cfg.problems == []


def test_broken_file_is_reported_and_defaults_used(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("theme = [unclosed\n", encoding="utf-8")
    cfg = load_config(path)
    assert cfg.theme == Config().theme
    assert len(cfg.problems) == 1 and "using defaults" in cfg.problems[0]


def test_wrong_section_type_is_reported(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('keymap = "b"\n', encoding="utf-8")
    cfg = load_config(path)
    assert cfg.keymap == {} and "[keymap] must be a table" in cfg.problems[0]


async def test_new_issue_defaults_come_from_config(small_db):
    from store import IssueType, Priority
    from tui.app import IssuesApp

    app = IssuesApp(small_db, watch=False, config=Config(new_issue={"priority": "high", "type": "bug", "agent": "claude"}))
    assert app.new_defaults == {"priority": Priority.HIGH, "issue_type": IssueType.BUG, "agent": "claude"}
    bad = IssuesApp(small_db, watch=False, config=Config(new_issue={"priority": "urgnet"}))
    assert bad.new_defaults["priority"] == Priority.MEDIUM
    assert any("urgnet" in p for p in bad.config.problems)  # reported (as a toast on mount), not silent
