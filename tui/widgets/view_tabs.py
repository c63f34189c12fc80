"""The tab line: Ready … All and the saved views, each with its live count; the filter in force; a click on
a tab switches to it."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from store import Counts

from ..format import count, plural
from ..text import visible
from .status_bar import VIEW_LABELS


def tabs_text(active: str, counts: Counts | None, saved: list[tuple[str, str, int | None]], search: str,
              agent: str | None, project: str | None, marked: int, total: int,
              notes: list[str] | None = None) -> tuple[Text, list[tuple[int, int, str]]]:
    """(the line, [(start cell, end cell, tab key)]). `saved` is [(key, name, count)]; `active` a view or saved key."""
    t = Text(no_wrap=True, overflow="ellipsis")
    spans: list[tuple[int, int, str]] = []
    values = {}
    if counts is not None:
        values = {"ready": counts.ready, "in_progress": counts.in_progress, "blocked": counts.blocked,
                  "done": counts.done, "stale": counts.stale, "all": counts.total}
    tabs = [(key, label, values.get(key)) for key, label in VIEW_LABELS.items()] + list(saved)
    for key, label, n in tabs:
        piece = f" {visible(label)} {count(n)} " if n is not None else f" {visible(label)} "
        start = t.cell_len
        style = "bold reverse" if key == active else ("italic" if key.startswith("saved:") else "")
        t.append(piece, style)
        spans.append((start, t.cell_len, key))
        t.append(" ")
    if search:
        t.append(" filter: ", "dim")
        t.append(visible(search), "bold")
    if agent:
        t.append(" agent: ", "dim")
        t.append(visible(agent), "bold")
    if project:
        t.append(" project: ", "dim")
        t.append(visible(project), "bold")
    if search or agent or project:
        t.append(f" ({plural(total, 'match')})", "dim")
    for note in notes or []:
        t.append("  ")
        t.append(visible(note), "yellow")
    if marked:
        t.append(f"  {marked} marked", "bold magenta")
    return t, spans


class ViewTabs(Static):
    class TabClicked(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.spans: list[tuple[int, int, str]] = []
        self._shown = None

    def show(self, text: Text, spans: list[tuple[int, int, str]]) -> None:
        self.spans = spans
        key = (text.plain, tuple(text.spans))
        if key != self._shown:
            self._shown = key
            self.update(text, layout=False)

    def on_click(self, event) -> None:
        x = event.x - self.styles.padding.left
        for start, end, key in self.spans:
            if start <= x < end:
                self.post_message(self.TabClicked(key))
                return
