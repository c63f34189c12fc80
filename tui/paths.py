"""Checks on the DB the dashboard is asked to open, before any screen is drawn (nothing is written)."""

from __future__ import annotations

import os
from pathlib import Path

from store import NotAnIssuesDb, StoreError, is_server_target, open_store

DEFAULT_DB = "autopilot.db"


def dashboard_target(db_path: str | None, config_db: str | None) -> Path | str:
    """The DB to open: the argument, else the config's `db`, else $ISSUES_DB, else ./autopilot.db
    (a PostgreSQL URL or libpq string stays a string)."""
    target = db_path or config_db or os.environ.get("ISSUES_DB") or DEFAULT_DB
    return str(target) if is_server_target(str(target)) else Path(target)


def check_server_target(target: str, create: bool, read_only: bool) -> str | None:
    """Why the dashboard cannot open a PostgreSQL target (connection, credentials, not an issues DB), or None.
    Opens a read-only session: nothing is written (an empty database is initialised later only with --create)."""
    try:
        open_store(target, read_only=True, create=False).close()
    except NotAnIssuesDb as exc:
        if create and not read_only and "is an empty database" in str(exc):
            return None
        return str(exc) + "; or try `issues-tui --demo`"
    except StoreError as exc:
        return str(exc)
    return None


def check_dashboard_path(path: Path, create: bool, read_only: bool) -> str | None:
    """Why the dashboard cannot open `path` (one line that says how to start), or None. Writes nothing."""
    from store.opening import preflight

    if is_server_target(str(path)):
        return check_server_target(str(path), create, read_only)
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
