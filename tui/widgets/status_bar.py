"""Top status line: DB path, schema version, journal mode, counts, last refresh, live/paused."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

from store import Counts

from ..format import count
from ..text import visible

VIEW_LABELS = {
    "ready": "Ready", "in_progress": "In progress", "blocked": "Blocked", "done": "Done", "stale": "Stale", "all": "All",
}


# What an empty view says (what to do next), for each view; a filter that matches nothing says how to clear it.
EMPTY_VIEW = {
    "ready": "No ready issues — n adds one (agents pick from here)",
    "in_progress": "Nothing in progress — agents claim ready issues; R shows the ready queue",
    "blocked": "No blocked issues — b blocks the selected issue (with a reason)",
    "done": "Nothing done yet — c completes the selected issue",
    "stale": "No stale claims — a claim older than 15 minutes shows here; x releases it",
    "all": "No issues in this file — n adds one, or `issues-tui import` a crate export",
}


def empty_text(view: str, search: str = "", agent: str | None = None, project: str | None = None) -> str:
    if search or agent or project:
        what = ", ".join(p for p in (f"the search {search!r}" if search else "", f"agent {agent}" if agent else "",
                                     "this project" if project else "") if p)
        return f"No {VIEW_LABELS.get(view, view).lower()} issues match {visible(what)} — " \
               "escape clears the filter, @ cycles the agent, the projects pane's top row shows all"
    return EMPTY_VIEW.get(view, "No issues")


PATH_CELLS = 80  # a longer path keeps its end (the file name): `…/code/project/autopilot.db`


def status_text(path: str, version: int, journal: str, read_only: str | None, counts: Counts | None,
                loaded_at: float | None, live: bool, problem: str | None, *, saving: bool = False) -> Text:
    """`issues-tui ● live 06:23:13  [saving…] [problem] [READ-ONLY: why]  path v5 wal  open 18  in progress 6 …`:
    what is wrong and which file come first (the counts, which the views line repeats per view, are what a
    narrow terminal cuts); a long path keeps its file name."""
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append("issues-tui ", "bold")
    t.append("● live" if live else "❚❚ paused", "green" if live else "bold yellow")
    if loaded_at is not None:
        t.append(f" {time.strftime('%H:%M:%S', time.localtime(loaded_at))}", "dim")
    if saving:  # a write is waiting (another process holds the lock): the key was not lost
        t.append("  saving…", "bold yellow")
    if problem:  # what is wrong comes before everything else
        t.append("  ")
        t.append(visible(problem), "bold reverse red")
    if read_only:
        t.append("  READ-ONLY: ", "bold yellow")
        t.append(visible(read_only), "yellow")
    shown = visible(path)
    if len(shown) > PATH_CELLS:
        shown = "…" + shown[-(PATH_CELLS - 1):]
    t.append("  ")
    t.append(shown)
    t.append(f" v{visible(version, limit=20)} {visible(journal, limit=20)}", "dim")
    if counts is not None:
        for label, value, style in (("open", counts.open, "bold green"), ("in progress", counts.in_progress, "bold yellow"),
                                    ("blocked", counts.blocked, "bold red"), ("done", counts.done, "bold blue")):
            t.append(f"  {label} ", "dim")
            t.append(count(value), style)
        t.append("  stale ", "dim")
        t.append(count(counts.stale), "bold reverse red" if counts.stale else "dim")
        if counts.other:
            t.append("  other ", "dim")
            t.append(count(counts.other), "magenta")
        if counts.auto is not None:  # v11 files: the newer autopilot's counts (claimed, auto-created)
            t.append("  claimed ", "dim")
            t.append(count(counts.claimed), "bold yellow" if counts.claimed else "dim")
            t.append("  auto ", "dim")
            t.append(count(counts.auto), "bold magenta" if counts.auto else "dim")
    return t


def update_if_changed(widget: Static, text: Text) -> None:
    """Skip the update when the line is the same; a one-line Static never changes size, so no relayout."""
    key = (text.plain, tuple(text.spans))
    if getattr(widget, "_shown_key", None) != key:
        widget._shown_key = key
        widget.update(text, layout=False)
