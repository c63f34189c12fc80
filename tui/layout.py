"""How the screen is shared out: the issue list wins the space.

Screen classes (set from the terminal size, and from the two pane keys):
    -narrow     < 110 columns: the detail pane goes under the list (a third of the height)
    -short      < 30 rows: the bottom panes (projects, sessions) hide by themselves, and the detail pane
                under the list is lower; `v` brings the bottom panes back (and hides them again)
    -tiny       < 16 rows: the detail pane hides too (`d` shows it)
    -no-bottom  the projects and sessions panes are hidden (`v`, or -short)
    -no-detail  the detail pane is hidden (`d`, or -tiny)
    -no-color   NO_COLOR is set: markers keep the normal text colour and rely on bold / reverse / symbols
The user's choice (`v`, `d`) wins over the automatic one until the terminal crosses a size class again.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import IssuesApp

NARROW = 110  # columns: below, the detail pane goes under the list
SHORT = 30  # rows: below, the bottom panes hide by themselves
TINY = 16  # rows: below, the detail pane hides by itself


class PaneLayout:
    """Mixin for IssuesApp: size classes and the pane toggles."""

    def init_layout(self: "IssuesApp") -> None:
        self._show_bottom: bool | None = None  # None: automatic (by height)
        self._show_detail: bool | None = None
        self._size_class: tuple | None = None

    def apply_size(self: "IssuesApp", width: int, height: int) -> None:
        screen = self.screen
        size_class = (width < NARROW, height < SHORT, height < TINY)
        if size_class != self._size_class:  # crossing a size class: the automatic choice again
            self._size_class = size_class
            self._show_bottom = self._show_detail = None
        narrow, short, tiny = size_class
        screen.set_class(narrow, "-narrow")
        screen.set_class(short, "-short")
        screen.set_class(tiny, "-tiny")
        screen.set_class("NO_COLOR" in os.environ and os.environ["NO_COLOR"] != "", "-no-color")
        show_bottom = not short if self._show_bottom is None else self._show_bottom
        show_detail = not tiny if self._show_detail is None else self._show_detail
        screen.set_class(not show_bottom, "-no-bottom")
        screen.set_class(not show_detail, "-no-detail")

    def action_toggle_bottom(self: "IssuesApp") -> None:
        self._show_bottom = self.screen.has_class("-no-bottom")
        self.apply_size(self.size.width, self.size.height)

    def action_toggle_detail_pane(self: "IssuesApp") -> None:
        self._show_detail = self.screen.has_class("-no-detail")
        self.apply_size(self.size.width, self.size.height)
