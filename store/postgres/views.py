"""Issue 11's views on PostgreSQL: any sort key per view, the search language (store/search.py parses it; the SQL
for each key is this backend's), the claims the alerts watch and the completions the pulse counts.

Same API and results as store/views.py and store/pulse.py on SQLite. Words are matched with ILIKE on the title,
description and blocked reason (PostgreSQL folds case for every script); each column's pg_trgm GIN index
(search_index.py) serves that ILIKE as written, so results are the same whether or not the indexes exist.
"""

from __future__ import annotations

from .. import search as searchlang
from ..errors import ValidationError
from ..issue_input import CLAIM_MINUTES, VIEWS
from ..models import Counts, Issue
from ..search import Filter, SearchContext, like_pattern
from ..views import DEFAULT_SORT, SORT_KEYS, sort_indexed
from .connection import dt_to_ns, ns_to_dt
from .issue_sql import EXPIRED_CLAIM, NOW
from .issues import PgIssueOps
from .schema import PRIORITY_RANK_SQL, READY_BASE_SQL, SEARCH_COLUMNS

# The SQLite sort keys in this backend's columns (native timestamps; NULLs first ascending, as on SQLite).
PG_SORT_KEYS: dict[str, tuple[str, ...]] = {
    "number": (), "priority": (PRIORITY_RANK_SQL, "created_at_text"), "type": ("issue_type",), "agent": ("agent",),
    "title": ("title",), "status": ("status",), "created": ("created_at_text",), "updated": ("updated_at_text",),
    "claimed": ("claimed_at",), "claimed_by": ("claimed_by",), "completed": ("completed_at_text",),
    "reason": ("blocked_reason",),
}
assert set(PG_SORT_KEYS) == set(SORT_KEYS)

STALE_SQL = f"status = 'in_progress' AND (claimed_at IS NULL OR claimed_at < {NOW} - make_interval(secs => %s))"


def _stale(v, c: SearchContext):
    return STALE_SQL, [c.extra["now"], CLAIM_MINUTES * 60]


def _runs(runs) -> tuple[str, list]:
    if not runs:
        return "false", []
    parts, params = [], []
    for run in runs:
        if any(ch in run for ch in "*?"):
            parts.append("claimed_by LIKE %s ESCAPE '\\'")
            params.append(like_pattern(run)[1:-1].replace("*", "%").replace("?", "_"))
        else:
            parts.append("claimed_by = %s")
            params.append(run)
    return "status = 'in_progress' AND (" + " OR ".join(parts) + ")", params


def _enum(col: str, known: tuple[str, ...], aliases: dict | None = None):
    def build(value: str, ctx: SearchContext):
        text = (aliases or {}).get(value.strip().lower(), value.strip().lower())
        if text in known:
            return (f"{PRIORITY_RANK_SQL} = {known.index(text)}", []) if col == "priority" else (f"{col} = %s", [text])
        return f"{col} = %s", [value]
    return build


PG_IS: dict[str, Filter] = {
    "blocked": Filter("", lambda v, c: ("status = 'open' AND coalesce(is_blocked, false)", [])),
    "stale": Filter("", _stale),
    "mine": Filter("", lambda v, c: _runs(c.my_runs)),
    "open": Filter("", lambda v, c: ("status = 'open'", [])),
    "done": Filter("", lambda v, c: ("status = 'done'", [])),
    "ready": Filter("", lambda v, c: (f"{READY_BASE_SQL} AND {EXPIRED_CLAIM.format(now=NOW)}",
                                      [c.extra["now"], CLAIM_MINUTES * 60])),
    "claimed": Filter("", lambda v, c: ("status = 'in_progress'", [])),
    "auto": Filter("", lambda v, c: ("coalesce(auto_created, false)", [])),
}
assert set(PG_IS) == set(searchlang.IS_STATES)


_is = searchlang.state_filter(PG_IS)


PG_FILTERS: dict[str, Filter] = {
    "agent": Filter("", lambda v, c: ("agent = %s", [v])),
    "pri": Filter("", _enum("priority", ("urgent", "high", "medium", "low"))),
    "type": Filter("", _enum("issue_type", ("task", "bug", "feature"))),
    "status": Filter("", _enum("status", ("open", "in_progress", "done"),
                               {"inprogress": "in_progress", "in-progress": "in_progress"})),
    "by": Filter("", lambda v, c: _runs((v,))),
    "is": Filter("", _is),
    "directive": Filter("", lambda v, c: ("directive_id = %s", [v])),
    "project": Filter("", lambda v, c: ("project_id IN (SELECT id FROM projects WHERE name = %s)", [v])),
}


assert SEARCH_COLUMNS == searchlang.TEXT_COLUMNS  # the indexed columns are the searched ones


def word_sql(word: str) -> tuple[str, list]:
    pattern = like_pattern(word)
    return ("(" + " OR ".join(f"{col} ILIKE %s ESCAPE '\\'" for col in searchlang.TEXT_COLUMNS) + ")",
            [pattern] * len(searchlang.TEXT_COLUMNS))


def _negate(sql: str) -> str:
    return f"NOT coalesce({sql}, false)"


