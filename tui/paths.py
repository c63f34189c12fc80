"""Checks on the DB the dashboard is asked to open, before any screen is drawn (nothing is written)."""

from __future__ import annotations

import os
from pathlib import Path

from store import NotAnIssuesDb, StoreError

DEFAULT_DB = "autopilot.db"


def dashboard_target(db_path: str | None, config_db: str | None) -> Path:
    """The DB to open: the argument, else the config's `db`, else $ISSUES_DB, else ./autopilot.db."""
    return Path(db_path or config_db or os.environ.get("ISSUES_DB") or DEFAULT_DB)


def check_dashboard_path(path: Path, create: bool, read_only: bool) -> str | None:
    """Why the dashboard cannot open `path` (one line that says how to start), or None. Writes nothing."""
    from store.connection import preflight

    try:
        preflight(path, create, read_only)  # the open's own checks (a migration is tried on a copy)
    except NotAnIssuesDb as exc:
        if not path.exists() or (path.is_file() and path.stat().st_size == 0):
            hint = "; or try `issues-tui --demo`"
        else:
            hint = "; to start: `issues-tui --create NEW.db`, or `issues-tui --demo`"
        return str(exc) + hint
    except StoreError as exc:
        return str(exc)
    return None
