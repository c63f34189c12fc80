"""Autopilot sessions (crate `session.rs`), with `list_sessions` parameterised (the crate interpolates)."""

from __future__ import annotations

import uuid

from .errors import ValidationError
from .hostile import integer, real, text
from .models import Session, SessionStatus

SESSION_COLUMNS = ("id, project_id, status, prompt, model, pid, trajectory_path, started_at, ended_at, "
                   "budget_spent, issues_completed")


def _session(row) -> Session:
    """Every field through its column's check (store.hostile): `budget_spent='abc'`, `pid=X'00'` or
    `issues_completed=9e999` become Hostile values, shown as visible text, never computed with."""
    (sid, project_id, status, prompt, model, pid, trajectory_path, started_at, ended_at, spent, done) = row
    return Session(sid, project_id, SessionStatus.lenient(text(status)), text(prompt), text(model),
                   integer(pid, nullable=True), text(trajectory_path), text(started_at), text(ended_at),
                   real(spent, default=0.0), 0 if done is None else integer(done))


class SessionOps:
    def create_session(self, project_id: str, prompt: str, model: str, pid: int | None = None) -> Session:
        session_id = str(uuid.uuid4())
        now = self._now()
        with self._write() as conn:
            if not conn.execute("SELECT 1 FROM projects WHERE id = ?", (project_id,)).fetchone():
                raise ValidationError("project_id", f"no project with id {project_id!r}")
            conn.execute(
                "INSERT INTO sessions (id, project_id, status, prompt, model, pid, started_at, budget_spent, issues_completed) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0.0, 0)",
                (session_id, project_id, SessionStatus.RUNNING.value, prompt, model, pid, now),
            )
        return self.get_session(session_id)

    def update_session_status(self, session_id: str, status: SessionStatus | str) -> bool:
        """Set the status; `ended_at` is now for an ended status and cleared for running (fixes crate bug 13)."""
        status = SessionStatus.parse(status, "status")
        ended = None if status == SessionStatus.RUNNING else self._now()
        with self._write() as conn:
            return conn.execute("UPDATE sessions SET status = ?1, ended_at = ?2 WHERE id = ?3",
                                (status.value, ended, session_id)).rowcount > 0

    def update_session_trajectory(self, session_id: str, trajectory_path: str) -> bool:
        with self._write() as conn:
            return conn.execute("UPDATE sessions SET trajectory_path = ?1 WHERE id = ?2",
                                (trajectory_path, session_id)).rowcount > 0

    def update_session_metrics(self, session_id: str, budget_spent: float, issues_completed: int) -> bool:
        with self._write() as conn:
            return conn.execute("UPDATE sessions SET budget_spent = ?1, issues_completed = ?2 WHERE id = ?3",
                                (float(budget_spent), int(issues_completed), session_id)).rowcount > 0

    def list_sessions(self, project_id: str | None = None) -> list[Session]:
        with self._read() as conn:
            if project_id is None:
                rows = conn.execute(f"SELECT {SESSION_COLUMNS} FROM sessions ORDER BY started_at DESC").fetchall()
            else:
                rows = conn.execute(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE project_id = ?1 "
                                    "ORDER BY started_at DESC", (project_id,)).fetchall()
        return [_session(r) for r in rows]

    def get_session(self, session_id: str) -> Session | None:
        with self._read() as conn:
            row = conn.execute(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1", (session_id,)).fetchone()
        return _session(row) if row else None

    def get_active_sessions(self) -> list[Session]:
        with self._read() as conn:
            rows = conn.execute(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE status = 'running' "
                                "ORDER BY started_at DESC").fetchall()
        return [_session(r) for r in rows]

    # -- windowed, counted reads for the dashboard (100k sessions cost what 100 do) ------------------------
    def session_counts(self) -> dict[str, tuple[int, int]]:
        """{project_id: (sessions, running)} in one indexed GROUP BY (no row is turned into a Session)."""
        with self._read() as conn:  # two index-only reads (idx_sessions_project, idx_sessions_status)
            totals = conn.execute("SELECT project_id, count(*) FROM sessions GROUP BY project_id").fetchall()
            running = dict(conn.execute("SELECT project_id, count(*) FROM sessions WHERE status = 'running' "
                                        "GROUP BY project_id").fetchall())
        return {pid: (total, running.get(pid, 0)) for pid, total in totals}

    def sessions_window(self, project_id: str | None = None, *, limit: int = 50,
                        offset: int = 0) -> tuple[int, int, list[Session]]:
        """(sessions, running, one window): running ones first, each part newest first, as the pane shows them.

        Two indexed reads (status, then started_at) instead of sorting the whole table."""
        with self._read() as conn:
            return read_sessions_window(lambda sql, params: conn.execute(sql, params).fetchall(),
                                        project_id, limit, offset)


def read_sessions_window(run, project_id: str | None, limit: int, offset: int, *, ph: str = "?",
                         started: str = "started_at", columns: str = SESSION_COLUMNS) -> tuple[int, int, list[Session]]:
    """The sessions pane's window on either backend: `run(sql, params)` returns rows; `ph` is the
    placeholder and `started` the sortable start-time column."""
    where, params = ("", ()) if project_id is None else (f" AND project_id = {ph}", (project_id,))
    running = run(f"SELECT count(*) FROM sessions WHERE status = 'running'{where}", params)[0][0]
    total = run(f"SELECT count(*) FROM sessions WHERE 1 = 1{where}", params)[0][0]
    rows = []
    if offset < running:
        rows = run(f"SELECT {columns} FROM sessions WHERE status = 'running'{where} "
                   f"ORDER BY {started} DESC LIMIT {ph} OFFSET {ph}", (*params, limit, offset))
    if len(rows) < limit:
        rows = list(rows) + list(run(f"SELECT {columns} FROM sessions WHERE status <> 'running'{where} "
                                     f"ORDER BY {started} DESC LIMIT {ph} OFFSET {ph}",
                                     (*params, limit - len(rows), max(offset - running, 0))))
    return total, running, [_session(r) for r in rows]
