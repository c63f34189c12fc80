"""`Store`: the crate's API on one long-lived connection, safe to share across threads."""

from __future__ import annotations

import getpass
import os
import sqlite3
from typing import Callable

from .agent import AgentOps
from .connection import Connection
from .events import EventOps
from .export import ExportOps
from .issues import IssueOps
from .projects import ProjectOps
from .sessions import SessionOps
from .views import ViewOps
from .pulse import PulseOps


class Store(AgentOps, ViewOps, PulseOps, IssueOps, ProjectOps, SessionOps, EventOps, ExportOps, Connection):
    """Open with `Store.open(path)`. Every method is one short transaction or one read."""

    @classmethod
    def open(cls, path: str | os.PathLike, read_only: bool = False, *, create: bool = True,
             clock: Callable[[], int] | None = None, actor: str | None = None,
             migrate_in_memory: bool = False) -> "Store":
        """Open (creating/migrating as compat.md says) an issues DB.

        `create=False` refuses a missing or 0-byte path; `read_only=True` never writes the file;
        `clock` returns ns since the epoch (tests freeze it); `actor` names who writes events;
        `migrate_in_memory` (read-only only): an older schema is read from a migrated in-memory copy (a
        snapshot) instead of being refused.
        """
        return cls(path, read_only=read_only, create=create, clock=clock, actor=actor or default_actor("store"),
                   migrate_in_memory=migrate_in_memory)

    def reopen(self) -> "Store":
        """A fresh Store on the same path with the same settings, after the file was replaced.

        This connection is closed first, after moving its WAL into the old file: SQLite names the
        `-wal` after the *path*, so a new connection opened while the old file's frames are still in
        it would read them as part of the new file (corrupting it)."""
        with self._wlock:
            if not self.info.read_only:
                try:
                    self.wconn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error:
                    pass
        self.close()
        return Store.open(self.path, read_only=self.info.read_only and self.info.read_only_reason == "opened read-only",
                          create=False, clock=self.clock, actor=self.actor)


def default_actor(kind: str) -> str:
    """`<kind>:<user>`, e.g. `tui:alice`, the actor recorded on issue_events rows."""
    try:
        user = getpass.getuser()
    except Exception:  # no $USER/$LOGNAME and no passwd entry (some containers)
        user = "unknown"
    return f"{kind}:{user}"
