"""Claims and leases on PostgreSQL, on the server's clock (`now()`, or a test's frozen clock when one is given).

`claim_next` takes the next ready issue with `FOR UPDATE SKIP LOCKED`, so many agents never wait on, or take,
the same row; stale claims are released the same way.
"""

from __future__ import annotations

from .. import timestamps
from ..issue_input import CLAIM_MINUTES
from ..models import Issue, Status
from .issue_sql import LIVE_CLAIM, NOW, ORDERS, order_sql


class PgClaimOps:
    def _live_claim(self, issue_id: str, minutes: float) -> bool:
        """Called inside _mutate's transaction (writes are serialised on wconn under _wlock)."""
        row = self.wconn.execute(f"SELECT {LIVE_CLAIM.format(now=NOW)} FROM issues WHERE id = %s",
                                 (self._clock_dt(), minutes * 60, issue_id)).fetchone()
        return bool(row and row[0])

    def claim_issue(self, issue_id: str, run_id: str, *, expect_updated_at: str | None = None,
                    actor: str | None = None) -> bool:
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status == Status.OPEN and not i.is_blocked and not self._live_claim(i.id, CLAIM_MINUTES),
            changes=lambda i, now: {"status": Status.IN_PROGRESS.value, "claimed_by": run_id, "claimed_at": now},
            event=lambda i, f: [("claimed", i.claimed_by, run_id)],
            expect_updated_at=expect_updated_at, actor=actor or run_id)

    def release_claim(self, issue_id: str, minutes: float = CLAIM_MINUTES, *, expect_updated_at: str | None = None,
                      actor: str | None = None) -> bool:
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status == Status.IN_PROGRESS and not self._live_claim(i.id, minutes),
            changes=lambda i, now: {"status": Status.OPEN.value, "claimed_by": None, "claimed_at": None},
            event=lambda i, f: [("released", i.claimed_by, None)],
            expect_updated_at=expect_updated_at, actor=actor)

    def claim_next(self, run_id: str, agent: str | None = None, *, actor: str | None = None) -> Issue | None:
        """Atomically claim the next ready issue in the crate's order (None when none is ready).

        One statement (its own transaction): pick with FOR UPDATE SKIP LOCKED, claim, record the event."""
        where, params = self._ready_where(agent, None, None)
        clock = self._clock_dt()
        text = timestamps.format_ns(self._clock()) if self._clock is not None else None
        cols = self._select
        sql = (f"WITH t AS (SELECT coalesce(%s::timestamptz, now()) AS ts), "
               f"n AS (SELECT t.ts, coalesce(%s::text, tui_rfc3339(t.ts)) AS txt FROM t), "
               f"next AS (SELECT id, claimed_by FROM issues WHERE {where} ORDER BY {order_sql(ORDERS['ready'])} "
               f"LIMIT 1 FOR UPDATE SKIP LOCKED), "
               f"upd AS (UPDATE issues SET status = 'in_progress', claimed_by = %s, claimed_at = n.ts, "
               f"claimed_at_text = n.txt, updated_at = n.ts, updated_at_text = n.txt FROM next, n "
               f"WHERE issues.id = next.id RETURNING issues.*, next.claimed_by AS previous), "
               f"ev AS (INSERT INTO issue_events (id, issue_id, actor, event_type, old_value, new_value, created_at, "
               f"created_at_text) SELECT gen_random_uuid()::text, id, %s, 'claimed', nullif(previous, ''), %s, "
               f"claimed_at, claimed_at_text FROM upd) "
               f"SELECT {cols} FROM upd")
        args = (clock, text, *params, run_id, actor or run_id, run_id)
        rows = self._transact(lambda conn: self._fetch(conn, sql, args), atomic=False)
        if not rows:
            return None
        self.last_written_at = rows[0].updated_at
        return rows[0]

    def heartbeat(self, issue_id: str, run_id: str) -> bool:
        """Extend the lease of a claim held by `run_id` (claimed_at = now). False if another run holds it."""
        def body(conn):
            dt, now = self._tx_now(conn)
            return conn.execute("UPDATE issues SET claimed_at = %s, claimed_at_text = %s WHERE id = %s "
                                "AND status = 'in_progress' AND claimed_by = %s", (dt, now, issue_id, run_id)).rowcount > 0

        return self._transact(body)

    def stale_claims(self, minutes: float = CLAIM_MINUTES) -> list[Issue]:
        with self._read() as conn:
            return self._fetch(conn, f"SELECT {self._select} FROM issues WHERE status = 'in_progress' AND "
                               f"(claimed_at IS NULL OR claimed_at < {NOW} - make_interval(secs => %s)) "
                               "ORDER BY claimed_at NULLS FIRST, number", (self._clock_dt(), minutes * 60))

    def release_stale_claims(self, minutes: float = CLAIM_MINUTES, *, actor: str | None = None) -> int:
        def body(conn):
            dt, now = self._tx_now(conn)
            rows = conn.execute(
                "UPDATE issues SET status = 'open', claimed_by = NULL, claimed_at = NULL, claimed_at_text = NULL, "
                "updated_at = %s, updated_at_text = %s FROM (SELECT id AS sid, claimed_by AS old FROM issues "
                "WHERE status = 'in_progress' AND (claimed_at IS NULL OR claimed_at < %s - make_interval(secs => %s)) "
                "FOR UPDATE SKIP LOCKED) s WHERE issues.id = s.sid RETURNING issues.id, s.old",
                (dt, now, dt, minutes * 60)).fetchall()
            for issue_id, old in rows:
                self._event(conn, issue_id, self._actor(actor), "released", old, None, now)
            return len(rows)

        return self._transact(body)

    def release_stale(self, minutes: float = CLAIM_MINUTES, *, actor: str | None = None) -> list[Issue]:
        """As on SQLite: release every stale claim in one transaction; the issues as they were before."""
        def body(conn):
            dt, now = self._tx_now(conn)
            stale = self._fetch(conn, f"SELECT {self._select} FROM issues WHERE status = 'in_progress' AND "
                                "(claimed_at IS NULL OR claimed_at < %s - make_interval(secs => %s)) "
                                "ORDER BY number FOR UPDATE SKIP LOCKED", (dt, minutes * 60))
            for issue in stale:
                conn.execute("UPDATE issues SET status = 'open', claimed_by = NULL, claimed_at = NULL, "
                             "claimed_at_text = NULL, updated_at = %s, updated_at_text = %s WHERE id = %s",
                             (dt, now, issue.id))
                self._event(conn, issue.id, self._actor(actor), "released", issue.claimed_by, None, now)
            self.last_written_at = now
            return stale

        return self._transact(body)
