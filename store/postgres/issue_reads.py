"""Issue reads on PostgreSQL: one issue, lists, the views' filters and counts (the counts table, folded now
and then). The same API and results as store/issues.py on SQLite."""

from __future__ import annotations

from ..errors import StoreError, ValidationError
from ..issue_input import CLAIM_MINUTES, VIEWS
from ..issue_rows import issue_reader
from ..search import like_pattern
from ..store_objects import ready_agents_sql
from ..models import Counts, Issue, Status
from .issue_sql import BASE_SELECT, EXPIRED_CLAIM, LIVE_CLAIM, NOW
from .schema import COUNTS_COMPACT, COUNTS_COMPACT_ROWS, READY_BASE_SQL, TOMBSTONES_PRUNE


class PgIssueReads:
    @property
    def _select(self) -> str:
        return BASE_SELECT + "".join(f", {c}" for c in self.extra_columns)

    @property
    def _has_project_id(self) -> bool:
        return "project_id" in self.extra_columns

    def _fetch(self, conn, sql: str, params=()) -> list[Issue]:
        cur = conn.execute(sql, params)
        rows = cur.fetchall()
        if not rows:
            return []
        read = issue_reader([d.name for d in cur.description])
        return [read(r) for r in rows]

    def _get(self, conn, issue_id: str, lock: bool = False) -> Issue | None:
        rows = self._fetch(conn, f"SELECT {self._select} FROM issues WHERE id = %s{' FOR UPDATE' if lock else ''}",
                           (issue_id,))
        return rows[0] if rows else None

    def get_issue_by_id(self, issue_id: str) -> Issue | None:
        with self._read() as conn:
            return self._get(conn, issue_id)

    def get_issue_by_number(self, number: int) -> Issue | None:
        with self._read() as conn:
            rows = self._fetch(conn, f"SELECT {self._select} FROM issues WHERE number = %s", (int(number),))
        return rows[0] if rows else None

    def list_issues(self, status: Status | str | None = None) -> list[Issue]:
        with self._read() as conn:
            if status is None:
                return self._fetch(conn, f"SELECT {self._select} FROM issues ORDER BY number")
            return self._fetch(conn, f"SELECT {self._select} FROM issues WHERE status = %s ORDER BY number",
                               (str(Status.parse(status, "status")),))

    # -- views -------------------------------------------------------------------------------------
    def _ready_where(self, agent, search, project_id) -> tuple[str, list]:
        where = [READY_BASE_SQL, "id <> ''", EXPIRED_CLAIM.format(now=NOW)]
        params: list = [self._clock_dt(), CLAIM_MINUTES * 60]
        if agent is not None:
            where.append("agent = %s")
            params.append(agent)
        self._filters(where, params, search, project_id)
        return " AND ".join(where), params

    def _filters(self, where: list, params: list, search: str | None, project_id: str | None) -> None:
        if search:
            where.append("title ILIKE %s ESCAPE '\\'")
            params.append(like_pattern(search))
        if project_id is not None and self._has_project_id:
            where.append("project_id = %s")
            params.append(project_id)

    def _view_where(self, view: str, agent, search, project_id) -> tuple[str, list]:
        if view == "ready":
            return self._ready_where(agent, search, project_id)
        where: list[str] = []
        params: list = []
        if view == "in_progress":
            where.append("status = 'in_progress'")
        elif view == "stale":
            where.append(f"status = 'in_progress' AND (claimed_at IS NULL OR claimed_at < {NOW} - make_interval(secs => %s))")
            params += [self._clock_dt(), CLAIM_MINUTES * 60]
        elif view == "blocked":
            where.append("status = 'open' AND coalesce(is_blocked, false)")
        elif view == "done":
            where.append("status = 'done'")
        elif view != "all":
            raise ValidationError("view", f"unknown view {view!r} (choose one of: {', '.join(VIEWS)})")
        if agent is not None:
            where.append("agent = %s")
            params.append(agent)
        self._filters(where, params, search, project_id)
        return " AND ".join(where) or "true", params

    def count_view(self, view: str = "ready", *, agent: str | None = None, search: str | None = None,
                   project_id: str | None = None, counts: Counts | None = None) -> int:
        if agent is None and not search and project_id is None:
            c = counts or self.counts()
            return {"ready": c.ready, "in_progress": c.in_progress, "blocked": c.blocked, "done": c.done,
                    "stale": c.stale, "all": c.total}[view]
        where, params = self._view_where(view, agent, search, project_id)
        with self._read() as conn:
            return conn.execute(f"SELECT count(*) FROM issues WHERE {where}", params).fetchone()[0]

    def ready_agents(self) -> list[str]:
        sql = ready_agents_sql("issues", READY_BASE_SQL)
        with self._read() as conn:
            return [r[0] for r in conn.execute(sql)]

    def counts(self) -> Counts:
        cutoff = (self._clock_dt(), CLAIM_MINUTES * 60)
        with self._read() as conn:
            if self._has_counts:
                rows = conn.execute("SELECT status, blocked, sum(n)::bigint, count(*) FROM tui_issue_counts "
                                    "GROUP BY 1, 2").fetchall()
            else:  # a database from before the counts table, opened read-only (a read-write open adds it)
                rows = conn.execute("SELECT status, coalesce(is_blocked, false), count(*), 1 FROM issues "
                                    "GROUP BY 1, 2").fetchall()
            open_claimed = conn.execute(f"SELECT count(*) FROM issues WHERE {READY_BASE_SQL} AND "
                                        f"{LIVE_CLAIM.format(now=NOW)}", cutoff).fetchone()[0]
            stale = conn.execute(f"SELECT count(*) FROM issues WHERE status = 'in_progress' AND "
                                 f"(claimed_at IS NULL OR claimed_at < {NOW} - make_interval(secs => %s))",
                                 cutoff).fetchone()[0]
        if sum(r[3] for r in rows) > COUNTS_COMPACT_ROWS and not self.read_only:
            try:
                self._transact(lambda conn: (conn.execute(COUNTS_COMPACT), conn.execute(TOMBSTONES_PRUNE)))
            except StoreError:
                pass  # folding is housekeeping: the sums stay right without it
        c = Counts.from_groups([r[:3] for r in rows], open_claimed, stale)
        return c

    def distrust_counts(self) -> None:
        """Counts on PostgreSQL are always read from the table (nothing cached to distrust)."""

