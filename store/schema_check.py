"""Is the file's schema one we know? Checked before the store's first write, and again inside any write
that finds the schema changed since (SQLite's schema cookie).

Triggers run inside our own writes, so one planted by an agent (an `AFTER UPDATE ON issues` that deletes
rows) would act with the user's keypress. Before writing, every trigger and view in the file, and every
object whose name starts with `tui_` (the store's namespace), is compared with the ones this program knows
*by content*: the crate's (v1-v11, the exact text SQLite stores for the crate's SQL) and the store's own.
Anything else makes the file read-only, with a reason naming the object. Indexes and tables outside the
store's namespace are not checked: they cannot run code when we write (the crate's later versions and
users add them), and the store never uses them by name.

The reference texts are not typed in here: they are made by running the very DDL (the crate's migration
batches, the store's own statements) in an in-memory database and reading back `sqlite_master`, so they
are exactly what SQLite stores for that SQL.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass, field

from . import migrations
from .store_objects import COLUMN_INDEXES, COUNTS_DDL, OBSOLETE_STORE_DDL, STORE_INDEXES

STORE_PREFIX = "tui_"

# Later crate versions (compat.md section 7; crates/issues/src/db.rs migrate_v6..v11). Only used to know
# their objects; the store never runs these on a user's file.
CRATE_LATER_BATCHES = (
    "\n        -- Add directive_id column for linking issues to directives\n        ALTER TABLE issues ADD COLUMN directive_id TEXT;\n\n        -- Index for efficient directive lookups\n        CREATE INDEX IF NOT EXISTS idx_issues_directive ON issues(directive_id);\n        ",
    "\n        -- Add project_id column for linking issues to projects\n        ALTER TABLE issues ADD COLUMN project_id TEXT;\n\n        -- Index for efficient project lookups\n        CREATE INDEX IF NOT EXISTS idx_issues_project ON issues(project_id);\n        ",
    "\n        -- Create new table with CASCADE delete\n        CREATE TABLE issue_events_new (\n            id TEXT PRIMARY KEY,\n            issue_id TEXT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,\n            actor TEXT,\n            event_type TEXT NOT NULL,\n            old_value TEXT,\n            new_value TEXT,\n            created_at TEXT NOT NULL\n        );\n\n        -- Copy data from old table\n        INSERT INTO issue_events_new SELECT * FROM issue_events;\n\n        -- Drop old table\n        DROP TABLE issue_events;\n\n        -- Rename new table\n        ALTER TABLE issue_events_new RENAME TO issue_events;\n\n        -- Recreate index\n        CREATE INDEX idx_issue_events_issue ON issue_events(issue_id);\n        ",
    "\n        CREATE INDEX IF NOT EXISTS idx_issues_agent ON issues(agent);\n        ",
    "\n        CREATE INDEX IF NOT EXISTS idx_issues_claimed_by ON issues(claimed_by);\n        ",
    "\n        ALTER TABLE issues ADD COLUMN auto_created INTEGER DEFAULT 0;\n        ",
)

Key = tuple[str, str, str, str]  # (type, name, tbl_name, sql)


def quote_ident(name: str) -> str:
    """An SQL identifier, always quoted (a name like `tui_old"x` stays one name)."""
    return '"' + str(name).replace('"', '""') + '"'


def show_name(name: object, limit: int = 60) -> str:
    """An object name for a one-line message: control characters visible, long names cut."""
    text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
                   for ch in str(name))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _objects(conn: sqlite3.Connection) -> list[Key]:
    return [(t, n, tb, s) for t, n, tb, s in conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")]


@dataclass(frozen=True)
class Catalogue:
    crate_triggers: frozenset[Key]
    crate_views: frozenset[Key]
    current: frozenset[Key]  # the store's own objects, as this version makes them
    obsolete: frozenset[Key]  # the store's objects of earlier versions (dropped on a read-write open)


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    mem = sqlite3.connect(":memory:", isolation_level=None)
    try:
        mem.execute(migrations.SCHEMA_VERSION_DDL)
        for step in sorted(migrations.STEPS):
            for statement in migrations.STEPS[step]:
                if statement.strip():
                    mem.execute(statement)
        for batch in CRATE_LATER_BATCHES:
            mem.executescript(batch)
        crate = _objects(mem)
        column_indexes = {name: sql for name, (_col, sql) in COLUMN_INDEXES.items()}  # the later columns exist here
        for sql in (*STORE_INDEXES.values(), *column_indexes.values(), *COUNTS_DDL):
            mem.execute(sql)
        with_store = _objects(mem)
        current = {o for o in with_store if o[1].startswith(STORE_PREFIX)}
        for name in {o[1] for o in current if o[0] != "table"}:
            mem.execute(f"DROP {'INDEX' if name in STORE_INDEXES or name in column_indexes else 'TRIGGER'} "
                        f"{quote_ident(name)}")
        for sql in OBSOLETE_STORE_DDL:
            mem.execute(sql)
        obsolete = {o for o in _objects(mem) if o[1].startswith(STORE_PREFIX)} - current
    finally:
        mem.close()
    return Catalogue(
        crate_triggers=frozenset(o for o in crate if o[0] == "trigger"),
        crate_views=frozenset(o for o in crate if o[0] == "view"),
        current=frozenset(current),
        obsolete=frozenset(obsolete),
    )


@dataclass
class SchemaReport:
    unknown: list[str] = field(default_factory=list)  # one phrase per object we do not know
    obsolete: list[tuple[str, str]] = field(default_factory=list)  # (type, name) of earlier store objects
    present: set[str] = field(default_factory=set)  # names of the store's current objects, content verified

    @property
    def trusted(self) -> bool:
        return not self.unknown

    def reason(self) -> str:
        first = self.unknown[0]
        more = f" (and {len(self.unknown) - 1} more)" if len(self.unknown) > 1 else ""
        return f"{first}{more} — not writing through it"


def _when(sql: object) -> str:
    """A trigger's timing, e.g. `AFTER UPDATE OF status ON issues` (display only)."""
    norm = " ".join(str(sql).split())
    m = re.search(r"\b(BEFORE|AFTER|INSTEAD\s+OF)\b(.*?)\bON\s+(\S+)", norm, re.I)
    return " ".join(f"{m.group(1)} {m.group(2).strip()} ON {m.group(3)}".split()) if m else "?"


