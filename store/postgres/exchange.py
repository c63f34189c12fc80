"""Export and import of the crate's JSON on PostgreSQL (same rules as store/export.py)."""

from __future__ import annotations

from ..export import _INSERT_COLS, _fail, dumps, issue_to_export, parse_import
from ..models import Status
from .issue_sql import set_clause


class PgExchangeOps:
    def export_json(self, include_completed: bool = False) -> str:
        now = self._now()
        issues = self.list_issues()
        return dumps([issue_to_export(i, now) for i in issues if include_completed or i.status != Status.DONE])

    def import_json(self, text: str, force: bool = False, *, actor: str | None = None) -> dict:
        """Import a crate export in one transaction. Returns {"imported": n, "updated": n, "skipped": n}."""
        rows = parse_import(text)
        who = actor or self.actor

        def body(conn):
            result = {"imported": 0, "updated": 0, "skipped": 0}
            _, now = self._tx_now(conn)
            for index, row in enumerate(rows):
                exists = conn.execute("SELECT 1 FROM issues WHERE id = %s FOR UPDATE", (row["id"],)).fetchone()
                if exists:
                    if not force:
                        result["skipped"] += 1
                        continue
                    if conn.execute("SELECT 1 FROM issues WHERE number = %s AND id <> %s",
                                    (row["number"], row["id"])).fetchone():
                        raise _fail(index, f"number {row['number']} belongs to another issue in the database")
                    sets, params = set_clause({c: row[c] for c in _INSERT_COLS if c not in ("id", "number")})
                    conn.execute(f"UPDATE issues SET {sets} WHERE id = %s", (*params, row["id"]))
                    result["updated"] += 1
                else:
                    if conn.execute("SELECT 1 FROM issues WHERE number = %s", (row["number"],)).fetchone():
                        raise _fail(index, f"number {row['number']} is already used by another issue")
                    sets, params = set_clause({c: row[c] for c in _INSERT_COLS})
                    cols = [part.split(" = ")[0] for part in sets.split(", ")]
                    conn.execute(f"INSERT INTO issues ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
                                 params)
                    result["imported"] += 1
                self._event(conn, row["id"], who, "imported", None, row["title"], now)
            conn.execute("UPDATE issue_counter SET next_number = greatest(next_number, "
                         "(SELECT coalesce(max(number), 0) + 1 FROM issues)) WHERE id = 1")
            return result

        return self._transact(body)
