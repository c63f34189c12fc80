"""Projects (crate `project.rs`)."""

from __future__ import annotations

import uuid

from .errors import ValidationError
from .hostile import real, text
from .models import Project

PROJECT_COLUMNS = "id, name, path, description, default_model, default_budget, created_at, updated_at"


def _project(row) -> Project:
    """Every field through its column's check (store.hostile): `default_budget='ten'` is a Hostile."""
    pid, name, path, description, model, budget, created, updated = row
    return Project(pid, text(name), text(path), text(description), text(model), real(budget, nullable=True),
                   text(created), text(updated))


def validate_project(name, path, default_budget):
    """Check a new project's fields (both backends); returns the budget as a float (or None)."""
    if not name or not str(name).strip():
        raise ValidationError("name", "must not be empty")
    if path is None or not str(path).strip():
        raise ValidationError("path", "must not be empty")
    if default_budget is not None:
        try:
            default_budget = float(default_budget)
        except (TypeError, ValueError):
            raise ValidationError("default_budget", f"{default_budget!r} is not a number") from None
        if default_budget < 0:
            raise ValidationError("default_budget", "must not be negative")
    return default_budget


class ProjectOps:
    def create_project(self, name: str, path: str, description: str | None = None,
                       default_model: str | None = None, default_budget: float | None = None) -> Project:
        default_budget = validate_project(name, path, default_budget)
        project_id = str(uuid.uuid4())
        now = self._now()
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM projects WHERE name = ?", (name,)).fetchone():
                raise ValidationError("name", f"a project named {name!r} already exists")
            conn.execute(
                f"INSERT INTO projects ({PROJECT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                (project_id, name, path, description, default_model, default_budget, now, now),
            )
        return self.get_project_by_id(project_id)

    def list_projects(self) -> list[Project]:
        with self._read() as conn:
            rows = conn.execute(f"SELECT {PROJECT_COLUMNS} FROM projects ORDER BY created_at DESC").fetchall()
        return [_project(r) for r in rows]

    def get_project_by_name(self, name: str) -> Project | None:
        with self._read() as conn:
            row = conn.execute(f"SELECT {PROJECT_COLUMNS} FROM projects WHERE name = ?1", (name,)).fetchone()
        return _project(row) if row else None

    def get_project_by_id(self, project_id: str) -> Project | None:
        with self._read() as conn:
            row = conn.execute(f"SELECT {PROJECT_COLUMNS} FROM projects WHERE id = ?1", (project_id,)).fetchone()
        return _project(row) if row else None

    def delete_project(self, project_id: str) -> bool:
        """Delete a project; its sessions go with it (ON DELETE CASCADE, foreign_keys is ON)."""
        with self._write() as conn:
            return conn.execute("DELETE FROM projects WHERE id = ?1", (project_id,)).rowcount > 0