class PgViewOps(PgIssueOps):
    my_runs: tuple[str, ...] = ()
    search_index = None  # no side index on PostgreSQL

    def _search(self, search: str | None) -> tuple[list[str], list, list[str], searchlang.ParsedQuery | None]:
        if not search:
            return [], [], [], None
        q = searchlang.parse(search)
        ctx = SearchContext(my_runs=tuple(self.my_runs), extra={"now": self._clock_dt()})
        where, params, problems = searchlang.filters_sql(q, ctx, PG_FILTERS, word_sql, "%s", _negate)
        for word in q.words:
            sql, p = word_sql(word)
            where.append(sql)
            params.extend(p)
        return where, params, list(q.problems) + problems, q

    def search_problems(self, search: str | None) -> list[str]:
        return self._search(search)[2]

    def _pg_view(self, view, agent, search, project_id, sort):
        if view not in VIEWS:
            raise ValidationError("view", f"unknown view {view!r} (choose one of: {', '.join(VIEWS)})")
        key, desc = sort or DEFAULT_SORT[view]
        if key not in PG_SORT_KEYS:
            raise ValidationError("sort", f"unknown sort {key!r} (choose one of: {', '.join(SORT_KEYS)})")
        where, params = self._view_where(view, agent, None, project_id)
        extra, extra_params, _, _ = self._search(search)
        where = " AND ".join([where] + extra)
        direction = " DESC NULLS LAST" if desc else " ASC NULLS FIRST"
        terms = [t + direction for t in PG_SORT_KEYS[key]] + ["number" + (" DESC" if desc else " ASC")]
        if desc and key != "number" and not sort_indexed(view, key):
            # as on SQLite: a reversed key keeps its ties (and sub-keys) in ascending order
            terms = [terms[0]] + [t.replace(" DESC NULLS LAST", " ASC NULLS FIRST").replace(" DESC", " ASC")
                                  for t in terms[1:]]
        return where, params + extra_params, terms

    def list_view(self, view: str = "ready", *, agent: str | None = None, search: str | None = None,
                  project_id: str | None = None, limit: int = 200, offset: int = 0,
                  total: int | None = None, sort: tuple[str, bool] | None = None) -> list[Issue]:
        where, params, terms = self._pg_view(view, agent, search, project_id, sort)
        flip = {" DESC NULLS LAST": " ASC NULLS FIRST", " ASC NULLS FIRST": " DESC NULLS LAST", " DESC": " ASC", " ASC": " DESC"}
        limit, offset = int(limit), int(offset)
        sql = f"SELECT {self._select} FROM issues WHERE {where} ORDER BY "
        with self._read() as conn:
            if total is not None and total // 2 < offset < total:
                rev_offset = max(0, total - offset - limit)
                flipped = []
                for t in terms:
                    for a, b in flip.items():
                        if t.endswith(a):
                            flipped.append(t[: -len(a)] + b)
                            break
                rows = self._fetch(conn, sql + ", ".join(flipped) + " LIMIT %s OFFSET %s",
                                   (*params, (total - offset) - rev_offset, rev_offset))
                rows.reverse()
                return rows
            return self._fetch(conn, sql + ", ".join(terms) + " LIMIT %s OFFSET %s", (*params, limit, offset))

    def view_position(self, view: str, issue_id: str, *, agent: str | None = None, search: str | None = None,
                      project_id: str | None = None, sort: tuple[str, bool] | None = None) -> int | None:
        where, params, terms = self._pg_view(view, agent, search, project_id, sort)
        with self._read() as conn:
            row = conn.execute(f"SELECT pos FROM (SELECT id, row_number() OVER (ORDER BY {', '.join(terms)}) - 1 AS pos "
                               f"FROM issues WHERE {where}) v WHERE id = %s", (*params, issue_id)).fetchone()
        return int(row[0]) if row else None

    def count_view(self, view: str = "ready", *, agent: str | None = None, search: str | None = None,
                   project_id: str | None = None, counts: Counts | None = None) -> int:
        if agent is None and not search and project_id is None:
            return super().count_view(view, counts=counts)
        where, params, _ = self._pg_view(view, agent, search, project_id, None)
        with self._read() as conn:
            return conn.execute(f"SELECT count(*) FROM issues WHERE {where}", params).fetchone()[0]

    def watched_claims(self, limit: int = 50) -> tuple[list[Issue], list[Issue]]:
        args = (self._clock_dt(), CLAIM_MINUTES * 60, limit)
        with self._read() as conn:
            live = self._fetch(conn, f"SELECT {self._select} FROM issues WHERE status = 'in_progress' AND claimed_at "
                                     f">= {NOW} - make_interval(secs => %s) ORDER BY claimed_at, number LIMIT %s", args)
            stale = self._fetch(conn, f"SELECT {self._select} FROM issues WHERE {STALE_SQL} "
                                      "ORDER BY claimed_at DESC NULLS LAST, number DESC LIMIT %s", args)
        return live, stale

    def completion_times(self, since_ns: int) -> list[int]:
        with self._read() as conn:
            rows = conn.execute("SELECT completed_at FROM issues WHERE status = 'done' AND completed_at >= %s",
                                (ns_to_dt(since_ns),)).fetchall()
        return [dt_to_ns(r[0]) for r in rows if r[0] is not None]


__all__ = ["PgViewOps", "PG_FILTERS", "PG_SORT_KEYS"]
