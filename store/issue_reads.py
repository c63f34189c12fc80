"""Issue reads on SQLite: one issue, lists, the ready queue, counts, directive progress and stale claims,
plus the helpers (clock cut-offs, index hints, the row by id) the writes share."""

from __future__ import annotations

import sqlite3

from . import counts as counts_cache, timestamps
from .issue_input import CLAIM_MINUTES, INT64_MAX, INT64_MIN
from .issue_rows import fetch_issues
from .models import Counts, DirectiveCounts, Issue, Status
from .store_objects import READY_BASE_SQL, ready_agents_sql


class IssueReadOps:
    # -- helpers -------------------------------------------------------------------------------
    def _cutoff(self, minutes: float = CLAIM_MINUTES) -> tuple[int, str]:
        ns = self.now_ns() - int(minutes * 60 * 1_000_000_000)
        return ns, timestamps.format_ns(ns)

    def _now(self) -> str:
        return timestamps.format_ns(self.now_ns())

    def _idx(self, name: str) -> str:
        return f" INDEXED BY {name}" if self._has_store_indexes else ""

    def _get(self, conn: sqlite3.Connection, issue_id: str) -> Issue | None:
        rows = fetch_issues(conn.execute("SELECT * FROM issues WHERE id = ?", (issue_id,)))
        return rows[0] if rows else None

    def _actor(self, actor: str | None) -> str:
        return actor or self.actor

    # -- crate API: reads ---------------------------------------------------------------------
    def get_issue_by_id(self, issue_id: str) -> Issue | None:
        with self._read() as conn:
            return self._get(conn, issue_id)

    def get_issue_by_number(self, number: int) -> Issue | None:
        number = int(number)
        if not INT64_MIN <= number <= INT64_MAX:  # SQLite cannot even bind it (OverflowError): no such issue
            return None
        with self._read() as conn:
            rows = fetch_issues(conn.execute("SELECT * FROM issues WHERE number = ?", (number,)))
        return rows[0] if rows else None

    def list_issues(self, status: Status | str | None = None) -> list[Issue]:
        with self._read() as conn:
            if status is None:
                cur = conn.execute("SELECT * FROM issues ORDER BY number")
            else:
                cur = conn.execute("SELECT * FROM issues WHERE status = ? ORDER BY number", (str(Status.parse(status, "status")),))
            return fetch_issues(cur)

    def get_next_ready_issue(self, agent: str | None = None) -> Issue | None:
        rows = self.ready_queue(agent=agent, limit=1)
        return rows[0] if rows else None

    def ready_queue(self, agent: str | None = None, limit: int = 200, offset: int = 0) -> list[Issue]:
        """The whole ready queue in the crate's order (priority, created_at, then number), paged."""
        return self.list_view("ready", agent=agent, limit=limit, offset=offset)

    # -- beyond the crate: views, counts, stale claims -----------------------------------------
    def ready_agents(self) -> list[str]:
        """Distinct agents that have ready-queue work (a skip-scan of the agent index: cheap at 1M)."""
        sql = ready_agents_sql("issues" + self._idx("tui_ready_agent_v2"), READY_BASE_SQL)
        with self._read() as conn:
            return [r[0] for r in conn.execute(sql)]

    def counts(self) -> Counts:
        """Counts by status, blocked, ready, stale, claimed and (v11 files) auto-created; O(1) with the store's
        trigger-kept table."""
        _, cutoff = self._cutoff()
        with self._read() as conn:
            rows = counts_cache.status_rows(self, conn)
            open_claimed = conn.execute(
                f"SELECT count(*) FROM issues{self._idx('tui_idx_open_claimed')} WHERE {READY_BASE_SQL} "
                "AND claimed_by IS NOT NULL AND claimed_by != '' AND julianday(claimed_at) >= julianday(?)",
                (cutoff,)).fetchone()[0]
            stale = conn.execute(
                f"SELECT count(*) FROM issues{self._idx('tui_in_progress_v2')} WHERE status = 'in_progress' "
                "AND julianday(claimed_at) < julianday(?)", (cutoff,)).fetchone()[0]
            stale += conn.execute(
                f"SELECT count(*) FROM issues{self._idx('tui_in_progress_v2')} WHERE status = 'in_progress' "
                "AND julianday(claimed_at) IS NULL").fetchone()[0]
            auto = None
            if self._has_auto_created:
                index = " INDEXED BY tui_idx_auto" if "tui_idx_auto" in self._column_indexes else ""
                auto = conn.execute(f"SELECT count(*) FROM issues{index} WHERE ifnull(auto_created, 0) != 0").fetchone()[0]
        c = Counts.from_groups(rows, open_claimed, stale)
        c.auto = auto
        counts_cache.repair(self)  # outside the read lock
        return c

    def defer_first_count_check(self) -> None:
        """Let the first counts() use the trigger-kept cache if it passes the cheap checks (start-up: the first
        screen does not wait for a recount, ~45 ms at 1M issues); the next counts() verifies it for real."""
        self._counts_state.trust_first = True

    def distrust_counts(self) -> None:
        """The counts contradicted rows a caller read: the next counts() recounts from the table."""
        self._counts_state.force = True

    def directive_progress(self) -> dict[str, "DirectiveCounts"]:
        """directive id -> its issues by state (the crate's calculate_progress, for every directive at once).
        Empty for files without the column (before v6). Index-only where the store's directive index exists."""
        if not self._has_directive_id:
            return {}
        index = " INDEXED BY tui_idx_directive" if "tui_idx_directive" in self._column_indexes else ""
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT directive_id, count(*), sum(status = 'done'), sum(status = 'in_progress'), "
                f"sum(ifnull(is_blocked, 0) != 0) FROM issues{index} "
                "WHERE directive_id IS NOT NULL AND directive_id != '' GROUP BY directive_id").fetchall()
        return {d: DirectiveCounts(total, done or 0, in_progress or 0, blocked or 0)
                for d, total, done, in_progress, blocked in rows}

    def stale_claims(self, minutes: float = CLAIM_MINUTES) -> list[Issue]:
        """In-progress issues whose claim is older than `minutes` (or has no parseable claimed_at)."""
        _, cutoff = self._cutoff(minutes)
        with self._read() as conn:
            return fetch_issues(conn.execute(
                f"SELECT * FROM issues{self._idx('tui_in_progress_v2')} WHERE status = 'in_progress' "
                "AND (julianday(claimed_at) IS NULL OR julianday(claimed_at) < julianday(?)) "
                "ORDER BY julianday(claimed_at), number", (cutoff,)))
