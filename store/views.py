"""The dashboard's views as SQL: which rows (view + search language), in which order (any sort key),
paged, counted and located, fast at 1M issues.

Plans: a (view, sort) pair the store has an index for reads the index in order and stops after one page
(`INDEXED`); any other sort reads the view's rows once for the sort key and rowid only (a "late row
lookup": the top-N sorter carries two values, not the whole row), then fetches just the page's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from .store_objects import PRIORITY_RANK_SQL, READY_BASE_SQL
from .errors import ValidationError
from .hostile import stored
from .issue_input import INT64_MAX, VIEWS
from .issue_rows import fetch_issues
from .models import Counts, Issue
from . import search as searchlang


# Sort keys: the ORDER BY terms (ascending); `number` always breaks ties in the same direction.
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "number": (),
    "priority": (PRIORITY_RANK_SQL, "created_at"),  # the crate's ready order
    "type": ("issue_type",),
    "agent": ("agent",),
    "title": ("title",),
    "status": ("status",),
    "created": ("created_at",),
    "updated": ("updated_at",),
    "claimed": ("julianday(claimed_at)",),  # oldest claim (largest age) first
    "claimed_by": ("claimed_by",),
    "completed": ("completed_at",),
    "reason": ("blocked_reason",),
}

# Each view's default order (None: the crate's ready order, the `priority` key).
DEFAULT_SORT: dict[str, tuple[str, bool]] = {
    "ready": ("priority", False), "in_progress": ("claimed", False), "stale": ("claimed", False),
    "blocked": ("number", False), "done": ("number", True), "all": ("number", False),
}

# (view, sort key) -> how to read it in order: an index name, "+" (the number index, with the view's
# status test kept off its index), or "" (the planner's choice is right). Anything not here is read late.
_INDEXED: dict[tuple[str, str], str] = {
    ("ready", "priority"): "tui_ready_v2", ("ready", "number"): "+",
    ("in_progress", "claimed"): "tui_in_progress_v2", ("stale", "claimed"): "tui_in_progress_v2",
    ("blocked", "number"): "tui_idx_blocked",
    ("done", "number"): "+", ("done", "completed"): "tui_idx_done_completed",
    ("all", "number"): "", ("all", "updated"): "tui_idx_updated", ("all", "created"): "tui_idx_created",
}
# The index a late read scans for the view's rows (small views: their own; ready: the covering partial one).
_SCAN_INDEX = {"ready": "tui_ready_v2", "in_progress": "tui_in_progress_v2", "stale": "tui_in_progress_v2",
               "blocked": "tui_idx_blocked"}

# Sort keys whose columns the ready partial indexes hold (a late read stays index-only).
_READY_COVERED = {"priority", "created", "title", "claimed_by", "claimed"}
_READY_LIVE = ("(claimed_by IS NULL OR claimed_by = '' OR julianday(claimed_at) IS NULL "
               "OR julianday(claimed_at) < julianday(?))")


def sort_indexed(view: str, key: str) -> bool:
    """Whether the store reads this view in this order straight from an index (the bench's 50 ms class)."""
    return (view, key) in _INDEXED


def parse_sort(text: str | None) -> tuple[str, bool] | None:
    """`"priority"`, `"-created"` (descending) or `"title desc"` -> (key, descending); None for empty."""
    if not text or not str(text).strip():
        return None
    t = str(text).strip().lower()
    desc = False
    if t.startswith("-"):
        desc, t = True, t[1:]
    parts = t.split()
    if len(parts) == 2 and parts[1] in ("asc", "desc"):
        desc, t = parts[1] == "desc", parts[0]
    if t not in SORT_KEYS:
        raise ValidationError("sort", f"unknown sort {text!r} (choose one of: {', '.join(SORT_KEYS)})")
    return t, desc


@dataclass(slots=True)
class ViewSql:
    source: str  # "issues" or "issues INDEXED BY x"
    where: list[str]
    params: list
    order: list[str]  # ORDER BY terms with their direction
    late_source: str | None  # None: read in order directly; else the FROM of the late rowid scan

    def _clause(self) -> str:
        return f" WHERE {' AND '.join(self.where)}" if self.where else ""

    def page(self, limit: int, offset: int, flipped: bool = False) -> tuple[str, list]:
        order = ", ".join(_flip(t) for t in self.order) if flipped else ", ".join(self.order)
        if self.late_source is None:
            return (f"SELECT * FROM {self.source}{self._clause()} ORDER BY {order} LIMIT ? OFFSET ?",
                    [*self.params, limit, offset])
        inner = f"SELECT rowid FROM {self.late_source}{self._clause()} ORDER BY {order} LIMIT ? OFFSET ?"
        return f"SELECT * FROM issues WHERE rowid IN ({inner}) ORDER BY {order}", [*self.params, limit, offset]

    def rows(self) -> tuple[str, list]:
        """Every row of the view, unordered (for "is it in the view" and counting)."""
        return f"SELECT * FROM {self.late_source or self.source}{self._clause()}", list(self.params)

    def count(self) -> tuple[str, list]:
        return f"SELECT count(*) FROM {self.late_source or self.source}{self._clause()}", list(self.params)

    def ordered_ids(self) -> tuple[str, list]:
        return (f"SELECT id FROM {self.late_source or self.source}{self._clause()} ORDER BY {', '.join(self.order)}",
                list(self.params))


def _flip(term: str) -> str:
    return term[:-5] if term.endswith(" DESC") else term + " DESC"


class ViewOps:
    my_runs: tuple[str, ...] = ()  # `is:mine` (set from the config by the dashboard)
    search_index = None  # a store.fts.SearchIndex once attached: words go through FTS5 in its side file

    def _search_ctx(self) -> searchlang.SearchContext:
        _, cutoff = self._cutoff()
        return searchlang.SearchContext(cutoff=cutoff, my_runs=tuple(self.my_runs),
                                        columns=frozenset(getattr(self, "_issue_columns", ()) or ()))

    def search_problems(self, search: str | None) -> list[str]:
        """What to tell the user about a search text (unknown filter, bad value); [] when all is well."""
        if not search:
            return []
        q = searchlang.parse(search)
        _, _, problems = searchlang.filters_sql(q, self._search_ctx())
        return list(q.problems) + problems

    def _search_where(self, where: list, params: list, q: searchlang.ParsedQuery | None) -> None:
        if q is None or q.empty:
            return
        parts, p, _ = searchlang.filters_sql(q, self._search_ctx())
        where.extend(parts)
        params.extend(p)
        if not q.words:
            return
        index = self.search_index
        match = searchlang.fts_query(q.words)
        if index is not None and match and index.usable(self):
            where.append(f"number IN (SELECT rowid FROM {index.schema}.issue_text WHERE issue_text MATCH ?)")
            params.append(match)
        for word in q.words:  # exact test (and the whole test while the side index is not built yet)
            sql, wp = searchlang.word_like_sql(word)
            where.append(sql)
            params.extend(wp)

    def _view_sql(self, view: str, agent: str | None, search: str | None, project_id: str | None,
                  sort: tuple[str, bool] | None = None) -> ViewSql:
        if view not in VIEWS:
            raise ValidationError("view", f"unknown view {view!r} (choose one of: {', '.join(VIEWS)})")
        key, desc = sort or DEFAULT_SORT[view]
        if key not in SORT_KEYS:
            raise ValidationError("sort", f"unknown sort {key!r} (choose one of: {', '.join(SORT_KEYS)})")
        parsed = searchlang.parse(search) if search else None
        if parsed is not None and agent is None:
            agent, parsed = searchlang.take_agent(parsed)
        where: list[str] = []
        params: list = []
        if view == "ready":
            _, cutoff = self._cutoff()
            where += [READY_BASE_SQL, _READY_LIVE]
            if not getattr(self, "_id_checked", False):
                where.append("id != ''")  # the crate's test; redundant (and costly off-index) under CHECK(id != '')
            params.append(cutoff)
        elif view in ("in_progress", "stale"):
            where.append("status = 'in_progress'")
            if view == "stale":
                _, cutoff = self._cutoff()
                where.append("(julianday(claimed_at) IS NULL OR julianday(claimed_at) < julianday(?))")
                params.append(cutoff)
        elif view == "blocked":
            where.append("status = 'open' AND ifnull(is_blocked, 0) != 0")
        elif view == "done":
            where.append("status = 'done'")
        if agent is not None:
            where.append("agent = ?")
            params.append(agent)
        if project_id is not None and self._has_project_id:
            where.append("project_id = ?")
            params.append(project_id)
        self._search_where(where, params, parsed)

        direction = " DESC" if desc else ""
        order = [t + direction for t in SORT_KEYS[key]] + ["number" + direction]
        hint = _INDEXED.get((view, key))
        if hint is None and key != "number":
            # Read late (a scan): ties stay in number order whichever way the key goes, so the top-N sorter
            # keeps its first rows instead of replacing them with every later row of an equal key.
            order = [order[0]] + [t.removesuffix(" DESC") for t in order[1:]]
        if parsed is not None and parsed.numbers:
            hint, late_ok = "", False  # `#123`: the number index finds it; no order index beats that
        else:
            late_ok = True
        if view == "ready" and key == "priority" and agent is not None:
            hint = "tui_ready_agent_v2"
        if hint is not None:
            if hint == "+":
                where = [w.replace("status =", "+status =", 1) if w.startswith("status =") else w for w in where]
                return ViewSql("issues", where, params, order, None)
            return ViewSql(f"issues{self._idx(hint)}" if hint else "issues", where, params, order, None)
        scan = _SCAN_INDEX.get(view) if late_ok else None
        if view == "ready" and key not in _READY_COVERED:
            scan = None  # the partial index lacks the key: a lookup per ready row would cost more than a scan
        if scan and view == "ready" and agent is not None:
            scan = "tui_ready_agent_v2"
        if scan is None and view in ("ready", "done"):
            where = [w.replace("status =", "+status =", 1) if w.startswith("status =") else w for w in where]
        late = f"issues{self._idx(scan)}" if scan else "issues"
        return ViewSql("issues", where, params, order, late)

    def list_view(self, view: str = "ready", *, agent: str | None = None, search: str | None = None,
                  project_id: str | None = None, limit: int = 200, offset: int = 0,
                  total: int | None = None, sort: tuple[str, bool] | None = None) -> list[Issue]:
        """One page of a dashboard view: ready / in_progress / blocked / done / stale / all, in `sort` order
        ((key, descending); None: the view's default, the crate's order for ready).

        With `total` (the view's row count) a page in the second half is read from the far end of the
        index (reversed order, small OFFSET), so the last page of a 1M-row view costs what the first does."""
        vs = self._view_sql(view, agent, search, project_id, sort)
        # `ready -n 99999999999999999999`: as many as there are (SQLite's LIMIT is a 64-bit integer)
        limit, offset = max(0, min(int(limit), INT64_MAX)), max(0, min(int(offset), INT64_MAX))
        if total is not None and offset > total // 2 and offset < total:
            rev_offset = max(0, total - offset - limit)
            rev_limit = (total - offset) - rev_offset
            sql, params = vs.page(rev_limit, rev_offset, flipped=True)
            with self._read() as conn:
                rows = fetch_issues(conn.execute(sql, params))
            rows.reverse()
            return rows
        sql, params = vs.page(limit, offset)
        with self._read() as conn:
            return fetch_issues(conn.execute(sql, params))

    def view_position(self, view: str, issue_id: str, *, agent: str | None = None, search: str | None = None,
                      project_id: str | None = None, sort: tuple[str, bool] | None = None) -> int | None:
        """Index of the issue in a view's order (for "go to issue #N"); None if it is not in the view."""
        issue = self.get_issue_by_id(issue_id)
        if issue is None:
            return None
        vs = self._view_sql(view, agent, search, project_id, sort)
        key = (sort or DEFAULT_SORT[view])
        with self._read() as conn:
            sql, params = vs.rows()
            if not conn.execute(f"SELECT 1 FROM ({sql}) WHERE id = ?", (*params, issue_id)).fetchone():
                return None
            before = None
            if key == ("number", False) and view == "all":
                before, extra = "number < ?", [stored(issue.number)]
            elif key == ("priority", False) and view == "ready":
                before = f"({PRIORITY_RANK_SQL}, created_at, number) < (?, ?, ?)"
                extra = [issue.priority_rank, stored(issue.created_at), stored(issue.number)]
            if before is None:
                sql, params = vs.ordered_ids()
                rows = conn.execute(sql, params).fetchall()
                return next((n for n, (i,) in enumerate(rows) if i == issue_id), None)
            sql, params = vs.count()
            joiner = " AND " if " WHERE " in sql else " WHERE "
            return conn.execute(f"{sql}{joiner}{before}", (*params, *extra)).fetchone()[0]

    def count_view(self, view: str = "ready", *, agent: str | None = None, search: str | None = None,
                   project_id: str | None = None, counts: Counts | None = None) -> int:
        """Rows in a view; unfiltered views come from `counts()` (pass one you already have)."""
        if agent is None and not search and project_id is None:
            c = counts or self.counts()
            simple = {"ready": c.ready, "in_progress": c.in_progress, "blocked": c.blocked, "done": c.done,
                      "stale": c.stale, "all": c.total}
            if view not in simple:
                raise ValidationError("view", f"unknown view {view!r} (choose one of: {', '.join(VIEWS)})")
            return simple[view]
        sql, params = self._view_sql(view, agent, search, project_id).count()
        with self._read() as conn:
            return conn.execute(sql, params).fetchone()[0]

    def watched_claims(self, limit: int = 50) -> tuple[list[Issue], list[Issue]]:
        """(the `limit` live claims next to go stale, oldest first; the `limit` claims that went stale most
        recently, newest first) — what the alerts watch between writes, two short index range reads."""
        _, cutoff = self._cutoff()
        idx = self._idx("tui_in_progress_v2")
        with self._read() as conn:
            live = fetch_issues(conn.execute(
                f"SELECT * FROM issues{idx} WHERE status = 'in_progress' AND julianday(claimed_at) >= julianday(?) "
                "ORDER BY julianday(claimed_at), number LIMIT ?", (cutoff, limit)))
            stale = fetch_issues(conn.execute(
                f"SELECT * FROM issues{idx} WHERE status = 'in_progress' AND (julianday(claimed_at) IS NULL "
                "OR julianday(claimed_at) < julianday(?)) ORDER BY julianday(claimed_at) DESC, number DESC LIMIT ?",
                (cutoff, limit)))
        return live, stale

    def _ready_sql(self, agent: str | None, search: str | None = None, project_id: str | None = None) -> tuple[str, list]:
        """The ready queue's SQL in the crate's order (query-plan tests and the bench read it)."""
        vs = self._view_sql("ready", agent, search, project_id)
        return f"SELECT * FROM {vs.source}{vs._clause()} ORDER BY {', '.join(vs.order)}", list(vs.params)


__all__ = ["ViewOps", "VIEWS", "SORT_KEYS", "DEFAULT_SORT", "parse_sort", "sort_indexed", "ViewSql"]
