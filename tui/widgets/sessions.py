"""Sessions pane: running first; status, model, project, pid (alive?), elapsed (ticking), budget spent
(and % of the project's default budget), issues completed and rate per hour. A session marked running
whose pid is gone is flagged DEAD."""

from __future__ import annotations

import os
import time

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
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


class SessionsPane(Static, can_focus=True):
    """The sessions of one window (the app loads `SESSIONS_WINDOW` around where the user looks, like the issue
    list); focused, the arrow keys scroll through all of them and ask for the next window when needed."""

    BINDINGS = [
        Binding("up,k", "scroll_rows(-1)", "Up", show=False, id="sessions.up", tooltip="Previous session"),
        Binding("down,j", "scroll_rows(1)", "Down", show=False, id="sessions.down", tooltip="Next session"),
        Binding("pageup", "scroll_page(-1)", "Page up", show=False, id="sessions.page_up",
                tooltip="Previous page of sessions"),
        Binding("pagedown", "scroll_page(1)", "Page down", show=False, id="sessions.page_down",
                tooltip="Next page of sessions"),
        Binding("home,g", "scroll_to(0)", "First", show=False, id="sessions.first", tooltip="First session"),
        Binding("end,G", "scroll_to(-1)", "Last", show=False, id="sessions.last", tooltip="Last session"),
    ]

    class NeedSessions(Message):
        """Sessions around `offset` (in the pane's order) should be on screen but are not loaded."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, SessionsPane.NeedSessions)

    def __init__(self, *, clock=time.time_ns, alive=None, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.clock = clock
        self.alive = alive or pid_alive
        self._drawn = False
        self._first_draw_due = False  # a draw is scheduled for after the next frame
        self.sessions: list[Session] = []  # the loaded window
        self.projects: dict[str, Project] = {}
        self.window_offset = 0  # where the loaded window starts
        self.first = 0  # the first session on screen (an index into all of them)
        self.total = 0
        self.running = 0

    def set_sessions(self, sessions: list[Session], projects: dict[str, Project], total: int | None = None,
                     running: int | None = None, offset: int = 0) -> None:
        """Render from this snapshot, whatever the pane held before (a session that stopped running, a
        project filter that leaves no running session: both must show at once). `sessions` is one window
        (running first, newest first) starting at `offset`; `total`/`running` count all of them."""
        self.total = len(sessions) if total is None else total
        self.running = sum(s.status == "running" for s in sessions) if running is None else running
        changed = not self._drawn or (sessions, projects, offset) != (self.sessions, self.projects, self.window_offset)
        self.sessions, self.projects, self.window_offset = sessions, projects, offset
        if not offset <= self.first < offset + max(len(sessions), 1):
            self.first = offset  # a new filter or a window the pane did not ask for: show it from its start
        if not self.size.height:
            self._drawn = False  # not laid out yet: drawn once it knows how many rows fit (`_size_updated`)
        elif changed:
            self._draw()
        else:
            self.tick()

    def _rows_shown(self) -> int:
        return max(self.size.height - 1, 1)  # one line is the table's header

    def tick(self) -> None:
        """Redraw (elapsed times tick); the pane's size is fixed by the layout, so never relayout."""
        if self._drawn and not any(s.status == "running" for s in self._visible()):
            return  # nothing ticks: only set_sessions, a scroll or a resize redraws
        self._draw()

    def _visible(self) -> list[Session]:
        start = self.first - self.window_offset
        return self.sessions[max(start, 0):max(start, 0) + self._rows_shown()]

    def _draw(self) -> None:
        self._drawn = True
        self._first_draw_due = False
        shown = self._visible()
        if self.total > len(shown) or self.first:
            last = self.first + len(shown)
            self.border_subtitle = (f"{self.first + 1 if shown else 0:,}-{last:,} of {self.total:,} · "
                                    f"{self.running:,} running")
        else:
            self.border_subtitle = ""
        self.update(sessions_table(shown, self.projects, self.clock(), self.alive,
                                   compact=0 < self.size.width < 64), layout=False)

    # -- scrolling -------------------------------------------------------------------------------------
    def action_scroll_rows(self, delta: int) -> None:
        self.action_scroll_to(self.first + delta)

    def action_scroll_page(self, direction: int) -> None:
        self.action_scroll_to(self.first + direction * self._rows_shown())

    def action_scroll_to(self, index: int) -> None:
        last_first = max(self.total - self._rows_shown(), 0)
        self.first = last_first if index < 0 else max(0, min(index, last_first))
        start = self.first - self.window_offset
        if start < 0 or start + self._rows_shown() > len(self.sessions) and self.window_offset + len(self.sessions) < self.total:
            self.post_message(self.NeedSessions(self.first))
        self._draw()

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:
        # How many sessions fit is known here, in the layout pass. A resize redraws at once (a Resize handler
        # ran one frame later: a frame with the old rows). The very first draw waits for the first frame,
        # which is the list's: this pane's table is 5 ms of it, and comes in the next one, full, not one row.
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if changed and size.height:
            if self._drawn:
                self._draw()
            elif not self._first_draw_due:
                self._first_draw_due = True
                self.call_after_refresh(self._draw)
        return changed
