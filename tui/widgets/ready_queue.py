"""The issue list: a virtualised Line-API table of one view (ready queue, in progress, ...).

It renders only the visible lines, from a window of rows the app loads around the scroll position;
a 1M-row view costs the same as a 20-row one. Rows are keyed by issue id: after a refresh the cursor
stays on the same issue (or, if it left the view, on the same position), marks survive, and rows
that appeared since the previous load are flagged as new for a while.
"""

from __future__ import annotations

import time

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import Issue, Status, timestamps

from ..columns import FLAG_WIDTH, Layout, cell_text, default_layout, fit
from ..text import visible

NEW_FOR_S = 30.0
NEW_SLACK_NS = 2_000_000_000  # clock skew allowance between the writer and us


class IssueList(ScrollView, can_focus=True):
    """Virtualised list of issues; the app feeds it windows of rows."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.page_down"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        Binding("enter", "app.toggle_detail", "Detail", show=False, id="list.open",
                tooltip="Show the selected issue full screen (escape to go back)"),
    ]

    COMPONENT_CLASSES = {
        "issue-list--cursor",
        "issue-list--marked",
        "issue-list--new",
        "issue-list--urgent",
        "issue-list--high",
        "issue-list--low",
        "issue-list--blocked",
        "issue-list--stale",
        "issue-list--placeholder",
        "issue-list--auto",
        "issue-list--match",
    }

    class Highlighted(Message):
        """The cursor moved to another issue (or the list became empty)."""

        def __init__(self, issue: Issue | None) -> None:
            super().__init__()
            self.issue = issue

    class NeedRows(Message):
        """Rows around `offset` are visible but not loaded."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, IssueList.NeedRows)

    def __init__(self, *, clock=time.time_ns, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.total = 0
        self.window_offset = 0
        self.rows: list[Issue] = []
        self.cursor = 0
        self.selected_id: str | None = None
        self.marked: set[str] = set()
        self._marked_rows: dict[str, Issue] = {}  # each marked row as last seen (it may scroll out of the window)
        self.stale_ids: set[str] = set()
        self._seen: set[str] = set()
        self._first_seen: dict[str, float] = {}
        self._view_key: object = None
        self._loaded_ns = 0
        self._requested: int | None = None
        self.stale_cutoff_ns = 0
        self.columns: Layout = default_layout("ready")
        self.highlight: tuple[str, ...] = ()  # searched words, highlighted in the rows

    def set_columns(self, layout: Layout, highlight: tuple[str, ...]) -> None:
        """The view's columns and the words to highlight (drops the cached rendered rows when they change)."""
        if layout != self.columns or highlight != self.highlight:
            self.columns, self.highlight = layout, highlight
            self.__dict__["_lines"] = {}
            self.refresh()

    # -- data in -------------------------------------------------------------------------------
    def set_rows(self, view_key: object, total: int, offset: int, rows: list[Issue], stale_cutoff_ns: int) -> None:
        """Replace the loaded window; keep the cursor on the selected issue."""
        new_view = view_key != self._view_key
        if new_view:
            self._view_key = view_key
            self._seen = set()
            self._first_seen = {}
            self.cursor = 0 if self.selected_id is None else self.cursor
        # "New" = not in this view before AND changed since the previous load: an issue just filed,
        # unblocked or reopened. Rows that only scrolled into the window, or slid in because others
        # left the view, are not new.
        now = time.monotonic()
        previous_ns, self._loaded_ns = self._loaded_ns, self.clock()
        if not new_view and previous_ns:
            for issue in rows:
                if issue.id not in self._seen and (timestamps.parse_ns(issue.updated_at) or 0) >= previous_ns - NEW_SLACK_NS:
                    self._first_seen.setdefault(issue.id, now)
        self._seen.update(i.id for i in rows)
        for issue in rows:
            if issue.id in self._marked_rows:
                self._marked_rows[issue.id] = issue  # keep the freshest version for the write guard
        self.total, self.window_offset, self.rows = total, offset, rows
        self.stale_cutoff_ns = stale_cutoff_ns
        self._requested = None
        ids = [i.id for i in rows]
        if self.selected_id in ids:
            self.cursor = offset + ids.index(self.selected_id)
        elif new_view:
            self.cursor = 0
        self.cursor = max(0, min(self.cursor, total - 1)) if total else 0
        self.virtual_size = Size(self.size.width, total)
        self._after_cursor_move(scroll=new_view)
        self.refresh()

    def row_at(self, index: int) -> Issue | None:
        i = index - self.window_offset
        if 0 <= i < len(self.rows):
            return self.rows[i]
        return None

    @property
    def current(self) -> Issue | None:
        return self.row_at(self.cursor)

    def targets(self) -> list[Issue]:
        """The rows an action applies to: every marked one (in view order, then any that scrolled out of
        the loaded window, as last seen), else the current one."""
        if self.marked:
            loaded = [i for i in self.rows if i.id in self.marked]
            ids = {i.id for i in loaded}
            return loaded + [self._marked_rows[i] for i in self._marked_rows if i in self.marked and i not in ids]
        return [self.current] if self.current else []

    # -- cursor --------------------------------------------------------------------------------
    def _after_cursor_move(self, scroll: bool = True) -> None:
        issue = self.current
        new_id = issue.id if issue else None
        if scroll:
            self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, force=True, immediate=True)
        if issue is not None and new_id != self.selected_id:
            self.selected_id = new_id
            self.post_message(self.Highlighted(issue))
        top = int(self.scroll_offset.y)
        if issue is None and self.total and top <= self.cursor < top + max(self.size.height, 1):
            self._request(self.cursor)  # the cursor is on screen but its row is not loaded yet
        self._cover_visible()

    def _cover_visible(self) -> None:
        """Ask for rows if part of the visible region is outside the loaded window."""
        top = int(self.scroll_offset.y)
        bottom = min(top + max(self.size.height, 1), self.total)
        if self.total and (top < self.window_offset or bottom > self.window_offset + len(self.rows)):
            self._request(top)

    def move_to(self, index: int) -> None:
        if not self.total:
            return
        self.cursor = max(0, min(index, self.total - 1))
        self._after_cursor_move()
        self.refresh()

    def select_id(self, issue_id: str) -> bool:
        for n, issue in enumerate(self.rows):
            if issue.id == issue_id:
                self.move_to(self.window_offset + n)
                return True
        self.selected_id = issue_id
        return False

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(self.size.height - 1, 1))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.total - 1)

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < self.total:
            self.move_to(index)
            if event.chain == 2 and self.row_at(index) is not None:  # double-click: the detail, full screen
                self.call_later(self.run_action, "app.toggle_detail")

    def toggle_mark(self) -> None:
        issue = self.current
        if issue is None:
            return
        if issue.id in self.marked:
            self.marked.discard(issue.id)
            self._marked_rows.pop(issue.id, None)
        else:
            self.marked.add(issue.id)
            self._marked_rows[issue.id] = issue
        self.refresh()

    def clear_marks(self) -> bool:
        had = bool(self.marked)
        self.marked.clear()
        self._marked_rows.clear()
        self.refresh()
        return had

    def _request(self, index: int) -> None:
        if self._requested is not None and abs(self._requested - index) < 50:
            return
        self._requested = index
        self.post_message(self.NeedRows(index))

    # -- rendering -----------------------------------------------------------------------------
    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._cover_visible()

    def notify_style_update(self) -> None:
        """Theme or CSS changed: drop the cached styles and rendered rows."""
        self._styles = {}
        self._lines = {}
        super().notify_style_update()

    def _style(self, name: str, fg_only: bool = False) -> Style:
        """Component styles, cached (they only change with the theme); `fg_only` drops the background
        so cursor/mark backgrounds show through."""
        cache = self.__dict__.setdefault("_styles", {})
        key = (name, fg_only)
        style = cache.get(key)
        if style is None:
            style = self.get_component_rich_style(name)
            if fg_only:
                style = Style(color=style.color, bold=style.bold, dim=style.dim, italic=style.italic,
                              reverse=style.reverse, underline=style.underline)
            cache[key] = style
        return style

    empty_text = ""  # what an empty view says (set by the app, per view)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = self.scroll_offset.y + y
        if index >= self.total:
            if self.total == 0 and y == 0 and self.empty_text and self._view_key is not None:
                style = self._style("issue-list--placeholder")
                return Strip([Segment(fit("  " + self.empty_text, width), style)], width)
            return Strip.blank(width, self.rich_style)
        issue = self.row_at(index)
        if issue is None:
            return Strip([Segment(fit(" …loading", width), self._style("issue-list--placeholder"))], width)
        base = self.rich_style
        over = None
        if index == self.cursor:
            over = self._style("issue-list--cursor")
        elif issue.id in self.marked:
            over = self._style("issue-list--marked")
        if over is not None:
            base = base + over
            over = Style(bgcolor=over.bgcolor)
        return Strip(Segment.apply_style(self._row_segments(issue, width), base, over)).adjust_cell_length(width, base)

    def _row_segments(self, issue: Issue, width: int) -> list[Segment]:
        """The row's segments, cached by everything that changes how the row looks."""
        now = self.clock()
        marked = issue.id in self.marked
        seen = self._first_seen.get(issue.id)
        is_new = seen is not None and time.monotonic() - seen < NEW_FOR_S
        stale = issue.status == Status.IN_PROGRESS and _claim_stale(issue, self.stale_cutoff_ns)
        cells = tuple((c, cell_text(c, issue, now, w)) for c, w in self.columns.widths(width) if c.id != "title")
        # Keyed on what the row shows, never on updated_at: a change made without touching it (raw sqlite3,
        # another tool) must still be drawn.
        key = (issue.id, issue.title, issue.is_blocked, width, marked, is_new, stale, tuple(t for _, t in cells), issue.auto_created)
        lines = self.__dict__.setdefault("_lines", {})
        segments = lines.get(key)
        if segments is None:
            if len(lines) > 4000:
                lines.clear()
            text = self._row_text(issue, width, marked, is_new, stale, dict((c.id, t) for c, t in cells))
            segments = lines[key] = list(text.render(self.app.console))
        return segments

    def _row_text(self, issue: Issue, width: int, marked: bool, is_new: bool, stale: bool,
                  cells: dict[str, str]) -> Text:
        flag = "✓" if marked else ("●" if is_new else " ")
        prio = str(issue.priority) if issue.priority is not None else "—"
        pstyle = {"urgent": "issue-list--urgent", "high": "issue-list--high", "low": "issue-list--low"}.get(prio)
        title_style = self._style("issue-list--blocked", True) if issue.is_blocked else Style()
        text = Text(no_wrap=True, end="")
        text.append(flag, self._style("issue-list--new", True) if is_new and not marked else Style(bold=marked))
        text.append(" " * FLAG_WIDTH)
        for col, w in self.columns.widths(width):
            if col.id != "title":
                style = Style()
                if col.id == "pri" and pstyle:
                    style = self._style(pstyle, True)
                elif col.id == "claim" and stale:
                    style = self._style("issue-list--stale", True)
                cell = Text(cells[col.id], style, end="")
                if col.id == "reason" and self.highlight:  # searched too: show where it matched
                    cell.highlight_words(self.highlight, self._style("issue-list--match", True), case_sensitive=False)
                text.append_text(cell)
                text.append(" ")
                continue
            title = Text(no_wrap=True, end="")
            if stale and "claim" not in cells:
                title.append("STALE ", self._style("issue-list--stale", True))
            elif issue.is_blocked:
                title.append("⊘ ", title_style)
            if issue.auto_created:  # filed by an agent's anomaly detection by itself (v11 files)
                title.append("auto ", self._style("issue-list--auto", True))
            title.append(visible(issue.title, limit=max(width, 20) * 2), title_style)
            if self.highlight:
                title.highlight_words(self.highlight, self._style("issue-list--match", True), case_sensitive=False)
            title.truncate(w, overflow="ellipsis", pad=True)
            text.append_text(title)
            text.append(" ")
        text.truncate(max(width, 1), overflow="ellipsis", pad=True)
        return text


def _claim_stale(issue: Issue, cutoff_ns: int) -> bool:
    at = timestamps.parse_ns(issue.claimed_at)
    return at is None or at < cutoff_ns
