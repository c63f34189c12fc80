"""`s`: pick the current view's sort. Type to narrow, up/down to choose, enter applies, escape cancels.

Dismisses with the chosen sort key (the caller reverses the order when it is the key already sorted)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

# What each sort key is called in the picker.
LABELS = {
    "priority": "priority, then age (the crate's ready order)", "number": "number", "type": "type",
    "agent": "agent", "title": "title", "status": "status", "created": "created", "updated": "last updated",
    "claimed": "claim age", "claimed_by": "claimed by", "completed": "completed", "reason": "blocked reason",
}


class SortPicker(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="sort.cancel", tooltip="Close without changing the sort"),
        Binding("down", "move(1)", "Next", show=False, id="sort.down", tooltip="Next sort"),
        Binding("up", "move(-1)", "Previous", show=False, id="sort.up", tooltip="Previous sort"),
    ]

    def __init__(self, keys: list[str], current: tuple[str, bool] | None, view_label: str) -> None:
        super().__init__()
        self.keys = keys
        self.current = current
        self.view_label = view_label

    def compose(self) -> ComposeResult:
        with Vertical(id="sort-dialog"):
            yield Static(Content(f"Sort {self.view_label} by (enter applies; the same key again reverses)"),
                         id="sort-title")
            yield Input(placeholder="type to narrow", id="sort-filter")
            yield OptionList(id="sort-options")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#sort-filter", Input).focus()

    def _label(self, key: str) -> Text:
        t = Text(LABELS.get(key, key))
        if self.current is not None and self.current[0] == key:
            t.append("  ▼ now (enter: ▲)" if self.current[1] else "  ▲ now (enter: ▼)", "bold")
        return t

    def _fill(self, needle: str) -> None:
        needle = needle.strip().lower()
        box = self.query_one("#sort-options", OptionList)
        box.clear_options()
        shown = [k for k in self.keys if not needle or needle in k or needle in LABELS.get(k, "").lower()]
        box.add_options([Option(self._label(k), id=k) for k in shown])
        if shown:
            current = self.current[0] if self.current else None
            box.highlighted = shown.index(current) if not needle and current in shown else 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        box = self.query_one("#sort-options", OptionList)
        if box.highlighted is None or box.option_count == 0:
            return
        self.dismiss(box.get_option_at_index(box.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        box = self.query_one("#sort-options", OptionList)
        if box.option_count:
            box.highlighted = ((box.highlighted or 0) + step) % box.option_count

    def action_cancel(self) -> None:
        self.dismiss(None)
