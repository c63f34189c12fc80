"""What agents call on the SQLite backend beyond the crate: claim the next ready issue atomically, and
keep a claim alive. (store/postgres/issues.py has the same two on PostgreSQL.)"""

from __future__ import annotations

from .events import append_event
from .issue_rows import fetch_issues
from .models import Issue


class AgentOps:
    def claim_next(self, run_id: str, agent: str | None = None, *, actor: str | None = None) -> Issue | None:
        """Claim the next ready issue in the crate's order in one write transaction (None when none is ready).

        BEGIN IMMEDIATE holds the write lock from the read to the claim, so two processes never take one issue."""
        with self._write() as conn:
            sql, params = self._ready_sql(agent)
            rows = fetch_issues(conn.execute(f"{sql} LIMIT 1", params))
            if not rows:
                return None
            issue = rows[0]
            now = self._now()
            conn.execute("UPDATE issues SET status = 'in_progress', claimed_by = ?, claimed_at = ?, updated_at = ? "
                         "WHERE id = ?", (run_id, now, now, issue.id))
            append_event(conn, issue.id, actor or run_id, "claimed", issue.claimed_by, run_id, now)
            self.last_written_at = now
            return self._get(conn, issue.id)

    def heartbeat(self, issue_id: str, run_id: str) -> bool:
        """Extend the lease of a claim `run_id` holds (claimed_at = now). False if it holds no claim on it.

        Neither updated_at nor the history moves: a heartbeat is no edit, and must not trip anyone's guard."""
        with self._write() as conn:
            return conn.execute("UPDATE issues SET claimed_at = ? WHERE id = ? AND status = 'in_progress' "
                                "AND claimed_by = ?", (self._now(), issue_id, run_id)).rowcount > 0

    @property
    def backend(self) -> str:
        return "sqlite"
