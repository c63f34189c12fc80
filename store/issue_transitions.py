"""Issue state transitions on SQLite (compat.md decision 3): claim, unclaim, complete, reopen, block,
unblock, restore (undo), and releasing stale claims; each one guarded write through `_mutate`."""

from __future__ import annotations

from .events import append_event
from .errors import ValidationError
from .hostile import stored
from .issue_input import CLAIM_MINUTES, validate_minutes, validate_reason
from .issue_rows import fetch_issues
from .issue_writes import IssueWriteOps, file_has_column
from .models import Issue, Status


# Whether a row's claim is still live, decided by SQLite with the very expression the ready queue,
# stale list and counts use, so a claim can never be "ready" in the queue yet "live" to claim_issue
# (forms julianday() cannot read, e.g. a lowercase `t`, count as unparseable, hence expired).
_LIVE_CLAIM_SQL = ("SELECT claimed_by IS NOT NULL AND claimed_by != '' AND julianday(claimed_at) IS NOT NULL "
                   "AND julianday(claimed_at) >= julianday(?) FROM issues WHERE id = ?")


class IssueTransitionOps(IssueWriteOps):
    def _claim_live_in_db(self, issue: Issue, cutoff: str) -> bool:
        """Called inside _mutate's transaction (same connection, lock held)."""
        row = self.wconn.execute(_LIVE_CLAIM_SQL, (cutoff, issue.id)).fetchone()
        return bool(row and row[0])

    def claim_issue(self, issue_id: str, run_id: str, *, expect_updated_at: str | None = None,
                    actor: str | None = None) -> bool:
        _, cutoff = self._cutoff()
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status == Status.OPEN and not i.is_blocked and not self._claim_live_in_db(i, cutoff),
            changes=lambda i, now: {"status": Status.IN_PROGRESS.value, "claimed_by": run_id, "claimed_at": now},
            event=lambda i, f: [("claimed", i.claimed_by, run_id)],
            expect_updated_at=expect_updated_at, actor=actor or run_id)

    def unclaim_issue(self, issue_id: str, *, expect_updated_at: str | None = None, actor: str | None = None) -> bool:
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status == Status.IN_PROGRESS,
            changes=lambda i, now: {"status": Status.OPEN.value, "claimed_by": None, "claimed_at": None},
            event=lambda i, f: [("unclaimed", i.claimed_by, None)],
            expect_updated_at=expect_updated_at, actor=actor)

    def complete_issue(self, issue_id: str, *, expect_updated_at: str | None = None, actor: str | None = None) -> bool:
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status in (Status.OPEN, Status.IN_PROGRESS),
            changes=lambda i, now: {"status": Status.DONE.value, "claimed_by": None, "claimed_at": None,
                                    "completed_at": now, "is_blocked": 0, "blocked_reason": None},
            event=lambda i, f: [("completed", i.status_text, Status.DONE.value)],
            expect_updated_at=expect_updated_at, actor=actor)

    def reopen_issue(self, issue_id: str, *, expect_updated_at: str | None = None, actor: str | None = None) -> bool:
        """Done -> open (clears completed_at). Not in the crate; the dashboard's `o` on a done issue."""
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status == Status.DONE,
            changes=lambda i, now: {"status": Status.OPEN.value, "completed_at": None},
            event=lambda i, f: [("reopened", Status.DONE.value, Status.OPEN.value)],
            expect_updated_at=expect_updated_at, actor=actor)

    def block_issue(self, issue_id: str, reason: str, *, expect_updated_at: str | None = None,
                    actor: str | None = None) -> bool:
        reason = validate_reason(reason)
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status in (Status.OPEN, Status.IN_PROGRESS),
            changes=lambda i, now: {"is_blocked": 1, "blocked_reason": reason, "status": Status.OPEN.value,
                                    "claimed_by": None, "claimed_at": None},
            event=lambda i, f: [("blocked", i.blocked_reason, reason)],
            expect_updated_at=expect_updated_at, actor=actor)

    def unblock_issue(self, issue_id: str, *, expect_updated_at: str | None = None, actor: str | None = None) -> bool:
        return self._mutate(
            issue_id,
            allowed=lambda i: i.is_blocked,
            changes=lambda i, now: {"is_blocked": 0, "blocked_reason": None},
            event=lambda i, f: [("unblocked", i.blocked_reason, None)],
            expect_updated_at=expect_updated_at, actor=actor)

    def restore_issue(self, issue_id: str, values: dict, *, expect_updated_at: str | None = None,
                      actor: str | None = None) -> bool:
        """Put back earlier field values (the dashboard's undo). Records one `restored` event per field."""
        allowed_cols = {"title", "description", "status", "priority", "issue_type", "agent", "is_blocked",
                        "blocked_reason", "claimed_by", "claimed_at", "completed_at"}
        allowed_cols |= {c for c in ("directive_id", "project_id") if file_has_column(self, c)}
        bad = set(values) - allowed_cols
        if bad:
            raise ValidationError("restore", f"cannot restore column(s) {', '.join(sorted(bad))}")
        # A Hostile (a wrong-typed stored value) is put back as it was stored, never as its visible text.
        clean = {k: (v.value if hasattr(v, "value") else (int(v) if k == "is_blocked" else stored(v)))
                 for k, v in values.items()}

        def events(issue: Issue, fields: dict):
            for col, value in clean.items():
                old = getattr(issue, col)
                old = int(old) if col == "is_blocked" else (old.value if hasattr(old, "value") else stored(old))
                if old != value:
                    yield ("restored:" + col, old, value)

        return self._mutate(issue_id, allowed=lambda i: True, changes=lambda i, now: dict(clean), event=events,
                            expect_updated_at=expect_updated_at, actor=actor)

    def release_claim(self, issue_id: str, minutes: float = CLAIM_MINUTES, *, expect_updated_at: str | None = None,
                      actor: str | None = None) -> bool:
        """Release one stale claim (in progress, claim older than `minutes`): back to open."""
        _, cutoff = self._cutoff(minutes)
        return self._mutate(
            issue_id,
            allowed=lambda i: i.status == Status.IN_PROGRESS and not self._claim_live_in_db(i, cutoff),
            changes=lambda i, now: {"status": Status.OPEN.value, "claimed_by": None, "claimed_at": None},
            event=lambda i, f: [("released", i.claimed_by, None)],
            expect_updated_at=expect_updated_at, actor=actor)

    def release_stale_claims(self, minutes: float = CLAIM_MINUTES, *, actor: str | None = None) -> int:
        """Release every stale claim in one transaction. Returns how many were released."""
        return len(self.release_stale(minutes, actor=actor))

    def release_stale(self, minutes: float = CLAIM_MINUTES, *, actor: str | None = None) -> list[Issue]:
        """Release every stale claim in one transaction; the issues as they were before (for undo).
        `last_written_at` is their new `updated_at`. Like the crate's `release_stale_issues` (the autopilot's
        `issue release`, whose CLI default is 60 minutes) but comparing instants, not strings, and with one
        `released` event per issue; a claim with no parseable `claimed_at` counts as stale."""
        minutes = validate_minutes(minutes)
        _, cutoff = self._cutoff(minutes)
        with self._write() as conn:
            stale = fetch_issues(conn.execute(
                "SELECT * FROM issues WHERE status = 'in_progress' "
                "AND (julianday(claimed_at) IS NULL OR julianday(claimed_at) < julianday(?))", (cutoff,)))
            now = self._now()
            for issue in stale:
                conn.execute("UPDATE issues SET status = 'open', claimed_by = NULL, claimed_at = NULL, updated_at = ? "
                             "WHERE id = ?", (now, issue.id))
                append_event(conn, issue.id, self._actor(actor), "released", issue.claimed_by, None, now)
            self.last_written_at = now
            return stale
