"""Projects pane: name, path, default model and budget, sessions total/running. Selecting one filters
the sessions pane (and issues, where the file has a `project_id` column)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..format import money
from ..loader import ProjectRow
from ..text import visible

ALL = "__all__"


def project_prompt(row: ProjectRow, width: int) -> Text:
    p = row.project
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(visible(p.name, limit=200), "bold")
    t.append(f" {row.sessions_running}/{row.sessions_total}", "bold green" if row.sessions_running else "dim")
    t.append("\n  ")
    t.append(visible(p.default_model or "no model"), "cyan")
    t.append(f" · {money(p.default_budget)} · ", "dim")
    t.append(visible(p.path, limit=400), "dim")
    return t


class ProjectsPane(OptionList):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._ids: list[str] = []
        self.selected_project: str | None = None
        self._laid_out = False

    def set_projects(self, rows: list[ProjectRow]) -> None:
        if not self.size.width and not self._laid_out:
            # Not laid out yet (the prefetched first snapshot lands before the first layout): the options are
            # measured at the pane's width (an OptionList keeps those heights), so they wait for the layout.
            pending, self._unsized = getattr(self, "_unsized", None), rows
            if pending is None:
                self.call_after_refresh(self._sized)
            return
        key = [(r.project, r.sessions_total, r.sessions_running) for r in rows]
        if key == getattr(self, "_key", None):
            return  # unchanged: keep the options (and the user's scroll/highlight) as they are
        self._key = key
        ids = [ALL] + [r.project.id for r in rows]
        highlighted = self._ids[self.highlighted] if self.highlighted is not None and self.highlighted < len(self._ids) else None
        total = sum(r.sessions_total for r in rows)
        running = sum(r.sessions_running for r in rows)
        head = Text.assemble(("All projects", "bold"), (f" {running}/{total}", "bold green" if running else "dim"))
        prompts = [head] + [project_prompt(r, self.size.width) for r in rows]
        self.clear_options()
        self.add_options([Option(p, id=i) for p, i in zip(prompts, ids)])
        self._ids = ids
        if highlighted in ids:
            self.highlighted = ids.index(highlighted)
        elif ids:
            self.highlighted = 0

    def _sized(self) -> None:
        self._laid_out = True  # hidden panes stay at width 0: from now on they take their rows as they come
        rows = self.__dict__.pop("_unsized", None)
        if rows is not None:
            self.set_projects(rows)
