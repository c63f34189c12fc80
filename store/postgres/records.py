"""Events, projects and sessions on PostgreSQL (same API as store/events.py, projects.py, sessions.py)."""

from __future__ import annotations

import uuid

from ..errors import ValidationError
from ..events import _event
from ..models import Event, Project, Session, SessionStatus
from ..projects import _project, validate_project
from ..sessions import _session, read_sessions_window
from .issue_sql import db_time

EVENT_SELECT = "id, issue_id, actor, event_type, old_value, new_value, created_at_text"
PROJECT_SELECT = ("id, name, path, description, default_model, default_budget, created_at_text, updated_at_text")
SESSION_SELECT = ("id, project_id, status, prompt, model, pid, trajectory_path, started_at_text, ended_at_text, "
                  "budget_spent, issues_completed")


def _text(value) -> str | None:
    return None if value is None else str(value)


class PgRecordOps:
    # -- the audit log -----------------------------------------------------------------------------
    def _event(self, conn, issue_id: str, actor: str | None, event_type: str, old=None, new=None,
               at: str | None = None) -> None:
        conn.execute("INSERT INTO issue_events (id, issue_id, actor, event_type, old_value, new_value, created_at, "
                     "created_at_text) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                     (str(uuid.uuid4()), issue_id, actor, event_type, _text(old), _text(new), db_time(at), at))

    def issue_events(self, issue_id: str) -> list[Event]:
        with self._read() as conn:
            rows = conn.execute(f"SELECT {EVENT_SELECT} FROM issue_events WHERE issue_id = %s "
                                "ORDER BY created_at_text, ord", (issue_id,)).fetchall()
        return [_event(r) for r in rows]

    def recent_issue_events(self, issue_id: str, limit: int = 200) -> tuple[int, list[Event]]:
        """(events the issue has, its newest `limit` events oldest first): the history pane's window."""
        with self._read() as conn:
            total = conn.execute("SELECT count(*) FROM issue_events WHERE issue_id = %s", (issue_id,)).fetchone()[0]
            rows = conn.execute(f"SELECT {EVENT_SELECT} FROM issue_events WHERE issue_id = %s "
                                "ORDER BY created_at_text DESC, ord DESC LIMIT %s", (issue_id, int(limit))).fetchall()
        rows.reverse()
        return total, [_event(r) for r in rows]

    # -- projects ------------------------------------------------------------------------------------
    def create_project(self, name: str, path: str, description: str | None = None,
                       default_model: str | None = None, default_budget: float | None = None) -> Project:
        default_budget = validate_project(name, path, default_budget)
        project_id = str(uuid.uuid4())

        def body(conn):
            if conn.execute("SELECT 1 FROM projects WHERE name = %s", (name,)).fetchone():
                raise ValidationError("name", f"a project named {name!r} already exists")
            dt, now = self._tx_now(conn)
            conn.execute("INSERT INTO projects (id, name, path, description, default_model, default_budget, "
                         "created_at, created_at_text, updated_at, updated_at_text) "
                         "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                         (project_id, name, path, description, default_model, default_budget, dt, now, dt, now))

        self._transact(body)
        return self.get_project_by_id(project_id)

    def _projects(self, where: str = "", params=()) -> list[Project]:
        with self._read() as conn:
            rows = conn.execute(f"SELECT {PROJECT_SELECT} FROM projects {where}", params).fetchall()
        return [_project(r) for r in rows]

    def list_projects(self) -> list[Project]:
        return self._projects("ORDER BY created_at_text DESC")

    def get_project_by_name(self, name: str) -> Project | None:
        rows = self._projects("WHERE name = %s", (name,))
        return rows[0] if rows else None

    def get_project_by_id(self, project_id: str) -> Project | None:
        rows = self._projects("WHERE id = %s", (project_id,))
        return rows[0] if rows else None

    def delete_project(self, project_id: str) -> bool:
        return self._transact(lambda conn: conn.execute("DELETE FROM projects WHERE id = %s",
                                                        (project_id,)).rowcount > 0)

    # -- sessions ------------------------------------------------------------------------------------
    def create_session(self, project_id: str, prompt: str, model: str, pid: int | None = None) -> Session:
        session_id = str(uuid.uuid4())

        def body(conn):
            if not conn.execute("SELECT 1 FROM projects WHERE id = %s", (project_id,)).fetchone():
                raise ValidationError("project_id", f"no project with id {project_id!r}")
            dt, now = self._tx_now(conn)
            conn.execute("INSERT INTO sessions (id, project_id, status, prompt, model, pid, started_at, "
                         "started_at_text, budget_spent, issues_completed) "
                         "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0.0, 0)",
                         (session_id, project_id, SessionStatus.RUNNING.value, prompt, model, pid, dt, now))

        self._transact(body)
        return self.get_session(session_id)

    def _update_session(self, sql: str, params) -> bool:
        return self._transact(lambda conn: conn.execute(sql, params).rowcount > 0)

    def update_session_status(self, session_id: str, status: SessionStatus | str) -> bool:
        status = SessionStatus.parse(status, "status")

        def body(conn):
            dt, now = self._tx_now(conn)
            if status == SessionStatus.RUNNING:
                dt = now = None
            return conn.execute("UPDATE sessions SET status = %s, ended_at = %s, ended_at_text = %s WHERE id = %s",
                                (status.value, dt, now, session_id)).rowcount > 0

        return self._transact(body)

    def update_session_trajectory(self, session_id: str, trajectory_path: str) -> bool:
        return self._update_session("UPDATE sessions SET trajectory_path = %s WHERE id = %s", (trajectory_path, session_id))

    def update_session_metrics(self, session_id: str, budget_spent: float, issues_completed: int) -> bool:
        return self._update_session("UPDATE sessions SET budget_spent = %s, issues_completed = %s WHERE id = %s",
                                    (float(budget_spent), int(issues_completed), session_id))

    def _sessions(self, where: str = "", params=()) -> list[Session]:
        with self._read() as conn:
            rows = conn.execute(f"SELECT {SESSION_SELECT} FROM sessions {where}", params).fetchall()
        return [_session(r) for r in rows]

    def list_sessions(self, project_id: str | None = None) -> list[Session]:
        if project_id is None:
            return self._sessions("ORDER BY started_at_text DESC")
        return self._sessions("WHERE project_id = %s ORDER BY started_at_text DESC", (project_id,))

    def session_counts(self) -> dict[str, tuple[int, int]]:
        """{project_id: (sessions, running)} in one GROUP BY."""
        with self._read() as conn:
            rows = conn.execute("SELECT project_id, count(*), count(*) FILTER (WHERE status = 'running') "
                                "FROM sessions GROUP BY project_id").fetchall()
        return {pid: (total, running) for pid, total, running in rows}

    def sessions_window(self, project_id: str | None = None, *, limit: int = 50,
                        offset: int = 0) -> tuple[int, int, list[Session]]:
        """(sessions, running, one window): running first, each part newest first (see store/sessions.py)."""
        with self._read() as conn:
            return read_sessions_window(lambda sql, params: conn.execute(sql, params).fetchall(), project_id,
                                        limit, offset, ph="%s", started="started_at_text", columns=SESSION_SELECT)

    def get_session(self, session_id: str) -> Session | None:
        rows = self._sessions("WHERE id = %s", (session_id,))
        return rows[0] if rows else None

    def get_active_sessions(self) -> list[Session]:
        return self._sessions("WHERE status = 'running' ORDER BY started_at_text DESC")
