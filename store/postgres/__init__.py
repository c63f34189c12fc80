"""The PostgreSQL backend (psycopg 3): the store API on a server database shared by many machines.

Never imports textual or tui; nothing above store/ needs to know it is here (use `store.open_store`).
psycopg is imported only when a PostgreSQL target is opened.
"""

from .conninfo import display, is_pg_target, scrub

__all__ = ["PgStore", "is_pg_target", "display", "scrub"]


def __getattr__(name):
    if name == "PgStore":
        from .store import PgStore
        return PgStore
    raise AttributeError(name)
