"""The XDG config file: default DB, theme, keymap, new-issue defaults; a broken file is reported, not fatal."""

from __future__ import annotations

import pytest

from tui.config import Config, config_path, load_config


def test_config_path_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_path() == tmp_path / "issues-tui" / "config.toml"


def test_missing_file_gives_defaults(tmp_path):
    cfg = load_config(tmp_path / "nope.toml")
    assert cfg == Config(path=tmp_path / "nope.toml") and cfg.problems == []


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
    assert str(path) in cfg.problems[0] and "line 1" in cfg.problems[0]


def test_wrong_section_type_is_reported(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('keymap = "b"\n', encoding="utf-8")
    cfg = load_config(path)
    assert cfg.keymap == {} and "[keymap]: must be a table" in cfg.problems[0]


async def test_new_issue_defaults_come_from_config(small_db):
    from store import IssueType, Priority
    from tui.app import IssuesApp

    app = IssuesApp(small_db, watch=False, config=Config(new_issue={"priority": "high", "type": "bug", "agent": "claude"}))
    assert app.new_defaults == {"priority": Priority.HIGH, "issue_type": IssueType.BUG, "agent": "claude"}
    bad = IssuesApp(small_db, watch=False, config=Config(new_issue={"priority": "urgnet"}))
    assert bad.new_defaults["priority"] == Priority.MEDIUM
    assert any("urgnet" in p for p in bad.config.problems)  # reported (as a toast on mount), not silent


@pytest.mark.parametrize("text,key,fallback", [
    ('poll_seconds = "fast"\n', "poll_seconds", ("poll_seconds", 2.0)),
    ("poll_seconds = -1\n", "poll_seconds", ("poll_seconds", 2.0)),
    ("poll_seconds = nan\n", "poll_seconds", ("poll_seconds", 2.0)),
    ("poll_seconds = true\n", "poll_seconds", ("poll_seconds", 2.0)),
    ("theme = 3\n", "theme", ("theme", "textual-dark")),
    ("db = 7\n", "db", ("db", None)),
    ('them = "textual-light"\n', "them", ("theme", "textual-dark")),
    ('[keymap]\n"issue.block" = 2\n', "'issue.block'", ("keymap", {})),
    ('[new_issue]\npriorty = "high"\n', "'priorty'", ("new_issue", {})),
])
def test_each_bad_value_names_the_file_and_the_key(tmp_path, text, key, fallback):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    cfg = load_config(path)
    assert len(cfg.problems) == 1, cfg.problems
    assert cfg.problems[0].startswith(f"config {path}: ") and key in cfg.problems[0]
    assert getattr(cfg, fallback[0]) == fallback[1]


def test_unknown_theme_and_keymap_id_are_named(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord-ish"\n[keymap]\n"issue.blok" = "B"\n"issue.complete" = "ctrl+k"\n')
    cfg = load_config(path)
    cfg.check({"textual-dark", "nord"}, {"issue.block", "issue.complete"})
    assert cfg.theme == "textual-dark" and cfg.keymap == {"issue.complete": "ctrl+k"}
    assert [p.split(": ")[1] for p in cfg.problems] == ["theme", "[keymap] 'issue.blok'"]
    assert all(p.startswith(f"config {path}: ") for p in cfg.problems)
    assert "did you mean 'issue.block'" in cfg.problems[1]


BROKEN = {
    "syntax": ("theme = [unclosed\n", ["not valid TOML", "line 1"]),
    "theme": ('theme = "no-such-theme"\n', ["theme", "no-such-theme"]),
    "poll": ('poll_seconds = "2s"\n', ["poll_seconds", "'2s'"]),
    "keymap": ('[keymap]\n"issue.frobnicate" = "F"\n"issue.complete" = "K"\n', ["[keymap] 'issue.frobnicate'"]),
    "new_issue": ('[new_issue]\npriority = "urgnet"\n', ["[new_issue] 'priority'", "urgnet"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
async def test_broken_config_is_named_at_start_and_the_dashboard_opens(small_db, tmp_path, case):
    from tuitest_helpers import SIZE, numbers, started
    from tui.app import IssuesApp

    text, needles = BROKEN[case]
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    app = IssuesApp(small_db, watch=False, config=load_config(path))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        assert numbers(app)  # the dashboard is open on the file's issues
        shown = [n.message for n in app._notifications]
        assert len(shown) == 1, shown
        assert str(path) in shown[0] and all(n in shown[0] for n in needles), shown[0]
        if case == "keymap":  # the good entries still apply
            assert ("K", "issue.complete") in [(key, bid) for key, _d, bid in app.binding_rows()]
