"""The list's columns: which exist, what each shows and sorts by, and each view's default set (pure: no Textual).

Config (`[columns]`, or `columns` of a `[[views]]` entry): a list of column ids, each optionally `id:width`,
e.g. `in_progress = ["number", "pri", "claimed_by:16", "claim", "title"]`. The title takes whatever width is
left (give it a width to fix it; then the last column takes the rest). Unknown ids are reported and skipped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from rich.text import Text

from store import Issue, timestamps

from .format import ago, clock
from .text import visible

CLAIM_S = 15 * 60


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    header: str
    width: int  # 0: take the remaining width
    sort: str | None  # the store's sort key (store/views.py SORT_KEYS)
    cell: Callable[[Issue, int], object]  # (issue, now_ns) -> the value to show (made visible by the renderer:
    # a wrong-typed stored value keeps its ⚠ mark)
    align_right: bool = False


def _claim(issue: Issue, now_ns: int) -> str:
    """Age of the claim against the 15 minutes: `4:12/15` while live, `STALE 17m` after."""
    secs = timestamps.age_seconds(issue.claimed_at, now_ns)
    if secs is None:
        return "—" if not issue.claimed_by else "STALE ?"
    if secs >= CLAIM_S:
        return f"STALE {ago(issue.claimed_at, now_ns)}"
    return f"{clock(secs)}/15"


def _when(ts: str | None, now_ns: int) -> str:
    ns = timestamps.parse_ns(ts)
    if ns is None:
        return "—"
    local = time.localtime(ns / 1e9)
    if now_ns - ns < 20 * 3600 * 1_000_000_000:
        return time.strftime("%H:%M", local) + f" {ago(ts, now_ns)}"
    return time.strftime("%m-%d %H:%M", local)


def _text(value):
    return "—" if value is None else value


COLUMNS: dict[str, Column] = {c.id: c for c in (
    Column("number", "#", 6, "number", lambda i, now: i.number, True),
    Column("pri", "pri", 7, "priority", lambda i, now: _text(i.priority)),
    Column("type", "type", 8, "type", lambda i, now: _text(i.issue_type)),
    Column("agent", "agent", 8, "agent", lambda i, now: i.agent),
    Column("status", "status", 11, "status", lambda i, now: _text(i.status)),
    Column("age", "age", 5, "created", lambda i, now: ago(i.created_at, now)),
    Column("updated", "upd", 5, "updated", lambda i, now: ago(i.updated_at, now)),
    Column("claimed_by", "claimed by", 14, "claimed_by", lambda i, now: _text(i.claimed_by)),
    Column("claim", "claim", 10, "claimed", _claim),
    Column("reason", "blocked reason", 28, "reason", lambda i, now: _text(i.blocked_reason)),
    Column("completed", "completed", 11, "completed", lambda i, now: _when(i.completed_at, now)),
    Column("title", "title", 0, "title", lambda i, now: i.title),
    # several files in one dashboard: the row's repo (tui/multi.py puts it in the merged row's extra)
    Column("repo", "repo", 10, None, lambda i, now: i.extra.get("__repo") or "—"),
)}

DEFAULTS: dict[str, tuple[str, ...]] = {
    "ready": ("number", "pri", "type", "agent", "age", "title"),
    "in_progress": ("number", "pri", "agent", "claimed_by", "claim", "title"),
    "stale": ("number", "pri", "agent", "claimed_by", "claim", "title"),
    "blocked": ("number", "pri", "type", "agent", "reason", "title"),
    "done": ("number", "pri", "type", "agent", "completed", "title"),
    "all": ("number", "status", "pri", "type", "agent", "age", "title"),
}
FLAG_WIDTH = 1  # the mark/new flag before the first column


@dataclass(frozen=True, slots=True)
class Layout:
    """Columns with their widths for one view (the title's width is resolved per render)."""

    columns: tuple[tuple[Column, int], ...]

    def widths(self, total: int) -> list[tuple[Column, int]]:
        fixed = FLAG_WIDTH + 1 + sum(w + 1 for c, w in self.columns if w)
        flexible = [c for c, w in self.columns if not w]
        rest = max(total - fixed - len(flexible), 8)
        out = []
        for c, w in self.columns:
            out.append((c, w if w else max(rest // max(len(flexible), 1), 8)))
        return out

    def column_at(self, x: int, total: int) -> Column | None:
        """Which column a click at cell `x` of the header (or a row) hit."""
        pos = FLAG_WIDTH + 1
        for c, w in self.widths(total):
            if pos <= x < pos + w + 1:
                return c
            pos += w + 1
        return None


def parse_columns(spec, problems: list[str], where: str) -> Layout | None:
    """A config list (`["number", "claimed_by:16", "title"]`) as a Layout; None when empty/invalid."""
    if not isinstance(spec, list) or not spec:
        problems.append(f"config {where}: columns must be a non-empty list of column ids "
                        f"(known: {', '.join(COLUMNS)})")
        return None
    cols: list[tuple[Column, int]] = []
    for item in spec:
        name, _, width = str(item).partition(":")
        col = COLUMNS.get(name.strip())
        if col is None:
            problems.append(f"config {where}: unknown column {name!r} (known: {', '.join(COLUMNS)})")
            continue
        w = col.width
        if width:
            if not width.strip().isdigit() or not 1 <= int(width) <= 200:
                problems.append(f"config {where}: width of {name!r} must be 1-200, not {width!r}")
            else:
                w = int(width)
        cols.append((col, w))
    if not cols:
        return None
    if all(w for _, w in cols):  # nothing flexible: the last column takes the rest
        last, _ = cols[-1]
        cols[-1] = (last, 0)
    return Layout(tuple(cols))


def default_layout(view: str) -> Layout:
    return Layout(tuple((COLUMNS[c], COLUMNS[c].width) for c in DEFAULTS.get(view, DEFAULTS["all"])))


def fit(text: str, width: int, right: bool = False) -> str:
    """Pad or cut to exactly `width` cells (cut with an ellipsis)."""
    t = Text(text)
    if right and t.cell_len < width:
        return " " * (width - t.cell_len) + text
    t.truncate(width, overflow="ellipsis", pad=True)
    return t.plain


def header_text(layout: Layout, width: int, sort: tuple[str, bool] | None) -> Text:
    """The header line, ▲/▼ on the sorted column."""
    t = Text(" " * (FLAG_WIDTH + 1), no_wrap=True, end="")
    for c, w in layout.widths(width):
        label = c.header
        if sort is not None and c.sort == sort[0]:
            label = f"{label}{'▼' if sort[1] else '▲'}"
            t.append(fit(label, w, c.align_right), "bold underline")
        else:
            t.append(fit(label, w, c.align_right))
        t.append(" ")
    t.truncate(max(width, 1), overflow="ellipsis")
    return t


def cell_text(col: Column, issue: Issue, now_ns: int, width: int) -> str:
    return fit(visible(col.cell(issue, now_ns), limit=max(width, 20) * 2), width, col.align_right)
