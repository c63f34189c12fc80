"""User config: `$XDG_CONFIG_HOME/issues-tui/config.toml` (default DB, theme, key remapping by binding id,
defaults for new issues). A broken file is reported, never fatal.

    db = "~/code/project/autopilot.db"
    theme = "textual-light"
    [keymap]
    "issue.block" = "B"
    [new_issue]
    priority = "high"
    type = "bug"
    agent = "claude"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .alerts import load_alert_config
from .columns import parse_columns
from .saved_views import parse_views


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "issues-tui" / "config.toml"


@dataclass
class Config:
    db: str | None = None
    theme: str = "textual-dark"
    keymap: dict[str, str] = field(default_factory=dict)
    new_issue: dict[str, str] = field(default_factory=dict)
    poll_seconds: float = 2.0
    problems: list[str] = field(default_factory=list)
    my_runs: tuple[str, ...] = ()  # `is:mine`: run ids (globs allowed) that are "me"
    columns: dict = field(default_factory=dict)  # view -> columns.Layout (tui/columns.py)
    views: list = field(default_factory=list)  # [[views]] as saved_views.SavedView
    alerts: object = None  # alerts.AlertConfig (None: the defaults)
    path: Path | None = field(default=None, compare=False)  # the file it came from (the palette's "Save view" appends there)


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    cfg = Config(path=path)
    if not path.exists():
        return cfg
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        cfg.problems.append(f"config {path}: {exc}; using defaults")
        return cfg
    if isinstance(data.get("db"), str):
        cfg.db = os.path.expanduser(data["db"])
    if isinstance(data.get("theme"), str):
        cfg.theme = data["theme"]
    if isinstance(data.get("poll_seconds"), (int, float)) and data["poll_seconds"] > 0:
        cfg.poll_seconds = float(data["poll_seconds"])
    _load_views_config(cfg, data, path)
    for section in ("keymap", "new_issue"):
        value = data.get(section, {})
        if isinstance(value, dict):
            getattr(cfg, section).update({str(k): str(v) for k, v in value.items()})
        else:
            cfg.problems.append(f"config {path}: [{section}] must be a table")
    return cfg


def _load_views_config(cfg: Config, data: dict, path: Path) -> None:
    """`my_runs`, `[columns]`, `[[views]]`, `[alerts]` (issue 11): each problem reported, the rest kept."""
    runs = data.get("my_runs", [])
    if isinstance(runs, str):
        runs = [runs]
    if isinstance(runs, list) and all(isinstance(r, str) for r in runs):
        cfg.my_runs = tuple(r for r in runs if r)
    else:
        cfg.problems.append(f"config {path}: my_runs must be a list of run ids")
    columns = data.get("columns", {})
    if isinstance(columns, dict):
        for view, spec in columns.items():
            layout = parse_columns(spec, cfg.problems, f"{path} [columns] {view}")
            if layout is not None:
                cfg.columns[str(view)] = layout
    else:
        cfg.problems.append(f"config {path}: [columns] must be a table of view = [column ids]")
    cfg.views = parse_views(data.get("views", []), cfg.problems, str(path))
    alerts = data.get("alerts", {})
    if not isinstance(alerts, dict):
        cfg.problems.append(f"config {path}: [alerts] must be a table")
        alerts = {}
    problems: list[str] = []
    cfg.alerts = load_alert_config(alerts, problems)
    cfg.problems.extend(f"config {path}: {p}" for p in problems)