def _describe(kind: str, name: str, table: str, sql: str, why: str) -> str:
    shown = f'{kind} "{show_name(name)}"'
    if kind == "trigger":
        shown += f" ({show_name(_when(sql), 50)})"
    elif kind not in ("table", "view"):
        shown += f" on {show_name(table, 30)}"
    return f"{why} {shown}"


def check(conn: sqlite3.Connection) -> SchemaReport:
    """Compare the file's triggers, views and `tui_*` objects with the known ones."""
    cat = catalogue()
    report = SchemaReport()
    store_by_name = {o[1].lower(): o for o in cat.current}  # SQLite names are case-insensitive
    for obj in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"):
        kind, name, table, sql = obj
        key = (kind, name, table, sql)
        name = str(name)
        if name.lower().startswith("sqlite_") and kind in ("table", "index"):
            continue  # SQLite's own (autoindexes, sqlite_stat1, sqlite_sequence); a trigger is checked whatever its name
        if name.lower().startswith(STORE_PREFIX):
            if key in cat.current:
                report.present.add(name)
            elif key in cat.obsolete:
                report.obsolete.append((kind, name))
            elif name.lower() in store_by_name:
                report.unknown.append(_describe(kind, name, table, sql, "not the store's own (other SQL):"))
            else:
                report.unknown.append(_describe(kind, name, table, sql, "unknown store-named"))
        elif kind == "trigger" and key not in cat.crate_triggers:
            report.unknown.append(_describe(kind, name, table, sql, "unknown"))
        elif kind == "view" and key not in cat.crate_views:
            report.unknown.append(_describe(kind, name, table, sql, "unknown"))
    return report
