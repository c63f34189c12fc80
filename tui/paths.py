"""Checks on the DB the dashboard is asked to open, before any screen is drawn (nothing is written)."""

from __future__ import annotations

import os
from pathlib import Path

from store import NotAnIssuesDb, Store, StoreError

DEFAULT_DB = "autopilot.db"


def dashboard_target(db_path: str | None, config_db: str | None) -> Path:
    """The DB to open: the argument, else the config's `db`, else $ISSUES_DB, else ./autopilot.db."""
    return Path(db_path or config_db or os.environ.get("ISSUES_DB") or DEFAULT_DB)


def check_dashboard_path(path: Path, create: bool, read_only: bool) -> str | None:
    """Why the dashboard cannot open `path` (one line that says how to start), or None. Writes nothing."""
    from store.connection import check_before_first_write, inspect_path

    try:
        inspect_path(path, create)
        if path.exists() and path.stat().st_size:
            with Store.open(path, read_only=True, create=False) as store:
                if not read_only:  # the read-write open would change the file: refuse a damaged one now
                    check_before_first_write(store.conn, path)
    except NotAnIssuesDb as exc:
        if not path.exists() or (path.is_file() and path.stat().st_size == 0):
            hint = "; or try `issues-tui --demo`"
        else:
            hint = "; to start: `issues-tui --create NEW.db`, or `issues-tui --demo`"
        message = str(exc)
        if "needs migrating" in message and not read_only:
            return None  # an older schema: the read-write open migrates it
        return message + hint
    except StoreError as exc:
        return str(exc)
    return None
