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
    [[sources]]                     # several repos in one dashboard (when no DB is given)
    path = "~/code/api"             # a DB file, or a repo folder (its .openagents/autopilot.db)
    name = "api"                    # optional; default: the repo folder's name
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


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
    sources: list[tuple[str, str | None]] = field(default_factory=list)  # [[sources]]: (path, name or None)


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    cfg = Config()
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
    if "sources" in data:
        from .sources import sources_from_config
        cfg.sources, problems = sources_from_config(data["sources"], f"config {path}")
        cfg.problems.extend(problems)
    for section in ("keymap", "new_issue"):
        value = data.get(section, {})
        if isinstance(value, dict):
            getattr(cfg, section).update({str(k): str(v) for k, v in value.items()})
        else:
            cfg.problems.append(f"config {path}: [{section}] must be a table")
    return cfg
