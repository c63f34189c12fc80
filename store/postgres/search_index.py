"""The trigram indexes behind word search on PostgreSQL (schema.SEARCH_INDEXES), built once per database.

`ensure(conn)` is called on every read-write open (and by `migrate` once its rows are in): a database made by
an older store gets the indexes then. Where pg_trgm cannot be created (not installed, no privilege, the user does
not own `issues`) nothing fails: search stays the unindexed ILIKE scan, same results, and the open says so once
(`PgStore.search_note`, and a warning on the `store` logger).
"""

from __future__ import annotations

import logging

import psycopg

from . import schema

log = logging.getLogger("store")

UNINDEXED = "PostgreSQL word search is unindexed (a full scan per word): "


def have(conn: psycopg.Connection) -> bool:
    return bool(conn.execute(schema.SEARCH_HAVE).fetchone()[0])


def ensure(conn: psycopg.Connection, *, lock: bool = True) -> str | None:
    """Build the search indexes if missing. None when they are there; else one line saying why not."""
    if have(conn):
        return None
    try:
        with conn.transaction():  # a savepoint inside a caller's transaction: its failure undoes only this
            if lock:
                conn.execute("SELECT pg_advisory_xact_lock(7405528)")
                if have(conn):
                    return None
            conn.execute("SET LOCAL maintenance_work_mem = '256MB'")  # a GIN build is far faster with room
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for statement in schema.SEARCH_INDEXES:
                conn.execute(statement)
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        note = UNINDEXED + f"could not add the pg_trgm indexes ({first})"
        log.warning(note)
        return note
    return None


__all__ = ["ensure", "have", "UNINDEXED"]
