"""One entry point for both backends: `open_store(target)` takes a file path or a PostgreSQL target.

A target is PostgreSQL when it is a `postgresql://` / `postgres://` URL or a libpq keyword string
(`host=/run/postgresql dbname=issues`); anything else is a SQLite file path. Callers above store/ use only
this and the Store API, never a backend's module.
"""

from __future__ import annotations

import os
from typing import Callable

from .postgres.conninfo import display, is_pg_target


def open_store(target: str | os.PathLike, read_only: bool = False, *, create: bool = True,
               clock: Callable[[], int] | None = None, actor: str | None = None, migrate_in_memory: bool = False):
    """Open an issues DB on either backend (same arguments as `Store.open`; `migrate_in_memory` is about
    SQLite files: a PostgreSQL DB is always at the layout this store made)."""
    if is_pg_target(target):
        from .postgres import PgStore
        return PgStore.open(str(target), read_only=read_only, create=create, clock=clock, actor=actor)
    from .store import Store
    return Store.open(target, read_only=read_only, create=create, clock=clock, actor=actor,
                      migrate_in_memory=migrate_in_memory)


def is_server_target(target) -> bool:
    """True if `target` names a database server (PostgreSQL), not a file."""
    return is_pg_target(target)


def display_target(target) -> str:
    """How to show a target to a person: a path as it is, a URL without its password."""
    return display(str(target)) if is_pg_target(target) else str(target)
