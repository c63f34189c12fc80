"""User config: `$XDG_CONFIG_HOME/issues-tui/config.toml` (default DB, theme, key remapping by binding id,
defaults for new issues). A broken file is reported, never fatal: each problem is one line naming the file and
the key, the value falls back to its default, and the dashboard still opens.

    db = "~/code/project/autopilot.db"
    theme = "textual-light"
    poll_seconds = 2.0
    [keymap]
    "issue.block" = "B"
    [new_issue]
    priority = "high"
    type = "bug"
    agent = "claude"
    [[sources]]                     # several repos in one dashboard (when no DB is given)
    path = "~/code/api"             # a DB file, or a repo folder (its .openagents/autopilot.db)
    name = "api"                    # optional; default: the repo folder's name
"""

from __future__ import annotations

import difflib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .alerts import load_alert_config
from .columns import parse_columns
from .saved_views import parse_views

DEFAULT_THEME = "textual-dark"
DEFAULT_POLL_S = 2.0
KNOWN_KEYS = ("db", "theme", "poll_seconds", "keymap", "new_issue", "my_runs", "columns", "views", "alerts", "sources")
NEW_ISSUE_KEYS = ("priority", "type", "agent")


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "issues-tui" / "config.toml"


@dataclass
class Config:
    db: str | None = None
    theme: str = DEFAULT_THEME
    keymap: dict[str, str] = field(default_factory=dict)
    new_issue: dict[str, str] = field(default_factory=dict)
    poll_seconds: float = DEFAULT_POLL_S
    problems: list[str] = field(default_factory=list)
    sources: list[tuple[str, str | None]] = field(default_factory=list)  # [[sources]]: (path, name or None)
    path: Path | None = field(default=None, compare=False)  # the file it was read from (named in every problem;
    # the palette's "Save view" appends there)
    my_runs: tuple[str, ...] = ()  # `is:mine`: run ids (globs allowed) that are "me"
    columns: dict = field(default_factory=dict)  # view -> columns.Layout (tui/columns.py)
    views: list = field(default_factory=list)  # [[views]] as saved_views.SavedView
    alerts: object = None  # alerts.AlertConfig (None: the defaults)

    def problem(self, key: str, message: str) -> None:
        where = f"config {self.path}" if self.path is not None else "config"
        self.problems.append(f"{where}: {key}: {message}")

    def check(self, themes: Iterable[str], binding_ids: Iterable[str]) -> None:
        """The checks that need the app: the theme must exist and every keymap id must name a binding."""
        self.check_theme(themes)
        self.check_keymap(binding_ids)

    def check_theme(self, themes: Iterable[str]) -> None:
        """A theme that does not exist is named and falls back to the default."""
        themes = set(themes)
        if self.theme not in themes:
            self.problem("theme", f"unknown theme {self.theme!r}{_did_you_mean(self.theme, themes)}; "
                                  f"using {DEFAULT_THEME}")
            self.theme = DEFAULT_THEME

    def check_keymap(self, binding_ids: Iterable[str]) -> None:
        """A keymap id that names no binding is named and dropped (the rest still apply)."""
        ids = set(binding_ids)
        for binding_id in list(self.keymap):
            if binding_id not in ids:
                self.problem(f"[keymap] {binding_id!r}", f"no key has this id{_did_you_mean(binding_id, ids)}; "
                                                         "ignored (`?` lists the ids)")
                del self.keymap[binding_id]


def _did_you_mean(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    cfg = Config(path=path)
    import tomllib  # (here: the dashboard's start-up imports this module; only a config file needs a parser)
    try:
        if not path.exists():
            return cfg
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        cfg.problems.append(f"config {path}: not valid TOML ({exc}); using defaults")
        return cfg
    except (OSError, UnicodeDecodeError) as exc:
        cfg.problems.append(f"config {path}: cannot read it ({exc}); using defaults")
        return cfg
    for key in data:
        if key not in KNOWN_KEYS:
            cfg.problem(key, f"unknown setting{_did_you_mean(key, KNOWN_KEYS)}; ignored")
    if "db" in data:
        if isinstance(data["db"], str) and data["db"]:
            cfg.db = os.path.expanduser(data["db"])
        else:
            cfg.problem("db", f"must be a path in quotes, not {data['db']!r}; ignored")
    if "theme" in data:
        if isinstance(data["theme"], str):
            cfg.theme = data["theme"]
        else:
            cfg.problem("theme", f"must be a theme name in quotes, not {data['theme']!r}; using {DEFAULT_THEME}")
    if "poll_seconds" in data:
        value = data["poll_seconds"]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0:
            cfg.poll_seconds = float(value)
        else:
            cfg.problem("poll_seconds", f"must be a number of seconds above 0, not {value!r}; "
                                        f"using {DEFAULT_POLL_S}")
    if "sources" in data:
        from .sources import sources_from_config
        cfg.sources, problems = sources_from_config(data["sources"], f"config {path}")
        cfg.problems.extend(problems)
    _load_views_config(cfg, data, path)
    for section in ("keymap", "new_issue"):
        value = data.get(section, {})
        if not isinstance(value, dict):
            cfg.problem(f"[{section}]", "must be a table; ignored")
            continue
        for key, item in value.items():
            if not isinstance(item, str):
                cfg.problem(f"[{section}] {key!r}", f"must be text in quotes, not {item!r}; ignored")
            elif section == "new_issue" and key not in NEW_ISSUE_KEYS:
                cfg.problem(f"[new_issue] {key!r}", f"unknown setting{_did_you_mean(key, NEW_ISSUE_KEYS)} "
                                                    f"(choose from {', '.join(NEW_ISSUE_KEYS)}); ignored")
            else:
                getattr(cfg, section)[str(key)] = item
    return cfg


def _load_views_config(cfg: Config, data: dict, path: Path) -> None:
    """`my_runs`, `[columns]`, `[[views]]`, `[alerts]` (issue 11): each problem reported, the rest kept."""
    runs = data.get("my_runs", [])
    if isinstance(runs, str):
        runs = [runs]
    if isinstance(runs, list) and all(isinstance(r, str) for r in runs):
        cfg.my_runs = tuple(r for r in runs if r)
    else:
        cfg.problem("my_runs", "must be a list of run ids in quotes; ignored")
    columns = data.get("columns", {})
    if isinstance(columns, dict):
        for view, spec in columns.items():
            layout = parse_columns(spec, cfg.problems, f"{path} [columns] {view}")
            if layout is not None:
                cfg.columns[str(view)] = layout
    else:
        cfg.problem("[columns]", "must be a table of view = [column ids]; ignored")
    cfg.views = parse_views(data.get("views", []), cfg.problems, str(path))
    alerts = data.get("alerts", {})
    if not isinstance(alerts, dict):
        cfg.problem("[alerts]", "must be a table; using the defaults")
        alerts = {}
    problems: list[str] = []
    cfg.alerts = load_alert_config(alerts, problems)
    cfg.problems.extend(f"config {path}: {p}" for p in problems)
