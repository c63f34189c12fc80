"""Sessions pane: running first; status, model, project, pid (alive?), elapsed (ticking), budget spent
(and % of the project's default budget), issues completed and rate per hour. A session marked running
whose pid is gone is flagged DEAD."""

from __future__ import annotations

import os
import time

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from store import Project, Session, timestamps

from ..format import clock, count, money, ratio
from ..text import visible
from .pulse import spend_bar


def pid_alive(pid: int | None) -> bool | None:
    """Whether the process runs; None when there is no usable pid (NULL, or not an integer)."""
    if pid is None or type(pid) is not int:
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, ValueError, OSError):
        return False
    return True


COLUMNS = (("status", {}), ("model", {}), ("project", {"ratio": 1}), ("pid", {}),
           ("elapsed", {"justify": "right"}), ("spent", {"justify": "right"}),
           ("done", {"justify": "right"}), ("/h", {"justify": "right"}))
COMPACT = ("status", "model", "elapsed", "spent", "done")


def sessions_table(sessions: list[Session], projects: dict[str, Project], now_ns: int,
                   alive=pid_alive, compact: bool = False) -> Table:
    table = Table(expand=True, box=None, padding=(0, 1), show_edge=False, header_style="bold")
    shown = [name for name, _ in COLUMNS if not compact or name in COMPACT]
    for name, kw in COLUMNS:
        if name in shown:
            table.add_column(name, no_wrap=True, overflow="ellipsis", **kw)
    if not sessions:
        table.add_row(Text("no sessions", "dim"))
        return table
    for s in sessions:
        running = s.status == "running"
        start = timestamps.parse_ns(s.started_at)
        end = timestamps.parse_ns(s.ended_at) if not running else now_ns
        elapsed = ((end or now_ns) - start) / 1e9 if start is not None else None
        is_alive = alive(s.pid) if running else None
        status = Text(visible(s.status))
        if running and is_alive is False:
            status = Text("DEAD", "bold reverse red")
        elif running:
            status.stylize("bold green")
        elif s.status == "failed":
            status.stylize("red")
        else:
            status.stylize("dim")
        pid = Text("—", "dim") if s.pid is None else Text(visible(s.pid, limit=12))
        if running and is_alive is not None:
            pid.append(" ✓" if is_alive else " ✗", "green" if is_alive else "bold red")
        project = projects.get(s.project_id)
        spent = Text(money(s.budget_spent))
        share = ratio(s.budget_spent, project.default_budget) if project is not None else None
        if share is not None:
            spent.append(" ")
            spent.append_text(spend_bar(share, 5))
        rate = "—"
        per_hour = ratio(s.issues_completed, elapsed / 3600) if elapsed and elapsed > 60 else None
        if per_hour is not None:
            rate = f"{per_hour:.1f}"
        cells = {"status": status, "model": Text(visible(s.model), "cyan"),
                 "project": Text(visible(project.name if project else s.project_id)), "pid": pid,
                 "elapsed": Text(clock(elapsed) if elapsed is not None else "?"), "spent": spent,
                 "done": Text(count(s.issues_completed)), "/h": Text(rate)}
        table.add_row(*(cells[name] for name in shown))
    return table


class SessionsPane(Static):
    def __init__(self, *, clock=time.time_ns, alive=None, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.clock = clock
        self.alive = alive or pid_alive
        self._drawn = False
        self.sessions: list[Session] = []
        self.projects: dict[str, Project] = {}

    def set_sessions(self, sessions: list[Session], projects: dict[str, Project], total: int | None = None,
                     running: int | None = None) -> None:
        """Render from this snapshot, whatever the pane held before (a session that stopped running, a
        project filter that leaves no running session: both must show at once). `sessions` is one window
        (running first, newest first); `total`/`running` count all of them, for the pane's subtitle."""
        total = len(sessions) if total is None else total
        running = sum(s.status == "running" for s in sessions) if running is None else running
        self.border_subtitle = f"{len(sessions)} of {total:,} · {running:,} running" if total > len(sessions) else ""
        if self._drawn and sessions == self.sessions and projects == self.projects:
            return self.tick()
        self.sessions, self.projects = sessions, projects
        self._draw()

    def tick(self) -> None:
        """Redraw (elapsed times tick); the pane's size is fixed by the layout, so never relayout."""
        if self._drawn and not any(s.status == "running" for s in self.sessions):
            return  # nothing ticks: only set_sessions or a resize redraws
        self._draw()

    def _draw(self) -> None:
        self._drawn = True
        self.update(sessions_table(self.sessions, self.projects, self.clock(), self.alive,
                                   compact=0 < self.size.width < 64), layout=False)

    def on_resize(self) -> None:
        self.tick()
