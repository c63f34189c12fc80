"""The list's header line: the view's column names, ▲/▼ on the sorted one; a click on a name sorts by it."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Static

from ..columns import Layout, default_layout, header_text


class ListHeader(Static):
    class SortClicked(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.columns: Layout = default_layout("ready")
        self.sort: tuple[str, bool] | None = None
        self._shown: str | None = None

    def show(self, layout: Layout, sort: tuple[str, bool] | None) -> None:
        self.columns, self.sort = layout, sort
        self._draw()

    def _draw(self) -> None:
        width = self.size.width or 200
        text = header_text(self.columns, width, self.sort)
        key = text.plain + repr(text.spans)
        if key != self._shown:
            self._shown = key
            self.update(text, layout=False)

    def on_resize(self) -> None:
        self._draw()

    def on_click(self, event) -> None:
        col = self.columns.column_at(event.x, self.size.width or 200)
        if col is not None and col.sort is not None:
            self.post_message(self.SortClicked(col.sort))
